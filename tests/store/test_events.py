"""Events in the store: reports of one act merged across articles and sessions, lookalikes apart."""

from __future__ import annotations

from dataclasses import replace

import pytest

from incidex.pipeline import Processed, process
from incidex.records import Article
from incidex.store import IncidentFilter, Store

MARKET_11 = """Bomb kills 11 at Baquba market

A car bomb exploded in a crowded market in Baquba on Tuesday morning, killing 11 people and \
wounding 20 others, police said.

The blast struck as shoppers gathered near the vegetable stalls in the centre of the city. \
No group claimed the attack."""
MARKET_13 = """Death toll rises in Baquba blast

Thirteen people were killed when an explosives-laden car blew up at a busy marketplace in the \
Diyala provincial capital Baquba {when}, a health official said on Wednesday.

Several shops were destroyed, witnesses said."""
FARM_BODY = """A roadside bomb struck a minibus carrying farm workers on a road outside Tuz \
Khurmatu on Sunday morning, killing {toll} of them and wounding seven, local police said.

The workers were on their way to the onion fields south of the town when the device, hidden in \
a pile of rubble on the verge, went off beside the vehicle, a police captain told reporters.

The wounded were taken to the general hospital in Tuz Khurmatu, where two of them were in a \
serious condition, a doctor said.

No group said it planted the bomb, but security officials blamed Islamic State cells that still \
hide in the farmland and the dry valleys of the Hamrin range to the east.

Farmers in the area have asked the provincial council for more patrols on rural roads at harvest \
time, saying the militants have planted bombs and extorted growers there for years.

The district mayor said the families of the dead would receive compensation and promised to \
raise the matter with the army command in Salahuddin."""
FARM = (
    "Four farm workers killed by roadside bomb near Tuz Khurmatu\n\nBy Tigris Wire staff\n\n"
    + FARM_BODY.format(toll="four")
    + "\n\nShare this article\nRead more…\n© 2021 Tigris Wire. All rights reserved."
)
FARM_REPOST = (
    "Bomb kills four labourers in Salahuddin\n\nPosted by the news desk\n\n"
    + FARM_BODY.format(toll="four")
    + "\n\nFollow us on Twitter\nRead more…\n© 2021 Kurdistan Chronicle."
)
FARM_UPDATE = FARM.replace("killing four", "killing six").replace("Four farm", "Six farm")
FARM_UPDATE_REPOST = FARM_REPOST.replace("killing four", "killing six").replace(
    "four lab", "six lab"
)


def _report(doc: str, text: str, published: str, source: str | None = None) -> Processed:
    """An article we wrote, run through every stage of the real pipeline."""
    article = Article(
        id=doc,
        text=text,
        published=published,
        source=source or f"{doc} News",
        url=f"https://{doc}.example/1",
    )
    processed = process(article)
    assert isinstance(processed, Processed)
    return processed


def _add(store: Store, processed: Processed):
    """Store a processed article as `incidex ingest` does."""
    return store.add(
        processed.article, processed.extraction, processed.content_hash, processed.signature
    )


def _counts(store: Store) -> tuple[int, ...]:
    """Articles, incidents and events stored."""
    stats = store.stats()
    return stats["articles"], stats["incidents"], stats["events"]


@pytest.fixture
def market(tmp_path):
    """A database where two outlets' reports of one Baquba bombing were stored in two sessions."""
    path = tmp_path / "incidex.db"
    with Store.open(path) as store:
        _add(store, _report("tigris", MARKET_11, "2021-06-15", "Tigris Wire"))
    with Store.open(path) as store:
        second = _add(
            store,
            _report("diyala", MARKET_13.format(when="on Tuesday"), "2021-06-16", "Diyala News"),
        )
    assert second.status == "new"
    return path


@pytest.mark.parametrize(
    ("when", "day"), [("on Tuesday", "2021-06-15"), ("late on Monday", "2021-06-14")]
)
def test_add_merges_two_outlets_reports_across_sessions(tmp_path, when, day):
    path = tmp_path / "incidex.db"
    with Store.open(path) as store:
        first = _add(store, _report("tigris", MARKET_11, "2021-06-15", "Tigris Wire"))
    later = _report("diyala", MARKET_13.format(when=when), "2021-06-16")
    assert later.extraction.incidents[0].date == day
    with Store.open(path) as store:
        second = _add(store, later)
        (event,) = store.query_events()
    assert (second.new_events, second.updated_events) == ((), first.new_events)
    figures = {k: event[k] for k in ("sources", "killed_low", "killed_high", "killed")}
    assert figures == {"sources": 2, "killed_low": 11, "killed_high": 13, "killed": 11}


