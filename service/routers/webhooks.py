"""Webhooks: register HTTPS callbacks for events, see every event and delivery, replay them.

Admin keys only: a webhook receives every page's verdict changes and every job's end, and makes the
service send requests to an address of the caller's choosing (checked by the fetcher's SSRF rules).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from farmwatch.errors import InvalidRequest, NotFound
from farmwatch.store.webhooks import EVENT_TYPES, WebhookSettings, WebhookStore
from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state
from service.models import CursorPage, ErrorResponse, WebUrl
from service.pagination import (
    CursorQ,
    after_key,
    decode_cursor,
    encode_cursor,
    limit_query,
    paged,
    score_member,
    sort_key,
    stream_id,
)
from workers.webhooks import check_callback

router = APIRouter(prefix="/v1", tags=["webhooks"], responses=AUTH_ERRORS)
State = Annotated[AppState, Depends(get_state)]
Admin = Annotated[Principal, Depends(require())]
EventType = Literal["job.finished", "page.verdict_changed"]
assert set(EventType.__args__) == set(EVENT_TYPES)  # type: ignore[attr-defined]
_HOOK = "4f0c1e2d3b4a5968"


class WebhookIn(BaseModel):
    """A callback to register."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"url": "https://hooks.example.com/farmwatch", "events": ["page.verdict_changed"]}]
        }
    }

    url: WebUrl = Field(description="An https URL on a public address (the fetcher's rules apply).")
    events: list[EventType] = Field(
        default_factory=lambda: list(EVENT_TYPES), min_length=1, description="The events to receive (default: all)."
    )
    description: str = Field("", max_length=500, description="What the hook is for.")
    secret: str | None = Field(
        None, min_length=16, max_length=200, description="The signing secret; one is made when not given."
    )


class Webhook(BaseModel):
    """A registered callback (its secret is only shown when it is created)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": _HOOK,
                    "url": "https://hooks.example.com/farmwatch",
                    "events": ["page.verdict_changed"],
                    "description": "",
                    "created": 1764032000.0,
                    "active": True,
                    "secret": None,
                }
            ]
        }
    }

    id: str = Field(description="The hook's id.")
    url: str = Field(description="Where events are POSTed.")
    events: list[EventType] = Field(description="The events it receives.")
    description: str = Field(description="What the hook is for.")
    created: float = Field(description="When it was registered (Unix time).")
    active: bool = Field(description="Whether events are delivered to it.")
    secret: str | None = Field(
        None,
        description="The HMAC-SHA256 signing secret: returned once, by the registration; null otherwise. "
        "Each delivery carries `X-Farmwatch-Signature: t=<unix time>,v1=<hex HMAC(secret, '<t>.' + body)>`.",
    )


class WebhookList(CursorPage):
    """Registered hooks, oldest first."""

    items: list[Webhook] = Field(description="The hooks.")


class Event(BaseModel):
    """Something that happened: a job ended, or a page's verdict changed. The body POSTed to hooks is this
    object plus `delivery: {id, attempt}`."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": "1764032000123-0",
                    "type": "page.verdict_changed",
                    "created": 1764032000.1,
                    "data": {
                        "url": "https://farm.example/border-talks-resume",
                        "site": "farm.example",
                        "previous_verdict": "original",
                        "verdict": "republished",
                        "score": 0.97,
                        "source_url": "https://www.example-news.com/world/border-talks-resume",
                        "attributed": False,
                    },
                },
                {
                    "id": "1764032000456-0",
                    "type": "job.finished",
                    "created": 1764032000.4,
                    "data": {
                        "job_id": "9f1c2b…",
                        "status": "done",
                        "url": "https://example.com/a",
                        "error": None,
                        "attempts": 1,
                        "page_url": "https://example.com/a",
                    },
                },
            ]
        }
    }

    id: str = Field(description="The event's id (ordered by time; an idempotency key for receivers).")
    type: EventType = Field(description="job.finished or page.verdict_changed.")
    created: float = Field(description="When it happened (Unix time).")
    data: dict = Field(
        description="job.finished: job_id, status (done/failed), url, error, attempts, page_url. "
        "page.verdict_changed: url, site, previous_verdict (null for a new page), verdict, score, source_url, "
        "attributed."
    )


class EventList(CursorPage):
    """Events, newest first."""

    items: list[Event] = Field(description="The events.")


class Delivery(BaseModel):
    """One event's delivery to one hook, with its attempts."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": f"{_HOOK}/1764032000123-0",
                    "hook_id": _HOOK,
                    "event_id": "1764032000123-0",
                    "event_type": "page.verdict_changed",
                    "status": "delivered",
                    "attempts": 1,
                    "last_status": 204,
                    "last_error": None,
                    "next_attempt": None,
                    "delivered_at": 1764032001.0,
                    "created": 1764032000.2,
                }
            ]
        }
    }

    id: str = Field(description="hook id / event id.")
    hook_id: str = Field(description="The hook.")
    event_id: str = Field(description="The event.")
    event_type: EventType = Field(description="The event's type.")
    status: Literal["pending", "delivered", "failed"] = Field(
        description="pending (an attempt is due, maybe after a backoff), delivered (a 2xx answer), "
        "failed (every attempt failed; replay it when the receiver is fixed)."
    )
    attempts: int = Field(description="Attempts made.")
    last_status: int | None = Field(description="The HTTP status of the last attempt, if it got one.")
    last_error: str | None = Field(description="Why the last attempt failed.")
    next_attempt: float | None = Field(description="When the next attempt is due (Unix time).")
    delivered_at: float | None = Field(description="When it was delivered.")
    created: float = Field(description="When the delivery was made (or replayed).")


class DeliveryList(CursorPage):
    """A hook's deliveries, newest first."""

    items: list[Delivery] = Field(description="The deliveries.")


