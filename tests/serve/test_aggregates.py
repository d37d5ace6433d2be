"""Aggregates, counts and pages in the store, below the HTTP layer."""

from __future__ import annotations

from datetime import date

import pytest

from incidex.store import IncidentFilter, Store
from incidex.store.aggregates import aggregate_events, count_events, count_incidents, event_reports


@pytest.fixture(scope="module")
def store(sample_db):
    with Store.open(sample_db) as opened:
        yield opened


def test_counts_ignore_limit_offset_and_sort(store):
    flt = IncidentFilter(country="IQ", limit=2, offset=3, sort="-killed")
    assert count_events(store, flt) == len(store.query_events(IncidentFilter(country="IQ")))
    assert count_incidents(store, flt) == len(store.query_incidents(IncidentFilter(country="IQ")))


def test_count_of_no_filters_is_every_event(store):
    assert count_events(store) == store.stats()["events"]


@pytest.mark.parametrize("by", ["month", "week", "admin1", "attack_type", "perpetrator"])
def test_aggregate_rows_add_up(store, by):
    rows = aggregate_events(store, by)
    assert sum(row["events"] for row in rows) == count_events(store)


def test_week_key_is_the_monday_of_a_day_precision_event(store):
    events = [e for e in store.query_events() if e["date_precision"] == "day"]
    mondays = {row["key"] for row in aggregate_events(store, "week")}
    for event in events:
        day = date.fromisoformat(event["date"])
        assert date.fromordinal(day.toordinal() - day.weekday()).isoformat() in mondays


def test_month_precision_events_have_no_week(store):
    month_only = [e for e in store.query_events() if e["date_precision"] == "month"]
    unkeyed = [row for row in aggregate_events(store, "week") if row["key"] is None]
    assert month_only and unkeyed[0]["events"] >= len(month_only)


def test_unknown_aggregate_key_is_refused(store):
    with pytest.raises(ValueError, match="by must be one of"):
        aggregate_events(store, "killed; DROP TABLE events")


def test_event_reports_in_one_query_match_get_event(store):
    reports = event_reports(store, [1, 2, 99999])
    event = store.get_event(1)
    expected = [
        {"source": r["source"], "doc": r["doc"], "evidence": r["evidence"]}
        for r in event["reports"]
    ]
    expected += [{"source": c["source"], "doc": c["doc"]} for c in event["copies"]]
    assert reports[1] == expected and reports[99999] == []


def test_offset_and_sort_page_the_events(store):
    newest = store.query_events(IncidentFilter(sort="-date"))
    page = store.query_events(IncidentFilter(sort="-date", limit=3, offset=2))
    assert page == newest[2:5]


def test_offset_without_limit_skips_rows(store):
    assert store.query_incidents(IncidentFilter(offset=20)) == store.query_incidents()[20:]


@pytest.mark.parametrize(
    ("field", "value"), [("offset", -1), ("sort", "id; DROP TABLE events"), ("sort", "killed DESC")]
)
def test_filter_refuses_bad_offset_or_sort(field, value):
    with pytest.raises(ValueError, match=field):
        IncidentFilter(**{field: value})


def test_default_order_is_still_oldest_first(store):
    dates = [e["date"] for e in store.query_events() if e["date"]]
    assert dates == sorted(dates)
