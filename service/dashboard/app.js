// farmwatch moderation dashboard: plain JS, no build step, no CDN.
// Page text comes from hostile sites: it is only ever inserted with textContent (see h()), never as HTML.
"use strict";

const KEY_STORE = "farmwatch.key";
const PAGE_SIZE = 50;
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
const day = (iso) => (iso ? iso.slice(0, 10) : "–");
const seenDay = (t) => new Date(t * 1000).toISOString().slice(0, 10);

function toast(message, bad) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = bad ? "show bad" : "show";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.className = ""), 3000);
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
  const key = sessionStorage.getItem(KEY_STORE);
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  if (key) headers.Authorization = `Bearer ${key}`;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, { method: options.method || "GET", headers, body: options.body });
  if (response.status === 401 || response.status === 403) {
    const body = await response.json().catch(() => ({}));
    throw new AuthError((body.error && body.error.message) || "sign in with a moderator key");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const error = new Error((body.error && body.error.message) || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return options.raw ? response : response.json();
}

// --- sign in -----------------------------------------------------------------------------------
function renderSignin() {
  const signed = !!sessionStorage.getItem(KEY_STORE);
  document.getElementById("key").hidden = signed;
  document.getElementById("signin-btn").hidden = signed;
  document.getElementById("signout").hidden = !signed;
  document.getElementById("who").textContent = signed ? "signed in with a key" : "";
}

document.getElementById("signin").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("key");
  const value = input.value.trim();
  if (!value) return input.focus();
  sessionStorage.setItem(KEY_STORE, value); // this tab only; gone when it closes
  input.value = "";
  renderSignin();
  route();
});
document.getElementById("signout").addEventListener("click", () => {
  sessionStorage.removeItem(KEY_STORE);
  renderSignin();
  route();
});

function showAuthError(error) {
  view.replaceChildren(
    h("section", { class: "panel notice" },
      h("h2", {}, "Sign in"),
      h("p", {}, error.message),
      h("p", { class: "muted" }, "Paste a moderator API key in the box at the top right. It is kept in this tab only (sessionStorage) and sent as a Bearer token."))
  );
  document.getElementById("key").focus();
}

// --- shared pieces -------------------------------------------------------------------------------
function verdictBadge(verdict, score) {
  if (!verdict) return h("span", { class: "badge" }, "unjudged");
  const text = verdict === "republished" && score !== undefined ? `republished ${num(score)}` : verdict;
  return h("span", { class: `badge ${verdict}` }, text);
}

function creditBadge(credited) {
  if (credited === null || credited === undefined) return h("span", { class: "muted" }, "–");
  return h("span", { class: credited ? "credit yes" : "credit no" }, credited ? "credited" : "uncredited");
}

function labelBadge(label) {
  if (!label) return "";
  return h("span", { class: `label ${label}` }, label === "confirm" ? "confirmed" : "dismissed");
}

function pageLink(url, text, extra) {
  return h("a", { href: "#/page?" + new URLSearchParams(Object.assign({ url }, extra || {})), class: "pagelink" }, text || url);
}

function siteLink(site) {
  return h("a", { href: `#/site/${encodeURIComponent(site)}`, class: "sitelink" }, site);
}

