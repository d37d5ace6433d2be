"""`incidex distribute` on a real Ray started on this machine, against the CLI on the same shards.

The corpus is the bundled samples cut into the shard formats a crawl delivers: JSON lines,
a WARC archive and a Parquet file. Ray starts once for the module (a few seconds); each run
then pays for loading the gazetteer in its worker processes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from io import BytesIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import ray
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from incidex.cli import app
from incidex.distributed import ShardListError, list_shards
from incidex.ingest import read_inputs
from incidex.parquet import results_writer
from incidex.records import Article
from tests.conftest import SAMPLES

META = ("id", "text", "published", "source", "url", "title")
TIMESTAMPS = {"ingested_at", "first_seen", "updated_at"}  # differ between two runs by design
STORY = "Gunmen killed two soldiers at a checkpoint in Baqubah on Monday, police said."


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray for the module; `incidex distribute` uses a session already started."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR)
    yield
    ray.shutdown()


def _write_jsonl(path: Path, articles: list[Article]) -> None:
    lines = (json.dumps({k: getattr(a, k) for k in META}) + "\n" for a in articles)
    path.write_text("".join(lines), encoding="utf-8")


def _write_warc(path: Path, articles: list[Article]) -> None:
    """The HTML pages as a crawler stores them: one HTTP response record each."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for article in articles:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            payload = BytesIO((article.html or "").encode())
            record = writer.create_warc_record(
                article.url or article.id, "response", payload=payload, http_headers=headers
            )
            writer.write_record(record)
            record.raw_stream.close()  # warcio buffers payloads in temporary files


def _write_parquet(path: Path, articles: list[Article]) -> None:
    pq.write_table(pa.table({k: [getattr(a, k) for a in articles] for k in META}), path)


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> Path:
    """The sample articles in four shards: JSON lines, WARC, Parquet, and the sample feed."""
    folder = tmp_path_factory.mktemp("corpus")
    articles = list(read_inputs([SAMPLES]))
    texts = [a for a in articles if a.html is None and a.origin.endswith(".txt")]
    pages = [a for a in articles if a.html is not None and a.origin.endswith(".html")]
    assert len(texts) >= 8 and len(pages) == 2
    _write_jsonl(folder / "a-texts.jsonl", texts[:4])
    _write_warc(folder / "b-pages.warc.gz", pages)
    _write_parquet(folder / "c-texts.parquet", texts[4:])
    (folder / "d-feed.jsonl").write_bytes((SAMPLES / "feed.jsonl").read_bytes())
    return folder


@pytest.fixture(scope="module")
def results(ray_session, shards, tmp_path_factory) -> Path:
    """The results folder of one `incidex distribute` run over the shards."""
    out = tmp_path_factory.mktemp("run") / "results"
    result = invoke("distribute", shards, "--out", out, "--workers", 2)
    assert result.exit_code == 0, result.output
    assert "4 shards: 0 done already, 4 to go." in result.stdout
    assert "4 shards done in " in result.stdout
    assert f"0 errors. Load the results with: incidex ingest {out}" in result.stdout
    return out


def _extract(inputs: Path, tmp_path: Path) -> list[dict]:
    out = tmp_path / f"{inputs.name}.jsonl"
    result = invoke("extract", inputs, "--out", out)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _rows(results: Path) -> list[dict]:
    return [row for path in sorted(results.iterdir()) for row in pq.read_table(path).to_pylist()]


def test_distribute_writes_one_results_file_per_shard(shards, results):
    assert sorted(p.name for p in results.iterdir()) == [
        "a-texts.jsonl.parquet",
        "b-pages.warc.gz.parquet",
        "c-texts.parquet.parquet",
        "d-feed.jsonl.parquet",
    ]
    rows = _rows(results)
    assert len(rows) == len(list(read_inputs([shards])))
    assert all(row["error"] is None and row["text"] and row["content_hash"] for row in rows)


def test_distributed_incidents_equal_extract_field_by_field(shards, results, tmp_path):
    expected = _extract(shards, tmp_path)
    rows = _rows(results)
    assert [row["doc"] for row in rows] == [line["doc"] for line in expected]
    for row, line in zip(rows, expected, strict=True):
        for key in ("published", "title", "source", "statistics"):
            assert row[key] == line[key], (line["doc"], key)
        assert len(row["incidents"]) == len(line["incidents"]), line["doc"]
        for got, want in zip(row["incidents"], line["incidents"], strict=True):
            want = {k: v for k, v in want.items() if k != "event"}  # events: assigned later
            assert got == want, line["doc"]
    assert sum(len(row["incidents"]) for row in rows) > 10


def test_extract_of_results_equals_extract_of_articles(shards, results, tmp_path):
    assert _extract(results, tmp_path) == _extract(shards, tmp_path)


