from datetime import date

import pytest

from incidex.extract.dates import find_dates, publication_date

TUESDAY = date(2019, 9, 3)


def first(text, published=TUESDAY):
    mention = find_dates(text, published)[0]
    return mention.value, mention.precision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Also on Monday, gunmen attacked", ("2019-09-02", "day")),
        ("late Wednesday night, a bomb", ("2019-08-28", "day")),
        ("on Tuesday a mortar fell", ("2019-09-03", "day")),
        ("Last night, snipers attacked", ("2019-09-02", "day")),
        ("yesterday militants struck", ("2019-09-02", "day")),
        ("In late July, an attack", ("2019-07", "month")),
        ("On May 2 militants attacked", ("2019-05-02", "day")),
        ("On October 23, a car bomb", ("2018-10-23", "day")),
        ("In August 2018, prisoners escaped", ("2018-08", "month")),
        ("a bombing in July last year", ("2018-07", "month")),
        ("arson attacks last week", ("2019-08", "month")),
        ("On July 23, 2018, gunmen stormed", ("2018-07-23", "day")),
        ("dated 16 July, 2018", ("2018-07-16", "day")),
        ("In 2017, the army", ("2017", "year")),
    ],
)
def test_dates_resolve_against_publication(text, expected):
    assert first(text) == expected


def test_dates_weekday_never_resolves_to_future():
    value, _ = first("on Saturday a blast")
    assert date.fromisoformat(value) <= TUESDAY


def test_dates_reporting_date_is_marked():
    mention = find_dates("The police said on Friday that two men died", TUESDAY)[0]
    assert mention.reporting


def test_dates_act_date_is_not_reporting():
    assert not find_dates("Gunmen killed two men on Friday", TUESDAY)[0].reporting


def test_dates_relative_without_publication_is_unknown():
    assert first("on Monday gunmen attacked", None) == (None, "unknown")


def test_dates_same_day_refers_back():
    assert first("On the same day, militants killed three") == (None, "same")


@pytest.mark.parametrize(
    ("text", "expected"), [("2020-05-16", date(2020, 5, 16)), (None, None), ("garbage!!", None)]
)
def test_publication_date_parses_or_gives_none(text, expected):
    assert publication_date(text) == expected
