"""A site's block texts are counted as seen once more on each page stored, a text the page has twice twice."""

from __future__ import annotations

import numpy as np
import redis

from farmwatch.analysis.facts import PageFacts
from farmwatch.store.layout import KeyLayout
from farmwatch.store.pages import PageStore


def _save(store: PageStore, page_id: int, template_keys: list[int]) -> None:
    facts = PageFacts(id=page_id, url=f"https://example.org/{page_id}", site="example.org", origin="fetched")
    store.save_page(
        facts, {}, np.zeros(8, dtype=np.uint32).tobytes(), 0, None, [], new=True, template_keys=template_keys
    )


def test_counts_are_stored_as_decimal_strings_and_read_back(redis_client: redis.Redis) -> None:
    store = PageStore(redis_client)
    _save(store, 1, [5, 5, 7])
    _save(store, 2, [5, 9, 9, 9])
    for page_id in range(3, 13):
        _save(store, page_id, [7])
    stored = redis_client.hgetall(KeyLayout().site_template("example.org"))
    assert stored == {b"5": b"3", b"7": b"11", b"9": b"3"}
    _, state = store.open_page("https://example.org/new", "example.org", [5, 7, 9, 11], [])
    assert state.template_counts == {5: 3, 7: 11, 9: 3}
