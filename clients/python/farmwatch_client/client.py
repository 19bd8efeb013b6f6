"""`Client` (sync) and `AsyncClient` (async) on httpx.

Every operation is described once (`_Ops`: method, path, parameters, what the answer parses into); the two
clients only differ in how they send it. Both retry a 429 or 503 after the `Retry-After` the service sends
(capped by `max_wait`), and a connection failure or 502/504 with an exponential backoff, `max_retries`
times; errors become one exception per code (farmwatch_client.errors).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar, Unpack

import httpx
from pydantic import TypeAdapter

from farmwatch_client.errors import JobFailed, TransportError, WaitTimeout, error_for
from farmwatch_client.models import (
    BatchResult,
    Delivery,
    Event,
    FailedJob,
    FailedJobs,
    Feed,
    JobAccepted,
    JobStatus,
    Label,
    Page,
    PageDeleted,
    QueueFilters,
    QueueItem,
    QueuePage,
    SiteGroup,
    SiteGroups,
    SiteList,
    SiteRow,
    SiteView,
    Webhook,
)
from farmwatch_client.report import PageReport, SiteReport

T = TypeVar("T")
P = TypeVar("P", bound=Page)
RETRY_STATUSES = {429, 502, 503, 504}
DEFAULT_URL = "http://127.0.0.1:8000"


@dataclass
class _Call(Generic[T]):
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    parse: Callable[[httpx.Response], T] = field(default=lambda r: r.json())  # type: ignore[assignment]


def _model(model: Any) -> Callable[[httpx.Response], Any]:
    adapter = TypeAdapter(model)
    return lambda response: adapter.validate_python(response.json())


def _page_or_job(response: httpx.Response) -> PageReport | JobAccepted:
    if response.status_code == 202:
        return JobAccepted.model_validate(response.json())
    return PageReport.model_validate(response.json())


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in params.items() if v is not None}


class _Ops:
    """Each API operation as a call description (shared by the sync and async clients)."""

    def _submit_page(self, url: str, html: str | None, published_at: str | None) -> _Call:
        body = {"url": url, "html": html, "published_at": published_at}
        return _Call("POST", "/v1/pages", json=_clean(body), parse=_page_or_job)

    def _get_page(self, url: str) -> _Call[PageReport]:
        return _Call("GET", "/v1/pages", params={"url": url}, parse=_model(PageReport))

    def _delete_page(self, url: str) -> _Call[PageDeleted]:
        return _Call("DELETE", "/v1/pages", params={"url": url}, parse=_model(PageDeleted))

    def _job(self, job_id: str) -> _Call[JobStatus]:
        return _Call("GET", f"/v1/jobs/{job_id}", parse=_model(JobStatus))

    def _check(self, text: str | None, html: str | None, url: str | None, published_at: str | None) -> _Call:
        if (text is None) == (html is None):
            raise ValueError("give exactly one of text and html")
        body = _clean({"text": text, "html": html, "url": url, "published_at": published_at})
        return _Call("POST", "/v1/check", json=body, parse=_model(PageReport))

    def _submit_batch(self, items: list[dict]) -> _Call[BatchResult]:
        return _Call("POST", "/v1/pages/batch", json={"items": items}, parse=_model(BatchResult))

    def _site(self, host: str) -> _Call[SiteReport]:
        return _Call("GET", f"/v1/sites/{host}", parse=_model(SiteReport))

    def _lookup(self, url: str, queue: bool) -> _Call[dict]:
        return _Call("GET", "/v1/lookup", params=_clean({"url": url, "queue": queue or None}))

    def _add_feed(self, url: str) -> _Call[Feed]:
        return _Call("POST", "/v1/feeds", json={"url": url}, parse=_model(Feed))

    def _create_webhook(self, url: str, events: list[str] | None, description: str, secret: str | None) -> _Call:
        body = _clean({"url": url, "events": events, "description": description, "secret": secret})
        return _Call("POST", "/v1/webhooks", json=body, parse=_model(Webhook))

    def _delete_webhook(self, hook_id: str) -> _Call[None]:
        return _Call("DELETE", f"/v1/webhooks/{hook_id}", parse=lambda r: None)

    def _replay(self, hook_id: str, event_ids: list[str]) -> _Call[list[str]]:
        body = {"event_ids": event_ids}
        return _Call("POST", f"/v1/webhooks/{hook_id}/replay", json=body, parse=lambda r: r.json()["deliveries"])

    # Lists: one convention, `items` + `next_cursor` (passed back as `cursor`); `at` names the field holding
    # the page when the answer has more than the list (a site's view holds its pages).
    def _page(
        self, path: str, model: type[P], params: dict, cursor: str | None, limit: int, at: str | None = None
    ) -> _Call[P]:
        def parse(response: httpx.Response) -> P:
            data = response.json()
            return model.model_validate(data[at] if at else data)

        return _Call("GET", path, params=_clean({**params, "cursor": cursor, "limit": limit}), parse=parse)

    def _labels(self, url: str | None, cursor: str | None, limit: int) -> _Call[Page[Label]]:
        return self._page("/v1/labels", Page[Label], {"url": url}, cursor, limit)

    def _review_queue(self, filters: dict, counts: bool, cursor: str | None, limit: int) -> _Call[QueuePage]:
        return self._page("/v1/review/queue", QueuePage, {**filters, "counts": counts or None}, cursor, limit)

    def _review_queue_sites(self, filters: dict, cursor: str | None, limit: int) -> _Call[SiteGroups]:
        return self._page("/v1/review/queue/sites", SiteGroups, filters, cursor, limit)

    def _review_sites(self, cursor: str | None, limit: int) -> _Call[SiteList]:
        return self._page("/v1/review/sites", SiteList, {}, cursor, limit)

    def _review_site(self, host: str, cursor: str | None, limit: int) -> _Call[SiteView]:
        params = _clean({"cursor": cursor, "limit": limit})
        return _Call("GET", f"/v1/review/sites/{host}", params=params, parse=_model(SiteView))

    def _site_pages(self, host: str, cursor: str | None, limit: int) -> _Call[QueuePage]:
        return self._page(f"/v1/review/sites/{host}", QueuePage, {}, cursor, limit, at="pages")

    def _events(self, type: str | None, cursor: str | None, limit: int) -> _Call[Page[Event]]:
        return self._page("/v1/events", Page[Event], {"type": type}, cursor, limit)

    def _deliveries(self, hook_id: str, cursor: str | None, limit: int) -> _Call[Page[Delivery]]:
        return self._page(f"/v1/webhooks/{hook_id}/deliveries", Page[Delivery], {}, cursor, limit)

    def _webhooks(self, cursor: str | None, limit: int) -> _Call[Page[Webhook]]:
        return self._page("/v1/webhooks", Page[Webhook], {}, cursor, limit)

    def _feeds(self, cursor: str | None, limit: int) -> _Call[Page[Feed]]:
        return self._page("/v1/feeds", Page[Feed], {}, cursor, limit)

    def _failed_jobs(self, cursor: str | None, limit: int) -> _Call[FailedJobs]:
        return self._page("/v1/jobs", FailedJobs, {"status": "failed"}, cursor, limit)


class _Base(_Ops):
    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        max_wait: float = 60.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.timeout = timeout
        self.headers = {"User-Agent": "farmwatch-client/0.1", **(headers or {})}
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and (value := response.headers.get("Retry-After")):
            try:
                return min(self.max_wait, max(0.0, float(value)))
            except ValueError:
                pass
        return min(self.max_wait, 0.5 * 2**attempt) * (0.8 + 0.4 * random.random())

    @staticmethod
    def _raise_for(response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        code, message = None, response.text[:500] or response.reason_phrase
        try:
            error = response.json()["error"]
            code, message = error["code"], error["message"]
        except (ValueError, KeyError, TypeError):
            pass
        retry = response.headers.get("Retry-After")
        raise error_for(response.status_code, code, message, float(retry) if retry and retry.isdigit() else None)


class Client(_Base):
    """The farmwatch API, synchronously. Use as a context manager, or call `close()`."""

    def __init__(self, base_url: str = DEFAULT_URL, api_key: str | None = None, **kwargs: Any) -> None:
        transport = kwargs.pop("transport", None)
        super().__init__(base_url, api_key, **kwargs)
        self.http = httpx.Client(
            base_url=self.base_url, headers=self.headers, timeout=self.timeout, transport=transport
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _run(self, call: _Call[T]) -> T:
        for attempt in range(self.max_retries + 1):
            try:
                response = self.http.request(call.method, call.path, params=call.params, json=call.json)
            except httpx.TransportError as error:
                if attempt == self.max_retries:
                    raise TransportError(f"cannot reach {self.base_url}: {error}") from error
                time.sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                time.sleep(self._delay(attempt, response))
                continue
            self._raise_for(response)
            return call.parse(response)
        raise AssertionError("unreachable")

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any request, with the key, retries and errors handled; returns the raw response."""
        return self._run(_Call(method, path, kwargs.get("params"), kwargs.get("json"), parse=lambda r: r))

    # --- pages and jobs ---
    def submit_page(
        self, url: str, html: str | None = None, published_at: str | None = None
    ) -> PageReport | JobAccepted:
        """With html: the report (analysed and indexed now). Without: a queued fetch job."""
        return self._run(self._submit_page(url, html, published_at))

    def get_page(self, url: str) -> PageReport:
        return self._run(self._get_page(url))

    def delete_page(self, url: str) -> PageDeleted:
        return self._run(self._delete_page(url))

    def job(self, job_id: str) -> JobStatus:
        return self._run(self._job(job_id))

    def wait_for_job(self, job_id: str, timeout: float = 300.0, poll: float = 0.5) -> JobStatus:
        """Poll a job until it ends; raises JobFailed if it failed, WaitTimeout if it did not end in time."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.job(job_id)
            if status.status == "done":
                return status
            if status.status == "failed":
                raise JobFailed(status.error or "job failed", code="job_failed")
            if time.monotonic() > deadline:
                raise WaitTimeout(f"job {job_id} still {status.status} after {timeout:g} s")
            time.sleep(poll)

    def submit_and_wait(
        self,
        url: str,
        html: str | None = None,
        published_at: str | None = None,
        timeout: float = 300.0,
        poll: float = 0.5,
    ) -> PageReport:
        """Submit a page and return its report: at once with html, else once the fetch job is done."""
        answer = self.submit_page(url, html, published_at)
        if isinstance(answer, PageReport):
            return answer
        status = self.wait_for_job(answer.job_id, timeout, poll)
        return self.get_page(status.page_url or url)

    def check(
        self, text: str | None = None, html: str | None = None, url: str | None = None, published_at: str | None = None
    ) -> PageReport:
        """The report a text or page would get, with nothing stored."""
        return self._run(self._check(text, html, url, published_at))

    def submit_batch(self, items: list[dict]) -> BatchResult:
        """Up to 100 items `{"url", "html"?, "published_at"?}`; per-item results in order."""
        return self._run(self._submit_batch(items))

    # --- sites, look-ups, feeds ---
    def site(self, host: str) -> SiteReport:
        return self._run(self._site(host))

    def lookup(self, url: str, queue: bool = False) -> dict:
        return self._run(self._lookup(url, queue))

    def add_feed(self, url: str) -> Feed:
        return self._run(self._add_feed(url))

    def feeds(self) -> list[Feed]:
        """Every registered feed (all pages)."""
        return list(self.iter_feeds())

    # --- webhooks ---
    def create_webhook(
        self, url: str, events: list[str] | None = None, description: str = "", secret: str | None = None
    ) -> Webhook:
        return self._run(self._create_webhook(url, events, description, secret))

    def webhooks(self) -> list[Webhook]:
        """Every registered hook (all pages)."""
        return list(self.iter_webhooks())

    def delete_webhook(self, hook_id: str) -> None:
        self._run(self._delete_webhook(hook_id))

    def replay(self, hook_id: str, event_ids: list[str]) -> list[str]:
        return self._run(self._replay(hook_id, event_ids))

    # --- lists: one page (`cursor` from the previous page's `next_cursor`), or iterators over every page ---
    def _iterate(self, call: Callable[[str | None], _Call[Page[T]]]) -> Iterator[T]:
        cursor = None
        while True:
            page = self._run(call(cursor))
            yield from page.items
            cursor = page.next_cursor
            if not cursor:
                return

    def labels(self, url: str | None = None, *, cursor: str | None = None, limit: int = 50) -> Page[Label]:
        """Labels, newest first; with `url`, that page's labels, oldest first."""
        return self._run(self._labels(url, cursor, limit))

    def iter_labels(self, url: str | None = None, page_size: int = 100) -> Iterator[Label]:
        return self._iterate(lambda cursor: self._labels(url, cursor, page_size))

    def review_queue(
        self, *, counts: bool = False, cursor: str | None = None, limit: int = 50, **filters: Unpack[QueueFilters]
    ) -> QueuePage:
        """One page of the review queue, filtered by QueueFilters (site, verdict, credited, labelled, since…)."""
        return self._run(self._review_queue(dict(filters), counts, cursor, limit))

    def iter_review_queue(self, page_size: int = 100, **filters: Unpack[QueueFilters]) -> Iterator[QueueItem]:
        """Every page of the review queue matching the filters, in the queue's order."""
        params = dict(filters)
        return self._iterate(lambda cursor: self._review_queue(params, False, cursor, page_size))

    def review_queue_sites(
        self, *, cursor: str | None = None, limit: int = 100, **filters: Unpack[QueueFilters]
    ) -> SiteGroups:
        """The queue's matching pages grouped by site, filtered as review_queue (but by site)."""
        return self._run(self._review_queue_sites(dict(filters), cursor, limit))

    def iter_review_queue_sites(self, page_size: int = 100, **filters: Unpack[QueueFilters]) -> Iterator[SiteGroup]:
        params = dict(filters)
        return self._iterate(lambda cursor: self._review_queue_sites(params, cursor, page_size))

    def review_sites(self, *, cursor: str | None = None, limit: int = 200) -> SiteList:
        """Sites by pages seen, most first."""
        return self._run(self._review_sites(cursor, limit))

    def iter_review_sites(self, page_size: int = 200) -> Iterator[SiteRow]:
        return self._iterate(lambda cursor: self._review_sites(cursor, page_size))

    def review_site(self, host: str, *, cursor: str | None = None, limit: int = 50) -> SiteView:
        """A site's report, timeline and one page of its pages (`pages.next_cursor` for the next)."""
        return self._run(self._review_site(host, cursor, limit))

    def iter_site_pages(self, host: str, page_size: int = 100) -> Iterator[QueueItem]:
        """Every page of a site, highest score first."""
        return self._iterate(lambda cursor: self._site_pages(host, cursor, page_size))

    def events(self, type: str | None = None, *, cursor: str | None = None, limit: int = 50) -> Page[Event]:
        return self._run(self._events(type, cursor, limit))

    def iter_events(self, type: str | None = None, page_size: int = 100) -> Iterator[Event]:
        """Every event, newest first, across pages."""
        return self._iterate(lambda cursor: self._events(type, cursor, page_size))

    def deliveries(self, hook_id: str, *, cursor: str | None = None, limit: int = 50) -> Page[Delivery]:
        return self._run(self._deliveries(hook_id, cursor, limit))

    def iter_deliveries(self, hook_id: str, page_size: int = 100) -> Iterator[Delivery]:
        """A hook's deliveries, newest first."""
        return self._iterate(lambda cursor: self._deliveries(hook_id, cursor, page_size))

    def iter_webhooks(self, page_size: int = 100) -> Iterator[Webhook]:
        """Registered hooks, oldest first."""
        return self._iterate(lambda cursor: self._webhooks(cursor, page_size))

    def iter_feeds(self, page_size: int = 100) -> Iterator[Feed]:
        """Registered feeds and sitemaps, oldest first."""
        return self._iterate(lambda cursor: self._feeds(cursor, page_size))

    def failed_jobs(self, *, cursor: str | None = None, limit: int = 100) -> FailedJobs:
        """One page of the dead-letter list (newest first), with the job queue's depth."""
        return self._run(self._failed_jobs(cursor, limit))

    def iter_failed_jobs(self, page_size: int = 100) -> Iterator[FailedJob]:
        return self._iterate(lambda cursor: self._failed_jobs(cursor, page_size))


