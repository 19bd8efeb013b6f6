import { DEFAULTS, settings } from "./common.js";

const form = document.getElementById("form");

settings().then((s) => {
  for (const name of Object.keys(DEFAULTS)) {
    const input = form.elements[name];
    if (input.type === "checkbox") input.checked = !!s[name];
    else input.value = s[name];
  }
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const values = {};
  for (const name of Object.keys(DEFAULTS)) {
    const input = form.elements[name];
    values[name] = input.type === "checkbox" ? input.checked : input.value.trim();
  }
  const saved = document.getElementById("saved");
  if (!/^https?:\/\/[^/]+/.test(values.server)) {
    saved.textContent = "The server URL must start with http:// or https://.";
    return;
  }
  await chrome.storage.local.set(values);
  saved.textContent = "Saved.";
});
