"""What a moderator and the browser extension meet: the review queue, page view, labels and the look-up."""

from __future__ import annotations

import random

import httpx
import orjson
import redis

from farmwatch.analysis.urls import normalize_url
from farmwatch.store.api_keys import KeyStore
from tests.conftest import SEED, seed_case

CASE = seed_case()
ORIGINAL, REPOST = CASE["original"], CASE["repost"]
# Reports carry URLs as the service normalises them.
ORIGINAL_URL, REPOST_URL = normalize_url(ORIGINAL["url"]), normalize_url(REPOST["url"])
UNRELATED = (
    "<html><head><title>Garden notes</title></head><body><article><h1>Garden notes</h1>"
    + "".join(
        f"<p>Paragraph {i} about tomatoes, compost heaps, and the slow patience of autumn beds.</p>" for i in range(12)
    )
    + "</article></body></html>"
)


def submit_seed(api: httpx.Client, headers: dict[str, str] | None = None) -> None:
    for page in (ORIGINAL, REPOST):
        html = (SEED / page["html_file"]).read_text()
        response = api.post("/v1/pages", json={"url": page["url"], "html": html}, headers=headers)
        assert response.status_code == 200, response.text


def test_queue_orders_filters_and_pages(api: httpx.Client) -> None:
    submit_seed(api)
    assert api.post("/v1/pages", json={"url": "https://garden.example/notes", "html": UNRELATED}).status_code == 200

    queue = api.get("/v1/review/queue").json()
    assert queue["total"] == 3
    first = queue["items"][0]
    assert first["url"] == REPOST_URL and first["verdict"] == "republished"
    assert first["source_url"] == ORIGINAL_URL and first["credited"] is True
    assert [i["score"] for i in queue["items"]] == sorted((i["score"] for i in queue["items"]), reverse=True)

    def urls(**params: object) -> list[str]:
        response = api.get("/v1/review/queue", params=params)
        assert response.status_code == 200, response.text
        return [item["url"] for item in response.json()["items"]]

    assert urls(verdict="republished") == [REPOST_URL]
    assert set(urls(verdict="original")) == {ORIGINAL_URL, "https://garden.example/notes"}
    assert urls(site=REPOST["site"]) == [REPOST_URL]
    assert urls(credited=True) == [REPOST_URL] and urls(credited=False) == []
    # Dates: the seed pages were published on 2024-02-14; the garden page has no date (first seen today).
    assert set(urls(until="2024-02-14")) == {ORIGINAL_URL, REPOST_URL}
    assert urls(since="2024-02-15", until="2025-01-01") == []
    paged = api.get("/v1/review/queue", params={"limit": 2, "offset": 2}).json()
    assert paged["total"] == 3 and len(paged["items"]) == 1
    assert api.get("/v1/review/queue", params={"verdict": "maybe"}).status_code == 422


def test_page_view_has_passages_both_ways(api: httpx.Client) -> None:
    submit_seed(api)
    view = api.get("/v1/review/page", params={"url": REPOST["url"]}).json()
    page, source = view["page"], view["source"]
    assert source["url"] == ORIGINAL_URL
    passages = page["provenance"]["sources"][0]["passages"]
    # Most of the repost's paragraphs are found in the original, and the reverse view agrees.
    assert len(passages) >= 0.8 * len(page["paragraphs"])
    assert len(view["source_passages"]) >= 0.8 * len(source["paragraphs"])
    assert all(0 <= i < len(source["paragraphs"]) for i in view["source_passages"])
    assert api.get("/v1/review/page", params={"url": "https://nowhere.example/"}).status_code == 404
    original = api.get("/v1/review/page", params={"url": ORIGINAL["url"]}).json()
    assert original["source"] is None and original["source_index"] is None


def test_site_view(api: httpx.Client) -> None:
    submit_seed(api)
    site = api.get(f"/v1/review/sites/{REPOST['site']}").json()
    assert site["report"]["site"] == REPOST["site"]
    assert site["report"]["top_sources"][0]["site"] == ORIGINAL["site"]
    assert [p["url"] for p in site["pages"]["items"]] == [REPOST_URL]
    assert site["timeline"] == {
        "bucket": "day",
        "periods": [{"period": "2024-02-14", "pages": 1, "republished": 1}],
        "undated": 0,
    }
    assert api.get("/v1/review/sites/unknown.example").status_code == 404
    # Pages years apart: the timeline counts per month, empty months included, so its x axis is time.
    for path, when in (("/a", "2020-01-05T10:00:00Z"), ("/b", "2023-06-01T10:00:00Z")):
        html = UNRELATED.replace("tomatoes", f"tomatoes {path}")
        api.post("/v1/pages", json={"url": f"https://garden.example{path}", "html": html, "published_at": when})
    timeline = api.get("/v1/review/sites/garden.example").json()["timeline"]
    assert timeline["bucket"] == "month" and len(timeline["periods"]) == 42
    assert timeline["periods"][0] == {"period": "2020-01", "pages": 1, "republished": 0}
    assert sum(p["pages"] for p in timeline["periods"]) == 2
    hosts = {row["site"] for row in api.get("/v1/review/sites").json()["items"]}
    assert hosts == {ORIGINAL["site"], REPOST["site"], "garden.example"}


