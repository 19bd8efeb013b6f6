"""What the moderation dashboard reads: the review queue, a page beside its source, a site's record."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from farmwatch.analysis.urls import host_of
from farmwatch.moderation import page_view, queue_page, site_groups
from farmwatch.reports import site_report
from farmwatch.store.review import QueueFilter
from service.auth import AUTH_ERRORS, require
from service.deps import AppState, get_state
from service.errors import ApiError
from service.models import ErrorResponse, PageReport, SiteReport
from service.routers.labels import Label

router = APIRouter(
    prefix="/v1/review", tags=["review"], dependencies=[Depends(require("moderator"))], responses=AUTH_ERRORS
)
State = Annotated[AppState, Depends(get_state)]


class QueueItem(BaseModel):
    url: str
    site: str
    title: str | None
    verdict: Literal["original", "republished"] | None
    score: float
    published_at: str | None
    first_seen: float
    source_url: str | None = Field(description="The first-ranked source, for republished pages.")
    source_site: str | None
    containment: float | None = Field(description="Share of this page's text found in its first source.")
    coverage: float | None = Field(None, description="Share of this page's text aligned to its first source.")
    reuse: Literal["wholly", "partially"] | None = None
    credited: bool | None = Field(description="Whether the page credits a source; null for originals.")
    label: Literal["confirm", "dismiss"] | None = Field(description="The latest moderator decision, if any.")
    reason: str | None = Field(None, description="The latest label's reason.")


class QueuePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[QueueItem]
    counts: dict[str, dict[str, int]] | None = Field(
        None,
        description="With counts=true: pages each choice of verdict, credited and labelled would show, the other "
        "filters kept ('' is any).",
    )


class SiteGroup(BaseModel):
    site: str
    pages: int = Field(description="The site's pages matching the filters (among the first scanned).")
    first_url: str = Field(description="The site's first page in the queue's order.")


class SiteGroups(BaseModel):
    total: int
    scanned: int = Field(description="How many of the queue's first pages were grouped.")
    groups: list[SiteGroup]


class SourceStatus(BaseModel):
    url: str
    verdict: Literal["original", "republished"] | None = Field(description="The source's own verdict.")
    original_url: str | None = Field(description="When the source is itself a copy: the page it copied.")
    original_site: str | None


class PageView(BaseModel):
    page: PageReport
    source: PageReport | None = Field(description="The chosen source's report (the first-ranked one by default).")
    source_index: int | None
    source_passages: list[int] = Field(description="Indexes of the source's paragraphs found in the page.")
    sources_status: list[SourceStatus] = Field(
        default_factory=list, description="What each ranked source is itself: an original or a copy."
    )
    labels: list[Label] = Field(description="The page's labels, oldest first, deleted and superseded ones included.")


class TimelinePeriod(BaseModel):
    period: str = Field(description="A day (2024-02-14), month (2024-02) or year (2024).")
    pages: int
    republished: int


class Timeline(BaseModel):
    bucket: Literal["day", "month", "year"]
    periods: list[TimelinePeriod] = Field(description="Consecutive periods, empty ones included.")
    undated: int = Field(0, description="The site's pages with no publication date (not charted).")


class SiteView(BaseModel):
    report: SiteReport
    pages: QueuePage
    timeline: Timeline


class SiteRow(BaseModel):
    site: str
    pages: int


def _day_start(day: date | None, end: bool = False) -> float | None:
    if day is None:
        return None
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return moment.timestamp()


Sort = Literal["priority", "score", "newest"]


def _filter(
    site: str | None,
    verdict: str | None,
    credited: bool | None,
    labelled: bool | None,
    since: date | None,
    until: date | None,
    sort: str = "score",
) -> QueueFilter:
    if since is not None and until is not None and since > until:
        raise ApiError(422, "invalid_request", f"the start date ({since}) is after the end date ({until})")
    host = (host_of(f"http://{site}") or site.lower()) if site else None
    return QueueFilter(host, verdict, credited, labelled, _day_start(since), _day_start(until, end=True), sort)


SiteQ = Annotated[str | None, Query(max_length=255, description="Only this site's pages.")]
CreditedQ = Annotated[bool | None, Query(description="Republications that do (true) or do not credit.")]
LabelledQ = Annotated[bool | None, Query(description="Pages a moderator has (true) or has not labelled.")]
SinceQ = Annotated[date | None, Query(description="Published (or first seen) on or after this day.")]
UntilQ = Annotated[date | None, Query(description="Published (or first seen) on or before this day.")]
SortQ = Annotated[
    Sort,
    Query(
        description="priority: uncredited republications first, then credited ones, then originals, each by score; "
        "score: highest score first; newest: latest publication first."
    ),
]


@router.get("/queue", response_model=QueuePage, summary="Judged pages, the worst first (or by score, or newest)")
def review_queue(
    state: State,
    site: SiteQ = None,
    verdict: Literal["republished", "original"] | None = None,
    credited: CreditedQ = None,
    labelled: LabelledQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
    sort: SortQ = "score",
    counts: Annotated[bool, Query(description="Also count the pages each filter choice would show.")] = False,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    flt = _filter(site, verdict, credited, labelled, since, until, sort)
    return queue_page(state.services, flt, offset, limit, counts=counts)


@router.get("/queue/sites", response_model=SiteGroups, summary="The queue's matching pages grouped by site")
def review_queue_sites(
    state: State,
    verdict: Literal["republished", "original"] | None = None,
    credited: CreditedQ = None,
    labelled: LabelledQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
    sort: SortQ = "score",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    flt = _filter(None, verdict, credited, labelled, since, until, sort)
    return site_groups(state.services, flt, limit)


@router.get(
    "/page",
    response_model=PageView,
    responses={404: {"model": ErrorResponse}},
    summary="A page, one of its sources, the passages they share, and the moderators' labels",
)
def review_page(
    state: State,
    url: Annotated[str, Query(max_length=4096)],
    source: Annotated[int, Query(ge=0, le=100, description="Which ranked source to show.")] = 0,
):
    view = page_view(state.services, url, source)
    if view is None:
        raise ApiError(404, "unknown_page", f"no report for {url}")
    return view


@router.get("/sites", response_model=list[SiteRow], summary="Sites by pages seen (for the queue's site filter)")
def review_sites(
    state: State,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,  # Redis ranges take 64-bit integers only
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):
    return [{"site": host, "pages": count} for host, count in state.services.pages.sites(offset, limit)]


@router.get(
    "/sites/{host}",
    response_model=SiteView,
    responses={404: {"model": ErrorResponse}},
    summary="A site's farm score with reasons, its pages by score, and its republications per day",
)
def review_site(
    host: str,
    state: State,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    host = host_of(f"http://{host}") or host.lower()
    report = site_report(state.services, host)
    if report is None:
        raise ApiError(404, "unknown_site", f"no pages seen from {host}")
    return {
        "report": report,
        "pages": queue_page(state.services, QueueFilter(site=host), offset, limit),
        "timeline": state.services.review.timeline(host),
    }
