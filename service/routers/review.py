"""What the moderation dashboard reads: the review queue, a page beside its source, a site's record."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from farmwatch.analysis.urls import host_of
from farmwatch.moderation import page_view, queue_page, site_groups, site_rows
from farmwatch.reports import site_report
from farmwatch.store.review import QueueFilter
from service.auth import AUTH_ERRORS, require
from service.deps import AppState, get_state
from service.errors import ApiError
from service.models import CursorPage, ErrorResponse, PageReport, SiteReport
from service.pagination import (
    CursorQ,
    count,
    decode_cursor,
    encode_cursor,
    limit_query,
    paged,
    score_member,
    start_cursor,
)
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


class QueuePage(CursorPage):
    """A page of judged pages: `items`, `next_cursor` and `prev_cursor`, and how many match."""

    items: list[QueueItem]
    prev_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the page before this one; null on the first page."
    )
    total: int = Field(description="Pages matching the filters.")
    position: int = Field(description="How many matching pages come before this page's first (0 on the first page).")
    counts: dict[str, dict[str, int]] | None = Field(
        None,
        description="With counts=true: pages each choice of verdict, credited and labelled would show, the other "
        "filters kept ('' is any).",
    )


class SiteGroup(BaseModel):
    site: str
    pages: int = Field(description="The site's pages matching the filters (among the first scanned).")
    first_url: str = Field(description="The site's first page in the queue's order.")


class SiteGroups(CursorPage):
    """Sites with pages in the queue, in the order of their worst page."""

    items: list[SiteGroup]
    total: int = Field(description="Pages matching the filters.")
    scanned: int = Field(description="How many of the queue's first pages were grouped.")


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


class SiteList(CursorPage):
    """Sites by pages seen, most first."""

    items: list[SiteRow]
    total: int = Field(description="Sites seen.")


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


QUEUE, SITE_PAGES, SITES, GROUPS = "review_queue", "site_pages", "review_sites", "queue_sites"
OffsetQ = Annotated[
    int | None,
    Query(ge=0, le=1_000_000, deprecated=True, description="Deprecated: use `cursor`. Start at this position."),
]


def _page_response(page: dict, kind: str) -> dict:
    """queue_page's answer with its keyset positions as cursors."""
    out = {k: v for k, v in page.items() if k not in ("next", "previous", "before")}
    out["next_cursor"] = encode_cursor(kind, list(page["next"])) if page["next"] else None
    if not page["previous"]:
        out["prev_cursor"] = None
    else:
        out["prev_cursor"] = encode_cursor(kind, list(page["before"])) if page["before"] else start_cursor(kind)
    return out


@router.get(
    "/queue",
    response_model=QueuePage,
    summary="Judged pages, the worst first (or by score, or newest)",
    description=paged("Judged pages matching the filters, in the chosen order, filtered and paged in Redis.", True),
)
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
    cursor: CursorQ = None,
    limit: Annotated[int, limit_query(50, 200)] = 50,
    offset: OffsetQ = None,
):
    flt = _filter(site, verdict, credited, labelled, since, until, sort)
    after = decode_cursor(QUEUE, cursor, score_member)
    page = queue_page(state.services, flt, limit, after, 0 if cursor else offset or 0, counts=counts)
    return _page_response(page, QUEUE)


@router.get(
    "/queue/sites",
    response_model=SiteGroups,
    summary="The queue's matching pages grouped by site",
    description=paged(
        "Sites with pages matching the filters, in the order of their worst page, each with how many of the "
        "queue's first 2,000 matching pages it has. The groups are made again for each page: the cursor resumes "
        "after the last site shown."
    ),
)
def review_queue_sites(
    state: State,
    verdict: Literal["republished", "original"] | None = None,
    credited: CreditedQ = None,
    labelled: LabelledQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
    sort: SortQ = "score",
    cursor: CursorQ = None,
    limit: Annotated[int, limit_query(100, 500)] = 100,
):
    flt = _filter(None, verdict, credited, labelled, since, until, sort)
    after = decode_cursor(GROUPS, cursor, _group_position)
    groups = site_groups(state.services, flt, limit, after)
    following = groups.pop("next")
    return {**groups, "next_cursor": encode_cursor(GROUPS, list(following)) if following else None}


def _group_position(position: object) -> tuple[str, int]:
    """A groups cursor's position: [the last site shown, how many groups were shown]."""
    if not isinstance(position, list) or len(position) != 2 or not isinstance(position[0], str) or not position[0]:
        raise ValueError("[site, shown]")
    return position[0], count(position[1])


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


@router.get(
    "/sites",
    response_model=SiteList,
    summary="Sites by pages seen (for the queue's site filter)",
    description=paged("Every site the service has pages of, the most pages first."),
)
def review_sites(
    state: State,
    cursor: CursorQ = None,
    limit: Annotated[int, limit_query(200, 1000)] = 200,
    offset: OffsetQ = None,  # Redis ranges take 64-bit integers only
):
    after = decode_cursor(SITES, cursor, score_member)
    rows = site_rows(state.services, limit, after, 0 if cursor else offset or 0)
    following = rows.pop("next")
    return {**rows, "next_cursor": encode_cursor(SITES, list(following)) if following else None}


@router.get(
    "/sites/{host}",
    response_model=SiteView,
    responses={404: {"model": ErrorResponse}},
    summary="A site's farm score with reasons, its pages by score, and its republications per day",
    description=paged(
        "The site's report, its timeline, and one page of its pages (`pages`), highest score first: `cursor` "
        "and `limit` page through them, `pages.next_cursor` and `pages.prev_cursor` are the cursors.",
        True,
    ),
)
def review_site(
    host: str,
    state: State,
    cursor: CursorQ = None,
    limit: Annotated[int, limit_query(50, 200)] = 50,
    offset: OffsetQ = None,
):
    host = host_of(f"http://{host}") or host.lower()
    after = decode_cursor(SITE_PAGES, cursor, score_member)
    report = site_report(state.services, host)
    if report is None:
        raise ApiError(404, "unknown_site", f"no pages seen from {host}")
    pages = queue_page(state.services, QueueFilter(site=host), limit, after, 0 if cursor else offset or 0)
    return {
        "report": report,
        "pages": _page_response(pages, SITE_PAGES),
        "timeline": state.services.review.timeline(host),
    }
