"""Schema version 3: indexes for listing events in a database of a million of them.

Each serves a listing's order (by date, ties by id; or by deaths) together with its most
common filter: none, a date range, a country or a province (compared folded,
`lower(country) = lower(?)`), so a first page reads a hundred index entries instead of
sorting every matching event, oldest or newest first. Measured on 1,000,000 events
(bench/RESULTS.md), one request at a time: first page 959 ms -> 1 ms, by country
1,006 -> 1 ms, by province 1,370 -> 1 ms, by deaths 2,657 -> 1 ms.
"""

from __future__ import annotations

import sqlite3

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS idx_events_date_id ON events (date, id)",
    "CREATE INDEX IF NOT EXISTS idx_events_country_date ON events (lower(country), date, id)",
    "CREATE INDEX IF NOT EXISTS idx_events_admin1_date ON events (lower(admin1), date, id)",
    "CREATE INDEX IF NOT EXISTS idx_events_killed ON events (killed, date, id)",
)


#: PostgreSQL scans an index backwards with NULLs first, so the newest-first listings (the
#: web page's and the API's default), missing values last, need indexes of that order.
POSTGRESQL_STATEMENTS = (
    STATEMENTS[0],
    "CREATE INDEX IF NOT EXISTS idx_events_date_desc ON events (date DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS idx_events_country_date"
    " ON events (lower(country), date DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS idx_events_admin1_date"
    " ON events (lower(admin1), date DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS idx_events_killed"
    " ON events (killed DESC NULLS LAST, date DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS idx_incidents_date_desc"
    " ON incidents (date DESC NULLS LAST, id DESC)",
)


def apply(conn: sqlite3.Connection) -> None:
    """Create the indexes (PostgreSQL's own when `conn` says it is one)."""
    postgres = getattr(conn, "dialect", "sqlite") == "postgresql"
    for statement in POSTGRESQL_STATEMENTS if postgres else STATEMENTS:
        conn.execute(statement)
