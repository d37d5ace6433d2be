"""Bearer tokens: writing needs the write token, reading the read token when one is set."""

from __future__ import annotations

import pytest
from conftest import READ_TOKEN, WRITE_TOKEN

READS = [
    "/api/incidents",
    "/api/events",
    "/api/events/1",
    "/api/events.geojson",
    "/api/aggregates?by=month",
    "/api/export.csv",
    "/api/config",
    "/api/alerts",
    "/api/alerts/recent",
]
#: Write requests with a body that is invalid: past the token check they fail with 422,
#: so no test writes to the shared sample database.
WRITES = [
    ("POST", "/api/articles", {"id": ""}),
    ("POST", "/api/alerts", {"name": ""}),
    ("DELETE", "/api/alerts/0", None),
]


@pytest.mark.parametrize("path", READS)
def test_reads_are_open_without_a_read_token(api, path):
    assert api.get(path).status == 200


@pytest.mark.parametrize("path", READS)
def test_reads_need_the_read_token_when_set(guarded, path):
    reply = guarded.get(path)
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == "Bearer"
    assert "read token" in reply.json()["detail"]


@pytest.mark.parametrize("token", ["wrong", READ_TOKEN + "x", READ_TOKEN[:-1], "ü-not-ascii"])
def test_reads_refuse_a_wrong_token(guarded, token):
    assert guarded.get("/api/events", headers={"Authorization": f"Bearer {token}"}).status == 401


@pytest.mark.parametrize("token", [READ_TOKEN, WRITE_TOKEN])
@pytest.mark.parametrize("path", READS)
def test_reads_accept_the_read_or_the_write_token(guarded, path, token):
    assert guarded.get(path, token=token).status == 200


@pytest.mark.parametrize("header", [f"Basic {READ_TOKEN}", READ_TOKEN, "Bearer", "Bearer "])
def test_reads_need_the_bearer_scheme(guarded, header):
    assert guarded.get("/api/events", headers={"Authorization": header}).status == 401


@pytest.mark.parametrize("path", ["/", "/openapi.json", "/static/api.js"])
def test_page_and_schema_need_no_token(guarded, path):
    assert guarded.get(path).status == 200


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_need_a_token(api, method, path, body):
    reply = api.request(method, path, body=body)
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_refuse_a_wrong_token(api, method, path, body):
    assert api.request(method, path, body=body, token="wrong").status == 401


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_refuse_the_read_token(guarded, method, path, body):
    assert guarded.request(method, path, body=body, token=READ_TOKEN).status == 401


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_pass_with_the_write_token(api, method, path, body):
    assert api.request(method, path, body=body, token=WRITE_TOKEN).status in {404, 422}


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_are_disabled_without_a_configured_token(read_only, method, path, body):
    reply = read_only.request(method, path, body=body, token=WRITE_TOKEN)
    assert reply.status == 503
    assert "--token" in reply.json()["detail"]
