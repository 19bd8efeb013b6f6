"""The OpenAPI document is fit for generating clients; the docs are served without a CDN."""

from __future__ import annotations

import httpx

from farmwatch.analysis import credits, direction
from farmwatch.analysis.blocks import BlockKind
from farmwatch.report import BlockKindName, CreditKind, EvidenceKind

STABLE_IDS = {
    ("/v1/pages", "post"): "submit_page",
    ("/v1/pages", "get"): "get_page",
    ("/v1/pages", "delete"): "delete_page",
    ("/v1/jobs/{job_id}", "get"): "job_status",
    ("/v1/check", "post"): "check_page",
    ("/v1/pages/batch", "post"): "submit_batch",
    ("/v1/webhooks", "post"): "create_webhook",
    ("/v1/events", "get"): "list_events",
    ("/v1/sites/{host}", "get"): "get_site",
    ("/v1/lookup", "get"): "lookup",
}


def test_operations_have_stable_ids_descriptions_roles_security_and_examples(api: httpx.Client) -> None:
    schema = api.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "fwk_…",
        "description": schema["components"]["securitySchemes"]["bearer"]["description"],
    }
    ids = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            ids.append(operation["operationId"])
            assert operation.get("description"), (path, method)
            if path in ("/healthz", "/readyz"):
                assert operation["security"] == []
            else:
                assert operation["security"] == [{"bearer": []}], (path, method)
                assert "**Roles:**" in operation["description"], (path, method)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                assert "example" in body or "examples" in body, (path, method)
            for status, response in operation["responses"].items():
                media = response.get("content", {}).get("application/json")
                if media is not None and status.startswith("2"):
                    assert "example" in media or "examples" in media, (path, method, status)
    assert len(ids) == len(set(ids))
    for (path, method), operation_id in STABLE_IDS.items():
        assert schema["paths"][path][method]["operationId"] == operation_id
    assert "admin, ingest, moderator" in schema["paths"]["/v1/check"]["post"]["description"]


def test_every_schema_is_described_with_an_example_and_enums(api: httpx.Client) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    for name, schema in schemas.items():
        assert schema.get("description"), name
        if schema.get("type") == "object":
            assert schema.get("examples"), name
    assert schemas["Provenance"]["properties"]["verdict"]["enum"] == ["original", "republished"]
    assert "enum" in schemas["Credit"]["properties"]["kind"]
    assert "enum" in schemas["BoilerplateBlock"]["properties"]["kind"]
    assert "enum" in schemas["EvidenceItem"]["properties"]["kind"]
    for field in ("similarity", "coverage", "spans"):
        assert schemas["Source"]["properties"][field].get("description")


def test_report_enums_cover_what_the_code_produces() -> None:
    assert set(BlockKindName.__args__) == {k.value for k in BlockKind}
    assert {kind for kind, _ in credits._REPUBLICATION_PATTERNS} | {"wire"} <= set(CreditKind.__args__)
    produced = {direction._EVIDENCE_KIND.get(f, f) for f in direction.FEATURES} | {
        "same_site",
        "unverified",
        "republisher",
    }
    assert produced <= set(EvidenceKind.__args__)


def test_docs_are_served_from_this_origin(api: httpx.Client) -> None:
    for page in ("/docs", "/redoc"):
        html = api.get(page).text
        assert "cdn" not in html.lower() and "googleapis" not in html
    docs = api.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in docs
    script = api.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert api.get("/docs/assets/redoc.standalone.js").status_code == 200
    assert api.get("/docs/assets/swagger-ui.css").status_code == 200


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return _resolve(options[0], components) if len(options) == 1 else schema


def test_every_list_pages_by_cursor(api: httpx.Client) -> None:
    """A GET operation returns a list when its answer is an array, holds `items` (itself or in a field), takes
    a `limit`, or holds an array of objects while not reading one resource named by its path or `url`. Every
    such operation takes `cursor` and `limit`, answers with `next_cursor`, and says how to page."""
    schema = api.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    lists = []
    for path, methods in schema["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        params = {p["name"]: p for p in operation.get("parameters", [])}
        for old in ("offset", "before"):
            if old in params:
                assert params[old].get("deprecated") is True, (path, old)
        media = operation["responses"].get("200", {}).get("content", {}).get("application/json")
        if media is None:
            continue
        body = _resolve(media["schema"], components)
        assert body.get("type") != "array", f"{path} answers a bare array"
        fields = {name: _resolve(field, components) for name, field in body.get("properties", {}).items()}
        pages = [name for name, field in fields.items() if "items" in field.get("properties", {})]
        objects = [
            name
            for name, field in fields.items()
            if field.get("type") == "array" and _resolve(field.get("items", {}), components).get("type") == "object"
        ]
        one_resource = "{" in path or params.get("url", {}).get("required", False)
        if not ("items" in fields or pages or "limit" in params or (objects and not one_resource)):
            continue
        lists.append(path)
        assert "cursor" in params and params["cursor"]["in"] == "query", path
        assert "limit" in params and params["limit"]["schema"].get("maximum"), path
        assert "next_cursor" in params["cursor"]["description"], path
        page = body if "items" in fields else fields[pages[0]]
        assert fields.get("items", {}).get("type") == "array" or pages, path
        assert "next_cursor" in page["properties"], path
        assert page["properties"]["next_cursor"].get("description"), path
        assert "`cursor`" in operation["description"] and "next_cursor" in operation["description"], path
    assert {"/v1/review/queue", "/v1/review/sites", "/v1/review/sites/{host}", "/v1/labels", "/v1/feeds"} <= set(lists)
    assert {"/v1/jobs", "/v1/events", "/v1/webhooks", "/v1/webhooks/{hook_id}/deliveries"} <= set(lists)
