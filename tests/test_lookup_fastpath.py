"""`GET /v1/lookup` and `/healthz` answered by the fast path (service/fastpath.py) exactly as FastAPI answers them.

Two API servers on loopback share the test Redis: one as `farmwatch serve` runs it, one with every request left
to FastAPI's stack (`create_app(fast_paths=False)`, the behaviour before the fast path). The same requests go
to both, and what a client sees must be the same: status, every header (in order; only `date` may differ)
and body. The metrics counted and the access lines written for them must be the same too.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from farmwatch.config import Settings
from farmwatch.logs import JsonFormatter
from farmwatch.store.api_keys import KeyStore
from farmwatch.store.embedded import EmbeddedRedis, free_port
from tests.conftest import SEED, seed_case, serve

CASE = seed_case()
ORIGINAL, REPOST = CASE["original"], CASE["repost"]
ORIGIN = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


class Served:
    """One API server in a thread, with the handlers its fast path chose (None: FastAPI answered)."""

    def __init__(self, redis_url: str, settings: Settings, fast: bool) -> None:
        from service.app import create_app

        self.app = create_app(redis_url, settings, fast_paths=fast)
        self.chosen: list[object] = []
        if self.app.fast_paths is not None:
            match = self.app.fast_paths.match

            def recording(scope: dict) -> object:
                handler = match(scope)
                self.chosen.append(handler)
                return handler

            self.app.fast_paths.match = recording  # type: ignore[method-assign]
        self.live = serve(self.app)
        self.http = self.live.http

    def stop(self) -> None:
        self.live.stop()


@pytest.fixture()
def pair(redis_server: EmbeddedRedis, redis_client: redis.Redis, settings: Settings) -> Iterator[tuple[Served, Served]]:
    fast, slow = Served(redis_server.url, settings, True), Served(redis_server.url, settings, False)
    yield fast, slow
    fast.stop()
    slow.stop()


def _seen(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(name.lower(), value) for name, value in response.headers.multi_items() if name.lower() != "date"]
    return response.status_code, headers, response.content


def _same(pair: tuple[Served, Served], method: str, path: str, **kwargs: object) -> httpx.Response:
    """The request on both servers; the answers must be the same. Returns the fast path's."""
    fast, slow = pair
    kwargs["headers"] = {"X-Request-ID": "same", **kwargs.get("headers", {})}  # type: ignore[dict-item]
    before = len(fast.chosen)
    ours = fast.http.request(method, path, **kwargs)  # type: ignore[arg-type]
    theirs = slow.http.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert len(fast.chosen) == before + 1
    assert _seen(ours) == _seen(theirs), f"{method} {path} {kwargs}"
    return ours


def _fast(pair: tuple[Served, Served]) -> bool:
    """Whether the fast path answered the last request (rather than handing it to FastAPI)."""
    return pair[0].chosen[-1] is not None


def _bearer(token: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **more}


def _submit_seed(http: httpx.Client, headers: dict[str, str]) -> None:
    for page in (ORIGINAL, REPOST):
        body = {"url": page["url"], "html": (SEED / page["html_file"]).read_text()}
        assert http.post("/v1/pages", json=body, headers=headers).status_code == 200


