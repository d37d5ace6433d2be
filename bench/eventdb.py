"""A synthetic incident database of N events for the API benchmark, built by bulk inserts.

`Store.add` runs extraction-side logic per article (thousands of articles a minute);
a million events that way would take hours. Here the rows the API reads (events, their
incidents, articles and evidence) are generated directly, with the shapes of real data:
places from the project's gazetteer, codebook attack types, targets and actors, dates
over 2010-2026, small casualty figures with a long tail, one to three reports per event
and some wire copies. Secondary indexes are dropped during the load and rebuilt after,
as a bulk load should.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

from incidex.extract.lexicon import actors
from incidex.geocode.gazetteer import DATA_DIR, read_tsv
from incidex.merge import spread
from incidex.store import Store

ATTACK_TYPES = {  # codebook section 4, with rough shares of a conflict feed
    "armed_assault": 22,
    "bombing": 20,
    "indirect_fire": 10,
    "security_operation": 12,
    "clash": 10,
    "kidnapping": 6,
    "execution": 5,
    "suicide_bombing": 4,
    "sniper": 3,
    "arson": 3,
    "prison_break": 1,
    "other": 4,
}
TARGETS = {
    "civilians": 30,
    "military": 20,
    "police": 12,
    "militia": 8,
    "kurdish_forces": 4,
    "government": 6,
    "infrastructure": 6,
    "prison": 1,
    "militants": 8,
    "unknown": 5,
}
#: Countries of the gazetteer's place table get most events, as in the project's feeds;
#: the weight of the rest is shared by every other country (their provinces only).
COUNTRY_WEIGHTS = {"IQ": 40, "SY": 14, "AF": 10, "NG": 9, "SO": 8}
OTHER_COUNTRIES_WEIGHT = 19
OUTLETS = (
    "Tigris Wire",
    "Rafidain Daily",
    "Rudaw",
    "Kurdistan24",
    "Shafaq News",
    "Reuters",
    "AFP",
    "Associated Press",
    "Al-Monitor",
    "The National",
    "Premium Times",
    "Garowe Online",
    "TOLOnews",
    "Enab Baladi",
)
FIRST_DAY, LAST_DAY = date(2010, 1, 1), date(2026, 6, 30)
CHUNK = 20_000  # events per executemany batch
_VOCABULARY = (
    "security sources said the attack took place near the main road after dark while "
    "residents reported heavy gunfire and several vehicles burning officials declined to "
    "comment further on the number of victims local authorities imposed a curfew"
)


@dataclass(frozen=True)
class Site:
    """Where an event happens: country, province, place and coordinates."""

    country: str
    admin1: str | None
    location: str | None
    lat: float
    lon: float
    geo_precision: str


def _sites() -> tuple[dict[str, list[Site]], list[str]]:
    """Sites by country from the gazetteer tables, and the countries with provinces only."""
    by_country: dict[str, list[Site]] = {}
    for row in read_tsv(DATA_DIR / "admin1.tsv"):
        site = Site(
            row["country"], row["name"], None, float(row["lat"]), float(row["lon"]), "admin1"
        )
        by_country.setdefault(row["country"], []).append(site)
    for row in read_tsv(DATA_DIR / "places.tsv"):
        if row["country"] not in COUNTRY_WEIGHTS or not row["admin1"]:
            continue
        precision = "place" if row["kind"] == "place" else "admin2"
        site = Site(
            row["country"],
            row["admin1"],
            row["name"],
            float(row["lat"]),
            float(row["lon"]),
            precision,
        )
        by_country[row["country"]].extend([site] * 3)  # named places outnumber province-only
    others = sorted(c for c in by_country if c not in COUNTRY_WEIGHTS)
    return by_country, others


def _weighted(rng: random.Random, table: dict[str, int], k: int) -> list[str]:
    """k draws from a {value: weight} table."""
    return rng.choices(list(table), weights=list(table.values()), k=k)


def _figure(rng: random.Random, missing: float) -> int | None:
    """A casualty figure: often unreported, mostly small, sometimes large (Pareto tail)."""
    if rng.random() < missing:
        return None
    return min(int(rng.paretovariate(1.2)) - 1, 400)


def _near(rng: random.Random, value: int | None) -> int | None:
    """Another outlet's figure for the same act: the same, a little off, or unreported."""
    if value is None or rng.random() < 0.6:
        return value
    if rng.random() < 0.15:
        return None
    return max(0, value + rng.choice((-2, -1, 1, 1, 2, 3)))


