"""The pipeline over a corpus too large for one machine: one Ray task per shard.

Each shard (a JSON-lines, WARC or Parquet file) is read and processed by a task that runs
`incidex.pipeline.run`, the same pure stages as `incidex extract` and `incidex ingest`, and
writes one results file (`incidex.parquet`) named after the shard. A results file appears
only once complete, so a rerun skips the shards that have one: an interrupted run resumes.
`incidex ingest` loads the results without extracting again.

Ray is an optional extra (`pip install 'incidex[ray]'`), imported only when a run starts.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incidex.ingest import InputError
from incidex.parquet import result_row, results_writer
from incidex.pipeline import run

SHARD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".warc", ".warc.gz", ".parquet")
RESULTS_SUFFIX = ".parquet"
REPORT_EVERY = 25  # articles a task processes between reports to the live counters
MAX_MESSAGES = 20  # error messages a task sends back; all of them are in its results file
POLL_SECONDS = 0.5  # how often the driver refreshes the live counters
INSTALL_HINT = "pip install 'incidex[ray]'"


class EngineError(RuntimeError):
    """Ray is not installed or cannot start: the message says what to do."""


class ShardListError(ValueError):
    """The shards given cannot be run: missing, none found, or two writing one results file."""


@dataclass(frozen=True)
class Shard:
    """One input file and the results file it is written to."""

    path: Path
    output: Path


@dataclass(frozen=True)
class ShardResult:
    """What one shard's task did; `written` is false when it failed and must be run again."""

    shard: str
    articles: int = 0
    incidents: int = 0
    errors: int = 0
    messages: tuple[str, ...] = ()
    written: bool = True


@dataclass(frozen=True)
class Counts:
    """Live totals of all tasks so far, finished or running."""

    articles: int
    incidents: int
    errors: int


def list_shards(inputs: Iterable[str | Path], out_dir: Path) -> list[Shard]:
    """The shards of the inputs (files, or directories searched for shard files), in order.

    A shard's results file is named after its path below the directory given (folders joined
    with `__`), or after its name for a file given directly.
    """
    shards: list[Shard] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.name.lower().endswith(SHARD_SUFFIXES)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            shards += [_shard(p, "__".join(p.relative_to(path).parts), out_dir) for p in found]
        elif path.is_file():
            shards.append(_shard(path, path.name, out_dir))
        else:
            raise ShardListError(f"{item}: no such file or directory")
    if not shards:
        raise ShardListError(f"no shards ({', '.join(SHARD_SUFFIXES)} files) in the inputs")
    _check_unique(shards)
    return shards


def _shard(path: Path, name: str, out_dir: Path) -> Shard:
    return Shard(path, out_dir / f"{name}{RESULTS_SUFFIX}")


def _check_unique(shards: list[Shard]) -> None:
    """Refuse two shards that would write one results file."""
    seen: dict[Path, Path] = {}
    for shard in shards:
        other = seen.setdefault(shard.output, shard.path)
        if other != shard.path:
            raise ShardListError(
                f"{other} and {shard.path} would both write {shard.output}; "
                "run them with different --out folders"
            )


def process_shard(shard: Path, output: Path, report: Any = None) -> ShardResult:
    """Run the pipeline over one shard and write its results file; runs inside a Ray task.

    `report` (a counters actor, when given) hears every REPORT_EVERY articles how far the
    task got. Input errors become rows of the results file, and the first few come back in
    `messages`; any other failure raises, leaving no results file behind.
    """
    totals, pending, batch, messages = Counter[str](), Counter[str](), [], []
    with results_writer(output) as writer:
        for item in run([str(shard)]):
            batch.append(result_row(item))
            if isinstance(item, InputError):
                pending["errors"] += 1
                if len(messages) < MAX_MESSAGES:
                    messages.append(str(item))
            else:
                pending["articles"] += 1
                pending["incidents"] += len(item.extraction.incidents)
            if len(batch) >= REPORT_EVERY:
                writer.write(batch)
                batch = []
                _report(report, pending, totals)
        writer.write(batch)
    _report(report, pending, totals)
    if totals["errors"] > len(messages):
        messages.append(
            f"{shard}: {totals['errors'] - len(messages)} more errors, listed in {output}"
        )
    return ShardResult(
        str(shard), totals["articles"], totals["incidents"], totals["errors"], tuple(messages)
    )


def _report(counters: Any, pending: Counter[str], totals: Counter[str]) -> None:
    """Send the counts since the last report to the counters actor, and keep the totals."""
    if counters is not None and pending:
        counters.add.remote(dict(pending))
    totals.update(pending)
    pending.clear()


class _Counters:
    """Counts the tasks report while they run; the driver reads them for the progress line."""

    def __init__(self) -> None:
        self._counts = Counter[str]()

    def add(self, counts: dict[str, int]) -> None:
        self._counts.update(counts)

    def totals(self) -> Counts:
        return Counts(self._counts["articles"], self._counts["incidents"], self._counts["errors"])


def import_ray() -> Any:
    """The ray module, or EngineError saying how to install it."""
    try:
        import ray
    except ImportError as error:
        raise EngineError(
            f"Ray is not installed; install the extra with: {INSTALL_HINT}"
        ) from error
    return ray


def distribute(
    shards: list[Shard], address: str | None = None, workers: int | None = None
) -> Iterator[ShardResult | Counts]:
    """Run the shards as Ray tasks, yielding each shard's result and, often, the live counts.

    Without `address`, Ray starts on this machine with `workers` processes (default: one a
    core); with it, the run joins that cluster, whose nodes must have incidex installed and
    see the shard and output paths. A Ray session already started in this process is used
    as it is. At most `workers` tasks run at a time (default: the cluster's cores).
    """
    ray = import_ray()
    started = not ray.is_initialized()
    if started:
        try:
            ray.init(
                address=address,
                num_cpus=None if address else workers,
                include_dashboard=False,
                logging_level=logging.ERROR,  # not its notes on starting up, to the user
            )
        except (ConnectionError, RuntimeError, ValueError) as error:
            where = f"the Ray cluster at {address}" if address else "Ray on this machine"
            raise EngineError(f"cannot start {where}: {error}") from error
    try:
        yield from _run_tasks(ray, shards, workers)
    finally:
        if started:
            ray.shutdown()


def _run_tasks(
    ray: Any, shards: list[Shard], workers: int | None
) -> Iterator[ShardResult | Counts]:
    """Submit the tasks as slots free up, and yield results and counts as they come."""
    counters = ray.remote(num_cpus=0)(_Counters).remote()
    task = ray.remote(num_cpus=1)(process_shard)
    slots = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    waiting = iter(shards)
    running: dict[Any, Shard] = {}
    while True:
        while len(running) < slots and (shard := next(waiting, None)) is not None:
            running[task.remote(shard.path, shard.output, counters)] = shard
        if not running:
            break
        done, _ = ray.wait(list(running), num_returns=1, timeout=POLL_SECONDS)
        for ref in done:
            shard = running.pop(ref)
            try:
                yield ray.get(ref)
            except ray.exceptions.RayError as error:
                cause = getattr(error, "cause", None) or error  # a task's own exception
                why = f"{type(cause).__name__}: {cause}"
                yield ShardResult(
                    str(shard.path),
                    errors=1,
                    messages=(f"{shard.path}: failed ({why}); no results written, rerun to retry",),
                    written=False,
                )
        yield ray.get(counters.totals.remote())
