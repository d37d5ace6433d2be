"""Alerts: rules matched against events, raised on ingestion, POSTed to a real loopback webhook."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incidex.alerts import (
    AlertRule,
    AlertRuleError,
    add_rule,
    alert_line,
    list_rules,
    notify,
    post_json,
    recent_alerts,
    remove_rule,
    retry_pending,
    rule_matches,
)
from incidex.fetch import FetchPolicy
from incidex.pipeline import Processed, process
from incidex.records import Article
from incidex.store import Store
from incidex.watch import poll

SERVER_WAIT_S = 5.0  # longest the teardown waits for the receiver thread
SHUTDOWN_POLL_S = 0.02  # how often the receiver checks for shutdown
NO_WAIT = (0.0, 0.0, 0.0)  # retry delays for tests: four attempts, no sleeping

#: Two reports of one attack, written for these tests: the second raises the toll.
KHANAQIN_FIRST = Article(
    id="alert-1",
    text=(
        "Islamic State militants attacked an army checkpoint near Khanaqin on Sunday night, "
        "killing four soldiers and wounding two others, a security source said. The attackers "
        "fled towards the Hamrin mountains after a gun battle that lasted an hour."
    ),
    published="2023-06-12",
    source="Tigris Wire",
    title="Four soldiers killed near Khanaqin",
    url="https://example.org/khanaqin-1",
)
KHANAQIN_SECOND = Article(
    id="alert-2",
    text=(
        "Islamic State gunmen stormed an army checkpoint near Khanaqin late on Sunday, killing "
        "six soldiers, a military officer said on Tuesday. The attackers fled after an hour-long "
        "firefight, he said."
    ),
    published="2023-06-13",
    source="Mesopotamia Daily",
    title="Khanaqin checkpoint toll rises to six",
    url="https://example.org/khanaqin-2",
)
#: The event the first report makes, as `events` stores it (real coordinates of Khanaqin).
EVENT = {
    "id": 1,
    "country": "IQ",
    "admin1": "Diyala",
    "location": "Khanaqin",
    "lat": 34.35,
    "lon": 45.39,
    "attack_type": "armed_assault",
    "perpetrator": "Islamic State",
    "killed": 4,
}
BAQUBA = (33.75, 44.63)  # 97 km south-west of Khanaqin
KIRKUK = (35.47, 44.39)  # 154 km north-west of Khanaqin


class _Handler(BaseHTTPRequestHandler):
    """Records each POSTed JSON body and answers with the receiver's next status."""

    server: Receiver

    def do_POST(self) -> None:
        """Record the body, then answer 2xx or fail as scripted."""
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(json.loads(body))
        status = self.server.statuses.pop(0) if self.server.statuses else self.server.status
        time.sleep(self.server.delay_s)
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", f"{self.server.url}/elsewhere")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_GET(self) -> None:
        """Serve the receiver's page (a feed, for `incidex watch`)."""
        kind, body = self.server.page
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


class Receiver(ThreadingHTTPServer):
    """A webhook receiver on loopback: `statuses` answer the first POSTs, then `status`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self.status = 200
        self.delay_s = 0.0
        self.page: tuple[str, bytes] = ("text/plain", b"")
        self.url = f"http://127.0.0.1:{self.server_port}"

    def __enter__(self) -> Receiver:
        self._thread = threading.Thread(
            target=self.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(SERVER_WAIT_S)


@pytest.fixture
def receiver():
    """A running webhook receiver, stopped at teardown."""
    with Receiver() as running:
        yield running


@pytest.fixture
def store(db_target):
    """An empty store on each backend."""
    with Store.open(db_target) as opened:
        yield opened


def closed_port_url() -> str:
    """A loopback URL on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def ingest(store: Store, article: Article, **options):
    """Process and store an article as `incidex ingest` does, then raise its alerts."""
    processed = process(article)
    assert isinstance(processed, Processed)
    result = store.add(
        processed.article, processed.extraction, processed.content_hash, processed.signature
    )
    return result, notify(store, result, delays=NO_WAIT, **options)