class AsyncClient(_Base):
    """The farmwatch API, asynchronously (the same methods as Client, awaited)."""

    def __init__(self, base_url: str = DEFAULT_URL, api_key: str | None = None, **kwargs: Any) -> None:
        transport = kwargs.pop("transport", None)
        super().__init__(base_url, api_key, **kwargs)
        self.http = httpx.AsyncClient(
            base_url=self.base_url, headers=self.headers, timeout=self.timeout, transport=transport
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.http.aclose()

    async def _run(self, call: _Call[T]) -> T:
        for attempt in range(self.max_retries + 1):
            try:
                response = await self.http.request(call.method, call.path, params=call.params, json=call.json)
            except httpx.TransportError as error:
                if attempt == self.max_retries:
                    raise TransportError(f"cannot reach {self.base_url}: {error}") from error
                await asyncio.sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                await asyncio.sleep(self._delay(attempt, response))
                continue
            self._raise_for(response)
            return call.parse(response)
        raise AssertionError("unreachable")

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self._run(_Call(method, path, kwargs.get("params"), kwargs.get("json"), parse=lambda r: r))

    async def submit_page(
        self, url: str, html: str | None = None, published_at: str | None = None
    ) -> PageReport | JobAccepted:
        return await self._run(self._submit_page(url, html, published_at))

    async def get_page(self, url: str) -> PageReport:
        return await self._run(self._get_page(url))

    async def delete_page(self, url: str) -> PageDeleted:
        return await self._run(self._delete_page(url))

    async def job(self, job_id: str) -> JobStatus:
        return await self._run(self._job(job_id))

    async def wait_for_job(self, job_id: str, timeout: float = 300.0, poll: float = 0.5) -> JobStatus:
        deadline = time.monotonic() + timeout
        while True:
            status = await self.job(job_id)
            if status.status == "done":
                return status
            if status.status == "failed":
                raise JobFailed(status.error or "job failed", code="job_failed")
            if time.monotonic() > deadline:
                raise WaitTimeout(f"job {job_id} still {status.status} after {timeout:g} s")
            await asyncio.sleep(poll)

    async def submit_and_wait(
        self,
        url: str,
        html: str | None = None,
        published_at: str | None = None,
        timeout: float = 300.0,
        poll: float = 0.5,
    ) -> PageReport:
        answer = await self.submit_page(url, html, published_at)
        if isinstance(answer, PageReport):
            return answer
        status = await self.wait_for_job(answer.job_id, timeout, poll)
        return await self.get_page(status.page_url or url)

    async def check(
        self, text: str | None = None, html: str | None = None, url: str | None = None, published_at: str | None = None
    ) -> PageReport:
        return await self._run(self._check(text, html, url, published_at))

    async def submit_batch(self, items: list[dict]) -> BatchResult:
        return await self._run(self._submit_batch(items))

    async def site(self, host: str) -> SiteReport:
        return await self._run(self._site(host))

    async def lookup(self, url: str, queue: bool = False) -> dict:
        return await self._run(self._lookup(url, queue))

    async def add_feed(self, url: str) -> Feed:
        return await self._run(self._add_feed(url))

    async def feeds(self) -> list[Feed]:
        return [feed async for feed in self.iter_feeds()]

    async def create_webhook(
        self, url: str, events: list[str] | None = None, description: str = "", secret: str | None = None
    ) -> Webhook:
        return await self._run(self._create_webhook(url, events, description, secret))

    async def webhooks(self) -> list[Webhook]:
        return [hook async for hook in self.iter_webhooks()]

    async def delete_webhook(self, hook_id: str) -> None:
        await self._run(self._delete_webhook(hook_id))

    async def replay(self, hook_id: str, event_ids: list[str]) -> list[str]:
        return await self._run(self._replay(hook_id, event_ids))

    async def _iterate(self, call: Callable[[str | None], _Call[Page[T]]]) -> AsyncIterator[T]:
        cursor = None
        while True:
            page = await self._run(call(cursor))
            for item in page.items:
                yield item
            cursor = page.next_cursor
            if not cursor:
                return

    async def labels(self, url: str | None = None, *, cursor: str | None = None, limit: int = 50) -> Page[Label]:
        return await self._run(self._labels(url, cursor, limit))

    def iter_labels(self, url: str | None = None, page_size: int = 100) -> AsyncIterator[Label]:
        return self._iterate(lambda cursor: self._labels(url, cursor, page_size))

    async def review_queue(
        self, *, counts: bool = False, cursor: str | None = None, limit: int = 50, **filters: Unpack[QueueFilters]
    ) -> QueuePage:
        return await self._run(self._review_queue(dict(filters), counts, cursor, limit))

    def iter_review_queue(self, page_size: int = 100, **filters: Unpack[QueueFilters]) -> AsyncIterator[QueueItem]:
        params = dict(filters)
        return self._iterate(lambda cursor: self._review_queue(params, False, cursor, page_size))

    async def review_queue_sites(
        self, *, cursor: str | None = None, limit: int = 100, **filters: Unpack[QueueFilters]
    ) -> SiteGroups:
        return await self._run(self._review_queue_sites(dict(filters), cursor, limit))

    def iter_review_queue_sites(
        self, page_size: int = 100, **filters: Unpack[QueueFilters]
    ) -> AsyncIterator[SiteGroup]:
        params = dict(filters)
        return self._iterate(lambda cursor: self._review_queue_sites(params, cursor, page_size))

    async def review_sites(self, *, cursor: str | None = None, limit: int = 200) -> SiteList:
        return await self._run(self._review_sites(cursor, limit))

    def iter_review_sites(self, page_size: int = 200) -> AsyncIterator[SiteRow]:
        return self._iterate(lambda cursor: self._review_sites(cursor, page_size))

    async def review_site(self, host: str, *, cursor: str | None = None, limit: int = 50) -> SiteView:
        return await self._run(self._review_site(host, cursor, limit))

    def iter_site_pages(self, host: str, page_size: int = 100) -> AsyncIterator[QueueItem]:
        return self._iterate(lambda cursor: self._site_pages(host, cursor, page_size))

    async def events(self, type: str | None = None, *, cursor: str | None = None, limit: int = 50) -> Page[Event]:
        return await self._run(self._events(type, cursor, limit))

    def iter_events(self, type: str | None = None, page_size: int = 100) -> AsyncIterator[Event]:
        return self._iterate(lambda cursor: self._events(type, cursor, page_size))

    async def deliveries(self, hook_id: str, *, cursor: str | None = None, limit: int = 50) -> Page[Delivery]:
        return await self._run(self._deliveries(hook_id, cursor, limit))

    def iter_deliveries(self, hook_id: str, page_size: int = 100) -> AsyncIterator[Delivery]:
        return self._iterate(lambda cursor: self._deliveries(hook_id, cursor, page_size))

    def iter_webhooks(self, page_size: int = 100) -> AsyncIterator[Webhook]:
        return self._iterate(lambda cursor: self._webhooks(cursor, page_size))

    def iter_feeds(self, page_size: int = 100) -> AsyncIterator[Feed]:
        return self._iterate(lambda cursor: self._feeds(cursor, page_size))

    async def failed_jobs(self, *, cursor: str | None = None, limit: int = 100) -> FailedJobs:
        return await self._run(self._failed_jobs(cursor, limit))

    def iter_failed_jobs(self, page_size: int = 100) -> AsyncIterator[FailedJob]:
        return self._iterate(lambda cursor: self._failed_jobs(cursor, page_size))


__all__ = ["AsyncClient", "Client"]
