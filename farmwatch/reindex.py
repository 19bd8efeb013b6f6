"""Keeping the LSH index readable: the layout check every process makes, and `farmwatch reindex`.

The index is derived data: every page record keeps what it takes to index the page again (its signature,
from which the band buckets follow, and its sample buckets). So a change of index layout (a new version of
farmwatch, or other FARMWATCH_INDEX__* settings) never needs the pages fetched again: `farmwatch reindex`
deletes the index and rebuilds it from the records, in pipelined batches.
"""

from __future__ import annotations

from collections.abc import Callable

from farmwatch.analysis.text import candidate_keys, prepare
from farmwatch.analysis.urls import normalize_url
from farmwatch.errors import IndexLayoutError
from farmwatch.store.lsh import LshIndex
from farmwatch.store.pages import PageStore

__all__ = ["IndexLayoutError", "check_layout", "migrate_urls", "reindex"]


def check_layout(index: LshIndex, pages: PageStore) -> None:
    """Refuse to work on an index built under another layout (its look-ups would miss every page).

    A store without pages gets this layout's marker; a store with pages and no marker was indexed by an
    older farmwatch."""
    stored = index.stored_layout()
    if stored == index.layout:
        return
    if stored is None and pages.count() == 0:
        index.mark_layout()
        return
    raise IndexLayoutError(
        f"the LSH index in Redis has layout {stored or 'of an older farmwatch'!r}, this process expects "
        f"{index.layout!r}: stop the service and run `farmwatch reindex` (it rebuilds the index from the "
        "stored pages), or set FARMWATCH_INDEX__* to the values the index was built with"
    )


def reindex(
    index: LshIndex, pages: PageStore, batch: int = 500, on_progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Delete the index and rebuild it from the page records; returns pages seen, indexed and entries.

    A page whose main text is stored gets its reuse keys computed again from it (so a store indexed by an
    older farmwatch gains keys that survive editing); a page stored without text keeps the buckets its
    record holds. Run it with no writers: a page indexed while it runs may be deleted again by the clear."""
    deleted = index.clear()
    index.mark_layout()
    last = pages.last_page_id()
    seen = indexed = entries = 0
    for start in range(1, last + 1, batch):
        ids = list(range(start, min(start + batch, last + 1)))
        indexable = [page_id for page_id, buckets in pages.buckets_many(ids).items() if buckets]
        _refresh_reuse_keys(pages, indexable)  # pages too short to match stay out of the index
        rows = [(page_id, buckets) for page_id, buckets in pages.buckets_many(indexable).items() if buckets]
        entries += index.insert_many(rows) if rows else 0
        seen, indexed = seen + len(ids), indexed + len(rows)
        if on_progress is not None:
            on_progress(seen, last)
    return {"keys_deleted": deleted, "pages_indexed": indexed, "entries": entries, "urls_migrated": migrate_urls(pages)}


def _refresh_reuse_keys(pages: PageStore, ids: list[int]) -> None:
    if not ids:
        return
    texts = pages.texts_and_facts(ids)
    keys = {
        page_id: [int(k) for k in candidate_keys(prepare(text))]
        for page_id, (text, _) in texts.items()
        if text is not None
    }
    if keys:
        pages.replace_sample_buckets(keys)


def migrate_urls(pages: PageStore, batch: int = 500) -> int:
    """Make every stored URL key findable under today's `normalize_url` (a store written before it used w3lib's
    canonicaliser holds `http://bücher.de/…`, `…%2f…`, `/./a/../b`, or `http://x/` for `http://x:443/`).

    Each key whose normal form changed gets that form as an alias of the same page; the old key stays (the
    page's record still names it, and deleting the page removes both). Where two old keys now meet, the first
    page keeps the new key. Safe to run again: returns the aliases added this time."""
    added = 0
    rows: list[tuple[str, int]] = []
    for url, page_id in pages.url_map(batch):
        normal = normalize_url(url)
        if normal != url:
            rows.append((normal, page_id))
        if len(rows) >= batch:
            added, rows = added + pages.add_aliases(rows), []
    return added + pages.add_aliases(rows)
