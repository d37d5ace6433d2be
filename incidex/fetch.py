"""Fetching one URL safely: only public web servers, bounded in time, size and redirects.

Every hop of a redirect chain is checked before connecting: the host is resolved and refused
when any of its addresses is private, loopback, link-local or otherwise not public, unless the
policy allows it. The connection then goes to the address that was checked, so a name that
resolves differently a moment later cannot slip past the check.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import quote, urljoin, urlsplit

from incidex import __version__

TIMEOUT_S = 15.0  # seconds for a whole fetch, connecting and reading, redirects included
MAX_BYTES = 10 * 2**20  # 10 MiB: no article or feed is bigger; a larger body is refused
MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024  # bytes read (or inflated) at a time while streaming a body
USER_AGENT = f"incidex/{__version__} (news-incident extraction; +https://pypi.org/project/incidex/)"
ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.8, */*;q=0.1"
)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_PRIVATE_HINT = "pass --allow-private to fetch from your own network"
_PATH_SAFE = "/?&=%:@!$'()*+,;~[]-._"  # characters left as they are in a request target
#: Not public, though `ipaddress` counts them global before Python 3.12.4: the IETF protocol
#: block (Oracle Cloud's metadata service answers at 192.0.0.192) and deprecated IPv6
#: site-local addresses, still routed inside some networks.
_ALSO_NON_PUBLIC = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("fec0::/10"))


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may do: which addresses it may reach, how long and how much it may read.

    `allowed_hosts` holds 'host:port' strings let through even when they are private (a
    trusted server of your own); `allow_private` lets every private address through.
    """

    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    timeout: float = TIMEOUT_S
    max_bytes: int = MAX_BYTES


@dataclass(frozen=True)
class Fetched:
    """A successful response: the final URL after redirects, its media type and its body."""

    url: str
    status: int
    media_type: str
    charset: str | None
    body: bytes
    redirects: tuple[str, ...] = ()


class FetchError(Exception):
    """A URL that could not be fetched; the message says why and what to do."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message


class RefusedError(FetchError):
    """The policy forbids the URL: its scheme, or an address it resolves to."""


class FetchTimeoutError(FetchError):
    """The server did not answer in time."""


class TooLargeError(FetchError):
    """The body is over the size limit."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, url: str, message: str, status: int) -> None:
        super().__init__(url, message)
        self.status = status


def fetch(url: str, policy: FetchPolicy | None = None) -> Fetched:
    """GET a URL under the policy, following up to MAX_REDIRECTS redirects, each one checked.

    Returns the final response with its whole body; raises a FetchError subclass otherwise.
    """
    policy = policy or FetchPolicy()
    deadline = time.monotonic() + policy.timeout
    hops: list[str] = []
    current = url
    while True:
        try:
            response = _get(current, policy, deadline)
        except FetchError as error:
            if hops:  # name the original URL, and the hop that failed
                error.url, error.message = url, f"after a redirect to {current}: {error.message}"
                error.args = (f"{url}: {error.message}",)
            raise
        if isinstance(response, Fetched):
            return replace(response, redirects=tuple(hops))
        if len(hops) >= MAX_REDIRECTS:
            raise FetchError(url, f"more than {MAX_REDIRECTS} redirects; giving up")
        hops.append(current)
        try:
            current = urljoin(current, response)
        except ValueError as error:
            message = f"redirected to {response[:200]!r}, not a valid URL ({error})"
            raise FetchError(url, message) from None


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """The media type (lower case) and charset of a Content-Type header value."""
    if not content_type:
        return "", None
    kind, *params = content_type.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(" \"'"):
            charset = value.strip(" \"'").lower()
    return kind.strip().lower(), charset


@dataclass(frozen=True)
class _Target:
    """One URL taken apart: what a connection to it needs."""

    url: str
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_port(self) -> str:
        """'host:port' as FetchPolicy.allowed_hosts holds it (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _parse(url: str) -> _Target:
    """Scheme, host, port and request path of an http or https URL, or a RefusedError."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:  # "http://[::1": a bracketed host that is no IPv6 address
        raise FetchError(url, f"not a valid URL ({error}); check the URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedError(url, f"refused: only http and https URLs are fetched, not {scheme!r}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchError(url, "the port is not a number from 0 to 65535; check the URL") from None
    if not parts.hostname:
        raise FetchError(url, "the URL has no host name; check the URL")
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE)
    return _Target(url, scheme, parts.hostname.lower(), port, path)


def _addresses(target: _Target, policy: FetchPolicy) -> list[str]:
    """The host's addresses, all checked against the policy before any connection."""
    addresses = [target.host] if _is_ip(target.host) else _resolve(target)
    if not (policy.allow_private or target.host_port in policy.allowed_hosts):
        for address in addresses:
            _check_public(target.url, address)
    return addresses


