"""Feeds: RSS 2.0, RSS 1.0 and Atom items as Articles, teasers flagged, unsafe XML refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidex.feeds import SUMMARY_CHARS, FeedError, html_to_text, looks_like_feed, parse_feed
from incidex.ingest import InputError, read_feed, read_inputs
from incidex.records import Article

INPUTS = Path(__file__).parent / "inputs"
LONG_REPORT = (
    "<p>Gunmen attacked a police checkpoint near Khanaqin on Monday night, killing two "
    "policemen and wounding three others, a police officer said.</p>"
) * 4

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>Diyala Monitor</title>
    <link>https://monitor.example/</link>
    <item>
      <title>Checkpoint attacked near Khanaqin</title>
      <link>https://monitor.example/news/1</link>
      <guid isPermaLink="false">monitor-1</guid>
      <pubDate>Tue, 05 Nov 2018 21:32:00 +0300</pubDate>
      <description>Two policemen were killed.</description>
      <content:encoded><![CDATA[{LONG_REPORT}<script>track()</script>]]></content:encoded>
      <media:content url="https://monitor.example/photo.jpg" medium="image"/>
    </item>
    <item>
      <title>Bomb wounds farmer</title>
      <link>/news/2</link>
      <description>&lt;p&gt;A roadside bomb wounded a farmer in Qara Tapa.&lt;/p&gt;</description>
    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Kurdistan Chronicle</title>
  <entry>
    <title type="html">Attack on &lt;em&gt;peshmerga&lt;/em&gt; post</title>
    <link rel="enclosure" href="https://chronicle.example/a.mp3"/>
    <link rel="alternate" type="text/html" href="https://chronicle.example/news/7"/>
    <id>tag:chronicle.example,2019:7</id>
    <published>2019-07-22T06:10:00Z</published>
    <updated>2019-07-23T08:00:00Z</updated>
    <summary>Militants attacked a peshmerga post near Makhmur.</summary>
  </entry>
  <entry>
    <title>Full report</title>
    <id>tag:chronicle.example,2019:8</id>
    <updated>2019-07-24T08:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>First paragraph.</p><p>Second paragraph.</p></div></content>
  </entry>
</feed>
"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://old.example/"><title>Old Wire</title></channel>
  <item rdf:about="https://old.example/9">
    <title>Patrol ambushed</title>
    <link>https://old.example/9</link>
    <description>A patrol was ambushed near Tuz Khurmatu.</description>
    <dc:date>2021-03-15T10:00:00+03:00</dc:date>
  </item>
</rdf:RDF>
"""


def _items(text, base_url=None):
    """The items of a feed given as text."""
    return parse_feed(text, "feed.xml", base_url).items


def test_parse_feed_reads_rss_item_metadata():
    article = _items(RSS)[0].article
    assert (article.id, article.url) == ("monitor-1", "https://monitor.example/news/1")
    assert (article.title, article.published) == ("Checkpoint attacked near Khanaqin", "2018-11-05")
    assert (article.source, article.origin) == ("Diyala Monitor", "feed.xml#1")


def test_parse_feed_prefers_full_content_over_description():
    item = _items(RSS)[0]
    assert item.article.text.startswith("Gunmen attacked a police checkpoint near Khanaqin")
    assert "track()" not in item.article.text
    assert not item.summary_only


def test_parse_feed_keeps_paragraphs_apart():
    text = _items(RSS)[0].article.text
    assert text.count("\n\n") == 3


def test_parse_feed_flags_short_rss_description_as_summary():
    item = _items(RSS, base_url="https://monitor.example/feed.rss")[1]
    assert item.summary_only
    assert item.article.text == "A roadside bomb wounded a farmer in Qara Tapa."


def test_parse_feed_does_not_flag_item_without_web_link():
    item = _items(RSS)[1]  # relative link, no feed URL to resolve it against
    assert (item.article.url, item.summary_only) == ("/news/2", False)


def test_parse_feed_resolves_relative_link_against_feed_url():
    article = _items(RSS, base_url="https://monitor.example/feed.rss")[1].article
    assert (article.id, article.url) == ("https://monitor.example/news/2",) * 2


def test_parse_feed_reads_atom_entry():
    item = _items(ATOM)[0]
    assert item.article.id == "tag:chronicle.example,2019:7"
    assert item.article.url == "https://chronicle.example/news/7"
    assert item.article.title == "Attack on peshmerga post"
    assert (item.article.published, item.article.source) == ("2019-07-22", "Kurdistan Chronicle")
    assert item.summary_only


def test_parse_feed_reads_atom_xhtml_content_without_link():
    item = _items(ATOM)[1]
    assert item.article.text == "First paragraph.\n\nSecond paragraph."
    assert item.article.published == "2019-07-24"
    assert not item.summary_only  # nothing to fetch


def test_parse_feed_reads_rss_1_rdf():
    article = _items(RDF)[0].article
    assert (article.id, article.source) == ("https://old.example/9", "Old Wire")
    assert article.published == "2021-03-15"
    assert "Tuz Khurmatu" in article.text


