"""The application around the API: security headers, CORS, the page, the schema, connections."""

from __future__ import annotations

import http.client
import sqlite3
import threading
from contextlib import closing
from urllib.parse import urlsplit

import pytest
from conftest import WRITE_TOKEN
from serve_http import serving

from incidex.serve import create_app, deps
from incidex.serve.app import content_security_policy, tile_source

TILES = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
API_PATHS = {
    "/api/incidents", "/api/events", "/api/events/{event_id}", "/api/events.geojson",
    "/api/aggregates", "/api/export.csv", "/api/articles", "/api/alerts",
    "/api/alerts/{rule_id}", "/api/alerts/recent", "/api/config",
}  # fmt: skip
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
    " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/static/api.js", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/api/events", 200),
        ("GET", "/api/events/99999", 404),
        ("GET", "/api/events?limit=0", 422),
        ("GET", "/no/such/page", 404),
        ("POST", "/api/articles", 401),
    ],
)
def test_security_headers_on_every_response(api, method, path, status):
    reply = api.request(method, path)
    assert reply.status == status
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert reply.headers["Content-Security-Policy"] == CSP


def test_api_answers_are_not_cached(api):
    assert api.get("/api/events").headers["Cache-Control"] == "no-store"


def test_csp_allows_the_tile_host_for_images_only():
    policy = content_security_policy(TILES)
    assert "img-src 'self' data: https://*.tile.example.org;" in policy
    assert "connect-src 'self';" in policy and "script-src 'self';" in policy


@pytest.mark.parametrize(
    ("template", "source"),
    [
        (TILES, "https://*.tile.example.org"),
        ("https://tiles.example.org:8443/{z}/{x}/{y}.png", "https://tiles.example.org:8443"),
        ("http://{s}.example.org/{z}/{x}/{y}", "http://*.example.org"),
    ],
)
def test_tile_source_of_a_template(template, source):
    assert tile_source(template) == source


@pytest.mark.parametrize(
    "template", ["javascript:alert(1)", "/tiles/{z}/{x}/{y}.png", "https://a.{s}.example.org/{z}"]
)
def test_create_app_refuses_a_bad_tile_template(tmp_path, template):
    with pytest.raises(ValueError, match="tiles"):
        create_app(tmp_path / "x.db", tiles=template)


def test_served_csp_and_config_name_the_tiles(tmp_path):
    with serving(create_app(tmp_path / "t.db", tiles=TILES)) as client:
        reply = client.get("/api/config")
    assert reply.json() == {"tiles": TILES, "write": False}
    assert "https://*.tile.example.org" in reply.headers["Content-Security-Policy"]


def test_page_is_served_at_the_root(api):
    reply = api.get("/")
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "<html" in reply.text.lower()


def test_docs_page_may_load_swagger_ui(api):
    reply = api.get("/docs")
    assert reply.status == 200
    assert "https://cdn.jsdelivr.net" in reply.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]


def test_openapi_lists_every_path(api):
    schema = api.get("/openapi.json").json()
    assert set(schema["paths"]) == API_PATHS


def test_openapi_documents_response_fields(api):
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert {"reports", "copies", "disagreements", "killed_low"} <= set(
        schemas["EventDetail"]["properties"]
    )
    assert "text" in schemas["Report"]["properties"]
    assert {"total", "limit", "offset", "items"} <= set(schemas["EventPage"]["properties"])


