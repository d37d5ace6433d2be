"""Readers for every input format: files, directories and JSON lines in, Articles out.

All disk input happens here. A bad input never stops a batch: the reader yields an
`InputError` naming it, and goes on with the next one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from incidex.records import Article

MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 MiB: far beyond any news article, stops runaway files
MAX_LINE_BYTES = 5 * 1024 * 1024  # 5 MiB per JSON line
SNIFF_BYTES = 8192  # bytes read to tell binary from text
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
INDEX_NAME = "index.jsonl"


@dataclass(frozen=True)
class InputError:
    """One input that could not be read, with what the user should know about it."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


def read_inputs(inputs: Iterable[str | Path]) -> Iterator[Article | InputError]:
    """Yield an Article or an InputError for every article found in the inputs, in order."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from _read_directory(path)
        elif path.is_file():
            yield from _read_file(path, _index_for(path.parent))
        else:
            yield InputError(str(item), "no such file or directory")


def _read_directory(directory: Path) -> Iterator[Article | InputError]:
    """Read every file below a directory, in sorted order, each folder with its index."""
    files = sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )
    for path in files:
        if path.name != INDEX_NAME:
            yield from _read_file(path, _index_for(path.parent))


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


def _read_file(path: Path, index: dict[str, dict[str, Any]]) -> Iterator[Article | InputError]:
    """Read one file by its suffix; JSON lines may hold many articles."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path)
        return
    try:
        text = read_text(path)
    except InputFileError as error:
        yield InputError(str(path), str(error))
        return
    except OSError as error:
        yield InputError(str(path), f"cannot read: {error.strerror or error}")
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
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        return InputError(where, f"malformed JSON ({error}); expected one article object a line")
    if not isinstance(entry, dict):
        return InputError(where, 'expected a JSON object like {"id": ..., "text": ...}')
    text, html = entry.get("text"), entry.get("html")
    if not isinstance(text, str) and not isinstance(html, str):
        return InputError(where, 'article has neither "text" nor "html"')
    return Article(
        id=str(entry.get("id") or f"{path.stem}-{where.rsplit(':', 1)[1]}"),
        text=text if isinstance(text, str) else "",
        html=html if isinstance(html, str) and not isinstance(text, str) else None,
        published=_date_or_none(entry.get("published")),
        url=_str_or_none(entry.get("url")),
        title=_str_or_none(entry.get("title")),
        source=_str_or_none(entry.get("source")),
        origin=where,
    )


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
