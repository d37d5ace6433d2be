// The event panel: facts, spread of figures, disagreements, and each source's article text with
// its evidence sentences marked. Article text is untrusted: it only ever becomes text nodes.

import { el, figure, humanize, replaceChildren, safeLink, spread } from "./dom.js";

const FIGURES = [
  ["killed", "Killed"],
  ["wounded", "Wounded"],
  ["kidnapped", "Kidnapped"],
  ["perpetrators_killed", "Perpetrators killed"],
];

/** A regular expression source matching a sentence literally, with any run of white space. */
function sentencePattern(sentence) {
  return sentence
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("\\s+");
}

/** The offsets given with an evidence item ({start, end}), when they fit the text. */
function givenRange(item, text) {
  if (item && Number.isInteger(item.start) && Number.isInteger(item.end)) {
    if (item.start >= 0 && item.start < item.end && item.end <= text.length) {
      return { start: item.start, end: item.end };
    }
  }
  return null;
}

/** The sentence of an evidence item (a string, or an object with `sentence` or `text`). */
function sentenceOf(item) {
  if (typeof item === "string") return item;
  return (item && (item.sentence || item.text)) || "";
}

/**
 * Where the evidence sentences are in the text: sorted, non-overlapping [start, end) ranges,
 * and the sentences that were not found (a headline, say, is not in the body text).
 */
export function evidenceRanges(text, evidence) {
  const ranges = [];
  const missing = [];
  for (const item of evidence || []) {
    const given = givenRange(item, text);
    if (given) {
      ranges.push(given);
      continue;
    }
    const sentence = sentenceOf(item);
    if (!sentence.trim()) continue;
    const found = [...text.matchAll(new RegExp(sentencePattern(sentence), "g"))];
    if (!found.length) missing.push(sentence);
    for (const match of found) ranges.push({ start: match.index, end: match.index + match[0].length });
  }
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return { ranges: merged, missing };
}

/** The article text split at the evidence offsets: text nodes, and <mark> around evidence. */
export function highlightedText(text, ranges) {
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const { start, end } of ranges) {
    if (start > at) fragment.append(document.createTextNode(text.slice(at, start)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    fragment.append(mark);
    at = end;
  }
  if (at < text.length) fragment.append(document.createTextNode(text.slice(at)));
  return fragment;
}

/** A definition list of label/value pairs, skipping empty values. */
function facts(pairs) {
  const list = el("dl", { class: "facts" });
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(el("dt", {}, label), el("dd", {}, value));
  }
  return list;
}

/** "Tuz Khurmatu, Salah al-Din, IQ" */
function placeOf(event) {
  return [event.location, event.admin1, event.country].filter(Boolean).join(", ") || "unknown";
}

/** The event's own fields and the spread of its figures. */
function eventFacts(event) {
  const coords =
    event.lat !== null && event.lat !== undefined
      ? `${event.lat}, ${event.lon} (${humanize(event.geo_precision)})`
      : null;
  const perpetrator = event.perpetrator
    ? `${event.perpetrator} (${humanize(event.attribution)})`
    : "none named";
  return facts([
    ["Date", event.date ? `${event.date}${event.date_precision && event.date_precision !== "day" ? ` (${event.date_precision})` : ""}` : "undated"],
    ["Place", placeOf(event)],
    ["Coordinates", coords],
    ["Type", humanize(event.attack_type)],
    ["Perpetrator", perpetrator],
    ["Target", humanize(event.target)],
    ...FIGURES.map(([field, label]) => [
      label,
      spread(event[field], event[`${field}_low`], event[`${field}_high`]),
    ]),
    ["Sources", figure(event.sources)],
  ]);
}

/** Disagreement entries as [value, [sources]] pairs, from either the pair or object form. */
function disagreementValues(entries) {
  return (entries || []).map((entry) =>
    Array.isArray(entry) ? entry : [entry.value, entry.sources || []],
  );
}

/** Where the sources disagree: one line per field. */
function disagreementList(disagreements) {
  const fields = Object.entries(disagreements || {});
  if (!fields.length) return el("p", { class: "muted" }, "The sources agree on every field.");
  return el(
    "ul",
    { class: "disagreements" },
    fields.map(([field, entries]) =>
      el(
        "li",
        {},
        el("strong", {}, `${humanize(field)}: `),
        disagreementValues(entries)
          .map(([value, sources]) => `${figure(humanize(value))} (${[].concat(sources).join(", ")})`)
          .join(" · "),
      ),
    ),
  );
}

/** One source: outlet, link, its own figures, and its article text with evidence marked. */
function reportCard(report) {
  const text = typeof report.text === "string" ? report.text : "";
  const { ranges, missing } = evidenceRanges(text, report.evidence);
  const body = el("div", { class: "article-text" });
  if (text) body.append(highlightedText(text, ranges));
  else body.append(el("span", { class: "muted" }, "(article text not stored)"));
  return el(
    "article",
    { class: "report", "aria-label": `Source: ${report.source || "unknown outlet"}` },
    el("h4", {}, report.source || "Unknown outlet"),
    el(
      "p",
      { class: "report-meta" },
      report.published ? `Published ${report.published}` : "Publication date unknown",
      report.url ? [" · ", safeLink(report.url, report.title || report.url)] : report.title ? ` · ${report.title}` : null,
    ),
    el(
      "p",
      { class: "report-figures" },
      FIGURES.map(([field, label]) => `${label.toLowerCase()} ${figure(report[field])}`).join(" · "),
      report.date && ` · dated ${report.date}`,
      report.location && ` · at ${report.location}`,
    ),
    missing.length
      ? el(
          "div",
          { class: "evidence-outside" },
          el("p", { class: "muted" }, "Evidence outside the body text (headline or summary):"),
          el("ul", {}, missing.map((sentence) => el("li", {}, el("mark", {}, sentence)))),
        )
      : null,
    body,
  );
}

/** Copies of stored articles that added a source without new reports. */
function copyList(copies) {
  if (!copies || !copies.length) return null;
  return el(
    "section",
    { class: "copies" },
    el("h3", {}, `Copies (${copies.length})`),
    el(
      "ul",
      {},
      copies.map((copy) =>
        el(
          "li",
          {},
          copy.source || "Unknown outlet",
          copy.published ? `, ${copy.published}` : "",
          copy.url ? [" · ", safeLink(copy.url, "link")] : null,
        ),
      ),
    ),
  );
}

/** Fill the panel body with an event from GET /api/events/{id}. */
export function renderEvent(container, event) {
  const reports = event.reports || [];
  replaceChildren(
    container,
    el("p", { class: "event-headline" }, `${humanize(event.attack_type)} in ${event.location || placeOf(event)}`),
    eventFacts(event),
    el("section", {}, el("h3", {}, "Disagreements"), disagreementList(event.disagreements)),
    el("section", { class: "reports" }, el("h3", {}, `Reports (${reports.length})`), reports.map(reportCard)),
    copyList(event.copies),
  );
}
