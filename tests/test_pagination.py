"""One pagination convention on every list: `cursor` and `limit` in, `items` and `next_cursor` out.

What a client sees, over HTTP against the real service: walking any list with small pages returns each item
once, in the order of one big page; a list changing while it is walked neither repeats nor skips the items
not yet shown; the review queue pages backwards with `prev_cursor`; a bad cursor is a 422 `invalid_cursor`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis

from farmwatch.store.jobs import JobQueue
from farmwatch.store.webhooks import WebhookStore
from tests.test_review import article, html_page

Walked = list[dict]


def walk(api: httpx.Client, path: str, limit: int, params: dict | None = None, at: str | None = None) -> Walked:
    """Every item of a list, following `next_cursor` page after page."""
    items: Walked = []
    cursor = None
    for _ in range(1000):
        query = {**(params or {}), "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, params=query)
        assert response.status_code == 200, (path, response.text)
        page = response.json()[at] if at else response.json()
        assert len(page["items"]) <= limit, path
        assert page["items"] or page["next_cursor"] is None, f"{path}: an empty page before the end"
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError(f"{path}: no end after 1000 pages")


def submit(api: httpx.Client, url: str, paragraphs: list[str], published: str) -> None:
    response = api.post(
        "/v1/pages", json={"url": url, "html": html_page(url.rsplit("/", 1)[-1], paragraphs, published)}
    )
    assert response.status_code == 200, response.text


def build_corpus(api: httpx.Client) -> None:
    """Originals on two news sites, copies of some of them (whole or in part) on two farms, and five
    one-page sites, so scores, dates, counts and sites tie as well as differ."""
    stories = [article(seed) for seed in range(6)]
    for n, story in enumerate(stories):
        submit(api, f"https://news{n % 2}.example/story-{n}", story, f"2024-01-0{n + 1}T08:00:00Z")
    for n, keep in ((0, 8), (1, 6), (2, 4), (3, 8)):
        own = article(100 + n, paragraphs=8 - keep)
        submit(api, f"https://farm{n % 2}.example/copy-{n}", stories[n][:keep] + own, f"2024-02-0{n + 1}T08:00:00Z")
    for n in range(5):
        submit(api, f"https://solo{n}.example/only", article(200 + n), "2024-03-01T08:00:00Z")


def _label_all(api: httpx.Client, urls: list[str]) -> None:
    for n, url in enumerate(urls):
        decision = "confirm" if n % 2 else "dismiss"
        assert api.post("/v1/labels", json={"url": url, "decision": decision, "note": f"n{n}"}).status_code == 201


def _integrations(redis_client: redis.Redis, api: httpx.Client) -> str:
    """Hooks, events, deliveries, feeds and dead-lettered jobs, made the way the service makes them."""
    store = WebhookStore(redis_client, "fw")
    hooks = [store.add_hook(f"https://hooks.example/{n}", ["job.finished"]) for n in range(5)]
    for n in range(9):
        store.add_event("job.finished", {"job_id": f"j{n}", "status": "done"})
    store.dispatch("test")
    for n in range(5):
        assert api.post("/v1/feeds", json={"url": f"https://feeds.example/{n}.xml"}).status_code == 201
    queue = JobQueue(redis_client, "fw")
    for n in range(7):
        queue.submit(f"https://gone.example/{n}")
        job = queue.reserve("test", block_ms=100)
        assert job is not None
        queue.fail(job, f"http_status: answered 410 ({n})", retry=False)
    return hooks[0]["id"]


Key = Callable[[dict], Any]
LISTS: list[tuple[str, dict, str | None, Key, int]] = [
    # path, parameters, where the page sits in the answer, an item's identity, the largest limit
    ("/v1/review/queue", {}, None, lambda i: i["url"], 200),
    ("/v1/review/queue", {"sort": "newest"}, None, lambda i: i["url"], 200),
    ("/v1/review/queue", {"sort": "priority"}, None, lambda i: i["url"], 200),
    ("/v1/review/queue", {"verdict": "original", "labelled": "false"}, None, lambda i: i["url"], 200),
    ("/v1/review/queue", {"since": "2024-01-03", "until": "2024-02-28"}, None, lambda i: i["url"], 200),
    ("/v1/review/queue/sites", {}, None, lambda g: g["site"], 500),
    ("/v1/review/sites", {}, None, lambda r: r["site"], 1000),
    ("/v1/review/sites/news0.example", {}, "pages", lambda i: i["url"], 200),
    ("/v1/labels", {}, None, lambda label: label["id"], 500),
    ("/v1/labels", {"url": "https://news0.example/story-0"}, None, lambda label: label["id"], 500),
    ("/v1/events", {}, None, lambda e: e["id"], 500),
    ("/v1/events", {"type": "job.finished"}, None, lambda e: e["id"], 500),
    ("/v1/webhooks", {}, None, lambda h: h["id"], 500),
    ("/v1/webhooks/{hook}/deliveries", {}, None, lambda d: d["id"], 500),
    ("/v1/feeds", {}, None, lambda f: f["url"], 1000),
    ("/v1/jobs", {"status": "failed"}, None, lambda j: j["job_id"], 1000),
]


def test_walking_every_list_returns_each_item_once_in_order(api: httpx.Client, redis_client: redis.Redis) -> None:
    build_corpus(api)
    urls = [i["url"] for i in api.get("/v1/review/queue", params={"limit": 200}).json()["items"]]
    _label_all(api, urls[:3] + urls[:2] + ["https://news0.example/story-0"] * 4)
    hook = _integrations(redis_client, api)
    for path, params, at, key, biggest in LISTS:
        path = path.format(hook=hook)
        whole = api.get(path, params={**params, "limit": biggest}).json()
        whole = whole[at] if at else whole
        assert whole["next_cursor"] is None and len(whole["items"]) >= 3, (path, params, whole)
        expected = [key(item) for item in whole["items"]]
        for limit in (1, 2, 3):
            walked = [key(item) for item in walk(api, path, limit, params, at)]
            assert walked == expected, (path, params, limit)


def test_the_queue_pages_back_with_prev_cursor_and_says_where_a_page_starts(api: httpx.Client) -> None:
    build_corpus(api)
    pages, cursor = [], None
    while True:
        page = api.get("/v1/review/queue", params={"limit": 4, **({"cursor": cursor} if cursor else {})}).json()
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(pages) == 4 and pages[0]["prev_cursor"] is None  # 15 pages, 4 a page
    assert [p["position"] for p in pages] == [0, 4, 8, 12] and {p["total"] for p in pages} == {15}
    back = pages[-1]
    for earlier in reversed(pages[:-1]):
        back = api.get("/v1/review/queue", params={"limit": 4, "cursor": back["prev_cursor"]}).json()
        assert [i["url"] for i in back["items"]] == [i["url"] for i in earlier["items"]]
        assert back["position"] == earlier["position"]
    assert back["prev_cursor"] is None
    # A site's pages page both ways the same.
    site = api.get("/v1/review/sites/news0.example", params={"limit": 2}).json()["pages"]
    second = api.get("/v1/review/sites/news0.example", params={"limit": 2, "cursor": site["next_cursor"]}).json()
    first = api.get("/v1/review/sites/news0.example", params={"limit": 2, "cursor": second["pages"]["prev_cursor"]})
    assert first.json()["pages"]["items"] == site["items"] and second["pages"]["position"] == 2


def test_labelling_while_walking_the_to_review_queue_skips_nothing(api: httpx.Client) -> None:
    build_corpus(api)
    todo = {"labelled": "false", "sort": "priority"}
    order = [i["url"] for i in api.get("/v1/review/queue", params={**todo, "limit": 200}).json()["items"]]
    seen: list[str] = []
    cursor = None
    while True:
        page = api.get("/v1/review/queue", params={**todo, "limit": 3, **({"cursor": cursor} if cursor else {})})
        items = [i["url"] for i in page.json()["items"]]
        seen += items
        # The moderator labels what they saw: those pages leave this list before the next page is asked for.
        _label_all(api, items)
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == order
    assert api.get("/v1/review/queue", params=todo).json()["items"] == []


def test_a_list_growing_while_walked_repeats_and_skips_nothing(api: httpx.Client) -> None:
    build_corpus(api)
    first = api.get("/v1/review/sites", params={"limit": 3}).json()
    # A new site with the most pages arrives ahead of the walk; one more one-page site arrives among the rest.
    for n in range(4):
        submit(api, f"https://big.example/{n}", article(300 + n), "2024-04-01T08:00:00Z")
    submit(api, "https://late.example/x", article(310), "2024-04-02T08:00:00Z")
    rest: Walked = []
    cursor = first["next_cursor"]
    while cursor:
        page = api.get("/v1/review/sites", params={"limit": 2, "cursor": cursor}).json()
        rest += page["items"]
        cursor = page["next_cursor"]
    sites = [r["site"] for r in first["items"] + rest]
    assert len(sites) == len(set(sites)), sites
    assert "big.example" not in sites  # it sorts before where the walk had got to
    everything = {r["site"] for r in api.get("/v1/review/sites", params={"limit": 1000}).json()["items"]}
    assert everything - set(sites) <= {"big.example", "late.example"}


def test_deprecated_offset_and_before_still_answer(api: httpx.Client) -> None:
    build_corpus(api)
    whole = api.get("/v1/review/queue", params={"limit": 200}).json()["items"]
    assert api.get("/v1/review/queue", params={"offset": 2, "limit": 3}).json()["items"] == whole[2:5]
    sites = api.get("/v1/review/sites", params={"limit": 1000}).json()["items"]
    assert api.get("/v1/review/sites", params={"offset": 1, "limit": 2}).json()["items"] == sites[1:3]
    pages = api.get("/v1/review/sites/news0.example").json()["pages"]["items"]
    site = api.get("/v1/review/sites/news0.example", params={"offset": 1, "limit": 1}).json()["pages"]
    assert site["items"] == pages[1:2] and site["position"] == 1


def test_a_bad_cursor_is_refused_on_every_list(api: httpx.Client, redis_client: redis.Redis) -> None:
    build_corpus(api)
    hook = _integrations(redis_client, api)
    labels = api.get("/v1/labels", params={"limit": 1}).json()
    _label_all(api, ["https://news0.example/story-0", "https://news1.example/story-1"])
    foreign = api.get("/v1/labels", params={"limit": 1}).json()["next_cursor"]  # a labels cursor
    assert labels["next_cursor"] is None and foreign
    schema = api.get("/openapi.json").json()
    paths = [
        path.format(host="news0.example", hook_id=hook)
        for path, methods in schema["paths"].items()
        if any(p["name"] == "cursor" for p in methods.get("get", {}).get("parameters", []))
    ]
    assert len(paths) >= 10
    for path in paths:
        params = {"status": "failed"} if path == "/v1/jobs" else {}
        for bad in ("not a cursor", "bm90IGpzb24", "WyJ4Il0", "W10", "x" * 5000, foreign):
            if bad == foreign and path == "/v1/labels":
                continue
            answer = api.get(path, params={**params, "cursor": bad})
            assert answer.status_code == 422, (path, bad, answer.text)
            assert answer.json()["error"]["code"] == "invalid_cursor", (path, bad, answer.text)


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_client_iterators_walk_every_list(api: httpx.Client, redis_client: redis.Redis, sync: bool) -> None:
    from tests.test_client import AsyncClient, Client

    build_corpus(api)
    urls = [i["url"] for i in api.get("/v1/review/queue", params={"limit": 200}).json()["items"]]
    _label_all(api, urls[:5])
    hook = _integrations(redis_client, api)
    base = str(api.base_url).rstrip("/")
    expected = {
        "queue": walk(api, "/v1/review/queue", 200),
        "originals": walk(api, "/v1/review/queue", 200, {"verdict": "original", "sort": "newest"}),
        "groups": walk(api, "/v1/review/queue/sites", 500),
        "sites": walk(api, "/v1/review/sites", 1000),
        "site_pages": walk(api, "/v1/review/sites/news1.example", 200, at="pages"),
        "labels": walk(api, "/v1/labels", 500),
        "events": walk(api, "/v1/events", 500),
        "deliveries": walk(api, f"/v1/webhooks/{hook}/deliveries", 500),
        "hooks": walk(api, "/v1/webhooks", 500),
        "feeds": walk(api, "/v1/feeds", 1000),
        "jobs": walk(api, "/v1/jobs", 1000, {"status": "failed"}),
    }

    def iterators(fw: Any) -> dict[str, Any]:
        return {
            "queue": fw.iter_review_queue(page_size=2),
            "originals": fw.iter_review_queue(page_size=2, verdict="original", sort="newest"),
            "groups": fw.iter_review_queue_sites(page_size=2),
            "sites": fw.iter_review_sites(page_size=2),
            "site_pages": fw.iter_site_pages("news1.example", page_size=1),
            "labels": fw.iter_labels(page_size=2),
            "events": fw.iter_events(page_size=2),
            "deliveries": fw.iter_deliveries(hook, page_size=2),
            "hooks": fw.iter_webhooks(page_size=2),
            "feeds": fw.iter_feeds(page_size=2),
            "jobs": fw.iter_failed_jobs(page_size=2),
        }

    if sync:
        with Client(base) as fw:
            got = {name: [item.model_dump(mode="json") for item in it] for name, it in iterators(fw).items()}
            page = fw.review_queue(limit=2, counts=True)
            site = fw.review_site("news1.example", limit=1)
            jobs = fw.failed_jobs(limit=3)
            hooks, feeds = fw.webhooks(), fw.feeds()
    else:
        import asyncio

        async def run() -> tuple:
            async with AsyncClient(base) as fw:
                found = {
                    name: [item.model_dump(mode="json") async for item in it] for name, it in iterators(fw).items()
                }
                return (
                    found,
                    await fw.review_queue(limit=2, counts=True),
                    await fw.review_site("news1.example", limit=1),
                    await fw.failed_jobs(limit=3),
                    await fw.webhooks(),
                    await fw.feeds(),
                )

        got, page, site, jobs, hooks, feeds = asyncio.run(run())
    for name, items in expected.items():
        assert len(got[name]) == len(items) >= 3, name
        identity = next(k for k in ("id", "url", "job_id", "site") if k in items[0])
        assert [i[identity] for i in got[name]] == [i[identity] for i in items], name
    assert page.total == 15 and page.position == 0 and page.next_cursor and page.prev_cursor is None
    assert page.counts and page.counts["all"][""] == 15
    assert site.report.site == "news1.example" and len(site.pages.items) == 1 and site.pages.next_cursor
    assert jobs.queue.dead == 7 and len(jobs.items) == 3
    assert len(hooks) == 5 and len(feeds) == 5
