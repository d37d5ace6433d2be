// Talking to the incidex HTTP API (docs/api.md): query strings, the read token, errors.

const TOKEN_KEY = "incidex.readToken";

/** The filter names the API takes, in the order they appear in URLs. */
export const FILTER_NAMES = ["since", "until", "country", "admin1", "type", "perpetrator", "min_killed"];

/** An error answer of the API, with its HTTP status. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The read token kept for this browser tab, or null. */
export function readToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keep (or with an empty value, forget) the read token for this tab. */
export function setReadToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** A query string of the filters that are set, plus extra parameters. */
export function queryString(filters = {}, extra = {}) {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value !== undefined && value !== null && String(value).trim() !== "") {
      params.set(name, String(value).trim());
    }
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** GET a path under api/ (relative to the page, so a proxy prefix works) and parse its JSON. */
export async function getJson(path, filters = {}, extra = {}) {
  const headers = { Accept: "application/json" };
  const token = readToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`api/${path}${queryString(filters, extra)}`, { headers });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const body = await response.json();
      if (typeof body.detail === "string") detail = body.detail;
    } catch {
      // the body was not JSON: the status text says enough
    }
    throw new ApiError(response.status, `${path}: ${response.status} ${detail}`);
  }
  return response.json();
}

/** The server's settings for the page: tile URL (or null) and whether writing is enabled. */
export function fetchConfig() {
  return getJson("config");
}

/** Events matching the filters as a GeoJSON FeatureCollection. */
export function fetchEventsGeojson(filters) {
  return getJson("events.geojson", filters);
}

/** The number of events matching the filters (GET /api/events total). */
export async function fetchEventTotal(filters) {
  const page = await getJson("events", filters, { limit: 1 });
  return page.total;
}

/** Aggregate rows ({key, events, killed, wounded}) by week, month, admin1, attack_type... */
export async function fetchAggregates(by, filters) {
  const body = await getJson("aggregates", filters, { by });
  return body.rows || [];
}

/** One event with its reports, copies and disagreements. */
export function fetchEvent(id) {
  return getJson(`events/${encodeURIComponent(id)}`);
}

/** The latest alerts raised (newest first). */
export async function fetchRecentAlerts(limit) {
  const body = await getJson("alerts/recent", {}, { limit });
  return Array.isArray(body) ? body : body.items || body.alerts || [];
}
