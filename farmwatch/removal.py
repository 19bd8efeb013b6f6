"""Removing a page: from the store, the LSH index, the review queue and its site, then re-judging the pages
that were matched with it (a copy whose only source is deleted becomes an original again; a page that was
judged the source of a deleted copy loses that copy)."""

from __future__ import annotations

from farmwatch.analysis.urls import normalize_url
from farmwatch.judging import rejudge
from farmwatch.services import Services


def delete_page(services: Services, url: str) -> dict | None:
    """Delete the page stored under url; returns what was removed, or None when no page has that URL."""
    pages = services.pages
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
    was_republished = bool(provenance and provenance.get("verdict") == "republished")
    pages.remove_page(page_id, {normalized, facts.url if facts else normalized}, facts, was_republished)
    if facts is not None:
        services.review.forget(page_id, facts.site)
    rejudge(services, neighbours)
    return {"url": facts.url if facts else normalized, "deleted": True, "rejudged": len(neighbours)}
