"""Agreement of fields, dates and places, and the one-to-one pairing of incidents."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from itertools import product
from typing import Any, NamedTuple

from incidex.names import fold

#: Fields scored for exact agreement on paired incidents (codebook section 7).
SCORED_FIELDS = (
    "date",
    "admin1",
    "location",
    "attack_type",
    "perpetrator",
    "target",
    "killed",
    "wounded",
)

#: Two places with coordinates this close (kilometres) are the same place.
MAX_DISTANCE_KM = 25.0

#: Mean Earth radius in kilometres, for the haversine distance.
EARTH_RADIUS_KM = 6371.0

#: Dates of the `day` form this many days apart still agree ("last night" is fuzzy).
MAX_DAY_GAP = 1


# ---------------------------------------------------------------- values


def _options(value: Any) -> list[Any]:
    """The readings gold allows: a list holds several, anything else one."""
    return list(value) if isinstance(value, list) else [value]


def _first(value: Any) -> Any:
    """A predicted value as one reading: a list stands for its first member."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _norm(name: str, value: Any) -> Any:
    """A field value in comparable form: places folded, actors case-free."""
    if isinstance(value, str) and name == "location":
        return fold(value)
    if isinstance(value, str) and name == "perpetrator":
        return value.casefold()
    return value


def _field_agrees(name: str, pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Exact agreement of one field; any member of a gold list counts."""
    wanted = [_norm(name, value) for value in _options(gold.get(name))]
    return _norm(name, pred.get(name)) in wanted


# ---------------------------------------------------------------- dates


def _parse_date(text: str) -> tuple[str, dt.date | None]:
    """Precision (`day`, `month`, `year`) and day of a codebook date string."""
    parts = text.split("-")
    if len(parts) == 3:
        try:
            return "day", dt.date.fromisoformat(text)
        except ValueError:
            return "day", None
    return ("month" if len(parts) == 2 else "year"), None


def _dates_agree(pred: Any, gold: Any) -> bool:
    """Same day or one day apart; same month or year at the coarser precision."""
    if pred is None or gold is None:
        return pred is None and gold is None
    pred_text, gold_text = str(pred), str(gold)
    pred_kind, pred_day = _parse_date(pred_text)
    gold_kind, gold_day = _parse_date(gold_text)
    if "year" in (pred_kind, gold_kind):
        return pred_text[:4] == gold_text[:4]
    if "month" in (pred_kind, gold_kind):
        return pred_text[:7] == gold_text[:7]
    if pred_day is None or gold_day is None:
        return pred_text == gold_text
    return abs((pred_day - gold_day).days) <= MAX_DAY_GAP


# ---------------------------------------------------------------- places


class _Place(NamedTuple):
    """One reading of where an incident happened."""

    country: Any
    admin1: Any
    location: Any
    lat: Any
    lon: Any
    precision: Any


def _places(incident: dict[str, Any]) -> Iterator[_Place]:
    """Every reading of an incident's place that its (gold) lists allow."""
    readings = product(
        _options(incident.get("admin1")),
        _options(incident.get("location")),
        _options(incident.get("geo_precision")),
    )
    for admin1, location, precision in readings:
        yield _Place(
            _first(incident.get("country")),
            admin1,
            location,
            _first(incident.get("lat")),
            _first(incident.get("lon")),
            precision,
        )


def _distance_km(a: _Place, b: _Place) -> float:
    """Great-circle (haversine) distance between two places with coordinates."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def _has_coords(place: _Place) -> bool:
    """True when the place carries usable numeric coordinates."""
    return all(isinstance(v, (int, float)) for v in (place.lat, place.lon))


def _same_name(a: Any, b: Any) -> bool:
    """Two non-null names that fold to the same key."""
    return isinstance(a, str) and isinstance(b, str) and fold(a) == fold(b)


def _place_match(a: _Place, b: _Place) -> bool:
    """Same named place, within 25 km, or equal at the coarser side's precision."""
    if _same_name(a.location, b.location):
        return True
    if _has_coords(a) and _has_coords(b) and _distance_km(a, b) <= MAX_DISTANCE_KM:
        return True
    if any(p.admin1 is None and p.location is None for p in (a, b)):
        return a.country is None or b.country is None or a.country == b.country
    if any(p.location is None or p.precision == "admin1" for p in (a, b)):
        return _same_name(a.admin1, b.admin1)
    return False


# ---------------------------------------------------------------- pairing


def _compatible(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Whether two incidents may be the same one: dates and places agree."""
    if not any(_dates_agree(pred.get("date"), day) for day in _options(gold.get("date"))):
        return False
    return any(_place_match(p, g) for p in _places(pred) for g in _places(gold))


def _weights(preds: list[dict[str, Any]], golds: list[dict[str, Any]]) -> list[list[int]]:
    """Pair weights ranking, in order: non-optional gold, optional gold, agreeing fields.

    The scale makes the ranking strict: the sum of all lower terms stays below one
    unit of the term above, so no amount of field agreement buys a lost pair.
    """
    scale = (len(SCORED_FIELDS) + 1) * (min(len(preds), len(golds)) + 1)
    rows: list[list[int]] = []
    for pred in preds:
        row: list[int] = []
        for gold in golds:
            if not _compatible(pred, gold):
                row.append(0)
                continue
            agree = sum(_field_agrees(name, pred, gold) for name in SCORED_FIELDS)
            rank = scale if gold.get("optional") else scale * scale
            row.append(rank + agree)
        rows.append(row)
    return rows


def _assign(weights: list[list[int]]) -> list[tuple[int, int]]:
    """Row-column pairs of maximum total weight, zero-weight pairs left out."""
    if not weights or not weights[0]:
        return []
    flipped = len(weights) > len(weights[0])
    matrix = [list(col) for col in zip(*weights, strict=True)] if flipped else weights
    cols = _hungarian([[-w for w in row] for row in matrix])
    pairs = [(i, j) for i, j in enumerate(cols) if matrix[i][j] > 0]
    return [(j, i) for i, j in pairs] if flipped else pairs


def _hungarian(cost: list[list[int]]) -> list[int]:
    """Minimum-cost assignment of every row to a distinct column (rows <= columns).

    The O(n^2 m) Hungarian method with potentials; returns each row's column.
    """
    n, m = len(cost), len(cost[0])
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    owner, way = [0] * (m + 1), [0] * (m + 1)
    for row in range(1, n + 1):
        owner[0], col = row, 0
        slack, used = [math.inf] * (m + 1), [False] * (m + 1)
        while owner[col]:
            used[col] = True
            here, delta, nxt = owner[col], math.inf, 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                reduced = cost[here - 1][j - 1] - u[here] - v[j]
                if reduced < slack[j]:
                    slack[j], way[j] = reduced, col
                if slack[j] < delta:
                    delta, nxt = slack[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            col = nxt
        while col:
            owner[col] = owner[way[col]]
            col = way[col]
    result = [0] * n
    for j in range(1, m + 1):
        if owner[j]:
            result[owner[j] - 1] = j - 1
    return result
