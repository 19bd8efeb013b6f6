// Settings and the look-up call, shared by the service worker, the popup and the options page.
export const DEFAULTS = {
  server: "http://127.0.0.1:8000", // your farmwatch server
  key: "", // a `lookup` key (or empty on a loopback server without keys)
  autoLookup: true, // look up each page you open, for the badge (sends its URL only)
  queueUnknown: false, // ask the server to fetch pages it does not know (it fetches them itself)
  sendHtml: false, // opt-in: the popup may send the page's HTML (needs an `ingest` key)
};

export async function settings() {
  return Object.assign({}, DEFAULTS, await chrome.storage.local.get(Object.keys(DEFAULTS)));
}

export function lookupable(url) {
  return typeof url === "string" && /^https?:\/\//.test(url);
}

function headers(s) {
  const h = { Accept: "application/json" };
  if (s.key) h.Authorization = `Bearer ${s.key}`;
  return h;
}

// GET /v1/lookup: only the URL leaves the browser. The HTTP cache revalidates with the ETag.
export async function lookup(url, s) {
  s = s || (await settings());
  const query = new URLSearchParams({ url });
  if (s.queueUnknown) query.set("queue", "true");
  const response = await fetch(`${s.server.replace(/\/$/, "")}/v1/lookup?${query}`, { headers: headers(s) });
  if (response.status === 429) {
    return { error: `rate limited: retry in ${response.headers.get("Retry-After") || "a few"} s` };
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return { error: (body.error && body.error.message) || `HTTP ${response.status}` };
  return body;
}

// POST /v1/pages with the page's HTML: only when the user turned sendHtml on and pressed the button.
export async function submitHtml(url, html, s) {
  s = s || (await settings());
  const response = await fetch(`${s.server.replace(/\/$/, "")}/v1/pages`, {
    method: "POST",
    headers: Object.assign({ "Content-Type": "application/json" }, headers(s)),
    body: JSON.stringify({ url, html }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return { error: (body.error && body.error.message) || `HTTP ${response.status}` };
  return body;
}

export function badgeFor(result) {
  if (!result || result.error) return { text: "", color: "#888" };
  if (!result.known) return { text: result.queued ? "…" : "?", color: "#888" };
  if (result.verdict === "republished") {
    return result.credited ? { text: "R", color: "#d98200" } : { text: "R!", color: "#c0392b" };
  }
  return { text: "✓", color: "#1e7f4f" };
}