def _date(rng: random.Random) -> tuple[str | None, str]:
    """A date and its precision, over 2010-2026, later years busier."""
    span = (LAST_DAY - FIRST_DAY).days
    day = FIRST_DAY + timedelta(days=int(span * rng.random() ** 0.8))
    roll = rng.random()
    if roll < 0.88:
        return day.isoformat(), "day"
    if roll < 0.96:
        return day.isoformat()[:7], "month"
    if roll < 0.98:
        return day.isoformat()[:4], "year"
    return None, "unknown"


class _Generator:
    """Rows of the four tables, event by event, with consecutive ids."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sites, self.other_countries = _sites()
        self.actors = sorted({entry.label for entry in actors()})
        self.texts = [self._text() for _ in range(500)]
        self.incident_id = 0
        self.article_id = 0
        self.stamp = "2026-06-30T00:00:00+00:00"

    def _text(self) -> str:
        """An article body of 1,000-3,000 characters (the API returns it with an event)."""
        words = self.rng.choices(_VOCABULARY.split(), k=self.rng.randint(170, 500))
        return " ".join(words).capitalize() + "."

    def _site(self) -> Site:
        rng = self.rng
        weights = {**COUNTRY_WEIGHTS, "*": OTHER_COUNTRIES_WEIGHT}
        country = _weighted(rng, weights, 1)[0]
        if country == "*":
            country = rng.choice(self.other_countries)
        site = rng.choice(self.sites[country])
        if rng.random() < 0.03:  # only the country is known
            return Site(country, None, None, site.lat, site.lon, "country")
        return site

    def _article(self, published: str | None, duplicate_of: int | None) -> tuple[Any, ...]:
        self.article_id += 1
        n, rng = self.article_id, self.rng
        outlet = rng.choice(OUTLETS)
        return (
            n,
            f"bench-{n}",
            f"{n:064x}",
            f"https://news.example/{outlet.lower().replace(' ', '-')}/{n}",
            f"Attack report {n}",
            outlet,
            published,
            "bench",
            rng.choice(self.texts),
            self.stamp,
            duplicate_of,
            "en",
        )

    def event(self, event_id: int) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of one event: the event, its reports' articles, incidents and evidence."""
        rng = self.rng
        site = self._site()
        when, precision = _date(rng)
        attack_type = _weighted(rng, ATTACK_TYPES, 1)[0]
        target = _weighted(rng, TARGETS, 1)[0]
        perpetrator = None if rng.random() < 0.45 else rng.choice(self.actors)
        attribution = "unknown" if perpetrator is None else rng.choice(("claimed", "attributed"))
        killed, wounded = _figure(rng, 0.3), _figure(rng, 0.5)
        kidnapped = _figure(rng, 0.1) if attack_type == "kidnapping" else None
        reports = 1 + (rng.random() < 0.4) + (rng.random() < 0.3)
        rows: dict[str, list[tuple[Any, ...]]] = {"articles": [], "incidents": [], "evidence": []}
        figures: list[tuple[int | None, ...]] = []
        copies = 0
        for seq in range(reports):
            k, w = (killed, wounded) if seq == 0 else (_near(rng, killed), _near(rng, wounded))
            figures.append((k, w, kidnapped, None))
            published = when if when and len(when) == 10 else None
            rows["articles"].append(self._article(published, None))
            article_id = self.article_id
            self.incident_id += 1
            rows["incidents"].append(
                (self.incident_id, article_id, 0, when, precision, site.country, site.admin1,
                 site.location, site.lat, site.lon, site.geo_precision, attack_type, perpetrator,
                 attribution, target, k, w, kidnapped, None, event_id)
            )  # fmt: skip
            place = site.location or site.admin1 or site.country
            sentences = [f"An attack in {place} killed {k or 'no'} people, officials said."]
            if rng.random() < 0.5:
                sentences.append(f"{perpetrator or 'No group'} claimed the {attack_type}.")
            rows["evidence"].extend((self.incident_id, n, s) for n, s in enumerate(sentences))
            if rng.random() < 0.05:  # a wire copy of this report
                rows["articles"].append(self._article(published, article_id))
                copies += 1
        spreads = [spread([f[i] for f in figures]) for i in range(4)]
        rows["events"] = [
            (event_id, when, precision, site.country, site.admin1, site.location, site.lat,
             site.lon, site.geo_precision, attack_type, perpetrator, attribution, target,
             *(v for s in spreads for v in (s.best, s.low, s.high)),
             reports + copies, self.stamp, self.stamp)
        ]  # fmt: skip
        return rows


