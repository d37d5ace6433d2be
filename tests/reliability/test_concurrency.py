"""Concurrency: readers during an ingest, and two ingests into one SQLite file at once.

Readers (the library in a thread, plain SQL in a thread, `incidex events` and `incidex
incidents --format json` as processes) poll the database while real `python -m incidex
ingest` processes write it: every answer must parse, counts never go down, no event is
listed without its reports, and no "database is locked" reaches a reader. Two ingest
processes given overlapping inputs must both finish, and leave what a single process
leaves: no article, incident or event twice.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from incidex.store import Store
from tests.reliability.checks import Expected, consistency_problems, summary
from tests.reliability.corpus import Corpus, incidex, spawn

SHARE = 0.7  # in the "overlap" cases each ingester reads 70 % of the docs: 40 % in common
WRITER_RUNS = 3  # ingest processes, one after the other, that write while readers read
READ_PAUSE = 0.05  # seconds between two reads of the in-process readers: CPU for the writer
READER_DEADLINE = 15.0  # seconds a reader may take while a writer holds the lock (busy: 30)
STAGGER = 0.3  # seconds between the two ingesters' starts, in the staggered cases


class _Reader:
    """Polls the database in a thread until told to stop; keeps its answers and failures."""

    def __init__(self, name: str, read: Callable[[], dict[str, Any]], pause: float = 0) -> None:
        self.name = name
        self.pause = pause
        self._read = read
        self.answers: list[dict[str, Any]] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def _loop(self) -> None:
        """Read until stopped, then once more: the last answer sees the finished database."""
        while True:
            stopping = self.stop.is_set()
            try:
                self.answers.append(self._read())
            except Exception as error:  # any error reaching a reader is a failure
                self.failures.append(f"{self.name}: {type(error).__name__}: {error}")
            if stopping or len(self.failures) > 5:
                break
            time.sleep(self.pause)
        getattr(self._read, "close", lambda: None)()


class _LibraryRead:
    """`Store.query_events` then `Store.query_incidents` on one open store, as the API calls them.

    Incidents are read after events, and are never deleted, so every listed event must be
    among the events of the incidents.
    """

    def __init__(self, db: Path) -> None:
        self._db = db
        self._store: Store | None = None

    def __call__(self) -> dict[str, Any]:
        if self._store is None:
            self._store = Store.open(self._db)  # in the reading thread: SQLite wants that
        events = self._store.query_events()
        incidents = self._store.query_incidents()
        reported = {row["event"] for row in incidents}
        return {
            "events": len(events),
            "incidents": len(incidents),
            "unreported events": [e["id"] for e in events if e["id"] not in reported],
            "incidents without event or evidence": [
                row["id"] for row in incidents if row["event"] is None or not row["evidence"]
            ],
        }

    def close(self) -> None:
        """Close the store, from the thread that opened it."""
        if self._store is not None:
            self._store.close()


def _sql_reader(db: Path, expected: Expected) -> Callable[[], dict[str, Any]]:
    """Every consistency check, in one read transaction, as an analyst's SQL client sees it."""

    def read() -> dict[str, Any]:
        problems = consistency_problems(db, expected)
        return {"problems": problems}

    return read


class _CliRead:
    """`incidex events --format json` and `incidex incidents --format json` in turn, as processes."""

    def __init__(self, db: Path) -> None:
        self._db = db
        self._commands = itertools.cycle(("events", "incidents"))

    def __call__(self) -> dict[str, Any]:
        command = next(self._commands)
        done = incidex(command, "--db", self._db, "--format", "json")
        if done.returncode != 0 or done.stderr.strip():
            raise RuntimeError(f"incidex {command}: exit {done.returncode}: {done.stderr.strip()}")
        rows = json.loads(done.stdout)
        return {"command": command, command: len(rows), "rows": rows}


