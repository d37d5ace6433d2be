"""Validation of the analyst-edited gazetteer tables."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from shared_geo import SHARED_GEO, geonames_admin1

from incidex.geocode.gazetteer import (
    DATA_DIR,
    KINDS,
    distance_km,
    read_stopnames,
    read_tsv,
    split_aliases,
)
from incidex.names import fold

ADMIN1 = read_tsv(DATA_DIR / "admin1.tsv")
PLACES = read_tsv(DATA_DIR / "places.tsv")
COUNTRIES = read_tsv(DATA_DIR / "countries.tsv")
#: Rough bounding box of Iraq, to catch swapped or mistyped coordinates.
IRAQ_BOX = (29.0, 37.5, 38.7, 48.7)
#: Rows of one country sharing a name key this close are one place (a town and its district).
SAME_PLACE_KM = 30.0


def _names(row: dict[str, str]) -> list[str]:
    return [row["name"], *split_aliases(row["aliases"])]


def test_tables_have_expected_columns() -> None:
    assert list(ADMIN1[0]) == ["country", "name", "aliases", "lat", "lon", "geonames_code"]
    assert list(PLACES[0]) == ["name", "aliases", "country", "admin1", "lat", "lon", "kind"]
    assert list(COUNTRIES[0]) == ["iso2", "name", "aliases", "demonyms", "lat", "lon"]


def test_row_counts() -> None:
    iraq = [row for row in PLACES if row["country"] == "IQ"]
    assert 200 <= len(iraq) <= 450
    assert len(PLACES) - len(iraq) >= 36
    assert len({row["country"] for row in ADMIN1}) >= 10


def _bad_coordinates(row: dict[str, str]) -> bool:
    lat, lon = float(row["lat"]), float(row["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return True
    south, north, west, east = IRAQ_BOX
    return row.get("country") == "IQ" and not (south <= lat <= north and west <= lon <= east)


def test_coordinates_are_valid() -> None:
    assert [row["name"] for row in PLACES + ADMIN1 + COUNTRIES if _bad_coordinates(row)] == []


def test_place_kinds_and_provinces_are_valid() -> None:
    provinces = {(row["country"], row["name"]) for row in ADMIN1}
    countries = {row["iso2"] for row in COUNTRIES}
    for row in PLACES:
        assert row["kind"] in set(KINDS) - {"admin1", "country"}, row
        assert (row["country"], row["admin1"]) in provinces, row
        assert row["country"] in countries, row


def test_no_alias_names_two_places_of_one_country() -> None:
    """A key may name a town and its district, or a province and its capital; not two places."""
    rows_by_key = defaultdict(list)
    for row in PLACES:
        for key in {fold(name) for name in _names(row)}:
            rows_by_key[row["country"], key].append(row)
    conflicts = [
        (key, a["name"], b["name"])
        for key, rows in rows_by_key.items()
        for a in rows
        for b in rows
        if a["name"] < b["name"]
        and distance_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))
        > SAME_PLACE_KM
    ]
    assert conflicts == []


def test_admin1_aliases_are_unique_within_a_country() -> None:
    owner: dict[tuple[str, str], str] = {}
    for row in ADMIN1:
        for key in {fold(name) for name in _names(row)}:
            assert owner.setdefault((row["country"], key), row["name"]) == row["name"], key


def test_province_aliases_match_their_capital_only() -> None:
    """'Diwaniyah' may be the province and its capital, never a place in another province."""
    province_keys = {
        (row["country"], fold(name)): row["name"] for row in ADMIN1 for name in _names(row)
    }
    for row in PLACES:
        for name in _names(row):
            province = province_keys.get((row["country"], fold(name)))
            assert province in (None, row["admin1"]), (name, row["admin1"], province)


def test_countries_are_unique_and_demonyms_distinct() -> None:
    codes = [row["iso2"] for row in COUNTRIES]
    assert len(codes) == len(set(codes))
    names = {fold(name) for row in COUNTRIES for name in _names(row)}
    demonyms = {fold(d) for row in COUNTRIES for d in split_aliases(row["demonyms"])}
    assert not names & demonyms


def test_stopnames_do_not_hide_curated_place_names() -> None:
    """Curated names that are common words work only after 'in', 'near'...: keep them few."""
    stop = read_stopnames(DATA_DIR / "stopnames.txt")
    hidden = {row["name"] for row in PLACES for name in _names(row) if fold(name) in stop}
    assert hidden <= {"Hit", "Ur"}


def _codebook_governorates() -> dict[str, list[str]]:
    """Canonical Iraqi governorates and aliases from codebook section 3."""
    text = (SHARED_GEO.parent / "CODEBOOK.md").read_text(encoding="utf-8")
    table = text.split("Iraqi governorates")[1].split("Actors")[0]
    out = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("canonical", "") and not set(cells[0]) <= {"-"}:
            out[cells[0]] = [alias.strip() for alias in cells[1].split(",") if alias.strip()]
    return out


@pytest.mark.usefixtures("shared_geo")
def test_iraq_governorates_follow_the_codebook() -> None:
    codebook = _codebook_governorates()
    assert len(codebook) == 19
    table = {row["name"]: _names(row) for row in ADMIN1 if row["country"] == "IQ"}
    assert set(table) == set(codebook)
    for name, aliases in codebook.items():
        assert {fold(a) for a in aliases} <= {fold(n) for n in table[name]}, name


@pytest.mark.usefixtures("shared_geo")
def test_admin1_codes_match_geonames() -> None:
    """Every code exists; Iraq matches up to alias, elsewhere the name is GeoNames' own."""
    geonames = geonames_admin1()
    wrong = []
    for row in ADMIN1:
        name, ascii_name = geonames.get(row["geonames_code"], ("", ""))
        known = {fold(n) for n in _names(row)}
        if row["country"] == "IQ":
            ok = fold(name) in known or fold(ascii_name) in known
        else:
            ok = fold(row["name"]) in (fold(name), fold(ascii_name))
        if not ok:
            wrong.append((row["geonames_code"], row["name"], ascii_name))
    assert wrong == []


@pytest.mark.usefixtures("shared_geo")
def test_every_iraqi_geonames_division_is_in_the_table() -> None:
    codes = {code for code in geonames_admin1() if code.startswith("IQ.")}
    assert codes == {row["geonames_code"] for row in ADMIN1 if row["country"] == "IQ"}


def test_geonames_codes_look_like_codes() -> None:
    for row in ADMIN1:
        assert re.fullmatch(rf"{row['country']}\.\w+", row["geonames_code"]), row
