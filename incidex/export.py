"""Query results out: CSV, ACLED-style CSV, JSON, GeoJSON text, or a table for the terminal.

Each function takes the row dicts of `Store.query_incidents` (any list of flat dicts
works) or of events and returns text or a rich Table; writing it anywhere is the
caller's job.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from incidex.geocode.gazetteer import DATA_DIR, read_tsv

Row = Mapping[str, Any]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # cells a spreadsheet may run as formulas

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
    """A CSV cell: empty for None, lists joined into one string, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = EVIDENCE_SEPARATOR.join(str(item) for item in value)
    return defuse(value)


def defuse(value: Any) -> Any:
    """Text a spreadsheet would run as a formula ("=HYPERLINK(...)") gets a leading quote.

    Article text and outlet names are untrusted, and CSV exports are opened in Excel.
    """
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
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


#: Columns of `to_acled_csv`, named as ACLED names them where ACLED has the column.
ACLED_COLUMNS = (
    "event_id",
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
_BATTLE = ("Battles", "Armed clash")
_ON_CIVILIANS = ("Violence against civilians", "Attack")
_REMOTE = "Explosions/Remote violence"
#: ACLED event type and sub-event type of each attack type (codebook section 4).
#: Armed assaults, sniping and security operations have variants chosen in `acled_type`.
ACLED_TYPES = {
    "armed_assault": _BATTLE,
    "sniper": _BATTLE,
    "clash": _BATTLE,
    "prison_break": _BATTLE,  # an assault on a guarded site: a clash with its guards
    "security_operation": _BATTLE,
    "bombing": (_REMOTE, "Remote explosive/landmine/IED"),
    "suicide_bombing": (_REMOTE, "Suicide bomb"),
    "indirect_fire": (_REMOTE, "Shelling/artillery/missile attack"),
    "kidnapping": ("Violence against civilians", "Abduction/forced disappearance"),
    "execution": _ON_CIVILIANS,
    "arson": ("Strategic developments", "Looting/property destruction"),
    "other": ("Strategic developments", "Other"),
}
#: Attack types that are violence against civilians when civilians are the target.
_ATTACKS_ON_PEOPLE = {"armed_assault", "sniper"}
#: Words of an evidence sentence that make a security operation an air or drone strike.
_AIR_STRIKE = re.compile(
    r"\b(?:air ?strikes?|air raids?|airstrikes?|drones?|warplanes?|aircraft|jets?"
    r"|helicopters?|aerial|bombers?)\b",
    re.IGNORECASE,
)
#: ACLED-style name of the target side (actor2); {country} is the country's name.
ACLED_TARGETS = {
    "military": "Military Forces of {country}",
    "police": "Police Forces of {country}",
    "militia": "Militia ({country})",
    "kurdish_forces": "Kurdish Regional Security Forces ({country})",
    "government": "Government of {country}",
    "civilians": "Civilians ({country})",
    "prison": "Prison Guards ({country})",
    "militants": "Unidentified Armed Group ({country})",
}
#: The country part of an actor name, dropped when the event's country is unknown.
_NO_COUNTRY = re.compile(r" (?:of \{country\}|\(\{country\}\))")
#: ACLED geo_precision: 1 a named place, 2 near a place or a district, 3 a province or wider.
ACLED_GEO_PRECISION = {"place": 1, "admin2": 2, "admin1": 3, "country": 3}


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """ISO code -> English name, from the gazetteer's countries table."""
    return {row["iso2"]: row["name"] for row in read_tsv(DATA_DIR / "countries.tsv")}


def _evidence(event: Row) -> list[str]:
    """Every evidence sentence of an event's reports, in report order."""
    return [s for report in event.get("reports", []) for s in report.get("evidence", [])]


def acled_type(event: Row) -> tuple[str, str]:
    """ACLED event type and sub-event type of an event (codebook section 4).

    An armed assault or sniping on civilians is violence against civilians, on anyone else
    a battle; a security operation whose evidence tells of aircraft or drones is an air
    strike; anything unknown is "Strategic developments / Other".
    """
    attack = event.get("attack_type") or "other"
    if attack in _ATTACKS_ON_PEOPLE and event.get("target") == "civilians":
        return _ON_CIVILIANS
    if attack == "security_operation" and any(_AIR_STRIKE.search(s) for s in _evidence(event)):
        return (_REMOTE, "Air/drone strike")
    return ACLED_TYPES.get(attack, ACLED_TYPES["other"])


def acled_actor2(event: Row) -> str:
    """The target side as ACLED names actors: "Civilians (Iraq)", "Military Forces of Iraq".

    Empty for infrastructure and unknown targets (ACLED leaves actor2 blank then).
    """
    pattern = ACLED_TARGETS.get(event.get("target") or "")
    if pattern is None:
        return ""
    code = event.get("country") or ""
    country = _country_names().get(code, code)
    if not country:
        return _NO_COUNTRY.sub("", pattern)
    return pattern.format(country=country)


def _outlets(event: Row) -> str:
    """The outlets of an event's reports and copies, each once, joined by "; "."""
    names = (report.get("source") or report.get("doc") for report in event.get("reports", []))
    names_copies = (copy.get("source") or copy.get("doc") for copy in event.get("copies", []))
    return "; ".join(dict.fromkeys(n for n in (*names, *names_copies) if n))


def acled_row(event: Row) -> dict[str, Any]:
    """One event as an ACLED-style row (`ACLED_COLUMNS`)."""
    event_type, sub_event_type = acled_type(event)
    evidence = _evidence(event)
    return {
        "event_id": event["id"],
        "event_date": event.get("date") or "",
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": event.get("perpetrator") or "",
        "actor2": acled_actor2(event),
        "admin1": event.get("admin1") or "",
        "location": event.get("location") or "",
        "latitude": _cell(event.get("lat")),
        "longitude": _cell(event.get("lon")),
        "geo_precision": ACLED_GEO_PRECISION.get(event.get("geo_precision") or "", 3),
        "source": _outlets(event),
        "notes": evidence[0] if evidence else "",
        "fatalities": event.get("killed") or 0,
    }


def to_acled_csv(events: Sequence[Row]) -> str:
    """Events as CSV with ACLED-style columns, header first (even with no events).

    Each event is a dict as `Store.get_event` returns it: its fields and `reports`
    (each with `source`, `doc` and `evidence`) and optionally `copies`. `fatalities`
    is the best estimate of people killed on the target side, 0 when unknown.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow({key: defuse(value) for key, value in acled_row(event).items()})
    return out.getvalue()
