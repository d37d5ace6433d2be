"""Backups: a database dumped to JSON lines and imported into a new file comes back exactly."""

from __future__ import annotations

import base64
import io
import json
import sqlite3
from contextlib import closing
from itertools import count
from pathlib import Path

import pytest

from incidex import __version__
from incidex.alerts import AlertRule, add_rule, notify, remove_rule
from incidex.pipeline import Processed, run
from incidex.store import SCHEMA_VERSION, Store
from incidex.store.backup import BackupError, dump, export_file, import_file, load, tables
from tests.conftest import SAMPLES
from tests.store.test_migrations import table_rows

FEED = "https://example.org/news/iraq.rss"


def _flaky_webhook() -> object:
    """A webhook sender that fails every other attempt: deliveries, retries and failures."""
    calls = count()
    return lambda url, body: 500 if next(calls) % 2 == 0 else 200


def fill(path: Path) -> Path:
    """The bundled samples ingested as `incidex ingest` does, with alerts and a feed."""
    with Store.open(path) as store:
        add_rule(store, AlertRule(name="Salah al-Din", admin1="Salah al-Din",
                                  webhook="https://hooks.example.org/incidex"))  # fmt: skip
        add_rule(store, AlertRule(name="Iraq", country="IQ"))
        removed = add_rule(store, AlertRule(name="Bombings", attack_type="bombing"))
        sender = _flaky_webhook()
        for item in run([str(SAMPLES)]):
            assert isinstance(item, Processed), item
            result = store.add(item.article, item.extraction, item.content_hash, item.signature)
            notify(store, result, sender=sender, delays=(0,))
        remove_rule(store, removed.id)
        store.mark_seen(FEED, ["urn:item:1", "urn:item:2"])
    return path


@pytest.fixture(scope="module")
def filled_path(tmp_path_factory) -> Path:
    """A database with rows in every table (built once; tests only read it)."""
    return fill(tmp_path_factory.mktemp("backup") / "team.db")


def dump_text(path: Path) -> str:
    with Store.open(path) as store:
        handle = io.StringIO()
        dump(store.conn, handle)
        return handle.getvalue()


def load_text(path: Path, text: str | bytes) -> dict[str, int]:
    data = text.encode() if isinstance(text, str) else text
    with Store.open(path) as store:
        return load(store.conn, io.BytesIO(data).readlines(), "dump.jsonl")


def row_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables(conn)}


def is_empty(path: Path) -> bool:
    """Only the schema version is stored."""
    return {t: n for t, n in row_counts(path).items() if n} == {"meta": 1}


def test_fixture_fills_every_table(filled_path):
    assert [t for t, n in row_counts(filled_path).items() if n == 0] == []


def test_round_trip_restores_every_table_exactly(filled_path, tmp_path):
    with Store.open(filled_path) as store:
        export_file(store, tmp_path / "team.jsonl")
    with Store.open(tmp_path / "restored.db") as store:
        imported = import_file(store, tmp_path / "team.jsonl")
    assert imported == row_counts(filled_path)
    assert table_rows(tmp_path / "restored.db") == table_rows(filled_path)


def test_round_trip_of_an_empty_database(tmp_path):
    Store.open(tmp_path / "empty.db").close()
    assert load_text(tmp_path / "restored.db", dump_text(tmp_path / "empty.db"))["articles"] == 0
    assert table_rows(tmp_path / "restored.db") == table_rows(tmp_path / "empty.db")


def test_dump_header_names_versions_and_row_counts(filled_path):
    header = json.loads(dump_text(filled_path).splitlines()[0])
    assert header == {
        "format": "incidex-dump",
        "incidex": __version__,
        "schema_version": SCHEMA_VERSION,
        "tables": row_counts(filled_path),
    }


def test_dump_lists_tables_after_those_they_refer_to(filled_path):
    lines = [json.loads(line) for line in dump_text(filled_path).splitlines()[1:]]
    order = list(dict.fromkeys(line["table"] for line in lines))
    for parent, child in [("articles", "incidents"), ("events", "incidents"),
                          ("incidents", "evidence"), ("events", "alerts"),
                          ("alert_rules", "alerts"), ("alerts", "alert_deliveries")]:  # fmt: skip
        assert order.index(parent) < order.index(child)


def test_dump_writes_blobs_as_base64(filled_path):
    text = dump_text(filled_path)
    line = next(line for line in text.splitlines() if '"table": "articles"' in line)
    minhash = json.loads(line)["row"]["minhash"]
    with closing(sqlite3.connect(filled_path)) as conn:
        stored = conn.execute("SELECT minhash FROM articles WHERE id = 1").fetchone()[0]
    assert minhash == {"base64": base64.b64encode(stored).decode()}


