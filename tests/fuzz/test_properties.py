"""Hostile and broken input, generated: no stage crashes, hangs, or breaks its contract.

Each property feeds one public function generated input (random unicode, huge repetitive
text, tag soup, broken JSON, malicious feeds, truncated WARC archives) and checks that only
the documented error types escape, that the result keeps the codebook's contract, and that
each call ends within a generous time bound. Example budgets are set per property for the
default profile and the long one (see conftest.py).
"""

from __future__ import annotations

import gzip
import json
import time
from io import BytesIO
from xml.sax.saxutils import escape

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from fuzz.checks import DATE_FORMS, check_extraction, check_processed
from incidex.clean import clean_article, clean_text
from incidex.dedupe import signature
from incidex.extract import extract_article
from incidex.feeds import FeedError, html_to_text, looks_like_feed, parse_feed
from incidex.ingest import (
    InputError,
    InputFileError,
    decode_bytes,
    decode_payload,
    read_feed,
    read_inputs,
    read_jsonl,
    read_text,
    read_warc,
)
from incidex.pipeline import process
from incidex.records import Article
from incidex.warc import WarcError, warc_documents

LONG_RUN = settings.get_current_profile_name() == "fuzz-long"
# Bounds for one call on up to 200 KB of input: CPU seconds, the cost of the code itself,
# and wall-clock seconds, which also catch a call that blocks, looser because a busy test
# machine stretches them. Without the bounds in clean.py and extract/ such inputs ran for
# minutes (quadratic paths) or for ever (the navigation-bar pattern's backtracking).
CPU_SECONDS_PER_CALL = 5.0
WALL_SECONDS_PER_CALL = 30.0
MAX_TEXT_CHARS = 200_000  # the largest generated text: 200 KB, beyond any news article

# Failing examples can be 200 KB strings: Hypothesis warns before printing them.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

def examples(default: int, long: int) -> settings:
    """A property's budget: `default` examples in the normal run, `long` under fuzz-long."""
    return settings(max_examples=long if LONG_RUN else default)


def timed(call, *args, **kwargs):
    """Call and return the result, failing when the call exceeds the time bounds."""
    wall, cpu = time.monotonic(), time.process_time()
    result = call(*args, **kwargs)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    assert cpu < CPU_SECONDS_PER_CALL, f"{call.__name__} took {cpu:.1f} s of CPU time"
    assert wall < WALL_SECONDS_PER_CALL, f"{call.__name__} took {wall:.1f} s"
    return result


# --------------------------------------------------------------------------- texts

# Words the extractors react to: triggers, casualty words, actors, places, dates, numbers.
NEWS_WORDS = (
    "killed", "wounded", "injured", "kidnapped", "abducted", "dead", "died", "bodies",
    "attack", "attacked", "ambush", "bomb", "roadside bomb", "car bomb", "suicide bomber",
    "blew himself up", "mortar", "rockets", "sniper", "executed", "beheaded", "set fire to",
    "airstrike", "raid", "operation", "arrested", "clashes", "gunmen", "opened fire",
    "prison break", "explosion", "IED", "soldiers", "policemen", "police", "civilians",
    "farmers", "militants", "fighters", "PMF", "Peshmerga", "checkpoint", "army",
    "Islamic State", "ISIS", "IS", "Daesh", "al-Shabaab", "Taliban", "Iraqi army",
    "claimed responsibility", "blamed", "no group", "said", "told", "according to",
    "will", "vowed", "threatened", "could", "a separate attack", "meanwhile", "elsewhere",
    "two separate attacks", "a total of", "since the beginning", "often", "in total",
    "Baghdad", "Baqubah", "Kirkuk", "Mosul", "Tuz Khurmatu", "Diyala", "Salah al-Din",
    "Anbar", "Hawija", "Khanaqin", "Erbil", "Iraq", "Syria", "Nigeria", "Somalia",
    "the village of", "district", "province", "near", "north of", "outskirts of", "in",
    "on", "at", "the", "a", "an", "and", "of", "others", "another", "at least", "more than",
    "Monday", "Tuesday", "Sunday", "yesterday", "last night", "today", "last week",
    "last month", "the same day", "a day after", "two days ago", "in late July",
    "March", "May", "Sept.", "2019", "2021", "2021-03-15", "March 15, 2021", "15 March 2021",
    "one", "two", "three", "eleven", "twenty-five", "fifty nine", "a dozen", "dozens",
    "hundreds", "0", "1", "12", "1,470", "1,000,000", "99999999999999999999",
)  # fmt: skip
SEPARATORS = (
    " ", " ", " ", " ", ", ", ". ", ".\n", "\n", "\n\n", " (", ") ", "; ", ": ", " — ",
    " - ", "! ", "? ", '"', "“", "”", "’s ", "'s ", "\t", "\r\n", "...", " -- ",
)  # fmt: skip
PUNCTUATION = ".,;:!?()[]{}\"'“”‘’—–-…/\\|@#$%^&*_+=<>~`\u00a0\u200b\ufeff\n\t\r "


