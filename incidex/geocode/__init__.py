"""Geocoding: find place mentions in article text and resolve them to codebook locations.

`load_gazetteer()` gives the name index (project tables + GeoNames, cached on disk);
`find_place_mentions()` scans text; `resolve()` turns an incident's mentions into a
`incidex.records.Place`.
"""

from incidex.geocode.gazetteer import (
    DATA_DIR,
    KINDS,
    GazEntry,
    Gazetteer,
    build_gazetteer,
    cache_path,
    default_cache_dir,
    distance_km,
    load_gazetteer,
    load_or_build,
)
from incidex.geocode.resolve import PlaceMention, find_place_mentions, resolve

__all__ = [
    "DATA_DIR",
    "KINDS",
    "GazEntry",
    "Gazetteer",
    "PlaceMention",
    "build_gazetteer",
    "cache_path",
    "default_cache_dir",
    "distance_km",
    "find_place_mentions",
    "load_gazetteer",
    "load_or_build",
    "resolve",
]
