"""Alerts: rules matched against the events ingestion creates or updates, sent to webhooks.

A rule names an area (a country, a province, or a circle around a point), a minimum death
toll, an attack type and part of a perpetrator's name; an event raises an alert when it
meets every condition the rule sets. Rules live in the database (`alert_rules`), managed
with `incidex alerts` and the HTTP API. Each alert is recorded (`alerts`) and POSTed as
JSON to its rule's webhook, retried with backoff when the receiver is down, every attempt
logged (`alert_deliveries`). A failing webhook never breaks ingestion: the alert is marked
failed and `retry_pending` delivers it later.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from incidex.export import ACLED_TYPES
from incidex.fetch import USER_AGENT
from incidex.geocode.gazetteer import distance_km
from incidex.names import fold
from incidex.store import AddResult, Store, StoreError
from incidex.store import alerts as alert_store
from incidex.store.backend import DB_ERRORS, Connection

TIMEOUT_S = 5.0  # seconds a webhook has to connect and answer, per attempt
RETRY_DELAYS_S = (0.2, 0.5, 1.0)  # seconds waited before the 2nd, 3rd and 4th attempts
MAX_RESPONSE_BYTES = 64 * 1024  # bytes of a webhook's answer read; the rest is ignored
STALE_PENDING_S = 300  # seconds after which a still-pending alert was left by a stopped run
RECENT_LIMIT = 50  # alerts `recent_alerts` returns by default
MAX_URL_CHARS = 2000  # longest webhook URL accepted
KINDS = ("new", "updated")
STATUSES = ("pending", "delivered", "failed", "no_webhook")

#: POSTs a JSON body to a URL and returns the HTTP status; raises OSError with no answer.
Sender = Callable[[str, bytes], int]


class AlertRuleError(ValueError):
    """A rule that cannot be stored: the message names the field and what it needs."""


@dataclass(frozen=True, kw_only=True)
class AlertRule:
    """What events to be alerted about, and where to send the alerts; None is no condition.

    Blank strings count as None; `country` is kept upper case and `attack_type` as the
    codebook spells it. Raises AlertRuleError for a field that cannot work.
    """

    id: int | None = None
    name: str
    webhook: str | None = None
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    min_killed: int | None = None
    attack_type: str | None = None
    perpetrator: str | None = None

    def __post_init__(self) -> None:
        """Tidy the text fields, then refuse what cannot match or cannot be delivered."""
        for name in ("name", "webhook", "country", "admin1", "attack_type", "perpetrator"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, value.strip() or None)
        if self.country:
            object.__setattr__(self, "country", self.country.upper())
        if self.attack_type:
            canonical = self.attack_type.lower().replace(" ", "_").replace("-", "_")
            object.__setattr__(self, "attack_type", canonical)
        _validate(self)

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON-ready fields, `id` first."""
        return asdict(self)


def _validate(rule: AlertRule) -> None:
    """Raise AlertRuleError for the first field of `rule` that cannot work."""
    if not rule.name:
        raise AlertRuleError("name: give the rule a name")
    if rule.country is not None and not (len(rule.country) == 2 and rule.country.isalpha()):
        raise AlertRuleError(f"country: {rule.country!r} is not an ISO code like IQ")
    if rule.attack_type is not None and rule.attack_type not in ACLED_TYPES:
        known = ", ".join(ACLED_TYPES)
        raise AlertRuleError(f"attack_type: {rule.attack_type!r} is not one of {known}")
    if rule.min_killed is not None and (isinstance(rule.min_killed, bool) or rule.min_killed < 0):
        raise AlertRuleError(f"min_killed: {rule.min_killed!r} is not a count of zero or more")
    _validate_circle(rule)
    if rule.webhook is not None:
        _validate_webhook(rule.webhook)


def _validate_circle(rule: AlertRule) -> None:
    """A circle needs its centre and radius together, each in range."""
    given = [v is not None for v in (rule.lat, rule.lon, rule.radius_km)]
    if any(given) and not all(given):
        raise AlertRuleError("lat, lon, radius_km: a radius needs its centre, give all three")
    if rule.lat is not None and not -90 <= rule.lat <= 90:
        raise AlertRuleError(f"lat: {rule.lat} is not between -90 and 90")
    if rule.lon is not None and not -180 <= rule.lon <= 180:
        raise AlertRuleError(f"lon: {rule.lon} is not between -180 and 180")
    if rule.radius_km is not None and not rule.radius_km > 0:
        raise AlertRuleError(f"radius_km: {rule.radius_km} is not a distance above 0")


