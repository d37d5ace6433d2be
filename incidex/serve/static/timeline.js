// The timeline: events and killed per week as two bands of bars, inline SVG built with DOM APIs.

import { svg, el } from "./dom.js";

const HEIGHT_PX = 150;
const MARGIN = { top: 14, right: 12, bottom: 22, left: 52 };
const BAND_GAP_PX = 12;
const MIN_TICK_SPACING_PX = 64;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const MONTH_MS = 30.44 * DAY_MS; // average month, for spacing ticks only
const TICK_STEPS_MONTHS = [1, 3, 6, 12, 24, 60, 120];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const BANDS = [
  { field: "events", label: "events", className: "bar-events" },
  { field: "killed", label: "killed", className: "bar-killed" },
];

/** A UTC time for a "YYYY", "YYYY-MM" or "YYYY-MM-DD" key, or null. */
function parseKey(key) {
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(key || ""));
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2] || 1) - 1, Number(match[3] || 1));
}

/** Rows with a parseable week, sorted by time. */
function weeks(rows) {
  return rows
    .map((row) => ({ ...row, time: parseKey(row.key) }))
    .filter((row) => row.time !== null)
    .sort((a, b) => a.time - b.time);
}

/** Tick times and labels: every 1, 3, 6, 12... months, the finest that leaves room for labels. */
function ticks(start, end, plotWidth) {
  const pxPerMonth = (MONTH_MS / (end - start)) * plotWidth;
  const step = TICK_STEPS_MONTHS.find((months) => months * pxPerMonth >= MIN_TICK_SPACING_PX);
  if (!step) return [];
  const first = new Date(start);
  // months since year 0, rounded up to a multiple of the step, so ticks fall on Jan, Apr...
  let index = Math.ceil((first.getUTCFullYear() * 12 + first.getUTCMonth()) / step) * step;
  const result = [];
  for (let time = monthStart(index); time <= end; index += step, time = monthStart(index)) {
    if (time < start) continue;
    const date = new Date(time);
    const label = step >= 12 ? String(date.getUTCFullYear()) : `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
    result.push({ time, label });
  }
  return result;
}

/** The UTC time of the first day of a month counted from year 0. */
function monthStart(index) {
  return Date.UTC(Math.floor(index / 12), index % 12, 1);
}

/** One band of bars (events or killed) with its axis label and maximum. */
function band(rows, spec, x, barWidth, top, height, width) {
  const max = Math.max(1, ...rows.map((row) => row[spec.field] || 0));
  const group = svg("g", { class: `band ${spec.className}` });
  group.append(
    svg("line", { class: "baseline", x1: MARGIN.left, x2: width - MARGIN.right, y1: top + height, y2: top + height }),
    svg("text", { class: "band-label", x: MARGIN.left - 6, y: top + height, "text-anchor": "end" }, spec.label),
    svg("text", { class: "band-max", x: MARGIN.left - 6, y: top + 8, "text-anchor": "end" }, String(max)),
  );
  for (const row of rows) {
    const value = row[spec.field] || 0;
    if (value <= 0) continue;
    const barHeight = Math.max(1, (value / max) * height);
    group.append(
      svg(
        "rect",
        { x: x(row.time), y: top + height - barHeight, width: barWidth, height: barHeight },
        svg("title", {}, weekSummary(row)),
      ),
    );
  }
  return group;
}

/** "Week of 2021-03-15: 2 events, 6 killed, 3 wounded" */
function weekSummary(row) {
  return `Week of ${row.key}: ${row.events || 0} events, ${row.killed || 0} killed, ${row.wounded || 0} wounded`;
}

/** The x axis: tick marks and labels. */
function axis(tickList, x, y) {
  const group = svg("g", { class: "axis" });
  for (const tick of tickList) {
    const at = x(tick.time);
    group.append(
      svg("line", { x1: at, x2: at, y1: y, y2: y + 4 }),
      svg("text", { x: at, y: y + 15, "text-anchor": "middle" }, tick.label),
    );
  }
  return group;
}

/** Draw the weekly timeline of aggregate rows ({key, events, killed, wounded}) into a container. */
export function drawTimeline(container, rows) {
  const data = weeks(rows);
  if (!data.length) {
    container.replaceChildren(el("p", { class: "empty" }, "No dated events match the filters."));
    return;
  }
  const width = Math.max(320, container.clientWidth || 600);
  const start = data[0].time;
  const end = data[data.length - 1].time + WEEK_MS;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const x = (time) => MARGIN.left + ((time - start) / (end - start)) * plotWidth;
  const barWidth = Math.max(1.5, (WEEK_MS / (end - start)) * plotWidth - 1);
  const bandHeight = (HEIGHT_PX - MARGIN.top - MARGIN.bottom - BAND_GAP_PX) / 2;
  const totals = data.reduce((sum, row) => [sum[0] + (row.events || 0), sum[1] + (row.killed || 0)], [0, 0]);
  const chart = svg("svg", {
    class: "timeline-chart",
    width,
    height: HEIGHT_PX,
    viewBox: `0 0 ${width} ${HEIGHT_PX}`,
    role: "img",
    "aria-label": `Events and killed per week from ${data[0].key} to ${data[data.length - 1].key}: ${totals[0]} events, ${totals[1]} killed`,
  });
  BANDS.forEach((spec, index) => {
    const top = MARGIN.top + index * (bandHeight + BAND_GAP_PX);
    chart.append(band(data, spec, x, barWidth, top, bandHeight, width));
  });
  chart.append(axis(ticks(start, end, plotWidth), x, HEIGHT_PX - MARGIN.bottom));
  container.replaceChildren(chart);
}
