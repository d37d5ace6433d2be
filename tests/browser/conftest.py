"""Browser test fixtures: the real server on loopback over a sample database.

The server is `create_app` under uvicorn in a thread, on an ephemeral port of 127.0.0.1, over a
temporary database holding the bundled samples (`incidex ingest --samples`), an alert rule and
one hostile article posted through the API.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

WRITE_TOKEN = "browser-test-token"
SERVER_START_S = 15.0  # longest wait for uvicorn to listen
SERVER_STOP_S = 5.0  # longest wait for uvicorn to stop
INGEST_TIMEOUT_S = 600.0  # the first run builds the gazetteer cache (about 15 s, more on CI)
API_TIMEOUT_S = 60.0  # one API request in the fixture (posting an article extracts it)

#: Where the hostile article's markup sits: inside the evidence sentence of a bombing report.
SCRIPT_TEXT = "<script>window.__pwned = 1</script>"
IMG_TEXT = '<img src=x onerror="window.__pwned=2">'
HOSTILE = {
    "id": "hostile-001",
    "text": (
        "RAMADI — A roadside bomb exploded next to a police patrol in Ramadi on Monday, "
        f"killing three policemen {SCRIPT_TEXT} and wounding two others {IMG_TEXT}, "
        "a security source said.\n\n"
        "No group claimed responsibility for the attack, which came a week after a similar "
        "blast in the city."
    ),
    "published": "2022-05-10",
    "url": "javascript:window.__pwned=3",
    "title": "Bomb kills three policemen in Ramadi",
    "source": "Hostile Test Wire",
}
ALERT_RULE = {"name": "Anbar watch", "admin1": "Anbar"}


@dataclass
class Site:
    """The running server: its base URL, database, the hostile article's event and markup."""

    base: str
    db: Path
    hostile_event: int
    hostile_markup: tuple[str, ...] = (SCRIPT_TEXT, IMG_TEXT)
    alert_rule: str = ALERT_RULE["name"]

    def url(self, path: str, **params: Any) -> str:
        """An absolute URL of a path with query parameters."""
        query = urllib.parse.urlencode(params)
        return f"{self.base}{path}{'?' + query if query else ''}"

    def get(self, path: str, **params: Any) -> Any:
        """GET a JSON endpoint."""
        with urllib.request.urlopen(self.url(path, **params), timeout=API_TIMEOUT_S) as answer:
            return json.load(answer)

    def total(self, **filters: Any) -> int:
        """How many events the API lists for the filters."""
        return int(self.get("/api/events", limit=1, **filters)["total"])


def _post(base: str, path: str, body: dict[str, Any]) -> Any:
    """POST JSON with the write token."""
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {WRITE_TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=API_TIMEOUT_S) as answer:
        return json.load(answer)


def _ingest_samples(db: Path) -> None:
    """`incidex ingest --samples --db DB`, as a user would run it."""
    subprocess.run(
        [sys.executable, "-m", "incidex", "ingest", "--samples", "--db", str(db)],
        check=True,
        capture_output=True,
        timeout=INGEST_TIMEOUT_S,
    )


def _serve(db: Path) -> tuple[Any, threading.Thread, int]:
    """Start uvicorn with create_app on a free loopback port; the server, its thread, the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    import uvicorn  # here, so that the test module can skip before needing the server side

    from incidex.serve.app import create_app

    config = uvicorn.Config(create_app(db, token=WRITE_TOKEN), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server, thread, port


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The server over the samples, an alert rule for Anbar and the hostile Ramadi article."""
    db = tmp_path_factory.mktemp("browser") / "incidex.db"
    _ingest_samples(db)
    server, thread, port = _serve(db)
    base = f"http://127.0.0.1:{port}"
    try:
        _post(base, "/api/alerts", ALERT_RULE)
        result = _post(base, "/api/articles", HOSTILE)["articles"][0]
        events = result["new_events"] + result["updated_events"]
        assert result["status"] == "new" and len(events) == 1, result
        yield Site(base=base, db=db, hostile_event=events[0])
    finally:
        server.should_exit = True
        thread.join(SERVER_STOP_S)
        assert not thread.is_alive(), "uvicorn did not stop"