// A table of pages with j/k selection; returns {table, keys} where keys handles the list keys.
function pageTable(items, options = {}) {
  let selected = Math.min(options.selected || 0, Math.max(0, items.length - 1));
  const rows = items.map((item, i) =>
    h("tr", { "data-url": item.url, onclick: () => select(i), ondblclick: () => open(i) },
      h("td", { class: "score" }, num(item.score)),
      h("td", {}, verdictBadge(item.verdict)),
      h("td", { class: "title" },
        pageLink(item.url, item.title || item.url),
        h("div", { class: "url muted" }, item.url)),
      h("td", {}, siteLink(item.site)),
      h("td", { class: "source" }, item.source_url
        ? [siteLink(item.source_site), h("div", { class: "muted" }, `${pct(item.containment)} of text`)]
        : h("span", { class: "muted" }, "–")),
      h("td", {}, creditBadge(item.credited)),
      h("td", { class: "date" }, item.published_at ? day(item.published_at) : h("span", { class: "muted", title: "first seen" }, seenDay(item.first_seen))),
      h("td", {}, labelBadge(item.label)))
  );
  const table = h("table", { class: "pages" },
    h("colgroup", {}, ["score", "verdict", "page", "site", "source", "credit", "date", "label"].map((c) => h("col", { class: `c-${c}` }))),
    h("thead", {}, h("tr", {},
      h("th", {}, "score"), h("th", {}, "verdict"), h("th", {}, "page"), h("th", {}, "site"),
      h("th", {}, "first source"), h("th", {}, "credit"), h("th", {}, "date"), h("th", {}, "label"))),
    h("tbody", {}, rows));
  function select(i) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((row, j) => row.classList.toggle("selected", j === selected));
    rows[selected].scrollIntoView({ block: "nearest" });
    if (options.onSelect) options.onSelect(selected);
  }
  function open(i) {
    if (rows.length) go("page", { url: items[i].url });
  }
  select(selected);
  const keys = (event) => {
    if (event.key === "j" || event.key === "ArrowDown") select(selected + 1);
    else if (event.key === "k" || event.key === "ArrowUp") select(selected - 1);
    else if (event.key === "Enter" || event.key === "o") open(selected);
    else if (event.key === "s" && items.length) go(`site/${encodeURIComponent(items[selected].site)}`);
    else return false;
    return true;
  };
  return { table, keys, selected: () => selected };
}

function pager(total, offset, limit, move) {
  const first = total ? offset + 1 : 0;
  const last = Math.min(total, offset + limit);
  return h("div", { class: "pager" },
    h("button", { type: "button", disabled: offset <= 0, onclick: () => move(Math.max(0, offset - limit)) }, "‹ prev (p)"),
    h("span", { class: "muted", id: "range" }, `${first}–${last} of ${total}`),
    h("button", { type: "button", disabled: last >= total, onclick: () => move(offset + limit) }, "next (n) ›"));
}

// --- queue ------------------------------------------------------------------------------------------
const FILTERS = ["site", "verdict", "credited", "labelled", "since", "until"];

async function renderQueue(params) {
  const offset = Number(params.get("offset") || 0);
  const query = new URLSearchParams({ offset, limit: PAGE_SIZE });
  for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
  const [data, sites] = await Promise.all([api(`/v1/review/queue?${query}`), api("/v1/review/sites?limit=500")]);
  const current = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) || ""]));
  const apply = (changes) => go("queue", Object.assign({}, current, changes));

  const select = (name, choices) =>
    h("select", { name, onchange: (e) => apply({ [name]: e.target.value, offset: 0 }) },
      choices.map(([value, text]) => h("option", { value, selected: current[name] === value }, text)));
  const form = h("form", { class: "filters", id: "filters", onsubmit: (e) => {
      e.preventDefault();
      const data = new FormData(e.target);
      apply(Object.assign(Object.fromEntries(FILTERS.map((f) => [f, data.get(f) || ""])), { offset: 0 }));
    } },
    h("label", {}, "site ", h("input", { name: "site", list: "site-list", value: current.site, placeholder: "any site", size: 18 })),
    h("datalist", { id: "site-list" }, sites.map((s) => h("option", { value: s.site }, `${s.pages} pages`))),
    h("label", {}, "verdict ", select("verdict", [["", "any"], ["republished", "republished"], ["original", "original"]])),
    h("label", {}, "credit ", select("credited", [["", "any"], ["false", "uncredited"], ["true", "credited"]])),
    h("label", {}, "label ", select("labelled", [["", "any"], ["false", "to review"], ["true", "labelled"]])),
    h("label", {}, "from ", h("input", { type: "date", name: "since", value: current.since })),
    h("label", {}, "to ", h("input", { type: "date", name: "until", value: current.until })),
    h("button", { type: "submit" }, "Filter"),
    h("button", { type: "button", onclick: () => go("queue") }, "Clear"));

  const list = pageTable(data.items, { selected: Number(sessionStorage.getItem("farmwatch.sel") || 0) });
  const move = (o) => { sessionStorage.setItem("farmwatch.sel", 0); apply({ offset: o }); };
  view.replaceChildren(
    h("section", { class: "queue" },
      h("div", { class: "heading" },
        h("h1", {}, "Review queue"),
        h("span", { class: "muted" }, "pages ordered by how likely they are farm republications")),
      form,
      data.items.length ? list.table : h("p", { class: "panel muted", id: "empty" }, "No judged pages match. Submit pages with POST /v1/pages."),
      pager(data.total, data.offset, data.limit, move)));
  keyHandler = (event) => {
    if (list.keys(event)) {
      sessionStorage.setItem("farmwatch.sel", list.selected());
      return true;
    }
    if (event.key === "n" && data.offset + data.limit < data.total) move(data.offset + data.limit);
    else if (event.key === "p" && data.offset > 0) move(Math.max(0, data.offset - data.limit));
    else if (event.key === "/") { event.preventDefault(); form.querySelector("input").focus(); }
    else return false;
    return true;
  };
}

