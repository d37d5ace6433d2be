"""API latency under concurrent clients, on a database of a million events.

Builds (once, then cached) a synthetic database of `--events` events (bench/eventdb.py),
starts `incidex serve` on it on 127.0.0.1, and runs `--clients` concurrent keep-alive
clients against the main queries one query at a time: a warm-up, then `--seconds` of
requests (at most `--requests`). Prints per query the requests, median, 95th percentile
and maximum latency, throughput and errors.

    python bench/api_latency.py [--events 1000000] [--clients 50] [--seconds 10] [--db PATH]

The client is a minimal asyncio HTTP/1.1 client: on a 2-core machine the load generator
shares the cores with the server, and a full client library would take a larger share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from common import WORK_DIR, is_url, machine, percentile, table
from eventdb import ensure_postgresql, ensure_sqlite

from incidex.store import Store

MakePath = Callable[[random.Random], str]
READY_TIMEOUT = 60.0  # seconds for the server to answer its first request
REQUEST_TIMEOUT = 120.0  # seconds one request may take before it counts as an error


@dataclass(frozen=True)
class Sample:
    """Values the query paths are drawn from, read from the database being served."""

    events: int
    provinces: list[tuple[str, str]]  # (country, admin1), the busiest first
    countries: list[str]


def _sample(store: Store) -> Sample:
    """The busiest provinces and countries and the number of events, to draw filters from."""
    conn = store.conn
    (events,) = conn.execute("SELECT max(id) FROM events").fetchone()
    provinces = conn.execute(
        "SELECT country, admin1 FROM events WHERE admin1 IS NOT NULL"
        " GROUP BY country, admin1 ORDER BY count(*) DESC LIMIT 20"
    ).fetchall()
    countries = conn.execute(
        "SELECT country FROM events WHERE country IS NOT NULL"
        " GROUP BY country ORDER BY count(*) DESC LIMIT 5"
    ).fetchall()
    return Sample(int(events or 0), [tuple(p) for p in provinces], [c[0] for c in countries])


def _month(rng: random.Random, first: int = 2010, last: int = 2025) -> tuple[int, int]:
    return rng.randint(first, last), rng.randint(1, 12)


def _range(rng: random.Random) -> dict[str, str]:
    """A three-month window somewhere in 2010-2025."""
    year, month = _month(rng)
    end_year, end_month = (year, month + 2) if month <= 10 else (year + 1, month - 10)
    return {"since": f"{year}-{month:02d}", "until": f"{end_year}-{end_month:02d}"}


def _year(rng: random.Random) -> dict[str, str]:
    """One year somewhere in 2010-2025."""
    year = str(rng.randint(2010, 2025))
    return {"since": year, "until": year}


def queries(sample: Sample) -> list[tuple[str, MakePath]]:
    """The main queries of the workbench page and API users, as path makers.

    Each request draws its own filter values, so the server cannot answer from one hot
    page of the database.
    """
    types = ("bombing", "armed_assault", "kidnapping", "indirect_fire", "suicide_bombing")
    names = ("islamic", "shabaab", "taliban", "gunmen", "boko", "pkk", "houthi")

    def get(path: str, **params: object) -> str:
        return f"{path}?{urlencode(params)}" if params else path

    def province(rng: random.Random) -> dict[str, str]:
        country, admin1 = rng.choice(sample.provinces)
        return {"country": country, "admin1": admin1}

    return [
        ("events (first page)", lambda rng: get("/api/events")),
        ("events ?country", lambda rng: get("/api/events", country=rng.choice(sample.countries))),
        ("events ?admin1", lambda rng: get("/api/events", **province(rng))),
        ("events ?since&until", lambda rng: get("/api/events", **_range(rng))),
        ("events ?type", lambda rng: get("/api/events", type=rng.choice(types))),
        ("events ?perpetrator", lambda rng: get("/api/events", perpetrator=rng.choice(names))),
        ("events ?sort=-killed", lambda rng: get("/api/events", sort="-killed")),
        ("event by id", lambda rng: get(f"/api/events/{rng.randint(1, sample.events)}")),
        ("aggregates by month", lambda rng: get("/api/aggregates", by="month")),
        (
            "aggregates by admin1 ?country",
            lambda rng: get("/api/aggregates", by="admin1", country=rng.choice(sample.countries)),
        ),
        (
            "aggregates by type ?since",
            lambda rng: get("/api/aggregates", by="attack_type", since=_year(rng)["since"]),
        ),
        (
            "geojson ?admin1&year",
            lambda rng: get("/api/events.geojson", **province(rng), **_year(rng)),
        ),
        ("incidents (first page)", lambda rng: get("/api/incidents")),
        ("incidents ?admin1", lambda rng: get("/api/incidents", **province(rng))),
    ]


@dataclass
class Result:
    """Latencies (seconds) and errors of one query's timed phase."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0


