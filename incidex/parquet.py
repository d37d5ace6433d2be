"""Parquet files: article shards read as input, and the extraction results of `distribute`.

A results file holds one row per article in one schema, RESULTS_SCHEMA, written by
`incidex distribute` and read back by `incidex ingest`, which then stores the precomputed
extraction without running it again. Its metadata key RESULTS_KEY tells it from a Parquet
file of articles (columns id, text or html, published, source, url, title), which is read
like a JSON-lines file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from incidex.ingest import InputError, article_from_entry
from incidex.records import INCIDENT_FIELDS, Article, Extraction, Incident, Processed, Statistic

#: Metadata key of a results file; its value is the format version.
RESULTS_KEY = b"incidex.results"
#: Bump when RESULTS_SCHEMA changes; a reader refuses versions it does not know.
RESULTS_VERSION = "1"
BATCH_ROWS = 256  # rows read or written at a time: bounds memory whatever the file's size
ARTICLE_COLUMNS = ("id", "text", "html", "published", "source", "url", "title")

#: Incident fields that are not strings; every other codebook field is one.
_INCIDENT_TYPES = {
    "lat": pa.float64(),
    "lon": pa.float64(),
    "killed": pa.int64(),
    "wounded": pa.int64(),
    "kidnapped": pa.int64(),
    "perpetrators_killed": pa.int64(),
    "evidence": pa.list_(pa.string()),
}
INCIDENT_TYPE = pa.struct(
    [(name, _INCIDENT_TYPES.get(name, pa.string())) for name in INCIDENT_FIELDS]
)
STATISTIC_TYPE = pa.struct(
    [
        ("claim", pa.string()),
        ("count", pa.int64()),
        ("what", pa.string()),
        ("where", pa.string()),
        ("from", pa.string()),
        ("to", pa.string()),
        ("source", pa.string()),
    ]
)
#: One row per article read: its metadata and cleaned text, content hash, MinHash signature,
#: incidents and statistics; or, for an input that failed, its origin and `error`.
RESULTS_SCHEMA = pa.schema(
    [
        ("doc", pa.string()),
        ("origin", pa.string()),
        ("published", pa.string()),
        ("title", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("text", pa.string()),
        ("content_hash", pa.string()),
        ("minhash", pa.list_(pa.int64())),
        ("incidents", pa.list_(INCIDENT_TYPE)),
        ("statistics", pa.list_(STATISTIC_TYPE)),
        ("error", pa.string()),
    ],
    metadata={RESULTS_KEY: RESULTS_VERSION.encode()},
)


def result_row(item: Processed | InputError) -> dict[str, Any]:
    """One row of a results file: a processed article, or an input that failed."""
    if isinstance(item, InputError):
        return {"origin": item.source, "error": item.message}
    extraction = item.extraction
    return {
        "doc": extraction.doc,
        "origin": item.article.origin,
        "published": extraction.published,
        "title": extraction.title,
        "source": extraction.source,
        "url": extraction.url,
        "text": extraction.text or item.article.text,
        "content_hash": item.content_hash,
        "minhash": list(item.signature),
        "incidents": [incident.to_dict() for incident in extraction.incidents],
        "statistics": [statistic.to_dict() for statistic in extraction.statistics],
    }


def processed_from_row(row: dict[str, Any]) -> Processed | InputError:
    """A results row back as the pipeline's output, exactly as `result_row` got it."""
    if row["error"] is not None:
        return InputError(row["origin"] or "", row["error"])
    article = Article(
        id=row["doc"],
        text=row["text"],
        published=row["published"],
        url=row["url"],
        title=row["title"],
        source=row["source"],
        origin=row["origin"] or "",
    )
    incidents = tuple(
        Incident(**{**fields, "evidence": tuple(fields["evidence"])}) for fields in row["incidents"]
    )
    statistics = tuple(
        Statistic(**{("from_" if k == "from" else k): v for k, v in fields.items()})
        for fields in row["statistics"]
    )
    extraction = Extraction(
        doc=row["doc"],
        published=row["published"],
        title=row["title"],
        source=row["source"],
        incidents=incidents,
        statistics=statistics,
        url=row["url"],
        text=row["text"],
    )
    return Processed(article, extraction, row["content_hash"], tuple(row["minhash"]))


@contextmanager
def results_writer(path: Path) -> Iterator[Any]:
    """A writer of results rows (`.write(rows)`) that makes `path` appear only when complete.

    Rows go to a hidden temporary file beside `path`, renamed to `path` at the end: an
    interrupted run leaves no results file, so a rerun does that shard again, and a
    directory read by `incidex ingest` skips the hidden leftovers.
    """
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with pq.ParquetWriter(temporary, RESULTS_SCHEMA) as parquet:
            yield _RowWriter(parquet)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


class _RowWriter:
    """Writes rows to an open ParquetWriter a batch at a time."""

    def __init__(self, parquet: pq.ParquetWriter) -> None:
        self._parquet = parquet

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        """Append rows (dicts with any of RESULTS_SCHEMA's columns; the rest are null)."""
        batch = list(rows)
        if batch:
            self._parquet.write_table(pa.Table.from_pylist(batch, schema=RESULTS_SCHEMA))


def read_parquet(path: Path) -> Iterator[Article | Processed | InputError]:
    """The rows of a Parquet file: precomputed results, or articles to process.

    A file that is not Parquet, or is corrupt, gives one InputError naming it (after the rows
    read before the damage).
    """
    try:
        parquet = pq.ParquetFile(path)
        metadata = parquet.schema_arrow.metadata or {}
        if RESULTS_KEY in metadata:
            yield from _read_results(parquet, path, metadata[RESULTS_KEY].decode())
        else:
            yield from _read_articles(parquet, path)
    except (pa.ArrowException, OSError) as error:
        yield InputError(str(path), f"not a readable Parquet file ({error})")


def _read_results(
    parquet: pq.ParquetFile, path: Path, version: str
) -> Iterator[Processed | InputError]:
    """Rows of a results file written by `incidex distribute`."""
    if version != RESULTS_VERSION:
        yield InputError(
            str(path),
            f"results format {version}, but this incidex reads format {RESULTS_VERSION}; "
            "run `incidex distribute` again with this version",
        )
        return
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        for row in batch.to_pylist():
            yield processed_from_row(row)


def _read_articles(parquet: pq.ParquetFile, path: Path) -> Iterator[Article | InputError]:
    """Rows of a Parquet file of articles (origin `file.parquet#N`), like JSON lines."""
    columns = [name for name in ARTICLE_COLUMNS if name in parquet.schema_arrow.names]
    if "text" not in columns and "html" not in columns:
        yield InputError(
            str(path),
            "neither a results file of `incidex distribute` nor articles: "
            'it has no "text" or "html" column',
        )
        return
    number = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
        for entry in batch.to_pylist():
            number += 1
            where = f"{path}#{number}"
            published = entry.get("published")
            if isinstance(published, date):  # also datetime: a date or timestamp column
                entry["published"] = published.isoformat()
            yield article_from_entry(entry, where, f"{path.stem}-{number}")
