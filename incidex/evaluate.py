"""Scoring of extractions against gold files, as codebook section 7 describes.

Per article, predicted and gold incidents are paired one to one (best total match);
paired incidents are then compared field by field, and across articles the predicted
event ids are scored as pairwise links against the gold event ids.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
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


class EvalError(ValueError):
    """A gold or prediction file that cannot be scored; the message names file and line."""


class Disagreement(NamedTuple):
    """One field on which a paired prediction differs from gold."""

    field: str
    gold: Any
    pred: Any
    incident: str


@dataclass
class DocReport:
    """What went wrong in one article: the detail behind the summary counts."""

    doc: str
    tp: int = 0
    optional_paired: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the article needs no attention in a report."""
        return not (self.missed or self.false_alarms or self.disagreements)


@dataclass
class EvalReport:
    """Scores of one prediction set against one gold set."""

    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    fields: dict[str, tuple[int, int]]
    merge: tuple[float, float] | None
    links: tuple[int, int, int]  # correct, predicted, gold
    docs: list[DocReport]
    optional_paired: int = 0
    missing_docs: list[str] = field(default_factory=list)
    extra_docs: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading


def load_docs(path: Path) -> dict[str, dict]:
    """Read a JSON-lines file of articles (codebook section 6) keyed by `doc`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise EvalError(f"{path}: cannot read: {err}") from err
    docs: dict[str, dict] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        doc = _parse_line(path, number, line)
        if doc["doc"] in docs:
            raise EvalError(f"{path}:{number}: duplicate doc id {doc['doc']!r}")
        docs[doc["doc"]] = doc
    return docs


def _parse_line(path: Path, number: int, line: str) -> dict:
    """One article from one line; errors name the line so the file can be fixed."""
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as err:
        raise EvalError(f"{path}:{number}: malformed JSON: {err.msg}") from err
    if not isinstance(doc, dict) or not isinstance(doc.get("doc"), str):
        raise EvalError(f"{path}:{number}: expected an object with a string 'doc' id")
    if not isinstance(doc.get("incidents", []), list):
        raise EvalError(f"{path}:{number}: 'incidents' must be a list")
    return doc


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


def _field_agrees(name: str, pred: dict, gold: dict) -> bool:
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
    pred, gold = str(pred), str(gold)
    pred_kind, pred_day = _parse_date(pred)
    gold_kind, gold_day = _parse_date(gold)
    if "year" in (pred_kind, gold_kind):
        return pred[:4] == gold[:4]
    if "month" in (pred_kind, gold_kind):
        return pred[:7] == gold[:7]
    if pred_day is None or gold_day is None:
        return pred == gold
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


def _places(incident: dict) -> Iterator[_Place]:
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


def _compatible(pred: dict, gold: dict) -> bool:
    """Whether two incidents may be the same one: dates and places agree."""
    if not any(_dates_agree(pred.get("date"), day) for day in _options(gold.get("date"))):
        return False
    return any(_place_match(p, g) for p in _places(pred) for g in _places(gold))


def _weights(preds: list[dict], golds: list[dict]) -> list[list[int]]:
    """Pair weights ranking, in order: non-optional gold, optional gold, agreeing fields.

    The scale makes the ranking strict: the sum of all lower terms stays below one
    unit of the term above, so no amount of field agreement buys a lost pair.
    """
    scale = (len(SCORED_FIELDS) + 1) * (min(len(preds), len(golds)) + 1)
    rows = []
    for pred in preds:
        row = []
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


# ---------------------------------------------------------------- scoring


def _show(value: Any) -> str:
    """A field value for people: lists as `a/b`, null as `?`."""
    return "/".join("?" if v is None else str(v) for v in _options(value)) or "?"


def _describe(incident: dict) -> str:
    """A short line that lets a reader find the incident in the article."""
    place = next(
        (
            incident.get(key)
            for key in ("location", "admin1", "country")
            if any(v is not None for v in _options(incident.get(key)))
        ),
        None,
    )
    return (
        f"{_show(incident.get('date'))} {_show(place)} "
        f"{_show(incident.get('attack_type'))} killed={_show(incident.get('killed'))}"
    )


def _score_doc(
    doc: str, golds: list[dict], raw_preds: list[dict]
) -> tuple[DocReport, list[tuple[dict, dict]]]:
    """Pair one article's incidents; return its report and the non-optional pairs."""
    preds = [{key: _first(value) for key, value in p.items()} for p in raw_preds]
    pairs = _assign(_weights(preds, golds))
    report = DocReport(doc)
    paired_preds = {i for i, _ in pairs}
    paired_golds = {j for _, j in pairs}
    report.false_alarms = [_describe(p) for i, p in enumerate(preds) if i not in paired_preds]
    report.missed = [
        _describe(g) for j, g in enumerate(golds) if j not in paired_golds and not g.get("optional")
    ]
    scored = [(preds[i], golds[j]) for i, j in pairs if not golds[j].get("optional")]
    report.tp = len(scored)
    report.optional_paired = len(pairs) - len(scored)
    for pred, gold in scored:
        report.disagreements.extend(
            Disagreement(name, gold.get(name), pred.get(name), _describe(gold))
            for name in SCORED_FIELDS
            if not _field_agrees(name, pred, gold)
        )
    return report, scored


