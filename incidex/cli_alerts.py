"""The `incidex alerts` commands: manage alert rules, list the alerts raised, retry delivery."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table

from incidex.alerts import (
    RECENT_LIMIT,
    AlertRule,
    AlertRuleError,
    add_rule,
    describe_rule,
    list_rules,
    recent_alerts,
    remove_rule,
    retry_pending,
)
from incidex.cli_common import DbOption, database, err, missing, out
from incidex.store import Store, StoreError
from incidex.store.backend import display

alerts_app = typer.Typer(
    help="Alert rules: be told, by webhook and on the web page, of events that match them.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
#: Columns of `incidex alerts recent`; the numeric ones are right-aligned.
_RECENT_COLUMNS = (
    "alert", "raised", "rule", "event", "kind", "date", "place", "killed",
    "delivery", "attempts", "last error",
)  # fmt: skip
_NUMERIC = {"alert", "event", "killed", "attempts"}


@contextmanager
def _open(db: str | None, *, create: bool = False) -> Iterator[Store]:
    """The database, or a clean error; only `create` makes a missing one."""
    path = database(db)
    if not create and missing(path):
        err.print(
            f"error: no database at {display(path)}; run `incidex ingest` first", highlight=False
        )
        raise typer.Exit(2)
    try:
        with Store.open(path) as store:
            yield store
    except StoreError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error


def _point(text: str | None) -> tuple[float | None, float | None]:
    """LAT,LON as typed after --near ('34.35,45.39'), or no point."""
    if text is None:
        return None, None
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError as error:
        raise typer.BadParameter(
            f"{text!r} is not LAT,LON like 34.35,45.39", param_hint="--near"
        ) from error
    return lat, lon


@alerts_app.command("add")
def add(
    name: Annotated[str, typer.Option(help="What the rule watches, e.g. 'Diyala bombings'.")],
    country: Annotated[str | None, typer.Option(help="ISO country code, e.g. IQ.")] = None,
    admin1: Annotated[str | None, typer.Option(help="Province, e.g. Diyala.")] = None,
    near: Annotated[
        str | None, typer.Option(help="Centre of the area, LAT,LON; give --radius-km too.")
    ] = None,
    radius_km: Annotated[
        float | None, typer.Option(help="Events within this many km of --near.")
    ] = None,
    min_killed: Annotated[
        int | None, typer.Option(help="At least this many killed (best estimate).")
    ] = None,
    attack_type: Annotated[
        str | None, typer.Option("--type", help="Attack type, e.g. bombing.")
    ] = None,
    perpetrator: Annotated[str | None, typer.Option(help="Part of the perpetrator's name.")] = None,
    webhook: Annotated[
        str | None, typer.Option(help="http(s) URL the alerts are POSTed to as JSON.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add an alert rule: events that meet every condition given raise alerts.

    An event created or updated by ingestion (`incidex ingest`, `incidex watch`, the API)
    that matches raises an alert, shown on the web page and POSTed as JSON to the webhook.

    Example: incidex alerts add --name Diyala --admin1 Diyala --min-killed 3 --webhook URL
    """
    lat, lon = _point(near)
    try:
        rule = AlertRule(
            name=name,
            webhook=webhook,
            country=country,
            admin1=admin1,
            lat=lat,
            lon=lon,
            radius_km=radius_km,
            min_killed=min_killed,
            attack_type=attack_type,
            perpetrator=perpetrator,
        )
    except AlertRuleError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error
    with _open(db, create=True) as store:
        added = add_rule(store, rule)
    out.print(f"rule {added.id} added: {added.name} ({describe_rule(added)})", highlight=False)


@alerts_app.command("list")
def list_(db: DbOption = None) -> None:
    """List the alert rules with their conditions and webhooks.

    Example: incidex alerts list
    """
    with _open(db) as store:
        rules = list_rules(store)
    table = Table(title=f"{len(rules)} alert rules")
    for column in ("rule", "name", "conditions", "webhook"):
        table.add_column(column, justify="right" if column == "rule" else "left")
    for rule in rules:
        table.add_row(str(rule.id), rule.name, describe_rule(rule), rule.webhook or "–")
    out.print(table)


@alerts_app.command("remove")
def remove(
    rule_id: Annotated[int, typer.Argument(help="Rule id, as `incidex alerts list` shows it.")],
    db: DbOption = None,
) -> None:
    """Remove an alert rule; the alerts it raised stay listed under its name.

    Example: incidex alerts remove 3
    """
    with _open(db) as store:
        removed = remove_rule(store, rule_id)
    if not removed:
        err.print(
            f"error: no alert rule {rule_id}; `incidex alerts list` shows them", highlight=False
        )
        raise typer.Exit(1)
    out.print(f"rule {rule_id} removed", highlight=False)


@alerts_app.command("recent")
def recent(
    limit: Annotated[int, typer.Option(min=1, help="At most this many alerts.")] = RECENT_LIMIT,
    db: DbOption = None,
) -> None:
    """List the latest alerts raised, newest first, with the state of their webhook delivery.

    Example: incidex alerts recent --limit 20
    """
    with _open(db) as store:
        alerts = recent_alerts(store, limit)
    table = Table(title=f"{len(alerts)} recent alerts (times in UTC)")
    for column in _RECENT_COLUMNS:
        table.add_column(column, justify="right" if column in _NUMERIC else "left")
    for alert in alerts:
        table.add_row(*_recent_row(alert))
    out.print(table)


def _recent_row(alert: dict[str, Any]) -> tuple[str, ...]:
    """One alert as the cells of the `recent` table."""
    event = alert["event"]
    place = ", ".join(p for p in (event.get("location"), event.get("admin1")) if p)
    killed = event.get("killed")
    return (
        str(alert["id"]),
        alert["created_at"][:19].replace("T", " "),
        alert["rule_name"],
        str(alert["event_id"]),
        alert["kind"],
        event.get("date") or "–",
        place or event.get("country") or "–",
        "–" if killed is None else str(killed),
        alert["status"].replace("_", " "),
        str(alert["attempts"]),
        alert["last_error"] or "–",
    )


@alerts_app.command("retry")
def retry(db: DbOption = None) -> None:
    """Deliver again the alerts whose webhook failed, now that the receiver may be back.

    Example: incidex alerts retry
    """
    with _open(db) as store:
        delivered = retry_pending(store)
    out.print(f"{delivered} alerts delivered", highlight=False)
