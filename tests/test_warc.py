"""WARC archives: HTML and text records become Articles, the rest is skipped, corruption reported."""

from __future__ import annotations

import gzip
from io import BytesIO

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from incidex.ingest import InputError, read_inputs
from incidex.records import Article
from incidex.warc import warc_documents

PAGE = "<html><body><p>Gunmen killed two policemen in Ba‘qubah, said Jérôme.</p></body></html>"


def _response(writer, uri, body, content_type, status="200 OK"):
    """An HTTP response record."""
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(uri, "response", payload=BytesIO(body), http_headers=headers)


def _records(writer):
    """One of each kind a crawl holds: info, request, page, image, DNS, text resource, pages."""
    request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "news.example")], is_http_request=True)
    return [
        writer.create_warcinfo_record("crawl.warc", {"software": "test-crawler"}),
        writer.create_warc_record(
            "https://news.example/a", "request", payload=BytesIO(b""), http_headers=request
        ),
        _response(writer, "https://news.example/a", PAGE.encode(), "text/html; charset=utf-8"),
        _response(writer, "https://news.example/a.png", b"\x89PNG\r\n\x1a\n" * 8, "image/png"),
        writer.create_warc_record(
            "dns:news.example", "resource", payload=BytesIO(b"news.example 300 IN A 192.0.2.1"),
            warc_content_type="text/dns",
        ),
        writer.create_warc_record(
            "https://news.example/b.txt", "resource",
            payload=BytesIO("Un attentat à Kirkouk.".encode("cp1252")),
            warc_content_type="text/plain",
        ),
        _response(writer, "https://news.example/gone", b"<html>Not found</html>", "text/html", "404 Not Found"),
        _response(writer, "https://news.example/c", PAGE.encode("cp1252", "replace"), "text/html; charset=windows-1252"),
    ]  # fmt: skip


def _write_warc(path, gzipped=True):
    """A WARC file of `_records`, each record gzipped on its own when `gzipped`."""
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for record in _records(writer):
        writer.write_record(record)
        record.raw_stream.close()  # warcio buffers payloads in temporary files
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(params=[True, False], ids=["gzip", "plain"])
def warc_path(request, tmp_path):
    """A gzipped or a plain WARC file."""
    name = "crawl.warc.gz" if request.param else "crawl.warc"
    return _write_warc(tmp_path / name, gzipped=request.param)


def test_read_inputs_turns_html_and_text_records_into_articles(warc_path):
    records = list(read_inputs([warc_path]))
    assert all(isinstance(r, Article) for r in records)
    assert [r.url for r in records] == [
        "https://news.example/a",
        "https://news.example/b.txt",
        "https://news.example/c",
    ]


def test_read_inputs_numbers_warc_records_in_origin(warc_path):
    origins = [r.origin for r in read_inputs([warc_path])]
    assert origins == [f"{warc_path}#3", f"{warc_path}#6", f"{warc_path}#8"]


def test_read_inputs_keeps_warc_html_as_markup_decoded_by_charset(warc_path):
    first, _, third = read_inputs([warc_path])
    assert first.text == ""
    assert "Ba‘qubah, said Jérôme" in first.html
    assert "Ba‘qubah, said Jérôme" in third.html  # windows-1252 per the HTTP header


def test_read_inputs_detects_charset_of_warc_text_record(warc_path):
    text_record = list(read_inputs([warc_path]))[1]
    assert (text_record.text, text_record.html) == ("Un attentat à Kirkouk.", None)


def test_read_inputs_ids_warc_articles_by_record_id(warc_path):
    ids = [r.id for r in read_inputs([warc_path])]
    assert all(i.startswith("urn:uuid:") for i in ids)
    assert len(set(ids)) == 3


def test_read_inputs_reads_whole_file_gzip_warc(tmp_path):
    plain = _write_warc(tmp_path / "plain.warc", gzipped=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    assert len(list(read_inputs([whole]))) == 3


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
def test_read_inputs_reports_truncated_warc_after_records_before(tmp_path, gzipped):
    full = _write_warc(tmp_path / "full", gzipped=gzipped).read_bytes()
    path = tmp_path / ("cut.warc.gz" if gzipped else "cut.warc")
    path.write_bytes(full[:-120])  # inside the last record
    *articles, error = read_inputs([path])
    assert [a.origin for a in articles] == [f"{path}#3", f"{path}#6"]
    assert isinstance(error, InputError)
    assert error.source == f"{path}#8"
    assert "corrupt or truncated WARC file, stopped at record 8" in error.message


def test_read_inputs_reports_truncation_inside_text_record(tmp_path):
    full = _write_warc(tmp_path / "full.warc", gzipped=False).read_bytes()
    path = tmp_path / "cut.warc"
    path.write_bytes(full[: full.index(b"Un attentat") + 5])
    *articles, error = read_inputs([path])
    assert [a.origin for a in articles] == [f"{path}#3"]
    assert error.source == f"{path}#6"
    assert "truncated" in error.message


def test_read_inputs_refuses_non_warc_named_warc_and_goes_on(tmp_path):
    path = tmp_path / "page.warc"
    path.write_text("<html><body>Not an archive</body></html>", encoding="utf-8")
    error, article, *_ = read_inputs([path, _write_warc(tmp_path / "ok.warc.gz")])
    assert isinstance(error, InputError)
    assert error.source == f"{path}#1"
    assert isinstance(article, Article)


def test_warc_documents_flags_oversized_payload(tmp_path):
    path = _write_warc(tmp_path / "crawl.warc.gz")
    documents = list(warc_documents(path, max_bytes=40))
    assert [d.oversized for d in documents] == [True, False, True]
    assert documents[0].payload == b""


def test_read_inputs_reports_empty_warc(tmp_path):
    path = tmp_path / "empty.warc.gz"
    path.write_bytes(b"")
    [error] = read_inputs([path])
    assert error.source == f"{path}#1"
    assert "holds no WARC record" in error.message
