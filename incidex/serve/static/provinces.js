// The province table: events, killed and wounded per admin1; a row click filters by it.

import { el, figure } from "./dom.js";

/** Rows with the most events first, then the most killed, then by name. */
function ordered(rows) {
  return [...rows].sort(
    (a, b) =>
      (b.events || 0) - (a.events || 0) ||
      (b.killed || 0) - (a.killed || 0) ||
      String(a.key ?? "").localeCompare(String(b.key ?? "")),
  );
}

/** One table row; provinces with a name are buttons that call onPick(name). */
function provinceRow(row, selected, onPick) {
  const named = row.key !== null && row.key !== undefined && row.key !== "";
  const name = named ? String(row.key) : "(no province)";
  const label = named
    ? el("button", { type: "button", class: "link-button", "aria-pressed": String(name === selected) }, name)
    : el("span", { class: "muted" }, name);
  const tr = el(
    "tr",
    { class: name === selected ? "selected" : null, "data-admin1": named ? name : null },
    el("th", { scope: "row" }, label),
    el("td", { class: "num" }, figure(row.events)),
    el("td", { class: "num" }, figure(row.killed)),
    el("td", { class: "num" }, figure(row.wounded)),
  );
  if (named) tr.addEventListener("click", () => onPick(name));
  return tr;
}

/** Fill the table body with aggregate rows ({key, events, killed, wounded}) by admin1. */
export function drawProvinces(tbody, rows, selected, onPick) {
  if (!rows.length) {
    tbody.replaceChildren(el("tr", {}, el("td", { colspan: "4", class: "empty" }, "No events match the filters.")));
    return;
  }
  tbody.replaceChildren(...ordered(rows).map((row) => provinceRow(row, selected, onPick)));
}
