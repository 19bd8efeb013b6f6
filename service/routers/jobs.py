"""Listing fetch jobs: the dead-letter list (jobs that failed for good, with their reasons) and queue depth.

GET /v1/jobs?status=failed rather than /v1/jobs/dead, so no route can shadow /v1/jobs/{job_id}.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state
from service.models import CursorPage, JobStatus
from service.pagination import CursorQ, count, decode_cursor, encode_cursor, limit_query, paged

router = APIRouter(prefix="/v1", tags=["pages"])
State = Annotated[AppState, Depends(get_state)]
Jobs = Annotated[Principal, Depends(require("ingest", "moderator"))]


class FailedJob(JobStatus):
    via: str | None = Field(None, description="The page or feed this URL was discovered from.")
    updated: float = Field(description="When the job failed for good (Unix time).")


class QueueDepth(BaseModel):
    waiting: int = Field(description="Jobs not yet taken by a worker.")
    pending: int = Field(description="Jobs taken by a worker and not finished.")
    delayed: int = Field(description="Jobs waiting for a retry.")
    dead: int = Field(description="Jobs that failed for good.")


class JobList(CursorPage):
    """Failed jobs, newest first, and the queue's depth."""

    items: list[FailedJob] = Field(description="The failed jobs.")
    queue: QueueDepth


JOBS = "failed_jobs"


@router.get(
    "/jobs",
    response_model=JobList,
    responses={**AUTH_ERRORS},
    summary="Failed jobs (the dead-letter list, newest first, with reasons) and the queue's depth",
    description=paged(
        "Jobs that failed for good, newest first, each with its reason (`robots_disallowed: …`, "
        "`http_status: … answered 410`…), and how many jobs wait, run, wait for a retry or are dead."
    ),
)
def list_jobs(
    state: State,
    _: Jobs,
    status: Annotated[Literal["failed"], Query(description="Only failed (dead-lettered) jobs are listed.")] = "failed",
    cursor: CursorQ = None,
    limit: Annotated[int, limit_query(100, 1000)] = 100,
):
    older = decode_cursor(JOBS, cursor, count)
    jobs, remaining = state.queue.dead_letters(limit, older)
    return {
        "items": jobs,
        "next_cursor": encode_cursor(JOBS, remaining) if remaining > 0 else None,
        "queue": state.queue.depth(),
    }
