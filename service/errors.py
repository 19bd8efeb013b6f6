"""One JSON error shape for every failure, and never a stack trace.

Every error farmwatch raises on purpose is a `FarmwatchError` (farmwatch/errors.py); `STATUS` below is the one
place that says which HTTP status each answers with, and one handler turns any of them into
`{"error": {"code", "message"}}`. Routes just raise: no route needs a try/except to translate errors.
"""

from __future__ import annotations

import logging
import math

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from farmwatch.errors import (
    ApiError,
    FarmwatchError,
    FetchedOriginal,
    FetchError,
    Forbidden,
    ImportRefused,
    IndexLayoutError,
    InputError,
    InvalidRequest,
    NotFound,
    RateLimited,
    StoreUnavailable,
    Unauthorized,
)

__all__ = ["STATUS", "ApiError", "error_response", "install", "status_of"]

log = logging.getLogger("farmwatch.api")

# Exception class -> HTTP status; the most specific class in an error's MRO wins.
STATUS: dict[type[FarmwatchError], int] = {
    InputError: 422,  # README: "422 … unusable page"
    NotFound: 404,
    FetchedOriginal: 409,  # client HTML under the URL of a page the service fetched
    ImportRefused: 409,  # the export conflicts with this service (format, version, fingerprint settings)
    FetchError: 502,  # the page's own server failed us (bad_url / forbidden_address: 422, below)
    StoreUnavailable: 503,  # with Retry-After
    IndexLayoutError: 503,  # the service cannot match until `farmwatch reindex`
    InvalidRequest: 422,  # README: "422 malformed JSON, fields"
    Unauthorized: 401,  # with WWW-Authenticate
    Forbidden: 403,
    RateLimited: 429,  # with Retry-After
    ApiError: 400,
    FarmwatchError: 500,
}
# Fetch refusals that are the caller's URL's fault, not the remote server's.
_FETCH_CLIENT_KINDS = {"bad_url", "forbidden_address"}
# redis-py's own errors for "cannot reach Redis" answer as StoreUnavailable.
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def status_of(exc: FarmwatchError) -> int:
    if isinstance(exc, ApiError) and exc.status is not None:  # the older ApiError(status, code, message) form
        return exc.status
    if isinstance(exc, FetchError) and exc.kind in _FETCH_CLIENT_KINDS:
        return 422
    return next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)


def _headers(exc: FarmwatchError) -> dict[str, str] | None:
    headers = dict(exc.headers) if isinstance(exc, ApiError) else {}
    if exc.retry_after is not None and "Retry-After" not in headers:
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return headers or None


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _describe(errors: list[dict]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(x) for x in error.get("loc", ()) if x != "body")
        message = error.get("msg", "invalid")
        if error.get("type") == "json_invalid":
            return "the request body is not valid JSON"
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "invalid request"


def _document_error_shape(app: FastAPI) -> None:
    """The schema must say what the service sends: FastAPI documents its own 422 body
    (HTTPValidationError), but every error here is {"error": {"code", "message"}}."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        ref = {"$ref": "#/components/schemas/ErrorResponse"}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "ErrorResponse",
            {
                "type": "object",
                "required": ["error"],
                "title": "ErrorResponse",
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    }
                },
            },
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                response = operation.get("responses", {}).get("422")
                if response is not None:
                    response["content"] = {"application/json": {"schema": ref}}
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    _document_error_shape(app)

    @app.exception_handler(FarmwatchError)
    async def _farmwatch_error(_: Request, exc: FarmwatchError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.warning("%s: %s", type(exc).__name__, exc)
        return error_response(status, exc.code, exc.message, _headers(exc))

    async def _redis_down(request: Request, exc: Exception) -> JSONResponse:
        return await _farmwatch_error(request, StoreUnavailable())

    for redis_error in REDIS_DOWN:
        app.add_exception_handler(redis_error, _redis_down)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _describe(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "the service failed on this request; it has been logged")
