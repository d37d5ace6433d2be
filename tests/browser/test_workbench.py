"""The analyst workbench in Chromium: one marker per event, filters, the event panel, hostile text.

Each test loads the page served by the real server (conftest.py) at 1280x800 and compares
what it shows with what the API answers for the same filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need the playwright package (the test extra)"
)
expect = sync_api.expect

#: Flags this machine's Chromium needs: no sandbox as root, no GPU, and no background
#: connections, which the closed network refuses (see the machine notes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
MARKERS = "#map path.event-marker"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh empty profile; never a downloaded browser."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def errors() -> list[str]:
    """Errors the page's console and scripts report (CSP violations among them)."""
    return []


@pytest.fixture
def page(browser: Any, site: Any, errors: list[str]) -> Iterator[Any]:
    """The workbench at 1280x800, loaded until the map, timeline and table are drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    tab.goto(site.base + "/")
    _wait_ready(tab)
    yield tab
    context.close()


def _wait_ready(page: Any) -> None:
    """Wait until the latest refresh has drawn the map, timeline and province table."""
    expect(page.locator("#status")).to_have_attribute("data-state", "ready")


def _open_event(page: Any, event_id: int) -> Any:
    """Click an event's marker and wait for its panel; the panel."""
    page.locator(f'{MARKERS}[data-event-id="{event_id}"]').click()
    panel = page.locator("#event-panel")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-state", "ready")
    expect(panel).to_have_attribute("data-event-id", str(event_id))
    return panel


def _squeeze(text: str) -> str:
    """White space runs as one space, for comparing rendered text."""
    return re.sub(r"\s+", " ", text).strip()


def test_map_shows_one_marker_per_event(page: Any, site: Any, errors: list[str]) -> None:
    """Every event of the database is one circle on the map, and the page loads cleanly."""
    total = site.total()
    assert total > 20  # the samples and the hostile article
    expect(page.locator(MARKERS)).to_have_count(total)
    ids = page.locator(MARKERS).evaluate_all("els => els.map(e => e.dataset.eventId)")
    assert len(set(ids)) == total
    assert errors == []


@pytest.mark.parametrize(
    ("field", "value", "api_filter"),
    [
        ("admin1", "Diyala", {"admin1": "Diyala"}),
        ("type", "bombing", {"type": "bombing"}),
        ("country", "NG", {"country": "NG"}),
    ],
)
def test_filter_sets_markers_to_api_count(
    page: Any, site: Any, field: str, value: str, api_filter: dict[str, str]
) -> None:
    """Choosing a province, attack type or country shows as many markers as the API lists."""
    expected = site.total(**api_filter)
    assert 0 < expected < site.total()
    page.locator(f'#filters [name="{field}"]').select_option(value)
    _wait_ready(page)
    expect(page.locator(MARKERS)).to_have_count(expected)
    assert value in page.url  # the view is in the address, to share


def test_min_killed_and_dates_filter_markers(page: Any, site: Any) -> None:
    """Typed filters (minimum killed, a date range) apply too."""
    page.locator('#filters [name="min_killed"]').fill("5")
    expect(page.locator(MARKERS)).to_have_count(site.total(min_killed=5))
    page.locator('#filters [name="min_killed"]').fill("")
    page.locator('#filters [name="since"]').fill("2021-01-01")
    page.locator('#filters [name="until"]').fill("2021-12-31")
    expect(page.locator(MARKERS)).to_have_count(site.total(since="2021-01-01", until="2021-12-31"))
    page.locator("#filters button[type=reset]").click()
    expect(page.locator(MARKERS)).to_have_count(site.total())


def test_province_row_click_filters_by_province(page: Any, site: Any) -> None:
    """Clicking a province in the table selects it in the filters and on the map."""
    page.locator('#province-rows tr[data-admin1="Salah al-Din"]').click()
    _wait_ready(page)
    expect(page.locator('#filters [name="admin1"]')).to_have_value("Salah al-Din")
    expect(page.locator(MARKERS)).to_have_count(site.total(admin1="Salah al-Din"))
    expect(page.locator("#province-rows tr")).to_have_count(1)


def test_timeline_and_province_table_render(page: Any, site: Any) -> None:
    """The weekly timeline has a bar per week with events, the table a row per province."""
    weeks = [row for row in site.get("/api/aggregates", by="week")["rows"] if row["key"]]
    provinces = site.get("/api/aggregates", by="admin1")["rows"]
    chart = page.locator("#timeline svg.timeline-chart")
    expect(chart).to_be_visible()
    expect(chart.locator(".bar-events rect")).to_have_count(len(weeks))
    killed_weeks = [row for row in weeks if row["killed"] > 0]
    expect(chart.locator(".bar-killed rect")).to_have_count(len(killed_weeks))
    expect(page.locator("#province-rows tr")).to_have_count(len(provinces))
    diyala = next(row for row in provinces if row["key"] == "Diyala")
    cells = page.locator('#province-rows tr[data-admin1="Diyala"] td').all_inner_texts()
    assert cells == [str(diyala["events"]), str(diyala["killed"]), str(diyala["wounded"])]


