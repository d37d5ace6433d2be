"""Backups: a whole database as JSON lines, and back into an empty database, exactly.

The first line of a dump is its header: `{"format": "incidex-dump", "incidex": "0.1.0",
"schema_version": "3", "tables": {"meta": 1, "articles": 14, ...}}`, the row count of every
table. Each other line is one row, `{"table": "articles", "row": {"id": 1, ...}}`; tables come
in dependency order (a row after the rows it refers to), rows in storage order, BLOBs as
`{"base64": "..."}`. Importing restores every id, so every table comes back identical. It
takes one transaction: a truncated or corrupt dump is named with its line and leaves the
target database as it was, empty. A dump also moves a database between engines: export a
SQLite file, import it into PostgreSQL (or back).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from incidex import __version__
from incidex.store.backend import DB_ERRORS, Connection, begin_write, dialect
from incidex.store.db import SCHEMA_VERSION, Store, StoreError

#: The `format` of a dump's header line, telling an incidex dump from other JSON lines.
FORMAT = "incidex-dump"
_SETTINGS_TABLE = "meta"  # its rows replace the defaults a new database is created with
_ALEMBIC_TABLE = "alembic_version"  # the migration tool's bookkeeping, not incidex data


class BackupError(StoreError):
    """A dump that cannot be imported, or a database that cannot take it."""


def tables(conn: Connection) -> list[str]:
    """The database's tables, each after the tables its foreign keys refer to."""
    if dialect(conn) == "postgresql":
        sql = (
            "SELECT relname FROM pg_class WHERE relkind = 'r'"
            " AND relnamespace = CAST(current_schema() AS regnamespace) ORDER BY oid"
        )
    else:
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    names = [row[0] for row in conn.execute(sql) if row[0] != _ALEMBIC_TABLE]
    parents = {name: _parents(conn, name) for name in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        waiting = [name for name in names if name not in ordered]
        ready = [name for name in waiting if parents[name] <= {*ordered, name}]
        ordered.append((ready or waiting)[0])  # a cycle is fine: foreign keys are deferred
    return ordered


def _parents(conn: Connection, table: str) -> set[str]:
    """Tables that `table`'s foreign keys refer to."""
    if dialect(conn) == "postgresql":
        sql = (
            "SELECT CAST(confrelid AS regclass) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = CAST(? AS regclass)"
        )
        return {str(row[0]) for row in conn.execute(sql, (_quote(table),))}
    return {row[2] for row in conn.execute(f"PRAGMA foreign_key_list({_quote(table)})")}


def _quote(name: str) -> str:
    """An identifier quoted for SQL (names come from the database or are checked against it)."""
    return '"' + name.replace('"', '""') + '"'


def dump(conn: Connection, handle: TextIO) -> dict[str, int]:
    """Write every row of the database to `handle` as JSON lines; rows written per table.

    Reads one consistent snapshot, even while others write.
    """
    with _snapshot(conn):
        order = tables(conn)
        counts = {t: conn.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in order}
        header = {
            "format": FORMAT,
            "incidex": __version__,
            "schema_version": _recorded_version(conn),
            "tables": counts,
        }
        handle.write(json.dumps(header) + "\n")
        for table in order:
            for row in _rows(conn, table):
                handle.write(json.dumps({"table": table, "row": row}, ensure_ascii=False) + "\n")
    return counts


@contextmanager
def _snapshot(conn: Connection) -> Iterator[None]:
    """A read transaction: every query inside sees the database as it was at the first."""
    postgres = dialect(conn) == "postgresql"
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if postgres else "BEGIN")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")


