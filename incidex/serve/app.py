"""The web application: the API, the page and its static files, security headers on everything.

`create_app` builds one FastAPI application per database; `incidex serve` runs it under
uvicorn. Every request gets its own database connection, so concurrent requests are safe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from incidex import __version__
from incidex.serve import alerts_api, api
from incidex.serve.deps import Settings
from incidex.serve.memo import Memo
from incidex.serve.models import BODY_TAGS
from incidex.store import Store, StoreError
from incidex.store.backend import PgPool, is_url

log = logging.getLogger(__name__)

#: The page's files: index.html, scripts, styles and vendored libraries.
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Where the interactive API docs live; it loads Swagger UI from its CDN (see `_csp`).
DOCS_URL = "/docs"
#: PostgreSQL connections the server keeps for reading and for writing requests.
READ_CONNECTIONS = 8
WRITE_CONNECTIONS = 4
#: The Swagger UI page's sources, allowed on that page only.
_DOCS_SOURCES = "https://cdn.jsdelivr.net"
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
#: Largest request body read, in bytes: a batch of articles. The body is read before the
#: token is checked, so this bounds what an anonymous client can make the server hold.
MAX_BODY_BYTES = 32 * 2**20
#: Date filters as people write them, for the message of a malformed one.
_HINTS = {
    "since": "YYYY, YYYY-MM or YYYY-MM-DD",
    "until": "YYYY, YYYY-MM or YYYY-MM-DD",
}


def tile_source(tiles: str) -> str:
    """The CSP source of a tile URL template: "https://{s}.tile.example.org/{z}/..." gives
    "https://*.tile.example.org".

    Raises:
        ValueError: not an http(s) URL, or a placeholder elsewhere than the first host label.
    """
    parts = urlsplit(tiles)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"tiles must be an http(s) URL template, got {tiles!r}")
    labels = parts.netloc.split(".")
    if any("{" in label for label in labels[1:]):
        raise ValueError(f"tiles: only the first host label may be a placeholder, got {tiles!r}")
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(tiles: str | None, *, docs: bool = False) -> str:
    """The Content-Security-Policy: our own origin only, map tiles from their host.

    The API docs page (`docs`) also runs Swagger UI's scripts and styles from its CDN and
    the inline script that starts it; no other page may.
    """
    img = "'self' data:" + (f" {tile_source(tiles)}" if tiles else "")
    script = style = "'self'"
    if docs:
        img += " https://fastapi.tiangolo.com"
        script = f"'self' {_DOCS_SOURCES} 'unsafe-inline'"
        style = f"'self' {_DOCS_SOURCES}"
    return (
        f"default-src 'self'; img-src {img}; style-src {style}; script-src {script};"
        " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """ASGI middleware: security headers on every response, errors included.

    An exception that escapes the application becomes a plain 500 JSON answer here (and
    is logged), so even that answer carries the headers.
    """

    def __init__(self, app: ASGIApp, *, tiles: str | None) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in _SECURITY_HEADERS.items()]
        self.csp = content_security_policy(tiles).encode()
        self.docs_csp = content_security_policy(tiles, docs=True).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response start; answer 500 for an escaped exception."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = self.docs_csp if path == DOCS_URL else self.csp
        extra = [*self.headers, (b"content-security-policy", csp)]
        if path.startswith("/api/"):
            extra.append((b"cache-control", b"no-store"))
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("error answering %s %s", scope.get("method"), path)
            if started:
                raise
            response = JSONResponse({"detail": "internal error; the server log says more"}, 500)
            await response(scope, receive, send_with_headers)


class BodyLimit:
    """ASGI middleware: 413 for a body declared larger than `MAX_BODY_BYTES`, 411 for a
    body of unknown length (chunked); the server then never buffers more than the limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse an oversized or unsized body before the application reads it."""
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            declared = headers.get(b"content-length", b"")
            if b"transfer-encoding" in headers and not declared:
                detail, status = "send the body with a Content-Length", 411
            elif declared.isdigit() and int(declared) > self.max_bytes:
                detail = f"body over {self.max_bytes // 2**20} MiB; send fewer articles"
                status = 413
            else:
                await self.app(scope, receive, send)
                return
            await JSONResponse({"detail": detail}, status)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _where(error: dict[str, Any]) -> str:
    """The parameter an error is about: "since", "body.articles.0.id"."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc[:1] == ["body"] and loc[1:2] and loc[1] in BODY_TAGS:
        del loc[1]  # the form of the body (one article or a batch) is no place
    return ".".join(loc[1:] if loc[:1] in (["query"], ["path"]) else loc) or "request"


