"""Readers for every input format: files, directories, JSON lines, WARC archives, feeds, URLs.

All input happens here: disk through these readers, the network through `incidex.fetch`.
A bad input never stops a batch: the reader yields an `InputError` naming it, and goes on
with the next one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from incidex.feeds import (
    FEED_MEDIA_TYPES,
    FEED_SUFFIXES,
    FeedError,
    looks_like_feed,
    parse_feed,
    with_full_text,
)
from incidex.fetch import Fetched, FetchError, FetchPolicy, fetch
from incidex.records import Article, Processed
from incidex.warc import WarcDocument, WarcError, is_warc, warc_documents

MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 MiB: far beyond any news article, stops runaway files
MAX_LINE_BYTES = 5 * 1024 * 1024  # 5 MiB per JSON line
SNIFF_BYTES = 8192  # bytes read to tell binary from text
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
PARQUET_SUFFIX = ".parquet"
INDEX_NAME = "index.jsonl"
HTML_MEDIA_TYPES = {"text/html", "application/xhtml+xml"}
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")  # any scheme: the fetcher refuses all but http(s)
_SURROGATE = re.compile("[\ud800-\udfff]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

#: What fetches the full article behind a feed item's link.
FullTextFetcher = Callable[[str], "Article | InputError"]


@dataclass(frozen=True)
class InputError:
    """One input that could not be read, with what the user should know about it."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


def read_inputs(
    inputs: Iterable[str | Path], policy: FetchPolicy | None = None, *, fetch_full: bool = True
) -> Iterator[Article | Processed | InputError]:
    """Yield an Article or an InputError for every article found in the inputs, in order.

    Results files of `incidex distribute` (Parquet) yield their articles already Processed.

    Inputs are paths (files, directories) or URLs. `policy` bounds every fetch: URLs given
    as inputs and, when `fetch_full` is true, the links of feed items that carry only a
    summary; it defaults to FetchPolicy() (public addresses only, 15 s, 10 MiB).
    """
    policy = policy or FetchPolicy()
    fetcher = partial(fetch_article, policy=policy) if fetch_full else None
    for item in inputs:
        if isinstance(item, str) and _URL.match(item.strip()):
            yield from read_url(item.strip(), policy, fetcher)
            continue
        path = Path(item)
        if path.is_dir():
            yield from _read_directory(path, fetcher)
        elif path.is_file():
            yield from _read_file(path, _index_for(path.parent), fetcher)
        else:
            yield InputError(str(item), "no such file or directory")


def _read_directory(
    directory: Path, fetcher: FullTextFetcher | None = None
) -> Iterator[Article | Processed | InputError]:
    """Read every file below a directory, in sorted order, each folder with its index."""
    files = sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )
    for path in files:
        if path.name != INDEX_NAME:
            yield from _read_file(path, _index_for(path.parent), fetcher)


def _index_for(folder: Path) -> dict[str, dict[str, Any]]:
    """Metadata from an `index.jsonl` beside the files, keyed by file name."""
    index_path = folder / INDEX_NAME
    if not index_path.is_file():
        return {}
    index: dict[str, dict[str, Any]] = {}
    for line in index_path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and entry.get("file"):
            index[str(entry["file"])] = entry
    return index


