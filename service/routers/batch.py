"""Submitting many pages or URLs in one request."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from farmwatch.errors import FarmwatchError
from farmwatch.ingest import submit_html
from farmwatch.store.webhooks import WebhookStore
from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state
from service.errors import status_of
from service.models import ErrorBody, ErrorResponse, PageSubmission

router = APIRouter(prefix="/v1", tags=["batch"])
State = Annotated[AppState, Depends(get_state)]
Ingest = Annotated[Principal, Depends(require("ingest"))]
BATCH_LIMIT = 100  # items per request (the request body is capped at FARMWATCH_MAX_REQUEST_BYTES too)


class BatchSubmission(BaseModel):
    """Up to 100 pages: each with its HTML (analysed and indexed at once) or a URL only (fetched by a worker)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "items": [
                        {"url": "https://example.com/a"},
                        {"url": "https://farm.example/b", "html": "<html><body><p>…</p></body></html>"},
                    ]
                }
            ]
        }
    }

    items: list[PageSubmission] = Field(
        min_length=1, max_length=BATCH_LIMIT, description=f"The pages, at most {BATCH_LIMIT}."
    )


class BatchItemResult(BaseModel):
    """What became of one item, in the order submitted."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "index": 0,
                    "url": "https://example.com/a",
                    "status": "queued",
                    "job_id": "9f1c2b…",
                    "status_url": "/v1/jobs/9f1c2b…",
                    "verdict": None,
                    "score": None,
                    "report_url": None,
                    "error": None,
                }
            ]
        }
    }

    index: int = Field(description="The item's position in `items`.")
    url: str = Field(description="The item's URL as submitted.")
    status: Literal["indexed", "queued", "error"] = Field(
        description="indexed: analysed and stored now; queued: a fetch job (see job_id); error: refused."
    )
    job_id: str | None = Field(None, description="The fetch job, for URL-only items.")
    status_url: str | None = Field(None, description="Where to poll the job.")
    verdict: Literal["original", "republished"] | None = Field(None, description="For indexed items.")
    score: float | None = Field(None, description="Republication score, for indexed items.")
    report_url: str | None = Field(None, description="Where the full report is (GET).")
    error: ErrorBody | None = Field(None, description="Why the item was refused (the same codes as single calls).")
    error_status: int | None = Field(None, description="The HTTP status the item alone would have got.")


class BatchResult(BaseModel):
    """Per-item results, in the order submitted, and counts."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "items": [BatchItemResult.model_config["json_schema_extra"]["examples"][0]],
                    "indexed": 0,
                    "queued": 1,
                    "errors": 0,
                }
            ]
        }
    }

    items: list[BatchItemResult] = Field(description="One result per submitted item, in order.")
    indexed: int = Field(description="Items analysed and stored now.")
    queued: int = Field(description="Items queued as fetch jobs.")
    errors: int = Field(description="Items refused.")


@router.post(
    "/pages/batch",
    response_model=BatchResult,
    responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, **AUTH_ERRORS},
    summary=f"Submit up to {BATCH_LIMIT} pages or URLs at once",
)
def submit_batch(body: BatchSubmission, state: State, request: Request, _: Ingest):
    """Each item is handled as `POST /v1/pages` would: with `html`, analysed, indexed and judged now (its
    verdict in the result, its report at `report_url`); without, a fetch job is queued (`job_id`; a
    `job.finished` webhook event follows when it ends). One item's failure does not fail the others: it gets
    `status: error` with the error code and status it would have got alone. The whole request is refused
    (422) only when it is malformed or has more than 100 items."""
    from urllib.parse import quote

    request_id = getattr(request.state, "request_id", None)
    results: list[dict] = []
    jobs: list[str] = []
    for index, item in enumerate(body.items):
        result: dict = {"index": index, "url": item.url}
        try:
            if item.html is not None:
                report = submit_html(
                    state.services, item.url, item.html, origin="client", published_hint=item.published_at
                )
                provenance = report.provenance
                result.update(
                    status="indexed",
                    verdict=provenance.verdict if provenance else None,
                    score=provenance.score if provenance else None,
                    report_url=f"/v1/pages?url={quote(report.url, safe='')}",
                )
            else:
                job_id, _created = state.queue.submit(item.url, request_id=request_id)
                jobs.append(job_id)
                result.update(status="queued", job_id=job_id, status_url=f"/v1/jobs/{job_id}")
        except FarmwatchError as error:
            result.update(status="error", error={"code": error.code, "message": error.message})
            result["error_status"] = status_of(error)
        results.append(result)
    WebhookStore(state.services.client, state.services.settings.key_prefix).watch_jobs(jobs)
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("indexed", "queued", "error")}
    return {"items": results, "indexed": counts["indexed"], "queued": counts["queued"], "errors": counts["error"]}