def test_marker_opens_event_panel_with_evidence_marked(page: Any, site: Any) -> None:
    """The Tuz Khurmatu checkpoint attack: three sources, the spread, evidence in <mark>."""
    event = site.get("/api/events/1")
    panel = _open_event(page, 1)
    text = _squeeze(panel.inner_text())
    assert "Tuz Khurmatu" in text
    assert "4 (4–5)" in text  # killed: best estimate and spread
    assert re.search(r"Sources\s*3", panel.locator(".facts").inner_text())
    assert "disagreements" in text.lower()
    assert re.search(r"killed: 4 \(Tigris Wire\) · 5 \(Northern Iraq Monitor\)", text)
    marks = {_squeeze(m) for m in panel.locator("mark").all_inner_texts()}
    for report in event["reports"]:
        for sentence in report["evidence"]:
            assert _squeeze(sentence) in marks, sentence
    assert "null" not in text and "undefined" not in text
    links = panel.locator(".report a")
    expect(links).to_have_count(len([r for r in event["reports"] if r["url"]]))
    for rel in links.evaluate_all("els => els.map(a => a.rel)"):
        assert rel == "noopener noreferrer"


def test_hostile_article_is_shown_as_text(page: Any, site: Any, errors: list[str]) -> None:
    """Markup in an article is text in the panel: nothing runs, no element comes from it."""
    panel = _open_event(page, site.hostile_event)
    body = panel.locator(".article-text")
    for markup in site.hostile_markup:
        assert markup in body.inner_text()
    assert any(site.hostile_markup[0] in m for m in panel.locator("mark").all_inner_texts())
    assert page.evaluate("typeof window.__pwned") == "undefined"
    expect(panel.locator("script")).to_have_count(0)
    expect(panel.locator("img")).to_have_count(0)
    expect(page.locator("img[src='x']")).to_have_count(0)
    # the article's javascript: URL is shown as text, never made into a link
    expect(panel.locator("a")).to_have_count(0)
    expect(page.locator("a[href^='javascript']")).to_have_count(0)
    assert errors == []


def test_evidence_offsets_split_text_into_marks(page: Any) -> None:
    """Evidence is found despite spacing and regex characters; overlaps merge; text stays text."""
    result = page.evaluate(
        """async () => {
            const panel = await import(location.origin + "/static/eventpanel.js");
            const text = "A (1) b.  Two  words? <b>x</b> end.";
            const evidence = ["Two words? <b>x</b>", "A (1) b.", "not in the text", "A (1)"];
            const { ranges, missing } = panel.evidenceRanges(text, evidence);
            const box = document.createElement("div");
            box.append(panel.highlightedText(text, ranges));
            return { html: box.innerHTML, text: box.textContent, missing };
        }"""
    )
    assert result["text"] == "A (1) b.  Two  words? <b>x</b> end."
    assert result["html"] == (
        "<mark>A (1) b.</mark>  <mark>Two  words? &lt;b&gt;x&lt;/b&gt;</mark> end."
    )
    assert result["missing"] == ["not in the text"]


def test_marker_opens_with_keyboard_and_panel_closes(page: Any) -> None:
    """A marker is a focusable button: Enter opens its event, Escape closes the panel."""
    marker = page.locator(f'{MARKERS}[data-event-id="2"]')
    expect(marker).to_have_attribute("aria-label", re.compile(r"Event 2, .*bombing"))
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#event-panel")).to_have_attribute("data-event-id", "2")
    expect(page.locator("#event-title")).to_have_text("Event 2")
    page.keyboard.press("Escape")
    expect(page.locator("#event-panel")).to_be_hidden()


def test_recent_alerts_listed(page: Any, site: Any) -> None:
    """The alert raised for the Ramadi bombing is listed and opens its event."""
    item = page.locator("#alert-list li", has_text=site.alert_rule)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Ramadi")
    item.locator("button").click()
    expect(page.locator("#event-panel")).to_have_attribute("data-event-id", str(site.hostile_event))


def test_screenshot(page: Any, site: Any) -> None:
    """A picture of the whole page at 1280x800, Iraq selected and an event open, for the docs."""
    page.locator('#filters [name="country"]').select_option("IQ")
    _wait_ready(page)
    expect(page.locator(MARKERS)).to_have_count(site.total(country="IQ"))
    page.wait_for_timeout(500)  # the map's zoom animation
    _open_event(page, 1)
    page.locator("#event-panel").evaluate("panel => { panel.scrollTop = 0; }")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert SCREENSHOT.stat().st_size > 10_000
