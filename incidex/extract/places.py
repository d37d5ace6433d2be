"""Place mentions of a sentence, with how the text relates them to the act.

"in Samarra" names where it happened; "north of Baghdad" only gives a landmark; "near
Khanaqin" or "on the outskirts of Khanaqin" locates it to the district, not the town.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from incidex.geocode import GazEntry, PlaceMention, find_place_mentions
from incidex.names import fold

_LANDMARK = re.compile(
    r"(?:\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|"
    r"north-west|south-east|south-west)(?:ern)?\s+of|\b(?:km|kilometers|kilometres|miles)\s*\)?\s*"
    r"(?:\w+\s+)?(?:of|from)|\baway from|\bthe provincial capital|\bcapital,?|\bfrom)\s+"
    r"(?:the\s+(?:city|town|capital|province|district|village)\s+of\s+)?(?:the\s+)?$",
    re.I,
)
_NEAR = re.compile(
    r"\b(?:near|outskirts of|close to|vicinity of|outside|around|surrounding|edge of)\s+"
    r"(?:the\s+(?:town|city|village|district)\s+of\s+)?(?:the\s+)?$",
    re.I,
)
_LOOKBEHIND = 60  # characters before a place searched for "north of", "near"
SAME_PLACE_KM = 25.0  # codebook section 7: places this close are one place
BROAD_KINDS = {"admin1", "country"}


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


def find_places(text: str) -> list[PlaceHit]:
    """Places of a sentence with their roles."""
    hits = []
    for mention in find_place_mentions(text):
        before = text[max(0, mention.start - _LOOKBEHIND) : mention.start]
        role = "landmark" if _LANDMARK.search(before) else "near" if _NEAR.search(before) else "at"
        hits.append(PlaceHit(mention, role))
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


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
