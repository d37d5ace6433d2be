"""Export of query rows: CSV, JSON, GeoJSON and the terminal table."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.console import Console

from incidex.export import incidents_table, to_csv, to_geojson, to_json

ROWS = [
    {
        "id": 1,
        "doc": "a1",
        "source": "Test Wire",
        "date": "2021-09-10",
        "country": "IQ",
        "admin1": "Diyala",
        "location": "Khanaqin",
        "lat": 34.35,
        "lon": 45.39,
        "attack_type": "armed_assault",
        "perpetrator": "Islamic State",
        "target": "militia",
        "killed": 3,
        "wounded": None,
        "evidence": ["Gunmen attacked a post, sir.", "Three died."],
    },
    {
        "id": 2,
        "doc": "b1",
        "source": None,
        "date": "2021-09",
        "country": "IQ",
        "admin1": "Kirkuk",
        "location": None,
        "lat": None,
        "lon": None,
        "attack_type": "bombing",
        "perpetrator": None,
        "target": "civilians",
        "killed": None,
        "wounded": 4,
        "evidence": ["A bomb wounded four."],
    },
]


def test_csv_has_header_and_rows():
    records = list(csv.DictReader(io.StringIO(to_csv(ROWS))))
    assert list(records[0]) == list(ROWS[0])
    assert records[0]["location"] == "Khanaqin"
    assert records[0]["killed"] == "3"
    assert records[0]["wounded"] == ""
    assert records[0]["evidence"] == "Gunmen attacked a post, sir. | Three died."
    assert len(records) == 2


def test_csv_of_no_rows_is_empty():
    assert to_csv([]) == ""


def test_json_round_trips():
    assert json.loads(to_json(ROWS)) == ROWS


def test_json_of_no_rows_is_empty_list():
    assert json.loads(to_json([])) == []


def test_geojson_is_feature_collection_with_lon_lat_points():
    collection = json.loads(to_geojson(ROWS))
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]  # the row without coordinates is skipped
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [45.39, 34.35]}
    assert feature["properties"]["location"] == "Khanaqin"
    assert feature["properties"]["evidence"] == ROWS[0]["evidence"]


def test_table_shows_readable_columns():
    table = incidents_table(ROWS)
    headings = [column.header for column in table.columns]
    assert headings == [
        "date",
        "place",
        "type",
        "perpetrator",
        "target",
        "killed",
        "wounded",
        "source",
    ]
    assert table.row_count == 2
    console = Console(record=True, width=200)
    console.print(table)
    text = console.export_text()
    assert "Khanaqin, Diyala (IQ)" in text
    assert "Test Wire" in text
    assert "b1" in text  # no source: the doc id stands in


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_defuses_spreadsheet_formulas(hostile):
    row = {**ROWS[0], "source": hostile}
    (record,) = csv.DictReader(io.StringIO(to_csv([row])))
    assert record["source"] == "'" + hostile
