"""Aggregate figures ("42 attacks between May 7 and 13"): kept apart, never incidents."""

from __future__ import annotations

import re
from datetime import date, timedelta

from incidex.extract.actors import find_actors
from incidex.extract.dates import find_dates
from incidex.extract.numbers import parse_number
from incidex.records import Statistic

_COUNTED = re.compile(
    r"(?P<n>\d[\d,]*|[a-z]+(?:[- ][a-z]+)?)\s+(?:reported\s+|total\s+)?"
    r"(?P<what>attacks|offensives|operations|incidents|assaults|bombings|people|civilians|soldiers|"
    r"fighters|deaths)\b",
    re.I,
)
_ACCORDING = re.compile(
    r"\baccording to (?:the |a )?(?P<who>[A-Z][\w’'\- ]{2,50}?)(?:,|\.|$| who| which)"
)
_PAST_YEAR = re.compile(r"\bover the past year\b|\bin the past year\b", re.I)


def find_statistic(text: str, published: date | None, where: str | None) -> Statistic | None:
    """The aggregate a statistic sentence gives, if its count can be read."""
    for match in _COUNTED.finditer(text):
        parsed = parse_number(match.group("n").replace("-", " ").split())
        if parsed is None or parsed[0] < 2:
            continue
        start, end = _period(text, published)
        return Statistic(
            claim=text,
            count=parsed[0],
            what=match.group("what").lower(),
            where=where,
            from_=start,
            to=end,
            source=_source(text),
        )
    return None


def _period(text: str, published: date | None) -> tuple[str | None, str | None]:
    """Start and end of the period a statistic covers, when the text says."""
    if published and _PAST_YEAR.search(text):
        return (published - timedelta(days=365)).isoformat(), published.isoformat()
    values = [d.value for d in find_dates(text, published) if d.value]
    if len(values) >= 2:
        return values[0], values[-1]
    return None, published.isoformat() if published else None


def _source(text: str) -> str | None:
    """Who gives the figure: 'according to X', or the actor that claims it."""
    match = _ACCORDING.search(text)
    if match:
        return match.group("who").strip()
    actors = find_actors(text)
    return actors[0].name if actors else None