def test_get_event_lists_every_report_with_source_and_evidence(market):
    with Store.open(market) as store:
        event = store.get_event(store.query_events()[0]["id"])
    tigris, diyala = event["reports"]
    assert (tigris["source"], tigris["killed"], diyala["source"], diyala["killed"]) == (
        "Tigris Wire", 11, "Diyala News", 13
    )  # fmt: skip
    assert any("killing 11 people" in sentence for sentence in tigris["evidence"])
    assert any("Thirteen people were killed" in sentence for sentence in diyala["evidence"])
    assert event["disagreements"]["killed"] == [(11, ["Tigris Wire"]), (13, ["Diyala News"])]


def test_get_event_unknown_id_is_none(market):
    with Store.open(market) as store:
        assert store.get_event(999999) is None


LOOKALIKES = {
    "same square, two years": (
        ("2019-10-02", "A bomb went off in Tahrir Square in central Baghdad on Tuesday, killing "
         "four people and wounding nine, police said."),
        ("2021-10-06", "A bomb exploded in Baghdad's Tahrir Square on Tuesday, killing four people "
         "and wounding several others, medics said."),
        ("location", "attack_type", "target", "killed"),
    ),
    "car bombs a week apart": (
        ("2021-03-02", "A car bomb exploded near a bus station in Kirkuk on Monday, killing five "
         "civilians, police said."),
        ("2021-03-09", "A car bomb blew up outside a shopping centre in Kirkuk on Monday, killing "
         "five civilians, police said."),
        ("location", "attack_type", "target", "killed"),
    ),
    "same day, towns 60 km apart": (
        ("2021-04-06", "Gunmen attacked an army checkpoint in Hawija on Monday, killing three "
         "soldiers, a security source said."),
        ("2021-04-06", "Gunmen opened fire on an army checkpoint in Kirkuk on Monday, killing "
         "three soldiers, a security source said."),
        ("date", "admin1", "attack_type", "target", "killed"),
    ),
    "same day, province only, tolls 2 and 30": (
        ("2021-06-15", "A roadside bomb killed two civilians in Diyala province on Tuesday, "
         "officials said."),
        ("2021-06-15", "A car bomb exploded in a market in Baquba on Tuesday, killing 30 people, "
         "police said."),
        ("date", "admin1", "attack_type", "target"),
    ),
}  # fmt: skip