def test_labels_round_trip_and_export(api: httpx.Client) -> None:
    submit_seed(api)
    created = api.post("/v1/labels", json={"url": REPOST["url"], "decision": "confirm", "note": "farm template"})
    assert created.status_code == 201, created.text
    label = created.json()
    assert label["verdict"] == "republished" and label["source_url"] == ORIGINAL_URL
    api.post("/v1/labels", json={"url": ORIGINAL["url"], "decision": "dismiss", "note": ""}).raise_for_status()

    assert [x["note"] for x in api.get("/v1/labels", params={"url": REPOST["url"]}).json()["items"]] == [
        "farm template"
    ]
    recent = api.get("/v1/labels").json()["items"]
    assert [x["decision"] for x in recent] == ["dismiss", "confirm"]
    newest = api.get("/v1/labels", params={"limit": 1}).json()
    assert newest["items"] == recent[:1] and newest["next_cursor"]
    assert api.get("/v1/labels", params={"cursor": newest["next_cursor"]}).json()["items"] == recent[1:]
    # The deprecated `before` (a label id) still answers.
    assert api.get("/v1/labels", params={"before": recent[0]["id"]}).json()["items"] == recent[1:]

    export = api.get("/v1/labels/export")
    assert export.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in export.text.splitlines()]
    assert [x["id"] for x in lines] == [x["id"] for x in reversed(recent)]

    # The queue shows the decision and can hide what was reviewed.
    items = {i["url"]: i for i in api.get("/v1/review/queue").json()["items"]}
    assert items[REPOST_URL]["label"] == "confirm"
    assert api.get("/v1/review/queue", params={"labelled": False}).json()["total"] == 0
    assert api.get("/v1/review/queue", params={"labelled": True}).json()["total"] == 2
    assert api.post("/v1/labels", json={"url": "https://nowhere.example/", "decision": "confirm"}).status_code == 404
    assert api.post("/v1/labels", json={"url": REPOST["url"], "decision": "maybe"}).status_code == 422


def test_queue_sorts_counts_groups_and_validates(api: httpx.Client) -> None:
    submit_seed(api)
    api.post("/v1/pages", json={"url": "https://garden.example/notes", "html": UNRELATED}).raise_for_status()
    # An empty page is nothing to review: not queued as an original.
    empty = "<html><body><nav>Home</nav></body></html>"
    api.post("/v1/pages", json={"url": "https://empty.example/", "html": empty}).raise_for_status()

    def urls(**params: object) -> list[str]:
        response = api.get("/v1/review/queue", params=params)
        assert response.status_code == 200, response.text
        return [item["url"] for item in response.json()["items"]]

    # Left out when judged, so the counts (read from the index alone) never include it either.
    counted = api.get("/v1/review/queue", params={"counts": "true", "limit": 1}).json()["counts"]
    assert counted["verdict"]["original"] == 2
    assert "https://empty.example/" not in urls()
    assert api.get("/v1/review/queue").json()["total"] == 3
    assert urls(sort="priority")[0] == REPOST_URL
    newest = urls(sort="newest")
    assert newest[0] == "https://garden.example/notes"  # undated: first seen today
    assert api.get("/v1/review/queue", params={"sort": "oldest"}).status_code == 422
    counted = api.get("/v1/review/queue", params={"counts": True, "verdict": "republished"}).json()
    assert counted["counts"]["verdict"] == {"": 3, "republished": 1, "original": 2}
    assert counted["counts"]["credited"] == {"": 1, "false": 0, "true": 1}
    assert counted["counts"]["labelled"] == {"": 1, "false": 1, "true": 0}
    # A start date after the end date is refused, not silently empty.
    backwards = api.get("/v1/review/queue", params={"since": "2024-03-01", "until": "2024-02-01"})
    assert backwards.status_code == 422 and "after the end date" in backwards.text
    groups = api.get("/v1/review/queue/sites").json()
    assert {g["site"]: g["pages"] for g in groups["items"]} == {
        REPOST["site"]: 1,
        ORIGINAL["site"]: 1,
        "garden.example": 1,
    }
    # Undated pages are not charted as publications of the day they were first seen.
    timeline = api.get("/v1/review/sites/garden.example").json()["timeline"]
    assert timeline["periods"] == [] and timeline["undated"] == 1


