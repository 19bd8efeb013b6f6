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


def test_a_copy_finds_its_source_prepared_already_and_the_same_as_prepared_again(services, monkeypatch) -> None:
    """The page ingested first is kept prepared (ingest._PreparedTexts): its copy's match reads it from there,
    and what it reads is what preparing the stored text again gives."""
    import numpy as np

    from farmwatch import ingest as ingest_module
    from farmwatch.analysis.fingerprint import prepared_paragraph_shingles, prepared_shingle_hashes
    from farmwatch.analysis.page import analyze_html
    from farmwatch.analysis.text import prepare

    monkeypatch.setattr(ingest_module, "_PREPARED_TEXTS", ingest_module._PreparedTexts(8))
    n = services.settings.fingerprint.shingle_words
    pages = [analyze_html((SEED / p["html_file"]).read_bytes(), p["url"]) for p in (ORIGINAL, REPOST)]
    ingest_module.ingest(services, pages[0])
    prepared_again = []
    monkeypatch.setattr(ingest_module, "prepare", lambda text: prepared_again.append(text) or prepare(text))
    done = ingest_module.ingest(services, pages[1])
    assert done.provenance is not None and done.provenance.verdict == "republished"
    assert prepared_again == []  # the source's text was not prepared again
    shingles, kept, paragraphs = ingest_module.stored_text_features(pages[0].main_text, n)
    assert kept is pages[0].prepared
    fresh = prepare(pages[0].main_text)
    for name in ("sent_starts", "sent_ends", "tok_starts", "tok_ends", "tok_sent", "tok_hash", "tok_stem"):
        assert np.array_equal(getattr(kept, name), getattr(fresh, name))
    assert np.array_equal(shingles, prepared_shingle_hashes(fresh, n))
    assert all(np.array_equal(a, b) for a, b in zip(paragraphs, prepared_paragraph_shingles(fresh, n), strict=True))


def test_prepared_texts_drop_the_least_recently_used() -> None:
    from farmwatch.analysis.text import prepare
    from farmwatch.ingest import _PreparedTexts

    texts = _PreparedTexts(2)
    first, second = prepare("One text here, with words."), prepare("Another text, other words.")
    texts.remember(first)
    texts.remember(second)
    assert texts.features(first.text, 5)[1] is first  # used: second is now the oldest
    texts.remember(prepare("A third text arrives."))
    assert texts.features(first.text, 5)[1] is first
    assert texts.features(second.text, 5)[1] is not second  # dropped, prepared anew


def _count_round_trips(monkeypatch) -> list[str]:
    """Every round trip to Redis from here until monkeypatch.undo(): "pipeline" or the lone command's name."""
    trips: list[str] = []
    execute, command = redis.client.Pipeline.execute, redis.Redis.execute_command

    def counted(pipe: redis.client.Pipeline, *args: object, **kwargs: object) -> list:
        if pipe.command_stack:
            trips.append("pipeline")
        return execute(pipe, *args, **kwargs)

    def one(client: redis.Redis, *args: object, **kwargs: object) -> object:
        trips.append(str(args[0]))
        return command(client, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counted)
    monkeypatch.setattr(redis.Redis, "execute_command", one)
    return trips


def test_a_copy_is_stored_matched_and_judged_with_its_source_in_six_round_trips_as_each_judged_alone(
    services, monkeypatch
) -> None:
    """A copy of a stored page takes six round trips: its id and state, its record (alone, then with its
    first verdict and its index insert and look-up), the candidates' signatures and texts; then judging it
    and its source again: the edges go with the copy's neighbourhood and its sites' records (the source read
    once, for both judgements), then both verdicts (judging the source reads nothing: its one neighbour is
    the copy, in hand with its verdict just written, and their sites' records are known with the run's
    changes). And the verdicts are those that judging each page alone, reading everything afresh, gives."""
    from farmwatch import ingest as ingest_module
    from farmwatch import judging
    from farmwatch.analysis.page import analyze_html

    pages = [analyze_html((SEED / p["html_file"]).read_bytes(), p["url"]) for p in (ORIGINAL, REPOST)]
    ingest_module.ingest(services, pages[0])
    trips = _count_round_trips(monkeypatch)
    done = ingest_module.ingest(services, pages[1])
    monkeypatch.undo()
    assert done.provenance is not None and done.provenance.verdict == "republished"
    assert len(trips) == 6, trips
    ids = [services.pages.page_id(normalize_url(p.url)) for p in pages]
    stored = services.pages.provenances(ids)
    for page_id in ids:
        alone = judging.judge(services, page_id)
        assert alone is not None and alone.provenance.model_dump() == stored[page_id]


def test_a_page_ingested_again_has_its_old_edges_and_buckets_out_with_its_record(services, monkeypatch) -> None:
    """A copy ingested again takes seven round trips: its id, then its own state; its record (alone, then
    with its old edges and index buckets taken out and its new ones in, looked up in the same call); the
    candidates; judging's two. And it is stored as after one ingest: one edge each way, once in each bucket."""
    from farmwatch import ingest as ingest_module
    from farmwatch.analysis.page import analyze_html

    original, copy = (analyze_html((SEED / p["html_file"]).read_bytes(), p["url"]) for p in (ORIGINAL, REPOST))
    ingest_module.ingest(services, original)
    first = ingest_module.ingest(services, copy)
    before = services.pages.raw_records([first.page_id])[0][1]  # the copy's edges
    trips = _count_round_trips(monkeypatch)
    again = ingest_module.ingest(services, analyze_html((SEED / REPOST["html_file"]).read_bytes(), REPOST["url"]))
    monkeypatch.undo()
    assert again.page_id == first.page_id and again.provenance == first.provenance
    assert len(trips) == 7, trips
    assert services.pages.raw_records([first.page_id])[0][1].keys() == before.keys()
    source_id = services.pages.page_id(normalize_url(ORIGINAL["url"]))
    assert [e.other for e in services.pages.edges(source_id)] == [first.page_id]
    members = services.index.members(services.pages.buckets(first.page_id))
    assert members and all(m.count(first.page_id) == 1 for m in members)


def test_a_page_ingested_again_unchanged_keeps_its_place_in_its_buckets(services) -> None:
    """The first publisher, fetched again with the same text, stays ahead of its copy in every bucket the two
    share (a bucket too common to count keeps only its earliest members), and is still their source."""
    from farmwatch import ingest as ingest_module
    from farmwatch.analysis.page import analyze_html

    def analysed(page: dict):
        return analyze_html((SEED / page["html_file"]).read_bytes(), page["url"])

    original = ingest_module.ingest(services, analysed(ORIGINAL))
    copy = ingest_module.ingest(services, analysed(REPOST))
    buckets = services.pages.buckets(original.page_id)
    before = services.index.members(buckets)
    shared = [m for m in before if copy.page_id in m]
    assert shared and all(m.index(original.page_id) < m.index(copy.page_id) for m in shared)
    again = ingest_module.ingest(services, analysed(ORIGINAL))
    assert again.page_id == original.page_id
    assert services.index.members(buckets) == before
    assert ingest_module.ingest(services, analysed(REPOST)).provenance == copy.provenance
