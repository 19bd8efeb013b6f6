// farmwatch moderation dashboard: plain JS, no build step, no CDN.
// Page text comes from hostile sites: it is only ever inserted with textContent (see h()), never as HTML.
"use strict";

const KEY_STORE = "farmwatch.key"; // sessionStorage: this tab's key
const SHARE_STORE = "farmwatch.share"; // localStorage: "1" when the moderator opted in to sharing across tabs
const SHORTCUTS_STORE = "farmwatch.shortcuts"; // localStorage: "off" turns single-key shortcuts off
const QUEUE_STORE = "farmwatch.queue"; // sessionStorage: the last queue page's URLs, for "next"
const UNDO_STORE = "farmwatch.undo"; // sessionStorage: the last labels given, for undo
const PAGE_SIZE = 50;
const REASONS = [
  ["farm_copy", "Farm copy", "the verdict is right; the page should be acted on", "confirm"],
  ["licensed_syndication", "Licensed syndication", "the verdict is right, but the reuse is licensed: no action", "confirm"],
  ["false_match", "False match", "the verdict is wrong", "dismiss"],
  ["other", "Other", "explain in the note", null],
];
const REASON_TEXT = Object.fromEntries(REASONS.map(([value, text]) => [value, text]));
const TERMS = {
  coverage: "Share of this page's text that lines up, passage by passage, with the source's text.",
  source_coverage: "Share of the source's text that lines up with this page.",
  similarity: "How alike the two texts are overall (shared word sequences over all word sequences), 0 to 1.",
  containment: "Share of this page's word sequences found in the source.",
  source_containment: "Share of the source's word sequences found in this page.",
  score: "How confident the service is that this page is republished from elsewhere, 0 to 1.",
  probability: "How likely it is that this page copied the source, and not the other way round.",
  reuse_probability: "How likely it is, from the matched text alone, that this page's text derives from the source's (whoever came first).",
  margin: "The weighed evidence about who copied whom, as log-odds: above 0 points to this page being the copy.",
  credited: "The page names or links the source it copied (a credit line, a source link, a canonical link).",
  reworded: "Words changed between the two versions of a matched passage.",
  quoted: "A quotation on both pages: shared quotes are weak evidence of copying.",
  farm: "How farm-like the site is, 0 (none) to 1 (a content farm), from its share of republished pages and its template.",
};
const view = document.getElementById("view");
let keyHandler = null; // the current view's keyboard handler

// --- helpers ---------------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs || {})) el.setAttribute(name, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);
const num = (x, d = 2) => (x === null || x === undefined ? "–" : Number(x).toFixed(d));
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const toDate = (value) => (typeof value === "number" ? new Date(value * 1000) : value ? new Date(value) : null);

// A date in the reader's locale and time zone; the exact ISO time on hover and in the markup.
function when(value, withTime) {
  const d = toDate(value);
  if (!d || isNaN(d)) return h("span", { class: "muted" }, "–");
  return h("time", { datetime: d.toISOString(), title: d.toISOString() }, (withTime ? timeFormat : dayFormat).format(d));
}

function term(name, text) {
  return h("abbr", { class: "term", title: TERMS[name] || name }, text || name.replace("_", " "));
}

function duration(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  if (minutes < 1) return "less than a minute";
  const days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
  if (days >= 2) return `${days} days`;
  return [days ? `${days} d` : "", hours ? `${hours} h` : "", mins && !days ? `${mins} min` : ""].filter(Boolean).join(" ");
}

function toast(message, bad) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = bad ? "show bad" : "show";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.className = ""), 4000);
}

function hashRoute() {
  const raw = location.hash.replace(/^#\/?/, "") || "queue";
  const [path, query] = raw.split("?");
  return { path: path.split("/").map(decodeURIComponent), params: new URLSearchParams(query || "") };
}

function go(path, params) {
  const query = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null)) : null;
  location.hash = "#/" + path + (query && [...query].length ? "?" + query : "");
}

// --- API ---------------------------------------------------------------------------------------
class AuthError extends Error {}

async function api(path, options = {}) {
  const key = options.key !== undefined ? options.key : sessionStorage.getItem(KEY_STORE);
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  if (key) headers.Authorization = `Bearer ${key}`;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  let response;
  try {
    response = await fetch(path, { method: options.method || "GET", headers, body: options.body });
  } catch (error) {
    throw new Error("The farmwatch server cannot be reached. Check that it is running, then reload.");
  }
  if (response.status === 401 || response.status === 403) {
    const body = await response.json().catch(() => ({}));
    const error = new AuthError((body.error && body.error.message) || "sign in with a moderator key");
    error.status = response.status;
    throw error;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const error = new Error((body.error && body.error.message) || `The server answered HTTP ${response.status}.`);
    error.status = response.status;
    throw error;
  }
  return options.raw ? response : response.json();
}

// --- sign in: one state, shown the same in the header and the body ---------------------------------
// state: "checking" | "open" (no key needed) | "signed" (a moderator key that works) | "out" (a key is needed)
const auth = { state: "checking", message: "" };
const channel = "BroadcastChannel" in window ? new BroadcastChannel("farmwatch-signin") : null;
const sharing = () => localStorage.getItem(SHARE_STORE) === "1";

function renderSignin() {
  const signed = auth.state === "signed";
  const needKey = auth.state === "out";
  document.getElementById("key").hidden = !needKey;
  document.getElementById("signin-btn").hidden = !needKey;
  document.getElementById("share-label").hidden = !needKey;
  document.getElementById("share").checked = sharing();
  document.getElementById("signout").hidden = !signed;
  document.getElementById("who").textContent =
    signed ? `signed in${sharing() ? " (shared with your tabs)" : ""}` :
    auth.state === "open" ? "open service: no key needed" :
    auth.state === "checking" ? "" : auth.message || "not signed in";
  document.getElementById("who").className = needKey && auth.message ? "bad" : "";
}

// Ask the server whether a key (or no key) may read the queue; sets auth.state.
async function checkKey(key) {
  try {
    await api("/v1/review/sites?limit=1", { key: key || "" });
    auth.state = key ? "signed" : "open";
    auth.message = "";
    return true;
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    auth.state = "out";
    auth.message = !key ? "" : error.status === 403 ? "that key is not a moderator key" : "that key was refused";
    return false;
  }
}

function signOut(message, broadcast = true) {
  sessionStorage.removeItem(KEY_STORE);
  auth.state = "out";
  auth.message = message || "";
  if (broadcast && channel && sharing()) channel.postMessage({ type: "signout" });
  renderSignin();
}

document.getElementById("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("key");
  const value = input.value.trim();
  if (!value) return input.focus();
  localStorage.setItem(SHARE_STORE, document.getElementById("share").checked ? "1" : "0");
  if (await checkKey(value)) {
    sessionStorage.setItem(KEY_STORE, value); // this tab only (and tabs it is shared with), gone when closed
    input.value = "";
    if (channel && sharing()) channel.postMessage({ type: "key", key: value });
    renderSignin();
    route();
  } else {
    renderSignin();
    showAuthError(new AuthError(auth.message));
    input.select();
  }
});
document.getElementById("signout").addEventListener("click", () => {
  signOut("signed out");
  route();
});

