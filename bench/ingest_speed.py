"""Ingest rate (articles per second) into SQLite and PostgreSQL, with merging on.

Articles come from the derived corpus (bench/corpus.py). They are cleaned and extracted
first (timed: the extraction rate), then stored through the code path of `incidex
ingest` (`store_processed`: `Store.add`, which detects near-duplicates and assigns
events, then alerts) into an empty database, timing only the store writes. The
end-to-end rate counts both. Extraction results are cached in WORK_DIR, so the
PostgreSQL half can be run later on the same articles.

    python bench/ingest_speed.py [--articles 5000] [--db PATH_OR_URL ...]
"""

from __future__ import annotations

import argparse
import pickle
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from common import WORK_DIR, is_url, machine, table
from corpus import derived_articles

from incidex.cli import store_processed
from incidex.pipeline import Processed, safe_process
from incidex.store import Store

PROGRESS_EVERY = 500  # articles between progress lines


def processed_articles(n: int, seed: int) -> tuple[list[Processed], float]:
    """The corpus's first `n` articles cleaned and extracted, and the seconds that took.

    Cached by size and seed: extraction is the slow part and does not depend on the store.
    """
    cache = WORK_DIR / f"processed-{n}-{seed}.pickle"
    if cache.exists():
        with cache.open("rb") as file:
            items, seconds = pickle.load(file)
        print(f"extraction: {n:,} articles read from {cache} (measured {seconds:.0f} s)")
        return items, seconds
    items: list[Processed] = []
    start = time.perf_counter()
    for number, article in enumerate(derived_articles(n, seed), 1):
        result = safe_process(article)
        if isinstance(result, Processed):
            items.append(result)
        if number % PROGRESS_EVERY == 0:
            print(
                f"  extracted {number:,} articles, {time.perf_counter() - start:.0f} s", flush=True
            )
    seconds = time.perf_counter() - start
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as file:
        pickle.dump((items, seconds), file)
    return items, seconds


def _empty(db: str) -> str:
    """`db` emptied: a SQLite file is removed; a PostgreSQL database loses the store's tables."""
    if not is_url(db):
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
        return db
    with Store.open(db) as store, store.transaction():
        tables = [
            "alert_deliveries", "alerts", "alert_rules", "evidence", "statistics", "incidents",
            "article_bands", "events", "articles", "feed_items",
        ]  # fmt: skip
        store.conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return db


def store_all(db: str, items: list[Processed]) -> tuple[float, Counter[str]]:
    """Store every item into an empty `db` as `incidex ingest` does; seconds and counts."""
    counts = Counter[str]()
    with Store.open(_empty(db)) as store:
        start = time.perf_counter()
        for number, item in enumerate(items, 1):
            store_processed(store, item, counts, print)
            if number % PROGRESS_EVERY == 0:
                elapsed = time.perf_counter() - start
                print(f"  stored {number:,} articles, {number / elapsed:,.0f}/s", flush=True)
        seconds = time.perf_counter() - start
        counts["events"] = store.stats()["events"]
    return seconds, counts


def main(argv: Sequence[str] | None = None) -> None:
    """Extract (or load) the articles once, then time storing them into each database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5_000, help="articles to ingest")
    parser.add_argument("--seed", type=int, default=1, help="seed of the derived corpus")
    parser.add_argument(
        "--db",
        action="append",
        help="SQLite path or postgresql:// URL, repeatable; emptied first"
        f" (default: {WORK_DIR}/ingest.db)",
    )
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    items, extract_seconds = processed_articles(args.articles, args.seed)
    incidents = sum(len(item.extraction.incidents) for item in items)
    print(
        f"extraction: {len(items):,} articles, {incidents:,} incidents in {extract_seconds:.0f} s,"
        f" {len(items) / extract_seconds:.1f} articles/s"
    )
    rows = []
    for db in args.db or [str(WORK_DIR / "ingest.db")]:
        kind = "PostgreSQL" if is_url(db) else "SQLite"
        print(f"storing into {kind} ({db if kind == 'SQLite' else 'URL'})", flush=True)
        seconds, counts = store_all(db, items)
        rows.append(
            (kind, len(items), counts["new"], counts["duplicate"], counts["new_events"],
             counts["updated_events"], counts["events"], f"{seconds:.1f}",
             f"{len(items) / seconds:,.0f}", f"{len(items) / (seconds + extract_seconds):.1f}",
             counts["errors"])
        )  # fmt: skip
    print()
    header = (
        "database", "articles", "new", "copies", "new events", "event updates", "events",
        "store s", "store articles/s", "end-to-end articles/s", "errors",
    )  # fmt: skip
    print(table(header, rows))


if __name__ == "__main__":
    main()
