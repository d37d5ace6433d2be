"""Watching feeds served by a real HTTP server on loopback, whose content changes between polls."""

from __future__ import annotations

import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from incidex.cli import app
from incidex.watch import parse_duration

SERVER_WAIT_S = 5.0  # longest the teardown waits for the server thread
SHUTDOWN_POLL_S = 0.02  # how often the server checks for shutdown (default 0.5 s a test)
PAGE = (
    "<html><head><title>{title}</title></head>"
    "<body><article><h1>{title}</h1>{body}</article></body></html>"
)
BAQUBA_11 = (
    "<p>A car bomb exploded in a crowded market in Baquba on Tuesday morning, killing 11 people "
    "and wounding 20 others, police said.</p><p>The blast struck as shoppers gathered near the "
    "vegetable stalls in the centre of the city. No group claimed the attack.</p>"
)
BAQUBA_13 = (
    "<p>Thirteen people were killed when an explosives-laden car blew up at a busy marketplace in "
    "the Diyala provincial capital Baquba on Tuesday, a health official said on Wednesday.</p>"
    "<p>Several shops were destroyed, witnesses said.</p>"
)
KIRKUK_FULL = (
    "Gunmen opened fire on an army checkpoint on the southern edge of Kirkuk on Monday night, "
    "killing three soldiers and wounding two others, a security source said. The attackers fled "
    "in a pickup truck towards the villages west of the city, and troops closed the main road to "
    "Baghdad for several hours while they searched the area. No group said it carried out the "
    "attack, but officers blamed Islamic State cells that still move through the farmland there."
)


