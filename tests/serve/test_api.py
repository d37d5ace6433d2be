"""The read endpoints over the bundled samples: listings, filters, pages, order, errors."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pytest

EVENT_FIELDS = {
    "id", "date", "date_precision", "country", "admin1", "location", "lat", "lon",
    "geo_precision", "attack_type", "perpetrator", "attribution", "target", "sources",
    "killed", "killed_low", "killed_high", "wounded", "wounded_low", "wounded_high",
    "kidnapped", "kidnapped_low", "kidnapped_high", "perpetrators_killed",
    "perpetrators_killed_low", "perpetrators_killed_high", "first_seen", "updated_at",
}  # fmt: skip


def _all(api, path, **params):
    """Every item of a listing, in one page."""
    return api.get(f"{path}?{urlencode({**params, 'limit': 1000})}").json()["items"]


def test_events_listing_is_a_page_of_events(api):
    page = api.get("/api/events").json()
    assert set(page) == {"total", "limit", "offset", "items"}
    assert (page["total"], page["limit"], page["offset"]) == (23, 100, 0)
    assert len(page["items"]) == 23
    assert set(page["items"][0]) == EVENT_FIELDS


def test_incidents_listing_has_evidence_and_event(api):
    page = api.get("/api/incidents?limit=5").json()
    assert page["total"] == 24 and len(page["items"]) == 5
    assert all(item["evidence"] and item["event"] for item in page["items"])


@pytest.mark.parametrize("path", ["/api/events", "/api/incidents"])
def test_listing_pages_cover_every_row_once(api, path):
    everything = [row["id"] for row in _all(api, path)]
    pages = [api.get(f"{path}?limit=5&offset={n}").json() for n in range(0, 30, 5)]
    assert [row["id"] for page in pages for row in page["items"]] == everything
    assert {page["total"] for page in pages} == {len(everything)}


def test_offset_past_the_end_is_an_empty_page(api):
    page = api.get("/api/events?offset=500").json()
    assert page["items"] == [] and page["total"] == 23


def _dates(rows):
    return [row["date"] for row in rows if row["date"] is not None]


def _tolls(rows):
    return [row["killed"] for row in rows if row["killed"] is not None]


@pytest.mark.parametrize(
    ("sort", "key", "descending"),
    [
        ("date", _dates, False),
        ("-date", _dates, True),
        ("killed", _tolls, False),
        ("-killed", _tolls, True),
    ],
)
def test_events_sort(api, sort, key, descending):
    rows = _all(api, "/api/events", sort=sort)
    assert key(rows) == sorted(key(rows), reverse=descending)
    assert len(set(key(rows))) > 1  # the order is not trivially right


def test_events_sort_defaults_to_newest_first(api):
    assert _all(api, "/api/events") == _all(api, "/api/events", sort="-date")


def test_events_sort_puts_unknown_tolls_last(api):
    rows = _all(api, "/api/events", sort="-killed")
    known = [row["killed"] is not None for row in rows]
    assert known == sorted(known, reverse=True)


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"country": "ng"}, lambda e: e["country"] == "NG"),
        ({"admin1": "diyala"}, lambda e: e["admin1"] == "Diyala"),
        ({"location": "MAKHMOUR"}, lambda e: e["location"] == "Makhmour"),
        ({"type": "bombing"}, lambda e: e["attack_type"] == "bombing"),
        ({"perpetrator": "islamic"}, lambda e: "Islamic" in e["perpetrator"]),
        ({"min_killed": 5}, lambda e: e["killed"] >= 5),
        ({"since": "2021"}, lambda e: e["date"] >= "2021"),
        ({"until": "2019-07"}, lambda e: e["date"][:7] <= "2019-07"),
        (
            {"country": "IQ", "type": "armed_assault"},
            lambda e: (e["country"], e["attack_type"]) == ("IQ", "armed_assault"),
        ),
    ],
)
def test_event_filters_keep_matching_events(api, params, check):
    page = api.get(f"/api/events?{urlencode(params)}").json()
    assert 0 < page["total"] < 23
    assert len(page["items"]) == page["total"]
    assert all(check(event) for event in page["items"])


def test_empty_filter_values_filter_nothing(api):
    page = api.get("/api/events?country=&since=&perpetrator=").json()
    assert page["total"] == 23


def test_incident_filters_apply_to_reports(api):
    page = api.get("/api/incidents?admin1=Salah%20al-Din&since=2021").json()
    assert page["total"] >= 3
    assert {item["admin1"] for item in page["items"]} == {"Salah al-Din"}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("since=2021/01", "since"),
        ("until=last%20week", "until"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("offset=-1", "offset"),
        ("sort=size", "sort"),
        ("type=nuclear", "type"),
        ("min_killed=-1", "min_killed"),
        ("min_killed=many", "min_killed"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(api, query, named):
    reply = api.get(f"/api/events?{query}")
    assert reply.status == 422
    assert reply.json()["detail"].startswith(f"{named}: ")


def test_bad_date_message_says_the_accepted_forms(api):
    detail = api.get("/api/incidents?since=21-01-2021").json()["detail"]
    assert detail == "since: must be YYYY, YYYY-MM or YYYY-MM-DD (got '21-01-2021')"


def test_event_detail_has_reports_with_text_copies_and_disagreements(api):
    event = api.get("/api/events/1").json()
    assert event["sources"] == 3 and len(event["reports"]) == 2 and len(event["copies"]) == 1
    for report in event["reports"]:
        assert report["evidence"] and all(
            sentence in report["text"] for sentence in report["evidence"]
        )
    value, sources = event["disagreements"]["killed"][0]
    assert isinstance(value, int) and sources


def test_missing_event_is_404_json(api):
    reply = api.get("/api/events/99999")
    assert reply.status == 404
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == {"detail": "no event 99999; GET /api/events lists them"}


@pytest.mark.parametrize("event_id", ["abc", "0", "99999999999999999999999"])
def test_malformed_event_id_is_422(api, event_id):
    assert api.get(f"/api/events/{event_id}").status == 422


def test_geojson_is_a_feature_collection_in_lon_lat_order(api):
    reply = api.get("/api/events.geojson")
    assert reply.headers["Content-Type"] == "application/geo+json"
    collection = reply.json()
    events = {event["id"]: event for event in _all(api, "/api/events")}
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == sum(e["lat"] is not None for e in events.values())
    for feature in collection["features"]:
        event = events[feature["id"]]
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        assert feature["geometry"]["coordinates"] == [event["lon"], event["lat"]]
        assert feature["properties"]["killed_high"] == event["killed_high"]


def test_geojson_takes_the_filters(api):
    features = api.get("/api/events.geojson?country=NG").json()["features"]
    assert features and {f["properties"]["country"] for f in features} == {"NG"}
    # Nigeria lies east of Greenwich and north of the equator: longitude ~13, latitude ~11
    assert all(
        10 < lon < 15 and 9 < lat < 13
        for lon, lat in (f["geometry"]["coordinates"] for f in features)
    )


@pytest.mark.parametrize("by", ["month", "week", "admin1", "attack_type", "perpetrator"])
@pytest.mark.parametrize("params", [{}, {"country": "IQ"}, {"since": "2020", "type": "bombing"}])
def test_aggregates_add_up_to_the_events_listing(api, by, params):
    rows = api.get(f"/api/aggregates?{urlencode({'by': by, **params})}").json()["rows"]
    events = _all(api, "/api/events", **params)
    assert sum(row["events"] for row in rows) == len(events)
    assert sum(row["killed"] for row in rows) == sum(e["killed"] or 0 for e in events)
    assert sum(row["wounded"] for row in rows) == sum(e["wounded"] or 0 for e in events)


def test_aggregates_by_week_are_mondays_in_order(api):
    rows = api.get("/api/aggregates?by=week").json()["rows"]
    keys = [row["key"] for row in rows if row["key"] is not None]
    assert keys == sorted(keys)
    assert {date.fromisoformat(key).weekday() for key in keys} == {0}


def test_aggregates_by_month_count_each_month(api):
    rows = api.get("/api/aggregates?by=month").json()["rows"]
    march_2021 = _all(api, "/api/events", since="2021-03", until="2021-03")
    assert {"key": "2021-03", "events": len(march_2021)} in [
        {"key": r["key"], "events": r["events"]} for r in rows
    ]


def test_aggregates_by_field_largest_first_unknown_last(api):
    rows = api.get("/api/aggregates?by=perpetrator").json()["rows"]
    assert rows[-1]["key"] is None
    counts = [row["events"] for row in rows[:-1]]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("query", ["", "by=year", "by=admin1&since=2021-1"])
def test_aggregates_need_a_known_key(api, query):
    assert api.get(f"/api/aggregates?{query}").status == 422


@pytest.mark.parametrize(
    "value",
    [
        "'; DROP TABLE events; --",
        "IQ' OR '1'='1",
        '" OR 1=1 --',
        "%",
        "_",
        "\\",
        "Diyala') UNION SELECT sql FROM sqlite_master --",
    ],
)
@pytest.mark.parametrize("name", ["country", "admin1", "location", "perpetrator"])
def test_injection_strings_are_plain_values(api, name, value):
    for path in ("/api/events", "/api/incidents", "/api/events.geojson", "/api/export.csv"):
        assert api.get(f"{path}?{urlencode({name: value})}").status == 200
    assert api.get(f"/api/events?{urlencode({name: value})}").json()["total"] == 0
    assert (
        api.get(f"/api/aggregates?{urlencode({'by': 'admin1', name: value})}").json()["rows"] == []
    )
    assert api.get("/api/events").json()["total"] == 23  # nothing dropped or changed


def test_config_says_tiles_and_write(api, read_only):
    assert api.get("/api/config").json() == {"tiles": None, "write": True}
    assert read_only.get("/api/config").json() == {"tiles": None, "write": False}
