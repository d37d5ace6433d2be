"""The incident database: articles, their incidents and statistics in one SQLite file.

Analysts query it with plain SQL (tables are described in `schema.sql`); the pipeline
writes to it through `Store.add`, one transaction per article, so an interrupted run
never leaves half an article behind and re-running it changes nothing.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from incidex import dedupe
from incidex.records import INCIDENT_FIELDS, Article, Extraction, Incident, Statistic
from incidex.store import events, migrations, pg_migrations
from incidex.store.backend import (
    DB_ERRORS,
    Connection,
    PgConnection,
    begin_write,
    connect_postgres,
    connect_sqlite,
    display,
    is_url,
)
from incidex.store.filters import IncidentFilter, order_and_limit, where_clause

#: Version written to `meta.schema_version`. An older database is upgraded when opened
#: (`incidex.store.migrations`); a newer one is refused.
SCHEMA_VERSION = "3"
#: Environment variable naming the database file, overriding the per-user default.
DB_ENV_VAR = "INCIDEX_DB"

_EVIDENCE_BATCH = 500  # incident ids per evidence query, far below SQLite's variable limit

#: Incident columns in codebook order; evidence lives in its own table.
_INCIDENT_COLUMNS = tuple(f for f in INCIDENT_FIELDS if f != "evidence")
_ROW_SELECT = ", ".join(
    ["i.id", "a.doc", "a.source", "a.url", "a.title", "a.published"]
    + [f"i.{column}" for column in _INCIDENT_COLUMNS]
    + ["i.event_id AS event"]
)
_INSERT_INCIDENT = "INSERT INTO incidents ({}) VALUES ({}) RETURNING id".format(
    ", ".join(("article_id", "seq", *_INCIDENT_COLUMNS)),
    ", ".join("?" * (len(_INCIDENT_COLUMNS) + 2)),
)


class StoreError(Exception):
    """A database that cannot be opened, or an article that cannot be stored."""


@dataclass(frozen=True)
class AddResult:
    """What storing one article did: status new, known (same text) or duplicate (a copy)."""

    status: str
    article_id: int | None = None
    duplicate_of: int | None = None
    new_events: tuple[int, ...] = ()
    updated_events: tuple[int, ...] = ()
    alerts: tuple[int, ...] = ()  # alerts raised, recorded with the article; delivered after


def default_db_path() -> Path | str:
    """Where the database lives unless told otherwise: $INCIDEX_DB, else the user data dir.

    $INCIDEX_DB is a file path or a PostgreSQL URL.
    """
    override = os.environ.get(DB_ENV_VAR)
    if override:
        return override if is_url(override) else Path(override).expanduser()
    return Path(platformdirs.user_data_dir("incidex")) / "incidex.db"


def _schema_sql() -> str:
    """The schema shipped as package data, so analysts and PostgreSQL read the same file."""
    return files("incidex.store").joinpath("schema.sql").read_text(encoding="utf-8")


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Upgrade an older SQLite file, then create missing tables in one transaction.

    A database of a newer or unknown version is refused.
    """
    try:
        migrations.upgrade(conn, path, int(SCHEMA_VERSION))
    except migrations.MigrationError as exc:
        raise StoreError(str(exc)) from exc
    if not _has_schema(conn):  # else no write lock: a reader never waits for a writer
        conn.executescript(f"BEGIN IMMEDIATE;\n{_schema_sql()}\nCOMMIT;")
    _check_version(conn, str(path))


def _ensure_pg_schema(conn: PgConnection, url: str) -> None:
    """Create or upgrade a PostgreSQL database with Alembic (see `pg_migrations`)."""
    try:
        pg_migrations.upgrade(conn, url, display(url))
    except migrations.MigrationError as exc:
        raise StoreError(str(exc)) from exc
    _check_version(conn, display(url))


