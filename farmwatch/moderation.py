"""What moderators read: the review queue's rows, its counts and site groups, and a page beside one of its
sources."""

from __future__ import annotations

from dataclasses import replace

from farmwatch.analysis.urls import normalize_url
from farmwatch.services import Services
from farmwatch.store.paging import Position, zrev_after
from farmwatch.store.review import QueueFilter

GROUP_SCAN = 2000  # the queue's first pages looked at when grouping by site


def _row(doc: dict, score: float, label: dict | None) -> dict:
    prov = doc.get("provenance") or {}
    first = (prov.get("sources") or [None])[0]
    return {
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
        "coverage": first.get("coverage") if first else None,
        "reuse": first.get("reuse") if first else None,
        "credited": prov.get("attributed"),
        "label": (label or {}).get("decision"),
        "reason": (label or {}).get("reason"),
    }


def _empty(doc: dict) -> bool:
    return not (doc.get("main_text") or "").strip() and not doc.get("paragraphs")


def queue_page(
    services: Services,
    flt: QueueFilter,
    limit: int,
    after: Position | None = None,
    offset: int = 0,
    counts: bool = False,
) -> dict:
    """One page of the review queue, each row with its first source and latest label, resumed after the
    keyset position `after` (else from `offset`); with `counts`, how many pages each filter choice would
    show. `next` and `before` are keyset positions for the following and the previous page (see
    ReviewIndex.window)."""
    window = services.review.window(flt, limit, after, offset)
    total = window.total
    ids = [page_id for page_id, _ in window.rows]
    docs = services.pages.docs(ids)
    labels = services.labels.latest(ids)
    items = []
    for page_id, score in window.rows:
        doc = docs.get(page_id)
        if doc is None:
            continue
        if _empty(doc):
            # A page with no main text is no original: nothing in it can be judged. The judge indexes every
            # verdict; the queue drops such pages the first time it meets them.
            services.review.forget(page_id, doc["site"])
            total -= 1
            continue
        items.append(_row(doc, score, labels.get(page_id)))
    out = {
        "total": max(total, len(items)),
        "position": window.position,
        "items": items,
        "next": window.next,
        "previous": window.previous,
        "before": window.before,
    }
    if counts:
        out["counts"] = services.review.counts(flt)
    return out


def site_rows(services: Services, limit: int, after: Position | None = None, offset: int = 0) -> dict:
    """Sites by pages seen, most first: `limit` rows after the keyset position `after` (else from
    `offset`), the number of sites, and the position to resume after (None on the last page)."""
    pages = services.pages
    total = int(pages.client.zcard(pages.keys.sites))
    if after is None and offset:
        position, rows = offset, [(host, float(count)) for host, count in pages.sites(offset, limit)]
    else:
        position, rows = zrev_after(pages.client, pages.keys.sites, limit, after)
    last = (rows[-1][1], rows[-1][0]) if rows and position + len(rows) < total else None
    return {"items": [{"site": host, "pages": int(count)} for host, count in rows], "total": total, "next": last}


def site_groups(services: Services, flt: QueueFilter, limit: int = 100, after: tuple[str, int] | None = None) -> dict:
    """The queue's matching pages grouped by site, sites in the order of their worst page (the queue's
    order), each with how many pages match; looks at the first GROUP_SCAN pages. `limit` groups from the
    first, or after `after` = (the last site shown, how many groups were shown): after that site while it
    still has a group, else after as many groups; `next` is that pair for the following groups."""
    ids = services.review.ids(flt, GROUP_SCAN)
    facts = services.pages.facts(ids)
    groups: dict[str, dict] = {}
    for page_id in ids:
        fact = facts.get(page_id)
        if fact is None:
            continue
        group = groups.setdefault(fact.site, {"site": fact.site, "pages": 0, "first_url": fact.url})
        group["pages"] += 1
    start = 0
    if after is not None:
        site, shown = after
        start = list(groups).index(site) + 1 if site in groups else shown
    chosen = list(groups.values())[start : start + limit]
    total = services.review.total(replace(flt, sort="score"))
    end = start + len(chosen)
    return {
        "total": total,
        "scanned": len(ids),
        "items": chosen,
        "next": (chosen[-1]["site"], end) if chosen and end < len(groups) else None,
    }


def page_view(services: Services, url: str, source: int = 0) -> dict | None:
    """A page's report, one of its ranked sources' report, the source's paragraphs found in the page, what
    each ranked source itself is (an original, or a copy of another page), and the page's labels; None for
    an unknown page."""
    pages = services.pages
    page_id = pages.page_id(normalize_url(url))
    doc = pages.docs([page_id]).get(page_id) if page_id is not None else None
    if page_id is None or doc is None:
        return None
    sources = (doc.get("provenance") or {}).get("sources") or []
    source_doc, source_passages, index = None, [], None
    source_ids = pages.page_ids([normalize_url(s["url"]) for s in sources]) if sources else []
    if sources:
        index = min(source, len(sources) - 1)
        source_id = source_ids[index]
        if source_id is not None:
            source_doc = pages.docs([source_id]).get(source_id)
            # The edge stored on the source's side already lists its paragraphs found in this page.
            for edge in pages.edges(source_id):
                if edge.other == page_id:
                    source_passages = edge.passages
                    break
    known = [i for i in source_ids if i is not None]
    provenances = pages.provenances(known) if known else {}
    statuses = []
    for s, source_id in zip(sources, source_ids, strict=True):
        prov = provenances.get(source_id) if source_id is not None else None
        first = ((prov or {}).get("sources") or [None])[0]
        statuses.append(
            {
                "url": s["url"],
                "verdict": (prov or {}).get("verdict"),
                "original_url": first["url"] if first and prov.get("verdict") == "republished" else None,
                "original_site": first["site"] if first and prov.get("verdict") == "republished" else None,
            }
        )
    return {
        "page": doc,
        "source": source_doc,
        "source_index": index,
        "source_passages": source_passages,
        "sources_status": statuses,
        "labels": services.labels.for_page(page_id),
    }
