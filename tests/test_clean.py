"""Cleaning: furniture and repeats out, main text of HTML, date and outlet from text."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from incidex.clean import clean_article, clean_text, content_hash, detect_published, detect_source
from incidex.ingest import read_inputs
from incidex.records import Article

INPUTS = Path(__file__).parent / "inputs"
SAMPLES = resources.files("incidex.data") / "samples" / "articles"

REPORT = (
    "Gunmen attacked a police checkpoint near the town on Tuesday, wounding two officers.\n"
    "\n"
    "The attackers fled in a pickup truck towards the river, a local official said."
)


def _clean_input(path):
    """The cleaned article read from one file."""
    [article] = read_inputs([path])
    return clean_article(article)


@pytest.mark.parametrize(
    "furniture",
    [
        "We use cookies to improve your experience. By continuing you agree to our cookie policy.",
        "This site uses cookies.",
        "Read more",
        "Read more…",
        "Comments are closed.",
        "Comment policy: comments are moderated before they appear.",
        "Share this article",
        "Facebook | Twitter | WhatsApp",
        "Top downloads",
        "Sign up for our newsletter to get the news every morning.",
        "© 2022 Test Wire. All rights reserved.",
    ],
)
def test_clean_text_removes_furniture_line(furniture):
    assert clean_text(f"{furniture}\n{REPORT}\n{furniture}") == REPORT


@pytest.mark.parametrize(
    "sentence",
    [
        "Gunmen attacked a police checkpoint near the town on Tuesday, wounding two officers.",
        "Residents said they read more about the attack in a local newspaper.",
        "The governor said comments by the militants were closed to interpretation.",
        "Farmers share water from the canal with the village.",
        "Police said the group uses cookies and tea as gifts to win over shepherds.",
    ],
)
def test_clean_text_keeps_real_sentence(sentence):
    assert clean_text(sentence) == sentence


def test_clean_text_collapses_article_pasted_three_times():
    assert clean_text("\n\n".join([REPORT] * 3)) == REPORT


def test_clean_text_keeps_short_repeated_lines():
    text = "Source: Test Wire\nA bomb exploded near the market.\nSource: Test Wire"
    assert clean_text(text) == text


def test_clean_text_folds_white_space_and_line_ends():
    assert (
        clean_text("  A bomb\texploded.\r\n\r\n\r\nTwo  died.\r") == "A bomb exploded.\n\nTwo died."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("September 5, 2018 at 09:32 GMT\nA bomb exploded.", "2018-09-05"),
        ("Posted 2022-01-21T05:52:39+0000 by the desk", "2022-01-21"),
        ("Baghdad 21-01-2022: a bomb exploded.", "2022-01-21"),
        ("Mon., Feb. 4, 2019\nA bomb exploded.", "2019-02-04"),
        ("Kirkuk, 14 March 2022\n\nGunmen fired on a patrol.", "2022-03-14"),
        ("A bomb exploded on Monday.", None),
        ("Posted 2022-02-30 by the desk", None),
    ],
)
def test_detect_published_reads_date_formats(text, expected):
    assert detect_published(text) == expected


def test_detect_published_takes_first_date():
    assert detect_published("March 3, 2022\nThe attack followed one on 1 February 2022.") == (
        "2022-03-03"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A bomb exploded.\nSource: Rudaw", "Rudaw"),
        ("A bomb exploded.\n(Source: Kurdistan 24)", "Kurdistan 24"),
        ("A bomb exploded.\nsource : Test Wire | Baghdad", "Test Wire"),
        ("A bomb exploded, a security source said.", None),
    ],
)
def test_detect_source_reads_source_line(text, expected):
    assert detect_source(text) == expected


@pytest.mark.parametrize(
    "variant",
    [
        "A bomb exploded.\nTwo died.",
        "  a BOMB exploded.   two died. ",
        "A\tbomb exploded.\r\nTwo died.",
    ],
)
def test_content_hash_ignores_white_space_and_case(variant):
    assert content_hash(variant) == content_hash("a bomb exploded. two died.")


def test_content_hash_differs_for_different_text():
    assert content_hash("A bomb exploded. Two died.") != content_hash(
        "A bomb exploded. Three died."
    )


def test_clean_article_fills_published_and_source_from_text():
    article = clean_article(Article(id="a", text="May 2, 2021\nA bomb exploded.\nSource: Rudaw"))
    assert (article.published, article.source) == ("2021-05-02", "Rudaw")


def test_clean_article_keeps_metadata_over_text():
    raw = Article(id="a", text="May 2, 2021\nSource: Rudaw", published="2021-05-03", source="Wire")
    assert (clean_article(raw).published, clean_article(raw).source) == ("2021-05-03", "Wire")


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("009.html", "shot dead the mukhtar of a village in Hawija district"),
        ("010.html", "No group has claimed responsibility for the bombing."),
    ],
)
def test_clean_article_extracts_sample_page_text(name, sentence):
    assert sentence in _clean_input(SAMPLES / name).text


@pytest.mark.parametrize("name", ["009.html", "010.html"])
@pytest.mark.parametrize(
    "furniture",
    [
        "cookies",
        "Comment",
        "Thank you for reporting",
        "mercy",
        "dataLayer",
        "function",
        "Read more",
    ],
)
def test_clean_article_drops_sample_page_furniture(name, furniture):
    assert furniture.lower() not in _clean_input(SAMPLES / name).text.lower()


@pytest.mark.parametrize(
    ("name", "published"), [("009.html", "2020-05-19"), ("010.html", "2019-11-27")]
)
def test_clean_article_keeps_sample_page_date(name, published):
    assert _clean_input(SAMPLES / name).published == published


def test_clean_article_recovers_report_from_broken_html():
    text = _clean_input(INPUTS / "broken.html").text
    assert "Two policemen were wounded on Wednesday when a roadside bomb exploded" in text
    assert "Police blamed Islamic State militants" in text


@pytest.mark.parametrize("furniture", ["not text", "We use cookies", "document.write", "&nbsp"])
def test_clean_article_drops_broken_html_furniture(furniture):
    assert furniture not in _clean_input(INPUTS / "broken.html").text


def test_clean_article_dates_broken_html_from_text():
    assert _clean_input(INPUTS / "broken.html").published == "2022-03-03"


def test_clean_article_finds_no_text_in_boilerplate_page():
    assert _clean_input(INPUTS / "only_boilerplate.html").text == ""


def test_clean_article_guesses_no_date_from_copyright_year():
    assert _clean_input(INPUTS / "only_boilerplate.html").published is None
