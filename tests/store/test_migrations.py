"""Migrations: a database of release 0.1 (schema version 1) is upgraded in place, losing nothing."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from incidex.alerts import list_rules, recent_alerts
from incidex.store import SCHEMA_VERSION, Store, StoreError
from incidex.store.migrations import (
    BASELINE_VERSION,
    MIGRATIONS,
    Migration,
    MigrationError,
    backup_path,
    baseline_sql,
    upgrade,
)

# Every table of version 1, filled as release 0.1 fills it: an article, a near-verbatim
# repost of it (duplicate_of) sharing its LSH bands, a second article with a statistic, two
# events, a feed, and alert rules with delivered, failed and page-only alerts, one of them
# left by a rule since removed.
V1_ROWS = """
INSERT INTO articles (id, doc, content_hash, url, title, source, published, origin, text,
                      ingested_at, minhash, duplicate_of) VALUES
 (1, 'wire-1', 'a1a1', 'https://example.org/wire-1', 'Gunmen kill three near Khanaqin',
  'Tigris Wire', '2021-09-12', '/data/wire-1.txt',
  'Gunmen attacked a militia post near Khanaqin on Friday. Three fighters died and two were hurt.',
  '2021-09-12T08:00:00+00:00', X'00010203FFFE', NULL),
 (2, 'repost-1', 'b2b2', 'https://example.net/copy', 'Three killed near Khanaqin', 'Copy Daily',
  '2021-09-12', 'https://example.net/feed.rss#3',
  'Gunmen attacked a militia post near Khanaqin on Friday. Three fighters died and two were hurt. Share this.',
  '2021-09-12T09:00:00+00:00', X'00010203FFFD', 1),
 (3, 'kirkuk-1', 'c3c3', NULL, NULL, NULL, NULL, 'feed.jsonl:7',
  'A roadside bomb in Kirkuk province wounded four people in September. There were 42 attacks in Diyala between May 7 and 13.',
  '2021-09-13T10:30:00+00:00', NULL, NULL);
INSERT INTO article_bands (band, article_id) VALUES ('00:9f3a', 1), ('00:9f3a', 2), ('01:77c0', 1);
INSERT INTO events (id, date, date_precision, country, admin1, location, lat, lon, geo_precision,
                    attack_type, perpetrator, attribution, target, killed, killed_low, killed_high,
                    wounded, wounded_low, wounded_high, sources, first_seen, updated_at) VALUES
 (1, '2021-09-10', 'day', 'IQ', 'Diyala', 'Khanaqin', 34.35, 45.39, 'place', 'armed_assault',
  'Islamic State', 'attributed', 'militia', 3, 3, 3, 2, 2, 2, 2,
  '2021-09-12T08:00:00+00:00', '2021-09-12T09:00:00+00:00'),
 (2, '2021-09', 'month', 'IQ', 'Kirkuk', NULL, 35.47, 44.39, 'admin1', 'bombing', NULL, 'unknown',
  'civilians', NULL, NULL, NULL, 4, 4, 4, 1, '2021-09-13T10:30:00+00:00', '2021-09-13T10:30:00+00:00');
INSERT INTO feed_items (feed, item, seen_at) VALUES
 ('https://example.net/feed.rss', 'urn:item:3', '2021-09-12T09:00:00+00:00'),
 ('https://example.net/feed.rss', 'urn:item:4', '2021-09-12T09:00:00+00:00');
INSERT INTO incidents (id, article_id, seq, date, date_precision, country, admin1, location, lat,
                       lon, geo_precision, attack_type, perpetrator, attribution, target, killed,
                       wounded, kidnapped, perpetrators_killed, event_id) VALUES
 (1, 1, 0, '2021-09-10', 'day', 'IQ', 'Diyala', 'Khanaqin', 34.35, 45.39, 'place', 'armed_assault',
  'Islamic State', 'attributed', 'militia', 3, 2, NULL, 0, 1),
 (2, 3, 0, '2021-09', 'month', 'IQ', 'Kirkuk', NULL, 35.47, 44.39, 'admin1', 'bombing', NULL,
  'unknown', 'civilians', NULL, 4, NULL, NULL, 2);
INSERT INTO evidence (incident_id, seq, sentence) VALUES
 (1, 0, 'Gunmen attacked a militia post near Khanaqin on Friday.'),
 (1, 1, 'Three fighters died and two were hurt.'),
 (2, 0, 'A roadside bomb in Kirkuk province wounded four people in September.');
INSERT INTO statistics (id, article_id, claim, count, what, where_, date_from, date_to, source) VALUES
 (1, 3, 'There were 42 attacks in Diyala between May 7 and 13.', 42, 'attacks', 'Diyala',
  '2021-05-07', '2021-05-13', 'Security Media Cell');