// --- page view ------------------------------------------------------------------------------------
function paragraphs(doc, marked, side) {
  const set = new Set(marked);
  return h("div", { class: "text" },
    doc.paragraphs.map((text, i) =>
      h("p", { class: set.has(i) ? "para copied" : "para", "data-index": i, title: set.has(i) ? `found in the ${side === "page" ? "source" : "page"}` : null },
        h("span", { class: "pn" }, String(i + 1)), set.has(i) ? h("mark", {}, text) : text)));
}

function boilerplate(doc) {
  const blocks = (doc.boilerplate && doc.boilerplate.blocks) || [];
  return h("details", { class: "boilerplate", open: true },
    h("summary", {}, `Template and boilerplate: ${blocks.length} blocks, ${pct(doc.boilerplate ? doc.boilerplate.score : 0)} of the visible text`),
    blocks.map((b) => h("div", { class: `bp kind-${b.kind}` }, h("span", { class: "kind" }, b.kind.replace("_", " ")), h("span", { class: "bptext" }, b.text))));
}

function docColumn(doc, marked, side, heading) {
  return h("section", { class: `column ${side}` },
    h("div", { class: "colhead" },
      h("div", { class: "side" }, heading),
      h("h2", {}, doc.title || doc.url),
      h("div", { class: "meta" },
        h("a", { href: doc.url, target: "_blank", rel: "noopener noreferrer nofollow" }, doc.url), " · ",
        siteLink(doc.site), " · ",
        doc.published_at ? `published ${doc.published_at} (${doc.published_from || "?"})` : `first seen ${seenDay(doc.first_seen)}`,
        " · ", doc.origin === "fetched" ? "fetched by the service" : "supplied by a client"),
      h("div", { class: "meta" }, `${marked.length} of ${doc.paragraphs.length} paragraphs found in the ${side === "page" ? "source" : "page"}`)),
    paragraphs(doc, marked, side),
    boilerplate(doc));
}

