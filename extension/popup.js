// The popup: the current page's look-up (a moderator's decision first), and (opt-in) sending its HTML.
import { dashboardUrl, lookup, lookupable, settings, submitHtml } from "./common.js";

const out = document.getElementById("result");

function line(cls, ...parts) {
  const p = document.createElement("div");
  p.className = cls || "row";
  for (const part of parts) p.append(part instanceof Node ? part : document.createTextNode(String(part)));
  out.append(p);
  return p;
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

function show(result, s) {
  out.textContent = "";
  if (result.error) return line("row error", result.error);
  if (!result.known) {
    line("row", result.queued ? "Not seen yet: your server will fetch and analyse it. Open this popup again in a minute."
      : "Not seen by your server yet (also tried its http/https and www. addresses).");
    return;
  }
  const republished = result.verdict === "republished";
  if (result.label === "dismiss") {
    line("verdict decision", republished ? "Reviewed: not a republication" : "Reviewed: may not be an original");
    line("row muted", `A moderator dismissed the service's verdict (${republished ? "republished" : "original"}).`);
  } else {
    line(`verdict ${result.verdict}`, republished ? "Republished" : "Original (no earlier source found)");
    if (result.label === "confirm") line("row decision", "A moderator confirmed this verdict.");
  }
  if (republished) {
    line("row", `Republication score ${Number(result.score).toFixed(2)} (0 to 1)`);
    if (result.source) line("row", "First published at ", link(result.source.url, result.source.site));
    line("row", result.credited ? "The page credits its source." : "The page does not credit its source.");
  }
  if (result.site && result.site.farm_score !== undefined && result.site.farm_score !== null) {
    line("row", `${result.site.host}: farm score ${Number(result.site.farm_score).toFixed(2)} (0 = none, 1 = content farm)`);
  }
  if (result.url !== result.asked) line("row muted", `Known as ${result.url}`);
  const board = dashboardUrl(s, result.url);
  if (board) line("row", link(board, "Open in the moderation dashboard"), " ", Object.assign(document.createElement("span"), { className: "muted", textContent: "(moderators)" }));
}

async function currentTab() {
  // popup.html?tab=<id> shows another tab (used by the tests, which open the popup as a page).
  const wanted = new URLSearchParams(location.search).get("tab");
  if (wanted) return chrome.tabs.get(Number(wanted));
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function main() {
  const s = await settings();
  document.getElementById("server").textContent = s.server;
  document.getElementById("options").addEventListener("click", (e) => {
    e.preventDefault();
    chrome.runtime.openOptionsPage();
  });
  const tab = await currentTab();
  if (!tab || !lookupable(tab.url)) {
    out.textContent = tab && tab.incognito ? "farmwatch does not look up private windows."
      : "Only web pages (http and https) can be looked up.";
    return;
  }
  if (tab.incognito) {
    out.textContent = "farmwatch does not look up private windows.";
    return;
  }
  try {
    show(await lookup(tab.url, s), s);
  } catch (error) {
    show({ error: `The look-up failed: ${error.message || error}` }, s);
  }
  if (s.sendHtml) {
    const send = document.getElementById("send");
    send.hidden = false;
    document.getElementById("send-btn").addEventListener("click", async () => {
      // activeTab: the user's click on the toolbar button grants access to this one tab only.
      let html;
      try {
        const [{ result }] = await chrome.scripting.executeScript({
          target: { tabId: tab.id },
          func: () => document.documentElement.outerHTML,
        });
        html = result;
      } catch (error) {
        return show({ error: "The browser did not let farmwatch read this page. Open the popup from the toolbar button while on the page, then press Send again (the browser's own pages and extension stores are never readable)." }, s);
      }
      if (typeof html !== "string" || !html) return show({ error: "This page has no HTML to send." }, s);
      out.textContent = "Sending…";
      const report = await submitHtml(tab.url, html, s);
      if (report.error) return show(report, s);
      show(await lookup(tab.url, s), s);
    });
  }
}

main();