INSERT INTO alert_rules (id, name, country, admin1, lat, lon, radius_km, min_killed, attack_type,
                         perpetrator, webhook, created_at) VALUES
 (1, 'Diyala deaths', 'IQ', 'Diyala', NULL, NULL, NULL, 1, NULL, NULL,
  'https://hooks.example.org/incidex', '2021-09-01T00:00:00+00:00'),
 (2, 'Near Kirkuk', NULL, NULL, 35.47, 44.39, 30.0, NULL, 'bombing', NULL, NULL,
  '2021-09-01T00:05:00+00:00');
INSERT INTO alerts (id, rule_id, rule_name, event_id, kind, created_at, status, attempts,
                    last_error, delivered_at, event) VALUES
 (1, 1, 'Diyala deaths', 1, 'new', '2021-09-12T08:00:01+00:00', 'delivered', 2, NULL,
  '2021-09-12T08:00:03+00:00', '{"id": 1, "location": "Khanaqin", "killed": 3, "sources": 1}'),
 (2, NULL, 'Islamic State anywhere', 1, 'updated', '2021-09-12T09:00:01+00:00', 'failed', 4,
  'HTTP 500', NULL, '{"id": 1, "location": "Khanaqin", "killed": 3, "sources": 2}'),
 (3, 2, 'Near Kirkuk', 2, 'new', '2021-09-13T10:30:01+00:00', 'no_webhook', 0, NULL, NULL,
  '{"id": 2, "admin1": "Kirkuk", "wounded": 4, "sources": 1}');
INSERT INTO alert_deliveries (alert_id, attempt, status_code, error, at) VALUES
 (1, 1, 503, 'HTTP 503', '2021-09-12T08:00:02+00:00'),
 (1, 2, 200, NULL, '2021-09-12T08:00:03+00:00'),
 (2, 1, NULL, 'connection refused', '2021-09-12T09:00:02+00:00');
"""


def make_v1_database(path: Path) -> Path:
    """A database as release 0.1 leaves it: the frozen schema, WAL, every table filled."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(baseline_sql())
        conn.executescript(V1_ROWS)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return path


def table_rows(path: Path) -> dict[str, list[dict[str, tuple[str, object]]]]:
    """Every row of every table, in storage order, each value with its Python type."""
    with closing(sqlite3.connect(path)) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        tables = {}
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
            columns = [d[0] for d in cursor.description]
            tables[name] = [
                {c: (type(v).__name__, v) for c, v in zip(columns, row, strict=True)}
                for row in cursor
            ]
        return tables


def schema_of(path: Path) -> dict[str, object]:
    """Columns of every table and the columns of every index, as PRAGMAs report them."""
    with closing(sqlite3.connect(path)) as conn:
        found: dict[str, object] = {}
        for kind, name in conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ):
            pragma = "table_info" if kind == "table" else "index_info"
            found[f"{kind} {name}"] = conn.execute(f'PRAGMA {pragma}("{name}")').fetchall()
        return found


def version_of(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]


