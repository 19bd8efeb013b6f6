"""Registering sites' RSS/Atom feeds and sitemaps, which workers poll for new articles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state
from service.models import CursorPage, ErrorResponse, WebUrl
from service.pagination import CursorQ, after_key, decode_cursor, encode_cursor, limit_query, paged, sort_key

router = APIRouter(prefix="/v1", tags=["feeds"])
State = Annotated[AppState, Depends(get_state)]
Ingest = Annotated[Principal, Depends(require("ingest"))]
Reader = Annotated[Principal, Depends(require("moderator", "ingest"))]  # not lookup keys (README role table)


class FeedSubmission(BaseModel):
    url: WebUrl = Field(..., description="An RSS or Atom feed, a sitemap or a sitemap index.")


class Feed(BaseModel):
    url: str
    added: float
    via: str | None = Field(None, description="The sitemap index this sitemap was found in.")
    kind: str | None = Field(None, description="rss, atom, sitemap or sitemapindex, once polled.")
    last_polled: float | None = None
    last_status: int | str | None = Field(None, description="HTTP status of the last poll, or the error kind.")
    last_error: str | None = None
    items_seen: int = 0
    items_queued: int = Field(0, description="Article URLs queued for fetching so far.")


class FeedList(CursorPage):
    """Registered feeds and sitemaps, oldest first."""

    items: list[Feed]


@router.post(
    "/feeds",
    response_model=Feed,
    status_code=201,
    responses={200: {"model": Feed, "description": "already registered"}, 422: {"model": ErrorResponse}, **AUTH_ERRORS},
    summary="Register a feed or sitemap: workers poll it and fetch its new articles",
)
def add_feed(submission: FeedSubmission, state: State, _: Ingest):
    record, created = state.services.feeds.add(submission.url)
    return JSONResponse(Feed(**record).model_dump(), status_code=201 if created else 200)


FEEDS = "feeds"


@router.get(
    "/feeds",
    response_model=FeedList,
    responses={**AUTH_ERRORS},
    summary="Registered feeds and sitemaps",
    description=paged("Every registered feed and sitemap, oldest first, with its last poll."),
)
def list_feeds(state: State, _: Reader, cursor: CursorQ = None, limit: Annotated[int, limit_query(100, 1000)] = 100):
    after = decode_cursor(FEEDS, cursor, sort_key)
    feeds, following = after_key(state.services.feeds.all(), lambda f: (f["added"], f["url"]), after, limit)
    return {"items": feeds, "next_cursor": encode_cursor(FEEDS, list(following)) if following else None}
