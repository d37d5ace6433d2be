"""Alert rules over HTTP: create, list (webhooks hidden from readers), remove, recent alerts."""

from __future__ import annotations

import pytest
from conftest import WRITE_TOKEN
from serve_http import webhook_receiver

KHANAQIN = {
    "id": "api-alert-khanaqin",
    "text": (
        "Islamic State militants killed three soldiers in an attack on an army post near"
        " Khanaqin in Diyala province on Monday, officials said."
    ),
    "published": "2024-07-02",
    "source": "Alert Desk",
}


def _create(client, rule):
    reply = client.post("/api/alerts", rule, token=WRITE_TOKEN)
    assert reply.status == 201, reply.text
    return reply.json()


def test_created_rule_comes_back_with_its_id(writable):
    rule = _create(
        writable, {"name": "Kirkuk bombings", "admin1": "Kirkuk", "attack_type": "bombing"}
    )
    assert isinstance(rule["id"], int) and rule["name"] == "Kirkuk bombings"
    assert (rule["admin1"], rule["attack_type"], rule["country"]) == ("Kirkuk", "bombing", None)
    listed = writable.get("/api/alerts").json()["items"]
    assert rule in listed


def test_webhook_is_shown_whole_only_with_the_write_token(writable):
    hook = "http://127.0.0.1:9/services/T000/SECRET"  # never called: removed below
    rule = _create(writable, {"name": "hooked", "country": "iq", "webhook": hook})
    assert rule["webhook"] == hook and rule["country"] == "IQ"
    shown = {r["id"]: r for r in writable.get("/api/alerts").json()["items"]}
    assert shown[rule["id"]]["webhook"] == "http://127.0.0.1:9/…"
    shown = {r["id"]: r for r in writable.get("/api/alerts", token=WRITE_TOKEN).json()["items"]}
    assert shown[rule["id"]]["webhook"] == hook
    assert writable.delete(f"/api/alerts/{rule['id']}", token=WRITE_TOKEN).status == 204


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ({"name": "circle", "lat": 34.0, "lon": 45.0}, "radius_km"),
        ({"name": "far", "lat": 95.0, "lon": 45.0, "radius_km": 5}, "lat"),
        ({"name": "hook", "webhook": "file:///etc/passwd"}, "webhook"),
        ({"name": "type", "attack_type": "nuclear"}, "attack_type"),
        ({"name": "toll", "min_killed": -1}, "min_killed"),
        ({"name": "where", "country": "Iraq"}, "country"),
        ({"name": "typo", "min_kiled": 3}, "min_kiled"),
        ({"country": "IQ"}, "name"),
        ({"name": " "}, "name"),
    ],
)
def test_invalid_rules_are_422_naming_the_field(writable, rule, named):
    reply = writable.post("/api/alerts", rule, token=WRITE_TOKEN)
    assert reply.status == 422
    assert named in reply.json()["detail"]


def test_removing_a_rule_is_204_then_404(writable):
    rule = _create(writable, {"name": "short-lived"})
    assert writable.delete(f"/api/alerts/{rule['id']}", token=WRITE_TOKEN).status == 204
    assert rule["id"] not in [r["id"] for r in writable.get("/api/alerts").json()["items"]]
    reply = writable.delete(f"/api/alerts/{rule['id']}", token=WRITE_TOKEN)
    assert reply.status == 404 and "no alert rule" in reply.json()["detail"]


def test_recent_alerts_limit_is_validated(writable):
    assert writable.get("/api/alerts/recent?limit=0").status == 422
    assert writable.get("/api/alerts/recent?limit=1001").status == 422


def test_ingested_article_raises_and_delivers_an_alert(writable):
    with webhook_receiver() as (url, received):
        rule = _create(
            writable, {"name": "Diyala deaths", "admin1": "diyala", "min_killed": 2, "webhook": url}
        )
        reply = writable.post("/api/articles", KHANAQIN, token=WRITE_TOKEN)
    (result,) = reply.json()["articles"]
    (alert,) = [a for a in result["alerts"] if a["rule_id"] == rule["id"]]
    assert (alert["status"], alert["kind"], alert["event"]["killed"]) == ("delivered", "new", 3)
    assert [body["rule"]["name"] for body in received] == ["Diyala deaths"]
    recent = writable.get("/api/alerts/recent?limit=5").json()["items"]
    assert recent[0]["id"] == alert["id"] and recent[0]["event"]["location"] == "Khanaqin"
