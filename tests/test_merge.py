"""Which incidents are one event: the pure merging rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from incidex.merge import Spread, cluster, representative, same_event, spread
from incidex.records import Incident

MOSUL_BOMB = Incident(
    date="2018-11-08", date_precision="day", country="IQ", admin1="Nineveh", location="Mosul",
    lat=36.34, lon=43.13, geo_precision="place", attack_type="bombing", target="civilians", killed=3,
)  # fmt: skip


@pytest.mark.parametrize(
    "other",
    [
        replace(MOSUL_BOMB, killed=5),
        replace(MOSUL_BOMB, date="2018-11-07"),
        replace(MOSUL_BOMB, location="Mosoul", lat=36.36, lon=43.15),
        replace(MOSUL_BOMB, attack_type="suicide_bombing"),
        replace(MOSUL_BOMB, target="unknown"),
        replace(MOSUL_BOMB, location=None, geo_precision="admin1", lat=36.2, lon=42.6, killed=3),
        replace(MOSUL_BOMB, date="2018-11", date_precision="month"),
    ],
)
def test_same_event_accepts_other_reports_of_one_act(other):
    assert same_event(MOSUL_BOMB, other)


@pytest.mark.parametrize(
    "other",
    [
        replace(MOSUL_BOMB, date="2019-11-08"),
        replace(MOSUL_BOMB, date="2018-11-15"),
        replace(MOSUL_BOMB, location="Qayyarah", lat=35.86, lon=43.19),
        replace(MOSUL_BOMB, attack_type="armed_assault"),
        replace(MOSUL_BOMB, target="militants"),
        replace(MOSUL_BOMB, country="SY"),
        replace(MOSUL_BOMB, location=None, geo_precision="admin1", killed=30),
        replace(MOSUL_BOMB, date=None, date_precision="unknown"),
    ],
)
def test_same_event_keeps_lookalikes_apart(other):
    assert not same_event(MOSUL_BOMB, other)


def test_cluster_groups_reports_across_articles():
    items = [
        ("a", MOSUL_BOMB),
        ("b", replace(MOSUL_BOMB, killed=5)),
        ("c", replace(MOSUL_BOMB, date="2018-12-20")),
    ]
    assert cluster(items) == [0, 0, 1]


def test_cluster_never_merges_incidents_of_one_article():
    assert cluster([("a", MOSUL_BOMB), ("a", replace(MOSUL_BOMB, killed=4))]) == [0, 1]


def test_spread_gives_low_high_and_lower_median():
    assert spread([2, None, 5, 3]) == Spread(low=2, high=5, best=3)
    assert spread([None]) == Spread(None, None, None)


def test_representative_is_the_most_precise_report():
    coarse = replace(MOSUL_BOMB, location=None, geo_precision="admin1")
    assert representative([coarse, MOSUL_BOMB]) is MOSUL_BOMB