if (channel) {
  channel.onmessage = (event) => {
    const message = event.data || {};
    const key = sessionStorage.getItem(KEY_STORE);
    if (message.type === "want" && key && sharing()) channel.postMessage({ type: "key", key });
    else if (message.type === "key" && sharing() && message.key && message.key !== key) {
      sessionStorage.setItem(KEY_STORE, message.key);
      auth.state = "signed";
      auth.message = "";
      renderSignin();
      if (view.dataset.loaded === "signin") route();
    } else if (message.type === "signout" && key) {
      signOut("signed out in another tab", false);
      route();
    }
  };
}

// A new tab asks the others for the key when the moderator opted in to sharing.
function askOtherTabs() {
  if (!channel || !sharing() || sessionStorage.getItem(KEY_STORE)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { channel.removeEventListener("message", got); resolve(); };
    const got = (event) => { if (event.data && event.data.type === "key") setTimeout(done, 0); };
    channel.addEventListener("message", got);
    channel.postMessage({ type: "want" });
    setTimeout(done, 300);
  });
}

function showAuthError(error) {
  if (sessionStorage.getItem(KEY_STORE)) {
    signOut(error.status === 403 ? "that key is not a moderator key" : "your key was refused", false);
  } else {
    auth.state = "out";
    renderSignin();
  }
  view.replaceChildren(
    h("section", { class: "panel notice" },
      h("h1", {}, "Sign in"),
      h("p", {}, auth.message ? `Sign-in failed: ${auth.message}. ` : "", "This server needs a moderator key for the dashboard."),
      h("p", { class: "muted" }, "Paste a moderator (or admin) API key in the box at the top right. It is kept in this tab only (sessionStorage), or shared with your other tabs of this browser session if you tick the box, and sent as a Bearer token.")));
  view.dataset.loaded = "signin";
  document.getElementById("key").focus();
}

// --- settings: single-key shortcuts (WCAG 2.1.4) -------------------------------------------------
const shortcutsOn = () => localStorage.getItem(SHORTCUTS_STORE) !== "off";
const toggle = document.getElementById("shortcuts-toggle");
toggle.checked = shortcutsOn();
toggle.addEventListener("change", () => {
  localStorage.setItem(SHORTCUTS_STORE, toggle.checked ? "on" : "off");
  toast(toggle.checked ? "Single-key shortcuts on" : "Single-key shortcuts off");
});

// --- undo ------------------------------------------------------------------------------------------
function rememberUndo(labels, text) {
  sessionStorage.setItem(UNDO_STORE, JSON.stringify({ ids: labels.map((l) => l.id), text }));
  renderUndo();
}

function renderUndo() {
  const bar = document.getElementById("undo-bar");
  const last = JSON.parse(sessionStorage.getItem(UNDO_STORE) || "null");
  if (!last) return bar.replaceChildren();
  bar.replaceChildren(h("div", { class: "undo" }, h("span", {}, last.text), " ",
    h("button", { type: "button", id: "undo", onclick: undoLast }, "Undo", shortcutsOn() ? h("kbd", {}, "z") : null),
    h("button", { type: "button", class: "linkish", onclick: () => { sessionStorage.removeItem(UNDO_STORE); renderUndo(); } }, "Hide")));
}

async function undoLast() {
  const last = JSON.parse(sessionStorage.getItem(UNDO_STORE) || "null");
  if (!last) return;
  try {
    for (const id of last.ids) await api(`/v1/labels/${encodeURIComponent(id)}`, { method: "DELETE" });
    sessionStorage.removeItem(UNDO_STORE);
    renderUndo();
    toast(last.ids.length > 1 ? `${last.ids.length} labels undone` : "Label undone");
    route();
  } catch (error) {
    if (error instanceof AuthError) showAuthError(error);
    else toast(`Could not undo: ${error.message}`, true);
  }
}

// --- shared pieces -------------------------------------------------------------------------------
function verdictBadge(verdict, score) {
  if (!verdict) return h("span", { class: "badge" }, "unjudged");
  const text = verdict === "republished" && score !== undefined ? `republished ${num(score)}` : verdict;
  return h("span", { class: `badge ${verdict}` }, text);
}

function creditBadge(credited) {
  if (credited === null || credited === undefined) return h("span", { class: "muted" }, "–");
  return h("span", { class: credited ? "credit yes" : "credit no", title: TERMS.credited }, credited ? "credited" : "uncredited");
}

function labelBadge(label, reason) {
  if (!label) return "";
  const text = (label === "confirm" ? "confirmed" : "dismissed") + (reason ? `: ${REASON_TEXT[reason] || reason}` : "");
  return h("span", { class: `label ${label}` }, text);
}

function pageLink(url, text, extra) {
  return h("a", { href: "#/page?" + new URLSearchParams(Object.assign({ url }, extra || {})), class: "pagelink", dir: "auto" }, text || url);
}

function siteLink(site) {
  return h("a", { href: `#/site/${encodeURIComponent(site)}`, class: "sitelink" }, site);
}

function rememberQueue(items, query) {
  sessionStorage.setItem(QUEUE_STORE, JSON.stringify({ urls: items.map((i) => i.url), query }));
}

// A table of pages: rows are focusable (one tab stop, arrow keys move), the selected row is aria-selected.
function pageTable(items, options = {}) {
  let selected = Math.min(options.selected || 0, Math.max(0, items.length - 1));
  const rows = items.map((item, i) =>
    h("tr", { "data-url": item.url, tabindex: "-1", "aria-selected": "false", onclick: () => select(i), ondblclick: () => open(i),
      onkeydown: (event) => {
        if (event.target !== rows[i]) return; // a link or button inside the row keeps its own keys
        if (event.key === "ArrowDown") select(i + 1, true);
        else if (event.key === "ArrowUp") select(i - 1, true);
        else if (event.key === "Enter") open(i);
        else return;
        event.preventDefault();
        event.stopPropagation();
      } },
      h("td", { class: "score" }, num(item.score)),
      h("td", {}, verdictBadge(item.verdict)),
      h("td", { class: "title" },
        pageLink(item.url, item.title || item.url),
        h("div", { class: "url muted" }, item.url)),
      h("td", {}, siteLink(item.site)),
      h("td", { class: "source" }, item.source_url
        ? [siteLink(item.source_site), h("div", { class: "muted" }, `${pct(item.coverage || item.containment)} of the text`)]
        : h("span", { class: "muted" }, "–")),
      h("td", {}, creditBadge(item.credited)),
      h("td", { class: "date" }, item.published_at ? when(item.published_at) : h("span", { class: "muted", title: "no publication date: first seen" }, "seen ", when(item.first_seen))),
      h("td", {}, labelBadge(item.label, item.reason)))
  );
  const table = h("table", { class: "pages", "aria-label": options.caption || "Pages" },
    h("colgroup", {}, ["score", "verdict", "page", "site", "source", "credit", "date", "label"].map((c) => h("col", { class: `c-${c}` }))),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, term("score")), h("th", { scope: "col" }, "verdict"), h("th", { scope: "col" }, "page"), h("th", { scope: "col" }, "site"),
      h("th", { scope: "col" }, "first source"), h("th", { scope: "col" }, "credit"), h("th", { scope: "col" }, "published"), h("th", { scope: "col" }, "label"))),
    h("tbody", {}, rows));
  function select(i, focus) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((row, j) => {
      row.classList.toggle("selected", j === selected);
      row.setAttribute("aria-selected", j === selected ? "true" : "false");
      row.tabIndex = j === selected ? 0 : -1;
    });
    if (focus) rows[selected].focus();
    else rows[selected].scrollIntoView({ block: "nearest" });
    if (options.onSelect) options.onSelect(selected);
  }
  function open(i) {
    if (rows.length) go("page", { url: items[i].url });
  }
  select(selected);
  const keys = (event) => {
    if (event.key === "j") select(selected + 1, true);
    else if (event.key === "k") select(selected - 1, true);
    else if (event.key === "Enter" || event.key === "o") open(selected);
    else if (event.key === "s" && items.length) go(`site/${encodeURIComponent(items[selected].site)}`);
    else return false;
    return true;
  };
  return { table, keys, selected: () => selected };
}

