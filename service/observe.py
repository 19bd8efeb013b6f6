"""Operations: request ids, access logs and metrics for every request; /metrics and /readyz."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Annotated

import redis
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import Metric
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from farmwatch.logs import new_request_id, request_id_var
from farmwatch.metrics import RedisMetrics, gauge
from farmwatch.store.lsh import LshIndex
from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state

log = logging.getLogger("farmwatch.api")


class RequestObserver:
    """Pure ASGI middleware (outermost): request id in, `X-Request-ID` out, one access line, metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                offered = value.decode("latin-1")
                break
        request_id = new_request_id(offered)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        id_header = (b"x-request-id", request_id.encode())

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"  # templates only: bounded label values
            method = scope.get("method", "")
            app = scope.get("app")
            metrics: RedisMetrics | None = getattr(app.state, "metrics", None) if app is not None else None
            if metrics is not None:
                metrics.request(template, method, status, elapsed)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "method": method,
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "key_id": scope.get("state", {}).get("key_id"),
                    },
                )
            request_id_var.reset(token)


router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics, summed over every API and worker process",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, **AUTH_ERRORS},
)
def metrics(
    request: Request,
    state: Annotated[AppState, Depends(get_state)],
    _: Annotated[Principal, Depends(require("moderator"))],
) -> Response:
    registry = _Registry(request.app.state.metrics, state)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)  # type: ignore[arg-type]


class _Registry:
    """What generate_latest needs: a collect() over the Redis totals and a few live gauges."""

    def __init__(self, metrics: RedisMetrics, state: AppState) -> None:
        self.metrics, self.state = metrics, state

    def collect(self) -> Iterator[Metric]:
        yield from self.metrics.collect()
        depth = self.state.queue.depth()
        family = gauge("farmwatch_queue_jobs", "Fetch jobs in the queue by state", 0, {"state": "waiting"})
        family.samples.clear()
        for name, value in depth.items():
            family.add_metric([name], value)
        yield family
        services = self.state.services
        yield gauge("farmwatch_pages_indexed", "Pages stored and indexed", services.pages.count())
        yield gauge(
            "farmwatch_index_memory_bytes",
            "Memory of the LSH index keys in Redis (sampled)",
            index_memory(services.index),
        )
        info = services.client.info("memory")
        yield gauge("farmwatch_redis_memory_bytes", "Redis used_memory", float(info.get("used_memory", 0)))


_index_memory_cache: dict[str, tuple[float, float]] = {}


def index_memory(index: LshIndex, max_age: float = 60.0) -> float:
    """Bytes held by the LSH index, estimated from a sample of its groups; measured at most once a minute."""
    cached = _index_memory_cache.get(index.prefix)
    if cached and time.monotonic() - cached[0] < max_age:
        return cached[1]
    total = index.memory_usage()
    _index_memory_cache[index.prefix] = (time.monotonic(), total)
    return total


@router.get(
    "/readyz",
    summary="Ready: Redis reachable, persistence on, queue not stuck (503 with the failing checks otherwise)",
    responses={503: {"description": "not ready; the body says which check failed"}},
)
def readyz(state: Annotated[AppState, Depends(get_state)]) -> JSONResponse:
    checks = readiness(state)
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


def readiness(state: AppState) -> dict[str, dict]:
    client = state.services.client
    checks: dict[str, dict] = {}
    try:
        client.ping()
        checks["redis"] = {"ok": True}
    except (redis.RedisError, OSError) as error:
        return {"redis": {"ok": False, "detail": f"Redis unreachable: {type(error).__name__}"}}
    info = client.info("persistence")
    aof = bool(info.get("aof_enabled"))
    try:
        rdb = bool((client.config_get("save") or {}).get("save"))
    except redis.RedisError:  # managed Redis may refuse CONFIG: trust AOF, or say so
        rdb = False
    checks["persistence"] = {
        "ok": aof or rdb,
        "detail": f"aof {'on' if aof else 'off'}, rdb snapshots {'on' if rdb else 'off'}",
    }
    stuck_after = state.services.settings.queue_stuck_after
    idle = _freshest_worker_idle(client, state.queue.stream)
    # Read from the stream itself: XINFO GROUPS has no `lag` before Redis 7, so depth() cannot say.
    oldest = _oldest_undelivered_age(client, state.queue.stream)
    # Stuck: a job has waited longer than allowed and no worker has read the queue for as long.
    stuck = oldest > stuck_after and (idle is None or idle > stuck_after)
    detail = f"oldest job not yet handed to a worker: {oldest:.0f} s; " + (
        "no worker has read the queue" if idle is None else f"a worker read the queue {idle:.0f} s ago"
    )
    checks["queue"] = {"ok": not stuck, "detail": detail}
    return checks


def _oldest_undelivered_age(client: redis.Redis, stream: str) -> float:
    """Age in seconds of the oldest stream entry no worker has been handed yet (0 when none)."""
    try:
        groups = client.xinfo_groups(stream)
    except redis.ResponseError:
        return 0.0
    group = next((g for g in groups if g.get("name") in ("workers", b"workers")), None)
    last = group.get("last-delivered-id") if group else b"0-0"
    last = last.decode() if isinstance(last, bytes) else str(last)
    entries = client.xrange(stream, min=f"({last}", max="+", count=1)
    if not entries:
        return 0.0
    entry_id = entries[0][0]
    millis = int((entry_id.decode() if isinstance(entry_id, bytes) else entry_id).split("-")[0])
    return max(0.0, time.time() - millis / 1000)


def _freshest_worker_idle(client: redis.Redis, stream: str) -> float | None:
    """Seconds since the most recently active worker talked to the queue (None: no worker ever)."""
    try:
        consumers = client.xinfo_consumers(stream, "workers")
    except redis.ResponseError:
        return None
    idles = [c.get("idle") for c in consumers if c.get("idle") is not None]
    return min(idles) / 1000 if idles else None
