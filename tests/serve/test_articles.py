"""POST /api/articles: articles written for these tests are extracted, stored and merged."""

from __future__ import annotations

import pytest
from conftest import WRITE_TOKEN

TARMIYAH = {
    "id": "api-tarmiyah",
    "text": (
        "Two policemen were killed and three wounded on Sunday when a roadside bomb struck"
        " their patrol near Tarmiyah, north of Baghdad, security sources said."
        " No group claimed the attack."
    ),
    "published": "2024-06-03T09:30:00Z",
    "source": "Test Desk",
    "url": "https://example.org/tarmiyah",
    "title": "Bomb kills two policemen near Tarmiyah",
}
TARMIYAH_UPDATE = {
    **TARMIYAH,
    "id": "api-tarmiyah-2",
    "text": "A roadside bomb killed three policemen near Tarmiyah on Sunday, an officer told Other Wire.",
    "source": "Other Wire",
}
TUZ = {
    "id": "api-tuz",
    "html": (
        "<html><body><article><h1>Soldiers killed at checkpoint</h1><p>Islamic State militants"
        " killed four soldiers in an attack on an army checkpoint near Tuz Khurmatu in"
        " Salah al-Din province on Saturday, officials said.</p></article></body></html>"
    ),
    "published": "2024-06-09",
    "source": "Test Desk",
}


def _post(client, body):
    reply = client.post("/api/articles", body, token=WRITE_TOKEN)
    assert reply.status == 200, reply.text
    return reply.json()["articles"]


@pytest.fixture(scope="module")
def tarmiyah(writable):
    """The Tarmiyah article, posted once; the events total before it."""
    before = writable.get("/api/events").json()["total"]
    (result,) = _post(writable, TARMIYAH)
    return result, before


def test_post_stores_a_new_article_and_its_event(writable, tarmiyah):
    result, before = tarmiyah
    assert result["status"] == "new" and result["id"] == "api-tarmiyah"
    assert result["incidents"] == 1 and len(result["new_events"]) == 1
    assert writable.get("/api/events").json()["total"] == before + 1


def test_posted_event_is_listed_with_its_source(writable, tarmiyah):
    result, _ = tarmiyah
    event = writable.get(f"/api/events/{result['new_events'][0]}").json()
    assert (event["location"], event["attack_type"], event["killed"]) == ("Tarmiyah", "bombing", 2)
    (report,) = event["reports"]
    assert report["source"] == "Test Desk" and report["published"] == "2024-06-03"
    assert report["text"].startswith("Two policemen were killed")


def test_posting_the_same_article_again_is_known(writable, tarmiyah):
    _, before = tarmiyah
    (again,) = _post(writable, TARMIYAH)
    assert again["status"] == "known"
    assert (again["incidents"], again["new_events"], again["updated_events"]) == (0, [], [])
    assert writable.get("/api/events").json()["total"] == before + 1


def test_another_report_of_the_act_updates_its_event(writable, tarmiyah):
    result, _ = tarmiyah
    (update,) = _post(writable, TARMIYAH_UPDATE)
    assert update["status"] == "new" and update["updated_events"] == result["new_events"]
    event = writable.get(f"/api/events/{result['new_events'][0]}").json()
    assert (event["sources"], event["killed_low"], event["killed_high"]) == (2, 2, 3)


def test_a_batch_reports_each_article_in_order(writable):
    blank = {"id": "api-blank", "text": "   \n  "}
    results = _post(writable, {"articles": [TUZ, blank]})
    assert [r["id"] for r in results] == ["api-tuz", "api-blank"]
    assert results[0]["status"] == "new" and results[0]["incidents"] == 1
    assert results[1]["status"] == "error" and "no article text" in results[1]["error"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"id": "x"}, "text"),
        ({"text": "Gunmen killed two."}, "id"),
        ({"articles": []}, "articles"),
        ({"articles": [{"id": "x", "text": 5}]}, "text"),
        ([], "body"),
    ],
)
def test_malformed_articles_are_422(writable, body, named):
    reply = writable.post("/api/articles", body, token=WRITE_TOKEN)
    assert reply.status == 422
    assert named in reply.json()["detail"]


def test_a_malformed_publication_date_is_left_to_detection(writable):
    article = {
        **TUZ,
        "id": "api-bad-date",
        "published": "last Tuesday",
        "html": TUZ["html"].replace("four", "five"),
    }
    (result,) = _post(writable, article)
    assert result["status"] in {"new", "duplicate"}
