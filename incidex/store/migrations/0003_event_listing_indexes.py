"""Schema version 3: indexes for listing events in a database of a million of them.

Each serves a listing's order (by date, ties by id; or by deaths) together with its most
common filter: none, a date range, a country or a province (compared folded,
`lower(country) = lower(?)`), so a first page reads a hundred index entries instead of
sorting every matching event. Measured on 1,000,000 events (bench/RESULTS.md), one
request at a time: first page 959 ms -> 1 ms, by country 1,006 -> 1 ms, by province
1,370 -> 1 ms, by deaths 2,657 -> 1 ms.
"""

from __future__ import annotations

import sqlite3

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS idx_events_date_id ON events (date, id)",
    "CREATE INDEX IF NOT EXISTS idx_events_country_date ON events (lower(country), date, id)",
    "CREATE INDEX IF NOT EXISTS idx_events_admin1_date ON events (lower(admin1), date, id)",
    "CREATE INDEX IF NOT EXISTS idx_events_killed ON events (killed, date, id)",
)


def apply(conn: sqlite3.Connection) -> None:
    """Create the indexes."""
    for statement in STATEMENTS:
        conn.execute(statement)
