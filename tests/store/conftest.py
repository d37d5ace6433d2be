"""Fixtures for store tests: hand-written articles and a store on temporary disk."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from incidex.records import Article, Extraction, Incident, Statistic
from incidex.store import Store

KHANAQIN = Incident(
    date="2021-09-10",
    date_precision="day",
    country="IQ",
    admin1="Diyala",
    location="Khanaqin",
    lat=34.35,
    lon=45.39,
    geo_precision="place",
    attack_type="armed_assault",
    perpetrator="Islamic State",
    attribution="attributed",
    target="militia",
    killed=3,
    wounded=2,
    evidence=(
        "Gunmen from the group attacked a militia post near Khanaqin on Friday.",
        "Three fighters died and two were hurt.",
    ),
)
KIRKUK = Incident(
    date="2021-09",
    date_precision="month",
    country="IQ",
    admin1="Kirkuk",
    lat=35.47,
    lon=44.39,
    geo_precision="admin1",
    attack_type="bombing",
    target="civilians",
    wounded=4,
    evidence=("A roadside bomb in Kirkuk province wounded four people in September.",),
)
SAMARRA = Incident(
    date="2021-08-30",
    date_precision="day",
    country="IQ",
    admin1="Salah al-Din",
    location="Samarra",
    lat=34.198,
    lon=43.874,
    geo_precision="place",
    attack_type="security_operation",
    perpetrator="Iraqi Security Forces",
    attribution="attributed",
    target="militants",
    killed=5,
    evidence=("Troops raided a hideout outside Samarra, killing five militants.",),
)
MAIDUGURI = Incident(
    country="NG",
    admin1="Borno",
    location="Maiduguri",
    geo_precision="place",
    attack_type="armed_assault",
    perpetrator="Boko Haram",
    attribution="claimed",
    target="civilians",
    killed=10,
    evidence=("Boko Haram said it killed ten villagers near Maiduguri.",),
)
TALLY = Statistic(
    claim="There were 42 attacks in Diyala between May 7 and 13.",
    count=42,
    what="attacks",
    where="Diyala",
    from_="2021-05-07",
    to="2021-05-13",
    source="Security Media Cell",
)


def _make_pair(
    doc: str,
    text: str,
    incidents: tuple[Incident, ...] = (),
    statistics: tuple[Statistic, ...] = (),
) -> tuple[Article, Extraction, str]:
    """An article, its extraction and content hash, all from one hand-written text."""
    url = f"https://example.org/{doc}"
    article = Article(id=doc, text=text, origin=f"/data/{doc}.txt", url=url)
    extraction = Extraction(
        doc=doc,
        published="2021-09-12",
        title=f"Title of {doc}",
        source="Test Wire",
        incidents=incidents,
        statistics=statistics,
        url=url,
        text=text,
    )
    return article, extraction, hashlib.sha256(text.encode()).hexdigest()


def _count_rows(store: Store) -> dict[str, int]:
    """Rows per table, read from the database through a second connection."""
    tables = ("articles", "incidents", "evidence", "statistics")
    with Store.open(store.path) as other:
        return {t: other.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


@pytest.fixture
def make_pair():
    """Builds (article, extraction, content_hash) from a doc id, text and records."""
    return _make_pair


@pytest.fixture
def count_rows():
    """Counts rows per table of a store's file."""
    return _count_rows


@pytest.fixture
def sample():
    """The hand-written incidents and statistic the tests store."""
    return SimpleNamespace(
        khanaqin=KHANAQIN, kirkuk=KIRKUK, samarra=SAMARRA, maiduguri=MAIDUGURI, tally=TALLY
    )


@pytest.fixture
def store(db_target):
    """An empty store on each backend: a fresh SQLite file, a fresh PostgreSQL schema."""
    with Store.open(db_target) as opened:
        yield opened


@pytest.fixture
def filled(store):
    """A store holding two articles with four incidents (IQ and NG) and one statistic."""
    store.add(*_make_pair("a1", "Article one text.", (KHANAQIN, KIRKUK), (TALLY,)))
    store.add(*_make_pair("b1", "Article two text.", (SAMARRA, MAIDUGURI)))
    return store