def deliveries(store: Store, alert_id: int) -> list[tuple]:
    rows = store.conn.execute(
        "SELECT attempt, status_code, error FROM alert_deliveries WHERE alert_id = ?"
        " ORDER BY attempt",
        (alert_id,),
    )
    return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    "conditions",
    [
        {},
        {"country": "iq"},
        {"admin1": "Diyala"},
        {"admin1": "Diyalah"},
        {"lat": BAQUBA[0], "lon": BAQUBA[1], "radius_km": 100},
        {"lat": 34.35, "lon": 45.39, "radius_km": 0.5},
        {"min_killed": 4},
        {"attack_type": "armed assault"},
        {"perpetrator": "islamic"},
        {"country": "IQ", "admin1": "Diyala", "min_killed": 3, "perpetrator": "State"},
    ],
)
def test_rule_matches_event_meeting_every_condition(conditions):
    assert rule_matches(AlertRule(name="r", **conditions), EVENT)


@pytest.mark.parametrize(
    "conditions",
    [
        {"country": "SY"},
        {"admin1": "Kirkuk"},
        {"lat": BAQUBA[0], "lon": BAQUBA[1], "radius_km": 90},
        {"lat": KIRKUK[0], "lon": KIRKUK[1], "radius_km": 150},
        {"min_killed": 5},
        {"attack_type": "bombing"},
        {"perpetrator": "Boko Haram"},
        {"country": "IQ", "admin1": "Diyala", "min_killed": 10},
    ],
)
def test_rule_does_not_match_event_missing_a_condition(conditions):
    assert not rule_matches(AlertRule(name="r", **conditions), EVENT)


@pytest.mark.parametrize(
    ("conditions", "unknown"),
    [
        ({"min_killed": 0}, "killed"),
        ({"lat": 34.35, "lon": 45.39, "radius_km": 50}, "lat"),
        ({"perpetrator": "Islamic"}, "perpetrator"),
        ({"admin1": "Diyala"}, "admin1"),
    ],
)
def test_rule_does_not_match_event_without_the_field(conditions, unknown):
    event = {**EVENT, unknown: None}
    assert not rule_matches(AlertRule(name="r", **conditions), event)


def test_rule_min_killed_uses_the_best_estimate():
    event = {**EVENT, "killed": 4, "killed_low": 4, "killed_high": 6}
    assert not rule_matches(AlertRule(name="r", min_killed=6), event)


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"name": " "}, "name"),
        ({"lat": 34.3, "lon": 45.4}, "radius"),
        ({"radius_km": 20}, "radius"),
        ({"lat": 95, "lon": 45.4, "radius_km": 20}, "lat"),
        ({"lat": 34.3, "lon": 45.4, "radius_km": 0}, "radius_km"),
        ({"webhook": "ftp://example.org/hook"}, "webhook"),
        ({"webhook": "http:///no-host"}, "webhook"),
        ({"webhook": "example.org/hook"}, "webhook"),
        ({"attack_type": "riot"}, "attack_type"),
        ({"country": "Iraq"}, "country"),
        ({"min_killed": -1}, "min_killed"),
    ],
)
def test_rule_refuses_fields_that_cannot_work(conditions, message):
    with pytest.raises(AlertRuleError, match=message):
        AlertRule(**{"name": "r", **conditions})


def test_rule_tidies_its_text_fields():
    rule = AlertRule(name=" Diyala ", country="iq", admin1="", attack_type="Suicide bombing")
    assert (rule.name, rule.country, rule.admin1) == ("Diyala", "IQ", None)
    assert rule.attack_type == "suicide_bombing"


def test_rules_are_added_listed_and_removed(store):
    first = add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook="https://x.org/h"))
    second = add_rule(store, AlertRule(name="Near", lat=34.3, lon=45.4, radius_km=25))
    assert (first.id, second.id) == (1, 2)
    assert list_rules(store) == [first, second]
    assert remove_rule(store, 1) is True
    assert remove_rule(store, 1) is False
    assert list_rules(store) == [second]