def _links(keys: Iterable[Any]) -> int:
    """Number of unordered pairs sharing a key: the links a clustering implies."""
    return sum(n * (n - 1) // 2 for n in Counter(keys).values())


def _merge_score(
    pairs: list[tuple[dict, dict]],
) -> tuple[tuple[float, float], tuple[int, int, int]]:
    """Pairwise precision and recall of predicted events against gold events."""
    items = [
        (pred.get("event"), gold["event"])
        for pred, gold in pairs
        if gold.get("event") is not None and gold.get("event_maybe") is None
    ]
    predicted = _links(p for p, _ in items if p is not None)
    expected = _links(g for _, g in items)
    correct = _links((p, g) for p, g in items if p is not None)
    counts = (correct, predicted, expected)
    return (_ratio(correct, predicted), _ratio(correct, expected)), counts


def _ratio(part: int, whole: int) -> float:
    """A share; 1.0 when there was nothing to get (nothing claimed, nothing wrong)."""
    return part / whole if whole else 1.0


def _has_events(pred: dict[str, dict]) -> bool:
    """Whether the predictions were merged at all (any incident carries `event`)."""
    return any("event" in inc for doc in pred.values() for inc in doc.get("incidents") or [])


def score(gold: dict[str, dict], pred: dict[str, dict]) -> EvalReport:
    """Score predictions against gold, both as `load_docs` returns them."""
    docs: list[DocReport] = []
    pairs: list[tuple[dict, dict]] = []
    for doc_id, gold_doc in gold.items():
        preds = (pred.get(doc_id) or {}).get("incidents") or []
        report, scored = _score_doc(doc_id, gold_doc.get("incidents") or [], preds)
        docs.append(report)
        pairs.extend(scored)
    tp = sum(d.tp for d in docs)
    fp = sum(len(d.false_alarms) for d in docs)
    fn = sum(len(d.missed) for d in docs)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    merge, links = _merge_score(pairs) if _has_events(pred) else (None, (0, 0, 0))
    return EvalReport(
        tp=tp,
        fp=fp,
        fn=fn,
        precision=precision,
        recall=recall,
        f1=f1,
        fields={name: _field_counts(name, docs) for name in SCORED_FIELDS},
        merge=merge,
        links=links,
        docs=docs,
        optional_paired=sum(d.optional_paired for d in docs),
        missing_docs=[doc for doc in gold if doc not in pred],
        extra_docs=[doc for doc in pred if doc not in gold],
    )


def _field_counts(name: str, docs: list[DocReport]) -> tuple[int, int]:
    """Agreeing and total paired incidents for one field."""
    total = sum(d.tp for d in docs)
    wrong = sum(1 for d in docs for item in d.disagreements if item.field == name)
    return total - wrong, total


# ---------------------------------------------------------------- output


def _percent(agree: int, total: int) -> str:
    """A share as a percentage, `n/a` when nothing was scored."""
    return f"{100 * agree / total:5.1f}%" if total else "  n/a "


def _summary(report: EvalReport) -> list[str]:
    """The summary block: incidents, fields, merge and document counts."""
    lines = [
        f"Incidents  P {report.precision:.3f}  R {report.recall:.3f}  F1 {report.f1:.3f}"
        f"  (tp {report.tp}, fp {report.fp}, fn {report.fn};"
        f" {report.optional_paired} paired with optional gold)",
        f"Fields on {report.tp} paired incidents:",
    ]
    lines += [
        f"  {name:<12} {_percent(agree, total)}  ({agree}/{total})"
        for name, (agree, total) in report.fields.items()
    ]
    if report.merge is None:
        lines.append("Merge      not available (predictions carry no event ids)")
    else:
        correct, predicted, expected = report.links
        lines.append(
            f"Merge      P {report.merge[0]:.3f}  R {report.merge[1]:.3f}"
            f"  (links: {correct} correct, {predicted} predicted, {expected} gold)"
        )
    lines.append(
        f"Documents  {len(report.docs)} in gold; {len(report.missing_docs)} without"
        f" predictions; {len(report.extra_docs)} predicted but not in gold (ignored)"
    )
    return lines


def _doc_lines(doc: DocReport) -> list[str]:
    """The problems of one article, one line each."""
    lines = [doc.doc]
    lines += [f"  missed       {text}" for text in doc.missed]
    lines += [f"  false alarm  {text}" for text in doc.false_alarms]
    lines += [
        f"  {item.field:<12} gold {_show(item.gold)}, predicted {_show(item.pred)}"
        f"  [{item.incident}]"
        for item in doc.disagreements
    ]
    return lines


def format_report(report: EvalReport, details: bool = True) -> str:
    """Plain text for a terminal: summary, then each article that has problems."""
    lines = _summary(report)
    if details:
        for doc in report.docs:
            if not doc.ok:
                lines += ["", *_doc_lines(doc)]
    return "\n".join(lines)


def report_to_dict(report: EvalReport) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    correct, predicted, expected = report.links
    merge = None
    if report.merge is not None:
        merge = {
            "precision": report.merge[0],
            "recall": report.merge[1],
            "correct_links": correct,
            "predicted_links": predicted,
            "gold_links": expected,
        }
    return {
        "tp": report.tp,
        "fp": report.fp,
        "fn": report.fn,
        "precision": report.precision,
        "recall": report.recall,
        "f1": report.f1,
        "optional_paired": report.optional_paired,
        "fields": {k: {"agree": a, "total": t} for k, (a, t) in report.fields.items()},
        "merge": merge,
        "missing_docs": report.missing_docs,
        "extra_docs": report.extra_docs,
        "docs": [_doc_to_dict(doc) for doc in report.docs],
    }


def _doc_to_dict(doc: DocReport) -> dict[str, Any]:
    """One article's report as plain data."""
    return {
        "doc": doc.doc,
        "tp": doc.tp,
        "optional_paired": doc.optional_paired,
        "missed": doc.missed,
        "false_alarms": doc.false_alarms,
        "disagreements": [item._asdict() for item in doc.disagreements],
    }
