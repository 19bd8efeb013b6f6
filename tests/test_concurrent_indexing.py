"""Many worker processes indexing at once, the same pages included, leave exactly one entry per page."""

from __future__ import annotations

import json
import multiprocessing

import redis

from farmwatch.analysis.urls import normalize_url
from farmwatch.config import Settings
from farmwatch.ingest import submit_html
from farmwatch.services import Services
from farmwatch.store.connection import connect
from farmwatch.store.embedded import EmbeddedRedis
from tests.conftest import CORPORA

PROVENANCE = CORPORA / "provenance-dev"
PROCESSES = 4


def _pages(count: int) -> list[dict]:
    lines = (PROVENANCE / "pages.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[:count]]


def _index_all(url: str, pages: list[dict], order: int, start: multiprocessing.synchronize.Barrier) -> None:
    """One worker process: its own connection, every page, in its own order."""
    services = Services.create(connect(url), Settings())
    ordered = pages if order % 2 == 0 else list(reversed(pages))
    start.wait(timeout=30)
    for page in ordered:
        submit_html(services, page["url"], (PROVENANCE / page["html_file"]).read_bytes())


def test_processes_indexing_the_same_pages_leave_one_entry_each(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    pages = _pages(24)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    workers = [context.Process(target=_index_all, args=(redis_server.url, pages, n, start)) for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    services = Services.create(redis_client, Settings())
    urls = {normalize_url(p["url"]) for p in pages}
    ids = services.pages.page_ids(sorted(urls))
    # One id per page, every id distinct, and nothing else created.
    assert None not in ids and len(set(ids)) == len(urls) == services.pages.count()
    indexed = 0
    for page_id in ids:
        buckets = services.pages.buckets(page_id)
        if not buckets:
            continue  # too little text to be matched
        indexed += 1
        for members in services.index.members(buckets):
            assert members.count(page_id) == 1
            assert len(members) == len(set(members))  # no bucket holds any page twice
    assert indexed >= len(urls) - 2
    # Each site's page set counts each page once.
    for site in {p["site"] for p in pages}:
        assert services.pages.site_size(site) == sum(1 for p in pages if p["site"] == site)
