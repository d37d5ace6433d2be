"""Reports for people (plain text) and for programs (JSON-ready data)."""

from __future__ import annotations

from typing import Any

from incidex.evaluate.score import DocReport, EvalReport, _show


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
