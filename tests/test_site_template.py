"""Text a site repeats on every page is learnt as that site's template."""

from __future__ import annotations

import random

import httpx
import redis

from farmwatch.store.layout import KeyLayout
from farmwatch.store.pages import LISTPACK_TEXTS, TABLE_MARKER

# Nothing in the words themselves says template (no "subscribe", "share", "about the author"): only the repetition does.
PROMO = (
    "Daily Example Hub brings together writers from twelve countries who share one goal in everything "
    "they publish here, week after week, on every topic that matters to our readers."
)


def article_html(seed: int) -> str:
    rng = random.Random(seed)
    words = [f"word{rng.randrange(4000)}" for _ in range(600)]
    paragraphs = "".join(f"<p>{' '.join(words[i : i + 60])}.</p>" for i in range(0, 600, 60))
    # The promo sits inside the article body, where a single-page extractor takes it for article text.
    return (
        f"<html><head><title>Story {seed}</title></head><body><article><h1>Story {seed}</h1>"
        f"{paragraphs}<p>{PROMO}</p></article></body></html>"
    )


def test_repeated_promo_becomes_site_template(api: httpx.Client) -> None:
    reports = []
    for seed in range(5):
        response = api.post(
            "/v1/pages", json={"url": f"https://dailyexample.net/story-{seed}", "html": article_html(seed)}
        )
        assert response.status_code == 200
        reports.append(response.json())
    assert PROMO in reports[0]["main_text"]  # the first pages cannot know yet
    last = reports[-1]
    assert PROMO not in last["main_text"]
    assert {"kind": "site_template", "text": PROMO} in last["boilerplate"]["blocks"]
    # Articles of one site never match each other through their shared template.
    assert last["provenance"]["verdict"] == "original"


def lettered_html(seed: int) -> str:
    """An article whose paragraphs differ in their letters (block texts are counted with digits as one)."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(600)]
    paragraphs = "".join(f"<p>{' '.join(words[i : i + 60])}.</p>" for i in range(0, 600, 60))
    return f"<html><body><article><h1>Story</h1>{paragraphs}<p>{PROMO}</p></article></body></html>"


def test_a_big_sites_template_counts_stay_right_and_are_a_hash_table(
    api: httpx.Client, redis_client: redis.Redis
) -> None:
    """A site with hundreds of block texts: the promo is still learnt, and its counts are kept in a hash table
    (a listpack, which a server tuned for the LSH index keeps up to 1,024 fields, is scanned once per text
    counted or looked up on every page)."""
    for seed in range(16):  # 11 block texts a page: past the listpack's 128
        response = api.post(
            "/v1/pages", json={"url": f"https://bigexample.net/story-{seed}", "html": lettered_html(seed)}
        )
        assert response.status_code == 200
    last = response.json()
    assert {"kind": "site_template", "text": PROMO} in last["boilerplate"]["blocks"]
    key = KeyLayout().site_template("bigexample.net")
    assert redis_client.object("encoding", key) == b"hashtable"
    counts = redis_client.hgetall(key)
    assert len(counts) > LISTPACK_TEXTS
    marker = counts.pop(b"")
    assert len(marker) == TABLE_MARKER
    assert max(int(v) for v in counts.values()) == 16  # the promo, on every page
