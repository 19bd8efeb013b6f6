"""The moderation dashboard in a real headless Chromium (Debian's), driven by Playwright over loopback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import httpx
import pytest

from farmwatch.analysis.urls import normalize_url
from tests.test_review import ORIGINAL, REPOST, submit_seed

CHROMIUM = os.environ.get("FARMWATCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (`./dev test` installs it when run as root)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, api: httpx.Client) -> Iterator[object]:
    context = browser.new_context(base_url=str(api.base_url), viewport={"width": 1366, "height": 800})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], errors


def test_queue_loads_and_keyboard_opens_a_page(page, api: httpx.Client) -> None:
    submit_seed(api)
    page.goto("/dashboard")
    page.wait_for_selector("#view[data-loaded=queue]")
    rows = page.locator("table.pages tbody tr")
    assert rows.count() == 2
    assert rows.first.get_attribute("data-url") == normalize_url(REPOST["url"])
    assert "republished" in rows.first.inner_text()
    page.keyboard.press("j")
    assert "selected" in (rows.nth(1).get_attribute("class") or "")
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_selector("#view[data-loaded=page]")
    assert "republished" in page.locator(".pageview .heading").inner_text()


def test_page_view_highlights_copied_passages(page, api: httpx.Client) -> None:
    submit_seed(api)
    page.goto("/dashboard#/page?url=" + REPOST["url"])
    page.wait_for_selector("#view[data-loaded=page]")
    mine = page.locator(".column.page .para.copied mark")
    theirs = page.locator(".column.source .para.copied mark")
    assert mine.count() >= 10 and theirs.count() >= 10
    # A copied sentence is highlighted on both sides; boilerplate is shaded and labelled by kind.
    assert "Cross-border violence between Armenia and Azerbaijan erupted" in " ".join(mine.all_inner_texts())
    assert "Cross-border violence between Armenia and Azerbaijan erupted" in " ".join(theirs.all_inner_texts())
    kinds = page.locator(".column.page .bp .kind").all_inner_texts()
    assert "AUTHOR BIO" in [k.upper() for k in kinds] and "COMMENTS" in [k.upper() for k in kinds]
    assert ORIGINAL["site"] in page.locator(".column.source .colhead").inner_text()
    assert page.locator(".evidencepanel li").count() >= 3


def test_label_round_trips(page, api: httpx.Client) -> None:
    submit_seed(api)
    page.goto("/dashboard#/page?url=" + REPOST["url"])
    page.wait_for_selector("#view[data-loaded=page]")
    page.keyboard.press("e")
    page.keyboard.type("Same farm template as last week")
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    page.wait_for_selector(".labellist .label-item")
    assert "Same farm template as last week" in page.locator(".labellist").inner_text()
    stored = api.get("/v1/labels", params={"url": REPOST["url"]}).json()["items"]
    assert [(x["decision"], x["note"]) for x in stored] == [("confirm", "Same farm template as last week")]
    # Back in the queue, the page shows its label; the labels view lists it.
    page.goto("/dashboard#/queue")
    page.wait_for_selector("#view[data-loaded=queue]")
    assert "confirmed" in page.locator("table.pages tbody tr").first.inner_text()
    page.keyboard.press("l")
    page.wait_for_selector("#view[data-loaded=labels]")
    assert "Same farm template as last week" in page.locator("table.pages").inner_text()


def test_site_view_and_sign_in(page, api: httpx.Client, redis_client) -> None:
    from farmwatch.store.api_keys import KeyStore

    submit_seed(api)
    page.goto(f"/dashboard#/site/{REPOST['site']}")
    page.wait_for_selector("#view[data-loaded=site]")
    assert page.locator(".chart rect.rep").count() == 1
    assert ORIGINAL["site"] in page.locator(".topsources").inner_text()

    # Once keys exist, the dashboard asks for one and works with a moderator key.
    token, _ = KeyStore(redis_client, "fw").create("moderator", "dashboard test")
    page.goto("/dashboard#/queue")
    page.reload()
    page.wait_for_selector("#view[data-loaded=error], #view:has(.notice)")
    assert "Sign in" in page.locator("#view").inner_text()
    page.fill("#key", token)
    page.click("#signin-btn")
    page.wait_for_selector("#view[data-loaded=queue]")
    assert page.locator("table.pages tbody tr").count() == 2
