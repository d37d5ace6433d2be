// The event map: country outlines (or tiles), one circle marker per event, a legend.
// Leaflet (window.L) and topojson-client (window.topojson) are loaded by index.html.

import { el, humanize, figure } from "./dom.js";

const OUTLINES_URL = "static/vendor/world-atlas/countries-110m.json";

/** Codebook attack types (section 4) and their marker colours. */
export const ATTACK_COLORS = {
  armed_assault: "#c8384d",
  bombing: "#e8a33a",
  suicide_bombing: "#7f2704",
  indirect_fire: "#ee7b25",
  sniper: "#3f9e96",
  kidnapping: "#7b3294",
  execution: "#3d3d3d",
  arson: "#f07ea0",
  prison_break: "#8c6d4f",
  security_operation: "#3a6fb0",
  clash: "#4f9a43",
  other: "#9e9e9e",
};
const UNKNOWN_COLOR = "#9e9e9e";

const RADIUS_UNKNOWN_PX = 4; // events whose death toll no report gives
const RADIUS_ZERO_PX = 5; // events with no one killed
const RADIUS_PER_SQRT_KILLED_PX = 2.5; // area grows with the toll
const RADIUS_MAX_PX = 28; // so that a massacre does not hide a province
const LEGEND_TOLLS = [null, 1, 10, 50];
const FIT_MAX_ZOOM = 8; // fitting one event should not zoom to a street
const FIT_PADDING_PX = 24;
const CONTROLS_WIDTH_PX = 40; // the zoom and fit buttons on the left
const START_VIEW = { center: [30, 30], zoom: 3 };
const LABEL_MIN_ZOOM = 4; // below this, country names crowd the map

/** The colour of an attack type. */
export function colorOf(type) {
  return ATTACK_COLORS[type] || UNKNOWN_COLOR;
}

/** Marker radius in pixels for a best-estimate death toll (null when unknown). */
export function radiusOf(killed) {
  if (killed === null || killed === undefined) return RADIUS_UNKNOWN_PX;
  if (killed <= 0) return RADIUS_ZERO_PX;
  return Math.min(RADIUS_MAX_PX, RADIUS_ZERO_PX + RADIUS_PER_SQRT_KILLED_PX * Math.sqrt(killed));
}

/** A one-line description of an event for labels and tooltips. */
export function describeEvent(p) {
  const place = [p.location, p.admin1, p.country].filter(Boolean).join(", ") || "unknown place";
  const killed = p.killed === null || p.killed === undefined ? "toll unknown" : `${p.killed} killed`;
  return `${p.date || "undated"}: ${humanize(p.attack_type)} in ${place}, ${killed}`;
}

/** Leaflet style of a marker for an event's properties. */
function markerStyle(p) {
  const unknownToll = p.killed === null || p.killed === undefined;
  return {
    radius: radiusOf(p.killed),
    fillColor: colorOf(p.attack_type),
    fillOpacity: 0.8,
    color: unknownToll ? "#555" : "#222",
    weight: 1,
    dashArray: unknownToll ? "2 2" : null,
    className: "event-marker",
  };
}

/** Tooltip content built with DOM nodes (Leaflet would parse a string as HTML). */
function tooltipNode(p) {
  return el(
    "div",
    { class: "marker-tip" },
    el("strong", {}, `${humanize(p.attack_type)} · ${p.date || "undated"}`),
    el("br"),
    [p.location, p.admin1].filter(Boolean).join(", "),
    el("br"),
    `killed ${figure(p.killed)} · sources ${figure(p.sources)}`,
  );
}

/** Make a marker's SVG path reachable by keyboard and named for screen readers. */
function makeAccessible(marker, p, onSelect) {
  const path = marker.getElement();
  if (!path) return;
  path.setAttribute("data-event-id", String(p.id));
  path.setAttribute("tabindex", "0");
  path.setAttribute("role", "button");
  path.setAttribute("aria-label", `Event ${p.id}, ${describeEvent(p)}`);
  path.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onSelect(p.id);
    }
  });
}

/** Bigger markers first, so small ones at the same place stay on top and clickable. */
function drawingOrder(features) {
  return [...features].sort((a, b) => radiusOf(b.properties.killed) - radiusOf(a.properties.killed));
}

/** The legend control: colours of the attack types shown, and marker sizes. */
function legendControl(getTypes) {
  const control = L.control({ position: "bottomright" });
  control.onAdd = () => {
    const box = el("div", { class: "legend", role: "group", "aria-label": "Map legend" });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    control.box = box;
    return box;
  };
  control.refresh = () => {
    const types = getTypes();
    const rows = types.map((type) =>
      el("li", {}, swatch(colorOf(type), RADIUS_ZERO_PX), humanize(type)),
    );
    const sizes = LEGEND_TOLLS.map((toll) =>
      el("li", {}, swatch("#ffffff", radiusOf(toll), toll === null), toll === null ? "unknown" : `${toll}`),
    );
    control.box.replaceChildren(
      el(
        "details",
        { open: true },
        el("summary", {}, "Legend"),
        el("h3", {}, "Attack type"),
        el("ul", {}, rows.length ? rows : el("li", {}, "no events")),
        el("h3", {}, "Killed"),
        el("ul", { class: "sizes" }, sizes),
      ),
    );
  };
  return control;
}

