"""What every route needs: the settings, a database connection per request, auth, filters."""

from __future__ import annotations

import hmac
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from psycopg_pool import PoolTimeout
from starlette.concurrency import run_in_threadpool

from incidex.serve.memo import Memo
from incidex.serve.models import AttackType, Sort
from incidex.store import IncidentFilter, Store, StoreError
from incidex.store.backend import DB_ERRORS, Connection, display

_BUSY_TIMEOUT = 30.0  # seconds a request waits for another writer's lock
#: since / until as the CLI takes them; empty means no bound (the page sends empty fields).
#: ASCII digits only: `\d` would also take Arabic-Indic or full-width digits, which then
#: compare as text with stored dates and silently match nothing.
DATE_PATTERN = r"^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$"
#: Largest integer SQLite stores; larger ids and offsets are refused, not overflowed.
MAX_SQL_INT = 2**63 - 1


@dataclass(frozen=True)
class Settings:
    """How the server was started: the database, the tokens and the map tiles."""

    db_path: Path | str  # a SQLite file or a PostgreSQL URL
    token: str | None = None
    read_token: str | None = None
    tiles: str | None = None


def settings_of(request: Request) -> Settings:
    """The settings `create_app` stored on the application."""
    settings: Settings = request.app.state.settings
    return settings


