"""Checking a page without indexing it: the report a submission would get, and the store left exactly as
it was (index, pages, sites' statistics, review queue)."""

from __future__ import annotations

import redis

from farmwatch.analysis.page import analyze_html
from farmwatch.checking import check
from farmwatch.config import Settings
from farmwatch.ingest import submit_html
from farmwatch.services import Services
from tests.test_reuse_provenance import COPY_URL, ORIGINAL, ORIGINAL_URL, REWORDED, html


def snapshot(client: redis.Redis) -> dict[bytes, bytes]:
    return {key: client.dump(key) for key in client.scan_iter(count=1000)}


def test_a_checked_copy_gets_its_sources_and_spans_and_nothing_is_stored(redis_client: redis.Redis) -> None:
    settings = Settings()
    services = Services.create(redis_client, settings)
    submit_html(services, ORIGINAL_URL, html("Bridge", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette"))
    before = snapshot(redis_client)

    page = html("Bridge closure", REWORDED, "2025-03-04T15:30:00+00:00", "digest")
    report = check(services, analyze_html(page, COPY_URL, settings=settings.fingerprint))

    assert report.provenance is not None and report.provenance.verdict == "republished"
    source = report.provenance.sources[0]
    assert source.url == ORIGINAL_URL and source.reuse is not None and source.spans
    assert snapshot(redis_client) == before
    assert services.pages.page_id(COPY_URL) is None


def test_checking_a_stored_page_does_not_make_it_its_own_source(redis_client: redis.Redis) -> None:
    settings = Settings()
    services = Services.create(redis_client, settings)
    page = html("Bridge", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette")
    submit_html(services, ORIGINAL_URL, page)
    report = check(services, analyze_html(page, ORIGINAL_URL, settings=settings.fingerprint))
    assert report.provenance is not None and report.provenance.verdict == "original"