def _tables(db: Path) -> dict[str, list[dict]]:
    """Every row of the tables ingestion writes, without the timestamps of the run."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    names = ("articles", "incidents", "evidence", "events", "statistics", "article_bands")
    tables = {
        name: [
            {k: v for k, v in dict(row).items() if k not in TIMESTAMPS}
            for row in conn.execute(f"SELECT * FROM {name} ORDER BY rowid")
        ]
        for name in names
    }
    conn.close()
    return tables


def test_ingesting_results_equals_ingesting_articles(shards, results, tmp_path):
    from_articles, from_results = tmp_path / "articles.db", tmp_path / "results.db"
    assert invoke("ingest", shards, "--db", from_articles).exit_code == 0
    loaded = invoke("ingest", results, "--db", from_results)
    assert loaded.exit_code == 0, loaded.output
    tables = _tables(from_results)
    assert tables == _tables(from_articles)
    assert len(tables["events"]) < len(tables["incidents"])  # reports of one act were merged
    again = invoke("ingest", results, "--db", from_results)
    assert again.exit_code == 0
    assert f"0 new, 0 copies of stored articles, {len(tables['articles'])} already stored" in (
        " ".join(again.stdout.split())
    )
    assert _tables(from_results) == tables


def test_rerun_skips_shards_already_done(ray_session, tmp_path):
    shards, out = tmp_path / "shards", tmp_path / "out"
    shards.mkdir()
    out.mkdir()
    for name in ("one", "two"):
        _write_jsonl(shards / f"{name}.jsonl", [Article(id=name, text=STORY)])
    with results_writer(out / "one.jsonl.parquet"):  # as if a run stopped after this shard
        pass
    (out / ".two.jsonl.parquet.0123.tmp").write_bytes(b"half a file")  # and died inside this
    first = invoke("distribute", shards, "--out", out)
    assert first.exit_code == 0, first.output
    assert "2 shards: 1 done already, 1 to go." in first.stdout
    assert "one.jsonl" not in first.stderr and "two.jsonl: 1 articles" in first.stderr
    assert pq.read_table(out / "one.jsonl.parquet").num_rows == 0  # not done again
    assert pq.read_table(out / "two.jsonl.parquet")["doc"].to_pylist() == ["two"]
    again = invoke("distribute", shards, "--out", out)
    assert again.exit_code == 0
    assert "2 shards: 2 done already, 0 to go." in again.stdout


def test_bad_shards_are_named_and_the_rest_completes(ray_session, tmp_path):
    shards, out = tmp_path / "shards", tmp_path / "out"
    shards.mkdir()
    (shards / "garbage.parquet").write_bytes(b"\x00\x01 not a parquet file" * 50)
    good = json.dumps({"id": "good", "text": STORY, "published": "2021-05-04"})
    (shards / "mixed.jsonl").write_text(f"{good}\n{{not json\n", encoding="utf-8")
    _write_jsonl(shards / "fine.jsonl", [Article(id="fine", text=STORY)])
    result = invoke("distribute", shards, "--out", out)
    assert result.exit_code == 1
    stderr = " ".join(result.stderr.split())
    assert f"error: {shards / 'garbage.parquet'}: not a readable Parquet file" in stderr
    assert f"error: {shards / 'mixed.jsonl'}:2: malformed JSON" in stderr
    assert "3 shards done" in result.stdout and "2 errors" in result.stdout
    rows = {p.name: pq.read_table(p).to_pylist() for p in out.iterdir()}
    assert [r["doc"] for r in rows["fine.jsonl.parquet"]] == ["fine"]
    assert [(r["doc"], r["error"] is None) for r in rows["mixed.jsonl.parquet"]] == [
        ("good", True),
        (None, False),
    ]
    assert rows["mixed.jsonl.parquet"][0]["incidents"][0]["killed"] == 2
    [garbage] = rows["garbage.parquet.parquet"]
    assert garbage["origin"] == str(shards / "garbage.parquet") and garbage["error"]
    loaded = invoke("ingest", out, "--db", tmp_path / "t.db")  # errors are reported again
    assert loaded.exit_code == 1 and "garbage.parquet" in loaded.stderr


def test_distribute_without_ray_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if not installed
    _write_jsonl(tmp_path / "one.jsonl", [Article(id="one", text=STORY)])
    result = invoke("distribute", tmp_path / "one.jsonl", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "pip install 'incidex[ray]'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_shards_writing_one_results_file_are_refused(tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "part-0.jsonl").write_text("{}\n")
    with pytest.raises(ShardListError, match="would both write"):
        list_shards([tmp_path / "x" / "part-0.jsonl", tmp_path / "y"], tmp_path / "out")


def test_shards_are_found_in_folders_and_named_by_their_path(tmp_path):
    (tmp_path / "2021" / "03").mkdir(parents=True)
    for name in ("2021/03/a.warc.gz", "2021/b.parquet", "notes.txt", ".hidden.jsonl"):
        (tmp_path / name).write_text("")
    found = list_shards([tmp_path], tmp_path / "out")
    assert [s.output.name for s in found] == [
        "2021__03__a.warc.gz.parquet",
        "2021__b.parquet.parquet",
    ]


def test_missing_shard_is_refused_before_starting(tmp_path):
    result = invoke("distribute", tmp_path / "nope.jsonl", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "nope.jsonl: no such file or directory" in result.stderr
