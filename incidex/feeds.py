"""RSS and Atom feeds, parsed safely: one Article per item, teasers flagged for fetching.

XML is parsed by defusedxml with entity declarations forbidden, so a billion-laughs or
external-entity feed is refused instead of expanding to gigabytes or reading local files.
RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom 1.0 are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException, EntitiesForbidden

from incidex.records import Article

FEED_SUFFIXES = {".rss", ".atom", ".xml"}
FEED_MEDIA_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-rss+xml",
    "application/xml",
    "text/xml",
}
SUMMARY_CHARS = 400  # item text shorter than this is a teaser: the article is behind its link
SNIFF_CHARS = 2048  # characters of a document's start searched for a feed's root element

CONTENT = "http://purl.org/rss/1.0/modules/content/"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF)[\s>]")
_HTML_START = re.compile(r"\s*(?:<!doctype\s+html|<html)", re.I)
_XML_ESCAPES = {"amp", "lt", "gt", "quot", "apos"}
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "table", "tr", "section", "article", "header", "footer", "figure", "figcaption", "hr",
}  # fmt: skip
_SKIPPED_TAGS = {"script", "style", "noscript", "template"}


class FeedError(ValueError):
    """A document that cannot be read as a feed; the message says why."""


@dataclass(frozen=True)
class FeedItem:
    """One item as an Article; `summary_only` when its text is a teaser for a linked web page."""

    article: Article
    summary_only: bool


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title (the outlet) and its items in document order."""

    title: str | None
    items: tuple[FeedItem, ...]