def _recorded_version(conn: Connection) -> str | None:
    """The database's `meta.schema_version`."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if row is None else str(row[0])


def _rows(conn: Connection, table: str) -> Iterator[dict[str, Any]]:
    """The rows of a table in storage order, as JSON-ready dicts."""
    cursor = conn.execute(f"SELECT * FROM {_quote(table)} ORDER BY {_storage_order(conn, table)}")
    names = [column[0] for column in cursor.description]
    for values in cursor:
        yield {name: _encode(value) for name, value in zip(names, values, strict=True)}


def _storage_order(conn: Connection, table: str) -> str:
    """ORDER BY terms listing a table's rows as stored: SQLite's rowid, else the primary key."""
    if dialect(conn) == "sqlite":
        return "rowid"
    sql = (
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
        " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary"
        " ORDER BY array_position(CAST(i.indkey AS smallint[]), a.attnum)"
    )
    return ", ".join(_quote(row[0]) for row in conn.execute(sql, (_quote(table),))) or "1"


def _encode(value: Any) -> Any:
    """A column value as JSON: BLOBs as {"base64": ...}, everything else as it is."""
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def load(
    conn: Connection, lines: Iterable[bytes], source: str, target: str = "the database"
) -> dict[str, int]:
    """Import a dump into an empty database, all or nothing; rows imported per table.

    Args:
        conn: a connection to a database of the current schema, with no rows yet.
        lines: the dump's lines, as bytes (UTF-8).
        source: the dump's name, for messages.
        target: the database's name, for messages.

    Raises:
        BackupError: the database is not empty, the dump is of another schema version, or
            a line is corrupt, or rows are missing (truncated); nothing is imported.
    """
    numbered = enumerate(lines, start=1)
    _, first = next(numbered, (1, b""))
    header = _header(first, source)
    columns = {table: _columns(conn, table) for table in tables(conn)}
    postgres = dialect(conn) == "postgresql"
    with _write(conn):
        if not postgres:  # rows may refer forward; PostgreSQL checks each row as it comes
            conn.execute("PRAGMA defer_foreign_keys = ON")
        _check_empty(conn, columns, target)
        try:
            counts, last = _insert_rows(conn, numbered, source, columns)
            _check_counts(header["tables"], counts, last, source)
            if postgres:
                _advance_identities(conn, columns)
            else:
                _check_references(conn, source)
        except BackupError as exc:
            raise BackupError(f"{exc}; nothing was imported") from exc
    return counts


def _advance_identities(conn: Connection, columns: dict[str, set[str]]) -> None:
    """Move each PostgreSQL id counter past the ids imported, so new rows get fresh ones."""
    for table in columns:
        if "id" in columns[table]:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence(?, 'id'), max(id))"
                f" FROM {_quote(table)} HAVING max(id) IS NOT NULL",
                (_quote(table),),
            )


def _insert_rows(
    conn: Connection,
    numbered: Iterator[tuple[int, bytes]],
    source: str,
    columns: dict[str, set[str]],
) -> tuple[dict[str, int], int]:
    """Insert every row line; the rows inserted per table, and the number of the last line."""
    counts = dict.fromkeys(columns, 0)
    last = 1
    for last, raw in numbered:
        if raw.strip():
            table = _insert(conn, _decode_line(raw, last, source, columns), last, source)
            counts[table] += 1
    return counts, last


@contextmanager
def _write(conn: Connection) -> Iterator[None]:
    """A write transaction (holding the write lock), rolled back on any exception."""
    begin_write(conn)
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _header(line: bytes, source: str) -> dict[str, Any]:
    """The dump's header line, checked: an incidex dump of the schema this incidex has."""
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(
            f"{source} line 1: not an incidex export (no header with format {FORMAT!r});"
            " make one with `incidex export --all`"
        )
    version = str(header.get("schema_version"))
    if version != SCHEMA_VERSION:
        made_by = f"incidex {header.get('incidex', '?')}"
        if version.isdigit() and int(version) > int(SCHEMA_VERSION):
            raise BackupError(
                f"{source} has schema version {version} ({made_by}), newer than this"
                f" incidex knows ({SCHEMA_VERSION}); upgrade incidex to import it"
            )
        raise BackupError(
            f"{source} has schema version {version} ({made_by}); this incidex imports"
            f" version {SCHEMA_VERSION} only"
        )
    if not isinstance(header.get("tables"), dict):
        raise BackupError(f"{source} line 1: the header lacks the row counts ('tables')")
    return header


