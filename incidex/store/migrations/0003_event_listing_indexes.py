"""Schema version 3: indexes for listing events in a database of a million of them.

`(date, id)` serves the listings' order (by date, ties by id) and date ranges, so a first
page reads a hundred index entries instead of sorting every event; the folded place index
serves the country and province filters (`lower(country) = lower(?)`) and their counts.
Measured on 1,000,000 events (bench/RESULTS.md): first page 959 ms -> 1 ms, province
listing 1,370 ms -> 51 ms.
"""

from __future__ import annotations

import sqlite3

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS idx_events_date_id ON events (date, id)",
    "CREATE INDEX IF NOT EXISTS idx_events_lower_place"
    " ON events (lower(country), lower(admin1), sources)",
)


def apply(conn: sqlite3.Connection) -> None:
    """Create both indexes."""
    for statement in STATEMENTS:
        conn.execute(statement)