class ReplayRequest(BaseModel):
    """Events to deliver to a hook again."""

    model_config = {"json_schema_extra": {"examples": [{"event_ids": ["1764032000123-0"]}]}}

    event_ids: list[Annotated[str, Field(pattern=r"^\d{1,20}-\d{1,20}$")]] = Field(
        min_length=1, max_length=1000, description="Event ids (from GET /v1/events or a delivery)."
    )


class ReplayResult(BaseModel):
    """The deliveries queued again (unknown or trimmed events are skipped)."""

    model_config = {"json_schema_extra": {"examples": [{"deliveries": [f"{_HOOK}/1764032000123-0"]}]}}

    deliveries: list[str] = Field(description="Delivery ids, each due now from its first attempt.")


def _store(state: AppState) -> WebhookStore:
    return WebhookStore(state.services.client, state.services.settings.key_prefix)


def _hook(store: WebhookStore, hook_id: str) -> dict:
    hook = store.hook(hook_id)
    if hook is None:
        raise NotFound(f"no webhook {hook_id}", code="unknown_webhook")
    return hook


def _public(hook: dict) -> dict:
    return {**hook, "secret": None}


HOOKS, DELIVERIES, EVENTS = "webhooks", "deliveries", "events"


@router.post(
    "/webhooks",
    response_model=Webhook,
    status_code=201,
    responses={422: {"model": ErrorResponse}},
    summary="Register an HTTPS callback for job and verdict events",
)
def create_webhook(body: WebhookIn, state: State, _: Admin):
    """Events are POSTed as JSON, signed with HMAC-SHA256 (see `secret`), delivered at least once: any answer
    but a 2xx within 10 s is retried with an exponential backoff (2, 4, 8… s, at most 1 h) up to 8 attempts.
    The URL must be https on a public address (the fetcher's rules: no loopback, private or metadata
    addresses). The secret is returned here only."""
    settings = WebhookSettings()
    check_callback(body.url, state.services.settings.fetch, settings)
    store = _store(state)
    if store.count_hooks() >= settings.max_hooks:
        raise InvalidRequest(f"at most {settings.max_hooks} webhooks", code="too_many_webhooks")
    return store.add_hook(body.url, list(body.events), body.description, body.secret)


@router.get(
    "/webhooks",
    response_model=WebhookList,
    summary="Registered webhooks",
    description=paged("Every registered hook, oldest first, without secrets."),
)
def list_webhooks(state: State, _: Admin, cursor: CursorQ = None, limit: Annotated[int, limit_query(100, 500)] = 100):
    after = decode_cursor(HOOKS, cursor, sort_key)
    hooks, following = after_key(_store(state).hooks(), lambda h: (h["created"], h["id"]), after, limit)
    return {
        "items": [_public(h) for h in hooks],
        "next_cursor": encode_cursor(HOOKS, list(following)) if following else None,
    }


@router.get(
    "/webhooks/{hook_id}", response_model=Webhook, responses={404: {"model": ErrorResponse}}, summary="One webhook"
)
def get_webhook(hook_id: str, state: State, _: Admin):
    """The hook, without its secret."""
    return _public(_hook(_store(state), hook_id))


@router.delete(
    "/webhooks/{hook_id}", status_code=204, responses={404: {"model": ErrorResponse}}, summary="Remove a webhook"
)
def delete_webhook(hook_id: str, state: State, _: Admin) -> None:
    """The hook and its deliveries are removed; nothing more is sent to it."""
    if not _store(state).delete_hook(hook_id):
        raise NotFound(f"no webhook {hook_id}", code="unknown_webhook")


@router.get(
    "/webhooks/{hook_id}/deliveries",
    response_model=DeliveryList,
    responses={404: {"model": ErrorResponse}},
    summary="A webhook's deliveries, newest first",
    description=paged(
        "Each event's delivery to this hook: pending, delivered or failed, with attempts and the last error."
    ),
)
def list_deliveries(
    hook_id: str, state: State, _: Admin, cursor: CursorQ = None, limit: Annotated[int, limit_query(50, 500)] = 50
):
    after = decode_cursor(DELIVERIES, cursor, score_member)
    store = _store(state)
    _hook(store, hook_id)
    items, following = store.deliveries(hook_id, limit, after)
    return {"items": items, "next_cursor": encode_cursor(DELIVERIES, list(following)) if following else None}


@router.post(
    "/webhooks/{hook_id}/replay",
    response_model=ReplayResult,
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
    summary="Deliver events to a webhook again",
)
def replay_webhook(hook_id: str, body: ReplayRequest, state: State, _: Admin):
    """Each event is delivered again from its first attempt, whatever became of it before (delivered,
    failed, or from before the hook existed). Receivers deduplicate by `X-Farmwatch-Event-Id`."""
    store = _store(state)
    _hook(store, hook_id)
    return {"deliveries": store.replay(hook_id, body.event_ids)}


@router.get(
    "/events",
    response_model=EventList,
    summary="Events (job ends, verdict changes), newest first",
    description=paged("The event stream hooks are fed from (the latest 100,000 events are kept)."),
)
def list_events(
    state: State,
    _: Admin,
    cursor: CursorQ = None,
    limit: Annotated[int, limit_query(50, 500)] = 50,
    type: Annotated[EventType | None, Query(description="Only events of this type.")] = None,
):
    after = decode_cursor(EVENTS, cursor, stream_id)
    items = _store(state).events(limit + 1, after, type)  # one more: whether another page follows
    following = encode_cursor(EVENTS, items[limit - 1]["id"]) if len(items) > limit else None
    return {"items": items[:limit], "next_cursor": following}
