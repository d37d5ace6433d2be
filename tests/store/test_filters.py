"""IncidentFilter: each filter, date overlap with month precision, hostile values."""

from __future__ import annotations

import pytest

from incidex.store import IncidentFilter


def _places(rows):
    """Each row's most specific place name, in result order."""
    return [row["location"] or row["admin1"] for row in rows]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Samarra", "Kirkuk", "Khanaqin", "Maiduguri"]),
        ({"country": "ng"}, ["Maiduguri"]),
        ({"admin1": "DIYALA"}, ["Khanaqin"]),
        ({"admin1": "salah al-din"}, ["Samarra"]),
        ({"location": "samarra"}, ["Samarra"]),
        ({"attack_type": "bombing"}, ["Kirkuk"]),
        ({"perpetrator": "boko"}, ["Maiduguri"]),
        ({"min_killed": 4}, ["Samarra", "Maiduguri"]),
        ({"min_killed": 0}, ["Samarra", "Khanaqin", "Maiduguri"]),
        ({"limit": 2}, ["Samarra", "Kirkuk"]),
        ({"limit": 0}, []),
        ({"country": "IQ", "min_killed": 4}, ["Samarra"]),
    ],
)
def test_filter_selects(filled, filters, expected):
    assert _places(filled.query_incidents(IncidentFilter(**filters))) == expected


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        # Kirkuk is dated '2021-09' (month): kept whenever the range touches September.
        ("2021-09-10", None, ["Kirkuk", "Khanaqin"]),
        ("2021-09-11", None, ["Kirkuk"]),
        ("2021-10-01", None, []),
        (None, "2021-09-05", ["Samarra", "Kirkuk"]),
        (None, "2021-08-31", ["Samarra"]),
        (None, "2021-08", ["Samarra"]),
        ("2021-09", "2021-09", ["Kirkuk", "Khanaqin"]),
        ("2021", "2021", ["Samarra", "Kirkuk", "Khanaqin"]),
        ("2021-09-01", "2021-09-09", ["Kirkuk"]),
    ],
)
def test_filter_since_until_overlap(filled, since, until, expected):
    rows = filled.query_incidents(IncidentFilter(since=since, until=until))
    assert _places(rows) == expected


@pytest.mark.parametrize("value", ["islamic state", "ISLAMIC", "State"])
def test_filter_perpetrator_case_insensitive_substring(filled, value):
    assert _places(filled.query_incidents(IncidentFilter(perpetrator=value))) == ["Khanaqin"]


@pytest.mark.parametrize("value", ["%", "_", "Islamic%State"])
def test_filter_perpetrator_wildcards_match_literally(filled, value):
    assert filled.query_incidents(IncidentFilter(perpetrator=value)) == []


@pytest.mark.parametrize("field", ["country", "admin1", "location", "attack_type", "perpetrator"])
@pytest.mark.parametrize(
    "value", ["x' OR '1'='1", "'; DROP TABLE incidents; --", "Diyala') OR 1=1 --"]
)
def test_filter_injection_is_harmless(filled, count_rows, field, value):
    before = count_rows(filled)
    assert filled.query_incidents(IncidentFilter(**{field: value})) == []
    assert count_rows(filled) == before


@pytest.mark.parametrize("value", ["2021-9-1", "yesterday", "2021-09-10' OR 1=1"])
def test_filter_rejects_malformed_dates(value):
    with pytest.raises(ValueError, match="since"):
        IncidentFilter(since=value)


def test_filter_rejects_negative_limit():
    with pytest.raises(ValueError, match="limit"):
        IncidentFilter(limit=-1)


def test_query_many_incidents_attaches_all_evidence(store, make_pair, sample):
    incidents = tuple([sample.kirkuk] * 1200)  # more than one evidence batch
    store.add(*make_pair("big", "A long article.", incidents))
    rows = store.query_incidents()
    assert len(rows) == 1200
    assert all(row["evidence"] == list(sample.kirkuk.evidence) for row in rows)
