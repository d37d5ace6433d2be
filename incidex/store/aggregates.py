"""Aggregate queries over stored events: counts for pages, tallies by period, place or actor.

Every query takes the listing filters (`IncidentFilter`, applied to the event's own fields
as `Store.query_events` applies them) and binds their values as parameters; the only SQL
pieces chosen by the caller are the grouping keys below, picked by name from a fixed table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from incidex.store.backend import dialect
from incidex.store.filters import IncidentFilter, where_clause

if TYPE_CHECKING:
    from incidex.store.db import Store

#: Event ids per query of `event_reports`, far below SQLite's bound-variable limit.
_ID_BATCH = 500

#: Monday of the ISO week of a day-precision date, per dialect (SQLite's strftime('%w')
#: counts days from Sunday; PostgreSQL's weeks start on Monday).
_MONDAY = {
    "sqlite": "date(e.date, '-' || ((CAST(strftime('%w', e.date) AS INTEGER) + 6) % 7) || ' days')",
    "postgresql": "to_char(date_trunc('week', CAST(e.date AS date)), 'YYYY-MM-DD')",
}

#: Grouping key of each aggregate (SQL over events `e`); NULL when the event has none.
KEYS = {
    "month": "CASE WHEN e.date_precision IN ('day', 'month') THEN substr(e.date, 1, 7) END",
    "week": "CASE WHEN e.date_precision = 'day' AND length(e.date) = 10 THEN {monday} END",
    "admin1": "e.admin1",
    "attack_type": "e.attack_type",
    "perpetrator": "e.perpetrator",
}
#: Keys that are periods, listed in time order; the others list the largest group first.
_PERIODS = {"month", "week"}


def _listed(flt: IncidentFilter) -> tuple[str, list[object]]:
    """WHERE conditions and parameters selecting the events `Store.query_events` lists."""
    where, params = where_clause(flt, alias="e")
    return f"{where} AND e.sources > 0", params


def count_events(store: Store, flt: IncidentFilter | None = None) -> int:
    """How many events match the filters, ignoring limit and offset (a listing's total)."""
    where, params = _listed(flt or IncidentFilter())
    row = store.conn.execute(f"SELECT count(*) FROM events e WHERE {where}", params).fetchone()
    return int(row[0])


def count_incidents(store: Store, flt: IncidentFilter | None = None) -> int:
    """How many incidents match the filters, ignoring limit and offset (a listing's total)."""
    where, params = where_clause(flt or IncidentFilter())
    row = store.conn.execute(f"SELECT count(*) FROM incidents i WHERE {where}", params).fetchone()
    return int(row[0])


def aggregate_events(
    store: Store, by: str, flt: IncidentFilter | None = None
) -> list[dict[str, Any]]:
    """Events, killed and wounded (sums of best estimates) per key of `by` (one of `KEYS`).

    Events without a key (no date precise enough for the period, no province, no
    perpetrator) are counted under the key None, listed last, so the rows add up to the
    listing's total. Periods come in time order; other keys largest group first.

    Raises:
        ValueError: `by` is not one of `KEYS`.
    """
    if by not in KEYS:
        raise ValueError(f"by must be one of {', '.join(KEYS)}, got {by!r}")
    where, params = _listed(flt or IncidentFilter())
    order = "key" if by in _PERIODS else "events DESC, key"
    key = KEYS[by].format(monday=_MONDAY[dialect(store.conn)])
    sql = (
        f"SELECT * FROM (SELECT {key} AS key, count(*) AS events,"
        " coalesce(sum(e.killed), 0) AS killed, coalesce(sum(e.wounded), 0) AS wounded"
        f" FROM events e WHERE {where} GROUP BY 1) groups"
        f" ORDER BY CASE WHEN key IS NULL THEN 1 ELSE 0 END, {order}"
    )
    return [dict(row) for row in store.conn.execute(sql, params)]


def event_reports(store: Store, event_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The reports of many events at once (outlet, doc, evidence sentences), for exports.

    Each event's reports come in publication order, then near-verbatim copies of them
    (wire reposts, with no evidence of their own), as `Store.get_event` lists them.
    """
    found: dict[int, list[dict[str, Any]]] = {event_id: [] for event_id in event_ids}
    ids = list(found)
    for start in range(0, len(ids), _ID_BATCH):
        batch = ids[start : start + _ID_BATCH]
        marks = ", ".join("?" * len(batch))
        reports = store.conn.execute(
            "SELECT i.id, i.event_id, a.source, a.doc FROM incidents i"
            f" JOIN articles a ON a.id = i.article_id WHERE i.event_id IN ({marks})"
            " ORDER BY i.event_id, a.published, i.id",
            batch,
        )
        by_incident: dict[int, dict[str, Any]] = {}
        for row in reports:
            report = {"source": row["source"], "doc": row["doc"], "evidence": []}
            by_incident[row["id"]] = report
            found[row["event_id"]].append(report)
        _attach_evidence(store, by_incident)
        copies = store.conn.execute(
            "SELECT DISTINCT i.event_id, c.id, c.source, c.doc, c.published FROM articles c"
            " JOIN incidents i ON i.article_id = c.duplicate_of"
            f" WHERE i.event_id IN ({marks}) ORDER BY i.event_id, c.published, c.id",
            batch,
        )
        for row in copies:
            found[row["event_id"]].append({"source": row["source"], "doc": row["doc"]})
    return found


def _attach_evidence(store: Store, reports: dict[int, dict[str, Any]]) -> None:
    """Fill each report's evidence sentences in order (keys are incident ids)."""
    ids = list(reports)
    for start in range(0, len(ids), _ID_BATCH):
        batch = ids[start : start + _ID_BATCH]
        marks = ", ".join("?" * len(batch))
        rows = store.conn.execute(
            "SELECT incident_id, sentence FROM evidence"
            f" WHERE incident_id IN ({marks}) ORDER BY incident_id, seq",
            batch,
        )
        for incident_id, sentence in rows:
            reports[incident_id]["evidence"].append(sentence)
