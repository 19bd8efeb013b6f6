"""The Manifest V3 extension in Debian's headless Chromium: its badge and popup show the service's look-up of
the tab, a moderator's decision first."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from farmwatch.analysis.urls import normalize_url
from tests.conftest import SEED, Site
from tests.test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_review import ORIGINAL, REPOST

EXTENSION = Path(__file__).resolve().parents[1] / "extension"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (`./dev test` installs it when run as root)"
)

BADGE = """async () => {
  const [tab] = await chrome.tabs.query({ active: true });
  return tab ? [await chrome.action.getBadgeText({ tabId: tab.id }), await chrome.action.getTitle({ tabId: tab.id })]
    : [null, null];
}"""


def test_manifest_loads_in_chrome_and_firefox() -> None:
    manifest = json.loads((EXTENSION / "manifest.json").read_text())
    # Chrome runs background.service_worker, Firefox background.scripts; each ignores the other's key.
    assert manifest["background"]["service_worker"] == "background.js"
    assert manifest["background"]["scripts"] == ["background.js"]
    assert manifest["browser_specific_settings"]["gecko"]["id"]
    for path in [*manifest["icons"].values(), *manifest["action"]["default_icon"].values()]:
        assert (EXTENSION / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_badge_and_popup_show_the_lookup_and_decisions(api: httpx.Client, site: Site, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    # The farm's page is served on loopback; the service knows it and its original.
    repost_html = (SEED / REPOST["html_file"]).read_bytes()
    site.page("/story", repost_html)
    story = site.url("/story")
    for url, html in ((ORIGINAL["url"], (SEED / ORIGINAL["html_file"]).read_text()), (story, repost_html.decode())):
        api.post("/v1/pages", json={"url": url, "html": html}).raise_for_status()
    api.post("/v1/pages", json={"url": REPOST["url"], "html": repost_html.decode()}).raise_for_status()
    site.page("/unknown", b"<html><body><p>Nothing the service has seen.</p></body></html>")

    args = [*CHROMIUM_ARGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"]
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=args,
            ignore_default_args=["--disable-extensions"],
            timeout=30_000,
        )
        try:
            worker = (
                context.service_workers[0]
                if context.service_workers
                else context.wait_for_event("serviceworker", timeout=10_000)
            )
            extension_id = worker.url.split("/")[2]
            server = str(api.base_url).rstrip("/")
            worker.evaluate(f"chrome.storage.local.set({{server: {server!r}}})")
            tab = context.new_page()

            def badge_after(url: str) -> list:
                tab.goto(url)
                deadline = time.monotonic() + 10
                shown = [None, None]
                while time.monotonic() < deadline:
                    shown = worker.evaluate(BADGE)
                    if shown[0]:
                        return shown
                    time.sleep(0.1)
                return shown

            assert badge_after(story)[0] == "R"  # republished, and it credits its source
            assert badge_after(site.url("/unknown"))[0] == "?"

            # A moderator dismisses the verdict: the badge and the popup say so first.
            api.post("/v1/labels", json={"url": story, "decision": "dismiss", "reason": "false_match"})
            text, title = badge_after(story)
            assert text == "OK" and "dismissed" in title
            tab_id = worker.evaluate("async () => (await chrome.tabs.query({ active: true }))[0].id")
            popup = context.new_page()
            popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
            popup.wait_for_selector("#result .verdict")
            lines = popup.locator("#result > div").all_inner_texts()
            assert lines[0] == "Reviewed: not a republication", lines
            source = popup.locator("#result a", has_text=ORIGINAL["site"])
            assert source.get_attribute("href") == normalize_url(ORIGINAL["url"])
            board = popup.locator("#result a", has_text="moderation dashboard").get_attribute("href")
            assert board.startswith(f"{server}/dashboard#/page?url=")
            popup.screenshot(path=str(tmp_path / "popup.png"))

            # The http:// and www. forms of a known https:// URL are found too.
            variant = REPOST["url"].replace("https://", "http://www.")
            found = popup.evaluate(
                f"""async () => {{
                  const common = await import("./common.js");
                  return await common.lookup({variant!r});
                }}"""
            )
            assert found["known"] is True and found["url"] == normalize_url(REPOST["url"])
            # Failures are said plainly: a server that is not there.
            worker.evaluate("chrome.storage.local.set({server: 'http://127.0.0.1:9'})")
            popup.reload()
            popup.wait_for_selector("#result .error")
            assert "Cannot reach your farmwatch server" in popup.locator("#result").inner_text()
        finally:
            context.close()