def test_labels_have_reasons_one_current_per_moderator_undo_and_bulk(api: httpx.Client) -> None:
    submit_seed(api)
    first = api.post("/v1/labels", json={"url": REPOST["url"], "decision": "dismiss", "reason": "false_match"})
    second = api.post("/v1/labels", json={"url": REPOST["url"], "decision": "confirm", "reason": "farm_copy"})
    assert first.status_code == second.status_code == 201
    labels = api.get("/v1/review/page", params={"url": REPOST["url"]}).json()["labels"]
    assert [(x["decision"], x["reason"], x["current"]) for x in labels] == [
        ("dismiss", "false_match", False),
        ("confirm", "farm_copy", True),
    ]
    assert api.get("/v1/lookup", params={"url": REPOST["url"]}).json()["label"] == "confirm"
    # Undo the confirm: the dismissal is current again; undo that too: the page is unlabelled (history kept).
    undone = api.delete(f"/v1/labels/{second.json()['id']}")
    assert undone.status_code == 200 and undone.json()["deleted_at"]
    assert api.get("/v1/lookup", params={"url": REPOST["url"]}).json()["label"] == "dismiss"
    api.delete(f"/v1/labels/{first.json()['id']}").raise_for_status()
    assert api.get("/v1/lookup", params={"url": REPOST["url"]}).json().get("label") is None
    assert api.get("/v1/review/queue", params={"labelled": True}).json()["total"] == 0
    exported = [orjson.loads(line) for line in api.get("/v1/labels/export").text.splitlines()]
    assert len(exported) == 2 and all(x["deleted_at"] for x in exported)
    assert api.delete("/v1/labels/99999999-0").status_code == 404
    assert api.post("/v1/labels", json={"url": REPOST["url"], "decision": "confirm", "reason": "x"}).status_code == 422

    bulk = api.post(
        "/v1/labels/bulk",
        json={
            "urls": [REPOST["url"], ORIGINAL["url"], "https://nowhere.example/"],
            "decision": "confirm",
            "reason": "licensed_syndication",
        },
    )
    assert bulk.status_code == 201, bulk.text
    assert len(bulk.json()["items"]) == 2 and bulk.json()["unknown"] == ["https://nowhere.example/"]
    assert api.get("/v1/review/queue", params={"labelled": False}).json()["total"] == 0


WORDS = [
    "council",
    "harbour",
    "ministry",
    "budget",
    "railway",
    "tunnel",
    "engineers",
    "protest",
    "farmers",
    "drought",
    "reservoir",
    "pipeline",
    "election",
    "senator",
    "village",
    "bridge",
    "contract",
    "tender",
    "auditors",
    "hospital",
    "nurses",
    "strike",
    "vaccine",
    "clinic",
    "school",
    "teachers",
    "union",
    "salary",
    "flood",
    "river",
    "levee",
    "storm",
    "coast",
    "fishermen",
    "quota",
    "permit",
    "mayor",
    "police",
    "inquiry",
    "court",
    "judge",
    "verdict",
    "appeal",
    "evidence",
    "witness",
    "report",
    "museum",
    "archive",
    "painting",
    "festival",
    "orchestra",
    "stadium",
    "league",
]