def _message(error: dict[str, Any]) -> str:
    """One validation error in words: "since: must be YYYY, YYYY-MM or YYYY-MM-DD (got ...)"."""
    where = _where(error)
    hint = _HINTS.get(where)
    text = f"must be {hint}" if hint and error.get("type") == "string_pattern_mismatch" else None
    text = text or str(error.get("msg", "invalid"))
    given = error.get("input")
    if isinstance(given, str):
        text += f" (got {given[:100]!r})"
    elif isinstance(given, (int, float)):
        text += f" (got {given!r})"
    return f"{where}: {text}"


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    """422 with a readable `detail` naming each bad parameter, and the errors listed."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
        for e in exc.errors()
    ]
    detail = "; ".join(_message(e) for e in exc.errors())
    return JSONResponse({"detail": detail, "errors": errors}, 422)


def _documented_methods(app: FastAPI, path: str) -> list[str] | None:
    """The methods `/openapi.json` lists for the path, None when it documents no such path.

    "/api/alerts/recent" is its own path, not "/api/alerts/{rule_id}": a path without
    placeholders is preferred, as the router matches it first.
    """
    asked = path.rstrip("/").split("/")
    paths = sorted(app.openapi()["paths"].items(), key=lambda item: item[0].count("{"))
    for template, operations in paths:
        parts = template.split("/")
        if len(parts) == len(asked) and all(
            part == given or (part.startswith("{") and given)
            for part, given in zip(parts, asked, strict=True)
        ):
            return [method.upper() for method in operations]
    return None


async def _http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's answer to an HTTP error, with a 405's `Allow` listing every method of the
    path: Starlette names only those of the first route that matched it."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        methods = _documented_methods(request.app, request.url.path)
        if methods:
            headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
            exc = StarletteHTTPException(405, exc.detail, headers=headers)
    return await http_exception_handler(request, exc)


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    """503 when the database cannot be opened or refuses a write: a problem of the server."""
    log.error("database error: %s", exc)
    return JSONResponse({"detail": f"database unavailable: {exc}"}, 503)


def _prepare(db_path: Path | str) -> None:
    """Create the database and its tables if needed; a read-only file is served as it is."""
    try:
        Store.open(db_path).close()
    except StoreError as error:
        if not isinstance(db_path, Path) or not db_path.exists():
            raise
        log.warning("serving %s read-only: %s", db_path, error)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open PostgreSQL connection pools for the server's life (SQLite opens per request)."""
    db = app.state.settings.db_path
    if not isinstance(db, Path):
        sizes = {"read": READ_CONNECTIONS, "write": WRITE_CONNECTIONS}
        app.state.pools = {
            kind: PgPool(db, read_only=kind == "read", size=size) for kind, size in sizes.items()
        }
        app.state.slots = {kind: asyncio.Semaphore(size) for kind, size in sizes.items()}
    try:
        yield
    finally:
        for pool in app.state.pools.values():
            pool.close()


def create_app(
    db_path: Path | str,
    *,
    token: str | None = None,
    read_token: str | None = None,
    cors_origins: Sequence[str] = (),
    tiles: str | None = None,
) -> FastAPI:
    """The incidex web application over the database at `db_path`.

    Args:
        db_path: SQLite database file or PostgreSQL URL; tables created when missing.
        token: bearer token that writing (POST, DELETE) needs; None disables writing.
        read_token: bearer token that reading needs (the write token works too);
            None leaves reading open.
        cors_origins: origins whose pages may call the API from a browser.
        tiles: map tile URL template for the page, e.g.
            "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"; its host is allowed
            for images.

    Returns:
        The FastAPI application, for uvicorn or any ASGI server.

    Raises:
        StoreError: the database cannot be opened or created.
        ValueError: `tiles` is not an http(s) URL template.
    """
    if tiles is not None:
        tile_source(tiles)
    if not is_url(db_path):
        db_path = Path(db_path).expanduser()
    _prepare(db_path)
    app = FastAPI(
        title="incidex",
        version=__version__,
        summary="Political violence incidents and events, coded from news reports.",
        description="See docs/api.md. Filters apply to every listing, map, aggregate and export.",
        docs_url=DOCS_URL,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = Settings(db_path, token or None, read_token or None, tiles)
    app.state.memo = Memo()
    app.state.pools, app.state.slots = {}, {}  # PostgreSQL's, opened by `_lifespan`
    app.include_router(api.router)
    app.include_router(alerts_api.router)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(StoreError, _store_error)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        """The page: map, timeline, filters and events."""
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders, tiles=tiles)
    return app