@pytest.mark.parametrize(("one", "other", "alike"), LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_add_keeps_lookalike_incidents_apart(store, one, other, alike):
    a, b = _report("a", one[1], one[0]), _report("b", other[1], other[0])
    (ia,), (ib,) = a.extraction.incidents, b.extraction.incidents
    assert all(getattr(ia, f) == getattr(ib, f) for f in alike)  # they do look alike
    _add(store, a)
    assert _add(store, b).new_events
    assert [e["sources"] for e in store.query_events()] == [1, 1]


@pytest.mark.parametrize("province_first", [True, False])
def test_add_joins_province_only_report_to_town_event_same_day_same_toll(store, province_first):
    town = _report("town", MARKET_11, "2021-06-15")
    province = _report(
        "province",
        "A car bomb killed 11 people in Diyala province on Tuesday, officials said.",
        "2021-06-15",
    )
    assert province.extraction.incidents[0].geo_precision == "admin1"
    for processed in (province, town) if province_first else (town, province):
        _add(store, processed)
    (event,) = store.query_events()
    assert (event["location"], event["geo_precision"], event["sources"]) == ("Baqubah", "place", 2)


def test_add_never_merges_two_incidents_of_one_article(store, make_pair, sample):
    twin = replace(sample.khanaqin, killed=4)
    result = store.add(*make_pair("both", "Two attacks on one post.", (sample.khanaqin, twin)))
    assert len(result.new_events) == 2
    later = store.add(*make_pair("later", "One of them, again.", (sample.khanaqin,)))
    assert later.updated_events == result.new_events[:1]


def test_add_near_verbatim_copy_is_a_duplicate_source(store):
    original = _add(store, _report("tigris", FARM, "2021-07-19", "Tigris Wire"))
    incidents = store.stats()["incidents"]
    copy = _add(store, _report("chronicle", FARM_REPOST, "2021-07-19", "Kurdistan Chronicle"))
    assert (copy.status, copy.duplicate_of) == ("duplicate", original.article_id)
    assert (copy.new_events, copy.updated_events) == ((), original.new_events)
    assert store.stats()["incidents"] == incidents
    (event,) = store.query_events()
    assert event["sources"] == 2
    assert [c["source"] for c in store.get_event(event["id"])["copies"]] == ["Kurdistan Chronicle"]


def test_add_copy_with_changed_toll_is_a_new_report(store):
    _add(store, _report("tigris", FARM, "2021-07-19", "Tigris Wire"))
    _add(store, _report("chronicle", FARM_REPOST, "2021-07-19", "Kurdistan Chronicle"))
    update = _add(store, _report("update", FARM_UPDATE, "2021-07-20", "Tigris Wire"))
    assert update.status == "new" and update.updated_events
    (event,) = store.query_events()
    assert (event["killed_low"], event["killed_high"], event["sources"]) == (4, 6, 3)
    killed = store.get_event(event["id"])["disagreements"]["killed"]
    assert [value for value, _ in killed] == [4, 6]


def test_add_repost_of_updated_copy_is_a_duplicate_of_the_update(store):
    _add(store, _report("tigris", FARM, "2021-07-19", "Tigris Wire"))
    update = _add(store, _report("update", FARM_UPDATE, "2021-07-20", "Tigris Wire"))
    repost = _add(store, _report("repost", FARM_UPDATE_REPOST, "2021-07-20", "Chronicle"))
    assert (repost.status, repost.duplicate_of) == ("duplicate", update.article_id)
    (event,) = store.query_events()
    assert (event["killed"], event["killed_low"], event["killed_high"], event["sources"]) == (
        4, 4, 6, 3
    )  # fmt: skip


def test_add_same_text_again_is_known_and_changes_nothing(market):
    with Store.open(market) as store:
        before = (_counts(store), store.query_events())
        again = _add(store, _report("tigris-again", MARKET_11, "2021-06-15", "Tigris Wire"))
        assert again.status == "known"
        assert (again.new_events, again.updated_events) == ((), ())
        assert (_counts(store), store.query_events()) == before


@pytest.fixture
def three_events(store, make_pair, sample):
    """Baquba (tolls 11 and 13, two sources), Khanaqin (3) and Samarra (5), stored out of order."""
    baquba = replace(
        sample.khanaqin, date="2021-06-15", location="Baqubah", lat=33.75, lon=44.63,
        attack_type="bombing", target="civilians", killed=11,
    )  # fmt: skip
    store.add(*make_pair("b1", "Baquba, first report.", (baquba,)))
    store.add(*make_pair("k1", "Khanaqin report.", (sample.khanaqin,)))
    store.add(*make_pair("b2", "Baquba, second report.", (replace(baquba, killed=13),)))
    store.add(*make_pair("s1", "Samarra report.", (sample.samarra,)))
    return store


def test_query_events_orders_by_date_with_source_counts(three_events):
    rows = three_events.query_events()
    assert [(r["location"], r["date"], r["sources"]) for r in rows] == [
        ("Baqubah", "2021-06-15", 2),
        ("Samarra", "2021-08-30", 1),
        ("Khanaqin", "2021-09-10", 1),
    ]


@pytest.mark.parametrize(
    ("filters", "places"),
    [
        (IncidentFilter(admin1="diyala"), ["Baqubah", "Khanaqin"]),
        (IncidentFilter(since="2021-08"), ["Samarra", "Khanaqin"]),
        (IncidentFilter(until="2021-06-15"), ["Baqubah"]),
        (IncidentFilter(min_killed=11), ["Baqubah"]),
        (IncidentFilter(min_killed=12), []),  # best estimate 11, though one source says 13
        (IncidentFilter(min_killed=5), ["Baqubah", "Samarra"]),
        (IncidentFilter(limit=1), ["Baqubah"]),
    ],
)
def test_query_events_filters_apply_to_event_fields(three_events, filters, places):
    assert [r["location"] for r in three_events.query_events(filters)] == places