def _read_file(
    path: Path, index: dict[str, dict[str, Any]], fetcher: FullTextFetcher | None = None
) -> Iterator[Article | Processed | InputError]:
    """Read one file by its suffix or content; JSON lines, WARCs and feeds hold many articles."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path)
        return
    if is_warc(path):
        yield from read_warc(path)
        return
    if suffix == PARQUET_SUFFIX:
        from incidex.parquet import read_parquet  # here: pyarrow loads slowly, and imports this

        yield from read_parquet(path)
        return
    try:
        text = read_text(path)
    except InputFileError as error:
        yield InputError(str(path), str(error))
        return
    except OSError as error:
        yield InputError(str(path), f"cannot read: {error.strerror or error}")
        return
    if suffix in FEED_SUFFIXES or (
        suffix not in TEXT_SUFFIXES | HTML_SUFFIXES and looks_like_feed(text)
    ):
        yield from _read_feed_file(path, fetcher)
        return
    meta = index.get(path.name, {})
    is_html = suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and _looks_like_html(text))
    yield Article(
        id=str(meta.get("id") or path.stem),
        text="" if is_html else text,
        html=text if is_html else None,
        published=_date_or_none(meta.get("published")),
        url=meta.get("url"),
        title=meta.get("title"),
        source=meta.get("source"),
        origin=str(path),
    )


def _read_feed_file(
    path: Path,
    fetcher: FullTextFetcher | None,
    skip: Callable[[Article], bool] | None = None,
) -> Iterator[Article | InputError]:
    """A feed on disk, parsed from its bytes so that its XML encoding declaration holds."""
    try:
        data = path.read_bytes()
    except OSError as error:
        yield InputError(str(path), f"cannot read: {error.strerror or error}")
        return
    yield from read_feed(data, str(path), fetcher, skip=skip)


def read_feed_source(
    source: str, policy: FetchPolicy | None = None, skip: Callable[[Article], bool] | None = None
) -> Iterator[Article | InputError]:
    """The new items of a feed given as a URL or a file, full pages fetched under `policy`."""
    fetcher = partial(fetch_article, policy=policy or FetchPolicy())
    if _URL.match(source.strip()):
        for item in read_url(source.strip(), policy, fetcher, skip=skip):
            if isinstance(item, Article) and item.origin == source.strip():
                yield InputError(source, "not an RSS or Atom feed but a web page")
            else:
                yield item
    elif Path(source).is_file():
        yield from _read_feed_file(Path(source), fetcher, skip)
    else:
        yield InputError(source, "no such feed file, and not a URL")


def read_feed(
    data: bytes | str,
    origin: str,
    fetch_full: FullTextFetcher | None = None,
    *,
    base_url: str | None = None,
    skip: Callable[[Article], bool] | None = None,
) -> Iterator[Article | InputError]:
    """The items of an RSS or Atom feed as Articles (origin `origin#N`).

    An item that carries only a short summary is replaced by the page at its link when
    `fetch_full` is given; if that fails, its error comes first, then the summary. Items
    for which `skip` is true (already read) are passed over before any fetch. An unsafe
    (entity declarations) or malformed feed is one InputError.
    """
    try:
        feed = parse_feed(data, origin, base_url)
    except FeedError as error:
        yield InputError(origin, str(error))
        return
    for item in feed.items:
        article = item.article
        if skip is not None and skip(article):
            continue
        if item.summary_only and fetch_full is not None and article.url:
            page = fetch_full(article.url)
            if isinstance(page, Article):
                yield with_full_text(article, page)
                continue
            yield InputError(article.origin, f"full article not fetched, summary kept: {page}")
            if not article.text:
                continue
        yield article if article.text else InputError(article.origin, "feed item has no text")


def read_url(
    url: str,
    policy: FetchPolicy | None = None,
    fetch_full: FullTextFetcher | None = None,
    *,
    skip: Callable[[Article], bool] | None = None,
) -> Iterator[Article | InputError]:
    """The article at a URL, or the items of the feed there (item pages through `fetch_full`)."""
    try:
        fetched = fetch(url, policy)
    except FetchError as error:
        yield InputError(url, error.message)
        return
    if fetched.media_type in FEED_MEDIA_TYPES or looks_like_feed(fetched.body[:SNIFF_BYTES]):
        yield from read_feed(_feed_data(fetched), url, fetch_full, base_url=fetched.url, skip=skip)
    else:
        yield _page_article(url, fetched)


def _feed_data(fetched: Fetched) -> bytes | str:
    """A fetched feed for the XML parser: text decoded by the HTTP charset, else bytes.

    A charset in the Content-Type header wins over the XML declaration (RFC 7303); without
    one, the parser reads the declaration itself.
    """
    if fetched.charset:
        try:
            return fetched.body.decode(fetched.charset)
        except (LookupError, ValueError):  # also UnicodeError ("undefined", "punycode") and NULs
            pass
    return fetched.body


def fetch_article(url: str, policy: FetchPolicy | None = None) -> Article | InputError:
    """The HTML or text page at a URL as an Article (id and origin: the URL as given)."""
    try:
        return _page_article(url, fetch(url, policy))
    except FetchError as error:
        return InputError(url, error.message)


def _page_article(url: str, fetched: Fetched) -> Article | InputError:
    """A fetched page as an Article; anything but HTML or text is refused."""
    kind = fetched.media_type
    if kind and kind not in HTML_MEDIA_TYPES and kind != "text/plain":
        return InputError(url, f"not an article: the server sent {kind}")
    try:
        text = decode_payload(fetched.body, fetched.charset)
    except InputFileError as error:
        return InputError(url, f"page not readable: {error}")
    is_html = kind in HTML_MEDIA_TYPES or (not kind and _looks_like_html(text))
    return Article(
        id=url,
        text="" if is_html else text,
        html=text if is_html else None,
        url=fetched.url,
        origin=url,
    )


def read_warc(path: Path) -> Iterator[Article | InputError]:
    """The HTML and text pages of a WARC archive (origin `file#N`, N the record number).

    Other records are skipped. A corrupt or truncated archive ends with one InputError
    naming the record reached, after the articles read before it.
    """
    try:
        for document in warc_documents(path, MAX_FILE_BYTES):
            record = _warc_article(path, document)
            if record is not None:
                yield record
    except WarcError as error:
        yield InputError(
            f"{path}#{error.number}",
            f"corrupt or truncated WARC file, stopped at record {error.number} ({error}); "
            "the records before it were read",
        )
    except OSError as error:
        yield InputError(str(path), f"cannot read: {error.strerror or error}")


def _warc_article(path: Path, document: WarcDocument) -> Article | InputError | None:
    """One WARC record as an Article; None for an empty one."""
    where = f"{path}#{document.number}"
    if document.oversized:
        return InputError(where, f"record over the {MAX_FILE_BYTES // 2**20} MiB limit, skipped")
    if not document.payload.strip():
        return None
    try:
        text = decode_payload(document.payload, document.charset)
    except InputFileError as error:
        return InputError(where, str(error))
    is_html = document.media_type in HTML_MEDIA_TYPES
    return Article(
        id=document.record_id or document.uri or where,
        text="" if is_html else text,
        html=text if is_html else None,
        url=document.uri,
        origin=where,
    )


class InputFileError(ValueError):
    """A file that cannot be read as text: the message says why."""


def read_text(path: Path) -> str:
    """Decode a text file whatever its encoding; refuse binary, empty and oversized files."""
    size = path.stat().st_size
    if size == 0:
        raise InputFileError("empty file")
    if size > MAX_FILE_BYTES:
        raise InputFileError(
            f"file is {size / 1e6:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MiB limit for one "
            "article; split it or give it as JSON lines"
        )
    return decode_bytes(path.read_bytes())


def decode_bytes(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else detected."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputFileError("not valid UTF-16 despite its byte-order mark") from None
    elif b"\x00" in data[:SNIFF_BYTES]:
        raise InputFileError("binary file (contains NUL bytes), not an article")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_legacy(data)
    if not text.strip():
        raise InputFileError("file holds only white space")
    return text


def decode_payload(data: bytes, charset: str | None) -> str:
    """Text of a web payload: by its declared charset (HTTP header, else HTML meta), else detected.

    A byte-order mark wins over any declaration, as in browsers; a declaration that does not
    fit the bytes is ignored.
    """
    declared = charset or _meta_charset(data[:SNIFF_BYTES])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode(declared)
        except (LookupError, ValueError):  # also UnicodeError ("undefined", "punycode") and NULs
            pass
        else:
            if text.strip() and "\x00" not in text[:SNIFF_BYTES]:
                return text
    return decode_bytes(data)


def _meta_charset(head: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag."""
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _decode_legacy(data: bytes) -> str:
    """Text in a legacy encoding: Windows-1252 (most web text that is not UTF-8), else detected."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise InputFileError("not text in any known encoding") from None
        return str(best)


def _looks_like_html(text: str) -> bool:
    """True for markup in a file without an HTML suffix."""
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def read_jsonl(path: Path) -> Iterator[Article | InputError]:
    """Articles from a JSON-lines file, one object a line; bad lines are reported and skipped."""
    try:
        handle = path.open("rb")
    except OSError as error:
        yield InputError(str(path), f"cannot open: {error.strerror}")
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE_BYTES:
                yield InputError(where, f"line longer than {MAX_LINE_BYTES // 2**20} MiB, skipped")
                continue
            yield _article_from_json(raw, where, path)


def _article_from_json(raw: bytes, where: str, path: Path) -> Article | InputError:
    """One article object from one JSON line, or the reason it is not one."""
    try:
        entry = json.loads(raw)
    # ValueError: JSONDecodeError, UnicodeDecodeError, and integers over Python's 4300 digits
    except (ValueError, RecursionError) as error:
        return InputError(where, f"malformed JSON ({error}); expected one article object a line")
    if not isinstance(entry, dict):
        return InputError(where, 'expected a JSON object like {"id": ..., "text": ...}')
    return article_from_entry(entry, where, f"{path.stem}-{where.rsplit(':', 1)[1]}")


def article_from_entry(entry: dict[str, Any], where: str, fallback_id: str) -> Article | InputError:
    """An article from one record of a JSON-lines or Parquet file: both take the same fields."""
    entry = {key: _whole_characters(value) for key, value in entry.items()}
    text, html = entry.get("text"), entry.get("html")
    if not isinstance(text, str) and not isinstance(html, str):
        return InputError(where, 'article has neither "text" nor "html"')
    return Article(
        id=str(entry.get("id") or fallback_id),
        text=text if isinstance(text, str) else "",
        html=html if isinstance(html, str) and not isinstance(text, str) else None,
        published=_date_or_none(entry.get("published")),
        url=_str_or_none(entry.get("url")),
        title=_str_or_none(entry.get("title")),
        source=_str_or_none(entry.get("source")),
        origin=where,
    )


def _whole_characters(value: Any) -> Any:
    """A string with its lone surrogates (JSON's "\\ud800", no character) as U+FFFD.

    Python keeps them in a str, but no UTF-8 text can hold one: hashing, storing or
    writing the article would fail.
    """
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def _str_or_none(value: Any) -> str | None:
    """Metadata strings only; anything else is dropped."""
    return value if isinstance(value, str) and value.strip() else None


def _date_or_none(value: Any) -> str | None:
    """A publication date as YYYY-MM-DD, from a date or timestamp string."""
    text = _str_or_none(value)
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else None
    except ValueError:
        return None
