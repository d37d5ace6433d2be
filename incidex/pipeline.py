"""The one place that knows the stage order: article in, cleaned article and extraction out."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from incidex.clean import MAX_ARTICLE_CHARS, clean_article, content_hash, truncate_text
from incidex.dedupe import signature
from incidex.extract import extract_article
from incidex.fetch import FetchPolicy
from incidex.ingest import InputError, read_inputs
from incidex.merge import cluster
from incidex.records import Article, Extraction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Processed:
    """An article after every stage: cleaned text, its content key and what it reports."""

    article: Article
    extraction: Extraction
    content_hash: str
    signature: tuple[int, ...]


def process(article: Article) -> Processed | InputError:
    """Clean and extract one article; an article with no text left is an input error.

    Text beyond MAX_ARTICLE_CHARS is cut off, with a warning naming the article.
    """
    cleaned = clean_article(article)
    if not cleaned.text.strip():
        return InputError(
            article.origin or article.id, "no article text found (only page furniture?)"
        )
    if len(cleaned.text) > MAX_ARTICLE_CHARS:
        log.warning(
            "%s: article text over %d characters; the rest is not read",
            article.origin or article.id,
            MAX_ARTICLE_CHARS,
        )
        cleaned = replace(cleaned, text=truncate_text(cleaned.text))
    return Processed(
        cleaned, extract_article(cleaned), content_hash(cleaned.text), signature(cleaned.text)
    )


def run(
    inputs: Iterable[str], policy: FetchPolicy | None = None
) -> Iterator[Processed | InputError]:
    """Every article of the inputs through every stage, errors passed along in order.

    `policy` says which addresses URLs and feeds may be fetched from.
    """
    for item in read_inputs(inputs, policy):
        yield item if isinstance(item, InputError) else safe_process(item)


def safe_process(article: Article) -> Processed | InputError:
    """Process one article; a failure in one article never stops the batch."""
    try:
        return process(article)
    except (ValueError, RecursionError, MemoryError) as error:
        return InputError(article.origin or article.id, f"could not be processed: {error}")


def with_events(extractions: list[Extraction]) -> list[Extraction]:
    """Extractions with an event id on every incident: reports of one act share it."""
    pairs = [(e.doc, incident) for e in extractions for incident in e.incidents]
    labels = iter(cluster(pairs))
    return [
        replace(e, incidents=tuple(replace(i, event=f"E{next(labels) + 1}") for i in e.incidents))
        for e in extractions
    ]
