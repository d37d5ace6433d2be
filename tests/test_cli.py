"""The command line as a user drives it: extract, ingest, incidents, eval, on real files."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incidex import pipeline
from incidex.cli import app
from tests.conftest import EXPECTED, INPUTS, SAMPLES

CODEBOOK_KEYS = {"doc", "published", "title", "source", "incidents", "statistics"}
INCIDENT_KEYS = {
    "date", "date_precision", "country", "admin1", "location", "lat", "lon", "geo_precision",
    "attack_type", "perpetrator", "attribution", "target", "killed", "wounded", "kidnapped",
    "perpetrators_killed", "evidence", "event",
}  # fmt: skip


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def ingested(db_path: Path) -> Path:
    result = invoke("ingest", "--samples", "--db", db_path)
    assert result.exit_code == 0, result.output
    return db_path


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_extract_writes_codebook_lines_for_every_article(tmp_path):
    out = tmp_path / "out.jsonl"
    result = invoke("extract", SAMPLES, "--out", out)
    assert result.exit_code == 0, result.output
    docs = read_lines(out)
    assert {d["doc"] for d in docs} == {d["doc"] for d in read_lines(EXPECTED)}
    assert all(set(d) == CODEBOOK_KEYS for d in docs)
    assert all(set(i) == INCIDENT_KEYS for d in docs for i in d["incidents"])


def test_extract_evidence_is_verbatim_article_text(tmp_path):
    out = tmp_path / "out.jsonl"
    invoke("extract", SAMPLES / "001.txt", "--out", out)
    (doc,) = read_lines(out)
    text = (SAMPLES / "001.txt").read_text()
    assert doc["incidents"]
    assert all(sentence in text for i in doc["incidents"] for sentence in i["evidence"])


def test_extract_uses_index_metadata(tmp_path):
    out = tmp_path / "out.jsonl"
    invoke("extract", SAMPLES / "001.txt", "--out", out)
    index = {
        e["file"]: e for e in map(json.loads, (SAMPLES / "index.jsonl").read_text().splitlines())
    }
    (doc,) = read_lines(out)
    assert (doc["doc"], doc["published"]) == (index["001.txt"]["id"], index["001.txt"]["published"])


def test_extract_reports_bad_inputs_and_goes_on(tmp_path):
    out = tmp_path / "out.jsonl"
    result = invoke(
        "extract", INPUTS / "binary.bin", INPUTS / "empty.txt", SAMPLES / "001.txt", "--out", out
    )
    assert result.exit_code == 1
    assert "binary.bin" in result.stderr and "empty.txt" in result.stderr
    assert [d["doc"] for d in read_lines(out)] == ["sample-001"]


def test_extract_without_input_says_what_to_give():
    result = invoke("extract")
    assert result.exit_code != 0
    assert "INPUT" in result.output


def test_ingest_stores_articles_incidents_and_evidence(ingested):
    with sqlite3.connect(ingested) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        incidents = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM incidents i LEFT JOIN evidence e ON e.incident_id = i.id "
            "WHERE e.incident_id IS NULL"
        ).fetchone()[0]
    assert articles == len(read_lines(EXPECTED))
    assert incidents > 0 and orphans == 0


def test_ingest_again_changes_nothing(ingested):
    before = ingested.read_bytes()
    with sqlite3.connect(ingested) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM incidents)"
        ).fetchone()
    result = invoke("ingest", "--samples", "--db", ingested)
    assert "0 new" in result.output
    with sqlite3.connect(ingested) as conn:
        assert (
            conn.execute(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM incidents)"
            ).fetchone()
            == counts
        )
    assert before  # the file existed and was readable before the second run


def test_ingest_resumed_extracts_only_articles_not_yet_stored(db_path, monkeypatch):
    first = invoke("ingest", SAMPLES / "001.txt", SAMPLES / "002.txt", "--db", db_path)
    assert first.exit_code == 0  # as if a run over all samples had stopped after these
    extracted = []
    real = pipeline.extract_article
    monkeypatch.setattr(
        pipeline, "extract_article", lambda article: extracted.append(article.id) or real(article)
    )
    result = invoke("ingest", "--samples", "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "2 already stored" in result.stdout and "articles/s" in result.stdout
    docs = {d["doc"] for d in read_lines(EXPECTED)}
    assert sorted(extracted) == sorted(docs - {"sample-001", "sample-002"})


def test_extract_to_a_file_sums_up_the_run(tmp_path):
    result = invoke("extract", SAMPLES / "001.txt", "--out", tmp_path / "out.jsonl")
    summary = " ".join(result.stdout.split())
    assert re.fullmatch(
        rf"1 articles in [\d.]+ s \([\d.]+ articles/s\): \d+ incidents, 0 errors; "
        rf"written to {re.escape(str(tmp_path / 'out.jsonl'))}\.",
        summary,
    )


def test_ingest_bad_inputs_keep_stored_data(ingested):
    with sqlite3.connect(ingested) as conn:
        before = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    result = invoke("ingest", INPUTS, "--db", ingested)
    assert result.exit_code == 1
    for name in ("binary.bin", "empty.txt", "malformed.jsonl:2", "not_an_article.jsonl:1"):
        assert name in result.stderr
    with sqlite3.connect(ingested) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] >= before
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_incidents_table_lists_stored_incidents(ingested):
    result = invoke("incidents", "--db", ingested)
    assert result.exit_code == 0
    assert "incidents" in result.output and "Kirkuk" in result.output


@pytest.mark.parametrize(
    ("option", "value", "column", "check"),
    [
        ("--admin1", "Kirkuk", "admin1", lambda v: v == "Kirkuk"),
        ("--country", "NG", "country", lambda v: v == "NG"),
        ("--type", "bombing", "attack_type", lambda v: v == "bombing"),
        ("--min-killed", "2", "killed", lambda v: v is not None and v >= 2),
        ("--since", "2021-01-01", "date", lambda v: v is not None and v >= "2021"),
        ("--perpetrator", "islamic", "perpetrator", lambda v: "islamic" in v.lower()),
    ],
)
def test_incidents_filters_select_matching_rows(ingested, option, value, column, check):
    result = invoke("incidents", "--db", ingested, option, value, "--format", "json")
    rows = json.loads(result.stdout)
    assert rows and all(check(row[column]) for row in rows)


def test_incidents_csv_has_header_and_rows(ingested):
    rows = list(
        csv.DictReader(io.StringIO(invoke("incidents", "--db", ingested, "-f", "csv").stdout))
    )
    assert rows and {"date", "admin1", "attack_type", "killed"} <= set(rows[0])


def test_incidents_geojson_points_are_lon_lat(ingested):
    data = json.loads(
        invoke("incidents", "--db", ingested, "-f", "geojson", "--country", "IQ").stdout
    )
    assert data["type"] == "FeatureCollection" and data["features"]
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert 38 < lon < 49 and 29 < lat < 38


def test_incidents_without_database_says_to_ingest(tmp_path):
    result = invoke("incidents", "--db", tmp_path / "none.db")
    assert result.exit_code == 2 and "incidex ingest" in result.stderr


def test_incidents_bad_date_is_refused(ingested):
    result = invoke("incidents", "--db", ingested, "--since", "last tuesday")
    assert result.exit_code == 2


def test_eval_scores_samples_against_their_gold(tmp_path):
    out = tmp_path / "pred.jsonl"
    invoke("extract", "--samples", "--out", out)
    result = invoke("eval", EXPECTED, out)
    assert result.exit_code == 0 and "F1" in result.stdout
    scores = json.loads(invoke("eval", EXPECTED, out, "--json").stdout)
    assert 0 < scores["f1"] <= 1


def test_eval_malformed_file_names_it(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    result = invoke("eval", EXPECTED, bad)
    assert result.exit_code == 2 and "bad.jsonl" in result.stderr


@pytest.mark.parametrize("command", ["extract", "ingest", "incidents", "eval"])
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout


def test_serve_without_database_says_to_ingest(tmp_path):
    result = invoke("serve", "--db", tmp_path / "none.db")
    assert result.exit_code == 2 and "incidex ingest" in result.stderr
    assert not (tmp_path / "none.db").exists()
