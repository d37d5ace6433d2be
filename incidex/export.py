"""Query results out: CSV, JSON, GeoJSON text, or a table for the terminal.

Each function takes the row dicts of `Store.query_incidents` (any list of flat dicts
works) and returns text or a rich Table; writing it anywhere is the caller's job.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

Row = Mapping[str, Any]

#: Joins the evidence sentences of one incident into one CSV cell.
EVIDENCE_SEPARATOR = " | "

#: Terminal table columns: (heading, row key, right-aligned).
_TABLE_COLUMNS = (
    ("date", "date", False),
    ("type", "attack_type", False),
    ("perpetrator", "perpetrator", False),
    ("target", "target", False),
    ("killed", "killed", True),
    ("wounded", "wounded", True),
)


def _columns(rows: Sequence[Row]) -> list[str]:
    """Every key of every row, in order of first appearance, so no field is dropped."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _cell(value: Any) -> Any:
    """A CSV cell: empty for None, lists joined into one string."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return EVIDENCE_SEPARATOR.join(str(item) for item in value)
    return value


def to_csv(rows: Sequence[Row]) -> str:
    """CSV with a header row; None becomes an empty cell, evidence one joined cell.

    No rows gives an empty string (there is no header to infer).
    """
    columns = _columns(rows)
    if not columns:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in columns})
    return out.getvalue()


def to_json(rows: Iterable[Row]) -> str:
    """A JSON array of the rows, non-ASCII kept readable (place names in Arabic script)."""
    return json.dumps([dict(row) for row in rows], ensure_ascii=False, indent=2)


def _feature(row: Row) -> dict[str, Any]:
    """One GeoJSON Point feature; GeoJSON puts longitude first."""
    feature: dict[str, Any] = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
        "properties": dict(row),
    }
    if row.get("id") is not None:
        feature["id"] = row["id"]
    return feature


def to_geojson(rows: Iterable[Row]) -> str:
    """A GeoJSON FeatureCollection of the rows with coordinates; rows without are left out."""
    features = [
        _feature(row) for row in rows if row.get("lat") is not None and row.get("lon") is not None
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False)


def _text(value: Any) -> str:
    """A table cell: a dash for missing values, so blanks are not mistaken for zero."""
    return "–" if value is None else str(value)


def incidents_table(rows: Iterable[Row], title: str | None = None) -> Table:
    """A rich Table of the fields an analyst scans first; cells wrap between words."""
    table = Table(title=title)
    table.add_column("date", no_wrap=True)
    table.add_column("place", ratio=2)
    for heading, _key, right in _TABLE_COLUMNS[1:]:
        wide = {"type": len("security_operation"), "target": len("infrastructure")}
        table.add_column(heading, justify="right" if right else "left", min_width=wide.get(heading))
    table.add_column("source", ratio=1)
    for row in rows:
        cells = [_text(row.get(key)) for _heading, key, _right in _TABLE_COLUMNS]
        table.add_row(cells[0], _place(row), *cells[1:], _text(row.get("source") or row.get("doc")))
    return table


def _place(row: Row) -> str:
    """Location, province and country in one cell: "Daquq, Kirkuk (IQ)"."""
    names = [n for n in (row.get("location"), row.get("admin1")) if n]
    country = f" ({row['country']})" if row.get("country") else ""
    return (", ".join(dict.fromkeys(names)) or "-") + country


def events_table(rows: Iterable[Row], title: str | None = None) -> Table:
    """A rich Table of events: where, when, what, the spread of the toll and how many sources."""
    table = Table(title=title)
    table.add_column("event", justify="right", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("place", ratio=2)
    table.add_column("type", min_width=len("security_operation"))
    table.add_column("perpetrator")
    table.add_column("killed", justify="right", no_wrap=True)
    table.add_column("wounded", justify="right", no_wrap=True)
    table.add_column("sources", justify="right")
    for row in rows:
        table.add_row(
            str(row["id"]),
            _text(row.get("date")),
            _place(row),
            _text(row.get("attack_type")),
            _text(row.get("perpetrator")),
            spread_text(row, "killed"),
            spread_text(row, "wounded"),
            str(row.get("sources", "")),
        )
    return table


def spread_text(row: Row, name: str) -> str:
    """A figure with its spread: "11", or "32 (28-35)" when sources disagree."""
    best, low, high = row.get(name), row.get(f"{name}_low"), row.get(f"{name}_high")
    if best is None:
        return "–"
    return str(best) if low == high else f"{best} ({low}-{high})"


def event_panel(event: Row) -> Group:
    """One event for the terminal: summary, disagreements, then each source with its evidence."""
    summary = (
        f"[bold]Event {event['id']}[/bold]: {escape(_text(event.get('attack_type')))} on "
        f"{escape(_text(event.get('date')))} at {escape(_place(event))} "
        f"\\[{escape(_text(event.get('geo_precision')))}]\n"
        f"perpetrator {escape(_text(event.get('perpetrator')))} "
        f"({escape(_text(event.get('attribution')))}), "
        f"target {escape(_text(event.get('target')))}; killed {spread_text(event, 'killed')}, "
        f"wounded {spread_text(event, 'wounded')}; {sources_text(event.get('sources', 0))}"
    )
    parts: list[Any] = [Text.from_markup(summary)]
    for field, values in event.get("disagreements", {}).items():
        said = "; ".join(f"{_text(value)} ({', '.join(who)})" for value, who in values)
        parts.append(Text(f"sources disagree on {field}: {said}", style="yellow"))
    for report in event.get("reports", []):
        parts.append(_report_panel(report))
    for copy in event.get("copies", []):
        parts.append(
            Text(f"copy: {_text(copy.get('source'))} {_text(copy.get('url'))}", style="dim")
        )
    return Group(*parts)


def sources_text(count: int) -> str:
    """How many sources, in words: "1 source", "3 sources"."""
    return f"{count} source" if count == 1 else f"{count} sources"


def _report_panel(report: Row) -> Panel:
    """One source of an event: its figures and evidence sentences, as plain text."""
    figures = ", ".join(
        f"{name} {report[name]}"
        for name in ("killed", "wounded", "kidnapped")
        if report.get(name) is not None
    )
    body = Text("\n".join(f"“{sentence}”" for sentence in report.get("evidence", [])))
    heading = (
        f"{_text(report.get('source') or report.get('doc'))}, {_text(report.get('published'))}: "
        f"{_text(report.get('date'))} {_place(report)} {figures}"
    )
    return Panel(
        body, title=Text(heading), subtitle=Text(_text(report.get("url"))), title_align="left"
    )
