"""The look-up's fast paths behave as the slow ones did: bad URLs, keys met for the first time, records that
change, limits counted in `limits`' own windows, bodiless requests past the body limit, the access line."""

from __future__ import annotations

import io
import logging

import httpx
import limits
import orjson
import pytest
import redis
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from farmwatch.logs import JsonFormatter
from farmwatch.store.api_keys import KeyStore
from tests.conftest import SEED, seed_case

CASE = seed_case()
ORIGINAL = CASE["original"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "url",
    ["http://[::1", "https://[::1/x", "http://[zz]/", "http://host:99999/", "http://host:port/", "ftp://a.example/"],
)
def test_malformed_urls_get_422_with_the_envelope(api: httpx.Client, url: str) -> None:
    """Issue 18: `http://[::1` made urlsplit raise and the look-up answer 500 with a traceback in the log."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("farmwatch.api")
    logger.addHandler(handler)
    try:
        response = api.get("/v1/lookup", params={"url": url})
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 422, response.text
    assert response.json() == {
        "error": {"code": "invalid_request", "message": "url must be an absolute http:// or https:// URL"}
    }
    assert "Traceback" not in stream.getvalue() and '"exc"' not in stream.getvalue()


def test_ipv6_literal_urls_are_looked_up(api: httpx.Client) -> None:
    response = api.get("/v1/lookup", params={"url": "http://[::1]:8080/a"})
    assert response.status_code == 200 and response.json()["known"] is False


def test_a_key_works_from_its_first_request_and_is_refused_once_revoked(
    api: httpx.Client, redis_client: redis.Redis
) -> None:
    keys = KeyStore(redis_client, "fw")
    token, record = keys.create("lookup", "first")
    for _ in range(3):  # the first request parses the record; later ones only have it checked on the server
        assert api.get("/v1/lookup", params={"url": "https://a.example/"}, headers=_bearer(token)).status_code == 200
    keys.revoke(record.id)
    refused = api.get("/v1/lookup", params={"url": "https://a.example/"}, headers=_bearer(token))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_key"
    # A token carrying a valid key's id with another secret is refused, and spends nothing of that key's budget.
    other, other_record = keys.create("lookup", "victim", rate="2/minute")
    forged = f"fwk_{other_record.id}_{'x' * 43}"
    for _ in range(3):
        assert api.get("/v1/lookup", params={"url": "https://a.example/"}, headers=_bearer(forged)).status_code == 401
    for _ in range(2):
        assert api.get("/v1/lookup", params={"url": "https://a.example/"}, headers=_bearer(other)).status_code == 200


def test_a_record_changed_in_place_takes_effect_on_the_next_request(
    api: httpx.Client, redis_client: redis.Redis
) -> None:
    """An import may overwrite a record under the same hash: the role it gives is the one enforced."""
    keys = KeyStore(redis_client, "fw")
    token, record = keys.create("moderator", "demoted")
    assert api.get("/v1/labels", headers=_bearer(token)).status_code == 200
    row = {"hash": keys.client.hget(keys.by_id, record.id).decode(), "id": record.id, "name": "demoted"}
    keys.import_row({**row, "role": "lookup", "created": record.created, "rate": None})
    refused = api.get("/v1/labels", headers=_bearer(token))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert api.get("/v1/lookup", params={"url": "https://a.example/"}, headers=_bearer(token)).status_code == 200


def test_the_limit_is_counted_in_limits_own_window(api: httpx.Client, redis_client: redis.Redis) -> None:
    """The API's one-call check and the `limits` library read and write the same window."""
    keys = KeyStore(redis_client, "fw")
    token, record = keys.create("lookup", "counted", rate="5/minute")
    limiter = SlidingWindowCounterRateLimiter(
        RedisStorage("redis://", connection_pool=redis_client.connection_pool, key_prefix="fw:rl")
    )
    rate = limits.parse("5/minute")
    for _ in range(3):
        assert api.get("/v1/lookup", params={"url": "https://a.example/"}, headers=_bearer(token)).status_code == 200
    assert limiter.get_window_stats(rate, record.id).remaining == 2
    assert limiter.hit(rate, record.id) and limiter.hit(rate, record.id)  # spent by another process
    limited = api.get("/v1/lookup", params={"url": "https://a.example/"}, headers=_bearer(token))
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_lookup_answers_keep_their_headers(api: httpx.Client) -> None:
    page = {"url": ORIGINAL["url"], "html": (SEED / ORIGINAL["html_file"]).read_text()}
    assert api.post("/v1/pages", json=page).status_code == 200
    first = api.get("/v1/lookup", params={"url": ORIGINAL["url"]}, headers={"X-Request-ID": "look-1"})
    assert first.status_code == 200 and first.json()["known"] is True
    assert first.headers["x-request-id"] == "look-1"
    assert first.headers["cache-control"] == "private, max-age=300" and first.headers["etag"].startswith('W/"')
    again = api.get("/v1/lookup", params={"url": ORIGINAL["url"]}, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    assert orjson.loads(first.content)["site"]["host"] == ORIGINAL["site"]


def test_bodiless_and_bodied_requests_both_pass_the_body_limit(api: httpx.Client) -> None:
    """Requests without Content-Length or Transfer-Encoding skip the body wrapper; one with a body still has it."""
    assert api.get("/v1/lookup", params={"url": "https://a.example/"}).status_code == 200
    chunked = api.post(
        "/v1/pages",
        content=iter([b'{"url": ', b'"https://example.org/y"}']),
        headers={"Content-Type": "application/json"},
    )
    assert chunked.status_code == 202


def test_one_round_trip_reads_give_the_stores_answer(api: httpx.Client, services, redis_server) -> None:
    """`lookup_async` (one script) and `lookup` (the stores) agree: known, unknown, labelled, farm score cold, warm."""
    import asyncio

    import redis.asyncio

    from farmwatch.reports import lookup, lookup_async
    from farmwatch.store.lookups import LookupReader

    for page in (CASE["original"], CASE["repost"]):
        body = {"url": page["url"], "html": (SEED / page["html_file"]).read_text()}
        assert api.post("/v1/pages", json=body).status_code == 200
    assert api.post("/v1/labels", json={"url": CASE["repost"]["url"], "decision": "confirm"}).status_code == 201

    async def both(url: str) -> tuple[dict, dict]:
        aclient = redis.asyncio.Redis.from_url(redis_server.url)
        try:
            fast = await lookup_async(services, LookupReader(aclient, "fw"), url)
        finally:
            await aclient.aclose()
        return fast, lookup(services, url)

    for url in (CASE["original"]["url"], CASE["repost"]["url"], "https://nowhere.example/a"):
        services.client.delete(*services.client.keys("fw:lookup:farm:*") or ["none"])  # farm score cold
        fast, slow = asyncio.run(both(url))
        assert fast == slow
        fast, slow = asyncio.run(both(url))  # and warm
        assert fast == slow
    assert asyncio.run(both(CASE["repost"]["url"]))[0]["label"] == "confirm"


def test_a_cold_farm_score_is_computed_once_for_concurrent_look_ups(
    api: httpx.Client, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Look-ups that find the same site's farm score cold at the same time share one computation, and the
    scores computed together do not all expire in the same second."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from farmwatch import reports

    for page in (CASE["original"], CASE["repost"]):
        body = {"url": page["url"], "html": (SEED / page["html_file"]).read_text()}
        assert api.post("/v1/pages", json=body).status_code == 200
    expected = api.get("/v1/lookup", params={"url": ORIGINAL["url"]}).json()["site"]["farm_score"]
    computed: list[str] = []
    lock = threading.Lock()
    real = reports.site_report

    def slow_report(services, host: str, sample: int = 2000) -> dict | None:  # type: ignore[no-untyped-def]
        with lock:
            computed.append(host)
        time.sleep(0.3)
        return real(services, host, sample)

    monkeypatch.setattr(reports, "site_report", slow_report)
    redis_client.delete(*redis_client.keys("fw:lookup:farm:*"))
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: api.get("/v1/lookup", params={"url": ORIGINAL["url"]}), range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert {a.json()["site"]["farm_score"] for a in answers} == {expected}
    assert computed == [ORIGINAL["site"]]
    ttls = {redis_client.ttl(key) for key in redis_client.keys("fw:lookup:farm:*")}
    assert ttls and all(reports.FARM_SCORE_TTL_S - 5 <= t <= reports.FARM_SCORE_TTL_S * 6 // 5 for t in ttls)
