"""The `incidex distribute` command: a large corpus through the pipeline on Ray, resumable."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from incidex.cli_common import err, out
from incidex.cli_progress import RunProgress, run_progress

if TYPE_CHECKING:
    from incidex.distributed import Counts, ShardResult


def distribute(
    shards: Annotated[
        list[str],
        typer.Argument(
            help="JSON-lines, WARC or Parquet files of articles, or folders of them.",
            metavar="SHARD",
        ),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the results, one Parquet file a shard.")
    ],
    address: Annotated[
        str | None,
        typer.Option(
            envvar="RAY_ADDRESS",
            help="Ray cluster to run on, e.g. ray://head:10001 [default: start Ray here].",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Shards processed at a time [default: one per core]."),
    ] = None,
) -> None:
    """Extract incidents from a corpus too large for one machine, on Ray, a shard per task.

    Every shard gets one results file in --out (Parquet: its articles with their cleaned
    text, content hash, MinHash signature, incidents and statistics, and its input errors).
    A results file appears only once complete, so running the same command again skips the
    shards that are done: an interrupted run resumes. Load the results with `incidex ingest
    DIR`, which stores them without extracting again and merges events as usual.

    Needs the Ray extra: pip install 'incidex[ray]'.

    Example: incidex distribute crawl/ --out results/ && incidex ingest results/
    """
    from incidex import distributed  # here: pyarrow and Ray load slowly

    try:
        listed = distributed.list_shards(shards, out_dir)
        distributed.import_ray()
    except (distributed.ShardListError, distributed.EngineError) as error:
        err.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from error
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = [shard for shard in listed if not shard.output.exists()]
    out.print(
        f"{len(listed)} shards: {len(listed) - len(todo)} done already, {len(todo)} to go.",
        highlight=False,
        markup=False,
    )
    if not todo:
        return
    with run_progress("shards", total=len(todo)) as progress:
        done, failed = _follow(distributed.distribute(todo, address, workers), progress, len(todo))
    tally = progress.tally
    out.print(
        f"{done} shards done {tally.timing()}: {tally.articles} articles, {tally.incidents} "
        f"incidents, {tally.errors} errors"
        + (f"; {failed} shards failed, run the command again to retry them" if failed else "")
        + f". Load the results with: incidex ingest {out_dir}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    raise typer.Exit(1 if tally.errors else 0)


def _follow(
    updates: Iterator[ShardResult | Counts], progress: RunProgress, total: int
) -> tuple[int, int]:
    """Show the live counts and each finished shard; return shards done and failed.

    At the end the progress tally holds the exact totals of the finished shards.
    """
    from incidex.distributed import Counts, EngineError

    tally, finished = progress.tally, Counter[str]()
    try:
        with closing(updates) as stream:  # closing: Ray shuts down even on Ctrl-C
            for update in stream:
                if isinstance(update, Counts):
                    tally.articles, tally.incidents = update.articles, update.incidents
                    tally.errors = update.errors
                    progress.refresh()
                    continue
                finished.update(
                    articles=update.articles, incidents=update.incidents, errors=update.errors
                )
                finished["done" if update.written else "failed"] += 1
                for message in update.messages:
                    progress.print(f"error: {message}")
                progress.print(
                    f"{update.shard}: {update.articles} articles, {update.incidents} incidents, "
                    f"{update.errors} errors ({finished['done'] + finished['failed']} of {total})"
                )
                progress.refresh(advance=1)
    except EngineError as error:
        err.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from error
    except KeyboardInterrupt:
        err.print(
            f"interrupted after {finished['done']} of {total} shards; run the same command "
            "again to resume",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(130) from None
    tally.articles, tally.incidents = finished["articles"], finished["incidents"]
    tally.errors = finished["errors"]
    return finished["done"], finished["failed"]