def looks_like_feed(head: bytes | str) -> bool:
    """True when a document starts like an RSS, RDF or Atom feed rather than a page."""
    if isinstance(head, bytes):
        encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
        head = head[: SNIFF_CHARS * 2].decode(encoding, errors="replace")
    head = head[:SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    return head.startswith("<") and not _HTML_START.match(head) and bool(_FEED_ROOT.search(head))


def parse_feed(data: bytes | str, origin: str, base_url: str | None = None) -> Feed:
    """The items of an RSS or Atom feed as Articles.

    `origin` names the feed in each item's origin (`origin#N`); `base_url` resolves
    relative links. Raises FeedError for unsafe, malformed or non-feed XML.
    """
    root = _parse_xml(data)
    try:
        if _local(root.tag) == "rss":
            return _rss(root.find("channel"), root.findall("channel/item"), origin, base_url)
        if _local(root.tag) == "RDF":
            channel = next((c for c in root if _local(c.tag) == "channel"), None)
            items = [c for c in root if _local(c.tag) == "item"]
            return _rss(channel, items, origin, base_url)
        if _local(root.tag) == "feed":
            return _atom(root, origin, base_url)
    except RecursionError:
        raise FeedError("the feed's markup is nested too deeply to read") from None
    raise FeedError(f"not an RSS or Atom feed (the root element is <{_local(root.tag)}>)")


def with_full_text(item: Article, page: Article) -> Article:
    """The page fetched from an item's link, under the item's id, date, title and outlet."""
    return replace(
        page,
        id=item.id,
        url=page.url or item.url,
        title=item.title or page.title,
        published=item.published or page.published,
        source=item.source or page.source,
        origin=item.origin,
    )


#: A "<" that another "<" follows before any ">": a tag that never closes. html.parser
#: rescans such a tag at every later "<", quadratic time (15 s for 84 KB of `<a href=""`).
_UNCLOSED_TAG = re.compile(r"<(?=[^<>]*<)")


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: one paragraph per block, scripts and styles dropped.

    A tag that never closes is read as text, as a browser would show it.
    """
    markup = _UNCLOSED_TAG.sub("&lt;", markup)
    parser = _TextParser()
    try:
        parser.feed(markup)
        parser.close()
    except AssertionError:  # html.parser on a marked section it does not know ("<![if[")
        parser = _TextParser()
        parser.feed(markup.replace("<![", "&lt;!["))
        parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _parse_xml(data: bytes | str) -> Element:
    """The root element, entity declarations refused; HTML entities like &nbsp; tolerated."""
    try:
        return _safe_fromstring(data)
    except ParseError as error:
        if "undefined entity" not in str(error):
            raise FeedError(f"not well-formed XML ({error})") from None
    try:
        return _safe_fromstring(_numeric_entities(data))
    except ParseError as error:
        raise FeedError(f"not well-formed XML ({error})") from None


def _safe_fromstring(data: bytes | str) -> Element:
    """defusedxml parsing with every entity declaration and external reference forbidden."""
    try:
        return SafeTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except EntitiesForbidden:
        raise FeedError(
            "the feed uses entity declarations, which are refused for safety (they can expand "
            "to gigabytes or read local files); ask the publisher for a plain feed"
        ) from None
    except DefusedXmlException as error:
        raise FeedError(
            f"the feed uses XML features refused for safety ({type(error).__name__})"
        ) from None
    except (LookupError, ValueError) as error:  # expat: unknown or multi-byte declared encoding
        raise FeedError(f"the feed's declared encoding cannot be read ({error})") from None


def _numeric_entities(data: bytes | str) -> bytes | str:
    """HTML named entities (&nbsp;, &eacute;) as numeric references, which XML knows."""

    def numeric(match: re.Match[bytes]) -> bytes:
        name = match.group(1).decode("ascii")
        if name in _XML_ESCAPES or name not in name2codepoint:
            return match.group(0)
        return f"&#{name2codepoint[name]};".encode("ascii")

    if isinstance(data, str):
        return _NAMED_ENTITY.sub(numeric, data.encode("utf-8")).decode("utf-8")
    return _NAMED_ENTITY.sub(numeric, data)


@dataclass(frozen=True)
class _Entry:
    """The fields of one item or entry, as the feed gives them."""

    identity: str | None
    link: str | None
    title: str | None
    published: str | None
    body: str


def _rss(channel: Element | None, items: list[Element], origin: str, base_url: str | None) -> Feed:
    """An RSS 2.0 or RSS 1.0 (RDF) feed."""
    title = _text(_child(channel, "title"))
    return _feed(title, [_rss_entry(item) for item in items], origin, base_url)


def _rss_entry(item: Element) -> _Entry:
    """One RSS item: the longer of content:encoded and description is its body."""
    bodies = (_child(item, f"{{{CONTENT}}}encoded"), _child(item, "description"))
    return _Entry(
        identity=_text(_child(item, "guid")) or item.get(f"{{{RDF}}}about"),
        link=_text(_child(item, "link")),
        title=_plain_title(_text(_child(item, "title"))),
        published=_text(_child(item, "pubDate")) or _text(_child(item, f"{{{DUBLIN_CORE}}}date")),
        body=_longest(html_to_text(body.text or "") for body in bodies if body is not None),
    )


def _atom(feed: Element, origin: str, base_url: str | None) -> Feed:
    """An Atom feed."""
    entries = [_atom_entry(child) for child in feed if _local(child.tag) == "entry"]
    return _feed(_atom_text(_child(feed, "title")) or None, entries, origin, base_url)


def _atom_entry(entry: Element) -> _Entry:
    """One Atom entry: the longer of content and summary is its body."""
    return _Entry(
        identity=_text(_child(entry, "id")),
        link=_atom_link(entry),
        title=_atom_text(_child(entry, "title")) or None,
        published=_text(_child(entry, "published")) or _text(_child(entry, "updated")),
        body=_longest(_atom_text(_child(entry, name)) for name in ("content", "summary")),
    )


def _feed(title: str | None, entries: list[_Entry], origin: str, base_url: str | None) -> Feed:
    """Entries as FeedItems, numbered from 1 in `origin#N`, the feed's title as their source."""
    items = []
    for number, entry in enumerate(entries, start=1):
        url = _absolute(base_url, entry.link)
        article = Article(
            id=entry.identity or url or f"{origin}#{number}",
            text=entry.body,
            published=_feed_date(entry.published),
            url=url,
            title=entry.title,
            source=title,
            origin=f"{origin}#{number}",
        )
        fetchable = _scheme(url) in ("http", "https")
        items.append(FeedItem(article, summary_only=fetchable and len(entry.body) < SUMMARY_CHARS))
    return Feed(title, tuple(items))


def _absolute(base_url: str | None, link: str | None) -> str | None:
    """The link resolved against the feed's address; as given when it is no valid URL."""
    if not (base_url and link):
        return link
    try:
        return urljoin(base_url, link)
    except ValueError:  # "http://[bad": urllib refuses malformed IPv6 hosts
        return link


def _scheme(url: str | None) -> str:
    """The URL's scheme, '' for no URL or a malformed one (never fetched)."""
    try:
        return urlsplit(url or "").scheme
    except ValueError:
        return ""


def _local(tag: object) -> str:
    """An element's name without its namespace; '' for comments and processing instructions."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(parent: Element | None, name: str) -> Element | None:
    """The first child of that name: '{ns}local' exactly, a bare name in the parent's namespace.

    A bare name must not match another vocabulary's element of the same local name, such
    as Media RSS's <media:content>, so foreign namespaces only match by their full name.
    """
    if parent is None:
        return None
    own = parent.tag.split("}", 1)[0] + "}" if parent.tag.startswith("{") else ""
    for child in parent:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == name or (not name.startswith("{") and tag in (name, own + name)):
            return child
    return None


def _text(element: Element | None) -> str | None:
    """An element's text, white space collapsed; None when empty."""
    if element is None or not element.text:
        return None
    return " ".join(element.text.split()) or None


def _plain_title(title: str | None) -> str | None:
    """A title without markup: some feeds put escaped HTML in RSS titles."""
    return html_to_text(title) or None if title and "<" in title else title


def _atom_text(element: Element | None) -> str:
    """Plain text of an Atom text construct: type text, html or xhtml."""
    if element is None or element.get("src"):
        return ""
    kind = (element.get("type") or "text").lower()
    if kind == "xhtml" or kind.endswith("xml"):
        return html_to_text(_xhtml_markup(element))
    if kind == "html" or kind.startswith("text/html"):
        return html_to_text(element.text or "")
    return "\n\n".join(part.strip() for part in (element.text or "").split("\n\n") if part.strip())


def _xhtml_markup(element: Element) -> str:
    """Inline XHTML rebuilt as markup with plain tag names, for html_to_text."""
    parts = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        parts.append(f"<{name}>{_xhtml_markup(child)}</{name}>" if name else "")
        parts.append(child.tail or "")
    return "".join(parts)


def _atom_link(entry: Element) -> str | None:
    """The entry's page: its rel=alternate link, else its first link with an address."""
    links = [child for child in entry if _local(child.tag) == "link"]
    for link in links:
        if (link.get("rel") or "alternate") == "alternate" and link.get("href"):
            return link.get("href", "").strip() or None
    return next((link.get("href", "").strip() for link in links if link.get("href")), None)


def _longest(texts: Iterable[str]) -> str:
    """The longest of the candidate texts (a full body beats its summary)."""
    return max(texts, key=len, default="")


def _feed_date(value: str | None) -> str | None:
    """YYYY-MM-DD from an RFC 822 date (RSS) or an ISO 8601 one (Atom, Dublin Core)."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


class _TextParser(HTMLParser):
    """Collects the text of an HTML fragment, a line break around each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block (new line) or a skipped element."""
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        """Close a block (new line) or a skipped element."""
        if tag in _SKIPPED_TAGS:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        """Keep text outside scripts and styles."""
        if not self._skipping:
            self.parts.append(data)
