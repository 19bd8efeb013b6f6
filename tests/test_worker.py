"""A URL submitted without HTML is fetched by a worker over real HTTP from a local site."""

from __future__ import annotations

import threading
import time

import httpx

from farmwatch.services import Services
from farmwatch.store.jobs import JobQueue
from tests.conftest import SEED, Site, seed_case
from workers.worker import Worker

CASE = seed_case()


def _wait_done(api: httpx.Client, status_url: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = api.get(status_url).json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_worker_fetches_and_reports(api: httpx.Client, services: Services, queue: JobQueue, site: Site) -> None:
    site.page("/original", (SEED / "original.html").read_bytes())
    site.page("/repost", (SEED / "repost.html").read_bytes())
    site.page("/moved", b"", status=301, headers={"Location": "/repost"})
    stop = threading.Event()
    worker = Worker(services, queue)
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        first = api.post("/v1/pages", json={"url": site.url("/original")}).json()
        assert _wait_done(api, first["status_url"])["status"] == "done"
        # Served under another host name, so the repost is on another site than the original.
        second = api.post("/v1/pages", json={"url": site.url("/moved", host="localhost")}).json()
        status = _wait_done(api, second["status_url"])
        assert status["status"] == "done", status
    finally:
        stop.set()
        thread.join(timeout=10)
    report = api.get("/v1/pages", params={"url": site.url("/moved", host="localhost")}).json()
    assert report["url"] == site.url("/repost", host="localhost")
    assert report["origin"] == "fetched"
    # The repost's source link names the real Epoch Times URL; the local copy is matched by text.
    assert report["provenance"]["verdict"] == "republished"
    assert report["provenance"]["sources"][0]["url"] == site.url("/original")


def test_failed_fetch_is_reported(api: httpx.Client, services: Services, queue: JobQueue, site: Site) -> None:
    site.page("/pdf", b"%PDF-1.4 not html", content_type="application/pdf")
    worker = Worker(services, queue)
    job = api.post("/v1/pages", json={"url": site.url("/pdf")}).json()
    assert worker.run_one(block_ms=1000)
    status = api.get(job["status_url"]).json()
    assert status["status"] == "failed"
    assert "not an HTML page" in status["error"]
