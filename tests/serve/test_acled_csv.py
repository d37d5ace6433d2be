"""ACLED-style CSV: the columns, the attack type mapping, actors, precision, sources, notes."""

from __future__ import annotations

import csv
import io
import typing

import pytest

from incidex.export import ACLED_COLUMNS, ACLED_TYPES, acled_row, to_acled_csv
from incidex.serve.models import AttackType

EVENT = {
    "id": 7,
    "date": "2021-03-15",
    "country": "IQ",
    "admin1": "Salah al-Din",
    "location": "Tuz Khurmatu",
    "lat": 34.89,
    "lon": 44.63,
    "geo_precision": "admin2",
    "attack_type": "armed_assault",
    "perpetrator": "Islamic State",
    "target": "military",
    "killed": 4,
    "reports": [
        {
            "source": "Tigris Wire",
            "doc": "a",
            "evidence": ["Gunmen stormed a checkpoint.", "Four died."],
        },
        {"source": "Rafidain Daily", "doc": "b", "evidence": ["Five soldiers were killed."]},
    ],
    "copies": [{"source": "Repost Hub", "doc": "c"}, {"source": "Tigris Wire", "doc": "d"}],
}


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_acled_csv_has_the_acled_columns_even_when_empty():
    assert to_acled_csv([]).splitlines() == [",".join(ACLED_COLUMNS)]


def test_acled_row_of_an_event():
    assert acled_row(EVENT) == {
        "event_id": 7,
        "event_date": "2021-03-15",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Islamic State",
        "actor2": "Military Forces of Iraq",
        "admin1": "Salah al-Din",
        "location": "Tuz Khurmatu",
        "latitude": 34.89,
        "longitude": 44.63,
        "geo_precision": 2,
        "source": "Tigris Wire; Rafidain Daily; Repost Hub",
        "notes": "Gunmen stormed a checkpoint.",
        "fatalities": 4,
    }


@pytest.mark.parametrize(
    ("changes", "event_type", "sub_event_type"),
    [
        ({"attack_type": "bombing"}, "Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ({"attack_type": "suicide_bombing"}, "Explosions/Remote violence", "Suicide bomb"),
        (
            {"attack_type": "indirect_fire"},
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
        ),
        ({"target": "civilians"}, "Violence against civilians", "Attack"),
        ({"attack_type": "sniper", "target": "police"}, "Battles", "Armed clash"),
        (
            {"attack_type": "kidnapping"},
            "Violence against civilians",
            "Abduction/forced disappearance",
        ),
        ({"attack_type": "execution"}, "Violence against civilians", "Attack"),
        ({"attack_type": "security_operation", "target": "militants"}, "Battles", "Armed clash"),
        (
            {
                "attack_type": "security_operation",
                "reports": [{"source": "X", "evidence": ["A coalition air strike hit a hideout."]}],
            },
            "Explosions/Remote violence",
            "Air/drone strike",
        ),
        ({"attack_type": "arson"}, "Strategic developments", "Looting/property destruction"),
        ({"attack_type": "other"}, "Strategic developments", "Other"),
        ({"attack_type": None}, "Strategic developments", "Other"),
    ],
)
def test_acled_event_types(changes, event_type, sub_event_type):
    row = acled_row({**EVENT, **changes})
    assert (row["event_type"], row["sub_event_type"]) == (event_type, sub_event_type)


def test_every_attack_type_has_an_acled_type():
    assert set(ACLED_TYPES) == set(typing.get_args(AttackType))


@pytest.mark.parametrize(
    ("changes", "actor2"),
    [
        ({"target": "civilians"}, "Civilians (Iraq)"),
        ({"target": "police", "country": "SY"}, "Police Forces of Syria"),
        ({"target": "civilians", "country": None}, "Civilians"),
        ({"target": "government", "country": None}, "Government"),
        ({"target": "infrastructure"}, ""),
        ({"target": "unknown"}, ""),
    ],
)
def test_acled_actor2_names_the_target_side(changes, actor2):
    assert acled_row({**EVENT, **changes})["actor2"] == actor2


@pytest.mark.parametrize(
    ("precision", "code"), [("place", 1), ("admin2", 2), ("admin1", 3), ("country", 3)]
)
def test_acled_geo_precision(precision, code):
    assert acled_row({**EVENT, "geo_precision": precision})["geo_precision"] == code


def test_acled_row_without_figures_or_sources():
    row = acled_row(
        {"id": 1, "target": "unknown", "killed": None, "lat": None, "lon": None, "reports": []}
    )
    assert (row["fatalities"], row["source"], row["notes"], row["latitude"]) == (0, "", "", "")


def test_export_csv_lists_every_event(api):
    reply = api.get("/api/export.csv")
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = _rows(reply.text)
    assert list(rows[0]) == list(ACLED_COLUMNS)
    assert len(rows) == api.get("/api/events").json()["total"]


def test_export_csv_rows_match_the_events(api):
    rows = {int(row["event_id"]): row for row in _rows(api.get("/api/export.csv").text)}
    tuz = rows[1]
    assert (tuz["event_type"], tuz["actor1"], tuz["actor2"]) == (
        "Battles",
        "Islamic State",
        "Military Forces of Iraq",
    )
    assert tuz["fatalities"] == "4" and tuz["source"].count("; ") == 2
    event = api.get("/api/events/1").json()
    assert tuz["notes"] == event["reports"][0]["evidence"][0]


def test_export_csv_takes_the_filters(api):
    rows = _rows(api.get("/api/export.csv?type=bombing&country=IQ").text)
    assert rows and {row["sub_event_type"] for row in rows} == {"Remote explosive/landmine/IED"}
