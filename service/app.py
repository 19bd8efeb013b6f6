"""The FastAPI application."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from farmwatch import collector
from farmwatch.config import Settings, get_settings
from farmwatch.metrics import RedisMetrics
from farmwatch.services import Services
from farmwatch.store.connection import connect
from service import errors, observe, openapi
from service.auth import Auth, is_loopback
from service.bodylimit import BodyLimit
from service.deps import AppState
from service.fastpath import FastPaths
from service.observe import RequestObserver
from service.routers import batch, check, dashboard, feeds, jobs, labels, lookup, pages, review, sites, webhooks


class FarmwatchApp(FastAPI):
    """FastAPI, with `GET /v1/lookup` and `GET /healthz` answered ahead of its stack (service/fastpath.py)."""

    fast_paths: FastPaths | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fast = self.fast_paths
        if fast is not None and scope["type"] == "http":
            try:
                handler = fast.match(scope)
            except Exception:  # whatever the fast path cannot decide, FastAPI answers
                handler = None
            if handler is not None:
                scope["app"] = self
                await handler(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(
    redis_url: str, settings: Settings | None = None, bind_host: str | None = None, fast_paths: bool = True
) -> FarmwatchApp:
    """The app; `bind_host` (default FARMWATCH_HOST) decides whether it may answer without keys.

    `fast_paths=False` leaves every request to FastAPI's stack (the tests compare the two)."""
    settings = settings or get_settings()
    open_when_no_keys = is_loopback(bind_host or settings.host)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        client = connect(redis_url)
        services = Services.create(client, settings)
        app.state.farmwatch = AppState(services, services.queue)
        app.state.auth = Auth(client, settings, open_when_no_keys)
        app.state.metrics = RedisMetrics(client, settings.key_prefix)
        thresholds = collector.started()  # the start-up's objects out of the collector's sight; given back below
        yield
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        await app.state.auth.aclose()  # the asyncio client of the key check and look-up reads
        app.state.metrics.close()
        client.close()

    app = FarmwatchApp(
        title="farmwatch",
        version="0.1.0",
        summary="Content-farm and republication detector: provenance and boilerplate reports for web pages.",
        description=openapi.DESCRIPTION,
        openapi_tags=openapi.TAGS,
        docs_url=None,  # served by service/openapi.py from local assets (no CDN)
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,  # operation ids: the route functions' names
        lifespan=lifespan,
    )
    errors.install(app)
    openapi.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes, timeout=settings.body_timeout)
    app.include_router(pages.router)
    app.include_router(sites.router)
    app.include_router(feeds.router)
    app.include_router(jobs.router)
    app.include_router(lookup.router)
    app.include_router(review.router)
    app.include_router(labels.router)
    app.include_router(check.router)
    app.include_router(batch.router)
    app.include_router(webhooks.router)
    dashboard.install(app)
    cors: dict[str, Any] | None = None
    if settings.cors_origin_regex:
        cors = {
            "allow_origin_regex": settings.cors_origin_regex,
            "allow_methods": ["GET", "POST"],
            "allow_headers": ["Authorization", "Content-Type", "If-None-Match"],
            "expose_headers": ["ETag", "Retry-After"],
            "max_age": 600,
        }
        app.add_middleware(CORSMiddleware, **cors)

    app.add_middleware(RequestObserver)  # added last, so outermost: it sees every response, refusals included
    app.include_router(observe.router)

    @app.get("/healthz", tags=["operations"], summary="Alive")
    async def healthz() -> dict[str, str]:  # async: answered on the event loop, no thread-pool hop
        """The process is alive (no key needed; says nothing of Redis: see /readyz)."""
        return {"status": "ok"}

    if fast_paths:
        app.fast_paths = FastPaths(app, settings.key_prefix, cors)
    return app
