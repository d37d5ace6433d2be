"""The read and ingest endpoints of the HTTP API (docs/api.md); alert rules are in alerts_api.

Routes are thin: they parse parameters, call the store, the pipeline or the exporters the
CLI calls, and shape the answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, Security
from fastapi.responses import JSONResponse

from incidex import alerts
from incidex.export import to_acled_csv
from incidex.ingest import InputError
from incidex.pipeline import safe_process
from incidex.records import Article
from incidex.serve.deps import (
    MAX_SQL_INT,
    Filters,
    Memoized,
    PagedFilters,
    ReadStore,
    WriteRoute,
    WriteStore,
    require_read,
    settings_of,
    write_token_scheme,
)
from incidex.serve.models import (
    BODY_ERRORS,
    ERRORS,
    WRITE_ERRORS,
    AggregateBy,
    Aggregates,
    ArticleBatch,
    ArticleIn,
    ArticlesBody,
    Config,
    EventDetail,
    EventPage,
    FeatureCollection,
    IncidentPage,
    IngestResult,
    problem,
)
from incidex.store import IncidentFilter, Store, StoreError
from incidex.store.aggregates import (
    aggregate_events,
    count_events,
    count_incidents,
    event_reports,
)

#: The errors of the GeoJSON route are JSON, not GeoJSON: without this, FastAPI would
#: document them under the route's media type.
_JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": error["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, error in ERRORS.items()
}
#: Columns of an event a map needs (GeoJSON properties).
def _unpaged(flt: IncidentFilter) -> IncidentFilter:
    """The filters without page and order: every page of a listing has the same total."""
    return replace(flt, limit=None, offset=0, sort="date")


_MAP_PROPERTIES = (
    "id",
    "date",
    "attack_type",
    "perpetrator",
    "target",
    "killed",
    "killed_low",
    "killed_high",
    "wounded",
    "sources",
    "location",
    "admin1",
    "country",
    "geo_precision",
)

router = APIRouter(prefix="/api", responses=ERRORS)
reads = APIRouter(dependencies=[Depends(require_read)])
writes = APIRouter(
    route_class=WriteRoute, dependencies=[Security(write_token_scheme)], responses=WRITE_ERRORS
)


class GeoJSONResponse(JSONResponse):
    """JSON with the GeoJSON media type (RFC 7946), so QGIS and browsers recognise it."""

    media_type = "application/geo+json"


@reads.get("/incidents", response_model=IncidentPage, summary="List incidents (reports)")
def list_incidents(store: ReadStore, flt: PagedFilters, memo: Memoized) -> dict[str, Any]:
    """One row per report of an act, with its article and evidence."""
    return {
        "total": memo.get(store, ("incidents", _unpaged(flt)), lambda: count_incidents(store, flt)),
        "limit": flt.limit,
        "offset": flt.offset,
        "items": store.query_incidents(flt),
    }


@reads.get("/events", response_model=EventPage, summary="List events (acts)")
def list_events(store: ReadStore, flt: PagedFilters, memo: Memoized) -> dict[str, Any]:
    """One row per real-world act, with its source count and the spread of its figures."""
    return {
        "total": memo.get(store, ("events", _unpaged(flt)), lambda: count_events(store, flt)),
        "limit": flt.limit,
        "offset": flt.offset,
        "items": store.query_events(flt),
    }


@reads.get(
    "/events.geojson",
    response_model=FeatureCollection,
    response_class=GeoJSONResponse,
    responses=_JSON_ERRORS,
    summary="Events as GeoJSON",
)
def events_geojson(store: ReadStore, flt: Filters) -> dict[str, Any]:
    """Events with coordinates as Point features ([lon, lat]), for QGIS and web maps."""
    features = [
        {
            "type": "Feature",
            "id": event["id"],
            "geometry": {"type": "Point", "coordinates": [event["lon"], event["lat"]]},
            "properties": {name: event[name] for name in _MAP_PROPERTIES},
        }
        for event in store.query_events(flt)
        if event["lat"] is not None and event["lon"] is not None
    ]
    return {"type": "FeatureCollection", "features": features}


@reads.get(
    "/events/{event_id}",
    response_model=EventDetail,
    responses={404: problem("no such event")},
    summary="One event with its sources",
)
def get_event(
    store: ReadStore, event_id: Annotated[int, Path(ge=1, le=MAX_SQL_INT)]
) -> dict[str, Any]:
    """The event, each report (source, figures, evidence, article text), copies, disagreements."""
    event = store.get_event(event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id}; GET /api/events lists them")
    return event


@reads.get("/aggregates", response_model=Aggregates, summary="Events counted by a key")
def aggregates(
    store: ReadStore,
    flt: Filters,
    memo: Memoized,
    by: Annotated[AggregateBy, Query(description="month, week (its Monday), or a field")],
) -> dict[str, Any]:
    """Events, killed and wounded (best estimates) per month, week, province, type or actor.

    Events without the key (a date too vague for the period, no province...) are in the
    row whose key is null, so the rows add up to `GET /api/events`' total.
    """
    rows = memo.get(store, ("aggregates", by, flt), lambda: aggregate_events(store, by, flt))
    return {"by": by, "rows": rows}


@reads.get(
    "/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    summary="Events as ACLED-style CSV",
)
def export_csv(store: ReadStore, flt: Filters) -> Response:
    """Events, oldest first, with ACLED-style columns (see docs/api.md for the mapping)."""
    events = store.query_events(flt)
    reports = event_reports(store, [event["id"] for event in events])
    rows = [{**event, "reports": reports[event["id"]]} for event in events]
    return Response(
        to_acled_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="incidex-events.csv"'},
    )


@reads.get("/config", response_model=Config, summary="Settings for the page")
def config(request: Request) -> dict[str, Any]:
    """The map tile URL and whether writing is enabled."""
    settings = settings_of(request)
    return {"tiles": settings.tiles, "write": settings.token is not None}


@writes.post(
    "/articles", response_model=IngestResult, responses=BODY_ERRORS, summary="Ingest articles"
)
def post_articles(store: WriteStore, body: ArticlesBody) -> dict[str, Any]:
    """Extract, store and merge one article or `{"articles": [...]}`; raise their alerts."""
    articles = body.articles if isinstance(body, ArticleBatch) else [body]
    return {"articles": [ingest(store, article, n) for n, article in enumerate(articles)]}


def ingest(store: Store, sent: ArticleIn, number: int) -> dict[str, Any]:
    """Process, store and alert on one article; its failure does not stop the batch.

    Returns the fields of an `ArticleResult` (the response model fills the rest).
    """
    article = Article(
        id=sent.id,
        text=sent.text or "",
        html=sent.html if sent.text is None else None,
        published=sent.published,
        url=sent.url,
        title=sent.title,
        source=sent.source,
        origin=f"POST /api/articles#{number + 1}",
    )
    processed = safe_process(article)
    if isinstance(processed, InputError):
        return {"id": sent.id, "status": "error", "error": processed.message}
    try:
        added = store.add(
            processed.article, processed.extraction, processed.content_hash, processed.signature
        )
    except StoreError as error:
        return {"id": sent.id, "status": "error", "error": str(error)}
    try:
        sent_alerts, problem = alerts.notify(store, added), None
    except StoreError as error:  # the article is stored; only its alerts are missing
        sent_alerts, problem = [], f"stored, but its alerts could not be recorded: {error}"
    return {
        "id": sent.id,
        "status": added.status,
        "article_id": added.article_id,
        "duplicate_of": added.duplicate_of,
        "incidents": len(processed.extraction.incidents) if added.status == "new" else 0,
        "new_events": list(added.new_events),
        "updated_events": list(added.updated_events),
        "alerts": sent_alerts,
        "error": problem,
    }


router.include_router(reads)
router.include_router(writes)
