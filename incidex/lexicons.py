"""One loader for every word list in `incidex/data/lexicons/`: data files, not code."""

from __future__ import annotations

from functools import cache
from importlib import resources

LEXICON_PACKAGE = "incidex.data"


def _read(name: str) -> str:
    """Text of a lexicon file shipped with the package."""
    return resources.files(LEXICON_PACKAGE).joinpath("lexicons", name).read_text(encoding="utf-8")


@cache
def read_lines(name: str) -> tuple[str, ...]:
    """Entries of a one-per-line file, without blank lines and `#` comments."""
    lines = (line.strip() for line in _read(name).splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def read_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated file (first row is the header, dropped)."""
    rows = tuple(tuple(cell.strip() for cell in line.split("\t")) for line in read_lines(name))
    return rows[1:]
