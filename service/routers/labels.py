"""Moderator labels: confirm or dismiss a verdict with a reason and a note (one page, or many at once); undo
or delete one; list them; export them as JSON lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from farmwatch.analysis.urls import normalize_url
from farmwatch.store.labels import LabelStore
from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state
from service.errors import ApiError
from service.models import CursorPage, ErrorResponse
from service.pagination import CursorQ, count, decode_cursor, encode_cursor, limit_query, paged, stream_id

router = APIRouter(prefix="/v1/labels", tags=["labels"], responses=AUTH_ERRORS)
State = Annotated[AppState, Depends(get_state)]
Moderator = Annotated[Principal, Depends(require("moderator"))]


Reason = Literal["farm_copy", "licensed_syndication", "false_match", "other"]
REASON_HELP = (
    "farm_copy: the verdict is right and the page should be acted on; licensed_syndication: the verdict is right "
    "but the reuse is licensed (no action); false_match: the verdict is wrong; other: explained in the note."
)


class LabelIn(BaseModel):
    url: str = Field(..., max_length=4096, description="The labelled page's URL (as reported).")
    decision: Literal["confirm", "dismiss"] = Field(description="Confirm the verdict, or dismiss it as wrong.")
    reason: Reason | None = Field(None, description=REASON_HELP)
    note: str = Field("", max_length=4000, description="Why, for the next moderator.")


class BulkLabelIn(BaseModel):
    urls: list[str] = Field(..., min_length=1, max_length=200, description="The labelled pages' URLs.")
    decision: Literal["confirm", "dismiss"]
    reason: Reason | None = Field(None, description=REASON_HELP)
    note: str = Field("", max_length=4000)


class Label(BaseModel):
    id: str = Field(description="The label's id (ordered by time).")
    page_id: int
    url: str
    decision: Literal["confirm", "dismiss"]
    reason: Reason | None = None
    note: str
    verdict: str | None = Field(description="The verdict the label was given on.")
    score: float | None
    source_url: str | None
    moderator: str | None = Field(description="The key (name or id) that gave the label; null on an open service.")
    created_at: float
    current: bool | None = Field(
        None, description="In a page's labels: its moderator's current label (not superseded, not deleted)."
    )
    deleted_at: float | None = None
    deleted_by: str | None = None


class BulkResult(BaseModel):
    items: list[Label]
    unknown: list[str] = Field(description="URLs with no report (not labelled).")


class LabelList(CursorPage):
    """Labels: newest first, or one page's oldest first."""

    items: list[Label]


def _store(state: AppState) -> LabelStore:
    return state.services.labels


def _moderator(principal: Principal) -> str | None:
    return (principal.key.name or principal.key.id) if principal.key is not None else None


def _label_one(state: AppState, url: str, body: LabelIn | BulkLabelIn, moderator: str | None) -> dict | None:
    pages = state.services.pages
    page_id = pages.page_id(normalize_url(url))
    facts = pages.facts([page_id]).get(page_id) if page_id is not None else None
    if page_id is None or facts is None:
        return None
    provenance = pages.provenances([page_id]).get(page_id)
    label = _store(state).add(
        page_id, facts.url, body.decision, body.note.strip(), provenance, moderator, reason=body.reason
    )
    state.services.review.mark_labelled(page_id)
    return label


@router.post(
    "",
    response_model=Label,
    status_code=201,
    responses={404: {"model": ErrorResponse}},
    summary="Confirm or dismiss a page's verdict, with a reason and a note (supersedes your earlier label)",
)
def add_label(body: LabelIn, state: State, principal: Moderator):
    label = _label_one(state, body.url, body, _moderator(principal))
    if label is None:
        raise ApiError(404, "unknown_page", f"no report for {body.url}: only reported pages can be labelled")
    return label


@router.post("/bulk", response_model=BulkResult, status_code=201, summary="Give many pages the same label")
def add_labels(body: BulkLabelIn, state: State, principal: Moderator):
    items, unknown = [], []
    for url in dict.fromkeys(body.urls):
        label = _label_one(state, url, body, _moderator(principal))
        if label is None:
            unknown.append(url)
        else:
            items.append(label)
    return {"items": items, "unknown": unknown}


@router.delete(
    "/{label_id}",
    response_model=Label,
    responses={404: {"model": ErrorResponse}},
    summary="Delete (undo) a label: the moderator's previous label for the page, if any, is current again",
)
def delete_label(label_id: Annotated[str, Path(pattern=r"^\d{1,20}-\d{1,20}$")], state: State, principal: Moderator):
    if not _valid_before(label_id):
        raise ApiError(404, "unknown_label", f"no label {label_id}")
    store = _store(state)
    label = store.delete(label_id, _moderator(principal))
    if label is None:
        raise ApiError(404, "unknown_label", f"no label {label_id}")
    state.services.review.mark_labelled(label["page_id"], bool(store.current(label["page_id"])))
    return label


LABELS, PAGE_LABELS = "labels", "page_labels"


@router.get(
    "",
    response_model=LabelList,
    summary="Labels, newest first (or one page's, oldest first)",
    description=paged(
        "Every label, newest first, deleted and superseded ones included; with `url`, that page's labels, "
        "oldest first, each marked `current` or not."
    ),
)
def list_labels(
    state: State,
    _: Moderator,
    url: Annotated[str | None, Query(max_length=4096, description="Only this page's labels.")] = None,
    cursor: CursorQ = None,
    limit: Annotated[int, limit_query(50, 500)] = 50,
    before: Annotated[
        str | None,
        Query(
            pattern=r"^\d+-\d+$", deprecated=True, description="Deprecated: use `cursor`. Labels older than this id."
        ),
    ] = None,
):
    store = _store(state)
    if url is not None:
        start = decode_cursor(PAGE_LABELS, cursor, count) or 0
        page_id = state.services.pages.page_id(normalize_url(url))
        labels = store.for_page(page_id) if page_id is not None else []
        end = start + limit
        return {
            "items": labels[start:end],
            "next_cursor": encode_cursor(PAGE_LABELS, end) if end < len(labels) else None,
        }
    after = decode_cursor(LABELS, cursor, stream_id)
    if after is None and before is not None:
        # "(0-0" or an id past 64 bits is no valid stream range for Redis: nothing is older than it.
        if not _valid_before(before):
            return {"items": [], "next_cursor": None}
        after = before
    items = store.recent(limit + 1, after)  # one more: whether another page follows
    following = encode_cursor(LABELS, items[limit - 1]["id"]) if len(items) > limit else None
    return {"items": items[:limit], "next_cursor": following}


@router.get(
    "/export",
    summary="Every label as JSON lines, oldest first",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export_labels(state: State, _: Moderator):
    store = _store(state)

    def lines() -> Iterator[bytes]:
        for label in store.export():
            yield orjson.dumps(label) + b"\n"

    return StreamingResponse(
        lines(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="farmwatch-labels.jsonl"'},
    )


def _valid_before(entry_id: str) -> bool:
    millis, seq = (int(x) for x in entry_id.split("-"))
    return (millis, seq) != (0, 0) and millis < 2**64 and seq < 2**64
