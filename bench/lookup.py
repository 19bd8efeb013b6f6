"""`GET /v1/lookup` latency (p50, p99) and throughput, from a load process to the API process on loopback.

    python bench/lookup.py [--requests N] [--seconds S] [--concurrency C] [--corpus DIR]

Starts a throwaway real Redis and the API (one uvicorn process, one event loop) in a subprocess,
ingests the seed case and provenance-dev (255 pages) through the API, creates a `lookup` key (so
every look-up pays for its key check and its Redis-side rate-limit counter, as in production),
then this process sends look-ups with C concurrent connections until N requests or S seconds,
whichever comes first. Three runs: known URLs, unknown URLs, and revalidations with If-None-Match
(304). Latency is measured at the client, from sending to the last byte. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from farmwatch.store.api_keys import KeyStore  # noqa: E402
from farmwatch.store.connection import connect  # noqa: E402
from farmwatch.store.embedded import EmbeddedRedis, free_port  # noqa: E402

SERVER = """
import sys, uvicorn
from service.app import create_app
uvicorn.run(create_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""


def ingest(http: httpx.Client, corpus: Path) -> list[str]:
    urls = []
    case = json.loads((corpus / "seed" / "case.json").read_text())
    for name in ("original", "repost"):
        page = case[name]
        body = {"url": page["url"], "html": (corpus / "seed" / page["html_file"]).read_text()}
        urls.append(http.post("/v1/pages", json=body).raise_for_status().json()["url"])
    dev = corpus / "provenance-dev"
    for line in (dev / "pages.jsonl").read_text().splitlines():
        row = json.loads(line)
        html = (dev / row["html_file"]).read_bytes().decode("utf-8", "replace")
        body = {"url": row["url"], "html": html, "published_at": row.get("published_at")}
        urls.append(http.post("/v1/pages", json=body).raise_for_status().json()["url"])
    return urls


async def load(
    base: str, token: str, urls: list[str], requests: int, seconds: float, concurrency: int, revalidate: bool
) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    etags: dict[str, str] = {}
    deadline = time.perf_counter() + seconds
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, limits=limits, headers=headers, timeout=30) as client:
        if revalidate:
            for url in urls:
                response = await client.get("/v1/lookup", params={"url": url})
                etags[url] = response.headers["etag"]

        async def worker(seed: int) -> None:
            nonlocal sent
            rng = random.Random(seed)
            while sent < requests and time.perf_counter() < deadline:
                sent += 1
                url = rng.choice(urls)
                extra = {"If-None-Match": etags[url]} if revalidate else None
                started = time.perf_counter()
                response = await client.get("/v1/lookup", params={"url": url}, headers=extra)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2),
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data:
        redis_server = EmbeddedRedis(Path(data), port=free_port())
        redis_server.start()
        port = free_port()
        env = dict(os.environ, PYTHONPATH=str(REPO))
        api = subprocess.Popen([sys.executable, "-c", SERVER, redis_server.url, str(port)], env=env, cwd=REPO)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=60) as http:
                for _ in range(200):
                    try:
                        http.get("/healthz")
                        break
                    except httpx.TransportError:
                        time.sleep(0.05)
                urls = ingest(http, args.corpus)
            client = connect(redis_server.url)
            token, _ = KeyStore(client, "fw").create("lookup", "bench", rate="100000000/minute")
            client.close()
            unknown = [f"https://unseen-{i}.example/story/{i}" for i in range(500)]
            results = {}
            for name, pool, revalidate in (
                ("known", urls, False),
                ("unknown", unknown, False),
                ("revalidate_304", urls, True),
            ):
                results[name] = asyncio.run(
                    load(base, token, pool, args.requests, args.seconds, args.concurrency, revalidate)
                )
                r = results[name]
                print(
                    f"{name:15s} {r['requests']:6d} requests in {r['seconds']:5.2f} s: {r['per_second']:7.1f}/s, "
                    f"p50 {r['p50_ms']:6.2f} ms, p99 {r['p99_ms']:6.2f} ms, statuses {r['statuses']}"
                )
        finally:
            api.terminate()
            api.wait(timeout=10)
            redis_server.stop()
    summary = {"pages": len(urls), "concurrency": args.concurrency, "cpus": os.cpu_count(), **results}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
