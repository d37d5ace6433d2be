"""PostgreSQL schema migrations, run by Alembic: the same steps SQLite files take.

Revision 0001 creates the frozen schema of version 1 (`migrations/schema_v1.sql`); each later
revision NNNN runs the SQLite step `migrations/NNNN_*.py` (portable SQL) and records the
version in `meta`, so a step is written once for both engines. A database is brought to
the head when opened, in one transaction under the store's write lock, so a team opening
it at once upgrades it once. To add version N: write the SQLite step, then
`versions/NNNN_name.py` calling `run_step(N)`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from incidex.store.backend import PgConnection, schema_for
from incidex.store.migrations import MIGRATIONS, MigrationError

#: The newest revision in versions/; a database there needs no Alembic run at all.
HEAD = f"{MIGRATIONS[-1].version:04d}"
_SCRIPTS = Path(__file__).parent
_RUNNING = threading.Lock()


def current_revision(conn: PgConnection) -> str | None:
    """The revision Alembic recorded; None for a database without incidex tables."""
    if conn.execute("SELECT to_regclass('alembic_version')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def upgrade(conn: PgConnection, url: str, where: str) -> None:
    """Bring the database at `url` (named `where` in messages) to the head revision."""
    found = current_revision(conn)
    if found == HEAD:
        return
    if found is not None and (not found.isdigit() or int(found) > int(HEAD)):
        raise MigrationError(
            f"{where} has schema revision {found}, newer than this incidex knows ({HEAD});"
            " upgrade incidex to open it"
        )
    with _RUNNING:  # Alembic's `context` is one per process
        _run_alembic(url, where, found)


def _run_alembic(url: str, where: str, found: str | None) -> None:
    """Run Alembic's upgrade to the head on a connection of its own."""
    import psycopg
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    engine = create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(url), poolclass=NullPool
    )
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:
        raise MigrationError(
            f"cannot upgrade {where} from revision {found} to {HEAD}: {exc}; nothing changed"
        ) from exc
    finally:
        engine.dispose()


class _Shim:
    """What a SQLite step's `apply(conn)` needs of a connection: `execute(sql)`; `dialect`
    for a step that spells something differently for PostgreSQL."""

    dialect = "postgresql"

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, sql: str) -> None:
        for statement in schema_for(sql, "postgresql"):
            self._connection.exec_driver_sql(statement)


def run_step(version: int) -> None:
    """Inside an Alembic revision: run SQLite step `version` and record it in `meta`."""
    from alembic import op

    (step,) = [s for s in MIGRATIONS if s.version == version]
    connection = op.get_bind()
    step.apply(_Shim(connection))  # type: ignore[arg-type]
    connection.exec_driver_sql(
        "UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(version),)
    )