def _is_ip(host: str) -> bool:
    """True for an IP address literal, which needs no resolving."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(target: _Target) -> list[str]:
    """Every address the host name resolves to, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(
            target.url, f"cannot resolve host {target.host} ({error}); check the URL"
        ) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _check_public(url: str, address: str) -> None:
    """Refuse an address that is not on the public internet, saying what kind it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # an IPv4-mapped address is that IPv4 address; a 6to4 one (2002:7f00:1::) is
        # tunnelled to the IPv4 address it carries
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    kinds = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global or any(ip in net for net in _ALSO_NON_PUBLIC)),
    )
    for kind, matches in kinds:
        if matches:
            raise RefusedError(url, f"refused: {ip} is a {kind} address; {_PRIVATE_HINT}")


def _get(url: str, policy: FetchPolicy, deadline: float) -> Fetched | str:
    """One request: the response, or the Location a redirect points to."""
    target = _parse(url)
    addresses = _addresses(target, policy)
    connection = _connect(target, addresses, policy, deadline)
    watchdog = _Watchdog(connection, deadline)
    try:
        result = _exchange(target, connection, policy)
    except (OSError, http.client.HTTPException) as error:
        if watchdog.fired or isinstance(error, TimeoutError):
            raise _timeout(url, policy) from None
        raise FetchError(url, f"connection failed ({error}); try again later") from None
    finally:
        watchdog.cancel()
        connection.close()
    if watchdog.fired:  # the cut connection may have looked like the end of the body
        raise _timeout(url, policy)
    return result


def _timeout(url: str, policy: FetchPolicy) -> FetchTimeoutError:
    """The error for a fetch that ran out of time."""
    return FetchTimeoutError(
        url,
        f"timed out after {policy.timeout:g} s: the server is too slow or unreachable; "
        "try again later",
    )


class _Watchdog:
    """Cuts a connection at the deadline, so no slow server can hold a fetch longer.

    Socket timeouts bound each read, not their sum: a server sending one byte a second
    would never trip them.
    """

    def __init__(self, connection: _PinnedConnection, deadline: float) -> None:
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        """Shut the socket down, waking the read blocked on it."""
        self.fired = True
        sock = self._connection.pinned_sock
        if sock is not None:
            with contextlib.suppress(OSError):  # closed by the reader meanwhile
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        """Stop the timer once the exchange is over."""
        self._timer.cancel()


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to one checked address, the host name kept for Host and TLS."""

    def __init__(self, target: _Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address
        self._tls = target.scheme == "https"
        # kept after http.client hands the socket to a response and drops self.sock
        self.pinned_sock: socket.socket | None = None

    def connect(self) -> None:
        """Connect to the checked address, never to a fresh resolution of the name."""
        sock = socket.create_connection((self._address, self.port), self.timeout)
        if self._tls:
            try:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
            except OSError:
                sock.close()
                raise
        self.sock = self.pinned_sock = sock


def _connect(
    target: _Target, addresses: list[str], policy: FetchPolicy, deadline: float
) -> _PinnedConnection:
    """A connection to the first of the checked addresses that answers."""
    failure: Exception | None = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection = _PinnedConnection(target, address, remaining)
        try:
            connection.connect()
        except ssl.SSLError as error:
            connection.close()
            raise FetchError(target.url, f"TLS failed ({error.reason or error})") from None
        except OSError as error:
            connection.close()
            failure = error
            continue
        return connection
    if failure is None or isinstance(failure, TimeoutError):
        raise _timeout(target.url, policy)
    raise FetchError(
        target.url, f"cannot connect to {target.host_port} ({failure}); check the URL or retry"
    )


def _exchange(target: _Target, connection: _PinnedConnection, policy: FetchPolicy) -> Fetched | str:
    """Send the GET and read the answer: a Fetched, or the Location of a redirect."""
    connection.request(
        "GET",
        target.path,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip"},
    )
    with connection.getresponse() as response:
        if response.status in REDIRECT_STATUSES:
            location = response.getheader("Location")
            if not location:
                raise FetchError(target.url, f"HTTP {response.status} redirect without a Location")
            return location
        if not 200 <= response.status < 300:
            raise _status_error(target.url, response)
        body = _read_body(target.url, response, policy.max_bytes)
        kind, charset = media_type(response.getheader("Content-Type"))
        return Fetched(target.url, response.status, kind, charset, body)


def _status_error(url: str, response: http.client.HTTPResponse) -> HTTPStatusError:
    """A clear error for a 4xx or 5xx answer."""
    status = response.status
    if status in (404, 410):
        advice = "not found; check the URL"
    elif status in (401, 403):
        advice = "access denied; the page needs a login or refuses crawlers"
    elif status == 429 or status >= 500:
        advice = "the server is busy or failing; try again later"
    else:
        advice = "the server refused the request"
    return HTTPStatusError(url, f"HTTP {status} {response.reason}: {advice}", status)


def _read_body(url: str, response: http.client.HTTPResponse, limit: int) -> bytes:
    """The body, streamed and inflated, refused as soon as it passes the size limit."""
    declared = response.getheader("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        size = _size(int(declared))
        raise TooLargeError(url, f"the response is {size}, over the {_mib(limit)} limit")
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    parts: list[bytes] = []
    size = 0
    for part in _decoded(url, _raw_chunks(response), encoding):
        size += len(part)
        if size > limit:
            raise TooLargeError(url, f"stopped reading at the {_mib(limit)} limit")
        parts.append(part)
    return b"".join(parts)


def _size(size: int) -> str:
    """A body size for messages, in MB or GB."""
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"


def _mib(limit: int) -> str:
    """A byte limit for messages: '10 MiB', or bytes when under one MiB."""
    return f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit} bytes"


def _raw_chunks(response: http.client.HTTPResponse) -> Iterator[bytes]:
    """The body as it arrives, a chunk at a time."""
    while chunk := response.read(CHUNK_BYTES):
        yield chunk


def _decoded(url: str, chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """Chunks with the content encoding undone; inflation is bounded so a zip bomb stays small."""
    if encoding in ("identity", ""):
        yield from chunks
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(url, f"the server sent an unsupported content encoding {encoding!r}")
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # 32: gzip or zlib header, detected
    try:
        for chunk in chunks:
            pending = chunk
            while pending:
                yield inflater.decompress(pending, CHUNK_BYTES)
                pending = inflater.unconsumed_tail
    except zlib.error as error:
        raise FetchError(url, f"the compressed body is corrupt ({error})") from None