def _connect(path: Path, *, write: bool) -> sqlite3.Connection:
    """A connection for one request: read-only unless it writes.

    Requests run on a thread pool, so the connection may be used by another thread than
    the one that opened it, but never by two at once. A read-only connection to a WAL
    database needs its -shm file; in a directory we cannot write, `immutable` reads the
    file as it is (a database on read-only media has no writer to miss).
    """
    uri = f"{path.resolve().as_uri()}?mode={'rw' if write else 'ro'}"
    try:
        conn = _open(uri)
    except sqlite3.OperationalError:
        if write or os.access(path.parent, os.W_OK):
            raise
        conn = _open(uri + "&immutable=1")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _open(uri: str) -> sqlite3.Connection:
    """sqlite3.connect with the settings `Store` expects (rows by name, our transactions)."""
    conn = sqlite3.connect(
        uri, uri=True, timeout=_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fail here, not mid-query
    return conn


def _open_store(request: Request, write: bool) -> Store:
    """A Store over a connection of its own: a new SQLite one, or one from the pool."""
    path = settings_of(request).db_path
    try:
        if isinstance(path, Path):
            conn: Connection = _connect(path, write=write)
        else:
            conn = request.app.state.pools["write" if write else "read"].connection()
    except (*DB_ERRORS, PoolTimeout) as error:
        raise StoreError(f"cannot open database {display(path)}: {error}") from error
    return Store(conn, path)


async def _store(request: Request, *, write: bool) -> AsyncIterator[Store]:
    """A Store for one request, closed (its connection back in the pool) when it is answered.

    With a pool, a request first waits on the event loop for one of the pool's slots: had
    it waited for a connection on a worker thread, enough waiting requests would hold every
    worker, and the requests holding the connections would find none to run on.
    """
    slots = request.app.state.slots.get("write" if write else "read")
    async with slots or nullcontext():
        store = await run_in_threadpool(_open_store, request, write)
        try:
            yield store
        finally:
            store.close()


async def read_store(request: Request) -> AsyncIterator[Store]:
    """A read-only connection: a request that only reads can never change the database."""
    async for store in _store(request, write=False):
        yield store


async def write_store(request: Request) -> AsyncIterator[Store]:
    """A read-write connection, for ingesting articles and managing alert rules."""
    async for store in _store(request, write=True):
        yield store


def bearer(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _same(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison, so response times do not leak the token."""
    if given is None or expected is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _unauthorized(detail: str) -> HTTPException:
    """401 with the header that tells clients which scheme to use."""
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def has_write_token(request: Request) -> bool:
    """True when the request carries the write token."""
    return _same(bearer(request), settings_of(request).token)


def require_read(request: Request) -> None:
    """Reading is open, unless a read token is set; then it (or the write token) is needed."""
    settings = settings_of(request)
    if settings.read_token is None:
        return
    given = bearer(request)
    if given is None:
        raise _unauthorized("reading needs Authorization: Bearer <read token>")
    if not (_same(given, settings.read_token) or _same(given, settings.token)):
        raise _unauthorized("wrong token: reading needs the read token or the write token")


def require_write(request: Request) -> None:
    """Writing needs the write token; without one configured it is disabled (503)."""
    if settings_of(request).token is None:
        raise HTTPException(
            503, "writing is disabled: start incidex serve with --token or INCIDEX_TOKEN"
        )
    given = bearer(request)
    if given is None:
        raise _unauthorized("writing needs Authorization: Bearer <token>")
    if not has_write_token(request):
        raise _unauthorized("wrong token: writing needs the token given to incidex serve")


#: The write token as /openapi.json declares it (and Swagger UI's Authorize button sends
#: it). Declaring only: `WriteRoute` does the checking, before this would run.
write_token_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="writeToken",
    description="the token given to incidex serve with --token or INCIDEX_TOKEN",
)


class WriteRoute(APIRoute):
    """A route that writes: the token is checked before the request body is even parsed.

    A dependency would run only after FastAPI has read and decoded the body, so a client
    without the token would learn from a 400 or 422 how its JSON was wrong; here it gets
    the 401 (or 503 when writing is disabled) whatever it sent.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, behind `require_write`."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            require_write(request)
            return await handler(request)

        return guarded


def _blank(value: str | None) -> str | None:
    """None for an empty or blank query value: an empty form field filters nothing."""
    return value.strip() or None if value is not None else None


def filters(
    country: Annotated[
        str | None, Query(max_length=100, description="ISO country code, e.g. IQ")
    ] = None,
    admin1: Annotated[
        str | None, Query(max_length=200, description="province, e.g. Diyala (any case)")
    ] = None,
    location: Annotated[
        str | None, Query(max_length=200, description="town, village or area (any case)")
    ] = None,
    since: Annotated[
        str | None,
        Query(pattern=DATE_PATTERN, description="earliest date, YYYY, YYYY-MM or YYYY-MM-DD"),
    ] = None,
    until: Annotated[
        str | None,
        Query(pattern=DATE_PATTERN, description="latest date, YYYY, YYYY-MM or YYYY-MM-DD"),
    ] = None,
    attack_type: Annotated[
        AttackType | None, Query(alias="type", description="attack type (codebook section 4)")
    ] = None,
    perpetrator: Annotated[
        str | None, Query(max_length=200, description="part of the perpetrator's name")
    ] = None,
    min_killed: Annotated[
        int | None,
        Query(ge=0, le=MAX_SQL_INT, description="at least this many killed (best estimate)"),
    ] = None,
) -> IncidentFilter:
    """The filters every listing, map, aggregate and export takes."""
    return IncidentFilter(
        country=_blank(country),
        admin1=_blank(admin1),
        location=_blank(location),
        since=_blank(since),
        until=_blank(until),
        attack_type=attack_type,
        perpetrator=_blank(perpetrator),
        min_killed=min_killed,
    )


def paged_filters(
    flt: Annotated[IncidentFilter, Depends(filters)],
    limit: Annotated[int, Query(ge=1, le=1000, description="rows per page")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_INT, description="rows to skip")] = 0,
    sort: Annotated[Sort, Query(description="date or killed; '-' for descending")] = "-date",
) -> IncidentFilter:
    """The filters of a listing, with its page and order."""
    return replace(flt, limit=limit, offset=offset, sort=sort)


def memo_of(request: Request) -> Memo:
    """The application's kept totals and tallies."""
    memo: Memo = request.app.state.memo
    return memo


ReadStore = Annotated[Store, Depends(read_store)]
Memoized = Annotated[Memo, Depends(memo_of)]
WriteStore = Annotated[Store, Depends(write_store)]
Filters = Annotated[IncidentFilter, Depends(filters)]
PagedFilters = Annotated[IncidentFilter, Depends(paged_filters)]
