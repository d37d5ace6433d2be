// DOM helpers: every piece of data becomes a text node, never markup.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Append children (nodes, strings as text nodes; null and false skipped) to a node. */
function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Set attributes given as an object; `class` and `text` are shortcuts, `on*` add listeners. */
function applyAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name.startsWith("on")) {
      // handlers are functions, never attribute strings (the CSP would refuse those anyway)
      if (typeof value !== "function") throw new TypeError(`${name} must be a function`);
      node.addEventListener(name.slice(2), value);
    } else node.setAttribute(name, value === true ? "" : String(value));
  }
  return node;
}

/** An HTML element with attributes and children: el("td", {class: "num"}, "12"). */
export function el(tag, attrs = {}, ...children) {
  return append(applyAttrs(document.createElement(tag), attrs), children);
}

/** An SVG element with attributes and children. */
export function svg(tag, attrs = {}, ...children) {
  return append(applyAttrs(document.createElementNS(SVG_NS, tag), attrs), children);
}

/** Replace all children of a node. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** An attack type or field name for people: "armed_assault" -> "armed assault". */
export function humanize(value) {
  return value === null || value === undefined ? "–" : String(value).replaceAll("_", " ");
}

/** A figure or a dash when unknown. */
export function figure(value) {
  return value === null || value === undefined ? "–" : String(value);
}

/** A best estimate with its spread when reports disagree: "4 (4–5)". */
export function spread(best, low, high) {
  if (best === null || best === undefined) return "–";
  if (low === null || low === undefined || high === null || low === high) return String(best);
  return `${best} (${low}–${high})`;
}

/** A link to an http(s) URL, or plain text when the URL has any other scheme. */
export function safeLink(url, label) {
  let parsed = null;
  try {
    parsed = new URL(url, "http://invalid.invalid/");
  } catch {
    parsed = null;
  }
  const absolute = typeof url === "string" && /^https?:\/\//i.test(url.trim());
  if (!parsed || !absolute || !["http:", "https:"].includes(parsed.protocol)) {
    return el("span", { class: "url-text" }, label || url || "");
  }
  return el("a", { href: parsed.href, rel: "noopener noreferrer", target: "_blank" }, label || parsed.href);
}
