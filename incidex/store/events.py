"""Events in the database: each stored incident joins the event it reports, or starts one.

Runs inside `Store.add`'s transaction, so an article and its event links are stored
together or not at all. Merging is incremental: an article ingested today joins an event
stored last week. Which incidents are one event is decided by `incidex.merge`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from incidex.merge import FIGURES, representative, same_event, spread
from incidex.records import INCIDENT_FIELDS, Incident
from incidex.store.backend import Connection
from incidex.store.filters import IncidentFilter, order_and_limit, where_clause

_FIELDS = tuple(f for f in INCIDENT_FIELDS if f != "evidence")
_DESCRIPTIVE = tuple(f for f in _FIELDS if f not in FIGURES)
_SPREAD_COLUMNS = tuple(f"{name}{suffix}" for name in FIGURES for suffix in ("", "_low", "_high"))
_EVENT_COLUMNS = (*_DESCRIPTIVE, *_SPREAD_COLUMNS, "sources")


def assign(
    conn: Connection, article_id: int, incident_id: int, incident: Incident, now: str
) -> tuple[int, bool]:
    """Link a stored incident to its event; returns the event id and whether it is new."""
    event_id = _matching_event(conn, article_id, incident)
    created = event_id is None
    if event_id is None:
        (event_id,) = conn.execute(
            "INSERT INTO events (attack_type, target, first_seen, updated_at)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            (incident.attack_type, incident.target, now, now),
        ).fetchone()
    conn.execute("UPDATE incidents SET event_id = ? WHERE id = ?", (event_id, incident_id))
    refresh(conn, event_id, now)
    return event_id, created


def _matching_event(conn: Connection, article_id: int, incident: Incident) -> int | None:
    """The stored event this incident reports, if any: dated near it, from other articles."""
    if incident.date is None or incident.date_precision not in {"day", "month"}:
        return None
    low, high = _date_window(incident)
    country = "country IS NULL" if incident.country is None else "country = ?"
    rows = conn.execute(
        f"SELECT id, {', '.join(_FIELDS)} FROM events"
        f" WHERE {country} AND date >= ? AND date <= ?"
        " AND id NOT IN (SELECT event_id FROM incidents"
        " WHERE article_id = ? AND event_id IS NOT NULL)"
        " ORDER BY id",
        (*filter(None, [incident.country]), low, high, article_id),
    )
    for row in rows:
        if same_event(incident, _as_incident(row)):
            return int(row["id"])
    return None


def _date_window(incident: Incident) -> tuple[str, str]:
    """Bounds on stored event dates (as text) that may agree with the incident's date."""
    if incident.date_precision == "month":
        return incident.date[:7], incident.date[:7] + "-31"  # type: ignore[index]
    day = date.fromisoformat(incident.date[:10])  # type: ignore[index]
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    return before.strftime("%Y-%m"), after.strftime("%Y-%m-31")


def _as_incident(row: Any) -> Incident:
    """An event or incident row as an Incident record."""
    return Incident(**{name: row[name] for name in _FIELDS})


def refresh(conn: Connection, event_id: int, now: str) -> None:
    """Recompute an event from its reports: most precise place and date, figure spreads."""
    members = [
        _as_incident(row)
        for row in conn.execute(
            f"SELECT {', '.join(_FIELDS)} FROM incidents WHERE event_id = ?", (event_id,)
        )
    ]
    best = representative(members)
    values: dict[str, Any] = {name: getattr(best, name) for name in _DESCRIPTIVE}
    for name in FIGURES:
        figures = spread([getattr(m, name) for m in members])
        values.update(
            {name: figures.best, f"{name}_low": figures.low, f"{name}_high": figures.high}
        )
    values["perpetrator"] = next((m.perpetrator for m in members if m.perpetrator), None)
    values["attribution"] = _strongest_attribution(members)
    values["sources"] = _source_count(conn, event_id)
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(
        f"UPDATE events SET {assignments}, updated_at = ? WHERE id = ?",
        (*values.values(), now, event_id),
    )


