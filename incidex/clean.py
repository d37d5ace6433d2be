"""Cleaning: main text out of HTML, page furniture and repeated blocks out of text.

Also fills publication date and outlet from the text when the metadata lacks them.
Pure functions: Article in, Article out.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import unicodedata
from dataclasses import replace
from datetime import date
from functools import lru_cache

import trafilatura
from trafilatura.settings import set_date_params

from incidex.lexicons import read_lines
from incidex.records import Article

MIN_PROSE_WORDS = 8  # a shorter line of a broken page is navigation, not prose
_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_DATE_PREFIX = re.compile(
    r"^(?:date|published|updated)\s*:?\s*\d{4}-\d\d-\d\d(?:T[\d:+]+)?\s+(?=\S)", re.I
)
MIN_REPEAT_CHARS = 25  # shorter repeated lines ("Source: X") are kept: too short to be a block
# Characters of the longest line that may be page furniture (the longest in the samples and
# the development corpus, a comment policy, has 230); longer lines are article text.
MAX_FURNITURE_CHARS = 1_000
# Characters of article text read (50 K, about 8,000 words: six times the longest article of
# the development corpus). Extraction time grows with the text, so pipeline.process and
# extract_article cut a longer text at a paragraph or word break and do not read the rest.
MAX_ARTICLE_CHARS = 50_000
# Characters of raw text cleaned: five times what is read of the article, room for the page
# furniture and repeated blocks cleaning removes. Bounds cleaning time on a 20 MiB file.
MAX_PAGE_CHARS = 250_000
# Characters of HTML handed to trafilatura (2 M; news pages weigh 50-500 KB): it takes
# about 1.5 s a million characters, so a 20 MiB page would take half a minute.
MAX_HTML_CHARS = 2_000_000

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:[T ]\d|\b)"),
    re.compile(r"\b(?P<d>[0-3]?\d)-(?P<m>[01]\d)-(?P<y>(?:19|20)\d\d)\b"),
    re.compile(
        rf"\b(?P<mon>{_MONTH_RE})\.? (?P<d>[0-3]?\d)(?:st|nd|rd|th)?,? (?P<y>(?:19|20)\d\d)\b", re.I
    ),
    re.compile(
        rf"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)? (?P<mon>{_MONTH_RE})\.?,? (?P<y>(?:19|20)\d\d)\b", re.I
    ),
)
_SOURCE_LINE = re.compile(r"^\s*\(?source\s*:\s*(?P<name>[^|()]{2,60}?)\s*\)?\s*(?:\|.*)?$", re.I)


def clean_article(article: Article) -> Article:
    """The article with clean text, and metadata completed from the page or text."""
    if article.html is not None and not article.text:
        article = _from_html(article)
    text = clean_text(article.text)
    return replace(
        article,
        text=text,
        published=article.published or detect_published(text),
        source=article.source or detect_source(text),
    )


def _from_html(article: Article) -> Article:
    """Main text and metadata of an HTML page, through trafilatura."""
    html = truncate_text(article.html or "", MAX_HTML_CHARS)
    try:
        doc = trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=False,
            with_metadata=True,
            favor_recall=True,
            # no extensive search: it reads "© 2022" as 2022-01-01; detect_published covers
            # text dates
            date_extraction_params=set_date_params(extensive=False),
        )
    # trafilatura and the libraries under it fail in their own ways on hostile markup
    # ("<iframe><html>" trips an assertion in lxml, through htmldate): the rules below read it
    except Exception:
        doc = None
    if doc is None or not (doc.text or "").strip():
        return replace(article, text=_fallback_text(html))
    published = article.published or (doc.date[:10] if doc.date else None)
    return replace(
        article,
        text=doc.text or "",
        title=article.title or doc.title,
        source=article.source or doc.sitename,
        published=published,
    )


def _fallback_text(html: str) -> str:
    """Prose of a page trafilatura gives up on: badly broken markup, tags stripped by rule."""
    text = _SCRIPT.sub(" ", html)
    # no tag starts after the last ">": searching there from every "<" was quadratic
    end = text.rfind(">") + 1
    text = _TAG.sub("\n", text[:end]) + text[end:]
    lines = (" ".join(html_lib.unescape(line).split()) for line in text.split("\n"))
    return "\n".join(
        line for line in lines if len(line.split()) >= MIN_PROSE_WORDS or detect_published(line)
    )


def clean_text(text: str) -> str:
    """Text without furniture lines and repeated blocks, paragraphs kept apart.

    Only the first MAX_PAGE_CHARS are read.
    """
    text = unicodedata.normalize("NFC", truncate_text(text, MAX_PAGE_CHARS))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    seen: set[str] = set()
    kept: list[str] = []
    for line in text.split("\n"):
        stripped = _DATE_PREFIX.sub("", " ".join(line.split()))
        if not stripped:
            if kept and kept[-1]:
                kept.append("")
            continue
        key = stripped.lower()
        if is_boilerplate(stripped) or (len(key) >= MIN_REPEAT_CHARS and key in seen):
            continue
        seen.add(key)
        kept.append(stripped)
    return "\n".join(kept).strip()


def truncate_text(text: str, limit: int = MAX_ARTICLE_CHARS) -> str:
    """The text cut to at most `limit` characters, at the last paragraph or word break that fits."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    for mark in ("\n", " "):
        cut = head.rfind(mark, limit // 2)
        if cut > 0:
            return head[:cut].rstrip()
    return text[:limit]


def is_boilerplate(line: str) -> bool:
    """True for a line that is page furniture (cookie notice, share bar, comment policy...).

    A line over MAX_FURNITURE_CHARS is prose: the patterns' `.*` would scan it in quadratic time.
    """
    line = line.strip()
    return len(line) <= MAX_FURNITURE_CHARS and _boilerplate_re().fullmatch(line) is not None


@lru_cache(maxsize=1)
def _boilerplate_re() -> re.Pattern[str]:
    """All furniture patterns of the lexicon as one regex."""
    return re.compile("|".join(f"(?:{p})" for p in read_lines("boilerplate.txt")), re.I)


def detect_published(text: str) -> str | None:
    """The first full date in the article's opening lines, as YYYY-MM-DD."""
    head = text[:600]
    found: list[tuple[int, str]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(head):
            value = _to_iso(match.groupdict())
            if value:
                found.append((match.start(), value))
    return min(found)[1] if found else None


def _to_iso(parts: dict[str, str | None]) -> str | None:
    """ISO date from regex groups, None when it is not a real date."""
    month = _MONTHS.get((parts.get("mon") or "").lower().rstrip(".")) or int(parts.get("m") or 0)
    try:
        return date(int(parts["y"] or 0), month, int(parts["d"] or 0)).isoformat()
    except ValueError:
        return None


def detect_source(text: str) -> str | None:
    """The outlet named in a 'Source: X' line, if the article has one."""
    for line in text.split("\n"):
        match = _SOURCE_LINE.match(line)
        if match:
            return match.group("name").strip()
    return None


def content_hash(text: str) -> str:
    """A key for 'same article': SHA-256 of the cleaned text with white space folded."""
    return hashlib.sha256(" ".join(text.split()).lower().encode("utf-8")).hexdigest()
