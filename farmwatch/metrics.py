"""Prometheus metrics kept in Redis, so they are right across every API and worker process.

Why not prometheus-client's multiprocess mode: it shares counters through files in one
directory on one host, so workers on other machines (`farmwatch worker` anywhere that
reaches Redis) would be missing, and behind a load balancer each scrape would see one
host's numbers. Redis is already the state every process shares: each process adds its
increments to a local buffer and flushes it to Redis hashes (one pipelined HINCRBYFLOAT
round trip) once a second from a background thread and at every scrape, so the hot path
costs a dict update. Any API process renders the same totals with prometheus-client's exposition code.

Keys: fw:metrics:c:{name} (hash: label JSON → value) for counters and histogram parts.
"""

from __future__ import annotations

import atexit
import bisect
import logging
import threading
import time
from collections import defaultdict

import orjson
import redis
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from farmwatch.store.layout import KeyLayout

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

COUNTERS = {
    "farmwatch_http_requests": ("HTTP requests by route template, method and status", ("route", "method", "status")),
    "farmwatch_jobs": ("Fetch jobs finished, by outcome (done, retry, failed)", ("outcome",)),
    "farmwatch_fetch_errors": ("Fetch errors by kind", ("kind",)),
    "farmwatch_settled_pages": (
        "Pages judged again because their sites' records moved, by whether the verdict changed",
        ("changed",),
    ),
}
HISTOGRAMS = {
    "farmwatch_http_request_duration_seconds": ("HTTP request latency by route template", ("route",)),
    "farmwatch_job_duration_seconds": ("Fetch job processing time, fetch and analysis included", ()),
}


class RedisMetrics:
    """Counters and histograms buffered per process and summed in Redis."""

    def __init__(self, client: redis.Redis, prefix: str = "fw", flush_interval: float = 1.0) -> None:
        self.client = client
        self.prefix = prefix
        self.flush_interval = flush_interval
        self._buffer: dict[tuple[str, bytes], float] = defaultdict(float)
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._flusher: threading.Thread | None = None
        self._closed = threading.Event()
        self._request_fields: dict[tuple[str, str, int, int], tuple[bytes, bytes, bytes]] = {}
        atexit.register(self.flush)

    def _ensure_flusher(self) -> None:
        """A daemon thread flushes the buffer every interval, so an idle process holds nothing back."""
        if self._flusher is None or not self._flusher.is_alive():
            self._flusher = threading.Thread(target=self._flush_forever, name="metrics-flush", daemon=True)
            self._flusher.start()

    def _flush_forever(self) -> None:
        while not self._closed.wait(self.flush_interval):
            try:
                self.flush()
            except Exception:  # flush keeps counts it could not write; whatever else happens, keep flushing
                logging.getLogger("farmwatch.metrics").exception("metrics flush failed")

    def close(self) -> None:
        self._closed.set()
        self.flush()

    def _key(self, name: str) -> str:
        return KeyLayout(self.prefix).metric(name)

    def inc(self, name: str, labels: tuple[str, ...], value: float = 1.0) -> None:
        with self._lock:
            self._buffer[(name, orjson.dumps(labels))] += value
        self._maybe_flush()

    def observe(self, name: str, labels: tuple[str, ...], seconds: float) -> None:
        index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
        bucket = str(LATENCY_BUCKETS[index]) if index < len(LATENCY_BUCKETS) else "+Inf"
        with self._lock:
            self._buffer[(f"{name}:bucket", orjson.dumps((*labels, bucket)))] += 1
            self._buffer[(f"{name}:sum", orjson.dumps(labels))] += seconds
        self._maybe_flush()

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        """One HTTP request: `farmwatch_http_requests` and `farmwatch_http_request_duration_seconds` at once.

        The same counts `inc` and `observe` would add; the label fields of each (route, method, status,
        bucket) are encoded once per process rather than once per request."""
        index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
        cache_key = (route, method, status, index)
        fields = self._request_fields.get(cache_key)
        if fields is None:
            bucket = str(LATENCY_BUCKETS[index]) if index < len(LATENCY_BUCKETS) else "+Inf"
            fields = (orjson.dumps((route, method, str(status))), orjson.dumps((route, bucket)), orjson.dumps((route,)))
            if len(self._request_fields) < 10_000:  # routes are templates: bounded, but never grow without end
                self._request_fields[cache_key] = fields
        with self._lock:
            buffer = self._buffer
            buffer[("farmwatch_http_requests", fields[0])] += 1
            buffer[("farmwatch_http_request_duration_seconds:bucket", fields[1])] += 1
            buffer[("farmwatch_http_request_duration_seconds:sum", fields[2])] += seconds
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        # The flusher thread writes to Redis; the caller (an API's event loop, say) never waits on Redis here.
        if self._flusher is None or not self._flusher.is_alive():
            if self._closed.is_set():
                self.flush()  # closed: nothing flushes later, so this call does
            else:
                self._ensure_flusher()

    def flush(self) -> None:
        with self._lock:
            pending, self._buffer = self._buffer, defaultdict(float)
            self._last_flush = time.monotonic()
        if not pending:
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            for (name, labels), value in pending.items():
                pipe.hincrbyfloat(self._key(name), labels, value)
            pipe.execute()
        except (redis.RedisError, OSError):
            with self._lock:  # keep the counts for the next flush rather than lose them
                for key, value in pending.items():
                    self._buffer[key] += value

    # --- rendering (any process) ---
    def _read(self, name: str) -> dict[tuple[str, ...], float]:
        raw = self.client.hgetall(self._key(name))
        return {tuple(orjson.loads(k)): float(v) for k, v in raw.items()}

    def collect(self) -> list[Metric]:
        self.flush()
        families: list[Metric] = []
        for name, (doc, labels) in COUNTERS.items():
            family = CounterMetricFamily(name, doc, labels=list(labels))
            for values, count in sorted(self._read(name).items()):
                family.add_metric(list(values), count)
            families.append(family)
        for name, (doc, labels) in HISTOGRAMS.items():
            family = HistogramMetricFamily(name, doc, labels=list(labels))
            buckets = self._read(f"{name}:bucket")
            sums = self._read(f"{name}:sum")
            series: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
            for values, count in buckets.items():
                series[values[:-1]][values[-1]] = count
            for values in sorted(series):
                running, cumulative = 0.0, []
                for bound in (*[str(b) for b in LATENCY_BUCKETS], "+Inf"):
                    running += series[values].get(bound, 0.0)
                    cumulative.append((bound, running))
                family.add_metric(list(values), cumulative, sums.get(values, 0.0))
            families.append(family)
        return families


def gauge(name: str, doc: str, value: float, labels: dict[str, str] | None = None) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=list(labels or {}))
    family.add_metric(list((labels or {}).values()), value)
    return family