def without_version(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The rows, the schema version setting aside (a migration changes it, nothing else)."""
    meta = [row for row in tables["meta"] if row["key"][1] != "schema_version"]
    return {**tables, "meta": meta}


@pytest.fixture
def v1_path(tmp_path):
    return make_v1_database(tmp_path / "team.db")


def test_migrations_run_from_the_baseline_to_the_schema_version():
    versions = [step.version for step in MIGRATIONS]
    assert versions == list(range(BASELINE_VERSION + 1, int(SCHEMA_VERSION) + 1))


def test_open_upgrades_v1_database_to_current_version(v1_path):
    Store.open(v1_path).close()
    assert version_of(v1_path) == SCHEMA_VERSION == "3"


def test_open_v1_database_keeps_every_row_of_every_table(v1_path):
    before = table_rows(v1_path)
    Store.open(v1_path).close()
    after = table_rows(v1_path)
    languages = [row.pop("language") for row in after["articles"]]
    assert languages == [("NoneType", None)] * 3
    assert set(after) == set(before)
    for table in before:
        assert without_version(after)[table] == without_version(before)[table], table


def test_upgraded_database_has_the_schema_of_a_new_one(v1_path, tmp_path):
    Store.open(v1_path).close()
    Store.open(tmp_path / "new.db").close()
    assert schema_of(v1_path) == schema_of(tmp_path / "new.db")
    assert "index idx_events_updated" in schema_of(v1_path)


def test_open_v1_database_writes_a_backup_of_version_1(v1_path):
    before = table_rows(v1_path)
    Store.open(v1_path).close()
    copy = v1_path.with_name("team.db.bak-v1")
    assert backup_path(v1_path, 1) == copy
    assert version_of(copy) == "1"
    assert table_rows(copy) == before
    assert list(v1_path.parent.glob("*.partial")) == []


def test_reopening_an_upgraded_database_does_not_upgrade_again(v1_path):
    Store.open(v1_path).close()
    backup_path(v1_path, 1).unlink()
    Store.open(v1_path).close()
    assert not backup_path(v1_path, 1).exists()


def test_upgraded_database_answers_queries(v1_path):
    with Store.open(v1_path) as store:
        events = store.query_events()
        event = store.get_event(1)
        alerts = recent_alerts(store)
        rules = list_rules(store)
    assert [(e["id"], e["sources"]) for e in events] == [(2, 1), (1, 2)]  # by date: 2021-09 first
    assert event is not None
    assert [r["doc"] for r in event["reports"]] == ["wire-1"]
    assert [c["doc"] for c in event["copies"]] == ["repost-1"]
    assert [(a["id"], a["status"], a["rule_id"]) for a in alerts] == [
        (3, "no_webhook", 2), (2, "failed", None), (1, "delivered", 1),
    ]  # fmt: skip
    assert [r.name for r in rules] == ["Diyala deaths", "Near Kirkuk"]


def test_upgraded_database_stores_new_articles(v1_path, make_pair, sample):
    with Store.open(v1_path) as store:
        result = store.add(*make_pair("samarra-1", "Troops raided Samarra.", (sample.samarra,)))
        language = store.conn.execute(
            "SELECT language FROM articles WHERE id = ?", (result.article_id,)
        ).fetchone()[0]
    assert (result.status, result.article_id, language) == ("new", 4, None)


def open_at_once(target: Path | str, threads: int) -> list[BaseException]:
    """Open the database from several threads at once; the errors they met."""
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            Store.open(target).close()
        except BaseException as exc:  # reported by the caller, not lost in the thread
            errors.append(exc)

    started = [threading.Thread(target=open_it) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return errors


def test_connections_opening_a_v1_database_at_once_upgrade_it_once(v1_path):
    assert open_at_once(v1_path, 4) == []
    assert version_of(v1_path) == SCHEMA_VERSION
    assert version_of(backup_path(v1_path, 1)) == "1"


@pytest.mark.parametrize(
    ("recorded", "message"),
    [
        ("99", "schema version 99, newer than this incidex knows"),
        ("0", "schema version 0, older than any incidex release"),
        ("two", "schema version 'two', unknown"),
    ],
)
def test_open_refuses_unknown_version_and_changes_nothing(v1_path, recorded, message):
    with closing(sqlite3.connect(v1_path)) as conn, conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (recorded,))
    before = table_rows(v1_path)
    with pytest.raises(StoreError, match=message):
        Store.open(v1_path)
    assert table_rows(v1_path) == before
    assert list(v1_path.parent.glob("team.db.bak-*")) == []


def _broken_step(conn: sqlite3.Connection) -> None:
    """Half a step: one change made, then a failure."""
    conn.execute("ALTER TABLE events ADD COLUMN half_done TEXT")
    raise RuntimeError("disk on fire")


def test_failing_step_leaves_database_at_old_version_and_intact(v1_path):
    before, schema = table_rows(v1_path), schema_of(v1_path)
    broken = int(SCHEMA_VERSION) + 1
    steps = [*MIGRATIONS, Migration(broken, "broken", _broken_step)]
    with closing(sqlite3.connect(v1_path, isolation_level=None)) as conn:
        with pytest.raises(MigrationError, match=rf"step {broken:04d}_broken failed \(disk on fire\)"):
            upgrade(conn, v1_path, broken, steps)
        assert not conn.in_transaction
    assert version_of(v1_path) == "1"
    assert table_rows(v1_path) == before
    assert schema_of(v1_path) == schema  # neither the earlier steps' changes nor the broken one's
    assert backup_path(v1_path, 1).exists()


def test_upgrade_refuses_a_gap_in_the_steps(v1_path):
    gap = "no migration steps from schema version 1 to 3"
    with (
        closing(sqlite3.connect(v1_path, isolation_level=None)) as conn,
        pytest.raises(MigrationError, match=gap),
    ):
        upgrade(conn, v1_path, 3, [Migration(3, "orphan", _broken_step)])
    assert version_of(v1_path) == "1"


def test_upgrade_leaves_a_new_database_to_the_schema(tmp_path):
    with closing(sqlite3.connect(tmp_path / "new.db", isolation_level=None)) as conn:
        assert upgrade(conn, tmp_path / "new.db", 2) is None
    assert not backup_path(tmp_path / "new.db", 1).exists()


def test_open_refuses_backup_it_cannot_write_and_changes_nothing(v1_path):
    backup_path(v1_path, 1).mkdir()  # a directory where the copy should go
    with pytest.raises(StoreError, match="cannot back up"):
        Store.open(v1_path)
    assert version_of(v1_path) == "1"
    shutil.rmtree(backup_path(v1_path, 1))
