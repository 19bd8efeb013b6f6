// Sets the toolbar badge for each page the user opens (when autoLookup is on). Sends the URL only.
import { badgeFor, lookup, lookupable, settings } from "./common.js";

async function update(tabId, url) {
  const s = await settings();
  if (!s.autoLookup || !lookupable(url)) {
    await chrome.action.setBadgeText({ tabId, text: "" });
    return;
  }
  let result;
  try {
    result = await lookup(url, s);
  } catch (error) {
    result = { error: String(error) };
  }
  const badge = badgeFor(result);
  await chrome.action.setBadgeText({ tabId, text: badge.text });
  await chrome.action.setBadgeBackgroundColor({ tabId, color: badge.color });
}

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.status === "complete" && !tab.incognito) update(tabId, tab.url);
});
chrome.tabs.onActivated.addListener(async ({ tabId }) => {
  const tab = await chrome.tabs.get(tabId);
  if (!tab.incognito) update(tabId, tab.url);
});
