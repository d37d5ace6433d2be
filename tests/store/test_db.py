"""Store: schema, transactional add, duplicates, stats; real SQLite files and PostgreSQL."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from pathlib import Path

import platformdirs
import pytest

from incidex.records import INCIDENT_FIELDS
from incidex.store import SCHEMA_VERSION, Store, StoreError, default_db_path
from incidex.store.backend import DB_ERRORS, dialect

TABLES = {"meta", "articles", "incidents", "evidence", "statistics"}


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def test_open_creates_parent_dirs_and_schema(tmp_path):
    path = tmp_path / "nested" / "dir" / "x.db"
    with Store.open(path):
        pass
    assert _tables(path) >= TABLES


def test_open_records_schema_version_and_enforces_foreign_keys(store):
    conn = store.conn
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == SCHEMA_VERSION
    with pytest.raises(DB_ERRORS):
        conn.execute("INSERT INTO evidence (incident_id, seq, sentence) VALUES (999, 0, 'x')")


def test_sqlite_file_uses_wal_journal(tmp_path):
    with Store.open(tmp_path / "x.db") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


_INDEXES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
}


def test_open_creates_indexes(store):
    names = {row[0] for row in store.conn.execute(_INDEXES[dialect(store.conn)])}
    assert {"idx_incidents_date", "idx_incidents_place", "idx_articles_doc"} <= names


def test_open_refuses_other_schema_version(tmp_path):
    path = tmp_path / "old.db"
    Store.open(path).close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 0"):
        Store.open(path)


def test_open_refuses_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database, just some notes\n" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        Store.open(path)


def test_reopen_keeps_data(tmp_path, make_pair, sample):
    path = tmp_path / "x.db"
    with Store.open(path) as store:
        store.add(*make_pair("a1", "Some text.", (sample.khanaqin,)))
    with Store.open(path) as store:
        assert [row["doc"] for row in store.query_incidents()] == ["a1"]


def test_default_db_path_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("INCIDEX_DB", str(tmp_path / "mine.db"))
    assert default_db_path() == tmp_path / "mine.db"


def test_default_db_path_user_data_dir(monkeypatch):
    monkeypatch.delenv("INCIDEX_DB", raising=False)
    assert default_db_path() == Path(platformdirs.user_data_dir("incidex")) / "incidex.db"


def test_add_then_query_returns_incident_with_evidence(store, make_pair, sample):
    assert store.add(*make_pair("a1", "Some text.", (sample.khanaqin,))).status == "new"
    [row] = store.query_incidents()
    expected = sample.khanaqin.to_dict()
    assert {field: row[field] for field in INCIDENT_FIELDS} == expected
    assert row["doc"] == "a1"
    assert row["source"] == "Test Wire"
    assert row["url"] == "https://example.org/a1"
    assert row["title"] == "Title of a1"
    assert row["published"] == "2021-09-12"
    assert row["event"] is not None  # every stored incident belongs to an event


def test_add_keeps_incident_order_within_article(store, make_pair, sample):
    incidents = (sample.kirkuk, sample.khanaqin)
    store.add(*make_pair("a1", "Some text.", incidents))
    rows = store._conn.execute("SELECT seq, admin1 FROM incidents ORDER BY seq").fetchall()
    assert [tuple(row) for row in rows] == [(0, "Kirkuk"), (1, "Diyala")]


def test_add_stores_article_and_statistics(store, make_pair, sample):
    article, extraction, content_hash = make_pair("a1", "Cleaned text.", (), (sample.tally,))
    store.add(article, extraction, content_hash)
    stored = store.get_article_by_hash(content_hash)
    assert stored["doc"] == "a1"
    assert stored["text"] == "Cleaned text."
    assert stored["origin"] == "/data/a1.txt"
    assert stored["ingested_at"].endswith("+00:00")
    stat = store._conn.execute("SELECT * FROM statistics").fetchone()
    assert (stat["count"], stat["where_"], stat["date_from"], stat["date_to"]) == (
        42,
        "Diyala",
        "2021-05-07",
        "2021-05-13",
    )


def test_get_article_by_hash_unknown_is_none(store):
    assert store.get_article_by_hash("0" * 64) is None


def test_add_same_hash_returns_false_and_changes_nothing(filled, make_pair, sample, count_rows):
    before = count_rows(filled)
    article, extraction, content_hash = make_pair("a1", "Article one text.", (sample.samarra,))
    assert filled.add(article, extraction, content_hash).status == "known"
    assert count_rows(filled) == before


@pytest.mark.parametrize(
    "change",
    [
        {"date_precision": "week"},
        {"geo_precision": "street"},
        {"attribution": "rumoured"},
        {"killed": -1},
        {"lat": 123.0},
    ],
)
def test_add_invalid_incident_leaves_no_partial_rows(filled, make_pair, sample, count_rows, change):
    before = count_rows(filled)
    bad = dataclasses.replace(sample.samarra, **change)
    pair = make_pair("c1", "Third text.", (sample.khanaqin, bad), (sample.tally,))
    with pytest.raises(StoreError, match="c1"):
        filled.add(*pair)
    assert count_rows(filled) == before
    assert filled.get_article_by_hash(pair[2]) is None
    assert len(filled.query_incidents()) == 4


def test_add_exception_midway_rolls_back(filled, make_pair, sample, count_rows, monkeypatch):
    before = count_rows(filled)

    def fail(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Store, "_insert_statistic", fail)
    pair = make_pair("c1", "Third text.", (sample.khanaqin,), (sample.tally,))
    with pytest.raises(RuntimeError, match="disk on fire"):
        filled.add(*pair)
    assert count_rows(filled) == before
    monkeypatch.undo()
    assert filled.add(*pair).status == "new"


def test_deleting_article_cascades(filled, count_rows):
    filled._conn.execute("DELETE FROM articles")
    assert count_rows(filled) == {"articles": 0, "incidents": 0, "evidence": 0, "statistics": 0}


def test_stats_counts(filled):
    stats = filled.stats()
    assert (stats["articles"], stats["incidents"], stats["statistics"]) == (2, 4, 1)
    assert stats["by_country"] == {"IQ": 3, "NG": 1}
    assert (stats["first_date"], stats["last_date"]) == ("2021-08-30", "2021-09-10")


def test_stats_empty_store(store):
    assert store.stats() == {
        "articles": 0,
        "incidents": 0,
        "statistics": 0,
        "events": 0,
        "by_country": {},
        "first_date": None,
        "last_date": None,
    }


def test_close_via_context_manager(tmp_path):
    with Store.open(tmp_path / "x.db") as store:
        pass
    with pytest.raises(sqlite3.ProgrammingError):
        store.stats()