def _decreasing(answers: list[dict[str, Any]], key: str) -> list[tuple[int, int]]:
    """Consecutive answers whose count of `key` went down."""
    counts = [answer[key] for answer in answers]
    return [(a, b) for a, b in itertools.pairwise(counts) if b < a]


def _ingest_in_parts(corpus: Corpus, db: Path) -> list[tuple[int, str]]:
    """Ingest the corpus in WRITER_RUNS processes one after the other; exit statuses, stderr.

    In name order, as one run would read them, so the result is that of one run; the
    pauses between processes give slow readers (the CLI) states between empty and full.
    """
    docs = sorted(corpus.canonical)
    size = -(-len(docs) // WRITER_RUNS)
    runs = [
        incidex("ingest", *corpus.files(docs[i : i + size]), "--db", db)
        for i in range(0, len(docs), size)
    ]
    return [(run.returncode, run.stderr) for run in runs]


@pytest.fixture(scope="module")
def busy(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Readers polling one database while ingests write it: their answers and failures."""
    db = tmp_path_factory.mktemp("busy") / "busy.db"
    Store.open(db).close()  # readers start on an empty database, not a missing file
    readers = [
        _Reader("library", _LibraryRead(db), READ_PAUSE),
        _Reader("sql", _sql_reader(db, corpus.expected), READ_PAUSE),
        _Reader("cli", _CliRead(db)),
    ]
    for reader in readers:
        reader.thread.start()
    runs = _ingest_in_parts(corpus, db)
    for reader in readers:
        reader.stop.set()
    for reader in readers:
        reader.thread.join(timeout=60)
    cli = readers[2].answers
    print(
        {r.name: len(r.answers) for r in readers},
        "CLI counts seen:",
        [a[a["command"]] for a in cli],
    )
    return {
        "runs": runs,
        "db": db,
        "failures": [f for r in readers for f in r.failures],
        "library": readers[0].answers,
        "sql": readers[1].answers,
        "events": [a for a in cli if a["command"] == "events"],
        "incidents": [a for a in cli if a["command"] == "incidents"],
    }


@pytest.mark.slow  # the `busy` scenario: ~25 s on two cores
def test_ingest_with_readers_stores_what_a_quiet_one_does(busy, corpus: Corpus):
    assert busy["runs"] == [(0, "")] * WRITER_RUNS
    assert summary(busy["db"], corpus.canonical) == corpus.clean


@pytest.mark.slow  # the `busy` scenario: ~25 s on two cores
def test_readers_never_get_an_error_while_ingest_writes(busy):
    """Not "database is locked", not a malformed answer: every read succeeds."""
    assert busy["failures"] == []


@pytest.mark.slow  # the `busy` scenario: ~25 s on two cores
def test_readers_read_while_ingest_writes(busy, corpus: Corpus):
    """The readers saw states between empty and full, and ended on the full one."""
    assert len({a["events"] for a in busy["library"]}) > WRITER_RUNS
    assert len({a["events"] for a in busy["events"]}) >= 2
    assert busy["library"][-1]["events"] == corpus.clean["counts"]["events"]
    assert max(a["events"] for a in busy["events"]) == corpus.clean["counts"]["events"]
    assert max(a["incidents"] for a in busy["incidents"]) == corpus.clean["counts"]["incidents"]


@pytest.mark.slow  # the `busy` scenario: ~25 s on two cores
@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ("library", "events"),
        ("library", "incidents"),
        ("events", "events"),
        ("incidents", "incidents"),
    ],
)
def test_reader_counts_never_go_down(busy, answers, key):
    assert _decreasing(busy[answers], key) == []


@pytest.mark.slow  # the `busy` scenario: ~25 s on two cores
def test_listed_events_always_have_their_reports(busy):
    """No event row without incidents, through the library or `incidex events`."""
    assert [a["unreported events"] for a in busy["library"] if a["unreported events"]] == []
    assert [a for a in busy["library"] if a["incidents without event or evidence"]] == []
    with closing(sqlite3.connect(busy["db"])) as conn:
        reported = {row[0] for row in conn.execute("SELECT event_id FROM incidents")}
    listed = [row for answer in busy["events"] for row in answer["rows"]]
    assert [row["id"] for row in listed if row["id"] not in reported or row["sources"] < 1] == []


@pytest.mark.slow  # the `busy` scenario: ~25 s on two cores
def test_every_sql_snapshot_is_consistent(busy):
    """Each read transaction sees whole articles with their incidents, evidence and events."""
    assert len(busy["sql"]) > WRITER_RUNS
    assert [a["problems"] for a in busy["sql"] if a["problems"]] == []


@pytest.mark.slow  # the `busy` scenario: ~25 s on two cores
def test_readers_do_not_wait_for_a_writer_holding_its_lock(busy):
    """A write transaction left open (an import, an analyst's sqlite3 shell) blocks no reader.

    WAL lets readers see the last commit at once; opening the store must not take the
    write lock, or readers wait for the busy timeout (30 s) and then fail as "locked".
    """
    with closing(sqlite3.connect(busy["db"], isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE events SET killed = 1000")  # never committed
        started = time.monotonic()
        with Store.open(busy["db"]) as store:
            library = store.query_events()
        cli = incidex("events", "--db", busy["db"], "--format", "json", timeout=READER_DEADLINE)
        waited = time.monotonic() - started
        writer.execute("ROLLBACK")
    assert cli.returncode == 0, cli.stderr
    assert waited < READER_DEADLINE
    for rows in (library, json.loads(cli.stdout)):
        assert len(rows) == busy["library"][-1]["events"]
        assert all(row["killed"] != 1000 for row in rows)  # the last commit, not the open write


def _inputs(corpus: Corpus, inputs: str, order: str) -> tuple[list[Path], list[Path]]:
    """Both ingesters' files: all of them, or the first and the last SHARE of the docs.

    In the "opposite" order the second ingester reads its files backwards.
    """
    docs = sorted(corpus.canonical)
    first, second = docs, list(docs)
    if inputs == "overlap":
        first, second = docs[: round(SHARE * len(docs))], docs[-round(SHARE * len(docs)) :]
    if order == "opposite":
        second.reverse()
    return corpus.files(first), corpus.files(second)


@pytest.mark.parametrize(
    ("inputs", "order", "start"),
    [
        ("overlap", "same", "together"),
        ("overlap", "opposite", "staggered"),
        ("all", "same", "together"),
        ("all", "opposite", "together"),
    ],
)
def test_two_ingesters_on_one_file_store_everything_once(
    corpus: Corpus, tmp_path, inputs, order, start
):
    """Both finish cleanly; the file holds what one ingest of all the inputs gives."""
    first, second = _inputs(corpus, inputs, order)
    _ingest_both(corpus, tmp_path / "shared.db", first, second, staggered=start == "staggered")


def _ingest_both(
    corpus: Corpus, db: Path | str, first: list[Path], second: list[Path], staggered: bool
) -> None:
    """Two `incidex ingest` at once into `db`: both finish cleanly, and the database holds
    what one ingest of all the inputs gives."""
    processes = [spawn("ingest", *first, "--db", db)]
    if staggered:
        time.sleep(STAGGER)
    processes.append(spawn("ingest", *second, "--db", db))
    outputs = [process.communicate() for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert "Traceback" not in stderr
        assert process.returncode == 0, stderr
        assert "0 errors" in stdout
    assert consistency_problems(db, corpus.expected) == []
    assert summary(db, corpus.canonical) == corpus.clean


@pytest.mark.parametrize("order", ["same", "opposite"])
def test_two_ingesters_on_one_postgresql_database_store_everything_once(
    corpus: Corpus, pg_url: str, order: str
):
    """A team's ingesters writing to one PostgreSQL database at once: each article and each
    event stored once, the database what one ingest of all the inputs gives."""
    first, second = _inputs(corpus, "all", order)
    _ingest_both(corpus, pg_url, first, second, staggered=False)
