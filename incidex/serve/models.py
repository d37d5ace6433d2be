"""Request and response bodies of the HTTP API, so `/openapi.json` documents every field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

#: Attack types of codebook section 4.
AttackType = Literal[
    "armed_assault",
    "bombing",
    "suicide_bombing",
    "indirect_fire",
    "sniper",
    "kidnapping",
    "execution",
    "arson",
    "prison_break",
    "security_operation",
    "clash",
    "other",
]
#: Orders of a listing: by date or best-estimate toll, `-` for descending.
Sort = Literal["date", "-date", "killed", "-killed"]
#: Keys of `GET /api/aggregates`.
AggregateBy = Literal["month", "week", "admin1", "attack_type", "perpetrator"]

#: Longest article text or markup accepted, in characters (the file readers take 20 MiB).
MAX_ARTICLE_CHARS = 20 * 2**20
#: Most articles in one `POST /api/articles` (each is extracted before the answer).
MAX_BATCH = 100


class Coded(BaseModel):
    """The codebook fields (section 2) shared by incidents, reports and events."""

    date: str | None = Field(None, description="YYYY-MM-DD, YYYY-MM or YYYY (date_precision)")
    date_precision: str = Field(description="day, month, year or unknown")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code, e.g. IQ")
    admin1: str | None = Field(None, description="first-level division (province)")
    location: str | None = Field(None, description="most specific named place")
    lat: float | None = Field(None, description="latitude of location, else of admin1")
    lon: float | None = Field(None, description="longitude of location, else of admin1")
    geo_precision: str = Field(description="place, admin2, admin1 or country")
    attack_type: str = Field(description="codebook section 4 attack type")
    perpetrator: str | None = Field(None, description="canonical actor who carried it out")
    attribution: str = Field(description="claimed, attributed or unknown")
    target: str = Field(description="codebook section 4 target")


class Figures(BaseModel):
    """What one report says of the toll; None when it does not say."""

    killed: int | None = Field(None, description="people killed on the target side")
    wounded: int | None = Field(None, description="people wounded on the target side")
    kidnapped: int | None = Field(None, description="people abducted")
    perpetrators_killed: int | None = Field(None, description="attackers killed")


class ArticleMeta(BaseModel):
    """Where a report comes from."""

    doc: str | None = Field(None, description="the article's input id")
    source: str | None = Field(None, description="outlet")
    url: str | None = None
    title: str | None = None
    published: str | None = Field(None, description="publication date, YYYY-MM-DD")


class Incident(Coded, Figures, ArticleMeta):
    """One incident: one report of an act, with its article and evidence."""

    id: int = Field(description="incident id")
    event: int | None = Field(None, description="id of the event it reports")
    evidence: list[str] = Field(description="the article's sentences stating it, verbatim")


class Event(Coded):
    """One real-world act: the fields of its most precise report, the spread of its figures."""

    id: int = Field(description="event id")
    killed: int | None = Field(None, description="best estimate: lower median of the reports")
    killed_low: int | None = Field(None, description="lowest figure reported")
    killed_high: int | None = Field(None, description="highest figure reported")
    wounded: int | None = None
    wounded_low: int | None = None
    wounded_high: int | None = None
    kidnapped: int | None = None
    kidnapped_low: int | None = None
    kidnapped_high: int | None = None
    perpetrators_killed: int | None = None
    perpetrators_killed_low: int | None = None
    perpetrators_killed_high: int | None = None
    sources: int = Field(description="articles reporting it, copies included")
    first_seen: str | None = Field(None, description="when it was first stored (UTC)")
    updated_at: str | None = Field(None, description="when a report last changed it (UTC)")


class Page(BaseModel):
    """The counts of a listing page."""

    total: int = Field(description="rows matching the filters, on every page")
    limit: int
    offset: int


class IncidentPage(Page):
    """A page of incidents."""

    items: list[Incident]


class EventPage(Page):
    """A page of events."""

    items: list[Event]


class Report(Coded, Figures, ArticleMeta):
    """One source of an event: its incident, article (with text) and evidence."""

    id: int = Field(description="incident id")
    text: str | None = Field(None, description="the article's cleaned text")
    evidence: list[str]


class Copy(BaseModel):
    """A near-verbatim copy of a reporting article (a wire repost): one more source."""

    doc: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    duplicate_of: int = Field(description="id of the article it copies")


class EventDetail(Event):
    """One event with its reports, copies and the fields its sources disagree on."""

    reports: list[Report]
    copies: list[Copy]
    disagreements: dict[str, list[tuple[Any, list[str]]]] = Field(
        description="field -> [[value, [sources giving it]], ...], for fields that differ"
    )


class Point(BaseModel):
    """A GeoJSON Point."""

    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float] = Field(description="[longitude, latitude]")


class EventProperties(BaseModel):
    """What a map needs of an event."""

    id: int
    date: str | None
    attack_type: str
    perpetrator: str | None
    target: str
    killed: int | None
    killed_low: int | None
    killed_high: int | None
    wounded: int | None
    sources: int
    location: str | None
    admin1: str | None
    country: str | None
    geo_precision: str


class Feature(BaseModel):
    """One event on a map."""

    type: Literal["Feature"] = "Feature"
    id: int
    geometry: Point
    properties: EventProperties


class FeatureCollection(BaseModel):
    """Events with coordinates, as GeoJSON (RFC 7946)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]