function evidencePanel(page, source, index) {
  const prov = page.provenance || {};
  const s = (prov.sources || [])[index];
  const items = [];
  if (s) {
    items.push(h("table", { class: "figures" },
      h("tr", {}, h("th", {}, "similarity"), h("td", {}, num(s.similarity)), h("th", {}, "containment"), h("td", {}, pct(s.containment))),
      h("tr", {}, h("th", {}, "source containment"), h("td", {}, pct(s.source_containment)), h("th", {}, "margin"), h("td", {}, num(s.margin, 1))),
      h("tr", {}, h("th", {}, "source published"), h("td", {}, s.published_at || "–"), h("th", {}, "credited"), h("td", {}, creditBadge(s.credited)))));
    items.push(h("h3", {}, "Which page copied which"));
    items.push(h("ul", { class: "evidence" }, s.evidence.map((e) =>
      h("li", { class: `favours-${e.favours}` },
        h("span", { class: "weight" }, `${e.favours === "other" ? "→ source" : "→ page"} ${num(e.weight, 1)}`),
        h("span", { class: "ekind" }, e.kind), " ", e.detail))));
  }
  if ((prov.credits || []).length) {
    items.push(h("h3", {}, "Credit lines"));
    items.push(h("ul", {}, prov.credits.map((c) => h("li", {}, h("span", { class: "ekind" }, c.kind), " ", c.name, ": ", h("q", {}, c.text)))));
  }
  if ((prov.evidence || []).length) {
    items.push(h("h3", {}, "Page evidence"));
    items.push(h("ul", {}, prov.evidence.map((line) => h("li", {}, line))));
  }
  if ((prov.copies || []).length) {
    items.push(h("h3", {}, `Copied by ${prov.copies.length} pages`));
    items.push(h("ul", {}, prov.copies.slice(0, 10).map((c) => h("li", {}, pageLink(c.url), ` ${pct(c.containment)}`))));
  }
  return h("section", { class: "panel evidencepanel" }, h("h2", {}, "Evidence"), items);
}

function labelPanel(page, labels) {
  const note = h("textarea", { id: "note", rows: 2, placeholder: "Note for the next moderator (e to focus)", maxlength: 4000 });
  const send = async (decision) => {
    try {
      await api("/v1/labels", { method: "POST", json: { url: page.url, decision, note: note.value } });
      toast(decision === "confirm" ? "Verdict confirmed" : "Verdict dismissed");
      route();
    } catch (error) {
      if (error instanceof AuthError) showAuthError(error);
      else toast(error.message, true);
    }
  };
  return h("section", { class: "panel labels", id: "labels" },
    h("h2", {}, "Moderation"),
    note,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "confirm", id: "confirm", onclick: () => send("confirm") }, "Confirm verdict (c)"),
      h("button", { type: "button", class: "dismiss", id: "dismiss", onclick: () => send("dismiss") }, "Dismiss verdict (x)")),
    labels.length
      ? h("ul", { class: "labellist" }, labels.slice().reverse().map((l) =>
          h("li", { class: "label-item" }, labelBadge(l.decision), " ",
            h("span", { class: "muted" }, `${new Date(l.created_at * 1000).toISOString().slice(0, 16).replace("T", " ")} · ${l.moderator || "open service"} · on “${l.verdict}”`),
            l.note ? h("div", { class: "labelnote" }, l.note) : "")))
      : h("p", { class: "muted" }, "No label yet."));
}

