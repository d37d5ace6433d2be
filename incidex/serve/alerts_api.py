"""Alert rule endpoints of the HTTP API: list, create and remove rules, see recent alerts.

The rules and alerts themselves are `incidex.alerts`; these routes only translate.
A webhook URL often carries a secret (a chat service's hook token), so it is shown whole
only to callers holding the write token; others see its scheme and host.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, Security

from incidex import alerts
from incidex.serve.deps import (
    MAX_SQL_INT,
    ReadStore,
    WriteRoute,
    WriteStore,
    has_write_token,
    require_read,
    write_token_scheme,
)
from incidex.serve.models import (
    BODY_ERRORS,
    ERRORS,
    WRITE_ERRORS,
    AlertRuleIn,
    AlertRuleOut,
    AlertRules,
    Alerts,
    problem,
)

#: Reading rules and alerts; `router` below holds these and the writes.
reads = APIRouter(
    prefix="/api/alerts",
    tags=["alerts"],
    dependencies=[Depends(require_read)],
    responses=ERRORS,
)
#: Creating and removing rules: the write token is checked before the body is read.
writes = APIRouter(
    prefix="/api/alerts",
    tags=["alerts"],
    route_class=WriteRoute,
    dependencies=[Security(write_token_scheme)],
    responses={**ERRORS, **WRITE_ERRORS},
)


def redact(url: str | None) -> str | None:
    """A webhook URL cut to its scheme, host and port: "https://hooks.example.org/…".

    A URL that does not come apart (a rule stored before it was checked) shows as "…".
    """
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "…"
    return f"{parts.scheme}://{parts.hostname or ''}{port}/…"


def _shown(rule: alerts.AlertRule, request: Request) -> dict[str, Any]:
    """A rule as the caller may see it: the webhook whole only for the write token."""
    fields = asdict(rule)
    if not has_write_token(request):
        fields["webhook"] = redact(rule.webhook)
    return fields


@reads.get("", response_model=AlertRules, summary="Alert rules")
def list_rules(store: ReadStore, request: Request) -> dict[str, Any]:
    """Every rule, oldest first."""
    return {"items": [_shown(rule, request) for rule in alerts.list_rules(store)]}


@reads.get("/recent", response_model=Alerts, summary="Recent alerts")
def recent(
    store: ReadStore,
    limit: Annotated[int, Query(ge=1, le=1000, description="how many, newest first")] = 50,
) -> dict[str, Any]:
    """The latest alerts raised, each with its rule, event summary and delivery status."""
    return {"items": alerts.recent_alerts(store, limit)}


@writes.post(
    "",
    response_model=AlertRuleOut,
    status_code=201,
    responses={422: problem("invalid rule; `detail` names the field"), **BODY_ERRORS},
    summary="Create an alert rule",
)
def create_rule(store: WriteStore, body: AlertRuleIn, request: Request) -> dict[str, Any]:
    """Store a rule; it returns with its `id`."""
    try:
        rule = alerts.AlertRule(**body.model_dump())
    except ValueError as error:  # AlertRuleError, or a URL that does not come apart
        raise HTTPException(422, str(error)) from error
    return _shown(alerts.add_rule(store, rule), request)


@writes.delete(
    "/{rule_id:int}",  # digits only, so DELETE /api/alerts/recent is 405, not a bad id
    status_code=204,
    response_class=Response,
    responses={404: problem("no such rule")},
    summary="Remove an alert rule",
)
def delete_rule(store: WriteStore, rule_id: Annotated[int, Path(ge=1, le=MAX_SQL_INT)]) -> Response:
    """Remove a rule; its past alerts stay, under its name."""
    if not alerts.remove_rule(store, rule_id):
        raise HTTPException(404, f"no alert rule {rule_id}; GET /api/alerts lists them")
    return Response(status_code=204)


#: Every alerts route, reads first: `/recent` is matched before `/{rule_id}`.
router = APIRouter()
router.include_router(reads)
router.include_router(writes)
