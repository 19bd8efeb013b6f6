"""Keys and roles, the loopback default, rate limits and request limits, as a client meets them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import uvicorn

from farmwatch.config import FetchSettings, Settings
from farmwatch.store.api_keys import KeyStore
from farmwatch.store.embedded import EmbeddedRedis, free_port
from tests.conftest import SEED, LiveServer, seed_case

CASE = seed_case()
ORIGINAL = CASE["original"]
REPO = Path(__file__).resolve().parents[1]


def _start(redis_url: str, settings: Settings, bind_host: str = "127.0.0.1") -> LiveServer:
    """The API on 127.0.0.1, configured as if bound to `bind_host` (tests never listen elsewhere)."""
    from service.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(redis_url, settings, bind_host=bind_host), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    import threading

    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "API did not start"
        time.sleep(0.02)
    return LiveServer(server, thread, f"http://127.0.0.1:{port}")


def _settings(**overrides: object) -> Settings:
    return Settings(fetch=FetchSettings(allow_private=["127.0.0.1"]), **overrides)


@pytest.fixture()
def keys(redis_client: redis.Redis) -> KeyStore:
    return KeyStore(redis_client, "fw")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _original_body() -> dict:
    return {"url": ORIGINAL["url"], "html": (SEED / ORIGINAL["html_file"]).read_text()}


def test_loopback_without_keys_is_open_until_a_key_exists(api: httpx.Client, keys: KeyStore) -> None:
    assert api.post("/v1/pages", json=_original_body()).status_code == 200
    token, _ = keys.create("lookup", "extension")
    # The first key switches protection on, on loopback too.
    refused = api.get("/v1/pages", params={"url": ORIGINAL["url"]})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert "farmwatch keys create" in refused.json()["error"]["message"]
    assert api.get("/v1/pages", params={"url": ORIGINAL["url"]}, headers=_bearer(token)).status_code == 200
    assert api.get("/healthz").status_code == 200  # liveness stays open for probes


def test_off_loopback_every_request_needs_a_key(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> None:
    live = _start(redis_server.url, _settings(), bind_host="0.0.0.0")
    try:
        response = live.http.get("/v1/pages", params={"url": ORIGINAL["url"]})
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
        assert live.http.post("/v1/pages", json=_original_body()).status_code == 401
        assert redis_client.hlen("{fw:ids}:url2id") == 0  # nothing was stored by the refused submission
    finally:
        live.stop()


def test_every_role_boundary(api: httpx.Client, keys: KeyStore) -> None:
    tokens = {role: keys.create(role, f"{role} test")[0] for role in ("admin", "ingest", "moderator", "lookup")}
    page = {"url": ORIGINAL["url"]}
    # Submitting: ingest and admin only.
    for role, status in {"lookup": 403, "moderator": 403, "ingest": 200, "admin": 200}.items():
        response = api.post("/v1/pages", json=_original_body(), headers=_bearer(tokens[role]))
        assert response.status_code == status, role
        if status == 403:
            assert role in response.json()["error"]["message"]
    # Reading reports and sites: every role.
    for token in tokens.values():
        assert api.get("/v1/pages", params=page, headers=_bearer(token)).status_code == 200
        assert api.get(f"/v1/sites/{CASE['original']['site']}", headers=_bearer(token)).status_code in (200, 404)
    # Job status: the submitter's roles and moderators, not look-up clients.
    job = api.post("/v1/pages", json={"url": "https://example.org/x"}, headers=_bearer(tokens["ingest"])).json()
    assert api.get(job["status_url"], headers=_bearer(tokens["ingest"])).status_code == 200
    assert api.get(job["status_url"], headers=_bearer(tokens["moderator"])).status_code == 200
    assert api.get(job["status_url"], headers=_bearer(tokens["lookup"])).status_code == 403
    # Malformed credentials are refused, never mistaken for anonymous access.
    for header in (
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
        _bearer("fwk_00000000_nope"),
        _bearer("x" * 5000),
    ):
        assert api.get("/v1/pages", params=page, headers=header).status_code == 401


def test_revoked_key_is_refused_at_once_by_every_process(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, keys: KeyStore, api: httpx.Client
) -> None:
    token, record = keys.create("lookup", "soon revoked")
    with _api_process(redis_server.url) as other:
        for client in (api, other):
            assert (
                client.get("/v1/pages", params={"url": "https://a.example/"}, headers=_bearer(token)).status_code == 404
            )
        _cli(redis_server.url, "keys", "revoke", record.id)
        for client in (api, other):
            response = client.get("/v1/pages", params={"url": "https://a.example/"}, headers=_bearer(token))
            assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_key"


def test_rate_limit_holds_across_processes(redis_server: EmbeddedRedis, api: httpx.Client, keys: KeyStore) -> None:
    token, _ = keys.create("lookup", "limited", rate="4/minute")
    with _api_process(redis_server.url) as other:
        statuses = [
            c.get("/v1/pages", params={"url": "https://a.example/"}, headers=_bearer(token)).status_code
            for c in (api, other, api, other)
        ]
        assert statuses == [404] * 4
        limited = other.get("/v1/pages", params={"url": "https://a.example/"}, headers=_bearer(token))
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert api.get("/v1/pages", params={"url": "https://a.example/"}, headers=_bearer(token)).status_code == 429
    # Another key has its own budget.
    fresh, _ = keys.create("lookup", "other")
    assert api.get("/v1/pages", params={"url": "https://a.example/"}, headers=_bearer(fresh)).status_code == 404


def test_keys_cli_create_list_revoke(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> None:
    created = _cli(redis_server.url, "keys", "create", "--role", "moderator", "--name", "alice")
    token = created.stdout.strip()
    assert token.startswith("fwk_")
    listed = _cli(redis_server.url, "keys", "list").stdout
    assert '"alice"' in listed and '"moderator"' in listed and token not in listed
    # Only the hash is in Redis: the secret appears in no key or value.
    dump = b"".join(redis_client.dump(k) or b"" for k in redis_client.keys("*"))
    assert token.split("_", 2)[2].encode() not in dump
    key_id = token.split("_")[1]
    assert _cli(redis_server.url, "keys", "revoke", key_id).returncode == 0
    assert _cli(redis_server.url, "keys", "revoke", key_id, check=False).returncode == 1
    assert _cli(redis_server.url, "keys", "create", "--role", "root", check=False).returncode == 2


def test_serve_off_loopback_refuses_to_start_without_keys(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    # With no keys the command exits before binding anything; it says how to make one.
    result = _cli(
        redis_server.url,
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        str(free_port()),
        "--workers",
        "0",
        check=False,
        timeout=30,
    )
    assert result.returncode == 2
    assert "farmwatch keys create --role admin" in result.stderr


def test_oversized_bodies_get_413_and_change_nothing(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> None:
    live = _start(redis_server.url, _settings(max_request_bytes=200_000))
    try:
        body = _original_body()
        assert live.http.post("/v1/pages", json=body).status_code == 200
        before = live.http.get("/v1/pages", params={"url": ORIGINAL["url"]}).json()
        huge = {"url": ORIGINAL["url"], "html": "<p>" + "x" * 300_000 + "</p>"}
        declared = live.http.post("/v1/pages", json=huge)
        assert declared.status_code == 413 and declared.json()["error"]["code"] == "too_large"

        def chunks() -> Iterator[bytes]:  # chunked: no Content-Length to check up front
            yield b'{"url": "' + ORIGINAL["url"].encode() + b'", "html": "<p>'
            for _ in range(100):
                yield b"y" * 10_000
            yield b'</p>"}'

        streamed = live.http.post("/v1/pages", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        assert live.http.get("/v1/pages", params={"url": ORIGINAL["url"]}).json() == before
    finally:
        live.stop()


def test_slow_body_is_cut_off(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> None:
    live = _start(redis_server.url, _settings(body_timeout=1.0))
    try:
        port = int(live.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                b"POST /v1/pages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000\r\n\r\n{"url": '
            )
            started = time.monotonic()
            reply = b""
            while chunk := sock.recv(4096):  # the server closes the connection after its answer
                reply += chunk
            assert time.monotonic() - started < 5
        assert reply.startswith(b"HTTP/1.1 408") and b"body_timeout" in reply
        assert redis_client.hlen("{fw:ids}:url2id") == 0
    finally:
        live.stop()


def test_no_stack_trace_in_any_error(api: httpx.Client) -> None:
    for response in (
        api.post("/v1/pages", content=b"\xff\xfe" * 10, headers={"content-type": "application/json"}),
        api.post("/v1/pages", json={"url": "http://" + "a" * 5000}),
        api.post("/v1/pages", json=[1, 2]),
        api.get("/v1/pages"),
        api.request("DELETE", "/healthz"),
    ):
        assert 400 <= response.status_code < 500
        assert "Traceback" not in response.text and 'File "' not in response.text
        assert response.json()["error"]["message"]


# --- helpers: real processes ---


def _env(redis_url: str) -> dict[str, str]:
    return {**os.environ, "REDIS_URL": redis_url, "FARMWATCH_KEY_PREFIX": "fw"}


def _cli(redis_url: str, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "farmwatch.cli", *args],
        env=_env(redis_url),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


class _api_process:
    """`farmwatch serve` in its own process on loopback, on the test Redis."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url

    def __enter__(self) -> httpx.Client:
        port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "farmwatch.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "0",
            ],
            env=_env(self.redis_url),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.http.get("/healthz").status_code == 200:
                    return self.http
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and self.process.poll() is None, "API process did not start"
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
