"""The case that started the project, through the real API, in both arrival orders."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import SEED, seed_case

CASE = seed_case()
ORIGINAL, REPOST = CASE["original"], CASE["repost"]


def _submit(api: httpx.Client, page: dict) -> dict:
    response = api.post("/v1/pages", json={"url": page["url"], "html": (SEED / page["html_file"]).read_text()})
    assert response.status_code == 200, response.text
    return response.json()


def _report(api: httpx.Client, url: str) -> dict:
    response = api.get("/v1/pages", params={"url": url})
    assert response.status_code == 200, response.text
    return response.json()


def _check_repost(report: dict) -> None:
    expected = REPOST["expected"]
    provenance = report["provenance"]
    assert provenance["verdict"] == "republished"
    assert provenance["sources"][0]["url"] == expected["source_url"]
    assert provenance["sources"][0]["containment"] > 0.9
    assert provenance["attributed"] is True
    assert {c["name"] for c in provenance["credits"]} >= set(expected["credited_sources"])
    assert expected["source_link"] in provenance["source_links"]
    boilerplate = " ".join(b["text"] for b in report["boilerplate"]["blocks"])
    for text in expected["boilerplate_must_include"]:
        assert text in boilerplate, text
        assert text not in report["main_text"], text
    for text in expected["main_text_must_include"]:
        assert text in report["main_text"], text
    kinds = {b["kind"] for b in report["boilerplate"]["blocks"]}
    assert {"author_bio", "comments", "navigation"} <= kinds
    assert 0 < report["boilerplate"]["score"] < 1
    # Every verdict comes with its evidence.
    assert provenance["sources"][0]["evidence"]
    assert any(e["kind"] == "source_link" for e in provenance["sources"][0]["evidence"])


@pytest.mark.parametrize("order", ["original_first", "repost_first"])
def test_seed_case_in_both_orders(api: httpx.Client, order: str) -> None:
    pages = [ORIGINAL, REPOST] if order == "original_first" else [REPOST, ORIGINAL]
    for page in pages:
        _submit(api, page)
    _check_repost(_report(api, REPOST["url"]))
    original = _report(api, ORIGINAL["url"])
    assert original["provenance"]["verdict"] == "original"
    assert original["provenance"]["copies"][0]["url"] == REPOST["expected"]["source_url"].replace(
        ORIGINAL["url"], REPOST["url"].rstrip("/")
    )


def test_repost_alone_is_not_yet_republished_then_changes(api: httpx.Client) -> None:
    first = _submit(api, REPOST)
    assert first["provenance"]["verdict"] == "original"  # nothing to match yet
    assert first["provenance"]["source_links"] == [REPOST["expected"]["source_link"]]
    _submit(api, ORIGINAL)
    assert _report(api, REPOST["url"])["provenance"]["verdict"] == "republished"


def test_site_aggregate_names_the_farm(api: httpx.Client) -> None:
    for page in (ORIGINAL, REPOST):
        _submit(api, page)
    farm = api.get("/v1/sites/truthusanewshub.com").json()
    assert farm["pages_seen"] == 1
    assert farm["share_republished"] == 1.0
    assert farm["share_credited"] == 1.0
    assert farm["reasons"]
    source = api.get("/v1/sites/www.theepochtimes.com").json()
    assert source["share_republished"] == 0.0
    assert source["farm_score"] < farm["farm_score"]
    assert api.get("/v1/sites/unknown.example").status_code == 404


def test_report_title_is_the_headline_without_the_site_name(api: httpx.Client) -> None:
    report = _submit(api, REPOST)
    assert report["title"] == "Armenia-Azerbaijan Border Clashes Raise Concerns for Fragile Peace Talks"
