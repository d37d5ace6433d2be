"""Seed corpora for the harnesses from the bundled samples and tests/inputs.

`python fuzz/seed.py DIR` fills DIR/<harness>/ (clean, extract, feeds, jsonl, warc) with the
sample articles, the hostile inputs of tests/inputs, and a feed and a WARC archive built
from the samples, so that fuzzing starts from realistic input. Existing files are kept.
"""

from __future__ import annotations

import hashlib
import json
import sys
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "incidex" / "data" / "samples" / "articles"
INPUTS = ROOT / "tests" / "inputs"
TEXT_PATTERNS = ("*.txt", "*.html")

#: Seed files of each harness: globs in the samples and in tests/inputs.
SEEDS = {
    "clean": (SAMPLES, TEXT_PATTERNS, INPUTS, ("*.txt", "*.html", "*.bin")),
    "extract": (SAMPLES, ("*.txt",), INPUTS, ("*.txt",)),
    "feeds": (SAMPLES, (), INPUTS, ("*.rss", "*.atom")),
    "jsonl": (SAMPLES, ("*.jsonl",), INPUTS, ("*.jsonl",)),
    "warc": (SAMPLES, (), INPUTS, ("*.bin",)),
}


def _articles() -> list[dict[str, str]]:
    """The sample articles of feed.jsonl, as dictionaries."""
    lines = (SAMPLES / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _rss(articles: list[dict[str, str]]) -> bytes:
    """An RSS 2.0 feed of the sample articles."""
    items = "".join(
        f"<item><title>{escape(a.get('title') or '')}</title>"
        f"<link>https://news.example/{escape(a['id'])}</link><guid>{escape(a['id'])}</guid>"
        f"<pubDate>Tue, 16 Mar 2021 08:00:00 GMT</pubDate>"
        f"<description>{escape(a.get('text') or '')}</description></item>"
        for a in articles
    )
    channel = f"<channel><title>Samples</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def _atom(articles: list[dict[str, str]]) -> bytes:
    """An Atom feed of the sample articles."""
    entries = "".join(
        f"<entry><title>{escape(a.get('title') or '')}</title><id>{escape(a['id'])}</id>"
        f'<link href="https://news.example/{escape(a["id"])}"/><updated>2021-03-16T08:00:00Z</updated>'
        f'<content type="html">{escape(a.get("text") or "")}</content></entry>'
        for a in articles
    )
    return (
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Samples</title>{entries}</feed>'.encode()
    )


def _warc(gzipped: bool) -> bytes:
    """A WARC archive of the sample pages and texts, with a request and an image record."""
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for path in sorted(SAMPLES.glob("*.*ml")) + sorted(SAMPLES.glob("00[1-3].txt")):
        kind = "text/html; charset=utf-8" if path.suffix == ".html" else "text/plain"
        headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://news.example/{path.name}",
            "response",
            payload=BytesIO(path.read_bytes()),
            http_headers=headers,
        )
        writer.write_record(record)
    image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://news.example/a.png",
            "response",
            payload=BytesIO(b"\x89PNG"),
            http_headers=image,
        )
    )
    return buffer.getvalue()


def _built(name: str) -> dict[str, bytes]:
    """Seeds built from the samples rather than copied."""
    if name == "feeds":
        return {"samples.rss": _rss(_articles()), "samples.atom": _atom(_articles())}
    if name == "warc":
        return {"samples.warc": _warc(False), "samples.warc.gz": _warc(True)}
    return {}


def seed(directory: Path) -> None:
    """Fill directory/<harness>/ with the seeds of every harness."""
    for name, (samples, sample_globs, inputs, input_globs) in SEEDS.items():
        target = directory / name
        target.mkdir(parents=True, exist_ok=True)
        files = {p.name: p.read_bytes() for g in sample_globs for p in samples.glob(g)}
        files |= {f"inputs-{p.name}": p.read_bytes() for g in input_globs for p in inputs.glob(g)}
        files |= _built(name)
        for file_name, data in sorted(files.items()):
            digest = hashlib.sha1(data).hexdigest()[:8]  # libFuzzer names its finds by SHA-1
            (target / f"seed-{digest}-{file_name}").write_bytes(data)


if __name__ == "__main__":
    seed(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "corpus")
