"""What an API client meets: errors are clear JSON, bad input changes nothing stored."""

from __future__ import annotations

import httpx

from tests.conftest import SEED, seed_case

CASE = seed_case()


def test_openapi_and_health(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    schema = api.get("/openapi.json").json()
    assert "/v1/pages" in schema["paths"] and "/v1/sites/{host}" in schema["paths"]
    assert api.get("/docs").status_code == 200


def test_unknown_page_is_a_json_404(api: httpx.Client) -> None:
    response = api.get("/v1/pages", params={"url": "https://nowhere.example/a"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_page"


def test_malformed_json_and_fields_get_422(api: httpx.Client) -> None:
    response = api.post("/v1/pages", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in response.json()["error"]["message"]
    response = api.post("/v1/pages", json={"url": "ftp://example.com/x", "html": "<p>x</p>"})
    assert response.status_code == 422
    assert "http" in response.json()["error"]["message"]
    response = api.post("/v1/pages", json={"html": "<p>x</p>"})
    assert response.status_code == 422
    assert "url" in response.json()["error"]["message"]


def test_bad_html_is_refused_and_loses_nothing(api: httpx.Client) -> None:
    original = CASE["original"]
    ok = api.post("/v1/pages", json={"url": original["url"], "html": (SEED / original["html_file"]).read_text()})
    assert ok.status_code == 200
    before = api.get("/v1/pages", params={"url": original["url"]}).json()
    # Resubmitting the same URL with a body that is not HTML must not replace the stored report.
    for bad in ["", "just some words, no markup", "\x00\x01\x02binary\x00" * 50]:
        response = api.post("/v1/pages", json={"url": original["url"], "html": bad})
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "unusable_page"
    after = api.get("/v1/pages", params={"url": original["url"]}).json()
    assert after == before


def test_malformed_html_still_gets_a_report(api: httpx.Client) -> None:
    html = "<html><body><div><p>Unclosed <b>tags <i>everywhere<div><p>" + "word " * 200 + "</table></span>"
    response = api.post("/v1/pages", json={"url": "https://example.org/broken", "html": html})
    assert response.status_code == 200
    assert response.json()["provenance"]["verdict"] == "original"


def test_submitting_a_url_queues_a_job(api: httpx.Client) -> None:
    response = api.post("/v1/pages", json={"url": "https://example.org/story"})
    assert response.status_code == 202
    body = response.json()
    status = api.get(body["status_url"]).json()
    assert status["status"] == "queued" and status["url"] == "https://example.org/story"
    # The same URL again while queued: the same job, not a second one.
    assert api.post("/v1/pages", json={"url": "https://example.org/story"}).json()["job_id"] == body["job_id"]
    assert api.get("/v1/jobs/nope").status_code == 404


def test_a_page_with_almost_no_text_is_reported(api: httpx.Client) -> None:
    response = api.post("/v1/pages", json={"url": "https://example.org/empty", "html": "<html><body><p>Hi</p></body>"})
    assert response.status_code == 200
    report = response.json()
    assert report["provenance"]["verdict"] == "original"
    assert "too little main text" in " ".join(report["warnings"])