// Previous and next pages of a list: the API's cursors (`prev_cursor`, `next_cursor`), null at either end.
function pager(page, move) {
  const first = page.items.length ? page.position + 1 : 0;
  const last = page.position + page.items.length;
  return h("nav", { class: "pager", "aria-label": "Result pages" },
    h("button", { type: "button", id: "prev-page", disabled: !page.prev_cursor, onclick: () => move(page.prev_cursor) }, "‹ previous ", h("kbd", {}, "p")),
    h("span", { class: "muted", id: "range" }, `${first}–${last} of ${page.total}`),
    h("button", { type: "button", id: "next-page", disabled: !page.next_cursor, onclick: () => move(page.next_cursor) }, "next ", h("kbd", {}, "n"), " ›"));
}

// n and p on a paged list.
function pagerKeys(event, page, move) {
  if (event.key === "n" && page.next_cursor) move(page.next_cursor);
  else if (event.key === "p" && page.prev_cursor) move(page.prev_cursor);
  else return false;
  return true;
}

// --- queue ------------------------------------------------------------------------------------------
const FILTERS = ["site", "verdict", "credited", "labelled", "since", "until", "sort", "view"];
const PRESETS = [
  ["priority", "Uncredited first", "uncredited republications, then credited ones, then originals; each by score"],
  ["score", "Highest score", "most likely republications first"],
  ["newest", "Newest", "latest publication first"],
  ["sites", "By site", "pages grouped by site, with labels for a whole site"],
];

async function renderQueue(params, seq) {
  const cursor = params.get("cursor") || "";
  const current = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) || ""]));
  if (!current.sort) current.sort = "priority";
  const bySite = current.view === "sites";
  const query = new URLSearchParams({ limit: PAGE_SIZE, counts: "true" });
  for (const name of ["site", "verdict", "credited", "labelled", "since", "until", "sort"]) if (current[name]) query.set(name, current[name]);
  if (cursor) query.set("cursor", cursor);
  const apply = (changes) => go("queue", Object.assign({}, current, { cursor: "" }, changes));
  const badDates = current.since && current.until && current.since > current.until;
  const [data, sites] = await Promise.all([
    badDates ? { total: 0, position: 0, items: [], counts: null, next_cursor: null, prev_cursor: null } : api(`/v1/review/queue?${query}`),
    api("/v1/review/sites?limit=500"),
  ]);
  stillCurrent(seq);
  const counts = data.counts || {};
  const counted = (facet, value, text) => (counts[facet] && counts[facet][value] !== undefined ? `${text} (${counts[facet][value]})` : text);
  const select = (name, label, choices) =>
    h("label", {}, `${label} `, h("select", { name, onchange: (e) => apply({ [name]: e.target.value }) },
      choices.map(([value, text]) => h("option", { value, selected: current[name] === value }, counted(name, value, text)))));
  const dateError = h("p", { class: "error", id: "date-error", role: "alert" }, badDates ? "The start date is after the end date: nothing can match. Change one of them." : "");
  const form = h("form", { class: "filters", id: "filters", "aria-label": "Filters", onsubmit: (e) => {
      e.preventDefault();
      const values = new FormData(e.target);
      const since = values.get("since") || "", until = values.get("until") || "";
      if (since && until && since > until) {
        dateError.textContent = "The start date is after the end date: change one of them.";
        return form.querySelector("[name=since]").focus();
      }
      apply(Object.fromEntries(["site", "verdict", "credited", "labelled", "since", "until"].map((f) => [f, values.get(f) || ""])));
    } },
    h("label", {}, "site ", h("input", { name: "site", list: "site-list", value: current.site, placeholder: "any site", size: 18 })),
    h("datalist", { id: "site-list" }, sites.items.map((s) => h("option", { value: s.site }, `${s.pages} pages`))),
    select("verdict", "verdict", [["", "any"], ["republished", "republished"], ["original", "original"]]),
    select("credited", "credit", [["", "any"], ["false", "uncredited"], ["true", "credited"]]),
    select("labelled", "label", [["", "any"], ["false", "to review"], ["true", "labelled"]]),
    h("label", {}, "published from ", h("input", { type: "date", name: "since", value: current.since, max: current.until || null })),
    h("label", {}, "to ", h("input", { type: "date", name: "until", value: current.until, min: current.since || null })),
    h("button", { type: "submit" }, "Filter"),
    h("button", { type: "button", onclick: () => go("queue", { sort: current.sort, view: current.view }) }, "Clear"),
    dateError);
  const presetNav = h("nav", { class: "presets", "aria-label": "Order" },
    PRESETS.map(([value, text, help]) => {
      const active = value === "sites" ? bySite : !bySite && current.sort === value;
      const target = value === "sites" ? { view: "sites" } : { sort: value, view: "" };
      return h("a", { href: "#/queue?" + new URLSearchParams(Object.entries(Object.assign({}, current, target, { cursor: "" })).filter(([, v]) => v)), title: help,
        class: active ? "preset current" : "preset", "aria-current": active ? "true" : null }, text);
    }));
  const filtered = ["site", "verdict", "credited", "labelled", "since", "until"].some((f) => current[f]);
  const empty = h("div", { class: "panel muted", id: "empty" },
    filtered ? ["No judged pages match these filters. ", h("button", { type: "button", onclick: () => go("queue", { sort: current.sort }) }, "Clear the filters")]
      : "No page has been judged yet: pages appear here once the service has analysed them.");

  let body;
  let list = null;
  const move = (to) => { sessionStorage.setItem("farmwatch.sel", 0); apply({ cursor: to }); };
  if (bySite) {
    body = await siteGroups(current);
    stillCurrent(seq);
  } else {
    list = pageTable(data.items, { selected: Number(sessionStorage.getItem("farmwatch.sel") || 0), caption: "Review queue" });
    rememberQueue(data.items, query.toString());
    body = [data.items.length ? list.table : empty, pager(data, move)];
  }
  view.replaceChildren(
    h("section", { class: "queue" },
      h("div", { class: "heading" },
        h("h1", {}, "Review queue"),
        h("span", { class: "muted" }, `${counts.all ? counts.all[""] : data.total} pages`),
        presetNav),
      form,
      body));
  keyHandler = (event) => {
    if (list && list.keys(event)) {
      sessionStorage.setItem("farmwatch.sel", list.selected());
      return true;
    }
    if (!list) return false;
    if (pagerKeys(event, data, move)) return true;
    if (event.key === "/") form.querySelector("input").focus();
    else return false;
    return true;
  };
}