def _validate_webhook(url: str) -> None:
    """A webhook is an http or https URL with a host (and a valid port, if any)."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in {"http", "https"} and bool(parts.hostname)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        valid = False
    if not valid:
        raise AlertRuleError(f"webhook: {url!r} is not an http:// or https:// URL")
    if len(url) > MAX_URL_CHARS or any(c.isspace() for c in url):
        raise AlertRuleError(f"webhook: {url[:80]!r} is too long or contains spaces")


def rule_matches(rule: AlertRule, event: Mapping[str, Any]) -> bool:
    """True when the event (a row of `events`, or its summary) meets every condition set."""
    return all(
        (
            _text_equal(rule.country, event.get("country")),
            rule.admin1 is None or _folded_equal(rule.admin1, event.get("admin1")),
            _within(rule, event),
            _at_least(rule.min_killed, event.get("killed")),
            _text_equal(rule.attack_type, event.get("attack_type")),
            _contains(rule.perpetrator, event.get("perpetrator")),
        )
    )


def _text_equal(wanted: str | None, value: str | None) -> bool:
    """No condition, or the same text ignoring case."""
    return wanted is None or (value is not None and wanted.casefold() == value.casefold())


def _folded_equal(wanted: str, value: str | None) -> bool:
    """The same place name, spellings folded ('Diyalah' is 'Diyala')."""
    return value is not None and fold(wanted) == fold(value)


def _within(rule: AlertRule, event: Mapping[str, Any]) -> bool:
    """No circle, or the event has coordinates inside it."""
    if rule.lat is None or rule.lon is None or rule.radius_km is None:
        return True
    lat, lon = event.get("lat"), event.get("lon")
    if lat is None or lon is None:
        return False
    return distance_km(rule.lat, rule.lon, lat, lon) <= rule.radius_km


def _at_least(minimum: int | None, killed: int | None) -> bool:
    """No minimum, or a reported toll reaching it (an unreported toll reaches none)."""
    return minimum is None or (killed is not None and killed >= minimum)


def _contains(part: str | None, name: str | None) -> bool:
    """No condition, or `part` inside the name, ignoring case."""
    return part is None or (name is not None and part.casefold() in name.casefold())


def describe_rule(rule: AlertRule) -> str:
    """The rule's conditions in a few words, for tables and messages."""
    parts = [
        f"country {rule.country}" if rule.country else "",
        f"province {rule.admin1}" if rule.admin1 else "",
        f"within {rule.radius_km:g} km of {rule.lat:g},{rule.lon:g}"
        if rule.radius_km is not None and rule.lat is not None and rule.lon is not None
        else "",
        f"at least {rule.min_killed} killed" if rule.min_killed is not None else "",
        f"type {rule.attack_type}" if rule.attack_type else "",
        f"perpetrator ~ {rule.perpetrator!r}" if rule.perpetrator else "",
    ]
    return "; ".join(p for p in parts if p) or "any event"


@contextmanager
def _database_errors(what: str) -> Iterator[None]:
    """Turn a database error into a StoreError that says what was being done."""
    try:
        yield
    except DB_ERRORS as exc:
        raise StoreError(f"cannot {what}: {exc}") from exc


