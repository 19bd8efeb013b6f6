"""The API's other types (jobs, batches, webhooks, events, sites' look-ups); the report is in report.py."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

JobState = Literal["queued", "running", "done", "failed"]
EventType = Literal["job.finished", "page.verdict_changed"]


class JobAccepted(BaseModel):
    job_id: str
    status_url: str
    status: JobState = "queued"


class JobStatus(BaseModel):
    job_id: str
    url: str | None = None
    status: JobState
    error: str | None = None
    attempts: int = 0
    page_url: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str


class BatchItemResult(BaseModel):
    index: int
    url: str
    status: Literal["indexed", "queued", "error"]
    job_id: str | None = None
    status_url: str | None = None
    verdict: Literal["original", "republished"] | None = None
    score: float | None = None
    report_url: str | None = None
    error: ErrorBody | None = None
    error_status: int | None = None


class BatchResult(BaseModel):
    items: list[BatchItemResult]
    indexed: int
    queued: int
    errors: int


class Webhook(BaseModel):
    id: str
    url: str
    events: list[EventType]
    description: str = ""
    created: float
    active: bool = True
    secret: str | None = None


class Event(BaseModel):
    id: str
    type: EventType
    created: float
    data: dict


class Delivery(BaseModel):
    id: str
    hook_id: str
    event_id: str
    event_type: EventType
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None = None
    last_error: str | None = None
    next_attempt: float | None = None
    delivered_at: float | None = None
    created: float


class Feed(BaseModel):
    url: str
    added: float
    via: str | None = None
    kind: str | None = None
    last_polled: float | None = None
    last_status: int | str | None = None
    last_error: str | None = None
    items_seen: int = 0
    items_queued: int = 0


class PageDeleted(BaseModel):
    url: str
    deleted: bool
    rejudged: int