// The queue grouped by site: each site's count, its first page, and one label for all its matching pages.
async function siteGroups(current) {
  const query = new URLSearchParams({ sort: current.sort || "priority" });
  for (const name of ["verdict", "credited", "labelled", "since", "until"]) if (current[name]) query.set(name, current[name]);
  const data = await api(`/v1/review/queue/sites?${query}`);
  if (!data.items.length) return h("p", { class: "panel muted", id: "empty" }, "No judged pages match these filters.");
  const bulk = async (site, count, reason, button) => {
    const decision = REASONS.find((r) => r[0] === reason)[3] || "confirm";
    button.disabled = true;
    try {
      const q = new URLSearchParams(query);
      q.set("site", site);
      q.set("limit", "200");
      const pages = await api(`/v1/review/queue?${q}`);
      const result = await api("/v1/labels/bulk", { method: "POST", json: { urls: pages.items.map((i) => i.url), decision, reason } });
      rememberUndo(result.items, `Labelled ${result.items.length} pages of ${site} as ${REASON_TEXT[reason].toLowerCase()}.`);
      route();
    } catch (error) {
      button.disabled = false;
      if (error instanceof AuthError) showAuthError(error);
      else toast(`Could not label ${site}: ${error.message}`, true);
    }
  };
  return h("ul", { class: "groups" }, data.items.map((g, i) => {
    const choice = h("select", { "aria-label": `Reason for all ${g.pages} pages of ${g.site}`, id: `bulk-reason-${i}` },
      REASONS.filter((r) => r[0] !== "other").map(([value, text]) => h("option", { value }, text)));
    const button = h("button", { type: "button", class: "bulk" }, `Label ${g.pages === 1 ? "its page" : `all ${g.pages} pages`}`);
    button.addEventListener("click", () => bulk(g.site, g.pages, choice.value, button));
    return h("li", { class: "group panel" },
      h("h2", {}, siteLink(g.site), " ", h("span", { class: "muted" }, `${g.pages} ${g.pages === 1 ? "page" : "pages"}`)),
      h("p", {}, "Worst first: ", pageLink(g.first_url)),
      h("div", { class: "bulkform" }, choice, button));
  }),
  data.scanned < data.total ? h("li", { class: "muted" }, `Grouped the first ${data.scanned} of ${data.total} pages.`) : null);
}

// --- the comparison view ---------------------------------------------------------------------------
// Where each paragraph sits in main_text (paragraphs joined by newlines).
function paragraphOffsets(doc) {
  const text = doc.main_text || "";
  let cursor = 0;
  return doc.paragraphs.map((p) => {
    let start = text.startsWith(p, cursor) ? cursor : text.indexOf(p, cursor);
    if (start < 0) start = cursor;
    cursor = start + p.length;
    return [start, start + p.length];
  });
}

const wordKey = (w) => w.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

// Word-level differences inside one aligned passage: the character ranges (in each text) of words that are
// not in the longest common word sequence. Long passages are compared in windows to stay fast.
function rewordedRanges(a, aStart, b, bStart) {
  const tokens = (text, base) => [...text.matchAll(/\S+/g)].map((m) => ({ key: wordKey(m[0]), start: base + m.index, end: base + m.index + m[0].length }));
  const x = tokens(a, aStart), y = tokens(b, bStart);
  const changedA = [], changedB = [];
  if (x.length * y.length > 4_000_000) return [changedA, changedB];
  const n = x.length, m = y.length;
  const table = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      table[i][j] = x[i].key === y[j].key ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (x[i].key === y[j].key) { i++; j++; }
    else if (table[i + 1][j] >= table[i][j + 1]) changedA.push([x[i].start, x[i++].end]);
    else changedB.push([y[j].start, y[j++].end]);
  }
  while (i < n) changedA.push([x[i].start, x[i++].end]);
  while (j < m) changedB.push([y[j].start, y[j++].end]);
  return [changedA.filter(([s, e]) => e > s), changedB.filter(([s, e]) => e > s)];
}