/** A small SVG circle as in the map, for the legend. */
function swatch(color, radius, dashed = false) {
  const size = 2 * radius + 4; // room for the stroke
  const ns = "http://www.w3.org/2000/svg";
  const box = document.createElementNS(ns, "svg");
  box.setAttribute("width", String(size));
  box.setAttribute("height", String(size));
  box.setAttribute("aria-hidden", "true");
  box.setAttribute("class", "swatch");
  const circle = document.createElementNS(ns, "circle");
  circle.setAttribute("cx", String(size / 2));
  circle.setAttribute("cy", String(size / 2));
  circle.setAttribute("r", String(radius));
  circle.setAttribute("fill", color);
  circle.setAttribute("stroke", "#333");
  if (dashed) circle.setAttribute("stroke-dasharray", "2 2");
  box.append(circle);
  return box;
}

/** Country outlines from the packaged Natural Earth TopoJSON, drawn as a GeoJSON layer. */
async function addOutlines(map, withTiles) {
  const response = await fetch(OUTLINES_URL);
  if (!response.ok) throw new Error(`country outlines: ${response.status}`);
  const world = await response.json();
  const countries = topojson.feature(world, world.objects.countries);
  const outlines = L.geoJSON(countries, {
    pane: "outlines",
    interactive: false,
    style: {
      color: "#8a96a3",
      weight: 0.8,
      fillColor: "#f3f1ec",
      fillOpacity: withTiles ? 0 : 1,
    },
  }).addTo(map);
  if (!withTiles) addCountryLabels(map, outlines);
}

/** Country names at their outlines' centres, shown once the map is zoomed in enough. */
function addCountryLabels(map, outlines) {
  const labels = L.layerGroup();
  outlines.eachLayer((layer) => {
    const name = layer.feature.properties && layer.feature.properties.name;
    if (!name) return;
    const label = L.tooltip({
      permanent: true,
      direction: "center",
      className: "country-label",
      interactive: false,
      pane: "outlineLabels",
    });
    label.setLatLng(layer.getCenter()).setContent(el("span", {}, name));
    labels.addLayer(label);
  });
  const toggle = () => {
    if (map.getZoom() >= LABEL_MIN_ZOOM) labels.addTo(map);
    else labels.remove();
  };
  map.on("zoomend", toggle);
  toggle();
}

/** The map of events: create once, then call setEvents with each new FeatureCollection. */
export class EventMap {
  /**
   * @param {HTMLElement} container the element the map fills
   * @param {{tiles: string|null, onSelect: function(number)}} options
   */
  constructor(container, { tiles, onSelect }) {
    this.onSelect = onSelect;
    this.types = [];
    this.map = L.map(container, { zoomSnap: 0.5, worldCopyJump: true }).setView(
      START_VIEW.center,
      START_VIEW.zoom,
    );
    this.map.createPane("outlines").style.zIndex = "350"; // under markers (overlayPane, 400)
    this.map.createPane("outlineLabels").style.zIndex = "360";
    this.map.attributionControl.addAttribution("Outlines: Natural Earth");
    if (tiles) L.tileLayer(tiles, { maxZoom: 18 }).addTo(this.map);
    this.outlinesReady = addOutlines(this.map, Boolean(tiles)).catch((error) => {
      container.dataset.outlinesError = error.message;
    });
    this.layer = L.featureGroup().addTo(this.map);
    this.legend = legendControl(() => this.types);
    this.legend.addTo(this.map);
    this.legend.refresh();
    this.addFitButton();
  }

  /** A control that zooms to the events shown. */
  addFitButton() {
    const control = L.control({ position: "topleft" });
    control.onAdd = () => {
      const button = el(
        "button",
        { type: "button", class: "fit-button", title: "Zoom to the events shown" },
        "Fit",
      );
      L.DomEvent.disableClickPropagation(button);
      button.addEventListener("click", () => this.fit());
      return button;
    };
    control.addTo(this.map);
  }

  /** Replace the markers with one per located event of the FeatureCollection; returns how many. */
  setEvents(collection) {
    this.layer.clearLayers();
    const located = (collection.features || []).filter(
      (f) => f.geometry && Array.isArray(f.geometry.coordinates) && f.geometry.coordinates.length >= 2,
    );
    for (const feature of drawingOrder(located)) {
      const p = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      const marker = L.circleMarker([lat, lon], markerStyle(p));
      marker.bindTooltip(tooltipNode(p), { direction: "top", offset: [0, -4] });
      marker.on("click", () => this.onSelect(p.id));
      marker.addTo(this.layer);
      makeAccessible(marker, p, this.onSelect);
    }
    this.types = [...new Set(located.map((f) => f.properties.attack_type || "other"))].sort();
    this.legend.refresh();
    return located.length;
  }

  /**
   * Zoom to the markers (or stay put when there are none), keeping them clear of the zoom
   * buttons and the legend. Not animated: a zoom animation waits for CSS transitions, which
   * a background tab or a headless browser may never run.
   */
  fit() {
    const bounds = this.layer.getBounds();
    if (!bounds.isValid()) return;
    const legendWidth = this.legend.box ? this.legend.box.offsetWidth : 0;
    this.map.fitBounds(bounds, {
      paddingTopLeft: [FIT_PADDING_PX + CONTROLS_WIDTH_PX, FIT_PADDING_PX],
      paddingBottomRight: [FIT_PADDING_PX + legendWidth, FIT_PADDING_PX],
      maxZoom: FIT_MAX_ZOOM,
      animate: false,
    });
  }

  /** Mark the selected event's marker (and unmark the others). */
  highlight(id) {
    this.layer.eachLayer((marker) => {
      const path = marker.getElement();
      if (path) path.classList.toggle("selected", path.dataset.eventId === String(id));
    });
  }

  /** Tell Leaflet the container changed size. */
  resize() {
    this.map.invalidateSize();
  }
}