class Client:
    """One keep-alive HTTP/1.1 connection; reconnects after an error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """GET `path`, read the whole body, return the status code."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        else:  # chunked
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def _run(
    port: int, make: MakePath, clients: int, seconds: float, limit: int, seed: int
) -> Result:
    """`clients` connections sending requests until `seconds` pass or `limit` are sent."""
    result = Result()
    sent = 0
    start = time.perf_counter()
    deadline = start + seconds

    async def worker(n: int) -> None:
        nonlocal sent
        rng = random.Random(seed * 1000 + n)
        client = Client(port)
        while time.perf_counter() < deadline and sent < limit:
            sent += 1
            t0 = time.perf_counter()
            try:
                status = await asyncio.wait_for(client.get(make(rng)), REQUEST_TIMEOUT)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
                await client.close()
                status = 0
            result.latencies.append(time.perf_counter() - t0)
            if status != 200:
                result.errors += 1
        await client.close()

    await asyncio.gather(*(worker(n) for n in range(clients)))
    result.elapsed = time.perf_counter() - start
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: str, port: int) -> subprocess.Popen[bytes]:
    """`incidex serve` on 127.0.0.1:`port`, once it answers."""
    incidex = Path(sys.executable).with_name("incidex")
    server = subprocess.Popen(
        [str(incidex), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/config", timeout=5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"incidex serve exited with status {server.returncode}") from None
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"incidex serve did not answer within {READY_TIMEOUT:.0f} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the server we started (its own process group) and wait for it."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _database(args: argparse.Namespace) -> str:
    """The database to serve, holding `--events` events (built and cached when missing)."""
    if args.db and is_url(args.db):
        return ensure_postgresql(args.db, args.events)
    path = Path(args.db) if args.db else WORK_DIR / f"events-{args.events}.db"
    return str(ensure_sqlite(path, args.events))


def main(argv: Sequence[str] | None = None) -> None:
    """Build or reuse the database, serve it, and time each query."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the database")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="timed phase per query")
    parser.add_argument("--requests", type=int, default=5_000, help="at most this many per query")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests per query")
    parser.add_argument("--db", help="database path or URL (default: cached in WORK_DIR)")
    parser.add_argument("--only", help="run only the queries whose name contains this")
    args = parser.parse_args(argv)
    db = _database(args)
    with Store.open(db) as store:
        sample = _sample(store)
    print(f"machine: {machine()}")
    print(f"database: {db}, {sample.events:,} events; {args.clients} clients, loopback\n")
    port = _free_port()
    server = start_server(db, port)
    rows = []
    try:
        for n, (name, make) in enumerate(queries(sample)):
            if args.only and args.only not in name:
                continue
            asyncio.run(_run(port, make, args.clients, 60.0, args.warmup, seed=n + 1000))
            result = asyncio.run(_run(port, make, args.clients, args.seconds, args.requests, n))
            ms = sorted(x * 1000 for x in result.latencies)
            count = len(ms)
            rows.append(
                (name, count, f"{percentile(ms, 50):.0f}", f"{percentile(ms, 95):.0f}",
                 f"{max(ms, default=0):.0f}", f"{count / result.elapsed:.1f}", result.errors)
            )  # fmt: skip
            print(f"  {name}: {count} requests, median {rows[-1][2]} ms", flush=True)
    finally:
        stop_server(server)
    print()
    print(table(("query", "requests", "median ms", "p95 ms", "max ms", "req/s", "errors"), rows))
    print("\nload averages after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