// Render one paragraph [pStart, pEnd) of a text with its spans ({start, end, source, span, quoted}) and
// reworded ranges; each span's first piece is focusable and jumps to its counterpart.
function renderParagraph(text, pStart, pEnd, spans, reworded, side, firstPiece) {
  const cuts = new Set([pStart, pEnd]);
  const inside = spans.filter((s) => s.end > pStart && s.start < pEnd);
  for (const s of inside) { cuts.add(Math.max(pStart, s.start)); cuts.add(Math.min(pEnd, s.end)); }
  const changed = reworded.filter(([s, e]) => e > pStart && s < pEnd);
  for (const [s, e] of changed) { cuts.add(Math.max(pStart, s)); cuts.add(Math.min(pEnd, e)); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  let mark = null, markSpan = null;
  for (let k = 0; k + 1 < points.length; k++) {
    const [a, b] = [points[k], points[k + 1]];
    const span = inside.find((s) => s.start <= a && s.end >= b) || null;
    const isChanged = changed.some(([s, e]) => s <= a && e >= b);
    const piece = text.slice(a, b);
    if (span !== markSpan) {
      mark = null;
      markSpan = span;
      if (span) {
        const id = `${side}-${span.source}-${span.span}`;
        const first = !firstPiece.has(id);
        firstPiece.add(id);
        mark = h("mark", {
          class: `span src-${span.source % 6}${span.quoted ? " quoted" : ""}${span.current ? "" : " other"}`,
          "data-source": span.source, "data-span": span.span, "data-side": side,
          id: first ? id : null, tabindex: first ? "0" : null,
          title: span.title,
        });
        out.push(mark);
      }
    }
    const node = isChanged && span ? h("span", { class: "reworded", title: TERMS.reworded }, piece) : document.createTextNode(piece);
    (mark || { append: (n) => out.push(n) }).append(node);
  }
  return out;
}

function docColumn(doc, spans, reworded, side, heading, extraHead) {
  const offsets = paragraphOffsets(doc);
  const text = doc.main_text || doc.paragraphs.join("\n");
  const firstPiece = new Set();
  const marked = new Set();
  offsets.forEach(([a, b], i) => { if (spans.some((s) => s.end > a && s.start < b)) marked.add(i); });
  return h("section", { class: `column ${side}`, "aria-label": heading },
    h("div", { class: "colhead" },
      h("div", { class: "side" }, heading),
      h("h2", { dir: "auto" }, doc.title || doc.url),
      extraHead || null,
      h("div", { class: "meta" },
        h("a", { href: doc.url, target: "_blank", rel: "noopener noreferrer nofollow", class: "ext", dir: "auto" }, doc.url), " · ",
        siteLink(doc.site), " · ",
        doc.published_at ? ["published ", when(doc.published_at, true)] : ["no publication date; first seen ", when(doc.first_seen, true)],
        " · ", doc.origin === "fetched" ? "fetched by the service" : "supplied by a client"),
      h("div", { class: "meta" }, `${marked.size} of ${doc.paragraphs.length} paragraphs share text with the ${side === "page" ? "sources" : "page"}`)),
    h("div", { class: "text" },
      doc.paragraphs.map((_, i) => h("p", { class: marked.has(i) ? "para copied" : "para", "data-index": i, dir: "auto" },
        h("span", { class: "pn", "aria-hidden": "true" }, String(i + 1)),
        renderParagraph(text, offsets[i][0], offsets[i][1], spans, reworded, side, firstPiece)))),
    boilerplate(doc));
}

function boilerplate(doc) {
  const blocks = (doc.boilerplate && doc.boilerplate.blocks) || [];
  return h("details", { class: "boilerplate", open: true },
    h("summary", {}, `Template and boilerplate: ${blocks.length} blocks, ${pct(doc.boilerplate ? doc.boilerplate.score : 0)} of the visible text`),
    blocks.map((b) => h("div", { class: `bp kind-${b.kind}` }, h("span", { class: "kind" }, b.kind.replace("_", " ")), h("span", { class: "bptext", dir: "auto" }, b.text))));
}

// "98% of this text appears in theepochtimes.com's article of 14 Feb 2024, published 1 h 24 min earlier; …"
function verdictLine(page, sources, statuses) {
  const prov = page.provenance;
  if (!prov) return h("p", { class: "verdictline" }, "This page has not been judged yet.");
  if (prov.verdict !== "republished" || !sources.length) {
    const copies = (prov.copies || []).length;
    return h("p", { class: "verdictline", id: "verdict-line" },
      "No earlier source found: judged an ", h("strong", {}, "original"), ".",
      copies ? ` ${copies} ${copies === 1 ? "page" : "pages"} copied it.` : "");
  }
  const parts = [];
  const main = sources[0];
  const share = main.coverage || main.containment;
  parts.push(h("strong", {}, pct(share)), " of this text appears in ", h("strong", {}, main.site), "’s article");
  if (main.published_at) parts.push(" of ", when(main.published_at));
  const mine = toDate(page.published_at), theirs = toDate(main.published_at);
  if (mine && theirs) {
    const gap = mine - theirs;
    parts.push(gap > 0 ? `, published ${duration(gap)} earlier` : gap < 0 ? `, published ${duration(gap)} later (dates alone do not settle it)` : ", published at the same time");
  }
  if (statuses[0] && statuses[0].verdict === "republished") parts.push(" (itself a copy)");
  const more = sources.slice(1).filter((s) => (s.coverage || s.containment) >= 0.05);
  if (more.length) parts.push("; also ", more.map((s, i) => `${pct(s.coverage || s.containment)} from ${s.site}`).join(", "));
  const credits = (prov.credits || []).map((c) => (c.kind === "source_link" ? "source link" : c.name));
  parts.push("; ", term("credited", prov.attributed ? "credited" : "not credited"));
  if (credits.length) parts.push(": ", [...new Set(credits)].join(", "));
  parts.push(".");
  return h("p", { class: "verdictline", id: "verdict-line" }, parts);
}

function evidencePanel(page, index) {
  const prov = page.provenance || {};
  const s = (prov.sources || [])[index];
  const items = [];
  if (s) {
    const shown = s.evidence.slice().sort((a, b) => b.weight - a.weight);
    items.push(h("h3", {}, "Who copied whom"));
    items.push(h("ul", { class: "evidence" }, shown.map((e) =>
      h("li", { class: `favours-${e.favours}` },
        h("span", { class: "towards" }, e.favours === "other" ? "this page is the copy: " : "the source may be the copy: "),
        h("span", { dir: "auto" }, e.detail)))));
  }
  if ((prov.credits || []).length) {
    items.push(h("h3", {}, "Credit lines"));
    items.push(h("ul", {}, prov.credits.map((c) => h("li", {}, c.kind === "source_link" ? "source link" : c.kind, ": ", h("q", { dir: "auto" }, c.text)))));
  }
  if ((prov.copies || []).length) {
    items.push(h("h3", {}, `Copied by ${prov.copies.length} ${prov.copies.length === 1 ? "page" : "pages"}`));
    items.push(h("ul", { class: "copies" }, prov.copies.slice(0, 10).map((c) => h("li", {}, pageLink(c.url), ` ${pct(c.containment)}`))));
  }
  const details = [];
  if (s) {
    details.push(h("table", { class: "figures" },
      h("caption", { class: "sr-only" }, "Figures for this source"),
      [["coverage", pct(s.coverage)], ["source_coverage", pct(s.source_coverage)], ["similarity", num(s.similarity)],
        ["containment", pct(s.containment)], ["source_containment", pct(s.source_containment)], ["reuse_probability", num(s.reuse_probability)],
        ["probability", num(s.probability)],
        ["margin", num(s.margin, 1)], ["score", num(prov.score)]].map(([name, value]) =>
        h("tr", {}, h("th", { scope: "row" }, term(name)), h("td", {}, value)))));
    details.push(h("h4", {}, "Evidence weights"));
    details.push(h("ul", { class: "evidence" }, s.evidence.map((e) =>
      h("li", {}, h("span", { class: "weight" }, `${e.favours === "other" ? "+" : "−"}${num(e.weight, 1)}`), h("code", {}, e.kind), " ", e.detail))));
  }
  if ((prov.evidence || []).length) {
    details.push(h("h4", {}, "Page notes"));
    details.push(h("ul", {}, prov.evidence.map((line) => h("li", { dir: "auto" }, line))));
  }
  return h("section", { class: "panel evidencepanel", "aria-labelledby": "evidence-title" },
    h("h2", { id: "evidence-title" }, "Evidence"), items,
    h("details", { class: "rawdetails" }, h("summary", {}, "Details: figures and weights"), details));
}

function labelPanel(page, labels, afterLabel) {
  const note = h("textarea", { id: "note", rows: 2, maxlength: 4000 });
  const reasons = h("fieldset", { class: "reasons" }, h("legend", {}, "Reason"),
    REASONS.map(([value, text, help], i) => h("label", { class: "reason" },
      h("input", { type: "radio", name: "reason", value }), ` ${text} `, h("span", { class: "muted" }, `— ${help}`), shortcutsOn() ? [" ", h("kbd", {}, String(i + 1))] : null)));
  const chosen = () => { const r = reasons.querySelector("input:checked"); return r ? r.value : null; };
  const send = async (decision, next) => {
    let reason = chosen();
    const implied = reason && REASONS.find((r) => r[0] === reason)[3];
    if (implied && implied !== decision) {
      return toast(`“${REASON_TEXT[reason]}” ${implied === "confirm" ? "confirms" : "dismisses"} the verdict: use ${implied === "confirm" ? "Confirm" : "Dismiss"}.`, true);
    }
    if (!reason && page.provenance && page.provenance.verdict === "republished") reason = decision === "confirm" ? "farm_copy" : "false_match";
    if (reason === "other" && !note.value.trim()) { toast("“Other” needs a note: say why.", true); return note.focus(); }
    try {
      const label = await api("/v1/labels", { method: "POST", json: { url: page.url, decision, reason, note: note.value } });
      const text = `${decision === "confirm" ? "Confirmed" : "Dismissed"}${reason ? ` (${REASON_TEXT[reason].toLowerCase()})` : ""}: ${page.title || page.url}`;
      rememberUndo([label], text.length > 140 ? text.slice(0, 139) + "…" : text);
      afterLabel(next);
    } catch (error) {
      if (error instanceof AuthError) showAuthError(error);
      else toast(`Label not saved: ${error.message}`, true);
    }
  };
  const remove = async (label) => {
    try {
      await api(`/v1/labels/${encodeURIComponent(label.id)}`, { method: "DELETE" });
      toast("Label deleted");
      route();
    } catch (error) {
      if (error instanceof AuthError) showAuthError(error);
      else toast(`Could not delete: ${error.message}`, true);
    }
  };
  const k = (key) => (shortcutsOn() ? [" ", h("kbd", {}, key)] : null);
  const state = (l) => (l.deleted_at ? "deleted" : l.current ? "current" : "superseded");
  const panel = h("section", { class: "panel labels", id: "labels", "aria-labelledby": "labels-title" },
    h("h2", { id: "labels-title" }, "Moderation"),
    reasons,
    h("label", { for: "note", class: "notelabel" }, "Note for the next moderator", k("e")),
    note,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "confirm", id: "confirm", onclick: () => send("confirm") }, "Confirm verdict", k("c")),
      h("button", { type: "button", class: "dismiss", id: "dismiss", onclick: () => send("dismiss") }, "Dismiss verdict", k("x")),
      h("button", { type: "button", class: "confirm", id: "confirm-next", onclick: () => send("confirm", true) }, "Confirm and next", k("C")),
      h("button", { type: "button", id: "skip-next", onclick: () => afterLabel(true, true) }, "Skip to next", k("n"))),
    labels.length
      ? h("ul", { class: "labellist" }, labels.slice().reverse().map((l) =>
          h("li", { class: `label-item ${state(l)}` }, labelBadge(l.decision, l.reason), " ",
            h("span", { class: "muted" }, when(l.created_at, true), ` · ${l.moderator || "open service"} · on “${l.verdict}” · ${state(l)}`),
            l.current ? [" ", h("button", { type: "button", class: "linkish delete", onclick: () => remove(l) }, "Delete")] : null,
            l.note ? h("div", { class: "labelnote", dir: "auto" }, l.note) : "")))
      : h("p", { class: "muted" }, "No label yet."));
  panel.send = send;
  return panel;
}