def test_openapi_documents_query_parameters(api):
    operation = api.get("/openapi.json").json()["paths"]["/api/events"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {
        "country",
        "admin1",
        "location",
        "since",
        "until",
        "type",
        "perpetrator",
        "min_killed",
        "limit",
        "offset",
        "sort",
    }


@pytest.fixture(scope="module")
def cors(sample_db):
    with serving(create_app(sample_db, cors_origins=["https://maps.example.org"])) as client:
        yield client


def _preflight(client, origin):
    headers = {"Origin": origin, "Access-Control-Request-Method": "GET"}
    return client.request("OPTIONS", "/api/events", headers=headers)


def test_cors_allows_a_configured_origin(cors):
    reply = _preflight(cors, "https://maps.example.org")
    assert reply.headers["Access-Control-Allow-Origin"] == "https://maps.example.org"
    got = cors.get("/api/events?limit=1", headers={"Origin": "https://maps.example.org"})
    assert got.headers["Access-Control-Allow-Origin"] == "https://maps.example.org"


@pytest.mark.parametrize(
    "origin", ["https://evil.example.com", "https://maps.example.org.evil.com"]
)
def test_cors_refuses_other_origins(cors, origin):
    assert _preflight(cors, origin).headers.get("Access-Control-Allow-Origin") is None
    got = cors.get("/api/events?limit=1", headers={"Origin": origin})
    assert got.headers.get("Access-Control-Allow-Origin") is None


def test_no_cors_without_configured_origins(api):
    got = api.get("/api/events?limit=1", headers={"Origin": "https://maps.example.org"})
    assert got.headers.get("Access-Control-Allow-Origin") is None


def test_concurrent_requests_each_get_their_answer(api):
    replies: dict[int, object] = {}

    def fetch(n):
        replies[n] = api.get(f"/api/events?limit=1&offset={n}").json()["items"][0]["id"]

    threads = [threading.Thread(target=fetch, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = [e["id"] for e in api.get("/api/events?limit=16").json()["items"]]
    assert [replies[n] for n in range(16)] == expected


def test_reads_and_writes_run_side_by_side(writable):
    article = {
        "id": "side-by-side",
        "text": "Gunmen killed a shepherd near Khanaqin in Diyala on Monday, police said.",
        "published": "2024-05-07",
    }
    done = {}
    writer = threading.Thread(
        target=lambda: done.update(
            w=writable.post("/api/articles", article, token=WRITE_TOKEN).status
        )
    )
    writer.start()
    statuses = {writable.get("/api/events?limit=1").status for _ in range(20)}
    writer.join()
    assert statuses == {200} and done["w"] == 200


def test_new_database_is_created_with_its_tables(tmp_path):
    path = tmp_path / "new" / "fresh.db"
    with serving(create_app(path, token=WRITE_TOKEN)) as client:
        assert client.get("/api/events").json()["total"] == 0
        assert client.get("/api/alerts").json() == {"items": []}


def test_wal_database_is_read_without_its_side_files(sample_db, tmp_path):
    path = tmp_path / "wal.db"
    with closing(sqlite3.connect(sample_db)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not (tmp_path / "wal.db-wal").exists()
    with serving(create_app(path)) as client:
        assert client.get("/api/events").json()["total"] == 23


def test_database_in_a_read_only_directory_is_read_as_immutable(sample_db, monkeypatch):
    # root may write anywhere, so the refusal SQLite gives other users is simulated
    opened = []
    real_open = deps._open

    def refusing(uri):
        if "immutable=1" not in uri:
            raise sqlite3.OperationalError("unable to open database file")
        opened.append(uri)
        return real_open(uri)

    monkeypatch.setattr(deps, "_open", refusing)
    monkeypatch.setattr(deps.os, "access", lambda path, mode: False)
    with closing(deps._connect(sample_db, write=False)) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 23
    assert opened and opened[0].endswith("?mode=ro&immutable=1")
    with pytest.raises(sqlite3.OperationalError):
        deps._connect(sample_db, write=True)


def test_oversized_body_is_refused_before_it_is_read(api):
    headers = {"Content-Length": str(64 * 2**20), "Content-Type": "application/json"}
    address = urlsplit(api.base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        conn.putrequest("POST", "/api/articles")
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        reply = conn.getresponse()
        assert reply.status == 413
        assert reply.getheader("X-Frame-Options") == "DENY"
    finally:
        conn.close()


def test_chunked_body_is_refused(api):
    reply = api.request(
        "POST", "/api/articles", headers={"Transfer-Encoding": "chunked"}, token=WRITE_TOKEN
    )
    assert reply.status == 411