def test_answers_are_the_same_with_a_key(pair: tuple[Served, Served], redis_client: redis.Redis) -> None:
    keys = KeyStore(redis_client, "fw")
    admin, _ = keys.create("admin", "setup")
    _submit_seed(pair[0].http, _bearer(admin))
    pair[0].http.post("/v1/labels", json={"url": REPOST["url"], "decision": "confirm"}, headers=_bearer(admin))
    token, _ = keys.create("lookup", "extension")
    key = _bearer(token)

    def get(params: dict[str, str], **headers: str) -> httpx.Response:
        return _same(pair, "GET", "/v1/lookup", params=params, headers=headers)

    known = get({"url": REPOST["url"]}, **key, **{"X-Request-ID": "same-1"})
    assert _fast(pair) and known.status_code == 200 and known.json()["known"] is True
    assert known.json()["label"] == "confirm" and known.headers["cache-control"] == "private, max-age=300"
    assert known.headers["x-request-id"] == "same-1" and known.headers["vary"] == "Authorization, Origin"
    assert get({"url": ORIGINAL["url"]}, **key).json()["verdict"] == "original"
    # Unknown URLs, one with spaces around it; a known page's URL with a tracking parameter.
    unknown = get({"url": "https://unseen.example/a"}, **key)
    assert unknown.json() == {"url": "https://unseen.example/a", "known": False, "queued": False}
    assert unknown.headers["cache-control"] == "private, max-age=30"
    get({"url": "  https://unseen.example/a  "}, **key)
    tracked = REPOST["url"] + ("&" if "?" in REPOST["url"] else "?") + "utm_source=x"
    assert get({"url": tracked}, **key).json()["known"] is True

    # Revalidation: 304 with the same ETag; a list of tags, a stale tag, the strong form, a star.
    etag = known.headers["etag"]
    not_modified = get({"url": REPOST["url"]}, **key, **{"If-None-Match": etag})
    assert _fast(pair) and not_modified.status_code == 304 and not_modified.content == b""
    for tags in (f'"x", {etag}', 'W/"stale"', etag.removeprefix("W/"), "*"):
        get({"url": REPOST["url"]}, **key, **{"If-None-Match": tags})

    # CORS: the extension's origin, another origin, a preflight (FastAPI answers preflights).
    allowed = get({"url": REPOST["url"]}, **key, Origin=ORIGIN)
    assert _fast(pair) and allowed.headers["access-control-allow-origin"] == ORIGIN
    assert (
        "access-control-allow-origin" not in get({"url": REPOST["url"]}, **key, Origin="https://evil.example").headers
    )
    preflight = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    assert _same(pair, "OPTIONS", "/v1/lookup", headers=preflight).status_code == 200 and not _fast(pair)

    # Refusals: no key, a wrong key, another scheme, an over-long token; bad URLs (after the key check).
    no_key = get({"url": REPOST["url"]})
    assert _fast(pair) and no_key.status_code == 401 and no_key.headers["www-authenticate"] == "Bearer"
    wrong = get({"url": REPOST["url"]}, **_bearer("fwk_00000000_" + "x" * 43))
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_key"
    assert get({"url": REPOST["url"]}, Authorization="Basic abc").status_code == 401
    assert get({"url": REPOST["url"]}, **_bearer("x" * 300)).status_code == 401
    for bad in ("javascript:alert(1)", "http://[::1", "ftp://a.example/", "", "   "):
        refused = get({"url": bad}, **key)
        assert _fast(pair) and refused.status_code == 422, bad
        assert refused.json()["error"]["code"] == "invalid_request"
    assert get({"url": "javascript:x"}).status_code == 401  # the key is checked first

    # What the fast path leaves to FastAPI: no url, an over-long one, a queue value that is no boolean, HEAD,
    # a GET with a body.
    for params in ({}, {"url": "https://a.example/" + "x" * 5000}, {"url": REPOST["url"], "queue": "maybe"}):
        assert get(params, **key).status_code == 422 and not _fast(pair)
    assert _same(pair, "HEAD", "/v1/lookup", params={"url": REPOST["url"]}, headers=key).status_code == 405
    with_body = _same(pair, "GET", "/v1/lookup", params={"url": REPOST["url"]}, headers=key, content=b"x")
    assert with_body.status_code == 200 and not _fast(pair)
    # A repeated parameter: the last one counts, as in Starlette.
    query = "?url=https%3A%2F%2Fa.example%2F&url=https%3A%2F%2Fb.example%2F"
    both = _same(pair, "GET", "/v1/lookup" + query, headers=key)
    assert _fast(pair) and both.json()["url"] == "https://b.example/"

    # queue=true on an unknown URL: a job (the same one for both: a URL is queued once), uncached.
    for value in ("true", "1", "YES", "on"):
        queued = get({"url": "https://unseen.example/q", "queue": value}, **key)
        assert _fast(pair) and queued.json()["queued"] is True and queued.headers["cache-control"] == "no-store"
    assert get({"url": "https://unseen.example/r", "queue": "false"}, **key).json()["queued"] is False
    assert get({"url": REPOST["url"], "queue": "true"}, **key).json()["known"] is True

    healthz = _same(pair, "GET", "/healthz", headers={"X-Request-ID": "same-2"})
    assert _fast(pair) and healthz.json() == {"status": "ok"}
    assert _same(pair, "GET", "/healthz", headers={"Origin": ORIGIN}).status_code == 200 and _fast(pair)
    assert _same(pair, "HEAD", "/healthz").status_code == 405 and not _fast(pair)


def test_rate_limited_the_same(pair: tuple[Served, Served], redis_client: redis.Redis) -> None:
    keys = KeyStore(redis_client, "fw")
    answers = []
    for served in pair:  # a key each, so each server meets its own key's limit
        token, _ = keys.create("lookup", "limited", rate="2/minute")
        params, headers = {"url": "https://a.example/"}, _bearer(token)
        answers.append([served.http.get("/v1/lookup", params=params, headers=headers) for _ in range(4)])
    assert _fast(pair)
    fast, slow = answers
    assert [r.status_code for r in fast] == [r.status_code for r in slow] == [200, 200, 429, 429]
    for ours, theirs in zip(fast[2:], slow[2:], strict=True):
        assert ours.json() == theirs.json() and ours.json()["error"]["code"] == "rate_limited"
        wait, their_wait = int(ours.headers["retry-after"]), int(theirs.headers["retry-after"])
        assert 1 <= wait <= 60 and abs(wait - their_wait) <= 2
        drop = {"date", "retry-after", "x-request-id"}
        assert [h for h in ours.headers.multi_items() if h[0] not in drop] == [
            h for h in theirs.headers.multi_items() if h[0] not in drop
        ]