class AggregateRow(BaseModel):
    """Events of one key and their best-estimate tolls added up."""

    key: str | None = Field(description="the month, Monday, province...; null for none")
    events: int
    killed: int = Field(description="sum of best estimates (unknown counts as 0)")
    wounded: int


class Aggregates(BaseModel):
    """Rows of an aggregate; they add up to the events listing's total."""

    by: AggregateBy
    rows: list[AggregateRow]


def _publication_date(value: Any) -> Any:
    """A publication date as YYYY-MM-DD from a date or timestamp; None when unreadable.

    Anything but a string is returned as it is, for the type check to refuse (422): an
    object or a number is a broken client, not a date to detect in the text.
    """
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None  # as the file readers do: the date is then detected in the text


class ArticleIn(BaseModel):
    """An article as crawlers deliver it: `text` or `html`, and optional metadata."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=500, description="the article's id")
    text: str | None = Field(None, max_length=MAX_ARTICLE_CHARS, description="plain text")
    html: str | None = Field(None, max_length=MAX_ARTICLE_CHARS, description="raw markup")
    published: str | None = Field(None, description="publication date or timestamp, ISO 8601")
    url: str | None = Field(None, max_length=4000)
    title: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=500, description="outlet")

    @field_validator("published", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        """Keep the day of a timestamp; an unreadable date is left to detection."""
        return _publication_date(value)

    @model_validator(mode="after")
    def _has_text(self) -> ArticleIn:
        """An article needs its text or its markup."""
        if self.text is None and self.html is None:
            raise ValueError('an article needs "text" or "html"')
        return self


class ArticleBatch(BaseModel):
    """Several articles in one request."""

    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_BATCH)


class AlertEvent(BaseModel):
    """The event as it was when an alert was raised."""

    model_config = ConfigDict(extra="allow")

    id: int
    date: str | None = None
    country: str | None = None
    admin1: str | None = None
    location: str | None = None
    lat: float | None = None
    lon: float | None = None
    attack_type: str | None = None
    perpetrator: str | None = None
    target: str | None = None
    killed: int | None = None
    wounded: int | None = None
    sources: int | None = None


class Alert(BaseModel):
    """An alert a rule raised for an event, with the state of its webhook delivery."""

    id: int
    rule_id: int | None = Field(description="the rule; null once it was removed")
    rule_name: str = Field(description="the rule's name when the alert was raised")
    event_id: int
    kind: Literal["new", "updated"] = Field(description="the event was created or changed")
    created_at: str = Field(description="when it was raised (UTC)")
    status: Literal["pending", "delivered", "failed", "no_webhook"] = Field(
        description="webhook delivery: pending, delivered, failed, or no_webhook (page only)"
    )
    attempts: int = Field(description="delivery attempts so far")
    last_error: str | None = Field(None, description="why the last attempt failed")
    delivered_at: str | None = None
    event: AlertEvent


class Alerts(BaseModel):
    """Alerts, newest first."""

    items: list[Alert]


class AlertRuleIn(BaseModel):
    """An alert rule: an event matches when it meets every condition given.

    Strict: `"min_killed": false` or `"lat": "33"` is a mistake to report, not to coerce.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1, max_length=200, description="what the rule watches")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO code, e.g. IQ")
    admin1: str | None = Field(None, max_length=200, description="province (spellings folded)")
    lat: float | None = Field(None, ge=-90, le=90, description="centre of the circle")
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=20000, description="radius of the circle")
    min_killed: int | None = Field(None, ge=0, le=2**31, description="best estimate at least")
    attack_type: AttackType | None = None
    perpetrator: str | None = Field(None, max_length=200, description="part of the name")
    webhook: str | None = Field(
        None, max_length=2000, description="http(s) URL each alert is POSTed to as JSON"
    )

    @field_validator("webhook")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        """A webhook URL must come apart: "http://[::1" or a port past 65535 would not."""
        if value is not None:
            try:
                _ = urlsplit(value).port  # raises ValueError for a bad host or port
            except ValueError as error:
                raise ValueError(f"not a usable URL ({error})") from None
        return value


