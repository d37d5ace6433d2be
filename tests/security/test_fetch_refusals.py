"""URL fetching refuses what is not the public internet, however the address is spelled.

tests/test_fetch.py covers the plain cases (10.x, 192.168.x, localhost, [::1], mapped
127.0.0.1, 169.254.169.254, 0.0.0.0, multicast, 100.64/10, redirects to 10.x and to another
loopback port). Here: the other spellings of those addresses (decimal, octal, hex, short,
IPv6 with a zone, IPv4 inside IPv6), names that resolve to them, and redirects to each.

No test may reach anything but its own loopback server: `no_stray_connections` fails any
other connection attempt before it is made, so a regression shows as a failure, not as a
request to a metadata service.
"""

from __future__ import annotations

import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from incidex import fetch as fetch_module
from incidex.fetch import FetchError, FetchPolicy, RefusedError, fetch
from incidex.ingest import InputError, read_url

#: Literal spellings of non-public addresses, and the kind the refusal names.
LITERALS = [
    # 127.0.0.1 as inet_aton reads it: decimal, octal, hex, short forms
    ("http://2130706433/", "127.0.0.1 is a loopback"),
    ("http://0177.0.0.1/", "127.0.0.1 is a loopback"),
    ("http://017700000001/", "127.0.0.1 is a loopback"),
    ("http://0x7f.0.0.1/", "127.0.0.1 is a loopback"),
    ("http://0x7f000001/", "127.0.0.1 is a loopback"),
    ("http://127.1/", "127.0.0.1 is a loopback"),
    ("http://127.0.0.2:8080/", "127.0.0.2 is a loopback"),
    ("http://0/", "0.0.0.0 is a unspecified"),
    # the cloud metadata address, and its other spellings
    ("http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254 is a link-local"),
    ("http://2852039166/latest/meta-data/", "169.254.169.254 is a link-local"),
    ("http://0251.0376.0251.0376/", "169.254.169.254 is a link-local"),
    ("http://0xa9fea9fe/", "169.254.169.254 is a link-local"),
    ("http://[::ffff:169.254.169.254]/", "169.254.169.254 is a link-local"),
    ("http://[::ffff:a9fe:a9fe]/", "169.254.169.254 is a link-local"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254 is a private"),  # AWS IPv6
    ("http://192.0.0.192/opc/v1/instance/", "192.0.0.192 is a non-public"),  # Oracle Cloud
    ("http://100.100.100.200/latest/meta-data/", "100.100.100.200 is a non-public"),  # Alibaba
    # IPv6 loopback, unspecified, link-local (with a zone), unique local, site-local
    ("http://[0:0:0:0:0:0:0:1]/", "::1 is a loopback"),
    ("http://[::1]:8000/api/events", "::1 is a loopback"),
    ("http://[0:0:0:0:0:ffff:7f00:1]/", "127.0.0.1 is a loopback"),
    ("http://[::]/", ":: is a unspecified"),
    ("http://[fe80::1]/", "fe80::1 is a link-local"),
    ("http://[fe80::1%25eth0]/", "fe80::1 is a link-local"),
    ("http://[fe80::a9fe:a9fe%251]:80/", "fe80::a9fe:a9fe is a link-local"),
    ("http://[fd00::1]/", "fd00::1 is a private"),
    ("http://[fc00::1]/", "fc00::1 is a private"),
    ("http://[fec0::1]/", "fec0::1 is a non-public"),
    ("http://[ff02::1]/", "ff02::1 is a multicast"),
    # IPv4 carried in IPv6: IPv4-compatible, NAT64, 6to4, Teredo
    ("http://[::127.0.0.1]/", "::7f00:1 is a reserved"),
    ("http://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1 is a reserved"),
    ("http://[2002:7f00:1::]/", "127.0.0.1 is a loopback"),
    ("http://[2002:a9fe:a9fe::1]/", "169.254.169.254 is a link-local"),
    ("http://[2001:0:7f00:1::1]/", "is a private"),
    # Unicode digits and dots, which IDNA folds to 127.0.0.1
    ("http://①②⑦.0.0.1/", "127.0.0.1 is a loopback"),
    ("http://127。0。0。1/", "127.0.0.1 is a loopback"),
    # other private and special IPv4 blocks
    ("http://172.16.0.1/", "172.16.0.1 is a private"),
    ("http://172.31.255.254/", "172.31.255.254 is a private"),
    ("http://198.18.0.1/", "198.18.0.1 is a private"),
    ("http://240.0.0.1/", "240.0.0.1 is a private"),
    ("http://255.255.255.255/", "255.255.255.255 is a private"),
]
#: Names and what the (fake) resolver says they are.
RESOLVED = {
    "localhost": ["127.0.0.1"],
    "localhost.": ["127.0.0.1"],
    "ip6-localhost": ["::1"],
    "metadata.google.internal": ["169.254.169.254"],
    "intranet.example": ["10.1.2.3"],
    "v6-link.example": ["fe80::1%2"],
    # one public address is not enough: every address is checked, any private one refuses
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
    "mixed-v6.example": ["2606:2800:220:1:248:1893:25c8:1946", "::ffff:10.0.0.1"],
}


@pytest.fixture
def server():
    """A loopback server: /article answers, /redirect?to=URL redirects there."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            parts = urlsplit(self.path)
            if parts.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", parse_qs(parts.query)["to"][0])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b"<html><body><p>A page.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.hits = hits  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def own(server) -> FetchPolicy:
    """A policy that lets through the loopback server, as 127.0.0.1:port, and nothing else."""
    return FetchPolicy(allowed_hosts=frozenset({f"127.0.0.1:{server.server_port}"}), timeout=5)


@pytest.fixture(autouse=True)
def no_stray_connections(monkeypatch, request):
    """Connections go to the test's own loopback server or fail the test unattempted."""
    real = socket.create_connection
    allowed = set()
    if "server" in request.fixturenames:
        allowed.add(("127.0.0.1", request.getfixturevalue("server").server_port))
    attempts: list[tuple[str, int]] = []

    def guarded(address, *args, **kwargs):
        if tuple(address) not in allowed:
            attempts.append(tuple(address))
            raise AssertionError(f"fetch tried to connect to {address}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "create_connection", guarded)
    return attempts


@pytest.fixture
def fake_dns(monkeypatch):
    """Resolve the names of RESOLVED as listed; count the look-ups."""
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in RESOLVED:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in RESOLVED[host]
        ]

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.mark.parametrize(("url", "refusal"), LITERALS)
def test_non_public_address_spellings_are_refused(url, refusal, no_stray_connections):
    with pytest.raises(RefusedError, match=re.escape(refusal)):
        fetch(url, FetchPolicy(timeout=5))
    assert no_stray_connections == []


@pytest.mark.parametrize("host", sorted(RESOLVED))
def test_names_resolving_to_non_public_addresses_are_refused(host, fake_dns):
    with pytest.raises(RefusedError, match=r"refused: \S+ is a [a-z-]+ address"):
        fetch(f"http://{host}/", FetchPolicy(timeout=5))
    assert fake_dns == [host]


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",
        "http://[::1]/",
        "http://[fe80::1%25eth0]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0177.0.0.1/",
        "http://0x7f000001/",
        "http://[2002:7f00:1::]/",
        "http://localhost/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://mixed.example/",
        "https://192.0.0.192/",
    ],
)
def test_redirects_to_non_public_addresses_are_refused(server, own, target, fake_dns):
    start = f"http://127.0.0.1:{server.server_port}/redirect?to={quote(target, safe='')}"
    with pytest.raises(RefusedError) as caught:
        fetch(start, own)
    assert caught.value.message.startswith(f"after a redirect to {target}: refused: ")
    assert [urlsplit(hit).path for hit in server.hits] == ["/redirect"]