def test_open_on_loopback_without_keys_the_same(pair: tuple[Served, Served], redis_client: redis.Redis) -> None:
    _submit_seed(pair[0].http, {})
    known = _same(pair, "GET", "/v1/lookup", params={"url": REPOST["url"]})
    assert _fast(pair) and known.status_code == 200 and known.json()["known"] is True
    KeyStore(redis_client, "fw").create("lookup", "first key")  # keys on, on loopback too
    refused = _same(pair, "GET", "/v1/lookup", params={"url": REPOST["url"]})
    assert _fast(pair) and refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"


def test_redis_down_is_the_same_503_and_the_look_up_reconnects(tmp_path: Path, settings: Settings) -> None:
    store = EmbeddedRedis(tmp_path / "redis", port=free_port())
    url = store.start()
    servers = (Served(url, settings, True), Served(url, settings, False))
    params = {"url": "https://a.example/"}
    try:
        assert _same(servers, "GET", "/v1/lookup", params=params).status_code == 200
        store.stop()
        down = _same(servers, "GET", "/v1/lookup", params=params)
        assert _fast(servers) and down.status_code == 503 and down.headers["retry-after"] == "5"
        assert down.json()["error"]["code"] == "store_unavailable"
        store.start()
        deadline = time.monotonic() + 10
        while servers[0].http.get("/v1/lookup", params=params).status_code != 200:
            assert time.monotonic() < deadline, "the look-up did not connect again"
            time.sleep(0.1)
    finally:
        for served in servers:
            served.stop()
        store.stop()


def _counted(http: httpx.Client, headers: dict[str, str]) -> dict[tuple, float]:
    """/metrics' request counts and latency observations for the two routes."""
    out: dict[tuple, float] = {}
    for family in text_string_to_metric_families(http.get("/metrics", headers=headers).text):
        for sample in family.samples:
            if sample.labels.get("route") in ("/v1/lookup", "/healthz") and sample.name in (
                "farmwatch_http_requests_total",
                "farmwatch_http_request_duration_seconds_count",
            ):
                out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_and_access_lines_count_every_request(pair: tuple[Served, Served], redis_client: redis.Redis) -> None:
    keys = KeyStore(redis_client, "fw")
    moderator, _ = keys.create("moderator", "ops")
    _submit_seed(pair[0].http, _bearer(keys.create("admin", "setup")[0]))
    token, record = keys.create("lookup", "counted", rate="1000/minute")
    logger = logging.getLogger("farmwatch.api")
    lines: list[list[dict]] = []
    deltas = []
    for served in pair:
        limited, limited_record = keys.create("lookup", "limited", rate="1/minute")  # a budget for each server
        before = _counted(served.http, _bearer(moderator))
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        level = logger.level
        logger.setLevel(logging.INFO)
        try:
            for url, headers in [
                (REPOST["url"], _bearer(token)),
                ("https://unseen.example/m", _bearer(token)),
                ("javascript:x", _bearer(token)),
                (REPOST["url"], {}),
                (REPOST["url"], _bearer(limited)),
                (REPOST["url"], _bearer(limited)),
            ]:
                served.http.get("/v1/lookup", params={"url": url}, headers={**headers, "X-Request-ID": "counted-1"})
            served.http.get("/healthz", headers={"X-Request-ID": "counted-2"})
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        after = _counted(served.http, _bearer(moderator))
        deltas.append({k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)})
        entries = [orjson.loads(line) for line in stream.getvalue().splitlines()]
        lines.append(
            [
                (e["route"], e["status"], e["key_id"] == limited_record.id or e["key_id"], e.get("request_id"))
                for e in entries
                if e["msg"] == "request" and e["route"] != "/metrics"
            ]
        )
    assert sum(handler is not None for handler in pair[0].chosen) == 7  # the fast path answered all 7
    assert (
        lines[0]
        == lines[1]
        == [
            ("/v1/lookup", 200, record.id, "counted-1"),
            ("/v1/lookup", 200, record.id, "counted-1"),
            ("/v1/lookup", 422, record.id, "counted-1"),
            ("/v1/lookup", 401, None, "counted-1"),
            ("/v1/lookup", 200, True, "counted-1"),
            ("/v1/lookup", 429, True, "counted-1"),
            ("/healthz", 200, None, "counted-2"),
        ]
    )
    assert deltas[0] == deltas[1]
    by_status = {
        (dict(labels)["route"], dict(labels)["status"]): value
        for (name, labels), value in deltas[0].items()
        if name == "farmwatch_http_requests_total"
    }
    assert by_status == {
        ("/v1/lookup", "200"): 3,
        ("/v1/lookup", "422"): 1,
        ("/v1/lookup", "401"): 1,
        ("/v1/lookup", "429"): 1,
        ("/healthz", "200"): 1,
    }
