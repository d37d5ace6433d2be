"""The one place that knows the stage order: article in, cleaned article and extraction out."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import overload

from incidex.clean import MAX_ARTICLE_CHARS, clean_article, content_hash, truncate_text
from incidex.dedupe import signature
from incidex.extract import extract_article
from incidex.fetch import FetchPolicy
from incidex.ingest import InputError, read_inputs
from incidex.merge import cluster
from incidex.records import Article, Extraction, Processed

log = logging.getLogger(__name__)

__all__ = ["Known", "Processed", "process", "run", "safe_process", "with_events"]

#: Tells whether an article with this content hash is already stored.
KnownHash = Callable[[str], bool]


@dataclass(frozen=True)
class Known:
    """An article whose cleaned text is already stored: not extracted again."""

    article: Article
    content_hash: str


@overload
def process(article: Article, known: None = None) -> Processed | InputError: ...
@overload
def process(article: Article, known: KnownHash) -> Processed | Known | InputError: ...
def process(article: Article, known: KnownHash | None = None) -> Processed | Known | InputError:
    """Clean and extract one article; an article with no text left is an input error.

    Text beyond MAX_ARTICLE_CHARS is cut off, with a warning naming the article. With
    `known`, an article already stored is recognised by its cleaned text's hash and not
    extracted again: an interrupted ingest resumes where it stopped.
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
    key = content_hash(cleaned.text)
    if known is not None and known(key):
        return Known(cleaned, key)
    return Processed(cleaned, extract_article(cleaned), key, signature(cleaned.text))


@overload
def run(
    inputs: Iterable[str], policy: FetchPolicy | None = None, known: None = None
) -> Iterator[Processed | InputError]: ...
@overload
def run(
    inputs: Iterable[str], policy: FetchPolicy | None, known: KnownHash
) -> Iterator[Processed | Known | InputError]: ...
def run(
    inputs: Iterable[str], policy: FetchPolicy | None = None, known: KnownHash | None = None
) -> Iterator[Processed | Known | InputError]:
    """Every article of the inputs through every stage, errors passed along in order.

    `policy` says which addresses URLs and feeds may be fetched from; `known` skips the
    extraction of articles already stored. Results files of `incidex distribute` are
    passed on as they were computed.
    """
    for item in read_inputs(inputs, policy):
        yield item if isinstance(item, InputError | Processed) else safe_process(item, known)


@overload
def safe_process(article: Article, known: None = None) -> Processed | InputError: ...
@overload
def safe_process(article: Article, known: KnownHash) -> Processed | Known | InputError: ...
def safe_process(
    article: Article, known: KnownHash | None = None
) -> Processed | Known | InputError:
    """Process one article; a failure in one article never stops the batch."""
    try:
        return process(article, known)
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
