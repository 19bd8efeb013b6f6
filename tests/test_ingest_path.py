"""The one-page-at-a-time path as a client meets it: a page's first verdict goes out with its record and is
replaced when matching finds more, and pages keep flowing when the server forgets its scripts."""

from __future__ import annotations

import httpx
import pytest
import redis

from farmwatch.analysis.urls import normalize_url
from tests.conftest import SEED, seed_case

CASE = seed_case()
ORIGINAL, REPOST = CASE["original"], CASE["repost"]
ORIGINAL_URL, REPOST_URL = normalize_url(ORIGINAL["url"]), normalize_url(REPOST["url"])


def _submit(api: httpx.Client, page: dict) -> dict:
    response = api.post("/v1/pages", json={"url": page["url"], "html": (SEED / page["html_file"]).read_text()})
    assert response.status_code == 200, response.text
    return response.json()


def _queue(api: httpx.Client, **params: object) -> list[str]:
    response = api.get("/v1/review/queue", params=params)
    assert response.status_code == 200, response.text
    return [item["url"] for item in response.json()["items"]]


@pytest.mark.parametrize("order", ["original_first", "repost_first", "repost_again"])
def test_each_page_is_in_the_queue_once_under_its_current_verdict(api: httpx.Client, order: str) -> None:
    pages = {"original_first": [ORIGINAL, REPOST], "repost_first": [REPOST, ORIGINAL]}.get(
        order, [ORIGINAL, REPOST, REPOST]
    )
    for page in pages:
        _submit(api, page)
    assert _queue(api, verdict="republished") == [REPOST_URL]
    assert _queue(api, verdict="original") == [ORIGINAL_URL]
    assert _queue(api, credited=True) == [REPOST_URL]
    farm = api.get(f"/v1/sites/{REPOST['site']}").json()
    assert farm["pages_seen"] == 1 and farm["share_republished"] == 1.0


def test_a_page_that_shares_no_text_is_reported_at_once(api: httpx.Client) -> None:
    report = _submit(api, ORIGINAL)
    assert report["provenance"]["verdict"] == "original" and report["provenance"]["sources"] == []
    assert _queue(api) == [ORIGINAL_URL]
    again = api.get("/v1/pages", params={"url": ORIGINAL["url"]}).json()
    assert again["provenance"] == report["provenance"]


def test_pages_keep_flowing_after_the_server_forgets_its_scripts(api: httpx.Client, redis_client: redis.Redis) -> None:
    _submit(api, ORIGINAL)
    redis_client.script_flush()  # what a restarted server without persistence of scripts looks like
    report = _submit(api, REPOST)
    assert report["provenance"]["verdict"] == "republished"
    assert report["provenance"]["sources"][0]["url"] == ORIGINAL_URL
    redis_client.script_flush()
    assert _submit(api, REPOST)["provenance"]["verdict"] == "republished"  # stored before: read back, judged again