async function renderPage(params) {
  const url = params.get("url");
  const index = Number(params.get("source") || 0);
  const data = await api(`/v1/review/page?${new URLSearchParams({ url, source: index })}`);
  const page = data.page;
  const prov = page.provenance || {};
  const sources = prov.sources || [];
  const here = data.source_index === null ? 0 : data.source_index;
  const mine = sources[here] ? sources[here].passages : [];
  const labels = labelPanel(page, data.labels);
  const switcher = sources.length > 1
    ? h("div", { class: "switcher" }, "source ",
        sources.map((s, i) => h("a", { href: "#/page?" + new URLSearchParams({ url, source: i }), class: i === here ? "current" : "" }, `${i + 1}. ${s.site}`)))
    : "";
  view.replaceChildren(
    h("section", { class: "pageview" },
      h("div", { class: "heading" },
        h("a", { href: "#/queue", class: "back" }, "‹ queue (u)"),
        verdictBadge(prov.verdict, prov.score),
        creditBadge(prov.attributed),
        data.labels.length ? labelBadge(data.labels[data.labels.length - 1].decision) : "",
        h("h1", {}, page.title || page.url),
        switcher),
      h("div", { class: "sidebyside" },
        docColumn(page, mine, "page", "This page"),
        data.source
          ? docColumn(data.source, data.source_passages, "source", `Source ${here + 1} of ${sources.length}`)
          : h("section", { class: "column source empty" }, h("p", { class: "muted" },
              sources.length ? "The source's report is not stored." : "No source: the service judges this page an original."))),
      h("div", { class: "below" }, evidencePanel(page, data.source, here), labels)));
  const note = document.getElementById("note");
  keyHandler = (event) => {
    if (event.key === "c") document.getElementById("confirm").click();
    else if (event.key === "x") document.getElementById("dismiss").click();
    else if (event.key === "e") { event.preventDefault(); note.focus(); }
    else if (event.key === "]" && here + 1 < sources.length) go("page", { url, source: here + 1 });
    else if (event.key === "[" && here > 0) go("page", { url, source: here - 1 });
    else if (event.key === "s") go(`site/${encodeURIComponent(page.site)}`);
    else if (event.key === "u" || event.key === "Escape") history.length > 1 ? history.back() : go("queue");
    else return false;
    return true;
  };
}

// --- site view ------------------------------------------------------------------------------------
function timelineChart(timeline) {
  const periods = timeline.periods;
  const width = 640, height = 170, pad = 30;
  if (!periods.length) return h("p", { class: "muted" }, "No dated pages.");
  const max = Math.max(1, ...periods.map((d) => d.pages));
  const step = (width - pad * 2) / periods.length;
  const bar = Math.max(1, Math.min(24, step * 0.8));
  const y = (v) => height - pad - (v / max) * (height - pad * 2);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": `pages and republications per ${timeline.bucket}` },
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
  return h("div", {}, chart,
    h("div", { class: "legend" }, h("span", { class: "sw rep" }), " republished ", h("span", { class: "sw all" }), ` all pages, per ${timeline.bucket} of publication`));
}

async function renderSite(host, params) {
  const offset = Number(params.get("offset") || 0);
  const data = await api(`/v1/review/sites/${encodeURIComponent(host)}?offset=${offset}&limit=${PAGE_SIZE}`);
  const r = data.report;
  const list = pageTable(data.pages.items);
  const move = (o) => go(`site/${encodeURIComponent(host)}`, { offset: o });
  view.replaceChildren(
    h("section", { class: "siteview" },
      h("div", { class: "heading" }, h("a", { href: "#/queue", class: "back" }, "‹ queue (u)"), h("h1", {}, r.site)),
      h("div", { class: "sitegrid" },
        h("section", { class: "panel farm" },
          h("div", { class: "bigscore", id: "farm-score" }, num(r.farm_score)),
          h("div", { class: "muted" }, "farm score"),
          h("ul", { class: "reasons" }, r.reasons.map((reason) => h("li", {}, reason))),
          h("table", { class: "figures" },
            h("tr", {}, h("th", {}, "pages seen"), h("td", {}, r.pages_seen)),
            h("tr", {}, h("th", {}, "republished"), h("td", {}, pct(r.share_republished))),
            h("tr", {}, h("th", {}, "credited"), h("td", {}, pct(r.share_credited))),
            h("tr", {}, h("th", {}, "mean boilerplate"), h("td", {}, pct(r.mean_boilerplate))),
            h("tr", {}, h("th", {}, "distinct sources"), h("td", {}, r.distinct_sources)))),
        h("section", { class: "panel" },
          h("h2", {}, "Republications over time"),
          timelineChart(data.timeline)),
        h("section", { class: "panel" },
          h("h2", {}, "Sources it copies most"),
          r.top_sources.length
            ? h("ol", { class: "topsources" }, r.top_sources.map((s) => h("li", {}, siteLink(s.site), h("span", { class: "muted" }, ` ${s.pages} ${s.pages === 1 ? "page" : "pages"}`))))
            : h("p", { class: "muted" }, "None."))),
      h("h2", {}, "Pages"),
      list.table,
      pager(data.pages.total, data.pages.offset, data.pages.limit, move)));
  keyHandler = (event) => {
    if (list.keys(event)) return true;
    if (event.key === "u" || event.key === "Escape") go("queue");
    else if (event.key === "n" && data.pages.offset + data.pages.limit < data.pages.total) move(data.pages.offset + data.pages.limit);
    else if (event.key === "p" && data.pages.offset > 0) move(Math.max(0, data.pages.offset - data.pages.limit));
    else return false;
    return true;
  };
}

