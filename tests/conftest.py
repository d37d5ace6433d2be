"""Shared fixtures: the bundled samples, the shared development corpus, a temp database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from incidex.cli import sample_articles

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = Path(sample_articles())
EXPECTED = SAMPLES.parent / "expected.jsonl"
INPUTS = Path(__file__).parent / "inputs"


@pytest.fixture
def shared() -> Path:
    """The shared development corpus and gold (beside the repository, as in CI)."""
    if not (SHARED / "gold").is_dir():
        pytest.skip(f"shared development corpus not found at {SHARED}")
    return SHARED


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file that does not exist yet."""
    return tmp_path / "incidents.db"


#: Where the PostgreSQL tests run: a database they may create schemas in, e.g.
#: postgresql://incidex:incidex@localhost/incidex_test (`.ci/run` sets it up).
PG_URL_ENV = "INCIDEX_TEST_PG"
#: Set (as `.ci/run` does) to fail rather than skip the PostgreSQL tests without a server.
PG_REQUIRED_ENV = "INCIDEX_REQUIRE_PG"


@contextmanager
def pg_schema() -> Iterator[str]:
    """A URL to an empty PostgreSQL schema of its own, dropped afterwards."""
    base = os.environ.get(PG_URL_ENV)
    if not base:
        message = f"PostgreSQL tests need ${PG_URL_ENV} (a database URL)"
        if os.environ.get(PG_REQUIRED_ENV):
            pytest.fail(message)
        pytest.skip(message)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL database (a schema of its own) for one test."""
    with pg_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A new database on each backend: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return tmp_path / "incidex.db"
    return request.getfixturevalue("pg_url")
