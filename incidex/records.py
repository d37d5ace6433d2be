"""Records passed between pipeline stages: Article in, Extraction out.

Every stage takes and returns these frozen dataclasses, so the NLP stages stay pure
functions that a distributed engine can run unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Field order of one incident in the codebook's output (section 6).
INCIDENT_FIELDS = (
    "date",
    "date_precision",
    "country",
    "admin1",
    "location",
    "lat",
    "lon",
    "geo_precision",
    "attack_type",
    "perpetrator",
    "attribution",
    "target",
    "killed",
    "wounded",
    "kidnapped",
    "perpetrators_killed",
    "evidence",
)


@dataclass(frozen=True)
class Article:
    """One news article as read from its source; `text` is plain text, `html` raw markup."""

    id: str
    text: str = ""
    html: str | None = None
    published: str | None = None
    url: str | None = None
    title: str | None = None
    source: str | None = None
    origin: str = ""


@dataclass(frozen=True)
class Place:
    """A resolved place: what the codebook needs to locate an incident."""

    country: str | None
    admin1: str | None
    location: str | None
    lat: float | None
    lon: float | None
    geo_precision: str  # place | admin2 | admin1 | country


@dataclass(frozen=True)
class Incident:
    """One act of political violence, coded as codebook section 2 says."""

    date: str | None = None
    date_precision: str = "unknown"
    country: str | None = None
    admin1: str | None = None
    location: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: str = "country"
    attack_type: str = "other"
    perpetrator: str | None = None
    attribution: str = "unknown"
    target: str = "unknown"
    killed: int | None = None
    wounded: int | None = None
    kidnapped: int | None = None
    perpetrators_killed: int | None = None
    evidence: tuple[str, ...] = ()
    event: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The codebook's JSON form; `event` only when merging assigned one."""
        data = {name: getattr(self, name) for name in INCIDENT_FIELDS}
        data["evidence"] = list(self.evidence)
        if self.event is not None:
            data["event"] = self.event
        return data


@dataclass(frozen=True)
class Statistic:
    """An aggregate figure (codebook section 5): reported, never scored as an incident."""

    claim: str
    count: int
    what: str
    where: str | None = None
    from_: str | None = None
    to: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The codebook's JSON form (`from` is a Python keyword, hence `from_`)."""
        data = asdict(self)
        data["from"] = data.pop("from_")
        return {k: data[k] for k in ("claim", "count", "what", "where", "from", "to", "source")}


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article: the codebook's per-article output."""

    doc: str
    published: str | None
    title: str | None
    source: str | None
    incidents: tuple[Incident, ...] = ()
    statistics: tuple[Statistic, ...] = ()
    url: str | None = None
    text: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """One JSON line of `incidex extract` output (codebook section 6)."""
        return {
            "doc": self.doc,
            "published": self.published,
            "title": self.title,
            "source": self.source,
            "incidents": [incident.to_dict() for incident in self.incidents],
            "statistics": [stat.to_dict() for stat in self.statistics],
        }


@dataclass(frozen=True)
class Processed:
    """An article after every stage: cleaned text, its content key and what it reports."""

    article: Article
    extraction: Extraction
    content_hash: str
    signature: tuple[int, ...]
