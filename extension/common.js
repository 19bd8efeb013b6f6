// Settings and the look-up call, shared by the background script, the popup and the options page.
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

function base(s) {
  try {
    const url = new URL(s.server);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.href.replace(/\/$/, "");
  } catch {
    return null;
  }
}

// A failed request, said plainly: what went wrong and what to do about it.
async function failure(response, s, what) {
  const body = await response.json().catch(() => ({}));
  const said = body.error && body.error.message;
  if (response.status === 401) {
    return s.key ? "Your server refused the API key in Settings: check it, or ask for a new one."
      : "Your server needs an API key: add one in Settings.";
  }
  if (response.status === 403) {
    return what === "send" ? "Sending a page's HTML needs an ingest key: the key in Settings may only look pages up."
      : "The API key in Settings may not look pages up: it needs the lookup role.";
  }
  if (response.status === 429) {
    return `Too many requests for this key: try again in ${response.headers.get("Retry-After") || "a few"} seconds.`;
  }
  if (response.status === 413) return "This page is too large for your server to accept.";
  if (response.status >= 500) return `Your farmwatch server failed (HTTP ${response.status}): try again later.`;
  return said ? `Your server said: ${said}` : `Your server answered HTTP ${response.status}.`;
}

async function call(s, path, init, what) {
  const root = base(s);
  if (!root) return { error: "The server address in Settings is not an http(s) URL: fix it in Settings." };
  let response;
  try {
    response = await fetch(root + path, init);
  } catch {
    return { error: `Cannot reach your farmwatch server at ${root}: is it running, and is the address in Settings right?` };
  }
  if (!response.ok) return { error: await failure(response, s, what), status: response.status };
  return response.json().catch(() => ({ error: "Your server's answer could not be read." }));
}

// The same page under its other usual addresses: http/https, with and without "www.".
export function variants(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const out = [url];
  const host = parsed.hostname;
  const other = host.startsWith("www.") ? host.slice(4) : `www.${host}`;
  for (const protocol of [parsed.protocol, parsed.protocol === "https:" ? "http:" : "https:"]) {
    for (const name of [host, other]) {
      const v = new URL(url);
      v.protocol = protocol;
      v.hostname = name;
      if (!out.includes(v.href)) out.push(v.href);
    }
  }
  return out;
}

async function lookupOne(url, s, queue) {
  const query = new URLSearchParams({ url });
  if (queue) query.set("queue", "true");
  // no-cache: revalidate with the ETag each time, so a moderator's decision shows at once (304s are cheap).
  return call(s, `/v1/lookup?${query}`, { headers: headers(s), cache: "no-cache" }, "lookup");
}

// GET /v1/lookup: only the URL leaves the browser. An unknown URL is tried again as its http/https and
// www. variants (the server keys pages by their exact normalised URL); only then, if the user asked for it,
// queued for the server to fetch.
export async function lookup(url, s) {
  s = s || (await settings());
  const tried = variants(url);
  let first = null;
  for (const candidate of tried) {
    const result = await lookupOne(candidate, s, false);
    if (result.error || result.known) return Object.assign(result, { asked: url });
    first = first || result;
  }
  if (s.queueUnknown) return Object.assign(await lookupOne(url, s, true), { asked: url });
  return Object.assign(first, { asked: url });
}

// POST /v1/pages with the page's HTML: only when the user turned sendHtml on and pressed the button.
export async function submitHtml(url, html, s) {
  s = s || (await settings());
  return call(
    s,
    "/v1/pages",
    { method: "POST", headers: Object.assign({ "Content-Type": "application/json" }, headers(s)), body: JSON.stringify({ url, html }) },
    "send",
  );
}

export function dashboardUrl(s, url) {
  const root = base(s);
  return root ? `${root}/dashboard#/page?${new URLSearchParams({ url })}` : null;
}

// The badge: a moderator's decision wins over the service's verdict.
export function badgeFor(result) {
  if (!result || result.error) return { text: "!", color: "#6a7280", title: `farmwatch: ${result ? result.error : "no answer"}` };
  if (!result.known) {
    return result.queued ? { text: "…", color: "#6a7280", title: "farmwatch: your server will fetch and analyse this page" }
      : { text: "?", color: "#6a7280", title: "farmwatch: your server has not seen this page" };
  }
  if (result.label === "dismiss") {
    return result.verdict === "republished"
      ? { text: "OK", color: "#2d6a8f", title: "farmwatch: a moderator dismissed the republication verdict" }
      : { text: "R?", color: "#8a5a00", title: "farmwatch: a moderator doubts this page is an original" };
  }
  const confirmed = result.label === "confirm" ? " (confirmed by a moderator)" : "";
  if (result.verdict === "republished") {
    return result.credited
      ? { text: "R", color: "#8a5a00", title: `farmwatch: republished, credits its source${confirmed}` }
      : { text: "R!", color: "#b02a1e", title: `farmwatch: republished without credit${confirmed}` };
  }
  return { text: "✓", color: "#14603b", title: `farmwatch: no earlier source found${confirmed}` };
}
