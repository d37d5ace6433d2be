"""Fixtures for the security tests: the bundled samples in a database, served on loopback."""

from __future__ import annotations

import http.client
import shutil
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from incidex.cli import app as cli
from tests.serve.serve_http import Client

WRITE_TOKEN = "security-write-token-0123456789"
READ_TOKEN = "security-read-token-9876543210"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The bundled samples ingested with `incidex ingest --samples`; copied before serving."""
    path = tmp_path_factory.mktemp("security") / "samples.db"
    result = CliRunner().invoke(cli, ["ingest", "--samples", "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def copy_db(sample_db, tmp_path) -> Path:
    """A fresh copy of the sample database, for one test that changes it."""
    path = tmp_path / "copy.db"
    shutil.copy(sample_db, path)
    return path


def raw_request(
    client: Client,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, Message]:
    """A request sent as given, for bodies and headers urllib would not send as they are.

    A body gets its Content-Length unless the headers say otherwise (or send it chunked).
    """
    headers = dict(headers or {})
    if body is not None and "Content-Length" not in headers and "Transfer-Encoding" not in headers:
        headers["Content-Length"] = str(len(body))
    address = urlsplit(client.base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        conn.putrequest(method, path)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        if body is not None:
            conn.send(body)
        reply = conn.getresponse()
        reply.read()
        return reply.status, reply.headers
    finally:
        conn.close()
