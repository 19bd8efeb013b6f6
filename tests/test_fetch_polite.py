"""robots.txt, crawl-delay and per-host limits shared through Redis; retries and conditional re-fetch."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from itertools import pairwise

import httpx
import redis

from farmwatch.config import FetchSettings, Settings
from farmwatch.services import Services
from farmwatch.store.connection import connect
from farmwatch.store.embedded import EmbeddedRedis
from farmwatch.store.jobs import JobQueue
from tests.conftest import SEED, Site
from workers.fetch import Fetcher, FetchError
from workers.polite import PoliteFetcher
from workers.worker import Worker

ARTICLE = (SEED / "original.html").read_bytes()


def fetch_settings(**overrides: object) -> FetchSettings:
    base: dict = {
        "allow_private": ["127.0.0.1", "localhost"],
        "only_allowed": True,
        "host_min_interval": 0.0,
        "total_timeout": 5.0,
        "user_agent": "farmwatch-test/1.0 (+mailto:ops@example.org)",
    }
    return FetchSettings(**{**base, **overrides})


class Recorder:
    """Times and concurrency of the requests a site receives."""

    def __init__(self, site: Site, path: str, body: bytes, hold: float = 0.0) -> None:
        self.starts: list[float] = []
        self.agents: list[str] = []
        self.in_flight = self.max_in_flight = 0
        lock = threading.Lock()

        def route(handler: BaseHTTPRequestHandler) -> None:
            with lock:
                self.starts.append(time.monotonic())
                self.agents.append(handler.headers.get("User-Agent", ""))
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            time.sleep(hold)
            with lock:
                self.in_flight -= 1
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        site.routes[path] = route


def run_parallel(fetchers: list[PoliteFetcher], urls: list[str]) -> list[object]:
    results: list[object] = [None] * len(urls)

    def go(i: int) -> None:
        try:
            results[i] = fetchers[i % len(fetchers)].fetch_page(urls[i]).status
        except FetchError as error:
            results[i] = error.kind

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def polite_pair(redis_server: EmbeddedRedis, settings: FetchSettings) -> list[PoliteFetcher]:
    """Two fetchers with their own Redis connections and HTTP clients: what two worker processes share is Redis."""
    return [PoliteFetcher(connect(redis_server.url), settings, "fw", Fetcher(settings)) for _ in range(2)]


def test_robots_rules_user_agent_and_cache(redis_server: EmbeddedRedis, redis_client: redis.Redis, site: Site) -> None:
    site.page(
        "/robots.txt",
        b"User-agent: *\nDisallow: /\n\nUser-agent: farmwatch\nDisallow: /private\n",
        content_type="text/plain",
    )
    page = Recorder(site, "/public", ARTICLE)
    settings = fetch_settings(robots_ttl=120)
    polite = PoliteFetcher(redis_client, settings)
    assert polite.fetch_page(site.url("/public")).status == 200
    assert page.agents == [settings.user_agent]
    try:
        polite.fetch_page(site.url("/private/x"))
        raise AssertionError("robots.txt disallows /private")
    except FetchError as error:
        assert error.kind == "robots_disallowed" and not error.retryable
    assert "/private/x" not in site.hits
    # Another agent name falls under "User-agent: *", which disallows everything.
    other = PoliteFetcher(redis_client, fetch_settings(robots_agent="otherbot"))
    try:
        other.fetch_page(site.url("/public"))
        raise AssertionError("otherbot is disallowed")
    except FetchError as error:
        assert error.kind == "robots_disallowed"
    # robots.txt was fetched once for all of this, and is cached in Redis with its TTL.
    assert site.hits["/robots.txt"] == 1
    ttl = redis_client.pttl(f"fw:robots:http://127.0.0.1:{site.base.rsplit(':', 1)[1]}")
    assert 100_000 < ttl <= 120_000


def test_robots_unreachable_means_no_fetch(redis_client: redis.Redis, site: Site) -> None:
    site.page("/robots.txt", b"down", status=503, content_type="text/plain")
    site.page("/page", ARTICLE)
    try:
        PoliteFetcher(redis_client, fetch_settings()).fetch_page(site.url("/page"))
        raise AssertionError("a 5xx robots.txt means complete disallow (RFC 9309)")
    except FetchError as error:
        assert error.kind == "robots_unreachable" and error.retryable
    assert "/page" not in site.hits


def test_crawl_delay_holds_across_fetchers(redis_server: EmbeddedRedis, redis_client: redis.Redis, site: Site) -> None:
    site.page("/robots.txt", b"User-agent: farmwatch\nCrawl-delay: 0.3\n", content_type="text/plain")
    page = Recorder(site, "/page", ARTICLE)
    fetchers = polite_pair(redis_server, fetch_settings(host_concurrency=4))
    assert run_parallel(fetchers, [site.url(f"/page?n={i}") for i in range(5)]) == [200] * 5
    starts = sorted(page.starts)
    gaps = [b - a for a, b in pairwise(starts)]
    # 0.3 s apart, whichever fetcher sent them (starts are reserved 0.3 s apart; arrival jitters a little).
    assert starts[-1] - starts[0] > 4 * 0.3 - 0.02 and min(gaps) > 0.15, gaps


def test_host_concurrency_and_rate_hold_across_fetchers(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, site: Site
) -> None:
    slow = Recorder(site, "/slow", ARTICLE, hold=0.25)
    fetchers = polite_pair(redis_server, fetch_settings(host_concurrency=2))
    assert run_parallel(fetchers, [site.url(f"/slow?n={i}") for i in range(6)]) == [200] * 6
    assert slow.max_in_flight == 2  # six requests from two fetchers, never more than two at once
    paced = Recorder(site, "/paced", ARTICLE)
    fetchers = polite_pair(redis_server, fetch_settings(host_min_interval=0.2, host_concurrency=4))
    assert run_parallel(fetchers, [site.url(f"/paced?n={i}") for i in range(4)]) == [200] * 4
    starts = sorted(paced.starts)
    assert starts[-1] - starts[0] > 3 * 0.2 - 0.02 and min(b - a for a, b in pairwise(starts)) > 0.1


def test_busy_host_postpones_without_spending_attempts(redis_client: redis.Redis, site: Site) -> None:
    settings = Settings(fetch=fetch_settings(host_min_interval=5.0, host_max_wait=0.2))
    services = Services.create(redis_client, settings)
    queue = JobQueue(redis_client, "fw", claim_idle_ms=5000)
    site.page("/a", ARTICLE)
    site.page("/b", ARTICLE)
    worker = Worker(services, queue)
    first, _ = queue.submit(site.url("/a"))
    second, _ = queue.submit(site.url("/b"))
    assert worker.run_one(block_ms=500) and worker.run_one(block_ms=500)
    assert queue.status(first)["status"] == "done"
    status = queue.status(second)
    assert status["status"] == "queued" and status["attempts"] == 0 and "host_busy" in status["error"]
    due = redis_client.zscore(queue.delayed, second) - time.time()
    assert 4.0 < due < 5.1  # back when the host's next slot opens


def _flaky(site: Site, path: str, answers: list[tuple[int, dict[str, str]]]) -> list[dict[str, str]]:
    """Answers in turn, then the article with an ETag; returns the headers of each request."""
    seen: list[dict[str, str]] = []

    def route(handler: BaseHTTPRequestHandler) -> None:
        seen.append(dict(handler.headers.items()))
        status, headers = answers.pop(0) if answers else (200, {})
        body = ARTICLE if status == 200 else b""
        if status == 200:
            etag = '"v1"'
            if handler.headers.get("If-None-Match") == etag:
                status, body = 304, b""
            headers = {"ETag": etag, "Last-Modified": "Tue, 14 Nov 2023 10:00:00 GMT", **headers}
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html")
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    site.routes[path] = route
    return seen


def test_429_and_5xx_retry_with_backoff_honouring_retry_after(
    api: httpx.Client, services: Services, redis_client: redis.Redis, site: Site
) -> None:
    queue = JobQueue(redis_client, "fw", claim_idle_ms=5000, max_attempts=3, backoff_base=1.1)
    worker = Worker(services, queue)
    _flaky(site, "/limited", [(429, {"Retry-After": "1"}), (503, {})])
    job = api.post("/v1/pages", json={"url": site.url("/limited")}).json()
    assert worker.run_one(block_ms=500)
    status = queue.status(job["job_id"])
    assert status["status"] == "queued" and "429" in status["error"]
    assert 0.8 < redis_client.zscore(queue.delayed, job["job_id"]) - time.time() <= 1.0  # Retry-After: 1
    assert not worker.run_one(block_ms=100)  # not before its time
    time.sleep(1.0)
    assert worker.run_one(block_ms=500)
    status = queue.status(job["job_id"])
    assert status["status"] == "queued" and "503" in status["error"]
    wait = redis_client.zscore(queue.delayed, job["job_id"]) - time.time()
    assert 1.0 < wait < 1.6  # no Retry-After: backoff 1.1**2 plus jitter
    time.sleep(wait)
    assert worker.run_one(block_ms=1000)
    final = api.get(job["status_url"]).json()
    assert final["status"] == "done" and final["attempts"] == 3


def test_failures_end_in_the_dead_letter_list_seen_through_the_api(
    api: httpx.Client, services: Services, redis_client: redis.Redis, site: Site
) -> None:
    queue = JobQueue(redis_client, "fw", claim_idle_ms=5000, max_attempts=1)
    worker = Worker(services, queue)
    site.page("/robots.txt", b"User-agent: *\nDisallow: /secret\n", content_type="text/plain")
    site.page("/gone", b"", status=410)
    closed = Site()
    refused_url = closed.url("/down")
    closed.close()  # nothing listens there any more: connection refused
    ids = [
        api.post("/v1/pages", json={"url": u}).json()["job_id"]
        for u in (site.url("/secret"), site.url("/gone"), refused_url)
    ]
    for _ in ids:
        assert worker.run_one(block_ms=500)
    listed = api.get("/v1/jobs", params={"status": "failed"})
    assert listed.status_code == 200
    body = listed.json()
    reasons = {j["job_id"]: j["error"] for j in body["items"]}
    assert set(reasons) == set(ids) and body["queue"]["dead"] == 3
    assert reasons[ids[0]].startswith("robots_disallowed")
    assert reasons[ids[1]].startswith("http_status") and "410" in reasons[ids[1]]
    assert reasons[ids[2]].startswith("connection")  # retryable, but its one attempt is spent
    # /v1/jobs/{id} still answers for each (no route shadows another).
    assert api.get(f"/v1/jobs/{ids[0]}").json()["status"] == "failed"
    assert api.get("/v1/jobs", params={"status": "done"}).status_code == 422


def test_conditional_refetch_keeps_the_report(
    api: httpx.Client, services: Services, queue: JobQueue, site: Site
) -> None:
    seen = _flaky(site, "/article", [])
    worker = Worker(services, queue)
    url = site.url("/article")
    first = api.post("/v1/pages", json={"url": url}).json()
    assert worker.run_one(block_ms=500)
    report = api.get("/v1/pages", params={"url": url}).json()
    again = api.post("/v1/pages", json={"url": url}).json()
    assert again["job_id"] != first["job_id"]  # the first is done: resubmitting asks again…
    for _ in range(5):  # the page's cross-site canonical was queued too (discovery); run until ours is done
        if queue.status(again["job_id"])["status"] == "done" or not worker.run_one(block_ms=500):
            break
    assert seen[1].get("If-None-Match") == '"v1"' and seen[1].get("If-Modified-Since")
    status = api.get(again["status_url"]).json()
    assert status["status"] == "done" and status["page_url"] == report["url"], status
    assert api.get("/v1/pages", params={"url": url}).json()["first_seen"] == report["first_seen"]
    assert services.pages.count() == 1  # …and never makes a second page
