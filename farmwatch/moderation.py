"""What moderators read: the review queue's rows and a page beside one of its sources."""

from __future__ import annotations

from farmwatch.analysis.urls import normalize_url
from farmwatch.services import Services
from farmwatch.store.review import QueueFilter


def queue_page(services: Services, flt: QueueFilter, offset: int, limit: int) -> dict:
    """One page of the review queue, each row with its first source and latest label."""
    total, rows = services.review.query(flt, offset, limit)
    ids = [page_id for page_id, _ in rows]
    docs = services.pages.docs(ids)
    labels = services.labels.latest(ids)
    items = []
    for page_id, score in rows:
        doc = docs.get(page_id)
        if doc is None:
            continue
        prov = doc.get("provenance") or {}
        first = (prov.get("sources") or [None])[0]
        items.append(
            {
                "url": doc["url"],
                "site": doc["site"],
                "title": doc.get("title"),
                "verdict": prov.get("verdict"),
                "score": score,
                "published_at": doc.get("published_at"),
                "first_seen": doc["first_seen"],
                "source_url": first["url"] if first else None,
                "source_site": first["site"] if first else None,
                "containment": first["containment"] if first else None,
                "credited": prov.get("attributed"),
                "label": (labels.get(page_id) or {}).get("decision"),
            }
        )
    return {"total": total, "offset": offset, "limit": limit, "items": items}


def page_view(services: Services, url: str, source: int = 0) -> dict | None:
    """A page's report, one of its ranked sources' report, the source's paragraphs found in the page, and
    the page's labels; None for an unknown page."""
    pages = services.pages
    page_id = pages.page_id(normalize_url(url))
    doc = pages.docs([page_id]).get(page_id) if page_id is not None else None
    if page_id is None or doc is None:
        return None
    sources = (doc.get("provenance") or {}).get("sources") or []
    source_doc, source_passages, index = None, [], None
    if sources:
        index = min(source, len(sources) - 1)
        source_id = pages.page_id(normalize_url(sources[index]["url"]))
        if source_id is not None:
            source_doc = pages.docs([source_id]).get(source_id)
            # The edge stored on the source's side already lists its paragraphs found in this page.
            for edge in pages.edges(source_id):
                if edge.other == page_id:
                    source_passages = edge.passages
                    break
    return {
        "page": doc,
        "source": source_doc,
        "source_index": index,
        "source_passages": source_passages,
        "labels": services.labels.for_page(page_id),
    }
