// The recent alerts list: which rule fired for which event, and whether the webhook got it.

import { el, figure, humanize } from "./dom.js";

/** The rule's name, from a nested rule object or flat fields. */
function ruleName(alert) {
  if (alert.rule && typeof alert.rule === "object") return alert.rule.name || `rule ${alert.rule.id ?? "?"}`;
  if (alert.rule_name) return alert.rule_name;
  return alert.rule || (alert.rule_id !== undefined ? `rule ${alert.rule_id}` : "rule");
}

/** The event summary, from a nested event object or flat fields. */
function eventOf(alert) {
  if (alert.event && typeof alert.event === "object") return alert.event;
  return { id: alert.event_id };
}

/** "bombing in Baiji, 2021-03-15, 2 killed" */
function eventSummary(event) {
  const parts = [];
  if (event.attack_type) parts.push(humanize(event.attack_type));
  if (event.location || event.admin1) parts.push(`in ${event.location || event.admin1}`);
  const head = parts.join(" ") || `event ${figure(event.id)}`;
  const tail = [event.date, event.killed !== undefined ? `${figure(event.killed)} killed` : null]
    .filter(Boolean)
    .join(", ");
  return tail ? `${head}, ${tail}` : head;
}

/** The webhook delivery in a few words: "webhook delivered", "no webhook"... */
function deliveryOf(alert) {
  const status = typeof alert.status === "string" ? alert.status : "";
  if (!status) return "";
  if (status === "no_webhook") return "no webhook";
  if (status === "failed" && alert.attempts) {
    return `webhook failed after ${alert.attempts} attempt${alert.attempts === 1 ? "" : "s"}`;
  }
  return `webhook ${humanize(status)}`;
}

/** One alert line; the event summary opens the event panel. */
function alertItem(alert, onSelect) {
  const event = eventOf(alert);
  const when = alert.raised_at || alert.created_at || alert.at || alert.time || "";
  const delivery = deliveryOf(alert);
  const summary =
    event.id !== undefined && event.id !== null
      ? el("button", { type: "button", class: "link-button", onclick: () => onSelect(event.id) }, eventSummary(event))
      : el("span", {}, eventSummary(event));
  return el(
    "li",
    {},
    el("span", { class: "alert-rule" }, ruleName(alert)),
    alert.kind ? ` · ${alert.kind} event: ` : ": ",
    summary,
    el(
      "span",
      { class: "alert-meta" },
      when ? String(when).replace("T", " ").slice(0, 16) : "",
      delivery ? ` · ${delivery}` : "",
    ),
  );
}

/** Fill the alerts list. */
export function drawAlerts(list, alerts, onSelect) {
  if (!alerts.length) {
    list.replaceChildren(el("li", { class: "empty" }, "No alerts raised yet."));
    return;
  }
  list.replaceChildren(...alerts.map((alert) => alertItem(alert, onSelect)));
}
