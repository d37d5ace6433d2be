"""PostgreSQL: the schema Alembic builds and upgrades, and a team's database moved across engines.

Everything else the store does is tested on both backends by the shared `store` fixture.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from incidex.cli import app as cli
from incidex.store import SCHEMA_VERSION, Store, StoreError, pg_migrations
from incidex.store.backup import tables
from tests.conftest import SAMPLES
from tests.store.test_backup import dump_text, fill, load_text
from tests.store.test_migrations import open_at_once


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(pg_migrations.__file__).parent))
    return config


def _columns(store: Store) -> dict[str, list[str]]:
    """Every table's column names, in order."""
    return {
        table: [c[0] for c in store.conn.execute(f"SELECT * FROM {table} LIMIT 0").description]
        for table in tables(store.conn)
    }


def test_new_database_is_at_alembic_head_with_sqlite_tables(pg_url, tmp_path):
    with Store.open(pg_url) as pg, Store.open(tmp_path / "x.db") as lite:
        assert pg_migrations.current_revision(pg.conn) == pg_migrations.HEAD
        assert _columns(pg) == _columns(lite)
    assert ScriptDirectory.from_config(_alembic_config()).get_current_head() == pg_migrations.HEAD


def test_database_at_an_older_revision_is_upgraded_keeping_its_rows(pg_url):
    """A team database made by the previous release (revision 0001) upgrades when opened."""
    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(pg_url), poolclass=NullPool
    )
    with engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO articles (doc, content_hash, ingested_at) VALUES ('old', 'h', 'then')"
        )
    engine.dispose()
    with Store.open(pg_url) as store:
        row = store.conn.execute("SELECT doc, language FROM articles").fetchone()
        version = store.conn.execute("SELECT value FROM meta").fetchone()[0]
        assert pg_migrations.current_revision(store.conn) == pg_migrations.HEAD
    assert (row["doc"], row["language"], version) == ("old", None, SCHEMA_VERSION)


def test_database_of_a_newer_release_is_refused(pg_url):
    with Store.open(pg_url) as store:
        store.conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(StoreError, match="newer than this incidex knows"):
        Store.open(pg_url)


def test_analysts_opening_a_new_database_at_once_create_it_once(pg_url):
    """Processes (the advisory lock) and threads (one Alembic run at a time) at once."""
    opener = [sys.executable, "-c", "import sys; from incidex.store import Store;"
              " Store.open(sys.argv[1]).close()", pg_url]  # fmt: skip
    processes = [subprocess.Popen(opener, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    assert open_at_once(pg_url, 3) == []
    for process in processes:
        _, stderr = process.communicate()
        assert process.returncode == 0, stderr
    with Store.open(pg_url) as store:
        assert store.conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
        assert store.conn.execute("SELECT count(*) FROM meta").fetchone()[0] == 1


def test_unreachable_server_is_named_without_its_password():
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql://analyst:s3cret@127.0.0.1:9/incidex")
    assert "postgresql://analyst:***@127.0.0.1:9/incidex" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_a_sqlite_database_moves_to_postgresql_and_back(tmp_path, pg_url, make_pair, sample):
    """export --all from a laptop's file, import into the team's server: the same rows."""
    laptop = fill(tmp_path / "laptop.db")
    original = dump_text(laptop)
    load_text(pg_url, original)
    on_server = dump_text(pg_url)
    load_text(tmp_path / "back.db", on_server)
    for text in (on_server, dump_text(tmp_path / "back.db")):
        header, *rows = text.splitlines()
        assert header == original.splitlines()[0]
        assert sorted(rows) == sorted(original.splitlines()[1:])
    with Store.open(pg_url) as store:  # new rows are numbered after the imported ones
        before = store.conn.execute("SELECT max(id) FROM articles").fetchone()[0]
        result = store.add(*make_pair("new-1", "A new article.", (sample.maiduguri,)))
    assert result.article_id == before + 1


def test_cli_commands_take_a_postgresql_url(pg_url, monkeypatch):
    runner = CliRunner()
    ingested = runner.invoke(cli, ["ingest", str(SAMPLES), "--db", pg_url])
    assert ingested.exit_code == 0, ingested.output
    assert "postgresql://" in ingested.output
    monkeypatch.setenv("INCIDEX_DB", pg_url)
    listed = runner.invoke(cli, ["events", "--country", "IQ", "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    with Store.open(pg_url) as store:
        iraq = [e for e in store.query_events() if e["country"] == "IQ"]
    assert len(listed.output.strip().splitlines()) == len(iraq) + 1  # a header, then events