def test_parse_feed_tolerates_html_entities():
    feed = RSS.replace("Bomb wounds farmer", "Bomb&nbsp;wounds&eacute; farmer")
    assert _items(feed)[1].article.title == "Bomb woundsé farmer"


def test_parse_feed_honours_xml_encoding_declaration():
    data = '<?xml version="1.0" encoding="windows-1256"?><rss><channel><title>صوت</title></channel></rss>'
    assert parse_feed(data.encode("cp1256"), "f").title == "صوت"


@pytest.mark.parametrize("name", ["billion_laughs.rss", "xxe.rss", "xxe_parameter.atom"])
def test_parse_feed_refuses_entity_declarations(name):
    with pytest.raises(FeedError, match="entity declarations, which are refused for safety"):
        parse_feed((INPUTS / name).read_bytes(), name)


def test_parse_feed_accepts_rss_091_doctype_without_entities():
    doctype = '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
    feed = RSS.replace('<rss version="2.0"', doctype + '<rss version="0.91"', 1)
    assert len(_items(feed)) == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<rss><channel><title>x</channel></rss>", "not well-formed XML"),
        ("<urlset><url/></urlset>", "not an RSS or Atom feed (the root element is <urlset>)"),
    ],
)
def test_parse_feed_refuses_non_feed(text, reason):
    with pytest.raises(FeedError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_feed(text, "f")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<?xml version="1.0"?>\n<rss version="2.0">', True),
        ('\ufeff<feed xmlns="http://www.w3.org/2005/Atom">', True),
        ("<?xml version='1.0'?><!-- hi --><rdf:RDF xmlns:rdf='x'>", True),
        (b'<?xml version="1.0"?><rss>', True),
        ("<!DOCTYPE html><html><body><feed>", False),
        ("Gunmen attacked <rss a checkpoint", False),
    ],
)
def test_looks_like_feed(head, expected):
    assert looks_like_feed(head) is expected


def test_html_to_text_drops_scripts_and_unescapes():
    assert html_to_text("<p>A &amp; B</p><style>p{}</style><br>C") == "A & B\n\nC"


def test_summary_threshold_is_about_400_characters():
    assert 300 <= SUMMARY_CHARS <= 500


def _page(url):
    """A full article for any link, as a fetcher would return it."""
    return Article(id=url, html=f"<html><body><p>Full text of {url}</p></body></html>", url=url)


def _failing(url):
    """A fetcher that always fails."""
    return InputError(url, "HTTP 404 Not Found: not found; check the URL")


def test_read_feed_replaces_summary_by_fetched_page():
    records = list(read_feed(RSS, "feed.xml", _page, base_url="https://monitor.example/"))
    assert [r.id for r in records] == ["monitor-1", "https://monitor.example/news/2"]
    assert records[0].html is None  # full content in the feed: nothing fetched
    assert "Full text of https://monitor.example/news/2" in records[1].html
    assert (records[1].title, records[1].origin) == ("Bomb wounds farmer", "feed.xml#2")


def test_read_feed_keeps_summary_without_fetcher():
    records = list(read_feed(RSS, "feed.xml"))
    assert records[1].text == "A roadside bomb wounded a farmer in Qara Tapa."


def test_read_feed_reports_failed_fetch_then_keeps_summary():
    records = list(read_feed(RSS, "feed.xml", _failing, base_url="https://monitor.example/"))
    assert [type(r) for r in records] == [Article, InputError, Article]
    assert records[1].source == "feed.xml#2"
    assert "summary kept" in records[1].message
    assert "HTTP 404" in records[1].message
    assert "Qara Tapa" in records[2].text


@pytest.mark.parametrize("name", ["billion_laughs.rss", "xxe.rss", "xxe_parameter.atom"])
def test_read_inputs_refuses_unsafe_feed_file_naming_it(name):
    [error] = read_inputs([INPUTS / name], fetch_full=False)
    assert isinstance(error, InputError)
    assert name in str(error)
    assert "entity declarations, which are refused for safety" in error.message


def test_read_inputs_reports_truncated_feed_and_goes_on():
    records = list(read_inputs([INPUTS / "truncated.rss", INPUTS / "latin1.txt"]))
    assert [type(r) for r in records] == [InputError, Article]
    assert "not well-formed XML" in records[0].message


def test_read_inputs_sniffs_feed_without_suffix(tmp_path):
    path = tmp_path / "download"
    path.write_text(ATOM, encoding="utf-8")
    records = list(read_inputs([path], fetch_full=False))
    assert [r.id for r in records] == [
        "tag:chronicle.example,2019:7",
        "tag:chronicle.example,2019:8",
    ]
    assert records[0].origin == f"{path}#1"


def test_read_feed_reports_item_without_text():
    feed = "<rss><channel><title>T</title><item><title>Empty</title></item></channel></rss>"
    [error] = read_feed(feed, "feed.rss")
    assert (error.source, error.message) == ("feed.rss#1", "feed item has no text")