def _strongest_attribution(members: list[Incident]) -> str:
    """claimed beats attributed beats unknown: one outlet may report the claim."""
    found = {m.attribution for m in members}
    return next((a for a in ("claimed", "attributed") if a in found), "unknown")


def _source_count(conn: Connection, event_id: int) -> int:
    """Articles reporting an event, near-verbatim copies of them included."""
    row = conn.execute(
        "SELECT count(*) FROM articles"
        " WHERE id IN (SELECT article_id FROM incidents WHERE event_id = ?)"
        " OR duplicate_of IN (SELECT article_id FROM incidents WHERE event_id = ?)",
        (event_id, event_id),
    ).fetchone()
    return int(row[0])


def refresh_for_article(conn: Connection, article_id: int, now: str) -> list[int]:
    """Refresh the events an article reports (after a copy of it was stored); their ids."""
    ids = [
        int(row[0])
        for row in conn.execute(
            "SELECT DISTINCT event_id FROM incidents WHERE article_id = ? AND event_id IS NOT NULL",
            (article_id,),
        )
    ]
    for event_id in ids:
        refresh(conn, event_id, now)
    return ids


def query(conn: Connection, flt: IncidentFilter) -> list[dict[str, Any]]:
    """Events matching the incident filters (applied to the event's own fields)."""
    where, params = where_clause(flt, alias="e")
    sql = (
        f"SELECT e.id, {', '.join('e.' + c for c in _EVENT_COLUMNS)}, e.first_seen, e.updated_at"
        f" FROM events e WHERE {where} AND e.sources > 0" + order_and_limit(flt, params, "e")
    )
    return [dict(row) for row in conn.execute(sql, params)]


def get(conn: Connection, event_id: int) -> dict[str, Any] | None:
    """One event with its reports (incident, article, evidence) and the fields they dispute."""
    row = conn.execute(
        f"SELECT id, {', '.join(_EVENT_COLUMNS)}, first_seen, updated_at FROM events WHERE id = ?",
        (event_id,),
    ).fetchone()
    if row is None:
        return None
    event = dict(row)
    event["reports"] = _reports(conn, event_id)
    event["copies"] = _copies(conn, event_id)
    event["disagreements"] = disagreements(event["reports"])
    return event


def _reports(conn: Connection, event_id: int) -> list[dict[str, Any]]:
    """The incidents of an event with the article each came from (and its text), evidence."""
    rows = conn.execute(
        "SELECT i.id, a.doc, a.source, a.url, a.title, a.published, a.text, "
        + ", ".join("i." + f for f in _FIELDS)
        + " FROM incidents i JOIN articles a ON a.id = i.article_id"
        " WHERE i.event_id = ? ORDER BY a.published, i.id",
        (event_id,),
    )
    reports = [dict(r) for r in rows]
    for report in reports:
        report["evidence"] = [
            s
            for (s,) in conn.execute(
                "SELECT sentence FROM evidence WHERE incident_id = ? ORDER BY seq", (report["id"],)
            )
        ]
    return reports


def _copies(conn: Connection, event_id: int) -> list[dict[str, Any]]:
    """Near-verbatim copies (wire reposts) of the event's articles: extra sources."""
    rows = conn.execute(
        "SELECT doc, source, url, published, duplicate_of FROM articles WHERE duplicate_of IN"
        " (SELECT article_id FROM incidents WHERE event_id = ?) ORDER BY published, id",
        (event_id,),
    )
    return [dict(r) for r in rows]


def disagreements(reports: list[dict[str, Any]]) -> dict[str, list[tuple[Any, list[str]]]]:
    """Fields on which reports differ: each value with the sources that give it."""
    found: dict[str, list[tuple[Any, list[str]]]] = {}
    for name in ("date", "location", "attack_type", "perpetrator", "target", *FIGURES):
        by_value: dict[Any, list[str]] = {}
        for report in reports:
            by_value.setdefault(report[name], []).append(report["source"] or report["doc"] or "?")
        if len(by_value) > 1:
            found[name] = list(by_value.items())
    return found
