"""The moderation dashboard in a real headless Chromium (Debian's), driven by Playwright over loopback."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from farmwatch.analysis.urls import normalize_url
from tests.test_review import ORIGINAL, REPOST, article, html_page, submit_seed

CHROMIUM = os.environ.get("FARMWATCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # axe-core from npm, vendored (no CDN)

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


def new_context(browser, api: httpx.Client, errors: list[str], **options: object):
    context = browser.new_context(base_url=str(api.base_url), viewport={"width": 1366, "height": 800}, **options)
    context.set_default_timeout(10_000)
    context.on("weberror", lambda error: errors.append(str(error.error)))
    return context


@pytest.fixture()
def page(browser, api: httpx.Client) -> Iterator[object]:
    errors: list[str] = []
    context = new_context(browser, api, errors)
    tab = context.new_page()
    yield tab
    context.close()
    assert errors == [], errors


def wait_until(tab, script: str, timeout: float = 10.0) -> None:
    """Poll a JS expression (wait_for_function evaluates strings, which the dashboard's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not tab.evaluate(script):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {script}")
        time.sleep(0.05)


def open_view(tab, path: str, loaded: str) -> None:
    tab.goto(path)
    tab.wait_for_selector(f"#view[data-loaded={loaded}]")


def test_queue_loads_and_keyboard_opens_a_page(page, api: httpx.Client) -> None:
    submit_seed(api)
    open_view(page, "/dashboard", "queue")
    rows = page.locator("table.pages tbody tr")
    assert rows.count() == 2
    assert rows.first.get_attribute("data-url") == normalize_url(REPOST["url"])
    assert rows.first.get_attribute("aria-selected") == "true" and rows.first.get_attribute("tabindex") == "0"
    assert "republished" in rows.first.inner_text()
    assert "republished (1)" in page.locator("select[name=verdict]").inner_text()  # counts per filter
    page.keyboard.press("j")
    assert rows.nth(1).get_attribute("aria-selected") == "true" and rows.first.get_attribute("aria-selected") == "false"
    assert page.evaluate("document.activeElement.dataset.url") == rows.nth(1).get_attribute("data-url")
    page.keyboard.press("ArrowUp")  # arrows work on the focused row (no single-key shortcut needed)
    page.keyboard.press("Enter")
    page.wait_for_selector("#view[data-loaded=page]")
    assert "republished" in page.locator(".pageview .heading").inner_text()


def test_enter_on_a_control_activates_the_control(page, api: httpx.Client) -> None:
    submit_seed(api)
    open_view(page, "/dashboard#/queue?verdict=republished", "queue")
    # Enter on "Clear" clears the filters; it does not open the selected row.
    page.focus("#filters button[type=button]")
    page.keyboard.press("Enter")
    wait_until(page, "!location.hash.includes('verdict')")
    page.wait_for_selector("#view[data-loaded=queue]")
    assert "page?" not in page.evaluate("location.hash")
    # Enter on a row's site link follows that link.
    page.locator("table.pages tbody tr").nth(0).locator("a.sitelink").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#view[data-loaded=site]")
    # Typing in a field never triggers shortcuts; turning single-key shortcuts off silences them.
    open_view(page, "/dashboard", "queue")
    page.click("input[name=site]")
    page.keyboard.type("lg")
    assert page.evaluate("location.hash") in ("", "#/queue") and page.input_value("input[name=site]") == "lg"
    page.click("#help-btn")
    page.uncheck("#shortcuts-toggle")
    page.click("#help form button")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("l")
    page.wait_for_timeout(200)
    assert page.evaluate("location.hash") in ("", "#/queue")


def test_a_slow_answer_never_paints_over_the_view_the_user_moved_to(page, api: httpx.Client) -> None:
    submit_seed(api)
    open_view(page, "/dashboard", "queue")
    held: list[object] = []
    page.route("**/v1/review/page?*", lambda route: held.append(route))  # answered only after the user moved on
    page.evaluate("url => { location.hash = '#/page?url=' + encodeURIComponent(url); }", REPOST["url"])
    wait_until(page, "document.getElementById('view').getAttribute('aria-busy') === 'true'")
    assert page.locator("#view[data-loaded]").count() == 0  # a view on its way is not marked loaded
    page.evaluate("location.hash = '#/labels'")
    page.wait_for_selector("#view[data-loaded=labels]")
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_timeout(300)
    assert page.locator("#view").get_attribute("data-loaded") == "labels"
    assert page.locator(".labelsview").count() == 1 and page.locator(".pageview").count() == 0


def test_spans_are_highlighted_on_both_sides_and_jump(page, api: httpx.Client) -> None:
    submit_seed(api)
    open_view(page, "/dashboard#/page?url=" + REPOST["url"], "page")
    mine = page.locator(".column.page mark.span")
    theirs = page.locator(".column.source mark.span")
    assert mine.count() >= 10 and theirs.count() >= 10
    sentence = "Cross-border violence between Armenia and Azerbaijan erupted"
    assert sentence in " ".join(mine.all_inner_texts()) and sentence in " ".join(theirs.all_inner_texts())
    line = page.locator("#verdict-line").inner_text()
    assert "100% of this text appears in theepochtimes.com’s article of" in line, line
    assert "earlier" in line and "credited" in line and "Reuters" in line
    kinds = page.locator(".column.page .bp .kind").all_inner_texts()
    assert "AUTHOR BIO" in [k.upper() for k in kinds] and "COMMENTS" in [k.upper() for k in kinds]
    assert ORIGINAL["site"] in page.locator(".column.source .colhead").inner_text()
    # Clicking a span (or Enter on it, or j) marks its counterpart on the other side.
    page.locator(".column.page mark[tabindex]").nth(2).click()
    assert page.locator(".column.source mark.flash").count() == 1
    page.keyboard.press("j")
    focused = page.evaluate("[document.activeElement.dataset.span, document.activeElement.dataset.side]")
    assert focused == ["3", "page"]
    assert page.locator(".column.source mark.flash").get_attribute("data-span") == "3"
    assert page.locator(".para[dir=auto]").count() == page.locator(".para").count()
    # Raw figures sit under "details", each named with what it means.
    assert not page.locator(".rawdetails table.figures").is_visible()
    row = page.locator(".rawdetails table.figures tr", has=page.locator("abbr", has_text="reuse probability"))
    assert row.locator("abbr").get_attribute("title").startswith("How likely it is, from the matched text alone")
    assert 0.0 < float(row.locator("td").text_content()) <= 1.0


def test_a_reworded_copy_marks_the_changed_words(page, api: httpx.Client) -> None:
    paragraphs = article(7)
    reworded = list(paragraphs)
    swaps = {1: ("council", "assembly"), 3: ("harbour", "port"), 5: ("tunnel", "underpass")}
    for i in swaps:
        words = reworded[i].split()
        words[1] = "Officials"  # the sentence's subject, reworded
        reworded[i] = " ".join(words) + " Critics disagreed sharply."
    api.post(
        "/v1/pages", json={"url": "https://orig.example/a", "html": html_page("A", paragraphs, "2024-03-01T08:00:00Z")}
    ).raise_for_status()
    api.post(
        "/v1/pages", json={"url": "https://copy.example/a", "html": html_page("A", reworded, "2024-03-02T09:30:00Z")}
    ).raise_for_status()
    open_view(page, "/dashboard#/page?url=https://copy.example/a", "page")
    assert page.locator(".column.page mark.span").count() >= 3
    assert page.locator(".column.source mark.span").count() >= 3
    changed_here = " ".join(page.locator(".column.page .reworded").all_inner_texts())
    changed_there = " ".join(page.locator(".column.source .reworded").all_inner_texts())
    assert "Officials" in changed_here, changed_here
    assert changed_there.strip(), "the source's replaced words are marked too"
    assert "published 1 d 1 h earlier" in page.locator("#verdict-line").inner_text()


def test_labels_reasons_one_current_undo_and_next(page, api: httpx.Client) -> None:
    submit_seed(api)
    open_view(page, "/dashboard#/queue?sort=score", "queue")  # remembered for "confirm and next"
    open_view(page, "/dashboard#/page?url=" + REPOST["url"], "page")
    assert page.locator("label[for=note]").inner_text().startswith("Note for the next moderator")
    page.keyboard.press("e")
    page.keyboard.type("Same farm template as last week")
    page.keyboard.press("Escape")
    page.keyboard.press("x")  # dismiss (false match) ...
    page.wait_for_selector(".labellist .label-item")
    page.keyboard.press("2")  # ... then confirm as licensed syndication: one current label
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    page.wait_for_selector(".labellist .label-item.superseded")
    current = page.locator(".labellist .label-item.current")
    assert current.count() == 1 and "Licensed syndication" in current.inner_text()
    stored = api.get("/v1/labels", params={"url": REPOST["url"]}).json()["items"]
    assert [(x["decision"], x["reason"]) for x in stored] == [
        ("dismiss", "false_match"),
        ("confirm", "licensed_syndication"),
    ]
    # Undo (z) brings the dismissal back; Delete removes it too.
    page.keyboard.press("z")
    page.wait_for_selector(".labellist .label-item.deleted")
    assert "False match" in page.locator(".labellist .label-item.current").inner_text()
    page.locator(".labellist .label-item.current button.delete").click()
    wait_until(page, "document.querySelectorAll('.labellist .label-item.current').length === 0")
    # Confirm and next opens the next page of the queue the moderator came from.
    page.click("#confirm-next")
    wait_until(page, f"decodeURIComponent(location.hash).includes({normalize_url(ORIGINAL['url'])!r})")
    page.wait_for_selector("#view[data-loaded=page]")
    # The queue and the labels view show the current decision.
    open_view(page, "/dashboard#/queue", "queue")
    assert "confirmed: Farm copy" in page.locator("table.pages tbody tr").first.inner_text()
    page.keyboard.press("l")
    page.wait_for_selector("#view[data-loaded=labels]")
    assert "Same farm template as last week" in page.locator("table.pages").inner_text()


def test_group_by_site_with_bulk_labels(page, api: httpx.Client) -> None:
    submit_seed(api)
    open_view(page, "/dashboard#/queue?view=sites", "queue")
    groups = page.locator(".group")
    assert groups.count() == 2 and page.locator(".preset[aria-current=true]").inner_text() == "By site"
    group = groups.filter(has_text=REPOST["site"])
    group.locator("select").select_option("farm_copy")
    group.locator("button.bulk").click()
    page.wait_for_selector("#undo")
    assert api.get("/v1/review/queue", params={"labelled": True}).json()["total"] == 1
    page.click("#undo")
    wait_until(page, "!document.querySelector('#undo')")
    assert api.get("/v1/review/queue", params={"labelled": True}).json()["total"] == 0


def test_date_range_and_empty_message(page, api: httpx.Client) -> None:
    submit_seed(api)
    open_view(page, "/dashboard#/queue?since=2024-03-01&until=2024-02-01", "queue")
    assert "start date is after the end date" in page.locator("#date-error").inner_text()
    open_view(page, "/dashboard#/queue?site=nothing.example", "queue")
    empty = page.locator("#empty").inner_text()
    assert "No judged pages match these filters" in empty and "POST" not in empty


def test_long_titles_urls_and_rtl_text_fit(page, api: httpx.Client) -> None:
    submit_seed(api)
    long_title = "Breaking " + "x" * 600
    arabic = ["هذا نص عربي طويل عن الأخبار المحلية والسياسة والاقتصاد في المنطقة، " * 3 for _ in range(6)]
    html = html_page(long_title, arabic, "2024-05-01T08:00:00Z")
    long_url = "https://long.example/" + "a" * 900
    api.post("/v1/pages", json={"url": long_url, "html": html}).raise_for_status()
    copy = html_page("copy", arabic, "2024-05-02T08:00:00Z")
    api.post("/v1/pages", json={"url": "https://copier.example/" + "b" * 900, "html": copy}).raise_for_status()
    for path, loaded in (
        ("/dashboard#/queue", "queue"),
        ("/dashboard#/page?url=" + long_url, "page"),
        ("/dashboard#/site/long.example", "site"),
    ):
        open_view(page, path, loaded)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, (path, width)
    open_view(page, "/dashboard#/page?url=" + long_url, "page")
    direction = page.locator(".column.page .para").first.evaluate("p => getComputedStyle(p).direction")
    assert direction == "rtl"


def test_site_view_chart_and_colours(page, api: httpx.Client) -> None:
    submit_seed(api)
    open_view(page, f"/dashboard#/site/{REPOST['site']}", "site")
    assert page.locator(".chart rect.rep").count() == 1
    assert "1 dated pages" in page.locator("#chart-summary").inner_text()
    assert page.locator(".chart").get_attribute("aria-labelledby") == "chart-summary"
    assert ORIGINAL["site"] in page.locator(".topsources").inner_text()
    open_view(page, f"/dashboard#/site/{ORIGINAL['site']}", "site")
    assert "low" in page.locator("#farm-score").get_attribute("class")  # 0.00 is not shown in alarm red


def test_sign_in_is_consistent_and_shared_across_tabs(browser, api: httpx.Client, redis_client) -> None:
    from farmwatch.store.api_keys import KeyStore

    submit_seed(api)
    keys = KeyStore(redis_client, "fw")
    token, _ = keys.create("moderator", "dashboard test")
    lookup_key, _ = keys.create("lookup", "extension")
    errors: list[str] = []
    context = new_context(browser, api, errors)
    try:
        tab = context.new_page()
        open_view(tab, "/dashboard#/queue", "signin")
        assert tab.locator("#key").is_visible() and not tab.locator("#signout").is_visible()
        # A look-up key is refused for what it is; the header and the body agree.
        tab.fill("#key", lookup_key)
        tab.click("#signin-btn")
        tab.wait_for_selector("#who.bad")
        assert "not a moderator key" in tab.locator("#who").inner_text()
        assert "not a moderator key" in tab.locator("#view").inner_text() and tab.locator("#key").is_visible()
        tab.fill("#key", "fw_not_a_key")
        tab.click("#signin-btn")
        wait_until(tab, "document.querySelector('#who').textContent.includes('refused')")
        assert "signed in" not in tab.locator("#who").inner_text()
        # A moderator key, shared with this browser session's other tabs (opt-in).
        tab.fill("#key", token)
        tab.check("#share")
        tab.click("#signin-btn")
        tab.wait_for_selector("#view[data-loaded=queue]")
        assert tab.locator("#who").inner_text().startswith("signed in") and not tab.locator("#key").is_visible()
        other = context.new_page()
        open_view(other, "/dashboard#/page?url=" + REPOST["url"], "page")
        # Signing out in one tab signs out the others.
        other.click("#signout")
        tab.wait_for_selector("#view[data-loaded=signin]")
        assert tab.locator("#key").is_visible()
    finally:
        context.close()
    assert errors == [], errors


def test_no_serious_accessibility_violations(browser, api: httpx.Client) -> None:
    submit_seed(api)
    errors: list[str] = []
    # bypass_csp lets the test inject the vendored axe-core; the dashboard itself loads nothing from elsewhere.
    context = new_context(browser, api, errors, bypass_csp=True)
    try:
        tab = context.new_page()
        found = {}
        for path, loaded in (
            ("/dashboard#/queue", "queue"),
            ("/dashboard#/page?url=" + REPOST["url"], "page"),
            (f"/dashboard#/site/{REPOST['site']}", "site"),
        ):
            open_view(tab, path, loaded)
            tab.add_script_tag(path=str(AXE))
            result = tab.evaluate("async () => (await axe.run(document)).violations")
            found[loaded] = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
                for v in result
                if v["impact"] in ("serious", "critical")
            ]
        assert found == {"queue": [], "page": [], "site": []}, found
    finally:
        context.close()
    assert errors == [], errors