@pytest.mark.parametrize(
    "spelling",
    ["localhost", "LOCALHOST", "127.1", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]"],
)
def test_allowance_is_for_one_spelling_of_host_and_port(server, own, spelling, fake_dns):
    """The policy lets 127.0.0.1:port through; the same server spelled otherwise is refused."""
    url = f"http://{spelling}:{server.server_port}/article"
    with pytest.raises(RefusedError, match="loopback"):
        fetch(url, own)
    assert server.hits == []
    assert fetch(f"http://127.0.0.1:{server.server_port}/article", own).status == 200


def test_redirect_to_the_allowed_server_under_another_name_is_refused(server, own, fake_dns):
    target = f"http://localhost:{server.server_port}/article"
    with pytest.raises(RefusedError, match=re.escape("127.0.0.1 is a loopback")):
        fetch(f"http://127.0.0.1:{server.server_port}/redirect?to={quote(target, safe='')}", own)
    assert [urlsplit(hit).path for hit in server.hits] == ["/redirect"]


def test_a_name_is_resolved_once_and_the_checked_address_is_used(server, monkeypatch):
    """No second look-up that a rebinding DNS server could answer differently."""
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "rebind.example":  # socket.create_connection resolves the literal again
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "169.254.169.254"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", getaddrinfo)
    allowed = FetchPolicy(allowed_hosts=frozenset({f"rebind.example:{server.server_port}"}))
    fetched = fetch(f"http://rebind.example:{server.server_port}/article", allowed)
    assert fetched.status == 200
    assert lookups == ["rebind.example"]
    assert server.hits == ["/article"]


@pytest.mark.parametrize(
    "url",
    [
        "gopher://127.0.0.1:6379/_INFO",
        "dict://127.0.0.1:11211/stats",
        "file:///etc/passwd",
        "ftp://169.254.169.254/",
        "jar:http://127.0.0.1!/",
        "//169.254.169.254/",
    ],
)
def test_other_schemes_are_refused(url):
    with pytest.raises(RefusedError, match="only http and https"):
        fetch(url, FetchPolicy(timeout=5))


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/",  # urlsplit raised ValueError here, which no caller catches
        "http://[fe80::1%/",
        "http://[fe80::1%25%00]/",
        "http://127.0.0.1%2509/",  # an encoded tab: not a host name, and not resolved as one
        "http://user@:80/",
    ],
)
def test_malformed_urls_fail_as_fetch_errors_without_connecting(url, no_stray_connections):
    with pytest.raises(FetchError):
        fetch(url, FetchPolicy(timeout=5))
    assert no_stray_connections == []


@pytest.mark.parametrize("target", ["http://[::1", "http://[fe80::1%25%00]/x"])
def test_redirect_to_a_malformed_url_is_a_fetch_error(server, own, target):
    start = f"http://127.0.0.1:{server.server_port}/redirect?to={quote(target, safe='')}"
    with pytest.raises(FetchError, match="not a valid URL"):
        fetch(start, own)
    [error] = read_url(start, own)  # a batch gets a message for this input and goes on
    assert isinstance(error, InputError) and "not a valid URL" in error.message
