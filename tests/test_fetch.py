"""Fetching URLs from a real HTTP server on loopback: pages, feeds, redirects, limits, refusals."""

from __future__ import annotations

import gzip
import re
import shutil
import ssl
import subprocess
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from incidex.fetch import (
    USER_AGENT,
    FetchError,
    FetchPolicy,
    FetchTimeoutError,
    HTTPStatusError,
    RefusedError,
    TooLargeError,
    fetch,
)
from incidex.ingest import InputError, fetch_article, read_inputs, read_url
from incidex.records import Article

INPUTS = Path(__file__).parent / "inputs"
SERVER_WAIT_S = 5.0  # longest a handler waits or writes before giving up by itself
HUGE_BYTES = 2 * 2**30  # what the huge response claims: 2 GiB
SMALL_LIMIT = 2**20  # 1 MiB limit for the size tests
PAGE = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>Gunmen attacked a police checkpoint near Khanaqin on Monday night, killing two "
    "policemen and wounding three others, a police officer said.</p></article></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    """Serves the fixture routes; every write tolerates a client that went away."""

    server: _Server

    def do_GET(self) -> None:
        """Answer one GET by its path."""
        self.server.hits.append(self.path)
        route = getattr(
            self,
            "_route_" + self.path.strip("/").replace("/", "_").replace(".", "_").replace("-", "_"),
            None,
        )
        if route is None:
            self._send(404, "text/html", b"<html><body>Not here</body></html>")
            return
        try:
            route()
        except (BrokenPipeError, ConnectionResetError):
            self.server.stopped.set()  # the client hung up: stop writing

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def _send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        """A complete response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        """A 302 to `location`."""
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _base(self) -> str:
        """This server's own URL."""
        return f"http://127.0.0.1:{self.server.server_port}"

    def _route_article(self) -> None:
        self.server.user_agents.append(self.headers.get("User-Agent", ""))
        self._send(
            200, "text/html; charset=utf-8", PAGE.format(title="Checkpoint attacked").encode()
        )

    def _route_latin1(self) -> None:
        body = PAGE.format(title="Attentat à Kirkouk, dit Jérôme").encode("latin-1")
        self._send(200, "text/html; charset=iso-8859-1", body)

    def _route_notes_txt(self) -> None:
        self._send(200, "text/plain", b"A bomb exploded near a market in Tuz Khurmatu.")

    def _route_page_1(self) -> None:
        self._send(200, "text/html", PAGE.format(title="Full page one").encode())

    def _route_page_2(self) -> None:
        self._send(200, "text/html", PAGE.format(title="Full page two").encode())

    def _route_image_png(self) -> None:
        self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64))

    def _route_feed_rss(self) -> None:
        self._send(200, "application/rss+xml", _rss(self._base()).encode())

    def _route_feed_atom(self) -> None:
        self._send(200, "application/atom+xml", _atom(self._base()).encode())

    def _route_feed_as_html(self) -> None:
        self._send(200, "text/html", _atom(self._base()).encode())

    def _route_arabic_rss(self) -> None:
        feed = "<rss><channel><title>صوت العراق</title><item><title>انفجار</title><description>انفجار في بعقوبة</description></item></channel></rss>"
        self._send(200, "application/rss+xml; charset=windows-1256", feed.encode("cp1256"))

    def _route_laughs_rss(self) -> None:
        self._send(200, "application/rss+xml", (INPUTS / "billion_laughs.rss").read_bytes())

    def _route_xxe_rss(self) -> None:
        self._send(200, "text/xml", (INPUTS / "xxe.rss").read_bytes())

    def _route_redirect_here(self) -> None:
        self._redirect("/redirect-again")

    def _route_redirect_again(self) -> None:
        self._redirect(f"{self._base()}/article")

    def _route_redirect_other(self) -> None:
        self._redirect(f"http://127.0.0.1:{self.server.other_port}/article")

    def _route_redirect_private(self) -> None:
        self._redirect("http://10.255.255.1/article")

    def _route_redirect_file(self) -> None:
        self._redirect("file:///etc/passwd")

    def _route_redirect_loop(self) -> None:
        self._redirect("/redirect-loop")

    def _route_gone(self) -> None:
        self._send(410, "text/html", b"gone")

    def _route_broken(self) -> None:
        self._send(503, "text/html", b"busy")

    def _route_huge(self) -> None:
        self._stream_zeros({"Content-Length": str(HUGE_BYTES)})

    def _route_endless(self) -> None:
        self._stream_zeros({})

    def _route_bomb(self) -> None:
        body = gzip.compress(bytes(16 * SMALL_LIMIT))
        self._send(200, "text/html", body, Content_Encoding="gzip")

    def _route_slow_headers(self) -> None:
        if not self.server.release.wait(SERVER_WAIT_S):
            self._send(200, "text/html", b"<html>too late</html>")

    def _route_drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            if self.server.release.wait(0.05):
                return
            self.wfile.write(b"x")
            self.wfile.flush()

    def _stream_zeros(self, headers: dict[str, str]) -> None:
        """Zeros, 64 KiB at a time, until the client hangs up (or 2 GiB, or SERVER_WAIT_S)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        chunk = bytes(64 * 1024)
        started = time.monotonic()
        for _ in range(HUGE_BYTES // len(chunk)):
            if time.monotonic() - started > SERVER_WAIT_S:
                return
            self.wfile.write(chunk)


def _rss(base: str) -> str:
    """An RSS feed: one teaser linking to /page/1, one linking to a missing page."""
    return f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Loopback Wire</title>
<item><title>Checkpoint attacked</title><link>{base}/page/1</link><guid>lw-1</guid>
<pubDate>Mon, 04 Nov 2018 22:00:00 GMT</pubDate>
<description>Two policemen were killed near Khanaqin.</description></item>
<item><title>Missing</title><link>/missing</link><guid>lw-2</guid>
<description>A bomb wounded a farmer in Qara Tapa.</description></item>
</channel></rss>"""


