"""Crash safety: `incidex ingest` killed with SIGKILL at random moments never corrupts the file.

Each round kills a real `python -m incidex ingest` process six times on one file: five
timed kills, each in a random phase of the run (start-up and schema creation, writing
articles, closing) after a random delay within it, and one transaction kill, the moment a
probe finds the ingest holding the write lock for the k-th time (random k), that is
between its BEGIN IMMEDIATE and the end of its COMMIT. After every kill the file must be
consistent (`checks.consistency_problems`). A file that a late kill left complete must
equal a clean single run, and the next kill starts on a fresh file; after the last kill
a complete run must give exactly what a clean single run gives.

The seed is fixed; set INCIDEX_CRASH_SEED to try others. Every failure names the seed,
round, kill and delay to replay it.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from tests.reliability.checks import consistency_problems, summary
from tests.reliability.corpus import Corpus, incidex, spawn, watch_wal

SEED = int(os.environ.get("INCIDEX_CRASH_SEED", "6021"))
ROUNDS = 5
TIMED_KILLS = 5  # per round: 25 in all
TRANSACTION_KILLS = 1  # per round, while the ingest holds the write lock: 5 in all
PROBE_PAUSE = 0.0002  # seconds between two probes of the write lock
PHASES = ("start-up", "writing", "closing")  # of a run; a timed kill picks one at random


def _stored_articles(db: Path) -> int | None:
    """Articles in the file; None before the schema exists."""
    if not db.exists():
        return None
    with closing(sqlite3.connect(db)) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        except sqlite3.OperationalError:  # no such table: killed before the schema was made
            return None


def _kill_at(corpus: Corpus, db: Path, kind: str, nth: int, delay: float) -> tuple[int, int | None]:
    """Start an ingest, SIGKILL it `delay` s after its `nth` commit (or transaction) began.

    Returns its exit status and, for a transaction kill, the articles committed when it
    was killed. The killed process never prints a traceback.
    """
    process = spawn("ingest", corpus.folder, "--db", db)
    committed = None
    if kind == "transaction":
        committed = _wait_for_transaction(process, db, nth)
    elif nth:
        watch_wal(process, db, until=nth)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:  # still running, as intended
        process.kill()
    _, stderr = process.communicate()
    assert "Traceback" not in stderr, stderr
    return process.returncode, committed


def _wait_for_first_article(process: subprocess.Popen[str], db: Path) -> None:
    """Return once the process has committed an article (or has ended)."""
    while process.poll() is None:
        try:
            with closing(sqlite3.connect(db, timeout=0)) as reader:
                if reader.execute("SELECT count(*) FROM articles").fetchone()[0]:
                    return
        except sqlite3.OperationalError:  # no file, no table or locked yet
            pass
        time.sleep(PROBE_PAUSE)


def _wait_for_transaction(process: subprocess.Popen[str], db: Path, nth: int) -> int | None:
    """Return while the process is inside its `nth` write transaction (or once it ended).

    A probe tries to take the write lock without waiting: refused, the ingest holds it,
    between its BEGIN IMMEDIATE and the end of its COMMIT. Returns the articles committed
    at that moment (the transaction's own are not visible yet), None if it never came.
    """
    while process.poll() is None and not db.exists():  # connecting would create the file
        time.sleep(PROBE_PAUSE)
    with closing(sqlite3.connect(db, timeout=0, isolation_level=None)) as probe:
        seen, held = 0, False
        while process.poll() is None:
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                held = False
            except sqlite3.OperationalError:  # database is locked: a transaction is open
                seen += not held
                held = True
                if seen == nth:
                    return _committed(probe)
            time.sleep(PROBE_PAUSE)
    return None


def _committed(conn: sqlite3.Connection) -> int | None:
    """Articles committed, as a reader sees them now; None before the schema exists."""
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # no such table yet
        return None


def _random_kill(
    rng: random.Random, kind: str, corpus: Corpus, db: Path
) -> tuple[str, int, int | None]:
    """SIGKILL an ingest at a random moment of the given kind.

    Returns what was done and what `_kill_at` returns.

    Moments are anchored on the run's own commits (seen as WAL growth), so a loaded
    machine that slows the run down does not push every kill into start-up; the delays
    come from the timeline of the clean run.
    """
    stored = _stored_articles(db)
    left = corpus.total - (stored or 0)  # articles this run will store
    commits = left + (stored is None)  # and the schema on a new file: all this run makes
    writing = left / corpus.total * (corpus.last_write - corpus.first_write)
    nth, delay = {
        "start-up": lambda: (0, rng.uniform(0, corpus.first_write)),
        "writing": lambda: (1, rng.uniform(0, writing)),
        "closing": lambda: (commits, rng.uniform(0, corpus.seconds - corpus.last_write)),
        # one transaction an article read, stored or not (a copy already stored: a lookup)
        "transaction": lambda: (rng.randint(1, len(corpus.expected) + 1), 0.0),
    }[kind]()
    what = f"{kind} kill {delay:.3f} s after {kind if nth else 'start'} {nth}"
    return what, *_kill_at(corpus, db, kind, nth, delay)


def _outcome(returncode: int, before: int | None, after: int | None, total: int) -> str:
    """What the kill interrupted, judged from the file before and after."""
    if returncode == 0:
        return "run had finished"
    if after is None:
        return "before the schema"
    if after == (before or 0):
        return "nothing new stored"
    return "mid-batch" if after < total else "after the last article"


def _complete(corpus: Corpus, db: Path, where: str) -> None:
    """Finish the ingest into `db`; it must then hold exactly what a clean single run gives."""
    done = incidex("ingest", corpus.folder, "--db", db)
    assert done.returncode == 0, f"{where}: {done.stderr}"
    assert consistency_problems(db, corpus.expected) == [], where
    assert summary(db, corpus.canonical) == corpus.clean, where


@pytest.mark.slow  # 12-29 s a round on two cores
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_ingest_killed_at_random_moments_leaves_consistent_database(corpus, tmp_path, round_):
    """Six SIGKILLs, a consistent file after each; then a full run equals a clean one."""
    rng = random.Random(SEED * 1000 + round_)
    kinds = [rng.choice(PHASES) for _ in range(TIMED_KILLS)] + ["transaction"] * TRANSACTION_KILLS
    rng.shuffle(kinds)
    files = iter(tmp_path / f"killed-{n}.db" for n in range(len(kinds) + 1))
    db = next(files)
    outcomes = Counter[str]()
    for number, kind in enumerate(kinds):
        where = f"seed {SEED}, round {round_}, kill {number}"
        if _stored_articles(db) == corpus.total:
            _complete(corpus, db, where)  # nothing left to interrupt: check it, start afresh
            db = next(files)
        before = _stored_articles(db)
        what, returncode, committed = _random_kill(rng, kind, corpus, db)
        after = _stored_articles(db)
        outcomes[f"{kind}: {_outcome(returncode, before, after, corpus.total)}"] += 1
        if kind == "transaction" and returncode != 0:
            kept = "its commit had completed" if after != committed else "nothing of it kept"
            outcomes[f"transaction: {kept}"] += 1
        if after is not None:
            assert consistency_problems(db, corpus.expected) == [], f"{where} ({what})"
    print(f"round {round_}, {db.stem}: {dict(sorted(outcomes.items()))}")
    _complete(corpus, db, f"seed {SEED}, round {round_}, final run")


def test_ingest_interrupted_with_ctrl_c_stops_cleanly(corpus, tmp_path):
    """SIGINT inside a write transaction: rolled back, exit 130, no traceback, nothing half."""
    db = tmp_path / "interrupted.db"
    process = spawn("ingest", corpus.folder, "--db", db)
    _wait_for_first_article(process, db)  # past opening (and creating) the database
    _wait_for_transaction(process, db, 1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert consistency_problems(db, corpus.expected) == []
    _complete(corpus, db, "after SIGINT mid-batch")