function nextInQueue(url) {
  const queue = JSON.parse(sessionStorage.getItem(QUEUE_STORE) || "null");
  if (!queue) return null;
  const i = queue.urls.indexOf(url);
  return i >= 0 && i + 1 < queue.urls.length ? queue.urls[i + 1] : null;
}

async function renderPage(params, seq) {
  const url = params.get("url");
  const index = Number(params.get("source") || 0);
  const data = await api(`/v1/review/page?${new URLSearchParams({ url, source: index })}`);
  stillCurrent(seq);
  const page = data.page;
  const prov = page.provenance || {};
  const sources = prov.sources || [];
  const statuses = data.sources_status || [];
  const here = data.source_index === null ? 0 : data.source_index;
  const current = sources[here];
  // The page side: every source's spans (a stitched page shows each source in its colour); the source side:
  // the current source's spans. Reworded words are marked inside the current source's spans on both sides.
  const pageSpans = [], sourceSpans = [];
  sources.forEach((s, si) => (s.spans || []).forEach((sp, k) => {
    const title = `${s.site}${sp.quoted ? ": a quotation on both pages" : ""} (${Math.round(sp.similarity * 100)}% alike)`;
    pageSpans.push({ start: sp.start, end: sp.end, source: si, span: k, quoted: sp.quoted, current: si === here, title: si === here ? title + ": press Enter to see it in the source" : title + ": press Enter to compare with this source" });
    if (si === here) sourceSpans.push({ start: sp.source_start, end: sp.source_end, source: si, span: k, quoted: sp.quoted, current: true, title: `in the page (${Math.round(sp.similarity * 100)}% alike): press Enter to see it there` });
  }));
  pageSpans.sort((a, b) => (a.current === b.current ? a.start - b.start : a.current ? -1 : 1));
  const reworded = [[], []];
  if (data.source && current) {
    for (const sp of current.spans || []) {
      if (sp.similarity >= 0.999) continue;
      const [a, b] = rewordedRanges(page.main_text.slice(sp.start, sp.end), sp.start, data.source.main_text.slice(sp.source_start, sp.source_end), sp.source_start);
      reworded[0].push(...a);
      reworded[1].push(...b);
    }
  }
  const afterLabel = (next, skip) => {
    const following = next ? nextInQueue(page.url) : null;
    if (next && !following) toast(skip ? "This is the last page of the queue page you came from." : "Saved. That was the last page of the queue page you came from.");
    if (following) go("page", { url: following });
    else if (!skip) route();
  };
  const labels = labelPanel(page, data.labels, afterLabel);
  const currentLabels = data.labels.filter((l) => l.current);
  const latest = currentLabels[currentLabels.length - 1];
  const copyNote = (status) => status && status.verdict === "republished"
    ? h("p", { class: "copynote" }, "This source is itself a copy",
        status.original_url ? [" of ", pageLink(status.original_url, status.original_site || status.original_url)] : "", ". ",
        pageLink(status.url, "See its own comparison"), ".")
    : null;
  const legend = sources.length
    ? h("div", { class: "legend sources", role: "list", "aria-label": "Sources" }, sources.map((s, i) =>
        h("span", { role: "listitem", class: "legenditem" },
          h("span", { class: `sw src-${i % 6}`, "aria-hidden": "true" }),
          h("a", { href: "#/page?" + new URLSearchParams({ url, source: i }), class: i === here ? "current" : "", "aria-current": i === here ? "true" : null },
            `${i + 1}. ${s.site}`), ` ${pct(s.coverage || s.containment)}`,
          statuses[i] && statuses[i].verdict === "republished" ? h("span", { class: "badge copyof" }, "itself a copy") : null)),
        sources.length > 1 ? h("span", { class: "muted" }, shortcutsOn() ? " [ and ] switch" : "") : null)
    : "";
  view.replaceChildren(
    h("section", { class: "pageview" },
      h("div", { class: "heading" },
        h("a", { href: "#/queue", class: "back" }, "‹ queue", shortcutsOn() ? [" ", h("kbd", {}, "u")] : null),
        verdictBadge(prov.verdict, prov.score),
        creditBadge(prov.attributed),
        latest ? labelBadge(latest.decision, latest.reason) : "",
        h("h1", { dir: "auto" }, page.title || page.url)),
      verdictLine(page, sources, statuses),
      legend,
      h("div", { class: "sidebyside" },
        docColumn(page, pageSpans, reworded[0], "page", "This page"),
        data.source
          ? docColumn(data.source, sourceSpans, reworded[1], "source", `Source ${here + 1} of ${sources.length}`, copyNote(statuses[here]))
          : h("section", { class: "column source empty", "aria-label": "Source" }, h("p", { class: "muted" },
              sources.length ? "The source's report is not stored." : "No source: the service judges this page an original."))),
      h("div", { class: "below" }, evidencePanel(page, here), labels)));

  // Jumping between a span and its counterpart.
  const marks = () => [...view.querySelectorAll(".column.page mark[tabindex]")];
  const jump = (mark) => {
    const { source, span, side } = mark.dataset;
    if (Number(source) !== here) return go("page", { url, source, span });
    const other = document.getElementById(`${side === "page" ? "source" : "page"}-${source}-${span}`);
    view.querySelectorAll("mark.flash").forEach((m) => m.classList.remove("flash"));
    mark.classList.add("flash");
    if (other) {
      // Scroll the other column only (not the window), so the passage sits a third of the way down it.
      other.classList.add("flash");
      const column = other.closest(".column");
      column.scrollTop += other.getBoundingClientRect().top - column.getBoundingClientRect().top - column.clientHeight / 3;
    }
  };
  view.querySelectorAll("mark[tabindex]").forEach((mark) => {
    mark.addEventListener("click", () => jump(mark));
    mark.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); event.stopPropagation(); jump(mark); mark.focus(); }
    });
  });
  const wanted = params.get("span");
  if (wanted !== null) {
    const mark = document.getElementById(`page-${here}-${wanted}`);
    if (mark) { mark.focus(); jump(mark); }
  }
  const note = document.getElementById("note");
  keyHandler = (event) => {
    const k = event.key;
    if (k === "c") document.getElementById("confirm").click();
    else if (k === "x") document.getElementById("dismiss").click();
    else if (k === "C") labels.send("confirm", true);
    else if (k === "X") labels.send("dismiss", true);
    else if (k === "n") afterLabel(true, true);
    else if (k >= "1" && k <= "4") { const radio = labels.querySelectorAll("input[name=reason]")[Number(k) - 1]; radio.checked = true; radio.focus(); }
    else if (k === "e") note.focus();
    else if (k === "j" || k === "k") {
      const all = marks();
      if (!all.length) return true;
      const at = all.indexOf(document.activeElement);
      const to = all[Math.max(0, Math.min(all.length - 1, at < 0 ? 0 : at + (k === "j" ? 1 : -1)))];
      to.focus();
      jump(to);
    }
    else if (k === "]" && here + 1 < sources.length) go("page", { url, source: here + 1 });
    else if (k === "[" && here > 0) go("page", { url, source: here - 1 });
    else if (k === "s") go(`site/${encodeURIComponent(page.site)}`);
    else if (k === "u" || k === "Escape") go("queue", JSON.parse(sessionStorage.getItem("farmwatch.queuehash") || "{}"));
    else return false;
    return true;
  };
}

