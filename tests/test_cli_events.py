"""The event commands as a user drives them: events, show, and event ids in extract output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incidex.cli import app

REPORTS = [
    {
        "id": "tigris-baquba",
        "published": "2021-06-15",
        "source": "Tigris Wire",
        "text": "A car bomb exploded in a crowded market in Baquba on Tuesday morning, killing 11 "
        "people and wounding 20 others, police said. No group claimed the attack.",
    },
    {
        "id": "diyala-baquba",
        "published": "2021-06-16",
        "source": "Diyala News",
        "text": "Thirteen people were killed when an explosives-laden car blew up at a busy "
        "marketplace in the Diyala provincial capital Baquba on Tuesday, a health official "
        "said on Wednesday.",
    },
    {
        "id": "kirkuk-checkpoint",
        "published": "2021-06-16",
        "source": "Diyala News",
        "text": "Gunmen fired on an army checkpoint in Kirkuk on Tuesday night, killing three "
        "soldiers, a security source said.",
    },
]


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory) -> Path:
    """A database holding the bundled samples, ingested once for the module."""
    path = tmp_path_factory.mktemp("events") / "samples.db"
    result = invoke("ingest", "--samples", "--db", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def reports(tmp_path) -> Path:
    """Our three reports as a JSON-lines file: two of one Baquba bombing, one Kirkuk attack."""
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in REPORTS), encoding="utf-8")
    return path


def _events_json(db: Path) -> list[dict]:
    result = invoke("events", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_events_table_has_a_sources_column(samples_db):
    result = invoke("events", "--db", samples_db)
    assert result.exit_code == 0
    assert "sources" in result.stdout and f"{len(_events_json(samples_db))} events" in result.stdout


def test_events_json_rows_carry_sources_and_killed_spread(samples_db):
    rows = _events_json(samples_db)
    assert rows and all({"sources", "killed_low", "killed_high"} <= set(row) for row in rows)
    assert all(row["sources"] >= 1 for row in rows)


def test_events_table_shows_merged_reports_with_spread(reports, db_path):
    assert invoke("ingest", reports, "--db", db_path).exit_code == 0
    (baquba,) = (row for row in _events_json(db_path) if row["location"] == "Baqubah")
    assert (baquba["sources"], baquba["killed_low"], baquba["killed_high"]) == (2, 11, 13)
    assert "11 (11-13)" in invoke("events", "--db", db_path).stdout


def test_show_prints_sources_and_evidence(reports, db_path):
    invoke("ingest", reports, "--db", db_path)
    (baquba,) = (row for row in _events_json(db_path) if row["location"] == "Baqubah")
    result = invoke("show", baquba["id"], "--db", db_path)
    assert result.exit_code == 0
    for source, words in [("Tigris Wire", "killing 11 people"), ("Diyala News", "Thirteen people")]:
        assert source in result.stdout and words in result.stdout
    assert "sources disagree on killed: 11 (Tigris Wire); 13 (Diyala News)" in result.stdout


def test_show_json_lists_reports_with_evidence(samples_db):
    event_id = _events_json(samples_db)[0]["id"]
    event = json.loads(invoke("show", event_id, "--db", samples_db, "--json").stdout)
    assert event["id"] == event_id and event["reports"]
    assert all(report["source"] and report["evidence"] for report in event["reports"])


@pytest.mark.parametrize("prefix", ["", "E", "e"])
def test_show_takes_event_id_as_listed(samples_db, prefix):
    event_id = _events_json(samples_db)[0]["id"]
    assert invoke("show", f"{prefix}{event_id}", "--db", samples_db).exit_code == 0


def test_show_unknown_event_exits_2_saying_how_to_list(samples_db):
    result = invoke("show", "999999", "--db", samples_db)
    assert result.exit_code == 2
    assert "no event 999999" in result.stderr and "incidex events" in result.stderr


@pytest.mark.parametrize("event", ["abc", "12x", "-3", "E"])
def test_show_refuses_what_is_not_an_event_id(samples_db, event):
    result = invoke("show", "--db", samples_db, "--", event)
    assert result.exit_code == 2
    assert "is not an event id like 12" in result.stderr


def test_show_without_database_says_to_ingest(tmp_path):
    result = invoke("show", "1", "--db", tmp_path / "none.db")
    assert result.exit_code == 2 and "incidex ingest" in result.stderr


def test_extract_gives_reports_of_one_attack_one_event_id(reports, tmp_path):
    out = tmp_path / "out.jsonl"
    assert invoke("extract", reports, "--out", out).exit_code == 0
    docs = {d["doc"]: d["incidents"] for d in map(json.loads, out.read_text().splitlines())}
    (tigris,), (diyala,), (kirkuk,) = (docs[r["id"]] for r in REPORTS)
    assert tigris["event"] == diyala["event"] != kirkuk["event"]
    assert (tigris["killed"], diyala["killed"], kirkuk["location"]) == (11, 13, "Kirkuk")


@pytest.mark.parametrize("command", ["events", "show", "watch"])
def test_event_commands_have_help_with_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout
