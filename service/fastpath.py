"""`GET /v1/lookup` and `GET /healthz` answered ahead of FastAPI's routing, with the same answers.

The browser extension asks `/v1/lookup` for every page a user opens, and a balancer asks `/healthz` every few
seconds: both are small, and through FastAPI each paid more for the framework (its middleware stack, routing,
dependency solving, query validation, response handling) than for its own work. `FastPaths` is a pure ASGI
handler that the app (`service.app.FarmwatchApp`) calls before its Starlette stack for exactly these requests,
and that keeps everything a client or an operator sees:

- the same `RequestObserver` around it (request id in and out, the access line, the metrics counters and
  latency histogram under the same route templates) and the same `CORSMiddleware`, configured alike;
- the same key check and rate limit (`Auth.agate`, the script every keyed route runs), with the look-up's
  reads in the same script: key check, rate-limit hit and reads in one Redis round trip;
- the same answers, built by the same functions as the FastAPI route (`service/routers/lookup.py`): body,
  ETag and 304, Cache-Control, Vary, `queue=true`; refusals and errors through the app's own exception
  handlers (401, 403, 422, 429 with Retry-After, 503 when Redis is down, 500).

Anything the fast path would have to second-guess FastAPI on goes to FastAPI instead, decided before
anything is read or counted, so it is answered exactly as before: another method (HEAD, OPTIONS: CORS
preflights), a request with a body, a missing or over-long `url`, a `queue` value that is not one of
pydantic's plain booleans, a Redis Cluster (its look-up reads run in a thread on the stores). The FastAPI
routes stay registered: they serve those requests and the OpenAPI schema.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from farmwatch.analysis.urls import normalize_url
from farmwatch.reports import lookup_of_row
from farmwatch.store.lookups import READ_LUA, LookupReader
from service.auth import Auth, GateReads, forbidden
from service.observe import RequestObserver
from service.routers import lookup as lookup_route

LOOKUP_PATH = "/v1/lookup"
HEALTHZ_PATH = "/healthz"
_PARAMS = "farmwatch.lookup"  # the scope key carrying a look-up's parsed query from `match` to the handler
_MAX_URL = 4096  # the route's Query(max_length=...)
# pydantic's booleans from a string (case-insensitive); any other value goes to FastAPI for its 422.
_BOOLS = {
    **dict.fromkeys(("0", "off", "f", "false", "n", "no"), False),
    **dict.fromkeys(("1", "on", "t", "true", "y", "yes"), True),
}
_ALLOWED = {"admin", *lookup_route.ROLES}
_JSON = (b"content-type", b"application/json")
_HEALTHY = b'{"status":"ok"}'
_HEALTHY_HEADERS = [(b"content-length", str(len(_HEALTHY)).encode()), _JSON]


class FastPaths:
    def __init__(self, app: FastAPI, key_prefix: str, cors: dict[str, Any] | None) -> None:
        self.app = app
        self.reads = LookupReader(None, key_prefix)  # the look-up's reads, run inside the key check's script
        # The routes whose templates the observer reports (and that FastAPI serves everything else with).
        self.lookup_route = _route(lookup_route.router.routes, LOOKUP_PATH)
        self.healthz_route = _route(app.routes, HEALTHZ_PATH)
        # (handler for requests without an Origin header, handler for those with one): CORS adds its headers
        # only to the latter; to the former it adds `Vary: Origin`, as VaryOrigin does without its cost.
        self.lookup: tuple[ASGIApp, ASGIApp]
        self.healthz: tuple[ASGIApp, ASGIApp]
        if cors is None:
            self.lookup = (RequestObserver(self._lookup),) * 2
            self.healthz = (RequestObserver(self._healthz),) * 2
        else:
            self.lookup = (
                RequestObserver(VaryOrigin(self._lookup)),
                RequestObserver(CORSMiddleware(self._lookup, **cors)),
            )
            self.healthz = (
                RequestObserver(VaryOrigin(self._healthz)),
                RequestObserver(CORSMiddleware(self._healthz, **cors)),
            )

    def match(self, scope: Scope) -> ASGIApp | None:
        """The handler for this HTTP request, or None when FastAPI is to answer it (nothing read or counted)."""
        if scope["method"] != "GET":
            return None
        path = get_route_path(scope)
        if path == HEALTHZ_PATH:
            handlers, route = self.healthz, self.healthz_route
        elif path == LOOKUP_PATH:
            params = self._lookup_params(scope)
            if params is None:
                return None
            handlers, route = self.lookup, self.lookup_route
            scope[_PARAMS] = params
        else:
            return None
        origin = False
        for name, value in scope["headers"]:
            if (name == b"content-length" and value != b"0") or name == b"transfer-encoding":
                return None  # a GET with a body: the body limit and FastAPI decide
            if name == b"origin":
                origin = True
        scope["route"] = route
        return handlers[origin]

    def _lookup_params(self, scope: Scope) -> tuple[str, str | None, bool] | None:
        """(url stripped, its normalised form or None when not a web URL, queue), or None: FastAPI decides."""
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))  # as Starlette
        url = query.get("url")
        if url is None or len(url) > _MAX_URL:
            return None
        queue = False
        if "queue" in query:
            text = query["queue"]
            found = _BOOLS.get(text.lower()) if text.isascii() else None
            if found is None:
                return None
            queue = found
        if self.app.state.auth.aclient() is None:
            return None  # a Redis Cluster: the stores, in a thread, through the route
        url = url.strip()
        return url, normalize_url(url) if lookup_route.is_web_url(url) else None, queue

    async def _healthz(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(_HEALTHY_HEADERS)})
        await send({"type": "http.response.body", "body": _HEALTHY})

    async def _lookup(self, scope: Scope, receive: Receive, send: Send) -> None:
        url, normalized, queue = scope[_PARAMS]
        authorization = if_none_match = request_id = None
        for name, value in scope["headers"]:  # the first of each, as Starlette's Headers.get
            if name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"if-none-match" and if_none_match is None:
                if_none_match = value.decode("latin-1")
            elif name == b"x-request-id" and request_id is None:
                request_id = value.decode("latin-1")
        started = False

        def tracked(message: dict) -> Any:
            nonlocal started
            started = True
            return send(message)

        try:
            # The same order as the route: key and limit, role, then the URL's 422 (the reads only for a web URL).
            auth: Auth = self.app.state.auth
            reads = None if normalized is None else GateReads(READ_LUA, self.reads.keys, self.reads.args(normalized))
            principal, reply = await auth.agate(authorization, scope["state"], reads)
            if principal.role not in _ALLOWED:
                raise forbidden(principal.role, _ALLOWED)
            if normalized is None:
                raise lookup_route.bad_url()
            state = self.app.state.farmwatch
            body = await lookup_of_row(state.services, self.reads.row(reply), url)
            if not body["known"] and queue:
                await (await lookup_route.queued(state, body, request_id))(scope, receive, tracked)
                return
            status, headers, raw = lookup_route.answer(body, if_none_match or "")
            raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            if status == 200:
                raw_headers += [(b"content-length", str(len(raw)).encode()), _JSON]
            await tracked({"type": "http.response.start", "status": status, "headers": raw_headers})
            await send({"type": "http.response.body", "body": raw})
        except Exception as exc:
            if started:
                raise
            await self._error(scope, receive, send, exc)

    async def _error(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """The answer the app's exception handlers give (ExceptionMiddleware's, else ServerErrorMiddleware's)."""
        handlers = self.app.exception_handlers
        handler: Callable | None = next(
            (handlers[cls] for cls in type(exc).__mro__ if cls in handlers and cls is not Exception), None
        )
        if handler is None:
            handler = handlers.get(Exception) or handlers.get(500)
            if handler is None:
                raise exc
        request = Request(scope, receive)
        if inspect.iscoroutinefunction(handler):
            response = await handler(request, exc)
        else:
            response = await run_in_threadpool(handler, request, exc)
        await response(scope, receive, send)


class VaryOrigin:
    """What Starlette's CORSMiddleware does to the response of a request without an Origin header: its `Vary`
    header gains `Origin` (the first `Vary` header holds them all, the others go; one is added if none)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def vary_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = vary_origin(message.get("headers", []))
            await send(message)

        await self.app(scope, receive, vary_send)


def vary_origin(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    headers = list(headers)
    varies = [value for name, value in headers if name == b"vary"]
    vary = (b"vary", b", ".join([*varies, b"Origin"]))
    if not varies:
        return [*headers, vary]
    out: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name != b"vary":
            out.append((name, value))
        elif vary is not None:
            out.append(vary)
            vary = None
    return out


def _route(routes: Any, path: str) -> APIRoute:
    return next(route for route in routes if isinstance(route, APIRoute) and route.path == path)
