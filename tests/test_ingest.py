"""Readers: hostile inputs, directories with index metadata, JSON lines, size limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incidex.ingest import MAX_FILE_BYTES, InputError, decode_payload, read_inputs
from incidex.pipeline import process
from incidex.records import Article
from incidex.store import Store

INPUTS = Path(__file__).parent / "inputs"


def _read(*paths):
    """Everything the readers yield for the given paths, as a list."""
    return list(read_inputs(paths))


def _only(path):
    """The single record read from one input."""
    [record] = _read(path)
    return record


def _write_jsonl(path, *entries):
    """A JSON-lines file with one object a line."""
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("binary.bin", "binary"),
        ("empty.txt", "empty"),
        ("whitespace.txt", "white space"),
    ],
)
def test_read_inputs_refuses_hostile_file_naming_it(name, reason):
    error = _only(INPUTS / name)
    assert isinstance(error, InputError)
    assert name in str(error)
    assert reason in error.message


@pytest.mark.parametrize("name", ["Jérôme Lefèvre", "José Ramírez Núñez"])
def test_read_inputs_decodes_latin1(name):
    assert name in _only(INPUTS / "latin1.txt").text


def test_read_inputs_decodes_utf16_with_bom():
    text = _only(INPUTS / "utf16.txt").text
    assert text.startswith("Duhok, 21 September 2021")
    assert "Amadiya" in text


def test_read_inputs_strips_utf8_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffGunmen fired on a patrol.".encode())
    assert _only(path).text == "Gunmen fired on a patrol."


def test_read_inputs_refuses_broken_utf16(tmp_path):
    path = tmp_path / "half.txt"
    path.write_bytes(b"\xff\xfeA\x00\x00\xd8")
    error = _only(path)
    assert isinstance(error, InputError)
    assert "half.txt" in str(error)


def test_read_inputs_refuses_utf16_white_space(tmp_path):
    path = tmp_path / "blank16.txt"
    path.write_bytes(" \n\t ".encode("utf-16"))
    assert "white space" in _only(path).message


def test_read_inputs_keeps_good_line_of_malformed_jsonl():
    articles = [r for r in _read(INPUTS / "malformed.jsonl") if isinstance(r, Article)]
    assert [a.id for a in articles] == ["malformed-ok"]
    assert "Tarmiyah" in articles[0].text


def test_read_inputs_names_bad_lines_of_malformed_jsonl():
    errors = [r for r in _read(INPUTS / "malformed.jsonl") if isinstance(r, InputError)]
    assert [Path(e.source).name for e in errors] == ["malformed.jsonl:2", "malformed.jsonl:3"]
    assert "malformed JSON" in errors[0].message
    assert '"text" nor "html"' in errors[1].message


def test_read_inputs_refuses_json_array_line():
    error = _only(INPUTS / "not_an_article.jsonl")
    assert isinstance(error, InputError)
    assert error.source.endswith("not_an_article.jsonl:1")
    assert "JSON object" in error.message


def test_read_inputs_refuses_deeply_nested_json_line(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    error = _only(path)
    assert isinstance(error, InputError)
    assert error.source.endswith("deep.jsonl:1")


def test_read_inputs_goes_on_after_bad_input():
    records = _read(INPUTS / "binary.bin", INPUTS / "latin1.txt")
    assert [type(r) for r in records] == [InputError, Article]


@pytest.mark.parametrize("name", ["broken.html", "only_boilerplate.html"])
def test_read_inputs_keeps_html_as_markup(name):
    article = _only(INPUTS / name)
    assert article.text == ""
    assert article.html.lstrip().lower().startswith(("<html", "<!doctype html"))


def test_read_inputs_sniffs_html_without_suffix(tmp_path):
    path = tmp_path / "page"
    path.write_text("<html><body><p>Gunmen fired on a patrol.</p></body></html>", encoding="utf-8")
    article = _only(path)
    assert article.html is not None
    assert article.text == ""


def test_read_inputs_reports_missing_path(tmp_path):
    error = _only(tmp_path / "nowhere.txt")
    assert isinstance(error, InputError)
    assert "nowhere.txt" in str(error)
    assert "no such file" in error.message


def test_read_inputs_refuses_file_over_size_limit(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    error = _only(path)
    assert isinstance(error, InputError)
    assert f"{MAX_FILE_BYTES // 2**20} MiB limit" in error.message


@pytest.fixture
def folder(tmp_path):
    """A folder of text articles, one in a subfolder, with an index for two of them."""
    (tmp_path / "sub").mkdir()
    for name in ("z.txt", "a.txt", "sub/m.txt"):
        (tmp_path / name).write_text(f"Report kept in {name}.", encoding="utf-8")
    meta = {"file": "a.txt", "id": "art-a", "published": "2021-05-06T10:00:00Z"}
    _write_jsonl(tmp_path / "index.jsonl", {**meta, "source": "Test Wire", "title": "Patrol hit"})
    _write_jsonl(tmp_path / "sub" / "index.jsonl", {"file": "m.txt", "id": "art-m"})
    return tmp_path


def test_read_inputs_reads_directory_recursively_in_sorted_order(folder):
    assert [a.id for a in _read(folder)] == ["art-a", "art-m", "z"]


def test_read_inputs_does_not_read_index_as_article(folder):
    records = _read(folder)
    assert all(isinstance(r, Article) for r in records)
    assert not any(r.origin.endswith("index.jsonl") for r in records)


def test_read_inputs_applies_index_metadata(folder):
    article = _read(folder)[0]
    assert (article.id, article.published) == ("art-a", "2021-05-06")
    assert (article.source, article.title) == ("Test Wire", "Patrol hit")


def test_read_inputs_applies_index_to_single_file(folder):
    assert _only(folder / "a.txt").id == "art-a"


def test_read_inputs_skips_hidden_files(folder):
    (folder / ".notes.txt").write_text("Not an article.", encoding="utf-8")
    assert len(_read(folder)) == 3


def test_read_jsonl_takes_html_field(tmp_path):
    html = "<html><body><p>A bomb exploded near a market.</p></body></html>"
    article = _only(_write_jsonl(tmp_path / "feed.jsonl", {"id": "h1", "html": html}))
    assert (article.id, article.text, article.html) == ("h1", "", html)


def test_read_jsonl_prefers_text_over_html(tmp_path):
    entry = {"id": "t1", "text": "A bomb exploded.", "html": "<p>Other</p>"}
    article = _only(_write_jsonl(tmp_path / "feed.jsonl", entry))
    assert (article.text, article.html) == ("A bomb exploded.", None)


def test_read_jsonl_replaces_lone_surrogates_so_the_article_can_be_stored(tmp_path):
    """JSON may escape half a character ("\\ud800"); UTF-8 cannot hold it, so it becomes U+FFFD."""
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "s1", "title": "Raid \\ud800", "text": "Gunmen killed two \\udfff."}\n')
    article = _only(path)
    assert (article.title, article.text) == ("Raid \ufffd", "Gunmen killed two \ufffd.")
    article.text.encode("utf-8")  # hashing and storing need this
    with Store.open(tmp_path / "x.db") as store:
        item = process(article)
        assert store.add(item.article, item.extraction, item.content_hash, item.signature).status == "new"


def test_read_jsonl_names_article_without_id_by_file_and_line(tmp_path):
    path = _write_jsonl(tmp_path / "feed.jsonl", {"text": "One."}, {"text": "Two."})
    assert [a.id for a in _read(path)] == ["feed-1", "feed-2"]


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2022-01-21T05:52:39+0000", "2022-01-21"),
        ("2022-01-21 05:52", "2022-01-21"),
        ("2022-01-21", "2022-01-21"),
        ("yesterday", None),
        (20220121, None),
        (None, None),
    ],
)
def test_read_jsonl_truncates_published_to_date(tmp_path, published, expected):
    entry = {"text": "A bomb exploded.", "published": published}
    assert _only(_write_jsonl(tmp_path / "feed.jsonl", entry)).published == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/report.txt", "only http and https URLs are fetched, not 'ftp'"),
        ("file:///etc/passwd", "not 'file'"),
        ("http://192.168.0.1/report", "192.168.0.1 is a private address"),
    ],
)
def test_read_inputs_refuses_url_naming_it(url, message):
    error = _only(url)
    assert isinstance(error, InputError)
    assert error.source == url
    assert message in error.message


def test_read_inputs_reads_feeds_and_warcs_in_directory(tmp_path):
    (tmp_path / "news.rss").write_text(
        "<rss><channel><title>Wire</title><item><guid>w-1</guid>"
        "<description>Gunmen fired on a patrol.</description></item></channel></rss>",
        encoding="utf-8",
    )
    (tmp_path / "crawl.warc").write_bytes(b"")
    (tmp_path / "z.txt").write_text("A bomb exploded.", encoding="utf-8")
    records = _read(tmp_path)
    assert [type(r) for r in records] == [InputError, Article, Article]
    assert records[0].source == f"{tmp_path / 'crawl.warc'}#1"
    assert (records[1].id, records[1].source) == ("w-1", "Wire")


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("Jérôme".encode("latin-1"), "iso-8859-1", "Jérôme"),
        ('<meta charset="windows-1256"><p>بعقوبة</p>'.encode("cp1256"), None, "بعقوبة"),
        ("Jérôme".encode(), "no-such-charset", "Jérôme"),
        ("Jérôme".encode("cp1252"), "utf-8", "Jérôme"),  # wrong declaration: detected instead
        ("\ufeffJérôme".encode(), "iso-8859-1", "Jérôme"),  # byte-order mark wins
    ],
)
def test_decode_payload_uses_declared_charset_else_detects(data, charset, expected):
    assert expected in decode_payload(data, charset)
