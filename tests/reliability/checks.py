"""What a consistent database is, checked with plain SQL (SQLite or PostgreSQL); a summary to compare runs."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from contextlib import closing
from pathlib import Path
from typing import Any

from incidex.store.backend import Connection, connect_postgres, is_url

Expected = dict[str, dict[str, list[tuple[Any, ...]]]]  # doc -> incidents, statistics


def _connect(db: Path | str) -> Connection:
    """A plain connection to a SQLite file or a PostgreSQL URL, outside the store's code."""
    return connect_postgres(db) if is_url(db) else sqlite3.connect(db)


def comparable(record: dict[str, Any]) -> tuple[Any, ...]:
    """An incident's or statistic's codebook fields (evidence included, not the event label)."""
    return tuple(
        (key, tuple(value) if isinstance(value, list) else value)
        for key, value in sorted(record.items())
        if key != "event"
    )


def _stored_statistics(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """The stored statistics of each article, in the codebook's form."""
    stored: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    rows = conn.execute(
        "SELECT a.doc, s.claim, s.count, s.what, s.where_, s.date_from, s.date_to, s.source"
        " FROM statistics s JOIN articles a ON a.id = s.article_id ORDER BY a.id, s.id"
    )
    keys = ("claim", "count", "what", "where", "from", "to", "source")
    for doc, *values in rows:
        stored[doc].append(comparable(dict(zip(keys, values, strict=True))))
    return stored


def _stored_incidents(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """The stored incidents of each article, in the codebook's form."""
    fields = [column[0] for column in conn.execute("SELECT * FROM incidents LIMIT 0").description]
    codebook = [f for f in fields if f not in {"id", "article_id", "seq", "event_id"}]
    stored: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    rows = conn.execute(
        f"SELECT a.doc, i.id, {', '.join('i.' + f for f in codebook)} FROM incidents i"
        " JOIN articles a ON a.id = i.article_id ORDER BY a.id, i.seq"
    )
    for row in rows:
        evidence = [
            s
            for (s,) in conn.execute(
                "SELECT sentence FROM evidence WHERE incident_id = ? ORDER BY seq", (row[1],)
            )
        ]
        incident = dict(zip(codebook, row[2:], strict=True), evidence=evidence)
        stored[row[0]].append(comparable(incident))
    return stored


def consistency_problems(db: Path | str, expected: Expected) -> list[str]:
    """Everything wrong with the database at `db`; empty when it is consistent.

    Consistent: SQLite's integrity and foreign-key checks pass; no text and no doc stored
    twice; an article is a copy (no incidents of its own, its original stored) or has
    exactly the incidents and statistics `incidex extract` finds in it, each incident with
    its evidence and an event; every event has incidents, its `sources` counts the articles reporting it and
    their copies, and its figure spread is that of its reports.
    """
    with closing(_connect(db)) as conn:
        problems = []
        if isinstance(conn, sqlite3.Connection):  # PostgreSQL enforces both on every write
            conn.execute("BEGIN")  # one snapshot for every query
            integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                problems.append(f"integrity_check: {integrity}")
            foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
            if foreign:
                problems.append(f"foreign_key_check: {foreign}")
        else:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        problems += _article_problems(conn, expected)
        problems += _event_problems(conn)
        conn.execute("COMMIT")
    return problems


def _article_problems(conn: sqlite3.Connection, expected: Expected) -> list[str]:
    """Articles stored twice, half stored, or not as extracted."""
    problems = []
    for column in ("content_hash", "doc"):
        twice = conn.execute(
            f"SELECT {column}, count(*) FROM articles GROUP BY {column} HAVING count(*) > 1"
        ).fetchall()
        if twice:
            problems.append(f"articles stored twice (same {column}): {twice}")
    stored = {"incidents": _stored_incidents(conn), "statistics": _stored_statistics(conn)}
    articles = conn.execute("SELECT doc, duplicate_of FROM articles").fetchall()
    for doc, duplicate_of in articles:
        for kind, by_doc in stored.items():
            want = [] if duplicate_of is not None else expected[doc][kind]  # a copy: only a source
            if by_doc.get(doc, []) != want:
                found = len(by_doc.get(doc, []))
                problems.append(
                    f"article {doc}: {found} {kind} stored, not the {len(want)} expected"
                )
    orphans = conn.execute("SELECT count(*) FROM incidents WHERE event_id IS NULL").fetchone()[0]
    if orphans:
        problems.append(f"{orphans} incidents without an event")
    bare = conn.execute(
        "SELECT count(*) FROM incidents i WHERE NOT EXISTS"
        " (SELECT 1 FROM evidence e WHERE e.incident_id = i.id)"
    ).fetchone()[0]
    if bare:
        problems.append(f"{bare} incidents without evidence")
    return problems


def _event_problems(conn: Connection) -> list[str]:
    """Events without incidents, with a wrong source count or a wrong figure spread."""
    problems = []
    empty = conn.execute(
        "SELECT id FROM events e WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.event_id = e.id)"
    ).fetchall()
    if empty:
        problems.append(f"events with no incidents: {[row[0] for row in empty]}")
    wrong = conn.execute(
        "SELECT * FROM (SELECT e.id, e.sources, (SELECT count(*) FROM articles a"
        " WHERE a.id IN (SELECT article_id FROM incidents WHERE event_id = e.id)"
        " OR a.duplicate_of IN (SELECT article_id FROM incidents WHERE event_id = e.id))"
        " AS reporting FROM events e) counted WHERE sources != reporting"
    ).fetchall()
    if wrong:
        problems.append(f"events whose sources are not their articles and copies: {wrong}")
    spread = conn.execute(
        "SELECT e.id FROM events e JOIN incidents i ON i.event_id = e.id GROUP BY e.id"
        " HAVING e.killed_low IS DISTINCT FROM min(i.killed) OR e.killed_high IS DISTINCT FROM max(i.killed)"
        " OR e.wounded_low IS DISTINCT FROM min(i.wounded) OR e.wounded_high IS DISTINCT FROM max(i.wounded)"
    ).fetchall()
    if spread:
        problems.append(f"events whose figure spread is not their reports': {spread}")
    return problems


def summary(db: Path | str, canonical: dict[str, str]) -> dict[str, Any]:
    """Row counts and the events as sets of (canonical) reporting docs, for comparing runs.

    Which of an original and its repost is stored first (and so holds the incidents)
    depends on the order of ingestion; the set of docs reporting an event does not.
    """
    with closing(_connect(db)) as conn:
        tables = ("articles", "incidents", "evidence", "events", "statistics")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        counts["copies"] = conn.execute(
            "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT i.event_id, a.doc FROM incidents i JOIN articles a ON a.id = i.article_id"
            " UNION SELECT i.event_id, c.doc FROM incidents i"
            " JOIN articles c ON c.duplicate_of = i.article_id"
        )
        events: dict[int, set[str]] = defaultdict(set)
        for event_id, doc in rows:
            events[event_id].add(canonical[doc])
    return {"counts": counts, "events": sorted(sorted(docs) for docs in events.values())}