class AlertRuleOut(BaseModel):
    """A stored rule. `webhook` is shown whole only to holders of the write token.

    No bounds here: rules stored by `incidex alerts add` are listed as they are, even
    where they pass the limits that `POST /api/alerts` puts on new rules.
    """

    model_config = ConfigDict(extra="ignore")

    id: int
    name: str = Field(description="what the rule watches")
    country: str | None = Field(None, description="ISO code, e.g. IQ")
    admin1: str | None = Field(None, description="province (spellings folded)")
    lat: float | None = Field(None, description="centre of the circle")
    lon: float | None = None
    radius_km: float | None = Field(None, description="radius of the circle")
    min_killed: int | None = Field(None, description="best estimate at least")
    attack_type: str | None = Field(None, description="codebook section 4 attack type")
    perpetrator: str | None = Field(None, description="part of the name")
    webhook: str | None = Field(
        None, description="whole for holders of the write token; others see scheme and host"
    )


class AlertRules(BaseModel):
    """The alert rules, oldest first."""

    items: list[AlertRuleOut]


def _body_kind(value: Any) -> str:
    """Which form a POST /api/articles body has: a batch has `articles`."""
    return "batch" if isinstance(value, dict) and "articles" in value else "article"


#: Tags of the two forms of an articles body; validation errors drop them from locations.
BODY_TAGS = ("article", "batch")
#: The body of POST /api/articles: one article, or `{"articles": [...]}`.
ArticlesBody = Annotated[
    Annotated[ArticleIn, Tag("article")] | Annotated[ArticleBatch, Tag("batch")],
    Discriminator(_body_kind),
]


class ArticleResult(BaseModel):
    """What ingesting one article did."""

    id: str = Field(description="the article's id as sent")
    status: Literal["new", "known", "duplicate", "error"] = Field(
        description="new; known (same text already stored, nothing changed); duplicate"
        " (near-verbatim copy: one more source for the original's events); error"
    )
    article_id: int | None = Field(None, description="stored article id")
    duplicate_of: int | None = Field(None, description="the article it copies")
    incidents: int = Field(0, description="incidents stored from it")
    new_events: list[int] = []
    updated_events: list[int] = []
    alerts: list[Alert] = Field([], description="alerts raised for its events")
    error: str | None = Field(None, description="why it could not be ingested")


class IngestResult(BaseModel):
    """One result per article, in the order sent."""

    articles: list[ArticleResult]


class Config(BaseModel):
    """Settings the page needs."""

    tiles: str | None = Field(description="map tile URL template, or null for no base map")
    write: bool = Field(description="whether writing is enabled (a write token is set)")


class Problem(BaseModel):
    """An error: `detail` says what went wrong and what to do."""

    detail: str
    errors: list[dict[str, Any]] | None = Field(
        None, description="for 422: each invalid parameter (loc, msg, type)"
    )


def problem(description: str) -> dict[str, Any]:
    """An error answer, for the `responses` of a route: a `Problem` and what it means."""
    return {"model": Problem, "description": description}


#: Errors every route of the API may answer, documented on the routers.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("missing or wrong token"),
    422: problem("invalid parameter or body; `detail` names it"),
    503: problem("database unavailable"),
}
#: Errors of the routes that write, besides: the token is checked before the body is read.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("missing or wrong write token"),
    503: problem("writing disabled (no token set), or database unavailable"),
}
#: Errors of a request body that cannot be read (routes that take one).
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem("the body is not UTF-8"),
    411: problem("the body was sent without a Content-Length"),
    413: problem("the body is over 32 MiB"),
}
