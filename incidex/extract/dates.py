"""Date expressions resolved against the publication date, with their precision.

"on Monday" is the most recent Monday on or before publication, "last night" the day
before, "in late July" a month; a date is never resolved into the future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from incidex.clean import _MONTH_RE, _MONTHS
from incidex.extract.lexicon import union

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_RE = "|".join(w.capitalize() for w in _WEEKDAYS)
_REPORTING = re.compile(
    r"\b(?:said|says|told|reported|announced|confirmed|stated|added|tweeted|posted|statement|"
    r"claimed|revealed|noted|explained)\b[^.;]{0,25}$",
    re.I,
)
# Characters before a date searched for a reporting verb: _REPORTING spans at most 35 (a
# 9-letter verb and 25 more), so 60 give the same answer as the whole text before the date,
# without re-reading it for every date of a long sentence.
REPORTING_WINDOW = 60
_YEAR = r"(?:19|20)\d\d"
# Publication years dates are resolved against: the years _YEAR reads. Another date (a feed's
# "0001-01-01") is no publication date: "on Tuesday" before it would overflow Python's
# dates, and years before 1000 print without their leading zeros.
PUBLISHED_YEARS = range(1900, 2100)

# Each pattern names the groups that build the date; order matters (longest first).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I if name not in {"weekday"} else 0))
    for name, pattern in (
        ("iso", rf"\b(?P<y>{_YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
        ("mdy", rf"\b(?P<mon>{_MONTH_RE})\.? (?P<d>[0-3]?\d)(?:st|nd|rd|th)?,? (?P<y>{_YEAR})\b"),
        (
            "dmy",
            rf"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)? (?:of )?(?P<mon>{_MONTH_RE})\.?,? "
            rf"(?P<y>{_YEAR})\b",
        ),
        ("md", rf"\b(?P<mon>{_MONTH_RE})\.? (?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!,? ?\d)"),
        ("dm", rf"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)? (?:of )?(?P<mon>{_MONTH_RE})\b"),
        (
            "month_year",
            rf"\b(?:in |during |since )?(?:(?:late|early|mid)[- ])?(?P<mon>{_MONTH_RE}) "
            rf"(?:of )?(?P<y>{_YEAR})\b",
        ),
        ("month_last_year", rf"\b(?P<mon>{_MONTH_RE}) (?:of )?last year\b"),
        ("last_month_name", rf"\blast (?P<mon>{_MONTH_RE})\b"),
        (
            "month",
            rf"\b(?:in|during|since|by|until|throughout) (?:(?:late|early|mid)[- ])?"
            rf"(?P<mon>{_MONTH_RE})\b",
        ),
        ("weekday", rf"\b(?P<wd>{_WEEKDAY_RE})(?:'s)?\b"),
        (
            "yesterday",
            r"\b(?:last night|yesterday|late last night|the previous night|the night before)\b",
        ),
        (
            "today",
            r"\b(?:today|this morning|this afternoon|this evening|tonight|earlier today|"
            r"overnight)\b",
        ),
        ("days_ago", r"\b(?P<n>two|three|four|five|six|\d) days (?:ago|earlier)\b"),
        ("last_week", r"\b(?:last week|the previous week|earlier this week|this week)\b"),
        ("last_month", r"\b(?:last month|the previous month)\b"),
        ("this_month", r"\b(?:earlier this month|this month)\b"),
        ("same_day", r"\b(?:on the same day|the same day|same day)\b"),
        ("day_after", r"\ba day after\b|\bthe day after\b|\bone day after\b"),
        ("year", rf"\b(?:in|during|since) (?P<y>{_YEAR})\b"),
    )
)

_ANY_DATE = union(pattern for _, pattern in _PATTERNS)


@dataclass(frozen=True)
class DateMention:
    """A date expression of a sentence: resolved value, precision, and whether it dates a report."""

    start: int
    end: int
    value: str | None
    precision: str  # day | month | year | unknown | same | relative (value: offset in days)
    reporting: bool


def find_dates(text: str, published: date | None) -> list[DateMention]:
    """Every date expression in a sentence, resolved against the publication date."""
    if not _ANY_DATE.search(text):
        return []  # most sentences: one search instead of one per pattern
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            value, precision = _resolve(name, match.groupdict(), published)
            if precision == "none":
                continue
            taken.append((match.start(), match.end()))
            before = text[max(0, match.start() - REPORTING_WINDOW) : match.start()]
            reporting = _REPORTING.search(before) is not None
            found.append(DateMention(match.start(), match.end(), value, precision, reporting))
    return sorted(found, key=lambda m: m.start)


def _resolve(name: str, parts: dict[str, str | None], pub: date | None) -> tuple[str | None, str]:
    """Value and precision of one matched expression."""
    if name in {"iso", "mdy", "dmy"}:
        return _day(int(parts["y"] or 0), _month(parts), int(parts["d"] or 0))
    if name == "same_day":
        return None, "same"
    if name == "day_after":
        return "-1", "relative"
    if name == "month_year":
        return f"{int(parts['y'] or 0):04d}-{_month(parts):02d}", "month"
    if name == "year":
        return parts["y"], "year"
    if pub is None:
        return None, "unknown"
    return _relative(name, parts, pub)


def _relative(name: str, parts: dict[str, str | None], pub: date) -> tuple[str | None, str]:
    """Expressions that need the publication date."""
    if name in {"md", "dm"}:
        year = (
            pub.year
            if (_month(parts), int(parts["d"] or 0)) <= (pub.month, pub.day)
            else pub.year - 1
        )
        return _day(year, _month(parts), int(parts["d"] or 0))
    if name in {"month", "last_month_name"}:
        month = _month(parts)
        year = (
            pub.year
            if month < pub.month or (month == pub.month and name == "month")
            else pub.year - 1
        )
        return f"{year:04d}-{month:02d}", "month"
    if name == "month_last_year":
        return f"{pub.year - 1:04d}-{_month(parts):02d}", "month"
    if name == "weekday":
        back = (pub.weekday() - _WEEKDAYS.index((parts["wd"] or "").lower())) % 7
        return (pub - timedelta(days=back)).isoformat(), "day"
    offsets = {"yesterday": 1, "today": 0}
    if name in offsets:
        return (pub - timedelta(days=offsets[name])).isoformat(), "day"
    if name == "days_ago":
        words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
        count = parts["n"] or "0"
        return (pub - timedelta(days=words.get(count.lower()) or int(count))).isoformat(), "day"
    return _relative_period(name, pub)


def _relative_period(name: str, pub: date) -> tuple[str | None, str]:
    """Weeks and months before publication, at month precision."""
    if name == "last_week":
        return (pub - timedelta(days=7)).strftime("%Y-%m"), "month"
    if name == "last_month":
        first = pub.replace(day=1) - timedelta(days=1)
        return first.strftime("%Y-%m"), "month"
    if name == "this_month":
        return pub.strftime("%Y-%m"), "month"
    return None, "none"


def shift(mention: DateMention | None, days: int) -> DateMention | None:
    """A day-precision date moved by some days ("a day after" the incident before it)."""
    if mention is None or mention.precision != "day" or not mention.value:
        return None
    moved = date.fromisoformat(mention.value) + timedelta(days=days)
    return DateMention(mention.start, mention.end, moved.isoformat(), "day", mention.reporting)


def _month(parts: dict[str, str | None]) -> int:
    """Month number from a name or digits group."""
    name = (parts.get("mon") or "").lower().rstrip(".")
    return _MONTHS.get(name) or int(parts.get("m") or 0)


def _day(year: int, month: int, day: int) -> tuple[str | None, str]:
    """An ISO day, or no date when the numbers are not a real day."""
    try:
        return date(year, month, day).isoformat(), "day"
    except ValueError:
        return None, "none"


def publication_date(published: str | None) -> date | None:
    """The publication date as a date, None when missing, malformed or out of PUBLISHED_YEARS."""
    try:
        value = date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None
    return value if value is not None and value.year in PUBLISHED_YEARS else None
