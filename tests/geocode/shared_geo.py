"""Readers for the reference data in ../shared/geo/ (read in tests, never copied)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

from incidex.names import fold

SHARED_GEO = Path(__file__).resolve().parents[3] / "shared" / "geo"
Ring = Sequence[Sequence[float]]

#: simplemaps governorate names -> codebook canonical names.
SIMPLEMAPS_NAMES = {
    "Dihok": "Duhok",
    "Arbil": "Erbil",
    "Al-Basrah": "Basra",
    "Al-Muthannia": "Muthanna",
    "As-Sulaymaniyah": "Sulaymaniyah",
    "Diyala": "Diyala",
    "Wasit": "Wasit",
    "Maysan": "Maysan",
    "Al-Anbar": "Anbar",
    "An-Najaf": "Najaf",
    "Ninawa": "Nineveh",
    "Sala ad-Din": "Salah al-Din",
    "At-Ta'mim": "Kirkuk",
    "Baghdad": "Baghdad",
    "Babil": "Babil",
    "Al-Qādisiyyah": "Qadisiyah",
    "Dhi-Qar": "Dhi Qar",
    "Karbala'": "Karbala",
}


def governorates() -> dict[str, list[Ring]]:
    """Canonical governorate name -> polygon rings (outer ring first)."""
    data = json.loads((SHARED_GEO / "iraq_governorates_simplemaps" / "iq.json").read_text())
    out: dict[str, list[Ring]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        name = SIMPLEMAPS_NAMES[feature["properties"]["name"]]
        out[name] = [polygon[0] for polygon in polygons]
    return out


def inside(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting point-in-polygon test on one (lon, lat) ring."""
    result = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result


def _segment_km(lat: float, lon: float, a: Sequence[float], b: Sequence[float]) -> float:
    """Distance from a point to a segment, on a local equirectangular plane."""
    kx = 111.32 * math.cos(math.radians(lat))
    ax, ay = (a[0] - lon) * kx, (a[1] - lat) * 110.57
    bx, by = (b[0] - lon) * kx, (b[1] - lat) * 110.57
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
    return math.hypot(ax + t * dx, ay + t * dy)


def border_km(lat: float, lon: float, rings: list[Ring]) -> float:
    """Distance from a point to the nearest edge of a governorate."""
    return min(
        _segment_km(lat, lon, ring[i - 1], ring[i]) for ring in rings for i in range(1, len(ring))
    )


def containing(lat: float, lon: float, polygons: dict[str, list[Ring]]) -> str | None:
    """The governorate whose polygon contains the point."""
    for name, rings in polygons.items():
        if any(inside(lon, lat, ring) for ring in rings):
            return name
    return None


def hoshmandent_towns() -> Iterator[tuple[str, float, float]]:
    """(name, lat, lon) of the 68 towns of the hoshmandent data set."""
    path = SHARED_GEO / "iraq_cities_hoshmandent" / "cities_data.json"
    for town in json.loads(path.read_text()):
        yield town["name"], float(town["latitude"]), float(town["longitude"])


def geonames_admin1() -> dict[str, tuple[str, str]]:
    """GeoNames admin1 code -> (name, ASCII name)."""
    out = {}
    path = SHARED_GEO / "geonames" / "admin1CodesASCII.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        code, name, ascii_name, _ = line.split("\t")
        out[code] = (name, ascii_name)
    return out


def folded(names: Sequence[str]) -> set[str]:
    """Folded forms of names, for comparisons up to spelling."""
    return {fold(name) for name in names}
