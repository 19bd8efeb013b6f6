"""Read-side reports: a page's report by URL, a site's summary, the browser extension's look-up."""

from __future__ import annotations

import asyncio
import random

from farmwatch.analysis.urls import host_of, normalize_url
from farmwatch.report import PageReport
from farmwatch.services import Services
from farmwatch.sites import site_summary
from farmwatch.store.lookups import LookupReader, LookupRow

FARM_SCORE_TTL_S = 300  # a site's farm score reads up to 2,000 reports: look-ups share it for a while
# Each cached score lives FARM_SCORE_TTL_S plus up to a fifth more, at random: scores computed together (the
# first look-ups after a start) do not all expire in the same second and get computed again all at once.
FARM_SCORE_TTL_SPREAD_S = FARM_SCORE_TTL_S // 5


def page_report(services: Services, url: str) -> PageReport | None:
    return page_reports(services, [url])[0]


def page_reports(services: Services, urls: list[str]) -> list[PageReport | None]:
    """The report of each URL (None when unknown), in two round trips whatever their number."""
    ids = services.pages.page_ids([normalize_url(url) for url in urls])
    docs = services.pages.docs(sorted({page_id for page_id in ids if page_id is not None}))
    reports = {page_id: PageReport.model_validate(doc) for page_id, doc in docs.items()}
    return [reports.get(page_id) if page_id is not None else None for page_id in ids]


def site_report(services: Services, host: str, sample: int = 2000) -> dict | None:

    host = host_of(f"http://{host}") or host.lower()
    total = services.pages.site_size(host)
    if not total:
        return None
    ids = services.pages.site_page_ids(host, limit=sample)
    reports = list(services.pages.docs(ids).values())
    return site_summary(host, reports, total)


def farm_score(services: Services, host: str) -> float | None:
    cached, score = services.pages.cached_farm_score(host)
    if cached:
        return score
    report = site_report(services, host)
    score = report["farm_score"] if report else None
    services.pages.cache_farm_score(host, score, FARM_SCORE_TTL_S + random.randrange(FARM_SCORE_TTL_SPREAD_S + 1))
    return score


def lookup(services: Services, url: str) -> dict:
    """What is known about a URL, from Redis only: verdict, first source, site farm score, latest label."""
    pages = services.pages
    page_id = pages.page_id(normalize_url(url))
    if page_id is None:
        return unknown_lookup(url)
    facts = pages.facts([page_id]).get(page_id)
    if facts is None:
        return unknown_lookup(url)
    prov = pages.provenances([page_id]).get(page_id) or {}
    label = services.labels.latest([page_id]).get(page_id)
    return _lookup_body(facts.url, facts.site, prov, label, farm_score(services, facts.site))


async def lookup_async(services: Services, reader: LookupReader, url: str) -> dict:
    """`lookup` in one Redis round trip on an asyncio client (a cold farm score is computed in a thread)."""
    return await lookup_of_row(services, await reader.read(normalize_url(url)), url)


async def lookup_of_row(services: Services, row: LookupRow | None, url: str) -> dict:
    """`lookup`'s answer from the reads of `LookupReader` (made alone, or inside the API's key check)."""
    if row is None:
        return unknown_lookup(url)
    score = row.farm_score
    if not row.farm_cached:
        score = await _shared_farm_score(services, row.site)
    return _lookup_body(row.url, row.site, row.provenance, row.label, score)


# (event loop, services, site) -> the farm score being computed for look-ups on that loop
_farm_scores_computing: dict[tuple[asyncio.AbstractEventLoop, int, str], asyncio.Future] = {}


async def _shared_farm_score(services: Services, site: str) -> float | None:
    """`farm_score` in a thread, computed once for all the look-ups that wait for the same site's score at once
    (a popular site's score going cold used to be computed by every concurrent look-up of it)."""
    key = (asyncio.get_running_loop(), id(services), site)
    computing = _farm_scores_computing.get(key)
    if computing is None:
        computing = asyncio.ensure_future(asyncio.to_thread(farm_score, services, site))
        _farm_scores_computing[key] = computing
        computing.add_done_callback(lambda _: _farm_scores_computing.pop(key, None))
    return await asyncio.shield(computing)  # one look-up cancelled does not cancel the others' score


def unknown_lookup(url: str) -> dict:
    return {"url": url, "known": False, "queued": False}


def _lookup_body(url: str, site: str, prov: dict, label: dict | None, score: float | None) -> dict:
    first = (prov.get("sources") or [None])[0]
    return {
        "url": url,
        "known": True,
        "verdict": prov.get("verdict"),
        "score": prov.get("score"),
        "credited": prov.get("attributed"),
        "source": {"url": first["url"], "site": first["site"]} if first else None,
        "site": {"host": site, "farm_score": score},
        "label": label["decision"] if label else None,
    }
