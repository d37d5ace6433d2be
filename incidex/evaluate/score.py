"""Incident, field and merge scores of one prediction set against one gold set."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from incidex.evaluate.match import SCORED_FIELDS, _assign, _field_agrees, _first, _options, _weights


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


def _show(value: Any) -> str:
    """A field value for people: lists as `a/b`, null as `?`."""
    return "/".join("?" if v is None else str(v) for v in _options(value)) or "?"


def _describe(incident: dict[str, Any]) -> str:
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
    doc: str, golds: list[dict[str, Any]], raw_preds: list[dict[str, Any]]
) -> tuple[DocReport, list[tuple[dict[str, Any], dict[str, Any]]]]:
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
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
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


def _has_events(pred: dict[str, dict[str, Any]]) -> bool:
    """Whether the predictions were merged at all (any incident carries `event`)."""
    return any("event" in inc for doc in pred.values() for inc in doc.get("incidents") or [])


def score(gold: dict[str, dict[str, Any]], pred: dict[str, dict[str, Any]]) -> EvalReport:
    """Score predictions against gold, both as `load_docs` returns them."""
    docs: list[DocReport] = []
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
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
