"""Fixtures for the HTTP API: the samples ingested once, servers on loopback per configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from serve_http import serving
from typer.testing import CliRunner

from incidex.cli import app as cli
from incidex.serve import create_app

WRITE_TOKEN = "write-secret-0123"
READ_TOKEN = "read-secret-4567"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The bundled samples ingested with `incidex ingest --samples`; never written to after."""
    path = tmp_path_factory.mktemp("serve") / "samples.db"
    result = CliRunner().invoke(cli, ["ingest", "--samples", "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def api(sample_db):
    """A client of the sample database served with a write token and open reading.

    Tests using it only read (or send requests that are refused), so the data stay the samples.
    """
    with serving(create_app(sample_db, token=WRITE_TOKEN)) as client:
        yield client


@pytest.fixture(scope="session")
def guarded(sample_db):
    """The sample database served with both a write and a read token."""
    with serving(create_app(sample_db, token=WRITE_TOKEN, read_token=READ_TOKEN)) as client:
        yield client


@pytest.fixture(scope="session")
def read_only(sample_db):
    """The sample database served without a write token: writing is disabled."""
    with serving(create_app(sample_db)) as client:
        yield client


@pytest.fixture(scope="module")
def writable(sample_db, tmp_path_factory):
    """A copy of the sample database, served with a write token, for tests that write."""
    path = tmp_path_factory.mktemp("writable") / "copy.db"
    shutil.copy(sample_db, path)
    with serving(create_app(path, token=WRITE_TOKEN)) as client:
        yield client
