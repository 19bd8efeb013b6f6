"""Hostile pages, servers and clients (issue 18), each played by a local server or client on loopback.

Forged originals, idle and slow-header sockets, deep nesting, bad charsets, oversized and compressed
robots.txt, a robots.txt that eats the fetch deadline, odd addresses and redirects, binary and truncated
bodies, non-UTF-8 request bodies, an orphaned embedded Redis. Every test is bounded in count and time.
"""

from __future__ import annotations

import gzip
import os
import signal
import socket
import subprocess
import sys
import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from farmwatch.config import Settings
from farmwatch.store.embedded import EmbeddedRedis, free_port

ARTICLE = (
    "<html><head><title>Harbour report</title></head><body><article><h1>Harbour report</h1>"
    + "".join(
        f"<p>The harbour authority said on Tuesday that shipment number {i} of grain arrived late because of "
        f"the storm, and that the dockworkers union would meet the port council again next week {i}.</p>"
        for i in range(12)
    )
    + "</article></body></html>"
)


# --- idle and slow-header connections ---


@pytest.fixture(scope="module")
def served(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`farmwatch serve` itself, in its own process (so the attacker here does not share its GIL), with
    1-second idle and header timeouts; returns its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FARMWATCH_")}
    env.update(
        REDIS_URL=redis_server.url,
        FARMWATCH_PORT=str(port),
        FARMWATCH_DATA_DIR=str(tmp_path_factory.mktemp("served")),
        FARMWATCH_HTTP_HEADER_TIMEOUT="1",
        FARMWATCH_HTTP_IDLE_TIMEOUT="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "farmwatch.cli", "serve", "--workers", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "farmwatch serve did not come up"
                time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _p99(client: httpx.Client, n: int = 200) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get("/healthz")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.quantiles(times, n=100)[98]


def _closed(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True  # reset


def test_a_thousand_idle_and_slow_header_sockets_leave_other_clients_answered(served: int) -> None:
    port = served
    # The well-behaved client comes from another loopback address than the attacker.
    good = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=5
    )
    _p99(good, 50)  # warm up
    idle_p99 = _p99(good)
    attackers: list[socket.socket] = []
    stop = threading.Event()
    try:
        for i in range(1000):
            sock = socket.socket()
            sock.settimeout(2)
            try:
                sock.connect(("127.0.0.1", port))
                if i % 2:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            except OSError:
                sock.close()
                continue
            attackers.append(sock)

        def drip() -> None:  # the slow-header half sends one more header byte now and then
            while not stop.wait(0.2):
                for sock in attackers[1::2]:
                    try:
                        sock.send(b"X")
                    except OSError:
                        pass

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        time.sleep(0.2)
        attacked_p99 = _p99(good)
        print(f"p99 idle {idle_p99 * 1000:.2f} ms, attacked {attacked_p99 * 1000:.2f} ms")
        # A little absolute slack for a shared 2-core machine (the README gives a longer run's figures).
        assert attacked_p99 <= 2 * idle_p99 + 0.005, (idle_p99, attacked_p99)
        # At most 32 (FARMWATCH_HTTP_CLIENT_CONNECTIONS) were kept; the header deadline (1 s here) closes
        # those too, dripping or not.
        time.sleep(0.2)
        assert sum(not _closed(s) for s in attackers) <= 32
        deadline = time.monotonic() + 5
        while any(not _closed(s) for s in attackers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(_closed(s) for s in attackers)
    finally:
        stop.set()
        for sock in attackers:
            sock.close()
        good.close()


def test_keep_alive_connection_idle_past_its_timeout_is_closed(served: int) -> None:
    port = served
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        assert sock.recv(1) == b""  # closed by the server after the idle timeout (1 s here)
        assert time.monotonic() - started < 3
