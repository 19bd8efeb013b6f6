"""The typed Python client (clients/python) against a live service on loopback."""

from __future__ import annotations

import asyncio
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import redis

ROOT = Path(__file__).resolve().parents[1]
try:
    import farmwatch_client
except ImportError:  # not pip-installed: use the source tree
    sys.path.insert(0, str(ROOT / "clients" / "python"))
    import farmwatch_client

from farmwatch_client import AsyncClient, Client, JobAccepted, PageReport, errors  # noqa: E402

from farmwatch.services import Services  # noqa: E402
from farmwatch.store.webhooks import WebhookStore  # noqa: E402
from tests.conftest import SEED, Site, seed_case  # noqa: E402

CASE = seed_case()
ORIGINAL, REPOST = CASE["original"], CASE["repost"]


def _html(which: dict) -> str:
    return (SEED / which["html_file"]).read_text()


def _base(api: httpx.Client) -> str:
    return str(api.base_url).rstrip("/")


def test_report_models_are_the_services(api: httpx.Client) -> None:
    copy = (ROOT / "clients" / "python" / "farmwatch_client" / "report.py").read_text()
    assert copy.split("\n", 2)[2] == (ROOT / "farmwatch" / "report.py").read_text(), "run sync_models.py"
    assert farmwatch_client.__version__


def test_sync_client_submits_checks_waits_and_raises_typed_errors(api: httpx.Client, site: Site, services: Services):
    from workers.worker import Worker

    with Client(_base(api), max_retries=1) as fw:
        original = fw.submit_page(ORIGINAL["url"], _html(ORIGINAL))
        assert isinstance(original, PageReport) and original.provenance.verdict == "original"
        copy = fw.submit_and_wait(REPOST["url"], _html(REPOST))
        assert copy.provenance.verdict == "republished"
        assert copy.provenance.sources[0].url == original.url
        checked = fw.check(html=_html(REPOST), url="https://elsewhere.example/copy")
        assert checked.provenance.sources[0].url == original.url and checked.provenance.sources[0].spans
        assert fw.get_page(REPOST["url"]).url == copy.url
        assert fw.site("truthusanewshub.com").pages_seen == 1

        with pytest.raises(errors.UnknownPage) as unknown:
            fw.get_page("https://nowhere.example/x")
        assert unknown.value.status == 404 and isinstance(unknown.value, errors.NotFound)
        with pytest.raises(errors.UnusablePage):
            fw.check(text="  ")
        with pytest.raises(errors.InvalidRequest):
            fw.submit_page("notaurl")

        # A URL only: a job, waited for while a worker runs it.
        site.page(
            "/story", b"<html><body><article><p>" + b"A story told in words. " * 40 + b"</p></article></body></html>"
        )
        queued = fw.submit_page(site.url("/story"))
        assert isinstance(queued, JobAccepted)
        worker = Worker(services, services.queue)
        thread = threading.Thread(target=worker.run_one, kwargs={"block_ms": 5000})
        thread.start()
        report = fw.submit_and_wait(site.url("/story"), timeout=30, poll=0.1)
        thread.join()
        assert report.origin == "fetched"

        batch = fw.submit_batch([{"url": "https://example.com/a", "html": ""}, {"url": site.url("/other")}])
        assert [i.status for i in batch.items] == ["error", "queued"]
        assert batch.items[0].error.code == "unusable_page"


def test_iterators_follow_cursors(api: httpx.Client, redis_client: redis.Redis) -> None:
    store = WebhookStore(redis_client, "fw")
    for n in range(7):
        store.add_event("job.finished", {"job_id": str(n), "status": "done"})
    with Client(_base(api)) as fw:
        events = list(fw.iter_events(page_size=3))
    assert [e.data["job_id"] for e in events] == [str(n) for n in reversed(range(7))]

    async def run() -> tuple[list, PageReport]:
        async with AsyncClient(_base(api)) as fw:
            collected = [e async for e in fw.iter_events(type="job.finished", page_size=2)]
            await fw.submit_page(ORIGINAL["url"], _html(ORIGINAL))
            return collected, await fw.check(html=_html(REPOST), url=REPOST["url"])

    collected, checked = asyncio.run(run())
    assert len(collected) == 7
    assert checked.provenance.verdict == "republished"


class Flaky:
    """A server answering 429 with Retry-After (then 503), then the real answer."""

    def __init__(self, answers: list[tuple[int, dict[str, str], bytes]]) -> None:
        self.answers = answers
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = outer.answers[min(outer.hits, len(outer.answers) - 1)]
                outer.hits += 1
                self.send_response(status)
                for k, v in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def test_retries_honour_retry_after_and_give_up_with_the_error() -> None:
    import time

    limited = b'{"error": {"code": "rate_limited", "message": "slow down"}}'
    ok = b'{"job_id": "j", "url": "https://example.com/", "status": "done", "attempts": 1}'
    flaky = Flaky([(429, {"Retry-After": "1", "Content-Type": "application/json"}, limited), (200, {}, ok)])
    started = time.monotonic()
    with Client(flaky.url, api_key="fwk_test", max_retries=2) as fw:
        assert fw.job("j").status == "done"
    assert flaky.hits == 2 and time.monotonic() - started >= 0.9
    always = Flaky([(429, {"Retry-After": "0", "Content-Type": "application/json"}, limited)])
    with Client(always.url, max_retries=2) as fw, pytest.raises(errors.RateLimited) as refused:
        fw.job("j")
    assert always.hits == 3 and refused.value.retry_after == 0
    flaky.server.shutdown()
    always.server.shutdown()


def test_keys_and_roles_become_exceptions(api: httpx.Client, redis_client: redis.Redis) -> None:
    from farmwatch.store.api_keys import KeyStore

    token, _ = KeyStore(redis_client, "fw").create("lookup", "ext")
    with Client(_base(api)) as anonymous, pytest.raises(errors.Unauthorized):
        anonymous.check(text="some words")
    with Client(_base(api), api_key="fwk_wrong") as wrong, pytest.raises(errors.InvalidKey):
        wrong.check(text="some words")
    with Client(_base(api), api_key=token) as lookup, pytest.raises(errors.Forbidden):
        lookup.check(text="some words")
