"""Kept totals and tallies never hide a stored report: the next request sees it."""

from __future__ import annotations

from conftest import WRITE_TOKEN
from serve_http import serving

from incidex.serve import create_app

FIRST = {
    "id": "m-1",
    "published": "2024-03-02",
    "text": "Gunmen killed seven farmers in Muqdadiyah, Diyala province, on Friday, police said.",
}
LATER = {  # the same attack, a lower toll: changes the event's best estimate, adds no event
    "id": "m-2",
    "published": "2024-03-03",
    "text": "Gunmen killed four farmers in Muqdadiyah, Diyala province, on Friday, a local"
    " official told reporters on Saturday.",
}
OTHER = {
    "id": "m-3",
    "published": "2024-03-05",
    "text": "A roadside bomb killed two soldiers near Tuz Khurmatu in Salah al-Din province"
    " on Monday, the army said.",
}


def test_totals_and_tallies_follow_every_stored_report(tmp_path):
    with serving(create_app(tmp_path / "memo.db", token=WRITE_TOKEN)) as client:

        def seen() -> tuple[int, int]:
            total = client.get("/api/events").json()["total"]
            rows = client.get("/api/aggregates?by=admin1").json()["rows"]
            return total, sum(row["killed"] for row in rows)

        assert seen() == (0, 0)
        client.post("/api/articles", FIRST, token=WRITE_TOKEN)
        assert seen() == seen() == (1, 7)  # asked twice: the second answer is the kept one
        client.post("/api/articles", LATER, token=WRITE_TOKEN)
        assert seen() == (1, 4)  # best estimate: the lower median of 7 and 4
        client.post("/api/articles", OTHER, token=WRITE_TOKEN)
        assert seen() == (2, 6)
