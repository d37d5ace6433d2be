"""Incident filters, turned into a parameterised SQL WHERE clause.

Filter values only ever travel as bound parameters, never inside the SQL text, so a
value such as `'; DROP TABLE incidents; --` is just a string that matches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Accepted forms of `since` / `until`: the codebook's three date forms.
_ISO_PREFIX = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")  # ASCII digits only

#: Padding that turns a partial date into the first / last day it covers. Only string
#: order matters, so every month may end on the 31st.
_START_PAD = "0000-01-01"
_END_PAD = "9999-12-31"

#: Orders a listing may take: oldest or newest first, fewest or most killed first.
SORTS = ("date", "-date", "killed", "-killed")


@dataclass(frozen=True)
class IncidentFilter:
    """What `Store.query_incidents` should return; None means no constraint.

    `since` / `until` take 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' and keep every incident
    whose date range overlaps [since, until]: an incident dated '2021-09' (month
    precision) is kept by `since='2021-09-10'`, since it may have happened then.
    Incidents without a date are dropped when either bound is given.
    `country`, `admin1`, `location` match whole values, ignoring case (ASCII letters
    only under SQLite); `perpetrator` matches a case-insensitive substring;
    `attack_type` matches exactly; `min_killed` keeps incidents with at least that
    many reported killed; `limit` caps the number of rows and `offset` skips the first
    rows (for pages); `sort` is one of `SORTS` (default "date": oldest first).
    Undated rows (or rows without a toll, for "killed") always come last.
    """

    country: str | None = None
    admin1: str | None = None
    location: str | None = None
    since: str | None = None
    until: str | None = None
    attack_type: str | None = None
    perpetrator: str | None = None
    min_killed: int | None = None
    limit: int | None = None
    offset: int = 0
    sort: str = "date"

    def __post_init__(self) -> None:
        """Reject malformed bounds here, so the error names the option, not the SQL."""
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _ISO_PREFIX.fullmatch(value):
                raise ValueError(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        if self.limit is not None and self.limit < 0:
            raise ValueError(f"limit must be zero or more, got {self.limit}")
        if self.offset < 0:
            raise ValueError(f"offset must be zero or more, got {self.offset}")
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {self.sort!r}")


#: LIMIT meaning "all rows" in both engines (SQLite's -1 is an error in PostgreSQL).
_NO_LIMIT = 2**62


def _escape_like(value: str) -> str:
    """Escape LIKE wildcards so `%` and `_` in a filter value match themselves."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _pad(date: str, pad: str) -> str:
    """Complete a partial date with `pad`: ('2021-09', END) -> '2021-09-31'."""
    return date + pad[len(date) :]


def where_clause(flt: IncidentFilter, alias: str = "i") -> tuple[str, list[object]]:
    """SQL conditions (joined by AND, '1 = 1' when none) and their bound parameters.

    Date bounds are cut to the length of each stored date before comparing, so a
    stored '2021-09' is compared with '2021-09' of '2021-09-10': the overlap rule.
    That comparison cannot use an index, so the bounds' years are added as plain range
    conditions too (implied by the rule, whatever the stored date's precision).
    """
    conds: list[str] = []
    params: list[object] = []
    for name in ("country", "admin1", "location"):
        value = getattr(flt, name)
        if value is not None:
            conds.append(f"lower({alias}.{name}) = lower(?)")
            params.append(value)
    if flt.since is not None:
        conds.append(f"{alias}.date >= ? AND {alias}.date >= substr(?, 1, length({alias}.date))")
        params.extend((flt.since[:4], _pad(flt.since, _START_PAD)))
    if flt.until is not None:
        if flt.until[:4] != "9999":
            conds.append(f"{alias}.date < ?")
            params.append(f"{int(flt.until[:4]) + 1:04d}")
        conds.append(f"{alias}.date <= substr(?, 1, length({alias}.date))")
        params.append(_pad(flt.until, _END_PAD))
    if flt.attack_type is not None:
        conds.append(f"{alias}.attack_type = ?")
        params.append(flt.attack_type)
    if flt.perpetrator is not None:
        conds.append(f"lower({alias}.perpetrator) LIKE ? ESCAPE '\\'")
        params.append(f"%{_escape_like(flt.perpetrator.lower())}%")
    if flt.min_killed is not None:
        conds.append(f"{alias}.killed >= ?")
        params.append(flt.min_killed)
    return " AND ".join(conds) or "1 = 1", params


def order_by(flt: IncidentFilter, alias: str = "i") -> str:
    """The ORDER BY of a listing: by `flt.sort`, missing values last, ties by id.

    NULLS LAST rather than a CASE expression: an index on the column can then serve the
    order, so a first page of a million rows reads a hundred index entries, not all rows.
    """
    descending = flt.sort.startswith("-")
    column = f"{alias}.{flt.sort.lstrip('-')}"
    direction = " DESC" if descending else ""
    tie = f"{alias}.date{direction}, " if column != f"{alias}.date" else ""
    return f" ORDER BY {column}{direction} NULLS LAST, {tie}{alias}.id{direction}"


def order_and_limit(flt: IncidentFilter, params: list[object], alias: str = "i") -> str:
    """The ORDER BY, LIMIT and OFFSET of a listing, binding limit and offset."""
    sql = order_by(flt, alias)
    if flt.limit is not None or flt.offset:
        sql += " LIMIT ? OFFSET ?"
        params.extend((_NO_LIMIT if flt.limit is None else flt.limit, flt.offset))
    return sql
