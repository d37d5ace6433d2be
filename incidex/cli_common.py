"""What every command module shares: the consoles and the `--db` option."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from incidex.store import default_db_path
from incidex.store.backend import is_url

PIPE_WIDTH = 140  # columns of a table written to a file or pipe (a terminal uses its own width)
out = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite database file or PostgreSQL URL (postgresql://user:password@host/db)"
        " [default: $INCIDEX_DB or a file in the user data dir].",
    ),
]


def database(db: str | None) -> Path | str:
    """The database `--db` names: a PostgreSQL URL as given, a file path expanded."""
    if db is None:
        return default_db_path()
    return db if is_url(db) else Path(db).expanduser()


def missing(target: Path | str) -> bool:
    """True for a SQLite file that does not exist (a server database is never missing)."""
    return isinstance(target, Path) and not target.exists()
