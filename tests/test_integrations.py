"""Check without indexing, batches and webhooks over real HTTP, with a webhook receiver on loopback.

Webhook URLs must be https on a public address; here the receiver is plain http on 127.0.0.1, which the
tests allow with FARMWATCH_WEBHOOKS__ALLOW_HTTP=1 and the fixture's fetch settings (allow_private lists
loopback, only_allowed refuses everything else), exactly as the fetcher is tested.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import redis

from farmwatch.config import Settings
from farmwatch.store.webhooks import WebhookSettings
from tests.conftest import SEED, Site, seed_case
from workers.webhooks import SIGNATURE_HEADER, WebhookWorker, verify

CASE = seed_case()
ORIGINAL, REPOST = CASE["original"], CASE["repost"]


def _html(which: dict) -> str:
    return (SEED / which["html_file"]).read_text()


def _stored_keys(client: redis.Redis) -> set[bytes]:
    return {k for k in client.keys("*") if b":metrics:" not in k and b":rl" not in k}


class Receiver:
    """A webhook receiver on loopback: records each POST; answers with the statuses queued, then 204."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, dict, bytes]] = []
        self.answers: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), json.loads(body), body))
                self.send_response(outer.answers.pop(0) if outer.answers else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FARMWATCH_WEBHOOKS__ALLOW_HTTP", "1")
    r = Receiver()
    yield r
    r.close()


def _worker(redis_client: redis.Redis, settings: Settings) -> WebhookWorker:
    fast = WebhookSettings(allow_http=True, backoff_base=0.001, backoff_max=0.001, timeout=5)
    return WebhookWorker(redis_client, settings.key_prefix, settings.fetch, fast)


def test_check_reports_sources_and_stores_nothing(api: httpx.Client, redis_client: redis.Redis) -> None:
    assert api.post("/v1/pages", json={"url": ORIGINAL["url"], "html": _html(ORIGINAL)}).status_code == 200
    before = _stored_keys(redis_client)
    pages_before = redis_client.hlen("{fw:ids}:url2id")
    checked = api.post("/v1/check", json={"html": _html(REPOST), "url": REPOST["url"]})
    assert checked.status_code == 200, checked.text
    report = checked.json()
    assert report["provenance"]["verdict"] == "republished"
    source = report["provenance"]["sources"][0]
    assert source["url"].startswith("https://www.theepochtimes.com/")
    assert source["coverage"] > 0.5 and source["spans"]
    # The original's main text as plain text: found too.
    text = api.get("/v1/pages", params={"url": ORIGINAL["url"]}).json()["main_text"]
    as_text = api.post("/v1/check", json={"text": text.replace("\n", "\n\n")}).json()["provenance"]
    # The same words with no date, link or credit: found, and who came first left undecided (or the original).
    found = [m["url"] for m in as_text["sources"] + as_text["undecided"]]
    assert found == [source["url"]], as_text
    assert _stored_keys(redis_client) == before
    assert redis_client.hlen("{fw:ids}:url2id") == pages_before
    assert api.get("/v1/pages", params={"url": REPOST["url"]}).status_code == 404
    # Exactly one of text and html.
    for body in ({}, {"text": "a", "html": "<p>a</p>"}):
        refused = api.post("/v1/check", json=body)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_request"
    empty = api.post("/v1/check", json={"text": "   "})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "unusable_page"


def test_batch_mixes_html_urls_and_refusals(api: httpx.Client, site: Site) -> None:
    site.page("/a", b"<html><body><article><p>" + b"Some words of an article. " * 40 + b"</p></article></body></html>")
    items = [
        {"url": ORIGINAL["url"], "html": _html(ORIGINAL)},
        {"url": site.url("/a")},
        {"url": "https://example.com/empty", "html": ""},
    ]
    answer = api.post("/v1/pages/batch", json={"items": items})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [i["status"] for i in result["items"]] == ["indexed", "queued", "error"]
    assert (result["indexed"], result["queued"], result["errors"]) == (1, 1, 1)
    assert result["items"][0]["verdict"] == "original"
    assert api.get(result["items"][0]["report_url"]).status_code == 200
    assert api.get(result["items"][1]["status_url"]).json()["status"] == "queued"
    assert result["items"][2]["error"]["code"] == "unusable_page" and result["items"][2]["error_status"] == 422
    too_many = api.post("/v1/pages/batch", json={"items": [{"url": "https://example.com/"}] * 101})
    assert too_many.status_code == 422


def test_webhooks_signed_retried_visible_and_replayable(
    api: httpx.Client, redis_client: redis.Redis, settings: Settings, site: Site, services, receiver: Receiver
) -> None:
    created = api.post("/v1/webhooks", json={"url": receiver.url, "description": "test"})
    assert created.status_code == 201, created.text
    hook = created.json()
    secret = hook["secret"]
    assert secret and api.get(f"/v1/webhooks/{hook['id']}").json()["secret"] is None
    assert [h["id"] for h in api.get("/v1/webhooks").json()["items"]] == [hook["id"]]

    api.post("/v1/pages", json={"url": ORIGINAL["url"], "html": _html(ORIGINAL)})
    api.post("/v1/pages", json={"url": REPOST["url"], "html": _html(REPOST)})
    events = api.get("/v1/events").json()["items"]
    assert [e["type"] for e in events] == ["page.verdict_changed"]
    assert events[0]["data"]["verdict"] == "republished"  # judged original on arrival (no event), then this

    worker = _worker(redis_client, settings)
    receiver.answers = [500]  # the first attempt fails: retried
    worker.run_once()
    time.sleep(0.05)  # the retry's backoff (a millisecond here)
    worker.run_once()
    assert len(receiver.received) == 2
    headers, body, raw = receiver.received[-1]
    assert body["type"] == "page.verdict_changed" and body["data"]["url"] == events[0]["data"]["url"]
    assert body["id"] == events[0]["id"] == headers["X-Farmwatch-Event-Id"]
    assert verify(secret, headers[SIGNATURE_HEADER], raw)
    assert not verify("whsec_wrong", headers[SIGNATURE_HEADER], raw)
    deliveries = api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()
    assert deliveries["next_cursor"] is None
    (delivery,) = deliveries["items"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == ("delivered", 2, 204)

    replayed = api.post(f"/v1/webhooks/{hook['id']}/replay", json={"event_ids": [events[0]["id"]]})
    assert replayed.json()["deliveries"] == [delivery["id"]]
    worker.run_once()
    assert len(receiver.received) == 3 and receiver.received[-1][1]["id"] == events[0]["id"]

    # A job submitted through the API: its end is an event too.
    from workers.worker import Worker

    site.page("/a", b"<html><body><article><p>" + b"Other words of a story. " * 40 + b"</p></article></body></html>")
    job = api.post("/v1/pages/batch", json={"items": [{"url": site.url("/a")}]}).json()["items"][0]["job_id"]
    Worker(services, services.queue).run_one(block_ms=1000)
    worker.run_once()
    finished = [b for _, b, _ in receiver.received if b["type"] == "job.finished"]
    assert len(finished) == 1 and finished[0]["data"]["job_id"] == job and finished[0]["data"]["status"] == "done"
    worker.run_once()
    assert len([b for _, b, _ in receiver.received if b["type"] == "job.finished"]) == 1  # once
    worker.close()

    assert api.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    assert api.get(f"/v1/webhooks/{hook['id']}").status_code == 404


def test_webhook_urls_follow_the_fetchers_rules(api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    https_only = api.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert https_only.status_code == 422 and https_only.json()["error"]["code"] == "invalid_webhook_url"
    monkeypatch.setenv("FARMWATCH_WEBHOOKS__ALLOW_HTTP", "1")
    for url in ("http://10.0.0.1/hook", "http://169.254.169.254/latest", "https://hooks.example.com/x"):
        refused = api.post("/v1/webhooks", json={"url": url})
        assert refused.status_code == 422, url  # private, metadata; and only loopback is allowed in tests