def test_ingest_raises_and_delivers_an_alert_for_a_matching_new_event(store, receiver):
    add_rule(store, AlertRule(name="Diyala deaths", admin1="Diyala", webhook=receiver.url))
    result, raised = ingest(store, KHANAQIN_FIRST)
    (alert,) = raised
    assert alert["event_id"] == result.new_events[0]
    assert (alert["kind"], alert["status"], alert["attempts"]) == ("new", "delivered", 1)
    (sent,) = receiver.received
    assert sent["alert"]["id"] == alert["id"]
    assert sent["rule"]["name"] == "Diyala deaths"
    assert sent["event"]["location"] == "Khanaqin"
    assert sent["event"]["killed"] == 4


def test_second_report_raises_an_updated_alert(store, receiver):
    add_rule(store, AlertRule(name="Khanaqin area", lat=34.35, lon=45.39, radius_km=30,
                              webhook=receiver.url))  # fmt: skip
    ingest(store, KHANAQIN_FIRST)
    result, (alert,) = ingest(store, KHANAQIN_SECOND)
    assert result.updated_events == (alert["event_id"],)
    assert alert["kind"] == "updated"
    assert [sent["alert"]["kind"] for sent in receiver.received] == ["new", "updated"]
    assert receiver.received[1]["event"]["killed_high"] == 6
    assert receiver.received[1]["event"]["sources"] == 2


def test_ingest_raises_nothing_for_a_rule_the_event_does_not_meet(store, receiver):
    add_rule(store, AlertRule(name="Big bombings", attack_type="bombing", webhook=receiver.url))
    _, raised = ingest(store, KHANAQIN_FIRST)
    assert raised == []
    assert receiver.received == []


def test_rule_without_webhook_raises_an_alert_for_the_page_only(store):
    add_rule(store, AlertRule(name="IS attacks", perpetrator="Islamic State"))
    _, (alert,) = ingest(store, KHANAQIN_FIRST)
    assert (alert["status"], alert["attempts"]) == ("no_webhook", 0)
    assert recent_alerts(store) == [alert]


def test_webhook_failing_twice_then_recovering_is_delivered_on_attempt_three(store, receiver):
    receiver.statuses = [500, 503]
    add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook=receiver.url))
    _, (alert,) = ingest(store, KHANAQIN_FIRST)
    assert (alert["status"], alert["attempts"], alert["last_error"]) == ("delivered", 3, None)
    assert deliveries(store, alert["id"]) == [
        (1, 500, "HTTP 500"),
        (2, 503, "HTTP 503"),
        (3, 200, None),
    ]
    assert len(receiver.received) == 3


def test_webhook_always_failing_leaves_the_alert_failed_and_ingestion_intact(store, receiver):
    receiver.status = 500
    add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook=receiver.url))
    result, (alert,) = ingest(store, KHANAQIN_FIRST)
    assert result.status == "new"
    assert store.get_event(result.new_events[0])["killed"] == 4
    assert (alert["status"], alert["attempts"], alert["last_error"]) == ("failed", 4, "HTTP 500")
    assert len(deliveries(store, alert["id"])) == 4


def test_retry_pending_delivers_failed_alerts_once_the_receiver_recovers(store, receiver):
    receiver.status = 500
    add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook=receiver.url))
    _, (alert,) = ingest(store, KHANAQIN_FIRST)
    receiver.status = 200
    assert retry_pending(store, delays=NO_WAIT) == 1
    (retried,) = recent_alerts(store)
    assert (retried["status"], retried["attempts"]) == ("delivered", 5)
    assert deliveries(store, alert["id"])[-1] == (5, 200, None)
    assert retry_pending(store, delays=NO_WAIT) == 0


