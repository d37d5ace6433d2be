"""Coverage-guided fuzzing of RSS and Atom parsing: any bytes as a feed.

Properties: parse_feed raises only FeedError; read_feed yields only Articles with text and
InputErrors; looks_like_feed and html_to_text never raise. Run through fuzz/run.sh, or
alone: `python fuzz/fuzz_feeds.py -max_total_time=60 fuzz/corpus/feeds`.
"""

from __future__ import annotations

import logging
import sys

import atheris

with atheris.instrument_imports(include=["incidex"]):
    from incidex.feeds import FeedError, html_to_text, looks_like_feed, parse_feed
    from incidex.ingest import InputError, read_feed
    from incidex.records import Article


def TestOneInput(data: bytes) -> None:  # noqa: N802 (the name atheris expects)
    """One input: the bytes as a feed document, and as an HTML fragment."""
    looks_like_feed(data)
    try:
        parse_feed(data, "fuzz.rss")
    except FeedError as error:
        assert str(error)
    for item in read_feed(data, "fuzz.rss"):
        assert isinstance(item, InputError) or (isinstance(item, Article) and item.text), item
    assert isinstance(html_to_text(data.decode("utf-8", errors="replace")), str)


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