def _atom(base: str) -> str:
    """An Atom feed whose one entry is a teaser for /page/2."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Loopback Chronicle</title>
<entry><id>tag:loopback,2019:2</id><title>Post attacked</title>
<link href="{base}/page/2"/><updated>2019-07-22T06:10:00Z</updated>
<summary>Militants attacked a peshmerga post.</summary></entry>
</feed>"""


class _Server(ThreadingHTTPServer):
    """The fixture server, with what the tests check afterwards."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[str] = []
        self.user_agents: list[str] = []
        self.stopped = threading.Event()  # set when a streaming handler saw the client leave
        self.release = threading.Event()  # set at teardown: slow handlers give up
        self.other_port = 0


def _serve(server: _Server):
    """Run a server in a thread; return a function that stops it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(SERVER_WAIT_S)

    return stop


@pytest.fixture(scope="module")
def servers():
    """The fixture server and a second one on another port that no test may reach."""
    main, other = _Server(), _Server()
    main.other_port = other.server_port
    stops = [_serve(main), _serve(other)]
    yield main, other
    for stop in stops:
        stop()


@pytest.fixture
def server(servers):
    """The fixture server, its records of hits cleared."""
    main, other = servers
    for record in (main.hits, main.user_agents, other.hits):
        record.clear()
    main.stopped.clear()
    return main


@pytest.fixture
def base(server):
    """The fixture server's URL."""
    return f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def policy(server):
    """A policy that lets through the fixture server only (not the other port)."""
    return FetchPolicy(allowed_hosts=frozenset({f"127.0.0.1:{server.server_port}"}), timeout=5)


def test_fetch_gets_html_page_with_media_type_and_charset(base, policy):
    fetched = fetch(f"{base}/article", policy)
    assert (fetched.status, fetched.media_type, fetched.charset) == (200, "text/html", "utf-8")
    assert b"Khanaqin" in fetched.body


def test_fetch_names_incidex_in_user_agent(server, base, policy):
    fetch(f"{base}/article", policy)
    assert server.user_agents == [USER_AGENT]
    assert USER_AGENT.startswith("incidex/")


def test_fetch_follows_redirects_on_same_server(base, policy):
    fetched = fetch(f"{base}/redirect-here", policy)
    assert fetched.url == f"{base}/article"
    assert fetched.redirects == (f"{base}/redirect-here", f"{base}/redirect-again")


def test_fetch_refuses_redirect_to_other_port_without_connecting(servers, base, policy):
    _, other = servers
    with pytest.raises(RefusedError) as caught:
        fetch(f"{base}/redirect-other", policy)
    assert str(caught.value) == (
        f"{base}/redirect-other: after a redirect to http://127.0.0.1:{other.server_port}/article: "
        "refused: 127.0.0.1 is a loopback address; pass --allow-private to fetch from your own network"
    )
    assert other.hits == []


def test_fetch_refuses_redirect_to_private_address(base, policy):
    started = time.monotonic()
    with pytest.raises(RefusedError, match=re.escape("10.255.255.1 is a private address")):
        fetch(f"{base}/redirect-private", policy)
    assert time.monotonic() - started < 1  # refused, not timed out connecting


