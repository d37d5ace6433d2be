"""`incidex export --all` and `incidex import`, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incidex.cli import app
from incidex.store import Store
from tests.store.test_migrations import table_rows


def invoke(*args: object, stdin: bytes | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=stdin)


@pytest.fixture
def team_db(tmp_path: Path) -> Path:
    """The samples ingested with an alert rule, and a feed item read by `incidex watch`."""
    path = tmp_path / "team.db"
    assert invoke("alerts", "add", "--name", "Iraq", "--country", "IQ", "--db", path).exit_code == 0
    assert invoke("ingest", "--samples", "--db", path).exit_code == 0
    with Store.open(path) as store:
        store.mark_seen("https://example.org/news/iraq.rss", ["urn:item:1"])
    return path


def test_export_then_import_restores_every_table(team_db, tmp_path):
    dump, restored = tmp_path / "team.jsonl", tmp_path / "restored.db"
    exported = invoke("export", "--all", "--db", team_db, "--out", dump)
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.startswith("Exported ")
    assert "14 articles" in exported.stdout
    imported = invoke("import", dump, "--db", restored)
    assert imported.exit_code == 0, imported.output
    assert f"from {dump} into {restored}" in imported.stdout
    assert table_rows(restored) == table_rows(team_db)


def test_export_to_standard_output_pipes_into_import(team_db, tmp_path):
    exported = invoke("export", "--all", "--db", team_db, "--out", "-")
    assert exported.exit_code == 0
    assert json.loads(exported.stdout.splitlines()[0])["format"] == "incidex-dump"
    assert "to standard output" in exported.stderr
    imported = invoke("import", "-", "--db", tmp_path / "restored.db", stdin=exported.stdout_bytes)
    assert imported.exit_code == 0, imported.output
    assert table_rows(tmp_path / "restored.db") == table_rows(team_db)


def test_export_without_all_says_what_to_give(team_db, tmp_path):
    result = invoke("export", "--db", team_db, "--out", tmp_path / "team.jsonl")
    assert result.exit_code == 2
    assert "give --all" in result.output
    assert not (tmp_path / "team.jsonl").exists()


def test_export_of_a_missing_database_says_how_to_make_one(tmp_path):
    result = invoke("export", "--all", "--db", tmp_path / "none.db", "--out", tmp_path / "x.jsonl")
    assert result.exit_code == 2
    assert "no database at" in result.stderr


def test_import_into_a_database_with_data_is_refused(team_db, tmp_path):
    invoke("export", "--all", "--db", team_db, "--out", tmp_path / "team.jsonl")
    before = table_rows(team_db)
    result = invoke("import", tmp_path / "team.jsonl", "--db", team_db)
    assert result.exit_code == 2
    message = "is not empty (14 rows in articles); import into a new database file"
    assert message in " ".join(result.stderr.split())
    assert table_rows(team_db) == before


def test_import_of_a_truncated_dump_names_the_line_and_leaves_the_database_empty(team_db, tmp_path):
    dump = tmp_path / "team.jsonl"
    invoke("export", "--all", "--db", team_db, "--out", dump)
    dump.write_bytes(dump.read_bytes()[:5000])
    result = invoke("import", dump, "--db", tmp_path / "restored.db")
    assert result.exit_code == 2
    error = " ".join(result.stderr.split())
    assert "team.jsonl line 4: not valid JSON" in error
    assert error.endswith("truncated or corrupt; nothing was imported")
    with Store.open(tmp_path / "restored.db") as store:
        assert store.stats()["articles"] == 0


def test_import_of_a_missing_file_creates_no_database(tmp_path):
    result = invoke("import", tmp_path / "none.jsonl", "--db", tmp_path / "restored.db")
    assert result.exit_code == 2
    assert "no file" in result.stderr
    assert not (tmp_path / "restored.db").exists()
