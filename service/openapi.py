"""The OpenAPI document, made for generating clients, and the interactive docs, served from this process.

- Operation ids are the route functions' names (`submit_page`, `get_page`, `check_page`…): stable across
  releases, and what a generated client names its methods. tests/test_openapi.py pins them.
- One security scheme, `bearer` (`Authorization: Bearer fwk_…`), on every operation but `/healthz` and
  `/readyz`; each operation's description ends with the roles that may call it (read from its `require`).
- Every schema carries a description and an example (the models' own, else one assembled from its fields'
  examples); every JSON request and response carries an example.
- Swagger UI (`/docs`) and ReDoc (`/redoc`) load their JavaScript and CSS from this service (the files shipped
  by the `fastapi-offline` package), never from a CDN: the docs work on a machine without internet.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

DESCRIPTION = """\
farmwatch finds content farms and republished articles: for each page, its **provenance** (original or
republished, from which source, credited or not, with the evidence) and its **boilerplate**; for each site,
how farm-like it is.

**Authentication.** Send `Authorization: Bearer fwk_…`. Each operation lists the roles that may call it
(`admin` may call everything). A service bound to loopback with no keys configured answers without a key.

**Errors** are always `{"error": {"code", "message"}}`: 401 no or bad key, 403 role, 404 unknown, 408 body too
slow, 413 body too large, 422 malformed JSON, fields or unusable page, 429 rate limit (see `Retry-After`),
503 store unavailable (see `Retry-After`).

**Pagination.** Every list takes `limit` and `cursor` and answers with `items` and `next_cursor` (null on the
last page): pass `next_cursor` back as `cursor` for the next page. Cursors are opaque strings.
"""

TAGS = [
    {"name": "pages", "description": "Submit pages (with their HTML, or a URL to fetch), read reports, jobs."},
    {"name": "check", "description": "Check a text or page against the index without storing anything."},
    {"name": "batch", "description": "Submit many pages or URLs in one request."},
    {"name": "webhooks", "description": "HTTPS callbacks for finished jobs and changed verdicts (signed)."},
    {"name": "sites", "description": "Sites' aggregates and farm scores."},
    {"name": "feeds", "description": "RSS/Atom feeds and sitemaps polled by the workers."},
    {"name": "lookup", "description": "Cheap look-ups for browser extensions."},
    {"name": "review", "description": "The moderators' queue and views."},
    {"name": "labels", "description": "Moderators' labels on verdicts."},
    {"name": "operations", "description": "Health, readiness and metrics."},
]

PUBLIC_OPERATIONS = {"healthz", "readyz"}
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "fwk_…",
    "description": "An API key made by `farmwatch keys create --role ROLE` (shown once).",
}


def _assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def operation_id(route: APIRoute) -> str:
    """The route function's name: stable, short, and unique (tests check it)."""
    return route.name


def _roles_in(dependencies: list) -> list[str] | None:
    """The roles a `service.auth.require(...)` among these dependencies admits (its closure's `allowed`)."""
    for dependency in dependencies:
        call = getattr(dependency, "dependency", None) or getattr(dependency, "call", None)
        if getattr(call, "__name__", "").startswith("require_") and call.__closure__:
            for cell in call.__closure__:
                if isinstance(cell.cell_contents, set):
                    return sorted(cell.cell_contents)
    return None


def api_routes(routes: list, inherited: list | None = None) -> Iterator[tuple[APIRoute, list[str] | None]]:
    """Every APIRoute (included routers too) with the roles that may call it."""
    for route in routes:
        if isinstance(route, APIRoute):
            roles = _roles_in(route.dependant.dependencies) or _roles_in([*(inherited or []), *route.dependencies])
            yield route, roles
        elif hasattr(route, "original_router"):  # FastAPI >= 0.16x: included routers stay routers
            router = route.original_router
            yield from api_routes(router.routes, [*(inherited or []), *router.dependencies])


def _example_of(schema: dict, components: dict, depth: int = 0) -> Any:
    """An example for a schema: its own, else one assembled from its properties' examples and defaults."""
    if depth > 6:
        return None
    if "$ref" in schema:
        target = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return _example_of(target, components, depth + 1)
    if schema.get("examples"):
        return copy.deepcopy(schema["examples"][0])
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    if "default" in schema and schema["default"] is not None:
        return copy.deepcopy(schema["default"])
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example_of(options[0], components, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: _example_of(prop, components, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", []) or depth == 0
        }
    if kind == "array":
        return [_example_of(schema.get("items", {}), components, depth + 1)]
    return {"string": "text", "integer": 0, "number": 0.5, "boolean": True}.get(kind or "")


def _complete(schema: dict) -> dict:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = {"bearer": SECURITY_SCHEME}
    for name, component in schemas.items():
        component.setdefault("description", f"{name}.")
        if not component.get("examples") and component.get("type") == "object":
            component["examples"] = [_example_of({**component, "examples": None}, schemas)]
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and "example" not in body and "examples" not in body:
                body["example"] = _example_of(body.get("schema", {}), schemas)
            for status, response in responses.items():
                media = response.get("content", {}).get("application/json")
                if media is not None and "example" not in media and "examples" not in media:
                    media["example"] = _example_of(media.get("schema", {}), schemas)
                if not response.get("description"):
                    response["description"] = f"HTTP {status}"
    return schema


def install(app: FastAPI) -> None:
    """Stable operation ids, roles in descriptions, the bearer scheme, examples; docs served locally."""
    build = app.openapi  # wraps whatever is installed already (service/errors.py documents the error shape)

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        roles = {route.name: found for route, found in api_routes(app.routes)}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                name = operation.get("operationId", "")
                text = (operation.get("description") or operation.get("summary") or name).strip()
                if roles.get(name) is not None and "**Roles:**" not in text:
                    text += f"\n\n**Roles:** {', '.join(roles[name])}."
                operation["description"] = text
                operation["security"] = [] if name in PUBLIC_OPERATIONS else [{"bearer": []}]
        app.openapi_schema = _complete(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/docs/assets", StaticFiles(directory=_assets_dir()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="farmwatch API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="farmwatch API",
            redoc_js_url="/docs/assets/redoc.standalone.js",
            redoc_favicon_url="/docs/assets/favicon.png",
            with_google_fonts=False,
        )
