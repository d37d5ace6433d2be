"""The API over PostgreSQL answers exactly as over SQLite, reading and writing.

The bundled samples are ingested into both backends by the same CLI command; both are
served under uvicorn on loopback and every read endpoint is compared byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import WRITE_TOKEN
from serve_http import serving
from typer.testing import CliRunner

from incidex.cli import app as cli
from incidex.serve import create_app
from incidex.store import Store
from incidex.store.backend import PgPool
from tests.conftest import pg_schema

READS = [
    "/api/events",
    "/api/events?country=IQ&sort=-killed",
    "/api/events?since=2021-09&until=2021-12&limit=3&offset=1",
    "/api/events?perpetrator=islamic&min_killed=1",
    "/api/events?attack_type=bombing",
    "/api/incidents",
    "/api/incidents?admin1=diyala",
    "/api/events/1",
    "/api/events/3",
    "/api/events.geojson?country=IQ",
    "/api/export.csv",
    *(f"/api/aggregates?by={key}" for key in ("month", "week", "admin1", "attack_type")),
    "/api/aggregates?by=perpetrator&country=IQ",
]


@pytest.fixture(scope="module")
def pg_samples() -> Iterator[str]:
    """A PostgreSQL schema holding the bundled samples, ingested by the CLI."""
    with pg_schema() as url:
        result = CliRunner().invoke(cli, ["ingest", "--samples", "--db", url])
        assert result.exit_code == 0, result.output
        yield url


@pytest.fixture(scope="module")
def both(sample_db, pg_samples):
    """Clients of the same samples served from SQLite and from PostgreSQL."""
    with (
        serving(create_app(sample_db, token=WRITE_TOKEN)) as lite,
        serving(create_app(pg_samples, token=WRITE_TOKEN)) as pg,
    ):
        yield lite, pg


#: When each database was written: the one thing that differs between the two.
_CLOCK = {"first_seen", "updated_at", "ingested_at"}


def _timeless(value: Any) -> Any:
    """A JSON value without the write timestamps."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in _CLOCK}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


@pytest.mark.parametrize("path", READS)
def test_reads_are_the_same_on_both_backends(both, path):
    lite, pg = both
    expected, got = lite.get(path), pg.get(path)
    assert got.status == expected.status == 200
    if path.endswith(".csv"):
        assert got.body == expected.body
    else:
        assert _timeless(got.json()) == _timeless(expected.json())


def test_writes_go_through_on_postgresql(pg_url):
    """Articles posted and alert rules managed through the API, stored in PostgreSQL."""
    article = {
        "id": "pg-1",
        "published": "2024-03-02",
        "text": "Gunmen killed four farmers in Muqdadiyah, Diyala province, on Friday, police said.",
    }
    with serving(create_app(pg_url, token=WRITE_TOKEN)) as client:
        rule = client.post("/api/alerts", {"name": "Diyala", "admin1": "Diyala"}, token=WRITE_TOKEN)
        assert rule.status == 201, rule.text
        posted = client.post("/api/articles", article, token=WRITE_TOKEN)
        assert posted.status == 200, posted.text
        assert posted.json()["articles"][0]["status"] == "new"
        again = client.post("/api/articles", article, token=WRITE_TOKEN)
        assert again.json()["articles"][0]["status"] == "known"
        events = client.get("/api/events").json()
        assert events["total"] == 1
        assert events["items"][0]["killed"] == 4
        assert [a["rule_name"] for a in client.get("/api/alerts/recent").json()["items"]] == ["Diyala"]
        assert client.delete(f"/api/alerts/{rule.json()['id']}", token=WRITE_TOKEN).status == 204


def test_read_requests_cannot_write_on_postgresql(pg_url):
    """The server's read connections refuse writes, as its read-only SQLite ones do."""
    Store.open(pg_url).close()
    pool = PgPool(pg_url, read_only=True, size=1)
    try:
        conn = pool.connection()
        with pytest.raises(Exception, match="read-only"):
            conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
        conn.close()
    finally:
        pool.close()


def test_more_concurrent_requests_than_pooled_connections_are_all_answered(both):
    """Requests waiting for a pooled connection get one as soon as another is answered."""
    _, pg = both
    with ThreadPoolExecutor(max_workers=60) as pool:
        statuses = list(pool.map(lambda n: pg.get(f"/api/events?offset={n % 7}").status, range(120)))
    assert statuses == [200] * 120
