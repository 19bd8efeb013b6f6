"""The dashboard pages through lists with the API's cursors: the queue and a site's pages forwards and back
(buttons, and the n and p keys), and the labels view's "older" link. Real headless Chromium, as in
tests/test_dashboard_browser.py (its fixtures)."""

from __future__ import annotations

import httpx

from tests.test_dashboard_browser import browser, open_view, page, pytestmark, wait_until  # noqa: F401
from tests.test_review import article, html_page

PAGE_SIZE = 50  # service/dashboard/app.js


def rows(tab) -> list[str]:
    return tab.locator("table.pages tbody tr").evaluate_all("rows => rows.map((r) => r.dataset.url)")


def turn(tab, key: str, before: list[str]) -> list[str]:
    """Press n or p (or click a pager button) and wait for another page of rows."""
    if key in ("n", "p"):
        tab.keyboard.press(key)
    else:
        tab.click(key)
    wait_until(tab, f"document.querySelector('table.pages tbody tr').dataset.url !== {before[0]!r}")
    tab.wait_for_selector("#view[data-loaded]")
    return rows(tab)


def test_queue_site_and_labels_page_with_cursors(page, api: httpx.Client) -> None:  # noqa: F811
    urls = [f"https://big.example/p{n}" for n in range(52)] + [f"https://small{n}.example/p" for n in range(3)]
    for n, url in enumerate(urls):
        published = f"2024-01-{1 + n % 28:02d}T08:00:00Z"
        api.post("/v1/pages", json={"url": url, "html": html_page(f"p{n}", article(n, paragraphs=3), published)})
    whole = [i["url"] for i in api.get("/v1/review/queue", params={"sort": "newest", "limit": 200}).json()["items"]]
    assert len(whole) == 55

    open_view(page, "/dashboard#/queue?sort=newest", "queue")
    first = rows(page)
    assert first == whole[:PAGE_SIZE] and page.locator("#range").inner_text() == "1–50 of 55"
    assert page.locator("#prev-page").is_disabled() and not page.locator("#next-page").is_disabled()
    second = turn(page, "n", first)
    assert second == whole[PAGE_SIZE:] and page.locator("#range").inner_text() == "51–55 of 55"
    assert "cursor=" in page.evaluate("location.hash") and page.locator("#next-page").is_disabled()
    page.keyboard.press("n")  # the last page: nothing follows
    page.wait_for_timeout(200)
    assert rows(page) == second
    assert turn(page, "p", second) == first
    assert turn(page, "#next-page", first) == second
    # A page opened from the second page of the queue returns to it.
    page.keyboard.press("Enter")
    page.wait_for_selector("#view[data-loaded=page]")
    page.keyboard.press("u")
    page.wait_for_selector("#view[data-loaded=queue]")
    assert rows(page) == second
    assert turn(page, "#prev-page", second) == first

    mine = [i["url"] for i in api.get("/v1/review/sites/big.example", params={"limit": 200}).json()["pages"]["items"]]
    open_view(page, "/dashboard#/site/big.example", "site")
    top = rows(page)
    assert top == mine[:PAGE_SIZE] and page.locator("#range").inner_text() == "1–50 of 52"
    rest = turn(page, "n", top)
    assert rest == mine[PAGE_SIZE:]
    assert turn(page, "p", rest) == top

    for n in range(PAGE_SIZE + 1):
        label = {"url": urls[n % 5], "decision": "confirm", "note": f"note {n}"}
        assert api.post("/v1/labels", json=label).status_code == 201
    open_view(page, "/dashboard#/labels", "labels")
    assert page.locator("table.labeltable tbody tr").count() == PAGE_SIZE
    assert f"note {PAGE_SIZE}" in page.locator("table.labeltable tbody tr").first.inner_text()
    page.click("#older")
    wait_until(page, "document.querySelectorAll('table.labeltable tbody tr').length === 1")
    assert "note 0" in page.locator("table.labeltable tbody tr").first.inner_text()
    assert page.locator("#older").count() == 0
