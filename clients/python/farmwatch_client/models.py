"""The API's other types (jobs, batches, webhooks, events, labels, the review queue, pages of lists); the report is
in report.py."""

from __future__ import annotations

from datetime import date
from typing import Generic, Literal, TypedDict, TypeVar

from pydantic import BaseModel, ConfigDict

from farmwatch_client.report import SiteReport

T = TypeVar("T")
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


# --- lists: one page model, `items` and `next_cursor` (pass it back as `cursor`) ---
class Page(BaseModel, Generic[T]):
    """One page of a list. `next_cursor` (None on the last page) gives the next; fields beyond `items` and
    the cursors (`total`, `counts`…) are kept as attributes."""

    model_config = ConfigDict(extra="allow")

    items: list[T]
    next_cursor: str | None = None


class Label(BaseModel):
    id: str
    page_id: int
    url: str
    decision: Literal["confirm", "dismiss"]
    reason: str | None = None
    note: str = ""
    verdict: str | None = None
    score: float | None = None
    source_url: str | None = None
    moderator: str | None = None
    created_at: float
    current: bool | None = None
    deleted_at: float | None = None
    deleted_by: str | None = None


class QueueItem(BaseModel):
    url: str
    site: str
    title: str | None = None
    verdict: Literal["original", "republished"] | None = None
    score: float
    published_at: str | None = None
    first_seen: float
    source_url: str | None = None
    source_site: str | None = None
    containment: float | None = None
    coverage: float | None = None
    reuse: Literal["wholly", "partially"] | None = None
    credited: bool | None = None
    label: Literal["confirm", "dismiss"] | None = None
    reason: str | None = None


class QueueFilters(TypedDict, total=False):
    """The review queue's filters (each optional)."""

    site: str
    verdict: Literal["republished", "original"]
    credited: bool
    labelled: bool
    since: date | str
    until: date | str
    sort: Literal["priority", "score", "newest"]


class QueuePage(Page[QueueItem]):
    """A page of the review queue (or of a site's pages): `prev_cursor` gives the page before."""

    prev_cursor: str | None = None
    total: int
    position: int = 0
    counts: dict[str, dict[str, int]] | None = None


class SiteRow(BaseModel):
    site: str
    pages: int


class SiteList(Page[SiteRow]):
    total: int = 0


class SiteGroup(BaseModel):
    site: str
    pages: int
    first_url: str


class SiteGroups(Page[SiteGroup]):
    total: int = 0
    scanned: int = 0


class TimelinePeriod(BaseModel):
    period: str
    pages: int
    republished: int


class Timeline(BaseModel):
    bucket: Literal["day", "month", "year"]
    periods: list[TimelinePeriod]
    undated: int = 0


class FailedJob(JobStatus):
    via: str | None = None
    updated: float


class QueueDepth(BaseModel):
    waiting: int
    pending: int
    delayed: int
    dead: int


class FailedJobs(Page[FailedJob]):
    """A page of the dead-letter list, with the job queue's depth."""

    queue: QueueDepth


class SiteView(BaseModel):
    """A site's report, one page of its pages (highest score first) and its timeline."""

    report: SiteReport
    pages: QueuePage
    timeline: Timeline