// --- site view ------------------------------------------------------------------------------------
function timelineChart(timeline) {
  const periods = timeline.periods;
  const width = 640, height = 170, pad = 30;
  const undated = timeline.undated ? h("p", { class: "muted" }, `${timeline.undated} undated ${timeline.undated === 1 ? "page is" : "pages are"} not charted.`) : null;
  if (!periods.length) return h("div", {}, h("p", { class: "muted" }, "No dated pages."), undated);
  const max = Math.max(1, ...periods.map((d) => d.pages));
  const step = (width - pad * 2) / periods.length;
  const bar = Math.max(1, Math.min(24, step * 0.8));
  const y = (v) => height - pad - (v / max) * (height - pad * 2);
  const total = periods.reduce((n, d) => n + d.pages, 0), copied = periods.reduce((n, d) => n + d.republished, 0);
  const busiest = periods.reduce((a, b) => (b.republished > a.republished ? b : a), periods[0]);
  const summary = `${total} dated pages from ${periods[0].period} to ${periods[periods.length - 1].period}, ${copied} of them republished` +
    (busiest.republished ? `; most republications in ${busiest.period} (${busiest.republished})` : "") + ".";
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-labelledby": "chart-summary" },
    svg("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: "axis" }),
    svg("line", { x1: pad, y1: y(max), x2: width - pad, y2: y(max), class: "grid" }),
    svg("text", { x: pad - 4, y: y(max) + 4, class: "tick", "text-anchor": "end" }, String(max)),
    svg("text", { x: pad - 4, y: height - pad + 4, class: "tick", "text-anchor": "end" }, "0"),
    periods.map((d, i) => {
      const x = pad + i * step + (step - bar) / 2;
      return svg("g", {},
        svg("rect", { x, y: y(d.pages), width: bar, height: height - pad - y(d.pages), class: "all" }),
        svg("rect", { x, y: y(d.republished), width: bar, height: height - pad - y(d.republished), class: "rep" }),
        svg("title", {}, `${d.period}: ${d.republished} republished of ${d.pages} pages`));
    }),
    svg("text", { x: pad, y: height - 10, class: "tick" }, periods[0].period),
    periods.length > 1 ? svg("text", { x: width - pad, y: height - 10, class: "tick", "text-anchor": "end" }, periods[periods.length - 1].period) : null);
  const shown = periods.filter((d) => d.pages);
  return h("figure", { class: "chartfig" }, chart,
    h("figcaption", {},
      h("p", { id: "chart-summary" }, summary),
      h("div", { class: "legend" }, h("span", { class: "sw rep" }), " republished ", h("span", { class: "sw all" }), ` all pages, per ${timeline.bucket} of publication`),
      undated,
      h("details", {}, h("summary", {}, "The figures as a table"),
        h("table", { class: "figures" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, timeline.bucket), h("th", { scope: "col" }, "pages"), h("th", { scope: "col" }, "republished"))),
          h("tbody", {}, shown.map((d) => h("tr", {}, h("td", {}, d.period), h("td", {}, d.pages), h("td", {}, d.republished))))))));
}

const band = (score) => (score >= 0.6 ? "high" : score >= 0.3 ? "mid" : "low");

