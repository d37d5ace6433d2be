"""A derived corpus of N distinct, realistic articles, built at run time from the real ones.

The shared corpus holds a few dozen real articles; benchmarks need tens of thousands. Each
derived article keeps the headline and lead of one real article, drops some of its other
paragraphs and mixes in paragraphs of other articles, varies small figures and shifts the
publication date, so articles are realistic in length and wording but no two are the same.
Nothing is written into the repository: the text exists only in memory or in the file the
CLI writes. The same seed gives the same corpus, and the first k articles of a corpus of N
are the corpus of k.

    python bench/corpus.py 10000 --out /tmp/corpus10k.jsonl [--seed 1] [--source DIR ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from incidex.ingest import read_inputs
from incidex.records import Article

DEFAULT_SOURCES = ("/work/shared/corpus/seeds", "/work/shared/corpus/dev")

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# Small figures only: years, dates ("March 15") and large counts stay as written.
FIGURE = re.compile(r"(?<![\d.,:/-])\b\d{1,3}\b(?![\d.,:/-]\d)")
AFTER_MONTH = re.compile(rf"\b(?:{MONTHS})\.? $")
BLOCK_BREAK = re.compile(r"\n\s*\n")
# A line ending so closes a paragraph; others are hard-wrapped and continue on the next line.
PARAGRAPH_END = re.compile(r"[.!?:\"'”’)…]\s*$")
FIGURE_VARY_PROBABILITY = 0.5
DROP_PROBABILITY = 0.15  # each body paragraph of the base article
MAX_DONORS = 2  # paragraphs of other articles mixed into one
DATE_SHIFT_DAYS = 730
EARLIEST, LATEST = date(2014, 1, 1), date(2024, 12, 31)
FALLBACK_PUBLISHED = date(2020, 1, 1)


@dataclass(frozen=True)
class _Source:
    """One real article split into paragraphs; the first is usually its headline."""

    paragraphs: tuple[str, ...]
    title: str | None
    published: date | None
    source: str | None
    url: str | None


def load_sources(folders: Sequence[str] = DEFAULT_SOURCES) -> list[_Source]:
    """The real plain-text articles of `folders`, with their index metadata."""
    sources = []
    for item in read_inputs(list(folders)):
        if not isinstance(item, Article) or not item.text.strip():
            continue
        paragraphs = tuple(_paragraphs(item.text))
        published = date.fromisoformat(item.published) if item.published else None
        sources.append(_Source(paragraphs, item.title, published, item.source, item.url))
    if not sources:
        raise SystemExit(f"no articles found in {', '.join(folders)}")
    return sources


def _paragraphs(text: str) -> Iterator[str]:
    """Blocks between blank lines, split further where a line ends a sentence.

    Some articles separate paragraphs by blank lines, some by single newlines, some are
    hard-wrapped in mid-sentence; mixing must not cut a sentence in two.
    """
    for block in BLOCK_BREAK.split(text):
        lines: list[str] = []
        for line in block.splitlines():
            if line.strip():
                lines.append(line.strip())
                if PARAGRAPH_END.search(line):
                    yield "\n".join(lines)
                    lines = []
        if lines:
            yield "\n".join(lines)


def derived_articles(
    n: int, seed: int = 1, folders: Sequence[str] = DEFAULT_SOURCES
) -> Iterator[Article]:
    """`n` distinct derived articles (ids bench-SEED-NNNNNN), the same for the same seed."""
    sources = load_sources(folders)
    rng = random.Random(seed)
    seen: set[bytes] = set()
    for number in range(n):
        base = rng.choice(sources)
        paragraphs = _mixed_paragraphs(base, sources, rng)
        text = _vary_figures("\n\n".join(paragraphs), rng)
        while (key := hashlib.blake2b(text.encode(), digest_size=12).digest()) in seen:
            text += "\n\n" + _vary_figures(_donor_paragraph(sources, rng), rng)
        seen.add(key)
        headline = text.split("\n", 1)[0]
        yield Article(
            id=f"bench-{seed}-{number:06d}",
            text=text,
            published=_shifted(base.published, rng).isoformat(),
            url=f"{base.url}?bench={seed}-{number}" if base.url else None,
            title=headline if base.title and base.paragraphs[0] == base.title else base.title,
            source=base.source,
            origin=f"bench:{seed}:{number}",
        )


def _mixed_paragraphs(base: _Source, sources: list[_Source], rng: random.Random) -> list[str]:
    """Headline and lead of `base`, some of its body, and paragraphs of other articles."""
    head, body = list(base.paragraphs[:2]), list(base.paragraphs[2:])
    body = [p for p in body if rng.random() >= DROP_PROBABILITY]
    for _ in range(rng.randint(0, MAX_DONORS)):
        body.insert(rng.randint(0, len(body)), _donor_paragraph(sources, rng))
    return head + body


def _donor_paragraph(sources: list[_Source], rng: random.Random) -> str:
    """A paragraph (never a headline) of a random article, or its only one."""
    donor = rng.choice(sources).paragraphs
    return rng.choice(donor[1:] or donor)


def _vary_figures(text: str, rng: random.Random) -> str:
    """Half of the small figures changed to another of similar size."""

    def vary(match: re.Match[str]) -> str:
        value = int(match.group())
        after_month = AFTER_MONTH.search(text, max(0, match.start() - 12), match.start())
        if value == 0 or after_month or rng.random() >= FIGURE_VARY_PROBABILITY:
            return match.group()
        return str(rng.randint(max(1, value // 2), value * 2 + 1))

    return FIGURE.sub(vary, text)


def _shifted(published: date | None, rng: random.Random) -> date:
    """A publication date up to two years from the real one, inside 2014-2024."""
    shifted = (published or FALLBACK_PUBLISHED) + timedelta(
        days=rng.randint(-DATE_SHIFT_DAYS, DATE_SHIFT_DAYS)
    )
    return min(max(shifted, EARLIEST), LATEST)


def article_json(article: Article) -> str:
    """One JSON line as `incidex ingest` and `incidex extract` read it."""
    fields = ("id", "text", "published", "url", "title", "source")
    return json.dumps({f: getattr(article, f) for f in fields}, ensure_ascii=False)


def main(argv: Sequence[str] | None = None) -> None:
    """Write N derived articles as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("--out", required=True, help="JSON-lines file to write ('-' for stdout)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--source", action="append", help="folder of real articles (default: shared corpus)"
    )
    args = parser.parse_args(argv)
    folders = args.source or DEFAULT_SOURCES
    articles = derived_articles(args.n, args.seed, folders)
    if args.out == "-":
        _write(articles, sys.stdout)
        return
    with Path(args.out).open("w", encoding="utf-8") as out:
        _write(articles, out)


def _write(articles: Iterator[Article], out: TextIO) -> None:
    """JSON lines of `articles` to `out`."""
    for article in articles:
        out.write(article_json(article) + "\n")


if __name__ == "__main__":
    main()