def test_retry_pending_skips_alerts_of_removed_rules(store, receiver):
    receiver.status = 500
    rule = add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook=receiver.url))
    ingest(store, KHANAQIN_FIRST)
    remove_rule(store, rule.id)
    receiver.status = 200
    assert retry_pending(store, delays=NO_WAIT) == 0
    (alert,) = recent_alerts(store)
    assert (alert["rule_id"], alert["rule_name"], alert["status"]) == (None, "Diyala", "failed")


def test_unreachable_webhook_fails_with_a_clear_error(store):
    add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook=closed_port_url()))
    result, (alert,) = ingest(store, KHANAQIN_FIRST)
    assert result.new_events
    assert (alert["status"], alert["attempts"]) == ("failed", 4)
    assert "connection refused" in alert["last_error"]
    assert "127.0.0.1:" in alert["last_error"]
    assert "delivery failed after 4 attempts" in alert_line(alert)


@pytest.mark.parametrize("status", [404, 302])
def test_webhook_client_errors_and_redirects_are_not_retried(store, receiver, status):
    receiver.status = status
    add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook=receiver.url))
    _, (alert,) = ingest(store, KHANAQIN_FIRST)
    assert (alert["status"], alert["attempts"]) == ("failed", 1)
    assert alert["last_error"] == f"HTTP {status}"
    assert len(receiver.received) == 1


def test_post_json_gives_up_on_a_slow_receiver(receiver):
    receiver.delay_s = 1.0
    with pytest.raises(OSError):
        post_json(receiver.url, b"{}", timeout=0.2)


def test_every_matching_rule_raises_its_own_alert(store, receiver):
    add_rule(store, AlertRule(name="Iraq", country="IQ", webhook=receiver.url))
    add_rule(store, AlertRule(name="Four dead", min_killed=4))
    _, raised = ingest(store, KHANAQIN_FIRST)
    assert [a["rule_name"] for a in raised] == ["Iraq", "Four dead"]
    assert [a["rule_name"] for a in recent_alerts(store)] == ["Four dead", "Iraq"]
    assert len(recent_alerts(store, limit=1)) == 1


def test_alert_line_names_rule_event_kind_and_delivery(store, receiver):
    add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook=receiver.url))
    _, (alert,) = ingest(store, KHANAQIN_FIRST)
    assert alert_line(alert) == (
        f"alert: rule Diyala matched event {alert['event_id']} (new), delivered (1 attempt)"
    )


def test_watch_poll_collects_the_alerts_it_raises(store, receiver):
    item = (
        "<item><title>Khanaqin</title><guid>k-1</guid>"
        "<pubDate>Mon, 12 Jun 2023 08:00:00 GMT</pubDate>"
        f"<description>{KHANAQIN_FIRST.text}</description></item>"
    )
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{item}</channel></rss>'
    receiver.page = ("application/rss+xml", rss.encode())
    add_rule(store, AlertRule(name="Diyala", admin1="Diyala", webhook=f"{receiver.url}/hook"))
    result = poll(store, f"{receiver.url}/feed.rss", FetchPolicy(allow_private=True))
    assert result.errors == []
    (alert,) = result.alerts
    assert (alert["kind"], alert["status"]) == ("new", "delivered")
    assert receiver.received[0]["event"]["admin1"] == "Diyala"


def test_alert_is_recorded_with_the_article(store, receiver):
    add_rule(store, AlertRule(name="Diyala deaths", admin1="Diyala", webhook=receiver.url))
    processed = process(KHANAQIN_FIRST)
    result = store.add(
        processed.article, processed.extraction, processed.content_hash, processed.signature
    )
    (alert,) = recent_alerts(store)
    assert result.alerts == (alert["id"],)
    assert (alert["status"], alert["attempts"]) == ("pending", 0)
    assert receiver.received == []
    assert retry_pending(store, delays=()) == 0  # not stale yet: a running ingest delivers it


@pytest.mark.parametrize("url", ["http://[::1", "http://example.org:99999/h", "ftp://example.org/"])
def test_rule_refuses_malformed_webhooks(url):
    with pytest.raises(AlertRuleError, match="webhook"):
        AlertRule(name="x", webhook=url)
