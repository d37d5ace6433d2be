// The incidex workbench: filters drive the map, the timeline and the province table; a marker
// opens the event panel; recent alerts refresh every minute.

import {
  ApiError,
  FILTER_NAMES,
  fetchAggregates,
  fetchConfig,
  fetchEvent,
  fetchEventsGeojson,
  fetchRecentAlerts,
  setReadToken,
} from "./api.js";
import { drawAlerts } from "./alerts.js";
import { el } from "./dom.js";
import { renderEvent } from "./eventpanel.js";
import { ATTACK_COLORS, EventMap } from "./map.js";
import { drawProvinces } from "./provinces.js";
import { drawTimeline } from "./timeline.js";

const ALERTS_EVERY_MS = 60_000; // the brief: recent alerts refreshed every minute
const ALERTS_SHOWN = 20;
const TYPING_DELAY_MS = 350; // wait for a pause in typing before querying
const RESIZE_DELAY_MS = 150;

const state = {
  map: null,
  filters: {},
  selected: null,
  refreshes: 0, // number of the latest refresh: older answers are dropped
  weeks: [],
  catalog: { countries: [], provincesByCountry: new Map(), perpetrators: [], dates: [] },
};

/** The element with an id (they are all in index.html). */
function byId(id) {
  return document.getElementById(id);
}

/** Show a line in the status bar; `kind` is "loading", "ready" or "error". */
function setStatus(text, kind) {
  const status = byId("status");
  status.textContent = text;
  status.dataset.state = kind;
}

/** Report a failed request: the token form for 401, else the message. */
function showError(error) {
  if (error instanceof ApiError && error.status === 401) {
    byId("token-form").hidden = false;
    setStatus("This server needs a read token.", "error");
    return;
  }
  setStatus(`Error: ${error.message}`, "error");
}

// ---- filters ---------------------------------------------------------------------------

/** The filters as set in the form. */
function readFilters() {
  const form = byId("filters");
  const filters = {};
  for (const name of FILTER_NAMES) {
    const value = form.elements[name].value.trim();
    if (value) filters[name] = value;
  }
  return filters;
}

/** Set the form from filters (a province or type not in the lists is added to them). */
function writeFilters(filters) {
  const form = byId("filters");
  for (const name of FILTER_NAMES) {
    const field = form.elements[name];
    const value = filters[name] || "";
    if (field.tagName === "SELECT" && value && ![...field.options].some((o) => o.value === value)) {
      field.append(el("option", { value }, value));
    }
    field.value = value;
  }
}

/** Filters from the page URL, so a view can be bookmarked and shared. */
function filtersFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const filters = {};
  for (const name of FILTER_NAMES) if (params.get(name)) filters[name] = params.get(name);
  return filters;
}

/** Put the filters in the page URL without reloading. */
function saveFiltersToUrl(filters) {
  const params = new URLSearchParams(filters);
  const query = params.toString();
  window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
}

/** Options of a select: a first "all" option, then the values. */
function fillSelect(select, allLabel, values, label = (v) => v) {
  const current = select.value;
  select.replaceChildren(
    el("option", { value: "" }, allLabel),
    ...values.map((value) => el("option", { value }, label(value))),
  );
  if (current && values.includes(current)) select.value = current;
}

/** What the lists offer, from the unfiltered events: countries, provinces, perpetrators. */
function buildCatalog(collection) {
  const provincesByCountry = new Map();
  const perpetrators = new Set();
  const dates = [];
  for (const { properties: p } of collection.features || []) {
    if (p.country) {
      if (!provincesByCountry.has(p.country)) provincesByCountry.set(p.country, new Set());
      if (p.admin1) provincesByCountry.get(p.country).add(p.admin1);
    }
    if (p.perpetrator) perpetrators.add(p.perpetrator);
    if (p.date) dates.push(p.date);
  }
  dates.sort();
  return {
    countries: [...provincesByCountry.keys()].sort(),
    provincesByCountry,
    perpetrators: [...perpetrators].sort(),
    dates,
  };
}

/** The province list: those of the chosen country, or all of them. */
function fillProvinces() {
  const form = byId("filters");
  const { provincesByCountry } = state.catalog;
  const country = form.elements.country.value;
  const sets = country ? [provincesByCountry.get(country) || new Set()] : [...provincesByCountry.values()];
  const provinces = [...new Set(sets.flatMap((set) => [...set]))].sort();
  fillSelect(form.elements.admin1, "All provinces", provinces);
}

/** Fill every list of the filter form from the catalog. */
function fillFilterLists() {
  const form = byId("filters");
  const { countries, perpetrators, dates } = state.catalog;
  fillSelect(form.elements.country, "All countries", countries);
  fillProvinces();
  fillSelect(form.elements.type, "All types", Object.keys(ATTACK_COLORS), (t) => t.replaceAll("_", " "));
  byId("perpetrators").replaceChildren(...perpetrators.map((name) => el("option", { value: name })));
  if (dates.length) {
    for (const name of ["since", "until"]) {
      form.elements[name].min = `${dates[0].slice(0, 4)}-01-01`;
      form.elements[name].max = `${dates[dates.length - 1].slice(0, 4)}-12-31`;
    }
  }
}

