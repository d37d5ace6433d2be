"""Merging: reports of one real-world act, from several articles, become one event.

Two incidents are one event when their dates agree (same day, a day apart, or the same
month when either is only dated to the month), their places agree (same name, or a few
kilometres apart, or one only gives the province the other lies in), and their attack types
and targets are compatible. Acts that only look alike (the same square bombed in two
different years, two car bombs in one city a week apart) stay apart. Pure functions: the
store and `incidex extract` both call them.
"""

from __future__ import annotations

import math
import statistics as stats
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from incidex.names import fold
from incidex.records import Incident

SAME_PLACE_KM = 10.0  # two named places this close are taken as one scene
MAX_DAY_GAP = 1  # reports of one act put it on the same day or a day apart (night attacks)
TOLL_GROWTH = 3  # a death toll can triple between the first and the last report of one act
FIGURES = ("killed", "wounded", "kidnapped", "perpetrators_killed")

#: Attack types that reports of one act use interchangeably ("gunmen attacked" / "snipers").
_TYPE_FAMILIES = (
    {"armed_assault", "sniper", "clash", "execution", "kidnapping", "arson", "prison_break"},
    {"bombing", "suicide_bombing", "indirect_fire"},
    {"security_operation", "clash"},
)
#: Targets that reports of one act use interchangeably ("soldiers" / "security forces").
_TARGET_FAMILIES = (
    {"military", "police", "militia", "kurdish_forces", "government", "prison"},
    {"civilians", "government", "infrastructure"},
    {"militants"},
    {"prison"},
)
_PRECISION_RANK = {"place": 0, "admin2": 1, "admin1": 2, "country": 3}
_DATE_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}


def same_event(a: Incident, b: Incident) -> bool:
    """True when two incidents can report the same act (codebook section 7 and issue 3)."""
    return (
        a.country == b.country
        and dates_agree(a, b)
        and places_agree(a, b)
        and _in_family(a.attack_type, b.attack_type, _TYPE_FAMILIES, "other")
        and _in_family(a.target, b.target, _TARGET_FAMILIES, "unknown")
        and _coarse_needs_figures(a, b)
    )


def dates_agree(a: Incident, b: Incident) -> bool:
    """Same day or a day apart; same month when either is dated to the month only."""
    if a.date is None or b.date is None:
        return False
    if "year" in (a.date_precision, b.date_precision):
        return a.date[:4] == b.date[:4] and a.date_precision == b.date_precision
    if "month" in (a.date_precision, b.date_precision):
        return a.date[:7] == b.date[:7]
    gap = abs((date.fromisoformat(a.date[:10]) - date.fromisoformat(b.date[:10])).days)
    return gap <= MAX_DAY_GAP


def places_agree(a: Incident, b: Incident) -> bool:
    """Same named place, a few kilometres apart, or one only names the other's province."""
    if a.location and b.location and fold(a.location) == fold(b.location):
        return True
    coarse = {"admin1", "country"} & {a.geo_precision, b.geo_precision}
    if coarse:
        return a.admin1 == b.admin1 or "country" in coarse
    if None in (a.lat, a.lon, b.lat, b.lon):
        return False
    return _km(a, b) <= SAME_PLACE_KM


def _km(a: Incident, b: Incident) -> float:
    """Great-circle distance between two incidents' coordinates."""
    p1, p2 = math.radians(a.lat or 0.0), math.radians(b.lat or 0.0)
    dp, dl = p2 - p1, math.radians((b.lon or 0.0) - (a.lon or 0.0))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _in_family(a: str, b: str, families: Sequence[set[str]], wildcard: str) -> bool:
    """Equal values, a wildcard, or two values of one family."""
    return a == b or wildcard in (a, b) or any(a in f and b in f for f in families)


def _coarse_needs_figures(a: Incident, b: Incident) -> bool:
    """A report that only gives the province or country joins an event only when its
    reported toll does not contradict: too many acts share a province and a day."""
    if not {"admin1", "country"} & {a.geo_precision, b.geo_precision}:
        return True
    if a.killed is None or b.killed is None:
        return a.attack_type == b.attack_type and a.killed == b.killed
    return _close(a.killed, b.killed)


def _close(x: int, y: int) -> bool:
    """Tolls that can be one act's, as a first and a final count (13 and 32, not 2 and 30)."""
    low, high = sorted((x, y))
    return high <= max(low * TOLL_GROWTH, low + 5)


@dataclass(frozen=True)
class Spread:
    """The reported values of one figure across an event's sources (as UCDP codes them)."""

    low: int | None
    high: int | None
    best: int | None


def spread(values: Sequence[int | None]) -> Spread:
    """Lowest, highest and a best estimate (the lower median) of reported values."""
    reported = sorted(v for v in values if v is not None)
    if not reported:
        return Spread(None, None, None)
    return Spread(reported[0], reported[-1], stats.median_low(reported))


def representative(incidents: Sequence[Incident]) -> Incident:
    """The member that says most precisely when and where: it names the event."""
    return min(
        incidents,
        key=lambda i: (
            _PRECISION_RANK.get(i.geo_precision, 9),
            _DATE_RANK.get(i.date_precision, 9),
            i.perpetrator is None,
        ),
    )


def cluster(incidents: Sequence[tuple[str, Incident]]) -> list[int]:
    """Event numbers for incidents given as (article id, incident), in order.

    An incident joins the first earlier event it agrees with whose members come from
    other articles; incidents of one article are never merged with each other.
    """
    events: list[list[tuple[str, Incident]]] = []
    labels: list[int] = []
    for doc, incident in incidents:
        label = next(
            (
                n
                for n, members in enumerate(events)
                if all(d != doc for d, _ in members) and _agrees(incident, members)
            ),
            None,
        )
        if label is None:
            label = len(events)
            events.append([])
        events[label].append((doc, incident))
        labels.append(label)
    return labels


def _agrees(incident: Incident, members: Sequence[tuple[str, Incident]]) -> bool:
    """An incident agrees with an event when it agrees with its most precise member."""
    return same_event(incident, representative([m for _, m in members]))