COLUMNS = {
    "events": (
        "id, date, date_precision, country, admin1, location, lat, lon, geo_precision,"
        " attack_type, perpetrator, attribution, target, killed, killed_low, killed_high,"
        " wounded, wounded_low, wounded_high, kidnapped, kidnapped_low, kidnapped_high,"
        " perpetrators_killed, perpetrators_killed_low, perpetrators_killed_high, sources,"
        " first_seen, updated_at"
    ),
    "articles": (
        "id, doc, content_hash, url, title, source, published, origin, text, ingested_at,"
        " duplicate_of, language"
    ),
    "incidents": (
        "id, article_id, seq, date, date_precision, country, admin1, location, lat, lon,"
        " geo_precision, attack_type, perpetrator, attribution, target, killed, wounded,"
        " kidnapped, perpetrators_killed, event_id"
    ),
    "evidence": "incident_id, seq, sentence",
}


def chunks(events: int, seed: int = 7) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """The rows of `events` events, CHUNK events at a time, tables in insertion order."""
    generator = _Generator(seed)
    for start in range(1, events + 1, CHUNK):
        batch: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
        for event_id in range(start, min(start + CHUNK, events + 1)):
            for name, rows in generator.event(event_id).items():
                batch[name].extend(rows)
        yield batch


def _insert_sql(table: str) -> str:
    columns = COLUMNS[table]
    marks = ", ".join("?" * (columns.count(",") + 1))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"


def _load(store: Store, events: int) -> None:
    """Insert the rows of `events` events, one transaction per chunk, with progress."""
    start = time.perf_counter()
    done = 0
    for batch in chunks(events):
        with store.transaction():
            for table, rows in batch.items():
                store.conn.executemany(_insert_sql(table), rows)
        done += len(batch["events"])
        print(f"\r  {done:,} events, {time.perf_counter() - start:.0f} s", end="", flush=True)
    print(flush=True)


def build_sqlite(path: Path, events: int) -> None:
    """Create `path` with `events` events; built beside it and renamed when complete."""
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    start = time.perf_counter()
    with Store.open(partial) as store:
        conn = store.conn
        conn.execute("PRAGMA foreign_keys = OFF")  # the generator keeps references whole
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -1000000")  # 1 GB, for the index rebuild
        indexes = _drop_indexes(conn, tuple(COLUMNS))
        _load(store, events)
        print("  rebuilding indexes", flush=True)
        with store.transaction():
            for sql in indexes:
                conn.execute(sql)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    print(f"  built {path} in {time.perf_counter() - start:.0f} s", flush=True)


def ensure_postgresql(url: str, events: int) -> str:
    """The PostgreSQL database at `url` holding `events` events, loaded first if it has not.

    Loaded with COPY in one transaction, the schema's indexes in place (PostgreSQL keeps
    them up to date in bulk well enough); an incomplete load is emptied and redone.
    """
    with Store.open(url) as store:
        (found,) = store.conn.execute("SELECT count(*) FROM events").fetchone()
        if found == events:
            return url
    print(f"loading {events:,} events into PostgreSQL", flush=True)
    start = time.perf_counter()
    with psycopg.connect(url) as conn:  # one transaction, committed at the end of the block
        conn.execute(f"TRUNCATE {', '.join(reversed(tuple(COLUMNS)))} CASCADE")
        done = 0
        for batch in chunks(events):
            for table, rows in batch.items():
                with conn.cursor().copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            done += len(batch["events"])
            print(f"\r  {done:,} events, {time.perf_counter() - start:.0f} s", end="", flush=True)
        for table in COLUMNS:  # ids were given: move the counters past them
            if "id," in COLUMNS[table][:3]:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"\n  loaded in {time.perf_counter() - start:.0f} s", flush=True)
    return url


def _drop_indexes(conn: sqlite3.Connection, tables: Sequence[str]) -> list[str]:
    """Drop the explicit indexes of `tables`; return the statements that recreate them."""
    marks = ", ".join("?" * len(tables))
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks})",
        tables,
    ).fetchall()
    for name, _ in rows:
        conn.execute(f"DROP INDEX {name}")
    return [sql for _, sql in rows]


def ensure_sqlite(path: Path, events: int) -> Path:
    """The cached database of `events` events at `path`, built first if missing."""
    if not path.exists():
        print(f"building {path} with {events:,} events (cached for later runs)", flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        build_sqlite(path, events)
    return path
