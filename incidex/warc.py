"""WARC archives, as web crawlers write them: the pages and texts they hold, record by record.

Only records that can hold an article are returned: HTTP responses (status 2xx) served as
HTML or plain text, and `resource` or `conversion` records of those types. Everything else
(requests, metadata, images, DNS lookups, warcinfo) is skipped. A corrupt or truncated
archive stops with a WarcError naming the record reached, after the records before it.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from incidex.fetch import media_type

WARC_SUFFIXES = (".warc", ".warc.gz")
TEXT_MEDIA_TYPES = {"text/html", "application/xhtml+xml", "text/plain"}
GZIP_MAGIC = b"\x1f\x8b"
DRAIN_BYTES = 64 * 1024  # bytes read at a time from a record that is skipped


@dataclass(frozen=True)
class WarcDocument:
    """A record that may hold an article; `payload` is empty when it was over the size limit."""

    number: int  # 1-based position among all records of the file
    record_id: str | None
    uri: str | None
    media_type: str
    charset: str | None
    payload: bytes
    oversized: bool = False


class WarcError(ValueError):
    """The archive is corrupt or truncated at record `number`."""

    def __init__(self, number: int, message: str) -> None:
        super().__init__(message)
        self.number = number


def is_warc(path: Path) -> bool:
    """True for a file named like a WARC archive."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def warc_documents(path: Path, max_bytes: int) -> Iterator[WarcDocument]:
    """The article-like records of a WARC file (plain or gzip), in order.

    Payloads over `max_bytes` come back empty with `oversized` set. Raises WarcError once
    the archive turns out corrupt or truncated, after the documents before that point, and
    OSError when the file cannot be opened.
    """
    with closing(_open(path)) as stream:
        archive = ArchiveIterator(stream)
        records = iter(archive)
        number = 0
        while True:
            number += 1
            try:
                record = next(records, None)
                if record is None:
                    _check_end(number, archive, stream)
                    return
                document = _document(number, record, max_bytes)
                _drain(number, record)
            except WarcError:
                raise
            except _TruncatedError as error:
                raise WarcError(number, str(error)) from None
            except Exception as error:  # warcio raises many kinds of error on corrupt input
                raise WarcError(number, f"{type(error).__name__}: {error}") from None
            if document is not None:
                yield document


def _check_end(number: int, archive: ArchiveIterator, stream: IO[bytes] | _GzipStream) -> None:
    """Raise WarcError when the archive ended on something that is not a whole record.

    warcio takes a file that ends inside a record's header for the end of the archive; the
    bytes left after the last whole record (its `offset`) give that away.
    """
    if number == 1:
        raise WarcError(number, "the file holds no WARC record")
    if archive.offset < stream.tell():
        raise WarcError(number, "the file ends inside this record's header")


def _open(path: Path) -> IO[bytes] | _GzipStream:
    """The archive as one uncompressed stream, gzip told by its magic bytes, not its name."""
    with path.open("rb") as handle:
        compressed = handle.read(2) == GZIP_MAGIC
    return _GzipStream(path) if compressed else path.open("rb")


class _TruncatedError(Exception):
    """A gzip file that ends before its end-of-stream marker (deliberately not an EOFError)."""


class _GzipStream:
    """A gzip archive read so that a truncated file is an error, not a quiet end of the archive.

    Python's gzip reads any gzip file, one member per record or one for the whole file, and
    raises EOFError for one cut short; but warcio takes an EOFError for the end of the
    archive, so it is raised as _TruncatedError instead. Reads return what is there
    (read1), so the records before the cut are still read.
    """

    def __init__(self, path: Path) -> None:
        # closed by close(), which warc_documents calls through contextlib.closing
        self._file = gzip.open(path, "rb")  # noqa: SIM115
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        """Up to `size` uncompressed bytes (all the rest when negative)."""
        try:
            data = self._file.read1(size) if size >= 0 else self._file.read()
        except EOFError as error:
            raise _TruncatedError(f"the file ends inside this record: {error}") from None
        self._position += len(data)
        return data

    def tell(self) -> int:
        """Uncompressed bytes read so far."""
        return self._position

    def close(self) -> None:
        """Close the underlying file."""
        self._file.close()


def _document(number: int, record: Any, max_bytes: int) -> WarcDocument | None:
    """The record as a WarcDocument when it may hold an article, else None."""
    length = record.rec_headers.get_header("Content-Length")
    if not (length or "").strip().isdigit():
        raise WarcError(
            number, f"the record's header is cut short or broken (Content-Length {length!r})"
        )
    kind, charset = _payload_type(record)
    if kind not in TEXT_MEDIA_TYPES:
        return None
    payload = record.content_stream().read(max_bytes + 1)
    oversized = len(payload) > max_bytes
    return WarcDocument(
        number=number,
        record_id=(record.rec_headers.get_header("WARC-Record-ID") or "").strip("<> ") or None,
        uri=record.rec_headers.get_header("WARC-Target-URI"),
        media_type=kind,
        charset=charset,
        payload=b"" if oversized else payload,
        oversized=oversized,
    )


def _payload_type(record: Any) -> tuple[str, str | None]:
    """Media type and charset of a record's payload; '' for records that hold no article."""
    if record.rec_type == "response":
        headers = record.http_headers
        if headers is None or not str(headers.get_statuscode() or "").startswith("2"):
            return "", None
        return media_type(headers.get_header("Content-Type"))
    if record.rec_type in ("resource", "conversion"):
        return media_type(record.rec_headers.get_header("Content-Type"))
    return "", None


def _drain(number: int, record: Any) -> None:
    """Read the rest of a record; raise WarcError when the file ends before it does."""
    raw = record.raw_stream
    while raw.read(DRAIN_BYTES):
        pass
    if getattr(raw, "limit", 0) > 0:
        raise WarcError(number, "the file ends inside this record")
