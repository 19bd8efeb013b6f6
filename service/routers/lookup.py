"""The browser extension's look-up: what is known about a URL, from Redis only, in one small response.

No analysis runs here: a look-up reads the stored verdict (one HMGET), the moderators' latest label (one
HGET) and the site's farm score, which is cached in Redis for a few minutes because computing it reads up
to 2,000 page reports. Responses carry an ETag and Cache-Control so a browser revalidates cheaply.

Most look-ups never reach this route: service/fastpath.py answers them ahead of FastAPI, with the key check
and these reads in one Redis call, building its answers with `answer`, `queued` and `bad_url` below. The
route serves the OpenAPI schema and what the fast path leaves to FastAPI (a missing or over-long `url`, a
`queue` that is not a plain boolean, a Redis Cluster), and it is what the fast path is tested against.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

import orjson
import xxhash
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from farmwatch.reports import lookup as lookup_record
from farmwatch.reports import lookup_async
from farmwatch.store.lookups import LookupReader, reader_for
from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState
from service.errors import ApiError
from service.models import ErrorResponse

router = APIRouter(prefix="/v1", tags=["lookup"])
ROLES = ("lookup", "moderator", "ingest")  # and admin
Client = Annotated[Principal, Depends(require(*ROLES))]

MAX_AGE_KNOWN_S = 300
MAX_AGE_UNKNOWN_S = 30


class LookupSource(BaseModel):
    url: str
    site: str


class LookupSite(BaseModel):
    host: str
    farm_score: float | None = Field(description="0..1, how farm-like the site is (GET /v1/sites/{host}).")


class Lookup(BaseModel):
    url: str
    known: bool = Field(description="Whether the service has a report for this URL.")
    verdict: Literal["original", "republished"] | None = None
    score: float | None = Field(None, description="Confidence 0..1 that the page is republished.")
    credited: bool | None = Field(None, description="Whether the page credits its source; null for originals.")
    source: LookupSource | None = Field(None, description="The first-ranked source of a republished page.")
    site: LookupSite | None = None
    label: Literal["confirm", "dismiss"] | None = Field(None, description="A moderator's latest decision.")
    queued: bool = Field(False, description="Unknown URL queued for a fetch (with queue=true).")
    job_id: str | None = None


@router.get(
    "/lookup",
    response_model=Lookup,
    response_model_exclude_none=True,
    responses={304: {"description": "Not modified (If-None-Match)"}, 422: {"model": ErrorResponse}, **AUTH_ERRORS},
    summary="What is known about a URL (for the browser extension): verdict, source, site farm score",
)
async def lookup(
    request: Request,
    _: Client,
    url: Annotated[str, Query(max_length=4096, description="The page's URL (http or https).")],
    queue: Annotated[bool, Query(description="Queue an unknown URL for a fetch by the service.")] = False,
):
    url = url.strip()
    if not is_web_url(url):
        raise bad_url()
    state: AppState = request.app.state.farmwatch
    reader = _reader(request, state)
    if reader is not None:
        body = await lookup_async(state.services, reader, url)
    else:  # a Redis Cluster: the stores, in a thread
        body = await run_in_threadpool(lookup_record, state.services, url)
    if not body["known"] and queue:
        return await queued(state, body, request.headers.get("x-request-id"))
    status, headers, raw = answer(body, request.headers.get("if-none-match", ""))
    if status == 304:
        return Response(status_code=304, headers=headers)
    return Response(raw, media_type="application/json", headers=headers)


async def queued(state: AppState, body: dict, request_id: str | None) -> Response:
    """An unknown URL with queue=true: a fetch job for it (the service fetches the URL itself: a look-up client
    never supplies content this way), answered uncached."""
    job_id, _created = await run_in_threadpool(state.queue.submit, body["url"], request_id=request_id)
    body.update(queued=True, job_id=job_id)
    return Response(orjson.dumps(body), media_type="application/json", headers={"Cache-Control": "no-store"})


def answer(body: dict, if_none_match: str) -> tuple[int, dict[str, str], bytes]:
    """Status (200, or 304 when If-None-Match names the body's ETag), cache headers and JSON of a look-up."""
    raw = orjson.dumps(body)
    etag = f'W/"{xxhash.xxh64_hexdigest(raw)}"'
    max_age = MAX_AGE_KNOWN_S if body["known"] else MAX_AGE_UNKNOWN_S
    headers = {"ETag": etag, "Cache-Control": f"private, max-age={max_age}", "Vary": "Authorization"}
    if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return 304, headers, b""
    return 200, headers, raw


def bad_url() -> ApiError:
    return ApiError(422, "invalid_request", "url must be an absolute http:// or https:// URL")


def _reader(request: Request, state: AppState) -> LookupReader | None:
    """This event loop's one-round-trip reader (None on a Redis Cluster)."""
    aclient = request.app.state.auth.aclient()
    if aclient is None:
        return None
    cached = getattr(request.app.state, "lookup_reader", None)
    if cached is None or cached[0] is not aclient:
        cached = (aclient, reader_for(state.services.client, aclient, state.services.settings.key_prefix))
        request.app.state.lookup_reader = cached
    return cached[1]


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host; False for what urlsplit refuses (`http://[::1`, a bad port)."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:
        return False
