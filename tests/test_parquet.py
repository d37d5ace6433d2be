"""Parquet: article shards read like JSON lines; results files written whole and read back exactly."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from incidex.ingest import InputError, read_inputs
from incidex.parquet import (
    RESULTS_KEY,
    RESULTS_SCHEMA,
    RESULTS_VERSION,
    result_row,
    results_writer,
)
from incidex.pipeline import Processed, run
from incidex.records import Article
from tests.conftest import SAMPLES

STORY = "Gunmen killed two soldiers at a checkpoint in Baqubah on Monday, police said."


def _articles_parquet(path, **columns):
    pq.write_table(pa.table(columns), path)
    return path


def _results(path, items):
    with results_writer(path) as writer:
        writer.write(result_row(item) for item in items)
    return path


def test_parquet_articles_read_like_json_lines(tmp_path):
    path = _articles_parquet(
        tmp_path / "crawl.parquet",
        id=["a1", None],
        text=[STORY, "Police found a body."],
        published=[dt.datetime(2021, 3, 16, 9, 30), None],
        source=["Tigris Wire", None],
        url=["https://news.example/a1", None],
        title=["Checkpoint attack", None],
    )
    first, second = read_inputs([path])
    assert first == Article(
        id="a1",
        text=STORY,
        published="2021-03-16",
        url="https://news.example/a1",
        title="Checkpoint attack",
        source="Tigris Wire",
        origin=f"{path}#1",
    )
    assert (second.id, second.origin) == ("crawl-2", f"{path}#2")


def test_parquet_html_column_is_read_as_a_page(tmp_path):
    path = _articles_parquet(tmp_path / "pages.parquet", id=["p"], html=[f"<p>{STORY}</p>"])
    [article] = read_inputs([path])
    assert article.html == f"<p>{STORY}</p>" and article.text == ""


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"id": ["x"], "body": [STORY]}, 'no "text" or "html" column'),
        ({"id": ["x"], "text": [None]}, 'neither "text" nor "html"'),
    ],
)
def test_parquet_without_article_text_names_the_file(tmp_path, columns, message):
    path = _articles_parquet(tmp_path / "odd.parquet", **columns)
    [error] = read_inputs([path])
    assert isinstance(error, InputError)
    assert "odd.parquet" in str(error) and message in error.message


def test_garbage_parquet_is_one_error_naming_it(tmp_path):
    path = tmp_path / "garbage.parquet"
    path.write_bytes(b"PAR1 this is not parquet at all" * 10)
    [error] = read_inputs([path])
    assert isinstance(error, InputError)
    assert str(path) in str(error) and "not a readable Parquet file" in error.message


def test_results_read_back_as_the_pipeline_made_them(tmp_path):
    items = list(run([str(SAMPLES / "feed.jsonl"), str(tmp_path / "missing.txt")]))
    path = _results(tmp_path / "feed.jsonl.parquet", items)
    back = list(read_inputs([path]))
    assert len(back) == len(items) == 3
    for before, after in zip(items, back, strict=True):
        if isinstance(before, InputError):
            assert after == before
            continue
        assert isinstance(after, Processed)
        assert after.extraction == before.extraction
        assert after.extraction.text == before.extraction.text  # not compared by ==
        assert (after.content_hash, after.signature) == (before.content_hash, before.signature)
        assert after.article.origin == before.article.origin


def test_results_file_has_the_one_schema(tmp_path):
    path = _results(tmp_path / "r.parquet", run([str(SAMPLES / "feed.jsonl")]))
    table = pq.read_table(path)
    assert table.schema.names == RESULTS_SCHEMA.names
    assert table.schema.metadata[RESULTS_KEY] == RESULTS_VERSION.encode()
    row = table.to_pylist()[0]
    assert row["doc"] == "sample-011" and row["error"] is None
    assert len(row["minhash"]) == 128 and len(row["content_hash"]) == 64
    assert row["incidents"][0]["evidence"]


def test_results_of_a_newer_format_are_refused(tmp_path):
    schema = RESULTS_SCHEMA.with_metadata({RESULTS_KEY: b"99"})
    path = tmp_path / "future.parquet"
    pq.write_table(pa.Table.from_pylist([], schema=schema), path)
    [error] = read_inputs([path])
    assert isinstance(error, InputError) and "results format 99" in error.message


def test_results_file_appears_only_when_complete(tmp_path):
    path = tmp_path / "shard.jsonl.parquet"
    with pytest.raises(RuntimeError), results_writer(path) as writer:
        writer.write([{"origin": "x", "error": "first row"}])
        raise RuntimeError("worker died")
    assert list(tmp_path.iterdir()) == []
