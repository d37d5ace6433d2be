"""Web security of the HTTP API over real HTTP: SQL injection, CORS, security headers, tokens.

Each server is `create_app` under uvicorn on 127.0.0.1, over a copy of the sample database.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from urllib.parse import quote, urlencode

import pytest

from incidex.serve import create_app
from tests.security.conftest import READ_TOKEN, WRITE_TOKEN, raw_request
from tests.serve.serve_http import serving

ORIGIN = "https://maps.example.org"
#: What the samples hold: the number of events, and values that filters do match.
EVENTS = 23
#: Classic payloads: quote breaking, tautologies, stacked queries, comments, UNION, LIKE
#: wildcards, and a real value with SQL after it.
INJECTIONS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "') OR ('1'='1",
    "1 OR 1=1",
    "IQ' --",
    "Diyala'; --",
    "'; DROP TABLE incidents; --",
    "x'); DELETE FROM events; --",
    "' UNION SELECT name, sql FROM sqlite_master --",
    "%",
    "_",
    "%' OR '%'='",
    "\\",
    "'",
    "Islamic State' OR perpetrator IS NULL --",
]
#: Listing endpoints and how many rows an answer holds.
LISTINGS = {
    "/api/incidents": lambda reply: reply.json()["total"],
    "/api/events": lambda reply: reply.json()["total"],
    "/api/events.geojson": lambda reply: len(reply.json()["features"]),
    "/api/aggregates?by=month": lambda reply: sum(row["events"] for row in reply.json()["rows"]),
    "/api/export.csv": lambda reply: len(reply.text.strip().splitlines()) - 1,
}
#: Free-text filters: an injection string is a value that matches nothing.
TEXT_FILTERS = ("country", "admin1", "location", "perpetrator")
#: Filters with a form (a date, an attack type, a number): an injection string is a 422.
TYPED_FILTERS = ("since", "until", "type", "min_killed")
#: The page controls of /api/incidents and /api/events.
PAGING = ("limit", "offset", "sort")
#: A value each free-text filter matches in the samples, to show the filter is live.
MATCHING = {
    "country": "IQ",
    "admin1": "Diyala",
    "location": "Tuz Khurmatu",
    "perpetrator": "Islamic",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _snapshot(path) -> dict[str, object]:
    """The schema of every table and index, and the rows of every table.

    Not `sqlite_sequence`: the rule that a test creates and deletes moves it on.
    """
    with closing(sqlite3.connect(path)) as conn:
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        tables = [n for kind, n, _ in schema if kind == "table" and n != "sqlite_sequence"]
        rows = {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in tables}
    return {"schema": schema, "rows": rows}


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("websec") / "samples.db"
    shutil.copy(sample_db, path)
    return path


@pytest.fixture(scope="module")
def api(db):
    """Writing with the write token, reading open, no CORS: the default configuration."""
    with serving(create_app(db, token=WRITE_TOKEN)) as client:
        yield client


@pytest.fixture(scope="module")
def guarded(db):
    with serving(create_app(db, token=WRITE_TOKEN, read_token=READ_TOKEN)) as client:
        yield client


@pytest.fixture(scope="module")
def read_only(db):
    """No write token: writing is disabled."""
    with serving(create_app(db)) as client:
        yield client


@pytest.fixture(scope="module")
def cors(db):
    origins = [ORIGIN, "http://localhost:3000"]
    with serving(create_app(db, token=WRITE_TOKEN, cors_origins=origins)) as client:
        yield client


# SQL injection ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def before(db, api):
    """The database before the injection tests (requested first, so taken first)."""
    return _snapshot(db)


@pytest.mark.parametrize("name", TEXT_FILTERS)
@pytest.mark.parametrize("path", LISTINGS)
def test_text_filters_are_live(api, before, path, name):
    joiner = "&" if "?" in path else "?"
    reply = api.get(f"{path}{joiner}{urlencode({name: MATCHING[name]})}")
    assert reply.status == 200
    assert LISTINGS[path](reply) > 0


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("name", TEXT_FILTERS)
@pytest.mark.parametrize("path", LISTINGS)
def test_injection_in_a_text_filter_is_a_value_that_matches_nothing(
    api, before, path, name, payload
):
    joiner = "&" if "?" in path else "?"
    reply = api.get(f"{path}{joiner}{urlencode({name: payload})}")
    assert reply.status == 200, reply.text
    assert LISTINGS[path](reply) == 0


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("name", TYPED_FILTERS)
@pytest.mark.parametrize("path", LISTINGS)
def test_injection_in_a_typed_filter_is_refused_by_name(api, before, path, name, payload):
    joiner = "&" if "?" in path else "?"
    reply = api.get(f"{path}{joiner}{urlencode({name: payload})}")
    assert reply.status == 422, reply.text
    assert reply.json()["detail"].startswith(f"{name}: ")


@pytest.mark.parametrize("payload", INJECTIONS[:6])
@pytest.mark.parametrize("name", PAGING)
@pytest.mark.parametrize("path", ["/api/incidents", "/api/events"])
def test_injection_in_paging_is_refused_by_name(api, before, path, name, payload):
    reply = api.get(f"{path}?{urlencode({name: payload})}")
    assert reply.status == 422 and reply.json()["detail"].startswith(f"{name}: ")


@pytest.mark.parametrize("payload", INJECTIONS[:6])
@pytest.mark.parametrize(
    "path", ["/api/aggregates?by={}", "/api/events/{}", "/api/alerts/recent?limit={}"]
)
def test_injection_in_other_parameters_is_refused(api, before, path, payload):
    assert api.get(path.format(quote(payload, safe=""))).status == 422


def test_injections_in_every_filter_at_once_match_nothing(api, before):
    query = urlencode(dict.fromkeys(TEXT_FILTERS, INJECTIONS[0]))
    assert api.get(f"/api/events?{query}").json()["total"] == 0


def test_injection_in_written_values_is_stored_as_text(api, db, before):
    name = "x'); DROP TABLE alert_rules; --"
    reply = api.post("/api/alerts", {"name": name, "admin1": "' OR 1=1 --"}, token=WRITE_TOKEN)
    assert reply.status == 201
    rule = reply.json()
    listed = {r["id"]: r for r in api.get("/api/alerts").json()["items"]}
    assert (listed[rule["id"]]["name"], listed[rule["id"]]["admin1"]) == (name, "' OR 1=1 --")
    assert api.delete(f"/api/alerts/{rule['id']}", token=WRITE_TOKEN).status == 204


def test_tables_are_intact_after_the_injections(api, db, before):
    # runs after every injection test of this module (pytest keeps the order of the file)
    assert _snapshot(db) == before
    assert api.get("/api/events").json()["total"] == EVENTS


# CORS ------------------------------------------------------------------------------------


def _preflight(client, origin, method="GET", headers="authorization"):
    return client.request(
        "OPTIONS",
        "/api/events",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


@pytest.mark.parametrize("origin", [ORIGIN, "https://evil.example.com", "null"])
def test_cors_is_off_by_default(api, origin):
    got = api.get("/api/events?limit=1", headers={"Origin": origin})
    assert got.status == 200
    assert not [name for name in got.headers if name.lower().startswith("access-control-")]
    preflight = _preflight(api, origin)
    assert preflight.status == 405  # no CORS: OPTIONS is just a method the API does not have
    assert not [name for name in preflight.headers if name.lower().startswith("access-control-")]


@pytest.mark.parametrize("origin", [ORIGIN, "http://localhost:3000"])
def test_configured_origins_get_their_own_origin_back(cors, origin):
    got = cors.get("/api/events?limit=1", headers={"Origin": origin})
    assert got.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in got.headers["Vary"]
    assert got.headers.get("Access-Control-Allow-Credentials") is None
    preflight = _preflight(cors, origin, "POST", "authorization, content-type")
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert set(preflight.headers["Access-Control-Allow-Methods"].split(", ")) == {
        "GET",
        "POST",
        "DELETE",
    }


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "https://maps.example.org.evil.com",
        "https://evilmaps.example.org",
        "http://maps.example.org",  # another scheme is another origin
        "https://maps.example.org:8443",  # and so is another port
        "https://maps.example.org/",
        "null",  # sandboxed frames and file:// pages
        "http://localhost:3001",
        "http://127.0.0.1:3000",
        "*",
    ],
)
def test_other_origins_get_no_cors_headers(cors, origin):
    got = cors.get("/api/events?limit=1", headers={"Origin": origin})
    assert got.status == 200
    assert got.headers.get("Access-Control-Allow-Origin") is None
    preflight = _preflight(cors, origin)
    assert preflight.status == 400
    assert preflight.headers.get("Access-Control-Allow-Origin") is None


def test_cors_never_allows_any_origin_or_other_headers(cors):
    preflight = _preflight(cors, ORIGIN, "GET", "x-evil")
    assert preflight.status == 400
    got = cors.get("/api/events?limit=1", headers={"Origin": ORIGIN})
    assert got.headers["Access-Control-Allow-Origin"] != "*"


# Security headers ------------------------------------------------------------------------


AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
JSON = {"Content-Type": "application/json"}
ANSWERS = [
    ("api", "GET", "/", {}, None, 200),
    ("api", "GET", "/static/app.js", {}, None, 200),
    ("api", "GET", "/static/no-such-file.js", {}, None, 404),
    ("api", "GET", "/openapi.json", {}, None, 200),
    ("api", "GET", "/api/events", {}, None, 200),
    ("api", "GET", "/api/export.csv", {}, None, 200),
    ("api", "GET", "/api/events.geojson", {}, None, 200),
    ("api", "GET", "/api/events/99999", {}, None, 404),
    ("api", "GET", "/no/such/page", {}, None, 404),
    ("api", "GET", "/api/events?limit=0", {}, None, 422),
    ("api", "GET", "/api/events.geojson?since=yesterday", {}, None, 422),
    ("api", "POST", "/api/articles", JSON, b"{}", 401),
    ("api", "POST", "/api/alerts", {**JSON, "Authorization": "Bearer wrong"}, b"{}", 401),
    ("api", "DELETE", "/api/alerts/1", {}, None, 401),
    ("api", "POST", "/api/articles", {**AUTH, **JSON}, b'{"id": ""}', 422),
    ("api", "POST", "/api/articles", {**AUTH, **JSON}, b'{"id": "\xff"}', 400),  # not UTF-8
    (
        "api",
        "POST",
        "/api/articles",
        {**AUTH, **JSON, "Content-Length": str(64 * 2**20)},
        None,
        413,
    ),
    (
        "api",
        "POST",
        "/api/articles",
        {**AUTH, **JSON, "Transfer-Encoding": "chunked"},
        b"0\r\n\r\n",
        411,
    ),
    ("api", "PUT", "/api/events", {}, None, 405),
    ("api", "OPTIONS", "/api/alerts", {}, None, 405),
    ("guarded", "GET", "/api/events", {}, None, 401),
    ("guarded", "GET", "/api/events", {"Authorization": "Bearer wrong"}, None, 401),
    ("read_only", "POST", "/api/alerts", {**AUTH, **JSON}, b"{}", 503),
]


@pytest.mark.parametrize(
    ("server", "method", "path", "headers", "body", "status"),
    ANSWERS,
    ids=[f"{a[0]}-{a[1]}-{a[2]}-{a[5]}" for a in ANSWERS],
)
def test_security_headers_on_every_answer(request, server, method, path, headers, body, status):
    got_status, got = raw_request(request.getfixturevalue(server), method, path, headers, body)
    assert got_status == status
    for name, value in SECURITY_HEADERS.items():
        assert got[name] == value, name
    policy = got["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self';",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    if path.startswith("/api/"):
        assert got["Cache-Control"] == "no-store"


def test_security_headers_on_an_unexpected_server_error(db):
    app = create_app(db)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with serving(app) as client:
        reply = client.get("/api/boom")
    assert reply.status == 500
    assert reply.json() == {"detail": "internal error; the server log says more"}
    assert "a bug" not in reply.text
    for name, value in SECURITY_HEADERS.items():
        assert reply.headers[name] == value
    assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]


def test_only_the_docs_page_may_run_the_swagger_ui_scripts(api):
    docs = api.get("/docs").headers["Content-Security-Policy"]
    assert "script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'" in docs
    assert "frame-ancestors 'none'" in docs
    assert "cdn.jsdelivr.net" not in api.get("/").headers["Content-Security-Policy"]


# Tokens ----------------------------------------------------------------------------------

#: Wrong tokens of every length around the real one's, and other near misses.
WRONG = [
    "",
    "x",
    WRITE_TOKEN[:1],
    WRITE_TOKEN[:-1],
    WRITE_TOKEN + "x",
    WRITE_TOKEN[:-1] + chr(ord(WRITE_TOKEN[-1]) ^ 1),
    "x" + WRITE_TOKEN[1:],
    WRITE_TOKEN.upper(),
    WRITE_TOKEN * 2,
    "x" * len(WRITE_TOKEN),
    "x" * 10_000,
    WRITE_TOKEN.replace("-", "\u2010"),  # a look-alike hyphen, sent as UTF-8
    READ_TOKEN,
]


def _bearer(token: str) -> dict[str, str]:
    """The header as latin-1 text, which is how http.client sends a non-ASCII value."""
    return {"Authorization": f"Bearer {token}".encode().decode("latin-1")}


@pytest.mark.parametrize("token", WRONG, ids=lambda t: f"{len(t)}-chars")
def test_wrong_write_tokens_of_any_length_are_refused(api, token):
    reply = api.request("DELETE", "/api/alerts/999999", headers=_bearer(token))
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == "Bearer"
    reply = api.request("POST", "/api/alerts", body={"name": "x"}, headers=_bearer(token))
    assert reply.status == 401


@pytest.mark.parametrize(
    "token", [t for t in WRONG if t != READ_TOKEN], ids=lambda t: f"{len(t)}-chars"
)
def test_wrong_read_tokens_of_any_length_are_refused(guarded, token):
    assert guarded.get("/api/events", headers=_bearer(token)).status == 401


@pytest.mark.parametrize(
    "header",
    [
        f"Basic {WRITE_TOKEN}",
        f"Token {WRITE_TOKEN}",
        WRITE_TOKEN,
        f"Bearer{WRITE_TOKEN}",
        f"Bearer: {WRITE_TOKEN}",
        f"Bearer {WRITE_TOKEN} extra",
        f"Bearer {WRITE_TOKEN},Bearer {WRITE_TOKEN}",
    ],
)
def test_the_token_counts_only_as_a_bearer_token_by_itself(api, header):
    assert (
        api.request("DELETE", "/api/alerts/999999", headers={"Authorization": header}).status == 401
    )


@pytest.mark.parametrize(
    "header", [f"Bearer {WRITE_TOKEN}", f"bearer {WRITE_TOKEN}", f"BEARER  {WRITE_TOKEN}"]
)
def test_the_right_token_passes_in_any_case_of_the_scheme(api, header):
    reply = api.request("DELETE", "/api/alerts/999999", headers={"Authorization": header})
    assert reply.status == 404  # past the token check: there is no such rule


def test_a_wrong_token_learns_nothing_about_the_body(api):
    """The token is checked before the body is read: a bad body without it is still a 401."""
    for body in (b"{not json", b'{"name": "\xff"}', b'{"name": 5}', b"[]"):
        assert raw_request(api, "POST", "/api/alerts", JSON, body)[0] == 401