def test_fetch_refuses_redirect_to_file_scheme(base, policy):
    with pytest.raises(RefusedError, match="only http and https"):
        fetch(f"{base}/redirect-file", policy)


def test_fetch_gives_up_after_five_redirects(server, base, policy):
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(f"{base}/redirect-loop", policy)
    assert len(server.hits) == 6


@pytest.mark.parametrize(
    ("path", "status", "advice"),
    [
        ("/missing", 404, "not found; check the URL"),
        ("/gone", 410, "not found"),
        ("/broken", 503, "try again later"),
    ],
)
def test_fetch_explains_error_status(base, policy, path, status, advice):
    with pytest.raises(HTTPStatusError, match=f"HTTP {status}") as caught:
        fetch(base + path, policy)
    assert caught.value.status == status
    assert advice in str(caught.value)
    assert str(caught.value).startswith(base + path)


def test_fetch_refuses_claimed_2gb_body_before_reading(server, base, policy):
    started = time.monotonic()
    with pytest.raises(
        TooLargeError, match=re.escape("the response is 2.1 GB, over the 10 MiB limit")
    ):
        fetch(f"{base}/huge", policy)
    assert time.monotonic() - started < 2
    assert server.stopped.wait(SERVER_WAIT_S)  # the server noticed and stopped writing


def test_fetch_stops_endless_body_at_limit(server, base, policy):
    small = FetchPolicy(allowed_hosts=policy.allowed_hosts, timeout=5, max_bytes=SMALL_LIMIT)
    started = time.monotonic()
    with pytest.raises(TooLargeError, match="stopped reading at the 1 MiB limit"):
        fetch(f"{base}/endless", small)
    assert time.monotonic() - started < 2
    assert server.stopped.wait(SERVER_WAIT_S)


def test_fetch_stops_inflating_gzip_bomb_at_limit(base, policy):
    small = FetchPolicy(allowed_hosts=policy.allowed_hosts, timeout=5, max_bytes=SMALL_LIMIT)
    with pytest.raises(TooLargeError, match="1 MiB limit"):
        fetch(f"{base}/bomb", small)


@pytest.mark.parametrize("path", ["/slow-headers", "/drip"])
def test_fetch_times_out_on_slow_server(base, policy, path):
    quick = FetchPolicy(allowed_hosts=policy.allowed_hosts, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=re.escape("timed out after 0.5 s")):
        fetch(base + path, quick)
    assert time.monotonic() - started < 2


def test_fetch_refuses_loopback_without_allowance_before_connecting(server, base):
    with pytest.raises(RefusedError) as caught:
        fetch(f"{base}/article", FetchPolicy())
    assert str(caught.value) == (
        f"{base}/article: refused: 127.0.0.1 is a loopback address; "
        "pass --allow-private to fetch from your own network"
    )
    assert server.hits == []


def test_fetch_allows_every_private_address_with_allow_private(base):
    assert fetch(f"{base}/article", FetchPolicy(allow_private=True)).status == 200


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://10.255.255.1/", "private"),
        ("https://192.168.0.1/admin", "private"),
        ("http://localhost:9/", "loopback"),
        ("http://[::1]:9/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://100.64.0.1/", "non-public"),
    ],
)
def test_fetch_refuses_non_public_addresses_before_connecting(url, kind):
    started = time.monotonic()
    with pytest.raises(RefusedError, match=f"is a {kind} address"):
        fetch(url, FetchPolicy(timeout=5))
    assert time.monotonic() - started < 1


def test_fetch_allowed_host_must_match_port(server):
    wrong_port = FetchPolicy(allowed_hosts=frozenset({f"127.0.0.1:{server.server_port + 1}"}))
    with pytest.raises(RefusedError):
        fetch(f"http://127.0.0.1:{server.server_port}/article", wrong_port)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/file", "only http and https URLs are fetched, not 'ftp'"),
        ("file:///etc/passwd", "not 'file'"),
        ("http:///nohost", "no host name"),
        ("http://example.org:99999/", "port is not a number"),
    ],
)
def test_fetch_refuses_bad_urls(url, message):
    with pytest.raises(FetchError, match=message):
        fetch(url)


def test_read_url_reads_html_article(base, policy):
    [article] = read_url(f"{base}/article", policy)
    assert (article.id, article.url, article.origin) == (f"{base}/article",) * 3
    assert "Khanaqin" in article.html
    assert article.text == ""


def test_read_url_decodes_by_header_charset(base, policy):
    [article] = read_url(f"{base}/latin1", policy)
    assert "Attentat à Kirkouk, dit Jérôme" in article.html


