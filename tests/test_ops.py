"""Operations as an operator meets them: /metrics, JSON logs with a request id, /readyz, export/import, deletion."""

from __future__ import annotations

import io
import logging
import time

import httpx
import orjson
import redis
from prometheus_client.parser import text_string_to_metric_families

from farmwatch.config import Settings
from farmwatch.logs import JsonFormatter
from farmwatch.services import Services
from farmwatch.store.api_keys import KeyStore
from farmwatch.store.embedded import EmbeddedRedis
from farmwatch.store.jobs import JobQueue
from farmwatch.store.labels import LabelStore
from tests.conftest import SEED, Site, seed_case, start_api
from tests.test_auth import _api_process, _bearer, _cli
from workers.worker import Worker

CASE = seed_case()
ORIGINAL, REPOST = CASE["original"], CASE["repost"]


def _submit(api: httpx.Client, page: dict, **headers: str) -> httpx.Response:
    response = api.post(
        "/v1/pages", json={"url": page["url"], "html": (SEED / page["html_file"]).read_text()}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_sum_requests_over_api_processes(redis_server: EmbeddedRedis, api: httpx.Client) -> None:
    _submit(api, ORIGINAL)
    with _api_process(redis_server.url) as other:
        for _ in range(3):
            assert other.get("/v1/pages", params={"url": ORIGINAL["url"]}).status_code == 200
        assert other.get("/v1/pages", params={"url": "https://nowhere.example/"}).status_code == 404
        time.sleep(1.5)  # the other process flushes its counts to Redis once a second
        for client in (api, other):  # any process answers with the same totals
            scraped = client.get("/metrics")
            assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
            samples = _samples(scraped.text)
            route = (("method", "GET"), ("route", "/v1/pages"))
            assert samples[("farmwatch_http_requests_total", (*route, ("status", "200")))] >= 3
            assert samples[("farmwatch_http_requests_total", (*route, ("status", "404")))] >= 1
            assert (
                samples[
                    ("farmwatch_http_requests_total", (("method", "POST"), ("route", "/v1/pages"), ("status", "200")))
                ]
                == 1
            )
            hist = ("farmwatch_http_request_duration_seconds_count", (("route", "/v1/pages"),))
            assert samples[hist] >= 5
            assert samples[("farmwatch_pages_indexed", ())] == 1
            assert samples[("farmwatch_index_memory_bytes", ())] > 0
            assert ("farmwatch_queue_jobs", (("state", "waiting"),)) in samples


def test_request_id_follows_a_submission_into_the_worker(
    api: httpx.Client, services: Services, queue: JobQueue, site: Site
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(n) for n in ("farmwatch.api", "farmwatch.worker")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        body = (SEED / ORIGINAL["html_file"]).read_bytes()
        site.page("/story", body)
        sent = api.post("/v1/pages", json={"url": site.url("/story")}, headers={"X-Request-ID": "trace-42"})
        assert sent.status_code == 202 and sent.headers["x-request-id"] == "trace-42"
        worker = Worker(services, queue)
        assert worker.run_one(block_ms=2000)
        assert api.get(sent.json()["status_url"]).json()["status"] == "done"
        # A request without an id gets one, returned to the client.
        assert len(api.get("/healthz").headers["x-request-id"]) == 32
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    api_line = next(x for x in lines if x["logger"] == "farmwatch.api" and x.get("method") == "POST")
    assert api_line["request_id"] == "trace-42" and api_line["status"] == 202 and api_line["route"] == "/v1/pages"
    worker_lines = [x for x in lines if x["logger"] == "farmwatch.worker"]
    assert worker_lines and all(x["request_id"] == "trace-42" and x["job_id"] for x in worker_lines)
    # No page body in any log line.
    assert "Armenia" not in stream.getvalue() or all("html" not in x for x in lines)
    assert body[:200].decode(errors="ignore") not in stream.getvalue()


def test_logs_carry_key_ids_never_keys(api: httpx.Client, redis_client: redis.Redis) -> None:
    token, record = KeyStore(redis_client, "fw").create("ingest", "logged")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("farmwatch.api")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        html = (SEED / ORIGINAL["html_file"]).read_text()
        assert (
            api.post("/v1/pages", json={"url": ORIGINAL["url"], "html": html}, headers=_bearer(token)).status_code
            == 200
        )
        api.get("/v1/pages", params={"url": ORIGINAL["url"]}, headers=_bearer(token + "x"))
    finally:
        logger.removeHandler(handler)
    logged = stream.getvalue()
    assert f'"key_id":"{record.id}"' in logged
    assert token not in logged and token.split("_", 2)[2][:20] not in logged
    paragraph = next(p for p in html.split("<p>")[1:] if len(p) > 80)[:60]
    assert paragraph not in logged


def test_readyz(api: httpx.Client, redis_server: EmbeddedRedis, redis_client: redis.Redis, settings: Settings) -> None:
    ready = api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["persistence"]["ok"] and ready.json()["checks"]["redis"]["ok"]
    # A job waiting longer than allowed with no worker reading the queue: not ready, and it says why.
    strict = start_api(redis_server.url, settings.model_copy(update={"queue_stuck_after": 0.5}))
    try:
        assert strict.http.post("/v1/pages", json={"url": "https://example.org/waits"}).status_code == 202
        time.sleep(1.0)
        stuck = strict.http.get("/readyz")
        assert stuck.status_code == 503
        assert not stuck.json()["checks"]["queue"]["ok"] and "no worker" in stuck.json()["checks"]["queue"]["detail"]
    finally:
        strict.stop()


def test_delete_removes_a_page_and_rejudges_its_copies(api: httpx.Client, redis_client: redis.Redis) -> None:
    _submit(api, ORIGINAL)
    repost = _submit(api, REPOST).json()
    assert repost["provenance"]["verdict"] == "republished"
    token, _ = KeyStore(redis_client, "fw").create("lookup", "no deleting")
    refused = api.delete("/v1/pages", params={"url": ORIGINAL["url"]}, headers=_bearer(token))
    assert refused.status_code == 403
    store = KeyStore(redis_client, "fw")
    for record in store.list():  # back to the open loopback default
        store.revoke(record.id)
    deleted = api.delete("/v1/pages", params={"url": ORIGINAL["url"]})
    assert deleted.status_code == 200 and deleted.json()["rejudged"] >= 1
    assert api.get("/v1/pages", params={"url": ORIGINAL["url"]}).status_code == 404
    after = api.get("/v1/pages", params={"url": REPOST["url"]}).json()
    assert after["provenance"]["verdict"] == "original" and after["provenance"]["sources"] == []
    assert api.delete("/v1/pages", params={"url": ORIGINAL["url"]}).status_code == 404
    # Gone from the index too: submitting the original again finds the repost as its copy, not itself twice.
    again = _submit(api, ORIGINAL).json()
    assert [c["url"] for c in again["provenance"]["copies"]] == [repost["url"]]


def test_export_import_round_trip(
    redis_server: EmbeddedRedis, api: httpx.Client, redis_client: redis.Redis, settings: Settings, tmp_path
) -> None:
    _submit(api, ORIGINAL)
    repost = _submit(api, REPOST).json()
    services = Services.create(redis_client, settings)
    repost_id = services.pages.page_id(repost["url"])
    assert repost_id is not None
    LabelStore(redis_client, "fw").add(repost_id, repost["url"], "confirm", "farm copy", repost["provenance"])
    dump = tmp_path / "export.jsonl"
    _cli(redis_server.url, "export", str(dump))
    rows = [orjson.loads(line) for line in dump.read_bytes().splitlines()]
    assert [r["type"] for r in rows].count("page") == 2 and rows[0]["type"] == "header"
    assert any(r["type"] == "label" and r["note"] == "farm copy" for r in rows)
    # Into another namespace of the same Redis (as if another server), then served from there.
    result = subprocess_import(redis_server.url, dump, prefix="moved")
    assert '"pages": 2' in result and '"labels": 1' in result
    moved = start_api(redis_server.url, settings.model_copy(update={"key_prefix": "moved"}))
    try:
        for page in (ORIGINAL, REPOST):
            before = api.get("/v1/pages", params={"url": page["url"]}).json()
            assert moved.http.get("/v1/pages", params={"url": page["url"]}).json() == before
        assert LabelStore(redis_client, "moved").count() == 1
        # The index came along: deleting the imported original re-judges the imported copy.
        assert moved.http.delete("/v1/pages", params={"url": ORIGINAL["url"]}).json()["rejudged"] == 1
        assert moved.http.get("/v1/pages", params={"url": REPOST["url"]}).json()["provenance"]["verdict"] == "original"
    finally:
        moved.stop()
    # A service with other fingerprint settings refuses the file rather than build a wrong index.
    import os
    import subprocess
    import sys

    refused = subprocess.run(
        [sys.executable, "-m", "farmwatch.cli", "import", str(dump)],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "REDIS_URL": redis_server.url,
            "FARMWATCH_KEY_PREFIX": "other",
            "FARMWATCH_FINGERPRINT__BANDS": "20",
        },
    )
    assert refused.returncode == 65 and "fingerprint settings" in refused.stderr  # EX_DATAERR


def subprocess_import(redis_url: str, path, prefix: str) -> str:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "farmwatch.cli", "import", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "REDIS_URL": redis_url, "FARMWATCH_KEY_PREFIX": prefix},
    )
    assert result.returncode == 0, result.stderr
    return result.stderr
