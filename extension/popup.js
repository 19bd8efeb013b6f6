// The popup: the current page's look-up, and (opt-in) sending its HTML.
import { lookup, lookupable, settings, submitHtml } from "./common.js";

const out = document.getElementById("result");

function line(text, cls) {
  const p = document.createElement("div");
  p.className = cls || "row";
  p.textContent = text;
  out.append(p);
}

function show(result) {
  out.textContent = "";
  if (result.error) return line(result.error, "row republished");
  if (!result.known) {
    line(result.queued ? "Not seen yet: your server will fetch and analyse it." : "Not seen by your server yet.");
    return;
  }
  line(result.verdict === "republished" ? "Republished" : "Original (no earlier source found)", `verdict ${result.verdict}`);
  if (result.verdict === "republished") {
    line(`Republication score ${Number(result.score).toFixed(2)}`);
    if (result.source) line(`First published at ${result.source.site}: ${result.source.url}`);
    line(result.credited ? "The page credits its source." : "The page does not credit its source.");
  }
  if (result.site && result.site.farm_score !== undefined && result.site.farm_score !== null) {
    line(`${result.site.host}: farm score ${Number(result.site.farm_score).toFixed(2)} (0 = none, 1 = content farm)`);
  }
  if (result.label) line(`A moderator ${result.label === "confirm" ? "confirmed" : "dismissed"} this verdict.`, "row muted");
}

async function main() {
  const s = await settings();
  document.getElementById("server").textContent = s.server;
  document.getElementById("options").addEventListener("click", (e) => {
    e.preventDefault();
    chrome.runtime.openOptionsPage();
  });
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  if (!tab || !lookupable(tab.url)) {
    out.textContent = "Only http and https pages can be looked up.";
    return;
  }
  try {
    show(await lookup(tab.url, s));
  } catch (error) {
    show({ error: `Cannot reach ${s.server}: ${error}` });
  }
  if (s.sendHtml) {
    const send = document.getElementById("send");
    send.hidden = false;
    document.getElementById("send-btn").addEventListener("click", async () => {
      // activeTab: the user's click on the popup grants access to this one tab only.
      const [{ result: html }] = await chrome.scripting.executeScript({
        target: { tabId: tab.id },
        func: () => document.documentElement.outerHTML,
      });
      const report = await submitHtml(tab.url, html, s);
      if (report.error) return show(report);
      show(await lookup(tab.url, s));
    });
  }
}

main();