async function renderSite(host, params, seq) {
  const query = new URLSearchParams({ limit: PAGE_SIZE });
  if (params.get("cursor")) query.set("cursor", params.get("cursor"));
  const data = await api(`/v1/review/sites/${encodeURIComponent(host)}?${query}`);
  stillCurrent(seq);
  const r = data.report;
  const list = pageTable(data.pages.items, { caption: `Pages of ${r.site}` });
  rememberQueue(data.pages.items, "");
  const move = (to) => go(`site/${encodeURIComponent(host)}`, { cursor: to });
  view.replaceChildren(
    h("section", { class: "siteview" },
      h("div", { class: "heading" }, h("a", { href: "#/queue", class: "back" }, "‹ queue"), h("h1", {}, r.site)),
      h("div", { class: "sitegrid" },
        h("section", { class: "panel farm", "aria-label": "Farm score" },
          h("div", { class: `bigscore ${band(r.farm_score)}`, id: "farm-score" }, num(r.farm_score)),
          h("div", { class: "muted" }, term("farm", "farm score"), ` · ${band(r.farm_score) === "low" ? "not farm-like" : band(r.farm_score) === "mid" ? "somewhat farm-like" : "farm-like"}`),
          h("ul", { class: "reasons" }, r.reasons.map((reason) => h("li", {}, reason))),
          h("table", { class: "figures" },
            h("caption", { class: "sr-only" }, "Site figures"),
            h("tr", {}, h("th", { scope: "row" }, "pages seen"), h("td", {}, r.pages_seen)),
            h("tr", {}, h("th", { scope: "row" }, "republished"), h("td", {}, pct(r.share_republished))),
            h("tr", {}, h("th", { scope: "row" }, term("credited")), h("td", {}, pct(r.share_credited))),
            h("tr", {}, h("th", { scope: "row" }, "mean boilerplate"), h("td", {}, pct(r.mean_boilerplate))),
            h("tr", {}, h("th", { scope: "row" }, "distinct sources"), h("td", {}, r.distinct_sources)))),
        h("section", { class: "panel", "aria-labelledby": "chart-title" },
          h("h2", { id: "chart-title" }, "Republications over time"),
          timelineChart(data.timeline)),
        h("section", { class: "panel", "aria-labelledby": "top-title" },
          h("h2", { id: "top-title" }, "Sources it copies most"),
          r.top_sources.length
            ? h("ol", { class: "topsources" }, r.top_sources.map((s) => h("li", {}, siteLink(s.site), h("span", { class: "muted" }, ` ${s.pages} ${s.pages === 1 ? "page" : "pages"}`))))
            : h("p", { class: "muted" }, "None."))),
      h("h2", {}, "Pages"),
      list.table,
      pager(data.pages, move)));
  keyHandler = (event) => {
    if (list.keys(event)) return true;
    if (pagerKeys(event, data.pages, move)) return true;
    if (event.key === "u" || event.key === "Escape") go("queue");
    else return false;
    return true;
  };
}

// --- labels ---------------------------------------------------------------------------------------
async function renderLabels(params, seq) {
  const query = new URLSearchParams({ limit: PAGE_SIZE });
  if (params.get("cursor")) query.set("cursor", params.get("cursor"));
  const data = await api(`/v1/labels?${query}`);
  stillCurrent(seq);
  const download = async () => {
    try {
      const response = await api("/v1/labels/export", { raw: true, headers: { Accept: "application/x-ndjson" } });
      const blob = await response.blob();
      const a = h("a", { href: URL.createObjectURL(blob), download: "farmwatch-labels.jsonl" });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (error) {
      toast(`Export failed: ${error.message}`, true);
    }
  };
  view.replaceChildren(
    h("section", { class: "labelsview" },
      h("div", { class: "heading" }, h("h1", {}, "Labels"),
        h("button", { type: "button", id: "export", onclick: download }, "Export (JSON lines)")),
      data.items.length
        ? h("table", { class: "pages labeltable", "aria-label": "Labels, newest first" },
            h("thead", {}, h("tr", {}, ["when", "decision", "page", "verdict then", "note", "by"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, data.items.map((l) => h("tr", { class: l.deleted_at ? "deleted" : "" },
              h("td", { class: "date" }, when(l.created_at, true)),
              h("td", {}, labelBadge(l.decision, l.reason), l.deleted_at ? h("div", { class: "muted" }, "deleted") : null),
              h("td", { class: "title" }, pageLink(l.url)),
              h("td", {}, `${l.verdict || "–"} ${l.score !== null ? num(l.score) : ""}`),
              h("td", { dir: "auto" }, l.note),
              h("td", { class: "muted" }, l.moderator || "–")))))
        : h("p", { class: "panel muted" }, "No labels yet."),
      data.next_cursor ? h("p", {}, h("a", { href: "#/labels?" + new URLSearchParams({ cursor: data.next_cursor }), id: "older" }, "older ›")) : ""));
  keyHandler = null;
}

// --- router and keyboard -----------------------------------------------------------------------------
// Each route call has a number; a render that finishes after a newer one began is dropped, so a slow
// answer never paints over the view the user moved on to, and data-loaded only marks the newest view.
let routeSeq = 0;
class Superseded extends Error {}
function stillCurrent(seq) {
  if (seq !== routeSeq) throw new Superseded();
}

async function route() {
  const seq = ++routeSeq;
  const { path, params } = hashRoute();
  keyHandler = null;
  delete view.dataset.loaded;
  view.setAttribute("aria-busy", "true");
  document.querySelectorAll("[data-nav]").forEach((a) => {
    const active = a.dataset.nav === path[0] || (a.dataset.nav === "queue" && !["labels"].includes(path[0]) && path[0] !== "page" && path[0] !== "site");
    a.classList.toggle("active", active);
    if (active) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  if (path[0] === "queue" || !path[0]) sessionStorage.setItem("farmwatch.queuehash", JSON.stringify(Object.fromEntries(params)));
  renderUndo();
  if (auth.state === "checking") {
    await askOtherTabs();
    try {
      await checkKey(sessionStorage.getItem(KEY_STORE));
    } catch (error) {
      auth.state = "out";
    }
    if (auth.state === "out" && sessionStorage.getItem(KEY_STORE)) sessionStorage.removeItem(KEY_STORE);
    renderSignin();
  }
  try {
    if (auth.state === "out") throw new AuthError(auth.message || "sign in with a moderator key");
    if (path[0] === "page" && params.get("url")) await renderPage(params, seq);
    else if (path[0] === "site" && path[1]) await renderSite(path[1], params, seq);
    else if (path[0] === "labels") await renderLabels(params, seq);
    else await renderQueue(params, seq);
    stillCurrent(seq);
    view.dataset.loaded = path[0] || "queue";
    view.removeAttribute("aria-busy");
  } catch (error) {
    if (seq !== routeSeq) return; // superseded (Superseded, or a failure of a route the user left)
    view.removeAttribute("aria-busy");
    if (error instanceof AuthError) return showAuthError(error);
    view.replaceChildren(h("section", { class: "panel notice" }, h("h1", {}, "Could not load"), h("p", {}, error.message),
      h("p", {}, h("a", { href: "#/queue" }, "back to the queue"))));
    view.dataset.loaded = "error";
  }
}

// A key typed into a control, or pressed on a focused button or link, belongs to that control.
const CONTROLS = "a[href], button, input, select, textarea, summary, [contenteditable], dialog, mark[tabindex]";

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target instanceof Element ? event.target : null;
  if (target && target.closest(CONTROLS)) {
    const typing = target.matches("input, textarea, select");
    if (event.key === "Escape" && typing) target.blur();
    if (!target.matches("mark[tabindex]") || !["j", "k", "[", "]"].includes(event.key)) return;
  }
  if (!shortcutsOn()) return;
  if (event.key === "?") return document.getElementById("help").showModal();
  if (event.key === "z" && sessionStorage.getItem(UNDO_STORE)) { event.preventDefault(); return undoLast(); }
  if (keyHandler && keyHandler(event)) return event.preventDefault();
  if (event.key === "g") go("queue");
  else if (event.key === "l") go("labels");
});
document.getElementById("help-btn").addEventListener("click", () => {
  toggle.checked = shortcutsOn();
  document.getElementById("help").showModal();
});
window.addEventListener("hashchange", route);
renderSignin();
route();