// --- labels ---------------------------------------------------------------------------------------
async function renderLabels(params) {
  const before = params.get("before");
  const data = await api(`/v1/labels?limit=${PAGE_SIZE}` + (before ? `&before=${encodeURIComponent(before)}` : ""));
  const download = async () => {
    try {
      const response = await api("/v1/labels/export", { raw: true, headers: { Accept: "application/x-ndjson" } });
      const blob = await response.blob();
      const a = h("a", { href: URL.createObjectURL(blob), download: "farmwatch-labels.jsonl" });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (error) {
      toast(error.message, true);
    }
  };
  view.replaceChildren(
    h("section", { class: "labelsview" },
      h("div", { class: "heading" }, h("h1", {}, "Labels"),
        h("button", { type: "button", id: "export", onclick: download }, "Export (JSON lines)")),
      data.items.length
        ? h("table", { class: "pages labeltable" },
            h("thead", {}, h("tr", {}, h("th", {}, "when"), h("th", {}, "decision"), h("th", {}, "page"), h("th", {}, "verdict then"), h("th", {}, "note"), h("th", {}, "by"))),
            h("tbody", {}, data.items.map((l) => h("tr", {},
              h("td", { class: "date" }, new Date(l.created_at * 1000).toISOString().slice(0, 16).replace("T", " ")),
              h("td", {}, labelBadge(l.decision)),
              h("td", { class: "title" }, pageLink(l.url)),
              h("td", {}, `${l.verdict || "–"} ${l.score !== null ? num(l.score) : ""}`),
              h("td", {}, l.note),
              h("td", { class: "muted" }, l.moderator || "–")))))
        : h("p", { class: "panel muted" }, "No labels yet."),
      data.next_before ? h("p", {}, h("a", { href: "#/labels?before=" + encodeURIComponent(data.next_before) }, "older ›")) : ""));
  keyHandler = null;
}

// --- router and keyboard -----------------------------------------------------------------------------
async function route() {
  const { path, params } = hashRoute();
  keyHandler = null;
  document.querySelectorAll("[data-nav]").forEach((a) => a.classList.toggle("active", a.dataset.nav === path[0]));
  try {
    if (path[0] === "page" && params.get("url")) await renderPage(params);
    else if (path[0] === "site" && path[1]) await renderSite(path[1], params);
    else if (path[0] === "labels") await renderLabels(params);
    else await renderQueue(params);
    view.dataset.loaded = path[0] || "queue";
  } catch (error) {
    if (error instanceof AuthError) showAuthError(error);
    else view.replaceChildren(h("section", { class: "panel notice" }, h("h2", {}, "Could not load"), h("p", {}, error.message),
      h("p", {}, h("a", { href: "#/queue" }, "back to the queue"))));
    view.dataset.loaded = "error";
  }
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
  if (typing) {
    if (event.key === "Escape") target.blur();
    return;
  }
  if (event.key === "?") return document.getElementById("help").showModal();
  if (keyHandler && keyHandler(event)) return event.preventDefault();
  if (event.key === "g") go("queue");
  else if (event.key === "l") go("labels");
});
document.getElementById("help-btn").addEventListener("click", () => document.getElementById("help").showModal());
window.addEventListener("hashchange", route);
renderSignin();
route();
