"""What every command module shares: the consoles and the `--db` option."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

PIPE_WIDTH = 140  # columns of a table written to a file or pipe (a terminal uses its own width)
out = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite database file [default: $INCIDEX_DB or the user data dir]."),
]
