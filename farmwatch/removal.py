"""Removing a page: from the store, the LSH index, the review queue and its site, then re-judging the pages
that were matched with it (a copy whose only source is deleted becomes an original again; a page that was
judged the source of a deleted copy loses that copy)."""

from __future__ import annotations

from farmwatch.analysis.urls import normalize_url
from farmwatch.pipeline import Services, rejudge
from farmwatch.store.review import ReviewIndex


def delete_page(services: Services, url: str) -> dict | None:
    """Delete the page stored under url; returns what was removed, or None when no page has that URL."""
    pages, client, prefix = services.pages, services.client, services.settings.key_prefix
    normalized = normalize_url(url)
    page_id = pages.page_id(normalized)
    if page_id is None:
        return None
    facts = pages.facts([page_id]).get(page_id)
    buckets = pages.buckets(page_id)
    neighbours = pages.drop_edges(page_id)
    if buckets:
        services.index.remove(page_id, buckets)
    provenance = pages.provenances([page_id]).get(page_id)
    pipe = client.pipeline(transaction=False)
    pipe.delete(f"{prefix}:page:{page_id}")
    for key_url in {normalized, facts.url if facts else normalized}:
        pipe.hdel(pages._url2id, key_url)
    if facts is not None:
        pipe.zrem(f"{prefix}:site:{facts.site}", str(page_id))
        if provenance and provenance.get("verdict") == "republished":
            pipe.hincrby(f"{prefix}:sitestats:{facts.site}", "republished", -1)
    pipe.execute()
    if facts is not None:
        remaining = pages.site_size(facts.site)
        if remaining:
            client.zadd(f"{prefix}:sites", {facts.site: remaining})
        else:
            client.zrem(f"{prefix}:sites", facts.site)
        ReviewIndex(client, prefix).forget(page_id, facts.site)
    rejudge(services, neighbours)
    return {"url": facts.url if facts else normalized, "deleted": True, "rejudged": len(neighbours)}