def test_imported_database_goes_on_numbering_ids(filled_path, tmp_path, make_pair, sample):
    load_text(tmp_path / "restored.db", dump_text(filled_path))
    with Store.open(tmp_path / "restored.db") as store:
        result = store.add(*make_pair("new-1", "A new article.", (sample.maiduguri,)))
    assert result.article_id == row_counts(filled_path)["articles"] + 1


def test_import_refuses_a_database_that_holds_data(filled_path):
    before, lines = table_rows(filled_path), dump_text(filled_path).encode().splitlines()
    with (
        Store.open(filled_path) as store,
        pytest.raises(BackupError, match=r"team.db is not empty \(14 rows in articles\)"),
    ):
        load(store.conn, lines, "dump.jsonl", str(store.path))
    assert table_rows(filled_path) == before


def _with_header(text: str, **changes: object) -> str:
    lines = text.splitlines(keepends=True)
    header = {**json.loads(lines[0]), **changes}
    return json.dumps(header) + "\n" + "".join(lines[1:])


def test_import_refuses_a_dump_of_a_newer_schema(filled_path, tmp_path):
    newer = str(int(SCHEMA_VERSION) + 1)
    text = _with_header(dump_text(filled_path), schema_version=newer, incidex="0.9.0")
    message = rf"schema version {newer} \(incidex 0.9.0\), newer than this incidex knows \({SCHEMA_VERSION}\)"
    with pytest.raises(BackupError, match=message):
        load_text(tmp_path / "restored.db", text)
    assert is_empty(tmp_path / "restored.db")


def test_import_refuses_a_file_that_is_not_a_dump(tmp_path):
    with pytest.raises(BackupError, match=r"dump.jsonl line 1: not an incidex export"):
        load_text(tmp_path / "restored.db", '{"doc": "sample-001", "incidents": []}\n')


def _corrupt(lines: list[str], how: str) -> str:
    """A dump spoiled one way; the line it breaks at is line 6 where that applies."""
    if how == "cut mid-line":
        return "".join(lines[:5]) + lines[5][:40]
    if how == "cut at a line end":
        return "".join(lines[:6])
    if how == "garbage line":
        return "".join([*lines[:5], "%%% not json\n", *lines[6:]])
    if how == "unknown table":
        return "".join([*lines[:5], '{"table": "passwords", "row": {}}\n', *lines[5:]])
    if how == "unknown column":
        row = json.loads(lines[5])
        row["row"]["secret"] = 1
        return "".join([*lines[:5], json.dumps(row) + "\n", *lines[6:]])
    if how == "duplicate id":
        return "".join([*lines[:6], lines[5], *lines[6:]])
    raise AssertionError(how)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("cut mid-line", "line 6: not valid JSON"),
        ("cut at a line end", "ends at line 6 with 4 of the 14 articles rows"),
        ("garbage line", "line 6: not valid JSON"),
        ("unknown table", "line 6: no table 'passwords'"),
        ("unknown column", "line 6: table articles has no column 'secret'"),
        ("duplicate id", "line 7: cannot insert into articles: UNIQUE constraint failed"),
    ],
)
def test_import_of_a_corrupt_dump_names_the_line_and_imports_nothing(
    filled_path, tmp_path, how, message
):
    lines = dump_text(filled_path).splitlines(keepends=True)  # line 2 is meta, 3 on articles
    with pytest.raises(BackupError, match=f"dump.jsonl {message}.*nothing was imported"):
        load_text(tmp_path / "restored.db", _corrupt(lines, how))
    assert is_empty(tmp_path / "restored.db")


def test_import_of_a_dump_missing_referenced_rows_imports_nothing(filled_path, tmp_path):
    lines = dump_text(filled_path).splitlines(keepends=True)
    kept = [line for line in lines if '"table": "events"' not in line]
    text = _with_header("".join(kept), tables={**row_counts(filled_path), "events": 0})
    with pytest.raises(BackupError, match="refers to a events row the dump lacks"):
        load_text(tmp_path / "restored.db", text)
    assert is_empty(tmp_path / "restored.db")


def test_import_of_bytes_that_are_not_utf8_names_the_line(filled_path, tmp_path):
    lines = dump_text(filled_path).encode().splitlines(keepends=True)
    spoiled = b"".join([*lines[:3], b'{"table": "\xff"}\n', *lines[3:]])
    with pytest.raises(BackupError, match="line 4: not UTF-8"):
        load_text(tmp_path / "restored.db", spoiled)
    assert is_empty(tmp_path / "restored.db")


def test_export_file_leaves_no_partial_file(filled_path, tmp_path):
    with Store.open(filled_path) as store:
        export_file(store, tmp_path / "team.jsonl")
    assert [p.name for p in tmp_path.iterdir()] == ["team.jsonl"]