def _now() -> str:
    """Current UTC time as an ISO timestamp, as the other tables keep it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def add_rule(store: Store, rule: AlertRule) -> AlertRule:
    """Store a rule; returns it with its new `id` (an `id` it had is ignored)."""
    values = {name: getattr(rule, name) for name in alert_store.RULE_COLUMNS}
    with _database_errors("store the alert rule"), store.transaction():
        rule_id = alert_store.insert_rule(store.conn, values, _now())
    return replace(rule, id=rule_id)


def list_rules(store: Store) -> list[AlertRule]:
    """Every rule, oldest first."""
    with _database_errors("read the alert rules"):
        return [AlertRule(**row) for row in alert_store.rules(store.conn)]


def remove_rule(store: Store, rule_id: int) -> bool:
    """Remove a rule; its past alerts stay, under its name. False when there is no such rule."""
    with _database_errors("remove the alert rule"), store.transaction():
        return alert_store.delete_rule(store.conn, rule_id)


def recent_alerts(store: Store, limit: int = RECENT_LIMIT) -> list[dict[str, Any]]:
    """The latest alerts, newest first, each with its delivery status and event summary.

    Each alert: `id`, `rule_id` (None once the rule is removed), `rule_name`, `event_id`,
    `kind` (new or updated), `created_at`, `status` (pending, delivered, failed or
    no_webhook), `attempts`, `last_error`, `delivered_at`, and `event`: the event as it
    was when the alert was raised (`id`, `date`, `location`, `admin1`, `country`, `lat`,
    `lon`, `attack_type`, `perpetrator`, `target`, `killed`, `wounded`, `sources`, ...).
    """
    if limit < 0:
        raise ValueError(f"limit must be zero or more, got {limit}")
    with _database_errors("read the alerts"):
        return alert_store.recent(store.conn, limit)


def notify(
    store: Store,
    result: AddResult,
    *,
    sender: Sender | None = None,
    delays: Sequence[float] = RETRY_DELAYS_S,
) -> list[dict[str, Any]]:
    """Deliver the alerts an ingested article raised (recorded by `Store.add` itself).

    Args:
        store: the database the article was stored in.
        result: what `Store.add` did; `result.alerts` are the alerts it recorded, in the
            same transaction as the article, so a crash cannot lose them.
        sender: POSTs the JSON body to a URL and returns the HTTP status (default
            `post_json`); whatever it raises is a failed attempt.
        delays: seconds waited before each retry; one attempt more than delays.

    Returns:
        The alerts, as `recent_alerts` gives them, oldest first; delivered, failed or
        no_webhook. A webhook that fails never raises here; an alert left pending by a
        crash is delivered by `retry_pending`.

    Raises:
        StoreError: the database refused to record a delivery.
    """
    if not result.alerts:
        return []
    with _database_errors("deliver the alerts"):
        rules = {rule.id: rule for rule in list_rules(store)}
        found = [alert_store.get_alert(store.conn, alert_id) for alert_id in result.alerts]
        for alert in found:
            rule = rules.get(alert["rule_id"]) if alert else None
            if alert is not None and rule is not None and rule.webhook:
                _deliver(store, alert["id"], rule, sender or post_json, delays)
        return [a for a in (alert_store.get_alert(store.conn, i) for i in result.alerts) if a]


def record_alerts(
    conn: Connection, new_events: Sequence[int], updated_events: Sequence[int]
) -> list[int]:
    """Record an alert for every rule each new or updated event matches; their ids.

    Runs inside the caller's transaction (`Store.add`): an article and its alerts are
    stored together or not at all.
    """
    changes = [(e, "new") for e in new_events]
    changes += [(e, "updated") for e in updated_events if e not in new_events]
    rules = [AlertRule(**row) for row in alert_store.rules(conn)] if changes else []
    if not rules:
        return []
    summaries = alert_store.events(conn, [event_id for event_id, _ in changes])
    raised, now = [], _now()
    for event_id, kind in changes:
        event = summaries.get(event_id)
        for rule in rules:
            if event is not None and rule_matches(rule, event):
                status = "pending" if rule.webhook else "no_webhook"
                raised.append(
                    alert_store.insert_alert(conn, rule.to_dict(), event, kind, status, now)
                )
    return raised


def retry_pending(
    store: Store, *, sender: Sender | None = None, delays: Sequence[float] = RETRY_DELAYS_S
) -> int:
    """Deliver again the alerts whose delivery failed (or was cut short); how many got through.

    Only alerts whose rule still exists with a webhook are retried; each gets a full round
    of attempts, numbered after its earlier ones.
    """
    cutoff = datetime.now(timezone.utc) - timedelta(seconds=STALE_PENDING_S)
    with _database_errors("retry the alerts"):
        rules = {rule.id: rule for rule in list_rules(store)}
        delivered = 0
        for alert in alert_store.retryable(store.conn, cutoff.isoformat(timespec="seconds")):
            rule = rules.get(alert["rule_id"])
            if rule is not None:  # removed meanwhile otherwise
                delivered += _deliver(store, alert["id"], rule, sender or post_json, delays)
    return delivered


def payload(alert: Mapping[str, Any], rule: AlertRule) -> dict[str, Any]:
    """The JSON a webhook receives: the alert, the rule that raised it, the event summary."""
    keys = ("id", "rule_id", "rule_name", "event_id", "kind", "created_at")
    return {"alert": {k: alert[k] for k in keys}, "rule": rule.to_dict(), "event": alert["event"]}


@dataclass(frozen=True)
class _Outcome:
    """One delivery attempt: the HTTP status if any answer came, else why not."""

    status_code: int | None
    error: str | None
    retry: bool  # worth another attempt: no answer, or a server error


def _deliver(
    store: Store, alert_id: int, rule: AlertRule, sender: Sender, delays: Sequence[float]
) -> bool:
    """POST the alert to its rule's webhook, retrying; log each attempt; True if delivered."""
    alert = alert_store.get_alert(store.conn, alert_id)
    if alert is None or rule.webhook is None:
        return False
    body = json.dumps(payload(alert, rule)).encode()
    for number, wait in enumerate((0.0, *delays), start=1):
        time.sleep(wait)
        outcome = _attempt(sender, rule.webhook, body)
        last = outcome.error is None or not outcome.retry or number > len(delays)
        _record(store, alert_id, outcome, last)
        if last:
            return outcome.error is None
    return False


