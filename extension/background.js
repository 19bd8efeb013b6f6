// Sets the toolbar badge for each page the user opens (when autoLookup is on). Sends the URL only.
// Chrome runs this as a service worker, Firefox as a background script (manifest: both are declared).
import { badgeFor, lookup, lookupable, settings } from "./common.js";

async function update(tabId, url) {
  const s = await settings();
  if (!s.autoLookup || !lookupable(url)) {
    await chrome.action.setBadgeText({ tabId, text: "" });
    await chrome.action.setTitle({ tabId, title: "farmwatch" });
    return;
  }
  let result;
  try {
    result = await lookup(url, s);
  } catch (error) {
    result = { error: String(error) };
  }
  const badge = badgeFor(result);
  await chrome.action.setTitle({ tabId, title: badge.title });
  await chrome.action.setBadgeBackgroundColor({ tabId, color: badge.color });
  await chrome.action.setBadgeText({ tabId, text: badge.text });
}

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.status === "complete" && !tab.incognito) update(tabId, tab.url).catch(() => {});
});
chrome.tabs.onActivated.addListener(async ({ tabId }) => {
  const tab = await chrome.tabs.get(tabId);
  if (!tab.incognito) update(tabId, tab.url).catch(() => {});
});