def article(seed: int, paragraphs: int = 8, sentences: int = 3) -> list[str]:
    """Paragraphs of distinct made-up news sentences (deterministic per seed)."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        said = []
        for _ in range(sentences):
            words = rng.sample(WORDS, 11)
            said.append(f"The {words[0]} said {' '.join(words[1:6])} would meet the {' '.join(words[6:])} today.")
        out.append(" ".join(said))
    return out


def html_page(title: str, paragraphs: list[str], published: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title><meta property='article:published_time' content='{published}'>"
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def test_page_view_says_what_each_source_is(api: httpx.Client) -> None:
    # B copies A and adds its own paragraphs; C copies only B's own paragraphs: C's source is itself a copy.
    a, extra = article(1), article(2)
    pages = {
        "https://first.example/a": html_page("First", a, "2024-01-01T08:00:00Z"),
        "https://middle.example/b": html_page("Middle", a + extra, "2024-01-02T08:00:00Z"),
        "https://last.example/c": html_page("Last", extra, "2024-01-03T08:00:00Z"),
    }
    for url, html in pages.items():
        api.post("/v1/pages", json={"url": url, "html": html}).raise_for_status()
    view = api.get("/v1/review/page", params={"url": "https://last.example/c"}).json()
    statuses = {s["url"]: s for s in view["sources_status"]}
    assert statuses["https://middle.example/b"]["verdict"] == "republished", view["page"]["provenance"]
    assert statuses["https://middle.example/b"]["original_url"] == "https://first.example/a"


def test_lookup_known_unknown_and_queued(api: httpx.Client) -> None:
    submit_seed(api)
    response = api.get("/v1/lookup", params={"url": REPOST["url"]})
    assert response.status_code == 200
    body = response.json()
    assert body["known"] is True and body["verdict"] == "republished" and body["credited"] is True
    assert body["source"] == {"url": ORIGINAL_URL, "site": ORIGINAL["site"]}
    assert body["site"]["host"] == REPOST["site"] and 0 <= body["site"]["farm_score"] <= 1
    assert len(response.content) < 600
    assert "max-age" in response.headers["cache-control"]

    etag = response.headers["etag"]
    again = api.get("/v1/lookup", params={"url": REPOST["url"]}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # A moderator's label changes the answer, so the old ETag no longer matches.
    api.post("/v1/labels", json={"url": REPOST["url"], "decision": "dismiss"}).raise_for_status()
    changed = api.get("/v1/lookup", params={"url": REPOST["url"]}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["label"] == "dismiss"

    unknown = api.get("/v1/lookup", params={"url": "https://unseen.example/story"}).json()
    assert unknown == {"url": "https://unseen.example/story", "known": False, "queued": False}
    queued = api.get("/v1/lookup", params={"url": "https://unseen.example/story", "queue": True})
    assert queued.json()["queued"] is True and queued.headers["cache-control"] == "no-store"
    status = api.get(f"/v1/jobs/{queued.json()['job_id']}").json()
    assert status["url"] == "https://unseen.example/story"
    assert api.get("/v1/lookup", params={"url": "javascript:alert(1)"}).status_code == 422


def test_lookup_cors_for_extension_origins(api: httpx.Client) -> None:
    origin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    preflight = api.options(
        "/v1/lookup",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    response = api.get("/v1/lookup", params={"url": "https://a.example/"}, headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    assert "ETag" in response.headers["access-control-expose-headers"]
    other = api.get("/v1/lookup", params={"url": "https://a.example/"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_roles_and_rate_limit(api: httpx.Client, redis_client: redis.Redis) -> None:
    keys = KeyStore(redis_client, "fw")
    ingest, _ = keys.create("ingest", "crawler")
    moderator, _ = keys.create("moderator", "alice")
    lookup, _ = keys.create("lookup", "reader")
    limited_key, _ = keys.create("lookup", "extension", rate="3/minute")
    bearer = {
        name: {"Authorization": f"Bearer {token}"}
        for name, token in {"ingest": ingest, "moderator": moderator, "lookup": lookup, "limited": limited_key}.items()
    }
    submit_seed(api, bearer["ingest"])

    # Keys exist now: nothing is open any more.
    assert api.get("/v1/review/queue").status_code == 401
    assert api.get("/v1/review/queue", headers=bearer["lookup"]).status_code == 403
    assert api.get("/v1/review/queue", headers=bearer["moderator"]).json()["total"] == 2
    assert (
        api.post("/v1/labels", json={"url": REPOST["url"], "decision": "confirm"}, headers=bearer["lookup"]).status_code
        == 403
    )
    label = api.post("/v1/labels", json={"url": REPOST["url"], "decision": "confirm"}, headers=bearer["moderator"])
    assert label.json()["moderator"] == "alice"
    assert api.get("/dashboard").status_code == 200  # the page itself holds no data

    # A look-up key may look up; this one at most 3 times a minute.
    assert api.get("/v1/lookup", params={"url": REPOST["url"]}, headers=bearer["lookup"]).json()["known"] is True
    statuses = [api.get("/v1/lookup", params={"url": REPOST["url"]}, headers=bearer["limited"]) for _ in range(5)]
    assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
    limited = statuses[-1]
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    # Another key is not slowed by the first one's limit.
    assert api.get("/v1/lookup", params={"url": REPOST["url"]}, headers=bearer["moderator"]).status_code == 200