def _record(store: Store, alert_id: int, outcome: _Outcome, last: bool) -> None:
    """Log one attempt; after the last one, mark the alert delivered or failed."""
    with store.transaction():
        now = _now()
        alert_store.record_attempt(store.conn, alert_id, outcome.status_code, outcome.error, now)
        if last:
            delivered = outcome.error is None
            status = "delivered" if delivered else "failed"
            alert_store.set_status(store.conn, alert_id, status, now if delivered else None)


def _attempt(sender: Sender, url: str, body: bytes) -> _Outcome:
    """One POST: delivered on 2xx; retried on no answer, 5xx or 429; failed otherwise."""
    try:
        code = sender(url, body)
    except Exception as exc:  # a webhook must never break ingestion, whatever it does
        retry = isinstance(exc, (OSError, http.client.HTTPException))
        return _Outcome(None, _describe(exc, url), retry)
    if 200 <= code < 300:
        return _Outcome(code, None, False)
    return _Outcome(code, f"HTTP {code}", code >= 500 or code == 429)


def _describe(exc: Exception, url: str) -> str:
    """Why an attempt got no answer, in words an operator can act on."""
    host = urlsplit(url).netloc
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer from {host} within {TIMEOUT_S:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return f"cannot connect to {host}: connection refused"
    if isinstance(reason, socket.gaierror):
        return f"cannot connect to {host}: host name not found"
    if isinstance(reason, OSError):
        return f"cannot connect to {host}: {reason.strerror or reason}"
    if isinstance(exc, http.client.HTTPException):
        return f"{host} broke off the answer ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as the answer: an alert is POSTed to the configured URL only."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Follow no redirect; the 3xx status becomes a failed attempt."""


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: bytes, *, timeout: float = TIMEOUT_S) -> int:
    """POST a JSON body to a webhook and return the HTTP status, reading a bounded answer.

    Raises OSError (URLError, TimeoutError, ...) when no answer came.
    """
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(MAX_RESPONSE_BYTES)
            return int(response.status)
    except urllib.error.HTTPError as error:
        try:
            error.read(MAX_RESPONSE_BYTES)
        finally:
            error.close()
        return int(error.code)


def alert_line(alert: Mapping[str, Any]) -> str:
    """One line for an alert raised, as `incidex ingest` prints it."""
    head = f"alert: rule {alert['rule_name']} matched event {alert['event_id']} ({alert['kind']})"
    return f"{head}, {delivery_text(alert)}"


def delivery_text(alert: Mapping[str, Any]) -> str:
    """An alert's delivery status in words: delivered, failed and why, no webhook."""
    attempts = alert["attempts"]
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if alert["status"] == "delivered":
        return f"delivered ({tries})"
    if alert["status"] == "failed":
        return f"delivery failed after {tries}: {alert['last_error']}"
    if alert["status"] == "no_webhook":
        return "no webhook"
    return "pending"