/** Apply the form's filters: URL, map (zoomed to what they select), timeline, provinces. */
function applyFilters() {
  state.filters = readFilters();
  saveFiltersToUrl(state.filters);
  refresh({ fit: true });
}

/** React to the form: selects and dates at once, typing after a pause, reset clears all. */
function wireFilters() {
  const form = byId("filters");
  let typing = null;
  form.addEventListener("change", (event) => {
    if (event.target.name === "country") fillProvinces();
    clearTimeout(typing);
    applyFilters();
  });
  form.addEventListener("input", (event) => {
    if (event.target.tagName !== "INPUT" || event.target.type === "date") return;
    clearTimeout(typing);
    typing = setTimeout(applyFilters, TYPING_DELAY_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters();
  });
  form.addEventListener("reset", () => {
    // the form resets its fields after this event: read them on the next turn
    setTimeout(() => {
      fillProvinces();
      applyFilters();
    });
  });
}

/** Filter by a province (a click in the province table). */
function pickProvince(name) {
  const form = byId("filters");
  const field = form.elements.admin1;
  if (![...field.options].some((option) => option.value === name)) {
    field.append(el("option", { value: name }, name));
  }
  field.value = name;
  applyFilters();
}

// ---- views -----------------------------------------------------------------------------

/** "23 events, 45 killed" from aggregate rows (they add up to the listing's total). */
function summary(rows, shown) {
  const events = rows.reduce((sum, row) => sum + (row.events || 0), 0);
  const killed = rows.reduce((sum, row) => sum + (row.killed || 0), 0);
  const unplaced = events - shown;
  const note = unplaced > 0 ? ` (${unplaced} without coordinates, not on the map)` : "";
  return `${events} events, ${killed} killed${note}. Click a circle for its sources.`;
}

/**
 * Fetch what the filters select and redraw the map, the timeline and the province table;
 * with `fit`, zoom the map to the events shown.
 */
async function refresh({ fit = false } = {}) {
  const number = ++state.refreshes;
  const filters = { ...state.filters };
  setStatus("Loading…", "loading");
  try {
    const [collection, weeks, provinces] = await Promise.all([
      fetchEventsGeojson(filters),
      fetchAggregates("week", filters),
      fetchAggregates("admin1", filters),
    ]);
    if (number !== state.refreshes) return; // a newer refresh is under way
    const shown = state.map.setEvents(collection);
    state.weeks = weeks;
    drawTimeline(byId("timeline"), weeks);
    drawProvinces(byId("province-rows"), provinces, filters.admin1 || null, pickProvince);
    state.map.highlight(state.selected);
    if (fit) state.map.fit();
    setStatus(summary(provinces, shown), "ready");
    byId("status").dataset.markers = String(shown);
  } catch (error) {
    if (number === state.refreshes) showError(error);
  }
}

/** Open the event panel for an event and load its sources. */
async function openEvent(id) {
  state.selected = id;
  state.map.highlight(id);
  const panel = byId("event-panel");
  const body = byId("event-body");
  panel.hidden = false;
  panel.dataset.state = "loading";
  byId("event-title").textContent = `Event ${id}`;
  body.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  try {
    const event = await fetchEvent(id);
    if (state.selected !== id) return;
    renderEvent(body, event);
    panel.dataset.state = "ready";
    panel.dataset.eventId = String(id);
    panel.scrollTop = 0;
    byId("event-title").focus();
  } catch (error) {
    body.replaceChildren(el("p", { class: "error" }, `Could not load event ${id}: ${error.message}`));
    panel.dataset.state = "error";
  }
}

/** Close the event panel. */
function closeEvent() {
  state.selected = null;
  state.map.highlight(null);
  byId("event-panel").hidden = true;
}

/** Reload the recent alerts. */
async function loadAlerts() {
  try {
    const alerts = await fetchRecentAlerts(ALERTS_SHOWN);
    drawAlerts(byId("alert-list"), alerts, openEvent);
    byId("alerts-updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    byId("alerts-updated").textContent = `not loaded: ${error.message}`;
  }
}

/** Keep the timeline as wide as its box and the map aware of its size. */
function wireResize() {
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      state.map.resize();
      drawTimeline(byId("timeline"), state.weeks);
    }, RESIZE_DELAY_MS);
  });
}

/** The read-token form, shown when the server answers 401. */
function wireTokenForm() {
  const form = byId("token-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setReadToken(form.elements.token.value.trim());
    form.hidden = true;
    start();
  });
}

/** Load the settings and the catalog, draw everything, and poll the alerts. */
async function start() {
  try {
    const config = await fetchConfig();
    if (!state.map) {
      state.map = new EventMap(byId("map"), { tiles: config.tiles || null, onSelect: openEvent });
    }
    state.catalog = buildCatalog(await fetchEventsGeojson({}));
    fillFilterLists();
    state.filters = filtersFromUrl();
    writeFilters(state.filters);
    await refresh({ fit: true });
    loadAlerts();
  } catch (error) {
    showError(error);
  }
}

/** Wire the page once, then start. */
function main() {
  wireFilters();
  wireResize();
  wireTokenForm();
  byId("event-close").addEventListener("click", closeEvent);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.selected !== null) closeEvent();
  });
  setInterval(loadAlerts, ALERTS_EVERY_MS);
  start();
}

main();
