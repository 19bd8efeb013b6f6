"""What keys and rate limits cost per request: the same look-up over real HTTP on loopback, open (loopback,
no keys) and with a key (record read from Redis + a Redis rate-limit hit), plus the raw key read alone and
the API's one-call check (record compared and window counted by one script, on an asyncio client).

    python bench/auth_overhead.py [requests]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from farmwatch.config import Settings
from farmwatch.store.api_keys import KeyStore
from farmwatch.store.connection import connect
from farmwatch.store.embedded import EmbeddedRedis, free_port
from tests.conftest import start_api


def timed(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(name: str, ms: list[float]) -> None:
    ms.sort()
    print(f"{name:<34} p50 {statistics.median(ms):6.3f} ms   p99 {ms[int(len(ms) * 0.99) - 1]:6.3f} ms")


async def _gate_timings(client, token: str, n: int) -> list[float]:
    from starlette.datastructures import State

    from service.auth import Auth

    auth = Auth(client, Settings(), open_when_no_keys=False)
    request = SimpleNamespace(headers={"authorization": f"Bearer {token}"}, state=State())
    out = []
    for _ in range(n):
        started = time.perf_counter()
        await auth.acheck(request)  # type: ignore[arg-type]
        out.append((time.perf_counter() - started) * 1000)
    await auth.aclose()
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp), port=free_port()) as server:
        client = connect(server.url)
        client.flushall()
        live = start_api(server.url, Settings())
        http: httpx.Client = live.http
        params = {"url": "https://nowhere.example/a"}
        for _ in range(100):
            http.get("/v1/pages", params=params)
        summary("open (no keys, loopback)", timed(lambda: http.get("/v1/pages", params=params), n))
        store = KeyStore(client, "fw")
        token, _ = store.create("lookup", "bench", rate="1000000/minute")
        headers = {"Authorization": f"Bearer {token}"}
        summary("with a key (+ rate limit)", timed(lambda: http.get("/v1/pages", params=params, headers=headers), n))
        summary("key record read alone (HGET)", timed(lambda: store.lookup(token), n))
        summary("one-call check (script, asyncio)", asyncio.run(_gate_timings(client, token, n)))
        live.stop()


if __name__ == "__main__":
    main()