class _Handler(BaseHTTPRequestHandler):
    """Answers each GET from the server's route table and logs the path."""

    server: _Server

    def do_GET(self) -> None:
        """One response: the route's status, media type and body, or 404."""
        self.server.hits.append(self.path)
        status, kind, body = self.server.routes.get(self.path, (404, "text/html", b"not here"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    """A loopback server whose routes the tests change, with a log of the paths asked for."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[str] = []
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.base = f"http://127.0.0.1:{self.server_port}"

    def serve_feed(self, *items: str) -> None:
        """Serve an RSS feed of these items at /feed.rss."""
        rss = (
            '<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>Loopback Wire</title>{''.join(items)}</channel></rss>"
        )
        self.routes["/feed.rss"] = (200, "application/rss+xml", rss.encode())

    def serve_page(self, path: str, title: str, body: str) -> None:
        """Serve an article page."""
        page = PAGE.format(title=title, body=body).encode()
        self.routes[path] = (200, "text/html; charset=utf-8", page)

    def teaser(self, guid: str, path: str, day: str) -> str:
        """An RSS item that only carries a teaser: the article is behind its link."""
        return (
            f"<item><title>Market bombing</title><guid>{guid}</guid><link>{self.base}{path}</link>"
            f"<pubDate>{day} Jun 2021 08:00:00 GMT</pubDate>"
            "<description>A bombing in Baquba.</description></item>"
        )


@pytest.fixture
def server():
    """A running loopback server, stopped at teardown."""
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(SERVER_WAIT_S)


@pytest.fixture
def feed(server):
    """The feed's URL; it holds a teaser for a Baquba page and a full Kirkuk item."""
    server.serve_page("/page/1", "Bomb kills 11 at Baquba market", BAQUBA_11)
    server.serve_page("/page/2", "Never fetched: the item has its full text", "<p>Nothing.</p>")
    full = (
        f"<item><title>Soldiers killed in Kirkuk</title><guid>w-2</guid>"
        f"<link>{server.base}/page/2</link><pubDate>Tue, 15 Jun 2021 07:00:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[<p>{KIRKUK_FULL}</p>]]></content:encoded></item>"
    )
    server.serve_feed(server.teaser("w-1", "/page/1", "Tue, 15"), full)
    return f"{server.base}/feed.rss"


def watch(*args: object, polls: int = 1):
    """Run `incidex watch` over the arguments, as a user would, loopback allowed."""
    options = ["--polls", str(polls), "--allow-private"]
    return CliRunner().invoke(app, ["watch", *map(str, args), *options])


def _lines(output: str) -> list[str]:
    return output.strip().splitlines()


def _events(output: str, status: str) -> list[int]:
    """Ids of the events printed with this status."""
    return [int(n) for n in re.findall(rf"\b{status} event (\d+):", output)]


def test_watch_prints_a_new_event_line_per_new_event(feed, db_path):
    result = watch(feed, "--db", db_path)
    assert result.exit_code == 0, result.output
    assert len(_events(result.stdout, "new")) == 2 == len(_lines(result.stdout))
    assert "bombing on 2021-06-15 in Baqubah, Diyala, 11 killed (1 source)" in result.stdout
    assert f"{feed}: 2 new items" in result.stderr


def test_watch_fetches_only_teaser_pages(server, feed, db_path):
    watch(feed, "--db", db_path)
    assert server.hits == ["/feed.rss", "/page/1"]


def test_watch_next_run_updates_event_and_skips_old_items(server, feed, db_path):
    first = watch(feed, "--db", db_path).stdout
    (baquba,) = map(int, re.findall(r"new event (\d+): bombing on 2021-06-15 in Baqubah", first))
    server.serve_page("/page/3", "Death toll rises in Baquba blast", BAQUBA_13)
    server.serve_feed(
        server.teaser("w-1", "/page/1", "Tue, 15"),
        server.teaser("w-3", "/page/3", "Wed, 16"),
    )
    server.hits.clear()
    result = watch(feed, "--db", db_path)
    assert result.exit_code == 0, result.output
    assert len(_lines(result.stdout)) == 1
    assert _events(result.stdout, "updated") == [baquba]
    assert "11 killed (2 sources)" in result.stdout
    assert server.hits == ["/feed.rss", "/page/3"]


def test_watch_same_feed_again_prints_nothing(server, feed, db_path):
    watch(feed, "--db", db_path)
    server.hits.clear()
    result = watch(feed, "--db", db_path)
    assert (result.exit_code, result.stdout, server.hits) == (0, "", ["/feed.rss"])
    assert f"{feed}: 0 new items" in result.stderr


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ((500, "text/html", b"<html>oops</html>"), "HTTP 500"),
        ((200, "application/rss+xml", b"<rss><channel><item><title>cut off"), "not well-formed"),
        ((200, "application/octet-stream", bytes(range(256))), "not an article"),
        (
            (200, "text/html", b"<html><body><p>Service unavailable.</p></body></html>"),
            "not an RSS",
        ),
        (None, "cannot connect"),
    ],
    ids=["server error", "truncated feed", "binary garbage", "web page", "closed port"],
)
def test_watch_reports_bad_feed_and_goes_on_with_next(server, feed, db_path, route, message):
    bad = f"http://127.0.0.1:{_closed_port()}/feed.rss"
    if route is not None:
        server.routes["/bad.rss"] = route
        bad = f"{server.base}/bad.rss"
    result = watch(bad, feed, "--db", db_path)
    assert result.exit_code == 0, result.output
    assert re.search(rf"error: {re.escape(bad)}: .*{message}", result.stderr)
    assert len(_events(result.stdout, "new")) == 2


def test_watch_polls_a_down_feed_again_next_time(server, db_path):
    server.routes["/feed.rss"] = (503, "text/html", b"busy")
    result = watch(f"{server.base}/feed.rss", "--db", db_path, "--every", "0.01s", polls=2)
    assert result.exit_code == 0
    assert server.hits == ["/feed.rss", "/feed.rss"]
    assert result.stderr.count("HTTP 503") == 2


def test_watch_refuses_loopback_feed_without_allow_private(server, feed, db_path):
    result = CliRunner().invoke(app, ["watch", feed, "--db", str(db_path), "--polls", "1"])
    assert "--allow-private" in result.stderr
    assert server.hits == []


@pytest.mark.parametrize("every", ["soon", "15 minutes", "0s", "-5m", "1w"])
def test_watch_refuses_bad_every(db_path, every):
    result = watch("http://127.0.0.1:9/feed.rss", "--db", db_path, "--every", every)
    assert result.exit_code == 2
    assert "--every" in result.stderr and "is not a duration like 30s, 15m or 2h" in result.stderr
    assert not db_path.exists()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1.5h", 5400),
     (" 2H ", 7200), ("10 m", 600)],
)  # fmt: skip
def test_parse_duration_reads_number_and_unit(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "0", "0.0s", "-5m", "1w", "15 minutes", "2h30m", "1e3"])
def test_parse_duration_refuses_anything_else(text):
    with pytest.raises(ValueError, match="is not a duration like 30s, 15m or 2h"):
        parse_duration(text)
