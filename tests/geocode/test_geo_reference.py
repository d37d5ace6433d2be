"""The Iraqi tables against third-party reference geography (read from ../shared/geo)."""

from __future__ import annotations

import pytest
from shared_geo import border_km, containing, governorates, hoshmandent_towns

from incidex.geocode import Gazetteer, distance_km, resolve
from incidex.geocode.gazetteer import DATA_DIR, read_tsv

pytestmark = pytest.mark.usefixtures("shared_geo")

#: A point may sit this far outside its declared governorate (polygons are simplified).
BORDER_TOLERANCE_KM = 15.0
#: The simplemaps "Baghdad" polygon covers the city only (44.22-44.54 E, 33.18-33.43 N),
#: not the governorate's rural belt (Tarmiyah, Taji, Abu Ghraib, Mahmudiya, Madain).
BAGHDAD_TOLERANCE_KM = 35.0
#: Share of the Iraqi rows that must lie inside their declared governorate polygon.
MIN_INSIDE_RATE = 0.9
#: Share of the reference towns whose name must resolve within 25 km of the reference.
MIN_TOWN_RATE = 0.9


def _iraqi_points() -> list[tuple[str, str, float, float]]:
    """(name, declared governorate, lat, lon) of Iraqi places and province centres."""
    places = [
        (row["name"], row["admin1"], float(row["lat"]), float(row["lon"]))
        for row in read_tsv(DATA_DIR / "places.tsv")
        if row["country"] == "IQ"
    ]
    centres = [
        (row["name"], row["name"], float(row["lat"]), float(row["lon"]))
        for row in read_tsv(DATA_DIR / "admin1.tsv")
        if row["country"] == "IQ"
    ]
    return places + centres


def test_iraqi_points_lie_in_their_governorate() -> None:
    polygons = governorates()
    inside, mismatches = 0, []
    points = _iraqi_points()
    for name, declared, lat, lon in points:
        polygon = "Sulaymaniyah" if declared == "Halabja" else declared  # no Halabja polygon
        found = containing(lat, lon, polygons)
        if found == polygon:
            inside += 1
            continue
        distance = border_km(lat, lon, polygons[polygon])
        tolerance = BAGHDAD_TOLERANCE_KM if polygon == "Baghdad" else BORDER_TOLERANCE_KM
        if distance > tolerance:
            mismatches.append(f"{name}: declared {declared}, in {found}, {distance:.0f} km out")
    rate = inside / len(points)
    print(f"\n{inside}/{len(points)} Iraqi points inside their polygon ({rate:.0%})")
    assert mismatches == []
    assert rate >= MIN_INSIDE_RATE


def test_reference_towns_resolve_close_to_their_coordinates(gaz: Gazetteer) -> None:
    towns = list(hoshmandent_towns())
    misses = []
    for name, lat, lon in towns:
        place = resolve([name], country_hint="IQ", gazetteer=gaz)
        far = place.lat is None or distance_km(lat, lon, place.lat, place.lon) > 25
        if far:
            misses.append(f"{name} -> {place.location} ({place.geo_precision})")
    rate = 1 - len(misses) / len(towns)
    print(f"\n{len(towns) - len(misses)}/{len(towns)} reference towns within 25 km; {misses}")
    assert rate >= MIN_TOWN_RATE
