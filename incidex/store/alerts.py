"""Alert rules, the alerts they raise and their webhook deliveries, in the database.

The SQL behind `incidex.alerts`; values only ever travel as bound parameters. Each function
is one statement (or one read), so the caller decides what shares a transaction: a delivery
attempt is recorded on its own, never while a slow webhook holds the write lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from incidex.store.backend import Connection

#: Columns of `alert_rules` a rule sets, in table order (`id` and `created_at` aside).
RULE_COLUMNS = (
    "name",
    "country",
    "admin1",
    "lat",
    "lon",
    "radius_km",
    "min_killed",
    "attack_type",
    "perpetrator",
    "webhook",
)
#: Event columns an alert carries: where, when, what and how many.
EVENT_COLUMNS = (
    "id",
    "date",
    "date_precision",
    "country",
    "admin1",
    "location",
    "lat",
    "lon",
    "attack_type",
    "perpetrator",
    "target",
    "killed",
    "killed_low",
    "killed_high",
    "wounded",
    "sources",
)
_ALERT_SELECT = (
    "SELECT id, rule_id, rule_name, event_id, kind, created_at, status, attempts,"
    " last_error, delivered_at, event FROM alerts"
)


def insert_rule(conn: Connection, values: Mapping[str, Any], now: str) -> int:
    """Store a rule (`values` keyed by `RULE_COLUMNS`); its new id."""
    columns = (*RULE_COLUMNS, "created_at")
    (rule_id,) = conn.execute(
        f"INSERT INTO alert_rules ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))}) RETURNING id",
        (*(values[c] for c in RULE_COLUMNS), now),
    ).fetchone()
    return int(rule_id)


def rules(conn: Connection) -> list[dict[str, Any]]:
    """Every rule, oldest first, as column dicts with `id`."""
    sql = f"SELECT id, {', '.join(RULE_COLUMNS)} FROM alert_rules ORDER BY id"
    return [dict(row) for row in conn.execute(sql)]


def delete_rule(conn: Connection, rule_id: int) -> bool:
    """Remove a rule (its alerts stay, named); False when there was none."""
    cursor = conn.execute("DELETE FROM alert_rules WHERE id = ?", (rule_id,))
    return cursor.rowcount > 0


def events(conn: Connection, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Summaries of the events with these ids (`EVENT_COLUMNS`), by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    sql = (
        f"SELECT {', '.join(EVENT_COLUMNS)} FROM events"
        f" WHERE id IN ({', '.join('?' * len(wanted))})"
    )
    return {row["id"]: dict(row) for row in conn.execute(sql, wanted)}


def insert_alert(
    conn: Connection,
    rule: Mapping[str, Any],
    event: Mapping[str, Any],
    kind: str,
    status: str,
    now: str,
) -> int:
    """Record an alert of `rule` (with `id` and `name`) for an event summary; its id."""
    (alert_id,) = conn.execute(
        "INSERT INTO alerts (rule_id, rule_name, event_id, kind, created_at, status, event)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (rule["id"], rule["name"], event["id"], kind, now, status, json.dumps(event)),
    ).fetchone()
    return int(alert_id)


def record_attempt(
    conn: Connection,
    alert_id: int,
    status_code: int | None,
    error: str | None,
    now: str,
) -> int:
    """Log one delivery attempt and count it on the alert; the attempt's number."""
    (attempt,) = conn.execute(
        "SELECT attempts + 1 FROM alerts WHERE id = ?", (alert_id,)
    ).fetchone()
    conn.execute(
        "INSERT INTO alert_deliveries (alert_id, attempt, status_code, error, at)"
        " VALUES (?, ?, ?, ?, ?)",
        (alert_id, attempt, status_code, error, now),
    )
    conn.execute(
        "UPDATE alerts SET attempts = ?, last_error = ? WHERE id = ?", (attempt, error, alert_id)
    )
    return int(attempt)


def set_status(
    conn: Connection, alert_id: int, status: str, delivered_at: str | None = None
) -> None:
    """Mark an alert pending, delivered or failed."""
    conn.execute(
        "UPDATE alerts SET status = ?, delivered_at = ? WHERE id = ?",
        (status, delivered_at, alert_id),
    )


def get_alert(conn: Connection, alert_id: int) -> dict[str, Any] | None:
    """One alert row, its event summary decoded; None when there is none."""
    row = conn.execute(f"{_ALERT_SELECT} WHERE id = ?", (alert_id,)).fetchone()
    return None if row is None else _decoded(row)


def recent(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The latest `limit` alerts, newest first, their event summaries decoded."""
    rows = conn.execute(f"{_ALERT_SELECT} ORDER BY id DESC LIMIT ?", (limit,))
    return [_decoded(row) for row in rows]


def retryable(conn: Connection, stale_before: str) -> list[dict[str, Any]]:
    """Alerts to deliver again, oldest first: failed ones, and pending ones raised before
    `stale_before` (a run stopped while delivering them), whose rule still has a webhook."""
    rows = conn.execute(
        f"{_ALERT_SELECT} WHERE (status = 'failed' OR (status = 'pending' AND created_at < ?))"
        " AND rule_id IN (SELECT id FROM alert_rules WHERE webhook IS NOT NULL) ORDER BY id",
        (stale_before,),
    )
    return [_decoded(row) for row in rows]


def _decoded(row: Any) -> dict[str, Any]:
    """An alert row as a dict, the JSON event summary as a dict."""
    alert = dict(row)
    alert["event"] = json.loads(alert["event"])
    return alert