def _repeat(unit: str, size: int) -> str:
    """`unit` repeated to `size` characters."""
    return (unit * (size // max(len(unit), 1) + 1))[:size] if unit else ""


def _joined(tokens: list[tuple[str, str]]) -> str:
    """Words and separators as text."""
    return "".join(word + sep for word, sep in tokens)


capitalised = st.from_regex(r"[A-Z][a-z]{1,10}(?:[- ]al-[A-Z][a-z]{2,8})?", fullmatch=True)
number = st.one_of(
    st.integers(0, 10**25).map(str),
    st.integers(0, 10**9).map(lambda n: f"{n:,}"),
    st.sampled_from(["1,", ",1", "1,2,3,4", "007", "1.5", "½", "٣", "1e9", "-4"]),
)
date_like = st.one_of(
    st.dates().map(str),
    st.dates().map(lambda d: d.strftime("%B %d, %Y")),
    st.dates().map(lambda d: d.strftime("%d %b %Y")),
    st.from_regex(r"(?:19|20)\d\d-[01]\d-[0-3]\d", fullmatch=True),
)
news_token = st.one_of(st.sampled_from(NEWS_WORDS), capitalised, number, date_like)
news_text = st.lists(st.tuples(news_token, st.sampled_from(SEPARATORS)), max_size=120).map(_joined)
numbers_text = st.lists(st.tuples(st.one_of(number, date_like), st.sampled_from(SEPARATORS))).map(
    _joined
)
names_text = st.lists(capitalised, min_size=1).map(" ".join)
punctuation_text = st.text(alphabet=PUNCTUATION, max_size=500)
no_full_stop = st.lists(st.one_of(st.sampled_from(NEWS_WORDS), capitalised, number)).map(
    lambda words: ", ".join(words).replace(".", "").replace("!", "").replace("?", "")
)
nested_parentheses = st.builds(
    lambda depth, core, closed: "(" * depth + core + (")" * depth if closed else ""),
    st.integers(1, MAX_TEXT_CHARS // 2),
    news_text,
    st.booleans(),
)
unicode_text = st.text(max_size=1000)
short_text = st.one_of(unicode_text, news_text, numbers_text, names_text, punctuation_text)
# Hypothesis favours small sizes; the large-text properties need the largest sizes often.
large_size = st.one_of(
    st.sampled_from([MAX_TEXT_CHARS, MAX_TEXT_CHARS // 2, MAX_TEXT_CHARS // 4]),
    st.integers(1_000, MAX_TEXT_CHARS),
)
huge_text = st.builds(
    _repeat,
    st.one_of(
        news_text, numbers_text, names_text, punctuation_text, no_full_stop, unicode_text
    ).filter(bool),
    large_size,
)
large_text = st.one_of(
    huge_text, nested_parentheses, no_full_stop.map(lambda t: _repeat(t + ", ", MAX_TEXT_CHARS))
)
published = st.one_of(st.none(), st.dates().map(str), st.text(max_size=12))


@examples(200, 30_000)
@given(short_text)
@example("Home | Iraq | " * 20 + "!")
def test_clean_text_is_idempotent(text):
    """Cleaning clean text changes nothing."""
    once = timed(clean_text, text)
    assert timed(clean_text, once) == once


@examples(12, 1_000)
@given(large_text)
def test_clean_text_is_idempotent_on_large_texts(text):
    """Also on texts up to 200 KB, in bounded time."""
    once = timed(clean_text, text)
    assert timed(clean_text, once) == once


@examples(150, 20_000)
@given(st.one_of(short_text, no_full_stop), published)
@example("Bomb kills 3 in Baqubah a day after Kirkuk attack", None)
@example("KILLED&0.", "0")
@example("Gunmen killed " + "9" * 5000 + " soldiers.", None)
def test_extract_article_keeps_the_codebook_contract(text, date):
    """Any cleaned text: incidents use codebook values, evidence is verbatim text."""
    article = clean_article(Article(id="fuzz", text=text, published=date))
    check_extraction(timed(extract_article, article), article.text)


@examples(60, 10_000)
@given(st.one_of(short_text, no_full_stop), published)
@example("Tuesday", "0001-01-01")
@example("yesterday", "0001-01-01")
def test_process_survives_any_text(text, date):
    """The whole pipeline on any short text: a valid result in bounded time."""
    check_processed(timed(process, Article(id="fuzz", text=text, published=date)))


@examples(6, 500)
@given(large_text, published)
@example("12 " * 70_000, None)
@example("a. " * 70_000, None)
@example("Mosul Baghdad Kirkuk " * 10_000, "2021-06-09")
@example("ISIS militants killed 3 soldiers in Baqubah on Monday. " * 4_000, "2021-06-09")
@example("cookie " * 30_000, None)
@example("1," * 100_000, None)
def test_process_survives_large_texts(text, date):
    """The whole pipeline on texts up to 200 KB: a valid result in bounded time."""
    check_processed(timed(process, Article(id="fuzz", text=text, published=date)))


@examples(100, 10_000)
@given(short_text)
def test_signature_is_stable(text):
    """MinHash signatures of any text: full length, the same on a second call."""
    assert timed(signature, text) == signature(text)


# --------------------------------------------------------------------------- HTML

TAGS = (
    "html", "head", "body", "title", "p", "div", "span", "a", "br", "article", "main",
    "script", "style", "noscript", "template", "table", "tr", "td", "ul", "li", "h1", "h2",
    "meta", "img", "iframe", "svg", "math", "textarea", "xmp", "plaintext", "time", "nav",
)  # fmt: skip
ENTITIES = (
    "&amp;", "&lt;", "&nbsp;", "&eacute;", "&#0;", "&#x110000;", "&#99999999999;", "&bogus;",
    "&", "&#", "&#x;", "&amp", "&#65", "&#xD800;", "&lt;script&gt;",
)  # fmt: skip
attribute = st.builds(
    lambda name, value, quote: f" {name}={quote}{value}{quote}",
    st.sampled_from(["href", "class", "content", "charset", "property", "datetime", "x"]),
    st.one_of(
        st.text(max_size=40),
        st.builds(_repeat, st.text(min_size=1, max_size=8), st.integers(1_000, 100_000)),
    ),
    st.sampled_from(['"', "'", ""]),
)
open_tag = st.builds(
    lambda name, attrs, close: f"<{name}{''.join(attrs)}{close}",
    st.one_of(st.sampled_from(TAGS), st.from_regex(r"[a-zA-Z!?/][\w:-]{0,8}", fullmatch=True)),
    st.lists(attribute, max_size=3),
    st.sampled_from([">", "/>", "", " "]),
)
html_piece = st.one_of(
    open_tag,
    st.sampled_from(TAGS).map(lambda name: f"</{name}>"),
    st.sampled_from(ENTITIES),
    news_text,
    st.text(max_size=30),
    st.just("<!-- comment "),
    st.just("-->"),
    st.just("<![CDATA[ x ]]>"),
    st.just("<![if !IE]>"),
    st.just("<!DOCTYPE html>"),
    st.builds(lambda body: f"<script>{body}</script>", st.text(max_size=200)),
    st.builds(lambda body: f"<style>{body}", st.text(max_size=200)),
)
tag_soup = st.lists(html_piece, max_size=60).map("".join)
page = st.builds(
    lambda head, body: f"<html><head><title>{head}</title></head><body><p>{body}</p></body></html>",
    st.text(max_size=80),
    news_text,
)
html_text = st.one_of(tag_soup, page, st.builds(_repeat, tag_soup, st.integers(1_000, 100_000)))


@examples(60, 5_000)
@given(html_text)
@example("<iframe><html>")
@example("<" * MAX_TEXT_CHARS)
def test_process_survives_any_html(markup):
    """Tag soup, unclosed tags, huge attributes, scripts and entities: a valid result."""
    check_processed(timed(process, Article(id="fuzz", html=markup)))


@examples(150, 20_000)
@given(html_text)
@example("<![bogus[ x")
@example('<html href=""' * 6_500)  # tags that never close: quadratic in html.parser
def test_html_to_text_survives_any_markup(markup):
    """The feed bodies' HTML reader returns text for any markup."""
    assert isinstance(timed(html_to_text, markup), str)


# --------------------------------------------------------------------------- bytes


@examples(150, 20_000)
@given(
    st.one_of(
        st.binary(max_size=2000),
        short_text.map(lambda t: t.encode("utf-8")),
        st.tuples(short_text, st.sampled_from(["utf-16", "cp1252", "latin-1", "koi8-r"])).map(
            lambda pair: pair[0].encode(pair[1], errors="replace")
        ),
    ),
    st.one_of(
        st.none(),
        st.sampled_from(["utf-8", "utf-16", "idna", "punycode", "undefined", "utf-7", "base64"]),
        st.text(max_size=15),
    ),
)
@example(b"\x00", "punycode")
@example(b"x", "\x00")
@example(b"x", "undefined")
def test_decoding_raises_only_input_file_errors(data, charset):
    """Any bytes under any declared charset: text, or an InputFileError saying why not."""
    for call, args in ((decode_bytes, (data,)), (decode_payload, (data, charset))):
        try:
            text = timed(call, *args)
        except InputFileError as error:
            assert str(error)
        else:
            assert isinstance(text, str) and text.strip()


@examples(80, 5_000)
@given(st.binary(max_size=4000), st.sampled_from([".txt", ".html", ".md", ".bin", ""]))
def test_read_text_raises_only_input_file_errors(tmp_path_factory, data, suffix):
    """A file of any bytes is text or one InputFileError."""
    path = tmp_path_factory.mktemp("text") / f"input{suffix}"
    path.write_bytes(data)
    try:
        assert isinstance(timed(read_text, path), str)
    except InputFileError as error:
        assert str(error)


# --------------------------------------------------------------------------- JSON lines

json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=40),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
article_object = st.fixed_dictionaries(
    {},
    optional={
        "id": json_value,
        "text": st.one_of(short_text, json_value),
        "html": st.one_of(tag_soup, json_value),
        "published": st.one_of(published, json_value),
        "url": st.one_of(st.text(max_size=40), json_value),
        "title": json_value,
        "source": json_value,
    },
)
huge_number = st.one_of(
    st.integers(1, 20_000).map(lambda n: "1" * n),
    st.sampled_from(["1e999999", "-1e-999999", "NaN", "Infinity", "-0", "0" * 5000]),
)
deep_nesting = st.builds(
    lambda depth, kind: kind[0] * depth + kind[1] * depth,
    st.integers(1, 100_000),
    st.sampled_from([("[", "]"), ('{"a":', "}"), ("[", "")]),
)
json_line = st.one_of(
    json_value.map(json.dumps),
    article_object.map(json.dumps),
    article_object.map(lambda obj: json.dumps(obj)[: len(json.dumps(obj)) // 2]),
    huge_number,
    st.builds(lambda n: f'{{"id": {n}, "text": "Gunmen killed {n} soldiers."}}', huge_number),
    deep_nesting,
    st.text(max_size=80).map(lambda t: t.replace("\n", " ")),
)
jsonl_bytes = st.one_of(
    st.lists(json_line, max_size=8).map(lambda lines: "\n".join(lines).encode("utf-8")),
    st.binary(max_size=2000),
)


@examples(100, 10_000)
@given(jsonl_bytes)
@example(b"1" * 5000)
def test_read_jsonl_yields_articles_or_named_errors(tmp_path_factory, data):
    """Every non-blank line is an Article or an InputError naming `file:line`."""
    path = tmp_path_factory.mktemp("jsonl") / "feed.jsonl"
    path.write_bytes(data)
    items = timed(lambda: list(read_jsonl(path)))
    assert len(items) == sum(1 for line in data.split(b"\n") if line.strip())
    for item in items:
        if isinstance(item, InputError):
            assert item.source.startswith(f"{path}:") and item.message
        else:
            assert isinstance(item, Article) and isinstance(item.text, str)
            check_processed(timed(process, item))


# --------------------------------------------------------------------------- feeds


def _xml_text(value: str, raw: bool) -> str:
    """Element content, escaped, or raw (which may break the XML)."""
    return value if raw else escape(value)


def _attribute(value: str) -> str:
    """An attribute value, escaped for double quotes."""
    return escape(value, {'"': "&quot;"})


def _element(name: str, value: str | None, raw: bool) -> str:
    """An element, or nothing when the field is missing."""
    return "" if value is None else f"<{name}>{_xml_text(value, raw)}</{name}>"


field = st.one_of(st.none(), st.text(max_size=60), news_text, tag_soup)
link = st.one_of(
    st.none(),
    st.sampled_from(
        ["https://news.example/a", "/relative", "http://[bad", "http://[::1", "javascript:x", ""]
    ),
    st.text(max_size=30),
)
item_fields = st.fixed_dictionaries(
    {
        "title": field,
        "link": link,
        "guid": field,
        "date": st.one_of(
            st.none(),
            st.sampled_from(
                [
                    "Mon, 15 Mar 2021 10:00:00 GMT",
                    "Mon, 15 Mar 99999 10:00:00 +9999",
                    "2021-03-15T10:00:00Z",
                    "2021-02-30",
                    "yesterday",
                ]
            ),
            st.text(max_size=30),
        ),
        "body": field,
        "raw": st.booleans(),
    }
)


def _rss(title: str | None, items: list[dict]) -> str:
    """An RSS 2.0 feed of generated items, fields missing where None."""
    body = "".join(
        "<item>"
        + _element("title", i["title"], i["raw"])
        + _element("link", i["link"], i["raw"])
        + _element("guid", i["guid"], i["raw"])
        + _element("pubDate", i["date"], i["raw"])
        + _element("description", i["body"], i["raw"])
        + "</item>"
        for i in items
    )
    return f'<rss version="2.0"><channel>{_element("title", title, False)}{body}</channel></rss>'


def _atom(title: str | None, items: list[dict]) -> str:
    """An Atom feed of generated entries."""
    entries = "".join(
        "<entry>"
        + _element("title", i["title"], i["raw"])
        + ("" if i["link"] is None else f'<link href="{_attribute(i["link"])}"/>')
        + _element("id", i["guid"], i["raw"])
        + _element("updated", i["date"], i["raw"])
        + (
            ""
            if i["body"] is None
            else f'<content type="html">{_xml_text(i["body"], i["raw"])}</content>'
        )
        + "</entry>"
        for i in items
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{_element("title", title, False)}{entries}</feed>'


def _rdf(title: str | None, items: list[dict]) -> str:
    """An RSS 1.0 (RDF) feed of generated items."""
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    body = "".join(
        f'<item rdf:about="{_attribute(i["guid"] or "")}">'
        + _element("title", i["title"], i["raw"])
        + _element("link", i["link"], i["raw"])
        + _element("dc:date", i["date"], i["raw"])
        + _element("description", i["body"], i["raw"])
        + "</item>"
        for i in items
    )
    return (
        f'<rdf:RDF xmlns:rdf="{rdf}" xmlns="http://purl.org/rss/1.0/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel>{_element('title', title, False)}</channel>{body}</rdf:RDF>"
    )


DOCTYPES = (
    "",
    '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>',
    '<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/rss.dtd">',
    "<!DOCTYPE rss>",
    "<!DOCTYPE html [",
)
DECLARED = ("utf-8", "UTF-16", "iso-8859-1", "windows-1252", "bogus", "utf-32", "ascii", "")
feed_document = st.builds(
    lambda kind, title, items, doctype, declared: (
        (f'<?xml version="1.0" encoding="{declared}"?>' if declared else "")
        + doctype
        + kind(title, items)
    ),
    st.sampled_from([_rss, _atom, _rdf]),
    field,
    st.lists(item_fields, max_size=5),
    st.sampled_from(DOCTYPES),
    st.sampled_from(DECLARED),
)


def _encode(text: str, encoding: str, bom: bool) -> bytes:
    """The feed in an encoding that may differ from the one it declares."""
    data = text.encode(encoding, errors="replace")
    return (b"\xef\xbb\xbf" + data) if bom and encoding == "utf-8" else data


feed_bytes = st.one_of(
    st.builds(
        _encode,
        feed_document,
        st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "utf-32"]),
        st.booleans(),
    ),
    st.builds(lambda doc, cut: doc.encode("utf-8")[:cut], feed_document, st.integers(0, 3000)),
    st.builds(
        lambda doc, at, junk: doc.encode()[:at] + junk + doc.encode()[at:],
        feed_document,
        st.integers(0, 3000),
        st.binary(min_size=1, max_size=8),
    ),
    tag_soup.map(lambda t: f"<rss>{t}</rss>".encode()),
    st.binary(max_size=500),
)


@examples(150, 20_000)
@given(st.one_of(feed_bytes, feed_document))
@example(b"<rss><channel><item><link>http://[bad</link></item></channel></rss>")
@example(b'<?xml version="1.0" encoding="bogus"?><rss/>')
@example(b'<?xml version="1.0" encoding="utf-32"?><rss/>')
def test_parse_feed_raises_only_feed_errors(data):
    """Any XML, entity declarations, broken encodings, missing fields: a Feed or a FeedError."""
    try:
        feed = timed(parse_feed, data, "feed.rss")
    except FeedError as error:
        assert str(error)
        return
    for number, item in enumerate(feed.items, start=1):
        assert item.article.origin == f"feed.rss#{number}"
        assert item.article.published is None or DATE_FORMS["day"].fullmatch(item.article.published)


@examples(100, 10_000)
@given(st.one_of(feed_bytes, feed_document))
def test_read_feed_yields_articles_or_errors(data):
    """Reading a feed never raises: articles with text, or InputErrors."""
    items = timed(lambda: list(read_feed(data, "feed.rss")))
    for item in items:
        assert isinstance(item, InputError) or (isinstance(item, Article) and item.text)
    assert isinstance(looks_like_feed(data), bool)


# --------------------------------------------------------------------------- WARC

CONTENT_TYPES = (
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=undefined",
    "text/html; charset=idna",
    "text/html; charset=bogus",
    "text/plain; charset=utf-16",
    "text/plain",
    "application/xhtml+xml",
    "image/png",
    "",
    ";;;",
)
warc_record = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["response", "resource", "conversion", "request", "metadata"]),
        "payload": st.one_of(
            st.binary(max_size=600),
            html_text.map(lambda t: t[:5000].encode("utf-8", errors="replace")),
            short_text.map(lambda t: t.encode("utf-8", errors="replace")),
        ),
        "content_type": st.one_of(st.sampled_from(CONTENT_TYPES), st.text(max_size=20)),
        "status": st.sampled_from(["200 OK", "404 Not Found", "301 Moved", "999 X", "200"]),
        "uri": st.one_of(st.just("https://news.example/a"), st.text(max_size=20)),
    }
)


def _warc_bytes(records: list[dict], gzipped: bool) -> bytes:
    """A WARC archive of generated records, written by warcio."""
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for spec in records:
        content_type = "".join(c for c in spec["content_type"] if c.isprintable() and c.isascii())
        uri = "".join(c for c in spec["uri"] if c.isprintable() and c.isascii() and c != " ")
        if spec["kind"] in ("response", "request"):
            request = spec["kind"] == "request"
            headers = StatusAndHeaders(
                "GET / HTTP/1.1" if request else spec["status"],
                [("Content-Type", content_type)],
                protocol="" if request else "HTTP/1.1",
                is_http_request=request,
            )
            record = writer.create_warc_record(
                uri or "x", spec["kind"], payload=BytesIO(spec["payload"]), http_headers=headers
            )
        else:
            record = writer.create_warc_record(
                uri or "x",
                spec["kind"],
                payload=BytesIO(spec["payload"]),
                warc_content_type=content_type or "text/plain",
            )
        writer.write_record(record)
        record.raw_stream.close()
    return buffer.getvalue()


warc_archive = st.one_of(
    st.builds(_warc_bytes, st.lists(warc_record, max_size=5), st.booleans()),
    st.builds(
        lambda data, cut: data[: max(0, len(data) - cut)],
        st.builds(_warc_bytes, st.lists(warc_record, min_size=1, max_size=4), st.booleans()),
        st.integers(1, 2000),
    ),
    st.builds(
        lambda data, at, junk: data[:at] + junk + data[at + len(junk) :],
        st.builds(_warc_bytes, st.lists(warc_record, min_size=1, max_size=4), st.booleans()),
        st.integers(0, 2000),
        st.binary(min_size=1, max_size=16),
    ),
    st.binary(max_size=1000),
    st.binary(max_size=1000).map(lambda b: gzip.compress(b)[: len(b) // 2 + 10]),
    st.binary(max_size=1000).map(lambda b: b"WARC/1.0\r\n" + b),
)


@examples(100, 10_000)
@given(warc_archive, st.sampled_from([".warc", ".warc.gz"]))
def test_warc_readers_raise_only_warc_errors(tmp_path_factory, data, suffix):
    """Any archive, truncated or corrupt: documents then at most one WarcError; read_warc
    turns that into one InputError, last, after the records read before it."""
    path = tmp_path_factory.mktemp("warc") / f"crawl{suffix}"
    path.write_bytes(data)
    try:
        timed(lambda: list(warc_documents(path, 2000)))
    except WarcError as error:
        assert error.number >= 1 and str(error)
    items = timed(lambda: list(read_warc(path)))
    assert all(isinstance(item, Article | InputError) for item in items)
    corrupt = [n for n, item in enumerate(items) if "corrupt or truncated" in str(item)]
    assert corrupt in ([], [len(items) - 1]), "reading stops at the first corrupt record"
    for item in items:
        if isinstance(item, Article):
            check_processed(timed(process, item))


# --------------------------------------------------------------------------- any file


@examples(60, 5_000)
@given(
    st.one_of(
        st.binary(max_size=2000),
        jsonl_bytes,
        feed_bytes,
        html_text.map(lambda t: t[:20_000].encode("utf-8", errors="replace")),
        warc_archive,
    ),
    st.sampled_from(
        [".txt", ".html", ".jsonl", ".json", ".rss", ".xml", ".atom", ".warc", ".warc.gz", ".bin"]
    ),
)
def test_read_inputs_never_raises_on_a_file(tmp_path_factory, data, suffix):
    """Whatever a file holds and whatever its name says: Articles and InputErrors only."""
    path = tmp_path_factory.mktemp("file") / f"input{suffix}"
    path.write_bytes(data)
    items = timed(lambda: list(read_inputs([path], fetch_full=False)))
    if suffix in (".txt", ".html"):
        assert items, "a text or HTML file is an article or an error"
    for item in items:
        assert isinstance(item, Article | InputError)
        if isinstance(item, Article):
            check_processed(timed(process, item))