def _check_version(conn: Connection, where: str) -> None:
    """Refuse a database whose recorded schema version is not this incidex's."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or row["value"] != SCHEMA_VERSION:
        found = None if row is None else row["value"]
        raise StoreError(f"{where} has schema version {found}, this incidex needs {SCHEMA_VERSION}")


_SCHEMA_OBJECT = re.compile(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)")


def _has_schema(conn: sqlite3.Connection) -> bool:
    """True when every table and index of `schema.sql` exists, read without a write lock.

    Opening a database to read it must not take the write lock (as the schema script's
    BEGIN IMMEDIATE does): in WAL mode readers need not wait for a writer, and one that
    held its transaction past the busy timeout would fail them with "database is locked".
    """
    wanted = set(_SCHEMA_OBJECT.findall(_schema_sql()))
    found = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    return wanted <= found


_FIGURE_KEY = ("date", "killed", "wounded", "kidnapped")


def _figures_of(extraction: Extraction) -> list[tuple[Any, ...]]:
    """What an extraction reports, comparable with `Store._figures`."""
    return [tuple(getattr(i, key) for key in _FIGURE_KEY) for i in extraction.incidents]


def _now() -> str:
    """Current UTC time as an ISO timestamp, for `articles.ingested_at`."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """One incident database; open with `Store.open(target)`, use as a context manager."""

    def __init__(self, conn: Connection, path: Path | str) -> None:
        self._conn = conn
        self.path = path  # the SQLite file, or the PostgreSQL URL
        self.location = display(path)  # as messages name it: a URL without its password

    @classmethod
    def open(cls, target: Path | str) -> Store:
        """Open a SQLite file (created with its directories if new) or a PostgreSQL URL.

        Either way the schema is created if missing and upgraded if older.
        """
        path: Path | str = target if is_url(target) else Path(target).expanduser()
        where = display(path)
        conn: Connection | None = None
        try:
            if isinstance(path, Path):
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = connect_sqlite(path)
                _ensure_schema(conn, path)
            else:
                conn = connect_postgres(path)
                _ensure_pg_schema(conn, path)
        except (OSError, *DB_ERRORS) as exc:
            if conn is not None:
                conn.close()
            raise StoreError(f"cannot open database {where}: {exc}") from exc
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def conn(self) -> Connection:
        """The connection, for the store's own modules (events, alerts, aggregates)."""
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (even KeyboardInterrupt).

        The write lock is taken up front (`backend.begin_write`), so the duplicate check
        and the inserts that follow it cannot interleave with another writer.
        """
        begin_write(self._conn)
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def add(
        self,
        article: Article,
        extraction: Extraction,
        content_hash: str,
        signature: Sequence[int] | None = None,
    ) -> AddResult:
        """Store an article with its incidents, statistics and event links, all or nothing.

        Args:
            article: the article as read (origin, metadata fallbacks).
            extraction: what was extracted from it; its metadata wins over the article's.
            content_hash: sha256 hex of the cleaned text, the article's identity.
            signature: MinHash signature of the cleaned text; with it, a near-verbatim copy
                of a stored article is kept as a source of that article's events only.

        Returns:
            What happened; status "known" (nothing changed) when the hash is already stored.

        Raises:
            StoreError: a record breaks a constraint or the database refused the write;
                nothing of the article is kept.
        """
        try:
            with self.transaction():
                return self._add(article, extraction, content_hash, signature)
        except DB_ERRORS as exc:
            doc = extraction.doc or article.id
            raise StoreError(f"cannot store article {doc!r}: {exc}") from exc

    def _add(
        self,
        article: Article,
        extraction: Extraction,
        content_hash: str,
        signature: Sequence[int] | None,
    ) -> AddResult:
        """The body of `add`, inside its transaction."""
        from incidex.alerts import record_alerts  # here: incidex.alerts imports the store

        if self._has_hash(content_hash):
            return AddResult("known")
        now = _now()
        # an updated copy ("killing six", not four) is a new report, not a duplicate
        original = self._near_duplicate(signature, _figures_of(extraction)) if signature else None
        article_id = self._insert_article(article, extraction, content_hash, signature, original)
        if original is not None:
            updated = events.refresh_for_article(self._conn, original, now)
            raised = record_alerts(self._conn, [], updated)
            return AddResult(
                "duplicate",
                article_id,
                original,
                updated_events=tuple(updated),
                alerts=tuple(raised),
            )
        new, updated = [], []
        for seq, incident in enumerate(extraction.incidents):
            incident_id = self._insert_incident(article_id, seq, incident)
            event_id, created = events.assign(self._conn, article_id, incident_id, incident, now)
            (new if created else updated).append(event_id)
        for statistic in extraction.statistics:
            self._insert_statistic(article_id, statistic)
        updated = [e for e in updated if e not in new]
        raised = record_alerts(self._conn, new, updated)
        return AddResult("new", article_id, None, tuple(new), tuple(updated), tuple(raised))

    def _figures(self, article_id: int) -> list[tuple[Any, ...]]:
        """What a stored article reports, as comparable tuples (date and figures)."""
        rows = self._conn.execute(
            f"SELECT {', '.join(_FIGURE_KEY)} FROM incidents WHERE article_id = ? ORDER BY seq",
            (article_id,),
        )
        return [tuple(row) for row in rows]

    def _near_duplicate(
        self, signature: Sequence[int], figures: list[tuple[Any, ...]]
    ) -> int | None:
        """The stored original this signature nearly copies with the same figures, if any.

        Candidates come from the LSH bands; a repost of an updated copy is a copy of the
        update, not of the first version it also resembles.
        """
        keys = dedupe.band_keys(signature)
        marks = ", ".join("?" * len(keys))
        rows = self._conn.execute(
            "SELECT DISTINCT a.id, a.minhash, a.duplicate_of FROM article_bands b"
            f" JOIN articles a ON a.id = b.article_id WHERE b.band IN ({marks}) ORDER BY a.id",
            keys,
        )
        for row in rows:
            if row["minhash"] and dedupe.is_near_duplicate(
                signature, dedupe.deserialize(row["minhash"])
            ):
                original = int(row["duplicate_of"] or row["id"])
                if self._figures(original) == figures:
                    return original
        return None

    def _has_hash(self, content_hash: str) -> bool:
        """True when an article with this content hash is already stored."""
        sql = "SELECT 1 FROM articles WHERE content_hash = ?"
        return self._conn.execute(sql, (content_hash,)).fetchone() is not None

    def _insert_article(
        self,
        article: Article,
        extraction: Extraction,
        content_hash: str,
        signature: Sequence[int] | None,
        duplicate_of: int | None,
    ) -> int:
        """Insert the article row (and its signature's bands) and return its id."""
        (article_id,) = self._conn.execute(
            "INSERT INTO articles (doc, content_hash, url, title, source, published,"
            " origin, text, ingested_at, minhash, duplicate_of)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                extraction.doc or article.id,
                content_hash,
                extraction.url or article.url,
                extraction.title or article.title,
                extraction.source or article.source,
                extraction.published or article.published,
                article.origin or None,
                extraction.text or article.text,
                _now(),
                dedupe.serialize(signature) if signature else None,
                duplicate_of,
            ),
        ).fetchone()
        if signature:
            self._conn.executemany(
                "INSERT INTO article_bands (band, article_id) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                [(key, article_id) for key in dedupe.band_keys(signature)],
            )
        return int(article_id)

    def _insert_incident(self, article_id: int, seq: int, incident: Incident) -> int:
        """Insert one incident and its evidence sentences; return its id."""
        values = [getattr(incident, column) for column in _INCIDENT_COLUMNS]
        (incident_id,) = self._conn.execute(_INSERT_INCIDENT, (article_id, seq, *values)).fetchone()
        self._conn.executemany(
            "INSERT INTO evidence (incident_id, seq, sentence) VALUES (?, ?, ?)",
            [(incident_id, n, sentence) for n, sentence in enumerate(incident.evidence)],
        )
        return int(incident_id)

    def _insert_statistic(self, article_id: int, statistic: Statistic) -> None:
        """Insert one aggregate figure (codebook section 5)."""
        self._conn.execute(
            "INSERT INTO statistics (article_id, claim, count, what, where_, date_from,"
            " date_to, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                statistic.claim,
                statistic.count,
                statistic.what,
                statistic.where,
                statistic.from_,
                statistic.to,
                statistic.source,
            ),
        )

    def query_incidents(self, filters: IncidentFilter | None = None) -> list[dict[str, Any]]:
        """Incidents matching `filters`, oldest first (undated last), with article metadata.

        Each row holds `id`, `doc`, `source`, `url`, `title`, `published`, every codebook
        field, `event`, and `evidence` as a list of sentences.
        """
        flt = filters or IncidentFilter()
        where, params = where_clause(flt)
        sql = (
            f"SELECT {_ROW_SELECT} FROM incidents i JOIN articles a ON a.id = i.article_id"
            f" WHERE {where}" + order_and_limit(flt, params)
        )
        rows = [dict(row) for row in self._conn.execute(sql, params)]
        self._attach_evidence(rows)
        return rows

    def _attach_evidence(self, rows: list[dict[str, Any]]) -> None:
        """Set each row's `evidence` to its sentences in order, in batches of ids."""
        by_id: dict[int, list[str]] = {row["id"]: [] for row in rows}
        ids = list(by_id)
        for start in range(0, len(ids), _EVIDENCE_BATCH):
            batch = ids[start : start + _EVIDENCE_BATCH]
            marks = ", ".join("?" * len(batch))
            sql = (
                "SELECT incident_id, sentence FROM evidence"
                f" WHERE incident_id IN ({marks}) ORDER BY incident_id, seq"
            )
            for incident_id, sentence in self._conn.execute(sql, batch):
                by_id[incident_id].append(sentence)
        for row in rows:
            row["evidence"] = by_id[row["id"]]

    def query_events(self, filters: IncidentFilter | None = None) -> list[dict[str, Any]]:
        """Events matching `filters`, oldest first, with their source count and figure spreads."""
        return events.query(self._conn, filters or IncidentFilter())

    def get_event(self, event_id: int) -> dict[str, Any] | None:
        """One event with its reports, copies and disagreements; None when there is none."""
        return events.get(self._conn, event_id)

    def seen_items(self, feed: str) -> set[str]:
        """Items of a feed already read by `incidex watch`."""
        rows = self._conn.execute("SELECT item FROM feed_items WHERE feed = ?", (feed,))
        return {row[0] for row in rows}

    def mark_seen(self, feed: str, items: Iterable[str]) -> None:
        """Remember feed items as read, so a restart does not fetch them again."""
        with self.transaction():
            self._conn.executemany(
                "INSERT INTO feed_items (feed, item, seen_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(feed, item, _now()) for item in items],
            )

    def stats(self) -> dict[str, Any]:
        """Counts for a summary: articles, incidents, statistics, incidents per country.

        `by_country` maps country code (None when unknown) to incidents, largest first;
        `first_date` / `last_date` bound the incident dates (None when there are none).
        """
        counts = {
            table: self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "incidents", "statistics", "events")
        }
        by_country = self._conn.execute(
            "SELECT country, count(*) AS n FROM incidents GROUP BY country ORDER BY n DESC, country"
        )
        first, last = self._conn.execute("SELECT min(date), max(date) FROM incidents").fetchone()
        return {
            **counts,
            "by_country": {row["country"]: row["n"] for row in by_country},
            "first_date": first,
            "last_date": last,
        }

    def get_article_by_hash(self, content_hash: str) -> dict[str, Any] | None:
        """The stored article with this content hash (all columns), or None."""
        row = self._conn.execute(
            "SELECT * FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return None if row is None else dict(row)
