"""Alert rule endpoints of the HTTP API: list, create and remove rules, see recent alerts.

The rules and alerts themselves are `incidex.alerts`; these routes only translate.
A webhook URL often carries a secret (a chat service's hook token), so it is shown whole
only to callers holding the write token; others see its scheme and host.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from incidex import alerts
from incidex.serve.deps import (
    MAX_SQL_INT,
    ReadStore,
    WriteStore,
    has_write_token,
    require_read,
    require_write,
)
from incidex.serve.models import AlertRuleIn, AlertRuleOut, AlertRules, Alerts, Problem

router = APIRouter(
    prefix="/api/alerts",
    tags=["alerts"],
    responses={401: {"model": Problem, "description": "missing or wrong token"}},
)
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": Problem, "description": "invalid rule; `detail` names the field"},
    503: {"model": Problem, "description": "writing disabled: no token set"},
}


def redact(url: str | None) -> str | None:
    """A webhook URL cut to its scheme, host and port: "https://hooks.example.org/…"."""
    if url is None:
        return None
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}/…"


def _shown(rule: alerts.AlertRule, request: Request) -> dict[str, Any]:
    """A rule as the caller may see it: the webhook whole only for the write token."""
    fields = asdict(rule)
    if not has_write_token(request):
        fields["webhook"] = redact(rule.webhook)
    return fields


@router.get(
    "", response_model=AlertRules, dependencies=[Depends(require_read)], summary="Alert rules"
)
def list_rules(store: ReadStore, request: Request) -> dict[str, Any]:
    """Every rule, oldest first."""
    return {"items": [_shown(rule, request) for rule in alerts.list_rules(store)]}


@router.post(
    "",
    response_model=AlertRuleOut,
    status_code=201,
    dependencies=[Depends(require_write)],
    responses=_WRITE_ERRORS,
    summary="Create an alert rule",
)
def create_rule(store: WriteStore, body: AlertRuleIn, request: Request) -> dict[str, Any]:
    """Store a rule; it returns with its `id`."""
    try:
        rule = alerts.AlertRule(**body.model_dump())
    except alerts.AlertRuleError as error:
        raise HTTPException(422, str(error)) from error
    return _shown(alerts.add_rule(store, rule), request)


@router.delete(
    "/{rule_id}",
    status_code=204,
    response_class=Response,
    dependencies=[Depends(require_write)],
    responses={404: {"model": Problem, "description": "no such rule"}, **_WRITE_ERRORS},
    summary="Remove an alert rule",
)
def delete_rule(store: WriteStore, rule_id: Annotated[int, Path(ge=1, le=MAX_SQL_INT)]) -> Response:
    """Remove a rule; its past alerts stay, under its name."""
    if not alerts.remove_rule(store, rule_id):
        raise HTTPException(404, f"no alert rule {rule_id}; GET /api/alerts lists them")
    return Response(status_code=204)


@router.get(
    "/recent",
    response_model=Alerts,
    dependencies=[Depends(require_read)],
    summary="Recent alerts",
)
def recent(
    store: ReadStore,
    limit: Annotated[int, Query(ge=1, le=1000, description="how many, newest first")] = 50,
) -> dict[str, Any]:
    """The latest alerts raised, each with its rule, event summary and delivery status."""
    return {"items": alerts.recent_alerts(store, limit)}
