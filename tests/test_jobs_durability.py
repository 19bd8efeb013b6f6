"""No job is lost: workers killed with SIGKILL, Redis killed and restarted, several worker processes at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import redis

from farmwatch.config import Settings
from farmwatch.reports import page_report
from farmwatch.services import Services
from farmwatch.store.connection import connect
from farmwatch.store.embedded import EmbeddedRedis, free_port
from farmwatch.store.jobs import JobQueue
from tests.conftest import SEED, Site
from workers.worker import Worker

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (SEED / "original.html").read_bytes()


def worker_process(redis_url: str, concurrency: int = 1, **env: str) -> subprocess.Popen[bytes]:
    """A real `farmwatch worker` process on the test Redis, fetching only from loopback."""
    environment = {
        **os.environ,
        "REDIS_URL": redis_url,
        "FARMWATCH_FETCH__ALLOW_PRIVATE": '["127.0.0.1", "localhost"]',
        "FARMWATCH_FETCH__ONLY_ALLOWED": "true",
        "FARMWATCH_FETCH__HOST_MIN_INTERVAL": "0",
        "FARMWATCH_JOBS__CLAIM_IDLE": "1",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "farmwatch.cli", "worker", "--concurrency", str(concurrency)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def held_page(site: Site, path: str, body: bytes) -> tuple[threading.Event, threading.Event, list[int]]:
    """A route that holds each request until released; returns (entered, release, count)."""
    entered, release, count = threading.Event(), threading.Event(), [0]

    def route(handler: BaseHTTPRequestHandler) -> None:
        count[0] += 1
        entered.set()
        release.wait(15)
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass  # the worker that asked is dead

    site.routes[path] = route
    return entered, release, count


def test_worker_killed_mid_job_leaves_it_to_another(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, services: Services, site: Site
) -> None:
    entered, release, count = held_page(site, "/slow", ARTICLE)
    queue = JobQueue(redis_client, "fw", claim_idle_ms=1000)
    job_id, _ = queue.submit(site.url("/slow"))
    process = worker_process(redis_server.url)
    try:
        assert entered.wait(30), "the worker process never fetched the page"
        assert queue.status(job_id)["status"] == "running"
        process.send_signal(signal.SIGKILL)  # mid-request: no chance to clean up or acknowledge
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    release.set()
    time.sleep(0.3)
    assert queue.status(job_id)["status"] == "running" and services.pages.count() == 0
    survivor = Worker(services, queue)
    wait_for(
        lambda: survivor.run_one(block_ms=200) and queue.status(job_id)["status"] == "done",
        15,
        "another worker to finish the job",
    )
    status = queue.status(job_id)
    assert status["attempts"] == 2 and count[0] == 2
    assert page_report(services, site.url("/slow")).origin == "fetched"
    assert services.pages.count() == 1 and queue.depth()["pending"] == 0


def test_a_live_slow_job_is_not_taken_from_its_worker(
    services: Services, redis_client: redis.Redis, site: Site
) -> None:
    entered, release, count = held_page(site, "/slow", ARTICLE)
    queue = JobQueue(redis_client, "fw", claim_idle_ms=300)
    job_id, _ = queue.submit(site.url("/slow"))
    busy = Worker(services, queue, name="busy")
    thread = threading.Thread(target=busy.run_one, kwargs={"block_ms": 500})
    thread.start()
    assert entered.wait(10)
    other = Worker(services, JobQueue(redis_client, "fw", claim_idle_ms=300), name="other")
    started = time.monotonic()
    while time.monotonic() - started < 1.2:  # four times the claim time: the heartbeat keeps the job
        assert other.queue.reserve("other", block_ms=100) is None
    release.set()
    thread.join(10)
    assert queue.status(job_id)["status"] == "done" and count[0] == 1 and queue.status(job_id)["attempts"] == 1


def test_redis_killed_and_restarted_loses_no_acknowledged_page_or_job(
    tmp_path: Path, site: Site, settings: Settings
) -> None:
    """Our own server (not the session's): AOF with appendfsync everysec, killed with SIGKILL."""
    for n in range(4):
        site.page(f"/a{n}", ARTICLE.replace(b"Armenia", f"Armenia{n}".encode()))
    server = EmbeddedRedis(tmp_path / "redis", port=free_port())
    server.start()
    try:
        client = connect(server.url)
        queue = JobQueue(client, "fw")
        ids = [queue.submit(site.url(f"/a{n}"))[0] for n in range(4)]
        worker = Worker(Services.create(client, settings), queue)
        assert worker.run_one(block_ms=500) and worker.run_one(block_ms=500)
        assert [queue.status(i)["status"] for i in ids] == ["done", "done", "queued", "queued"]
        client.close()
        server.stop(kill=True)
        server = EmbeddedRedis(tmp_path / "redis", port=server.port)
        server.start()
        client = connect(server.url)
        services = Services.create(client, settings)
        queue = JobQueue(client, "fw")
        assert [queue.status(i)["status"] for i in ids] == ["done", "done", "queued", "queued"]
        assert all(page_report(services, site.url(f"/a{n}")) for n in range(2))
        worker = Worker(services, queue)
        wait_for(
            lambda: not worker.run_one(block_ms=200) and queue.status(ids[3])["status"] == "done",
            15,
            "the remaining jobs",
        )
        assert [queue.status(i)["status"] for i in ids] == ["done"] * 4 and services.pages.count() == 4
        client.close()
    finally:
        server.stop()


WORDS = [
    "harvest",
    "river",
    "council",
    "market",
    "winter",
    "engine",
    "signal",
    "harbor",
    "ledger",
    "orchard",
    "tunnel",
    "beacon",
    "meadow",
    "quarry",
    "lantern",
    "verdict",
    "summit",
    "canyon",
    "archive",
    "compass",
    "festival",
]


def article(seed: int, published: str, template: str) -> bytes:
    rng = random.Random(seed)
    paragraphs = "".join(f"<p>{' '.join(rng.choice(WORDS) for _ in range(60))}.</p>" for _ in range(6))
    return (
        f"<html><head><title>Story {seed}</title>"
        f'<meta property="article:published_time" content="{published}"></head>'
        f"<body><nav>{template} home news</nav><article><h1>Story {seed}</h1>{paragraphs}</article>"
        f"<footer>{template} footer</footer></body></html>"
    ).encode()


def test_several_worker_processes_share_queue_and_index(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, services: Services, queue: JobQueue, site: Site
) -> None:
    pairs = 10
    lock = threading.Lock()
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    def serve(body: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
        def route(handler: BaseHTTPRequestHandler) -> None:
            host = handler.headers.get("Host", "").split(":")[0]
            with lock:
                in_flight[host] = in_flight.get(host, 0) + 1
                peak[host] = max(peak.get(host, 0), in_flight[host])
            time.sleep(0.05)
            with lock:
                in_flight[host] -= 1
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return route

    urls = []
    for n in range(pairs):
        site.routes[f"/orig{n}"] = serve(article(n, "2024-01-01T10:00:00+00:00", "Daily Planet"))
        site.routes[f"/copy{n}"] = serve(article(n, "2024-01-03T10:00:00+00:00", "Farm Feed"))
        urls += [site.url(f"/orig{n}"), site.url(f"/copy{n}", host="localhost")]
    ids = {queue.submit(u)[0] for u in urls}
    ids |= {queue.submit(u)[0] for u in urls[:6]}  # submitted twice while queued: the same jobs
    assert len(ids) == 2 * pairs
    processes = [worker_process(redis_server.url, 2, FARMWATCH_FETCH__HOST_CONCURRENCY="2") for _ in range(3)]
    try:
        wait_for(lambda: all(queue.status(i)["status"] == "done" for i in ids), 60, "all jobs done")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
    assert services.pages.count() == 2 * pairs
    assert max(peak.values()) <= 2, peak  # per-host concurrency held across three processes
    for n in range(pairs):
        report = page_report(services, site.url(f"/copy{n}", host="localhost"))
        assert report.provenance.verdict == "republished", report.provenance.model_dump_json()[:500]
        assert report.provenance.sources[0].url == site.url(f"/orig{n}")
    assert queue.depth() == {"pending": 0, "waiting": 0, "delayed": 0, "dead": 0}


def test_queue_depth_counts_waiting_jobs(queue) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        queue.submit(f"https://example.org/waiting-{n}")
    assert queue.depth()["waiting"] == 3
    job = queue.reserve("depth-test", block_ms=100)
    assert job is not None
    depth = queue.depth()
    assert depth["waiting"] == 2 and depth["pending"] == 1
