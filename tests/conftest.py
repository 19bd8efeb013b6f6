"""Shared fixtures: a real Redis server, a real HTTP API on loopback, a local web site to fetch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import redis
import uvicorn

from farmwatch.config import FetchSettings, Settings
from farmwatch.services import Services
from farmwatch.store.connection import connect
from farmwatch.store.embedded import EmbeddedRedis, free_port
from farmwatch.store.jobs import JobQueue

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
SEED = CORPORA / "seed"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    client = connect(redis_server.url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture()
def settings() -> Settings:
    # only_allowed: a test can never send traffic past loopback, whatever URL a page links to.
    fetch = FetchSettings(
        allow_private=["127.0.0.1", "::1", "localhost"],
        only_allowed=True,
        host_min_interval=0.0,
        max_body_bytes=1_000_000,
        total_timeout=10,
    )
    return Settings(fetch=fetch)


@pytest.fixture()
def services(redis_client: redis.Redis, settings: Settings) -> Services:
    return Services.create(redis_client, settings)


@pytest.fixture()
def queue(redis_client: redis.Redis) -> JobQueue:
    return JobQueue(redis_client, "fw", claim_idle_ms=500)


class LiveServer:
    def __init__(self, server: uvicorn.Server, thread: threading.Thread, url: str) -> None:
        self.server, self.thread, self.url = server, thread, url
        self.http = httpx.Client(base_url=url, timeout=30)

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_api(redis_url: str, settings: Settings) -> LiveServer:
    from service.app import create_app

    return serve(create_app(redis_url, settings))


def serve(app: object) -> LiveServer:
    """An ASGI app served by uvicorn in a thread on a free loopback port, once it has started."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("API did not start")
        time.sleep(0.02)
    return LiveServer(server, thread, f"http://127.0.0.1:{port}")


@pytest.fixture()
def api(redis_server: EmbeddedRedis, redis_client: redis.Redis, settings: Settings) -> Iterator[httpx.Client]:
    """The real API over HTTP on loopback, on the test Redis (flushed for each test)."""
    live = start_api(redis_server.url, settings)
    yield live.http
    live.stop()


Route = Callable[[BaseHTTPRequestHandler], None]


class Site:
    """A local web site on loopback whose routes a test defines."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # the stdlib names it so
                path = self.path.split("?")[0]
                site.hits[path] = site.hits.get(path, 0) + 1
                route = site.routes.get(path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """The URL of a path; another host name (localhost) makes it look like another site."""
        return self.base.replace("127.0.0.1", host) + path

    def page(
        self,
        path: str,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = route

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


def seed_case() -> dict:
    import json

    return json.loads((SEED / "case.json").read_text())