def test_read_url_keeps_plain_text(base, policy):
    [article] = read_url(f"{base}/notes.txt", policy)
    assert (article.text, article.html) == ("A bomb exploded near a market in Tuz Khurmatu.", None)


def test_read_url_refuses_image(base, policy):
    [error] = read_url(f"{base}/image.png", policy)
    assert isinstance(error, InputError)
    assert error.message == "not an article: the server sent image/png"


def test_read_url_fetches_full_pages_of_rss_teasers(server, base, policy):
    first, error, summary = read_url(
        f"{base}/feed.rss", policy, partial(fetch_article, policy=policy)
    )
    assert (first.id, first.source, first.published) == ("lw-1", "Loopback Wire", "2018-11-04")
    assert "Full page one" in first.html
    assert first.origin == f"{base}/feed.rss#1"
    assert isinstance(error, InputError)
    assert "HTTP 404" in error.message
    assert (summary.id, summary.text) == ("lw-2", "A bomb wounded a farmer in Qara Tapa.")
    assert server.hits == ["/feed.rss", "/page/1", "/missing"]


def test_read_url_keeps_teasers_without_fetcher(server, base, policy):
    records = list(read_url(f"{base}/feed.rss", policy))
    assert [r.text for r in records] == [
        "Two policemen were killed near Khanaqin.",
        "A bomb wounded a farmer in Qara Tapa.",
    ]
    assert server.hits == ["/feed.rss"]


def test_read_url_decodes_feed_by_header_charset(base, policy):
    [article] = read_url(f"{base}/arabic.rss", policy)
    assert (article.source, article.text) == ("صوت العراق", "انفجار في بعقوبة")


@pytest.mark.parametrize("path", ["/feed.atom", "/feed-as-html"])
def test_read_inputs_reads_atom_feed_and_its_pages(base, policy, path):
    [article] = read_inputs([base + path], policy)
    assert (article.id, article.source) == ("tag:loopback,2019:2", "Loopback Chronicle")
    assert (article.title, article.url) == ("Post attacked", f"{base}/page/2")
    assert "Full page two" in article.html


def test_read_inputs_fetches_feed_links_under_same_policy(servers, policy, tmp_path):
    """Items linking to a port the policy does not allow are refused, their summary kept."""
    _, other = servers
    path = tmp_path / "feed.rss"
    path.write_text(_rss(f"http://127.0.0.1:{other.server_port}"), encoding="utf-8")
    error, first, second = read_inputs([path], policy)
    assert (error.source, first.origin) == (f"{path}#1", f"{path}#1")
    assert "loopback address" in error.message
    assert first.text == "Two policemen were killed near Khanaqin."
    assert second.url == "/missing"  # relative link in a file: nothing to fetch
    assert other.hits == []


@pytest.mark.parametrize("path", ["/laughs.rss", "/xxe.rss"])
def test_read_inputs_refuses_unsafe_feed_from_url(base, policy, path):
    [error] = read_inputs([base + path], policy)
    assert isinstance(error, InputError)
    assert error.source == base + path
    assert "entity declarations, which are refused for safety" in error.message


def test_read_inputs_goes_on_after_bad_url(base, policy):
    records = list(
        read_inputs([f"{base}/missing", "http://10.255.255.1/", f"{base}/article"], policy)
    )
    assert [type(r) for r in records] == [InputError, InputError, Article]
    assert "HTTP 404" in records[0].message
    assert "private address" in records[1].message


def test_read_inputs_refuses_loopback_url_by_default(server, base):
    [error] = read_inputs([f"{base}/article"])
    assert "loopback address" in error.message
    assert server.hits == []


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """The fixture server over HTTPS, with a self-signed certificate for 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = _Server()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    stop = _serve(server)
    yield server, cert
    stop()


def test_fetch_refuses_untrusted_certificate(tls_server):
    server, _ = tls_server
    allowed = FetchPolicy(allowed_hosts=frozenset({f"127.0.0.1:{server.server_port}"}), timeout=5)
    with pytest.raises(FetchError, match="TLS failed"):
        fetch(f"https://127.0.0.1:{server.server_port}/article", allowed)


def test_fetch_gets_https_page_from_trusted_server(tls_server, monkeypatch):
    server, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # OpenSSL's default trust store, for this test
    allowed = FetchPolicy(allowed_hosts=frozenset({f"127.0.0.1:{server.server_port}"}), timeout=5)
    fetched = fetch(f"https://127.0.0.1:{server.server_port}/article", allowed)
    assert b"Khanaqin" in fetched.body
