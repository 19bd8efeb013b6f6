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
  await chrome.storage.local.set(values);
  document.getElementById("saved").textContent = "Saved.";
});
