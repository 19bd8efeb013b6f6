"""The Manifest V3 extension in Debian's headless Chromium: its badge shows the service's look-up of the tab."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEED, Site
from tests.test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_review import ORIGINAL, REPOST

EXTENSION = Path(__file__).resolve().parents[1] / "extension"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (`./dev test` installs it when run as root)"
)

BADGE = """async () => {
  const [tab] = await chrome.tabs.query({ active: true });
  return tab ? await chrome.action.getBadgeText({ tabId: tab.id }) : null;
}"""


def test_badge_shows_the_lookup(api: httpx.Client, site: Site, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    # The farm's page is served on loopback; the service knows it and its original.
    repost_html = (SEED / REPOST["html_file"]).read_bytes()
    site.page("/story", repost_html)
    for url, html in (
        (ORIGINAL["url"], (SEED / ORIGINAL["html_file"]).read_text()),
        (site.url("/story"), repost_html.decode()),
    ):
        api.post("/v1/pages", json={"url": url, "html": html}).raise_for_status()
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
            worker.evaluate(f"chrome.storage.local.set({{server: {str(api.base_url).rstrip('/')!r}}})")
            tab = context.new_page()

            def badge_after(url: str) -> str | None:
                tab.goto(url)
                deadline = time.monotonic() + 10
                text = None
                while time.monotonic() < deadline:
                    text = worker.evaluate(BADGE)
                    if text:
                        return text
                    time.sleep(0.1)
                return text

            assert badge_after(site.url("/story")) == "R"  # republished, and it credits its source
            assert badge_after(site.url("/unknown")) == "?"
        finally:
            context.close()
