"""Place mentions of a sentence, with how the text relates them to the act.

"in Samarra" names where it happened; "north of Baghdad" only gives a landmark; "near
Khanaqin" or "on the outskirts of Khanaqin" locates it to the district, not the town.
The gazetteer's scanner finds the names and their relation; this module adds the article's
countries, so that a name shared by many countries resolves to the one the article is about.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from incidex.geocode import GazEntry, PlaceMention, distance_km, find_place_mentions, load_gazetteer
from incidex.geocode.gazetteer import PROJECT
from incidex.names import fold

SAME_PLACE_KM = 25.0  # codebook section 7: places this close are one place
BROAD_KINDS = {"admin1", "country"}
_ROLES = {"in": "at", "near": "near", "reference": "landmark"}
_CAPITALISED = re.compile(r"[A-Z][\w’'\-]+")


@dataclass(frozen=True)
class PlaceHit:
    """A place named in a sentence and its role: where it happened, near it, or a landmark."""

    mention: PlaceMention
    role: str  # at | near | landmark

    @property
    def entry(self) -> GazEntry | None:
        """The best gazetteer entry, None for a place the gazetteer lacks."""
        return self.mention.entries[0] if self.mention.entries else None

    @property
    def kind(self) -> str:
        """place, area, admin2, admin1 or country (a hint for unknown places)."""
        entry = self.entry
        return entry.kind if entry else (self.mention.kind_hint or "place")


def article_countries(text: str) -> Counter[str]:
    """Countries an article is about: named, or holding places of the project's tables."""
    gazetteer = load_gazetteer()
    counts: Counter[str] = Counter()
    for match in _CAPITALISED.finditer(text):
        code = gazetteer.country(match.group(0).removesuffix("’s").removesuffix("'s"))
        if code:
            counts[code] += 1
    for mention in find_place_mentions(text):
        entry = mention.entries[0] if mention.entries else None
        if entry is not None and entry.source == PROJECT:
            counts[entry.country] += 1
    return counts


def find_places(
    text: str, countries: frozenset[str] | None = None, main: str | None = None
) -> list[PlaceHit]:
    """Places of a sentence with their roles, candidates limited to the article's countries
    and those of its main country first (Anbar the Iraqi province, not a village abroad)."""
    hits = []
    for mention in find_place_mentions(text, countries=countries or None):
        entries = sorted(mention.entries, key=lambda e: e.country != main)
        hits.append(
            PlaceHit(replace(mention, entries=tuple(entries)), _ROLES.get(mention.relation, "at"))
        )
    return hits


def places_compatible(a: PlaceHit, b: PlaceHit) -> bool:
    """True when two mentions can name the same place: same name, one inside the other, or close."""
    if fold(a.mention.text) == fold(b.mention.text):
        return True
    ea, eb = a.entry, b.entry
    if ea is None or eb is None:
        return True
    if ea.country != eb.country:
        return False
    if "country" in (ea.kind, eb.kind):
        return True
    if "admin1" in (ea.kind, eb.kind):
        return ea.admin1 == eb.admin1
    return distance_km(ea.lat, ea.lon, eb.lat, eb.lon) <= SAME_PLACE_KM
