"""Submitting pages and reading their reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from farmwatch.ingest import submit_html
from farmwatch.reports import page_report
from farmwatch.store.webhooks import WebhookStore
from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state
from service.errors import ApiError
from service.models import ErrorResponse, JobAccepted, JobStatus, PageDeleted, PageReport, PageSubmission

router = APIRouter(prefix="/v1", tags=["pages"])
State = Annotated[AppState, Depends(get_state)]
Ingest = Annotated[Principal, Depends(require("ingest"))]
Reader = Annotated[Principal, Depends(require("moderator", "lookup", "ingest"))]
Jobs = Annotated[Principal, Depends(require("ingest", "moderator"))]


@router.post(
    "/pages",
    response_model=PageReport,
    responses={
        202: {"model": JobAccepted},
        409: {"model": ErrorResponse, "description": "HTML sent for a URL the service fetched itself"},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
        **AUTH_ERRORS,
    },
    summary="Submit a page: analysed at once with its HTML, else fetched by a worker",
)
def submit_page(submission: PageSubmission, state: State, request: Request, _: Ingest):
    if submission.html is not None:
        return submit_html(
            state.services, submission.url, submission.html, origin="client", published_hint=submission.published_at
        )
    request_id = getattr(request.state, "request_id", None) or request.headers.get("x-request-id")
    job_id, _created = state.queue.submit(submission.url, request_id=request_id)
    WebhookStore(state.services.client, state.services.settings.key_prefix).watch_jobs([job_id])  # job.finished
    accepted = JobAccepted(job_id=job_id, status_url=request.url_for("job_status", job_id=job_id).path)
    return JSONResponse(accepted.model_dump(), status_code=202)


@router.get(
    "/pages",
    response_model=PageReport,
    responses={404: {"model": ErrorResponse}, **AUTH_ERRORS},
    summary="The report of a page by URL",
)
def get_page(state: State, url: Annotated[str, Query(max_length=4096)], _: Reader):
    report = page_report(state.services, url)
    if report is None:
        raise ApiError(404, "unknown_page", f"no report for {url}: submit it with POST /v1/pages")
    return report


@router.delete(
    "/pages",
    response_model=PageDeleted,
    responses={404: {"model": ErrorResponse}, **AUTH_ERRORS},
    summary="Remove a page from the store and the index; the pages matched with it are judged again",
)
def delete_page(
    state: State, url: Annotated[str, Query(max_length=4096)], _: Annotated[Principal, Depends(require("moderator"))]
):
    from farmwatch.removal import delete_page as remove

    removed = remove(state.services, url)
    if removed is None:
        raise ApiError(404, "unknown_page", f"no page stored under {url}")
    return removed


@router.get(
    "/jobs/{job_id}",
    response_model=JobStatus,
    responses={404: {"model": ErrorResponse}, **AUTH_ERRORS},
    name="job_status",
    summary="A fetch job's status",
)
def job_status(job_id: str, state: State, _: Jobs):
    status = state.queue.status(job_id)
    if status is None:
        raise ApiError(404, "unknown_job", f"no job {job_id}")
    return status
