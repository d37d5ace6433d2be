"""Schema migrations: a database written by an older incidex is upgraded when it is opened.

Version 1 is the schema of release 0.1, frozen in `schema_v1.sql`. Each later version is a
step module `NNNN_name.py` in this package whose `apply(conn)` brings a database from version
NNNN - 1 to NNNN, with `conn.execute` only (never `executescript`, which would commit).
`upgrade` writes a backup copy `<db>.bak-v<N>` beside the database, then runs every missing
step and records the new version, all in one transaction: a step that fails leaves the
database exactly as it was. A database newer than the last step is refused, since an older
incidex cannot know what it holds.
"""

from __future__ import annotations

import importlib
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

#: The schema version of release 0.1, the oldest a database can be upgraded from.
BASELINE_VERSION = 1
_STEP_FILE = re.compile(r"^(\d{4})_(\w+)\.py$")


class MigrationError(Exception):
    """A database that cannot be upgraded: too new, of no known version, or a step failed."""


@dataclass(frozen=True)
class Migration:
    """One step: `apply` brings a database from `version - 1` to `version`."""

    version: int
    name: str
    apply: Callable[[sqlite3.Connection], None]

    @property
    def label(self) -> str:
        """The step as its module is named, e.g. '0002_article_language'."""
        return f"{self.version:04d}_{self.name}"


def discover() -> tuple[Migration, ...]:
    """The steps shipped in this package, in version order."""
    steps = []
    for entry in files(__name__).iterdir():
        match = _STEP_FILE.match(entry.name)
        if match:
            module = importlib.import_module(f"{__name__}.{entry.name.removesuffix('.py')}")
            steps.append(Migration(int(match[1]), match[2], module.apply))
    return tuple(sorted(steps, key=lambda step: step.version))


#: Every step, oldest first; the last one's version is the current schema version.
MIGRATIONS = discover()


def baseline_sql() -> str:
    """The frozen schema of version 1, for building old databases in tests."""
    return files(__name__).joinpath("schema_v1.sql").read_text(encoding="utf-8")


def upgrade(
    conn: sqlite3.Connection, path: Path, target: int, steps: Sequence[Migration] = MIGRATIONS
) -> int | None:
    """Bring the database at `path` to schema version `target`, backing it up first.

    Args:
        conn: an open connection in autocommit mode (`isolation_level=None`).
        path: its file, named in messages and beside which the backup is written.
        target: the version this incidex needs.
        steps: the migration steps to choose from (tests pass their own).

    Returns:
        The version the database had; None for a new one (no `meta` table yet).

    Raises:
        MigrationError: the database is newer than `target`, of an unknown version, or a
            step failed; the database is then unchanged.
    """
    found = recorded_version(conn, path)
    if found is None or found == target:
        return found
    if found > target:
        raise MigrationError(
            f"{path} has schema version {found}, newer than this incidex knows ({target});"
            " upgrade incidex to open it"
        )
    chain = _chain(steps, found, target, path)
    copy = backup_copy(conn, path, found)
    _apply(conn, path, chain, found, copy)
    return found


def recorded_version(conn: sqlite3.Connection, path: Path) -> int | None:
    """The schema version in `meta`; None when the file has no incidex tables yet."""
    if not _has_table(conn, "meta"):
        if _has_table(conn, "articles"):
            raise MigrationError(f"{path} has incidex tables but no schema version")
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise MigrationError(f"{path} records no schema version")
    try:
        return int(row[0])
    except ValueError:
        raise MigrationError(f"{path} has schema version {row[0]!r}, unknown to incidex") from None


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    """True when the database has a table of this name."""
    sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(sql, (name,)).fetchone() is not None


def _chain(steps: Sequence[Migration], found: int, target: int, path: Path) -> list[Migration]:
    """The steps from `found` to `target`, one per version, or an error naming the gap."""
    chain = sorted((s for s in steps if found < s.version <= target), key=lambda s: s.version)
    if found < BASELINE_VERSION:
        raise MigrationError(
            f"{path} has schema version {found}, older than any incidex release;"
            f" only versions {BASELINE_VERSION} to {target} can be opened"
        )
    if [s.version for s in chain] != list(range(found + 1, target + 1)):
        raise MigrationError(f"no migration steps from schema version {found} to {target}")
    return chain


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of a database is kept before it leaves `version`: `<db>.bak-v<N>`."""
    return path.with_name(f"{path.name}.bak-v{version}")


def backup_copy(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the database, consistently even while others write, to `backup_path`.

    The copy is written under a name of its own (processes opening the database at once
    each write one) and renamed, so a backup file is always whole; an older backup of the
    same version is replaced.
    """
    target = backup_path(path, version)
    partial = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.partial")
    try:
        partial.unlink(missing_ok=True)  # left by a crash: a process id is reused eventually
        with closing(sqlite3.connect(partial)) as copy:
            conn.backup(copy)
            copied = copy.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if copied is not None and copied[0] == str(version):
            partial.replace(target)
        else:  # another process upgraded it meanwhile; its copy of version N stands
            partial.unlink()
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise MigrationError(
            f"cannot back up {path} to {target} before upgrading it: {exc}; nothing changed"
        ) from exc
    return target


def _apply(
    conn: sqlite3.Connection, path: Path, chain: list[Migration], found: int, copy: Path
) -> None:
    """Run the steps and record each new version, in one transaction, all or nothing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if recorded_version(conn, path) == found:  # else another process upgraded it meanwhile
            for step in chain:
                _run(conn, path, step, copy)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _run(conn: sqlite3.Connection, path: Path, step: Migration, copy: Path) -> None:
    """Apply one step and record its version; a failure is named with the step."""
    try:
        step.apply(conn)
    except Exception as exc:
        raise MigrationError(
            f"cannot upgrade {path} to schema version {step.version}: step {step.label}"
            f" failed ({exc}); the database is unchanged, a copy is at {copy}"
        ) from exc
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(step.version),))
