"""Schema version 2: `articles.language`, and an index on `events.updated_at`.

`language` is the ISO 639-1 code of the article's text ('en', 'ar'), NULL when unknown;
`ADD COLUMN` sets it to NULL for every article stored before it existed, which is the truth:
release 0.1 did not record the language. The index answers "what changed since" (alerts,
the web page) without reading every event.
"""

from __future__ import annotations

import sqlite3

STATEMENTS = (
    "ALTER TABLE articles ADD COLUMN language TEXT",
    "CREATE INDEX IF NOT EXISTS idx_events_updated ON events (updated_at)",
)


def apply(conn: sqlite3.Connection) -> None:
    """Add the column (NULL for every stored article) and the index."""
    for statement in STATEMENTS:
        conn.execute(statement)
