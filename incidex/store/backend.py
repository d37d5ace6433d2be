"""Where a store lives: a SQLite file, or a PostgreSQL database shared by a team.

The store's SQL is written once, with `?` placeholders and statements both engines take
(`ON CONFLICT DO NOTHING`, `RETURNING id`). `PgConnection` gives psycopg the small part of
the sqlite3 connection interface the store uses (`execute`, `executemany`, rows readable by
position and by name, `in_transaction`), so every query runs unchanged on both; the few
things that differ (write locking, date arithmetic, the catalog) ask `dialect(conn)`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import pq

#: What a database URL starts with; anything else names a SQLite file.
PG_SCHEMES = ("postgresql://", "postgres://")
#: Errors either engine raises for a failed statement or connection.
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
#: Key of the PostgreSQL advisory lock every writer holds for its transaction, so writers
#: take turns as they do on a SQLite file (a duplicate check and the inserts that follow it
#: cannot interleave with another ingester's); readers never wait for it.
WRITE_LOCK = 0x1AC1DE
_BUSY_TIMEOUT = 30.0  # seconds a SQLite connection waits for another process's write lock


def is_url(target: str | Path) -> bool:
    """True when `target` is a PostgreSQL URL rather than a file path."""
    return isinstance(target, str) and target.startswith(PG_SCHEMES)


def display(target: str | Path) -> str:
    """The target as messages name it: a URL without its password."""
    if not is_url(target):
        return str(target)
    parts = urlsplit(str(target))
    if parts.password is None:
        return str(target)
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class Row(tuple):
    """A PostgreSQL result row readable by position and by column name, as sqlite3.Row is."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """Column names, in order (so `dict(row)` works)."""
        return list(self._index)


def _row_factory(cursor: psycopg.Cursor[Any]) -> Callable[[Sequence[Any]], Row]:
    """psycopg row factory building `Row`s."""
    index = {column.name: n for n, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


_QUOTED = re.compile(r"('(?:[^']|'')*')")


@lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (outside string literals), literal `%` doubled."""
    parts = _QUOTED.split(sql.replace("%", "%%"))
    return "".join(p if n % 2 else p.replace("?", "%s") for n, p in enumerate(parts))


class PgConnection:
    """A psycopg connection in autocommit mode that runs the store's SQLite-style SQL.

    Autocommit mirrors sqlite3's `isolation_level=None`: the store issues BEGIN itself.
    `release` (a pool's return) replaces closing, for connections borrowed per request.
    """

    dialect = "postgresql"

    def __init__(
        self, conn: psycopg.Connection[Any], release: Callable[[], None] | None = None
    ) -> None:
        self._conn = conn
        self._release = release

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Row]:
        """Run one statement; the cursor iterates over `Row`s."""
        cursor = self._conn.cursor(row_factory=_row_factory)
        if params:
            cursor.execute(_pg_sql(sql), tuple(params))
        else:
            cursor.execute(sql)
        return cursor

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> psycopg.Cursor[Row]:
        """Run one statement per parameter row."""
        cursor = self._conn.cursor(row_factory=_row_factory)
        cursor.executemany(_pg_sql(sql), [tuple(row) for row in rows])
        return cursor

    @property
    def in_transaction(self) -> bool:
        """True inside BEGIN ... COMMIT (or a failed transaction awaiting ROLLBACK)."""
        return self._conn.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        """Close the connection, or give it back to its pool."""
        if self.in_transaction:
            self._conn.execute("ROLLBACK")
        if self._release is not None:
            self._release()
        else:
            self._conn.close()


Connection = sqlite3.Connection | PgConnection


def dialect(conn: Connection) -> str:
    """'sqlite' or 'postgresql'."""
    return "postgresql" if isinstance(conn, PgConnection) else "sqlite"


def connect_sqlite(path: Path) -> sqlite3.Connection:
    """Open `path` with foreign keys enforced and a WAL journal (readers never block writers).

    `isolation_level=None` leaves transactions to us: `Store.add` issues BEGIN itself.
    """
    conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


#: How incidex's PostgreSQL connections are opened. No server-side prepared statements:
#: a prepared listing is planned once for any LIMIT and any filter values, and that generic
#: plan sorts a million events where the plan for the values at hand reads a hundred.
_PG_OPTIONS: dict[str, Any] = {"autocommit": True, "connect_timeout": 15, "prepare_threshold": None}


def connect_postgres(url: str) -> PgConnection:
    """Open a PostgreSQL database (a libpq URL, e.g. postgresql://user:pw@host/db)."""
    return PgConnection(psycopg.connect(url, **_PG_OPTIONS))


def begin_write(conn: Connection) -> None:
    """Start a transaction holding the database's one write lock.

    SQLite's BEGIN IMMEDIATE takes the file's write lock; on PostgreSQL an advisory lock
    held until COMMIT plays that part, so concurrent ingesters never both create the
    event a report belongs to.
    """
    if isinstance(conn, PgConnection):
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
    else:
        conn.execute("BEGIN IMMEDIATE")


def schema_for(sql: str, dialect_name: str) -> list[str]:
    """A schema script as single statements for `dialect_name`, comments removed.

    The scripts are SQLite's; PostgreSQL spells auto-numbered keys and byte strings its own
    way, and compares text by its bytes only when told (`COLLATE "C"`), as SQLite does: dates
    stored as text and every listing then sort the same on both.
    """
    text = re.sub(r"--[^\n]*", "", sql)
    if dialect_name == "postgresql":
        text = (
            text.replace(
                "INTEGER PRIMARY KEY", "INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
            )
            .replace(" BLOB", " BYTEA")
            .replace(" TEXT", ' TEXT COLLATE "C"')
        )
    return [statement.strip() for statement in text.split(";") if statement.strip()]


class PgPool:
    """Connections to one PostgreSQL database kept open between web requests.

    A read-only pool's sessions refuse writes (as the server's read-only SQLite connections
    do), so a request that only reads can never change the database.
    """

    def __init__(self, url: str, *, read_only: bool, size: int = 8) -> None:
        from psycopg_pool import ConnectionPool

        def configure(conn: psycopg.Connection[Any]) -> None:
            if read_only:
                conn.execute("SET default_transaction_read_only = on")

        self._pool = ConnectionPool(
            url,
            kwargs=_PG_OPTIONS,
            min_size=1,
            max_size=size,
            configure=configure,
            open=True,
            name="incidex-read" if read_only else "incidex-write",
        )

    def connection(self) -> PgConnection:
        """A connection from the pool; closing it gives it back."""
        conn = self._pool.getconn()
        return PgConnection(conn, release=lambda: self._pool.putconn(conn))

    def close(self) -> None:
        """Close every connection of the pool."""
        self._pool.close()