def _columns(conn: Connection, table: str) -> set[str]:
    """The column names of a table."""
    if dialect(conn) == "postgresql":
        sql = (
            "SELECT attname FROM pg_attribute WHERE attrelid = CAST(? AS regclass)"
            " AND attnum > 0 AND NOT attisdropped"
        )
        return {row[0] for row in conn.execute(sql, (_quote(table),))}
    return {row[1] for row in conn.execute(f"PRAGMA table_info({_quote(table)})")}


def _check_empty(conn: Connection, columns: dict[str, set[str]], target: str) -> None:
    """Refuse a database that holds any row beyond its settings."""
    for table in columns:
        if table == _SETTINGS_TABLE:
            continue
        count = conn.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
        if count:
            raise BackupError(
                f"{target} is not empty ({count} rows in {table}); import into a new database"
                " file (--db)"
            )


def _decode_line(
    raw: bytes, number: int, source: str, columns: dict[str, set[str]]
) -> tuple[str, dict[str, Any]]:
    """A row line as (table, row), checked against the database's tables and columns."""
    where = f"{source} line {number}"
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BackupError(f"{where}: not UTF-8; the dump is corrupt") from None
    except json.JSONDecodeError as exc:
        raise BackupError(
            f"{where}: not valid JSON ({exc.msg}, column {exc.colno}): truncated or corrupt"
        ) from None
    if not isinstance(record, dict) or not isinstance(record.get("row"), dict):
        raise BackupError(f'{where}: expected {{"table": ..., "row": {{...}}}}')
    table = record.get("table")
    if table not in columns:
        raise BackupError(f"{where}: no table {table!r} in the database")
    unknown = set(record["row"]) - columns[table]
    if unknown:
        raise BackupError(f"{where}: table {table} has no column {sorted(unknown)[0]!r}")
    return table, {name: _decode(value, where, name) for name, value in record["row"].items()}


def _decode(value: Any, where: str, column: str) -> Any:
    """A JSON value as a column value: {"base64": ...} as bytes; lists and objects refused."""
    if isinstance(value, dict) and set(value) == {"base64"} and isinstance(value["base64"], str):
        try:
            return base64.b64decode(value["base64"], validate=True)
        except binascii.Error:
            raise BackupError(f"{where}: column {column} is not valid base64") from None
    if isinstance(value, dict | list):
        raise BackupError(f"{where}: column {column} holds a JSON {type(value).__name__}")
    return value


def _insert(
    conn: Connection, record: tuple[str, dict[str, Any]], number: int, source: str
) -> str:
    """Insert one row as it was, id included; its table."""
    table, row = record
    names = ", ".join(_quote(name) for name in row)
    marks = ", ".join("?" * len(row))
    sql = f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})"
    if table == _SETTINGS_TABLE and "key" in row:  # replaces the new database's defaults
        sql += " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    try:
        conn.execute(sql, list(row.values()))
    except DB_ERRORS as exc:
        raise BackupError(f"{source} line {number}: cannot insert into {table}: {exc}") from exc
    return table


def _check_counts(expected: dict[str, Any], counts: dict[str, int], last: int, source: str) -> None:
    """Refuse a dump whose rows do not match its header's counts (a truncated file)."""
    for table in [*counts, *(t for t in expected if t not in counts)]:
        want, got = expected.get(table, 0), counts.get(table, 0)
        if want != got:
            raise BackupError(
                f"{source} ends at line {last} with {got} of the {want} {table} rows its header"
                " announces: truncated"
            )


def _check_references(conn: Connection, source: str) -> None:
    """Refuse rows that refer to rows the dump lacks (checked once, before committing)."""
    row = conn.execute("PRAGMA foreign_key_check").fetchone()
    if row is not None:
        raise BackupError(
            f"{source}: a {row[0]} row (rowid {row[1]}) refers to a {row[2]} row the dump lacks"
        )


def export_file(store: Store, out: Path) -> dict[str, int]:
    """Dump the store to `out`, written under a temporary name and renamed when whole."""
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            counts = dump(store.conn, handle)
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write {out}: {exc}") from exc
    return counts


def import_file(store: Store, path: Path) -> dict[str, int]:
    """Import the dump at `path` into the store, which must be empty."""
    try:
        with path.open("rb") as handle:
            return load(store.conn, handle, str(path), store.location)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc}") from exc
