"""The fetch worker: takes jobs from the queue, fetches politely, analyses, stores, discovers.

A job is acknowledged only after its page is stored (at-least-once); ingesting
a page twice is harmless because pages are keyed by their normalised URL. While
a job runs, a heartbeat keeps it from being claimed by another worker; a worker
that dies (SIGKILL) stops beating, and its job is claimed after `jobs.claim_idle`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator

import redis

from farmwatch.analysis.decode import InputError
from farmwatch.analysis.urls import normalize_url
from farmwatch.errors import StoreUnavailable
from farmwatch.ingest import submit_html
from farmwatch.judging import settle
from farmwatch.logs import job_id_var, request_id_var
from farmwatch.metrics import RedisMetrics
from farmwatch.reports import page_report
from farmwatch.services import Services
from farmwatch.store.jobs import Job, JobQueue
from workers.discovery import Discovery
from workers.fetch import Fetcher, FetchError, Resolver
from workers.polite import PoliteFetcher, validators_of

log = logging.getLogger("farmwatch.worker")
SETTLE_PAGES = 200  # pages judged again at most per settle call (judging.settle)
SETTLE_EVERY_S = 10.0  # a busy worker settles at least this often
# Redis cannot be reached: not the job's fault, and not worth a traceback a second.
STORE_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, StoreUnavailable)
POSTPONED = ("host_busy",)  # not the page's fault: back to the queue without using an attempt


class Worker:
    def __init__(
        self, services: Services, queue: JobQueue, name: str | None = None, resolve: Resolver | None = None
    ) -> None:
        self.services = services
        self.queue = queue
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"
        settings = services.settings
        self.fetcher = Fetcher(settings.fetch, resolve)
        self.polite = PoliteFetcher(services.client, settings.fetch, settings.key_prefix, self.fetcher)
        self.discovery = Discovery(services, queue, self.polite)
        self.metrics = RedisMetrics(services.client, settings.key_prefix)

    def run_one(self, block_ms: int = 2000) -> bool:
        """Process at most one job; returns whether there was one."""
        job = self.queue.reserve(self.name, block_ms=block_ms)
        if job is None:
            return False
        # The submitting request's id follows the job into this worker's logs.
        tokens = (request_id_var.set(job.request_id), job_id_var.set(job.id))
        started = time.perf_counter()
        try:
            self.process(job)
        finally:
            self._observe(job, time.perf_counter() - started)
            request_id_var.reset(tokens[0])
            job_id_var.reset(tokens[1])
        return True

    def _observe(self, job: Job, seconds: float) -> None:
        """Jobs by outcome and fetch errors by kind, read back from the job's recorded state."""
        status = self.queue.status(job.id) or {}
        outcome = {"done": "done", "failed": "failed"}.get(status.get("status") or "", "retry")
        self.metrics.inc("farmwatch_jobs", (outcome,))
        self.metrics.observe("farmwatch_job_duration_seconds", (), seconds)
        error = status.get("error") or ""
        if outcome != "done" and ":" in error:
            self.metrics.inc("farmwatch_fetch_errors", (error.split(":", 1)[0][:40],))

    @contextlib.contextmanager
    def _heartbeat(self, job: Job) -> Iterator[None]:
        done = threading.Event()
        every = max(0.05, self.queue.claim_idle_ms / 3000)

        def beat() -> None:
            while not done.wait(every):
                try:
                    self.queue.touch(job, self.name)
                except STORE_DOWN as error:  # a missed beat only risks a duplicate run, which is harmless
                    log.warning("heartbeat failed: %s", error)
                except Exception:
                    log.warning("heartbeat failed", exc_info=True)

        thread = threading.Thread(target=beat, name=f"heartbeat-{job.id[:8]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=5)

    def _validators(self, url: str) -> dict | None:
        stored = self.services.pages.validators(url)
        if not stored:
            return None
        # Only worth asking "has it changed?" when we still hold the report, and only when that report is
        # of the page as we fetched it: a 304 must never keep client-supplied HTML as the page.
        pages = self.services.pages
        page_id = pages.page_id(stored.get("page_url", ""))
        facts = pages.facts([page_id]).get(page_id) if page_id is not None else None
        if facts is None or facts.origin != "fetched":
            return None
        return stored if page_report(self.services, stored.get("page_url", "")) is not None else None

    def process(self, job: Job) -> None:
        submitted = normalize_url(job.url)
        try:
            with self._heartbeat(job):
                validators = self._validators(submitted)
                result = self.polite.fetch_page(job.url, validators)
                if result.status == 304 and validators:
                    self.queue.complete(job, validators["page_url"])
                    log.info("not modified", extra={"job": job.id, "url": job.url})
                    return
                if result.status == 304:
                    raise FetchError("http_status", f"{job.url} answered 304 to an unconditional request")
                report = submit_html(
                    self.services,
                    result.url,
                    result.body,
                    origin="fetched",
                    content_type=result.content_type,
                    published_hint=self.discovery.published_hint(job),  # a news sitemap's date, if it gave one
                )
                if report.url != submitted:
                    # Also answer look-ups by the submitted URL when redirects led elsewhere.
                    page_id = self.services.pages.page_id(report.url)
                    if page_id is not None:
                        self.services.pages.add_alias(submitted, page_id)
                found = validators_of(result)
                self.services.pages.save_validators(submitted, {**found, "page_url": report.url} if found else None)
                self.discovery.from_page(job, report)
                self.queue.complete(job, report.url)
            log.info("job done", extra={"job": job.id, "url": job.url})
        except FetchError as error:
            if error.kind in POSTPONED:
                self.queue.postpone(job, error.retry_after or 1.0, f"{error.kind}: {error}")
                return
            self.queue.fail(job, f"{error.kind}: {error}", retry=error.retryable, delay=error.retry_after)
            log.warning("fetch failed", extra={"job": job.id, "url": job.url, "kind": error.kind})
        except InputError as error:
            self.queue.fail(job, f"unusable_page: {error}", retry=False)
        except STORE_DOWN:
            raise  # the job stays pending and is claimed again once Redis is back; the loop logs the outage
        except Exception as error:  # a bug: retry, and keep the reason
            log.exception("job crashed")
            self.queue.fail(job, f"internal: {type(error).__name__}: {error}", retry=True)

    def run(self, stop: threading.Event) -> None:
        log.info("worker started", extra={"worker": self.name})
        down_since: float | None = None  # a Redis outage is logged once when it starts and once when it ends
        last_settle = time.monotonic()
        pause = 1.0
        try:
            while not stop.is_set():
                try:
                    self.discovery.poll_due()
                    idle = not self.run_one(block_ms=1000)
                    if idle or time.monotonic() - last_settle >= SETTLE_EVERY_S:
                        # Judge again pages whose sites' records moved: a bounded share at a time, when idle
                        # and at least every SETTLE_EVERY_S when busy.
                        settled = settle(self.services, max_pages=SETTLE_PAGES)
                        last_settle = time.monotonic()
                        if settled.judged:
                            self.metrics.inc("farmwatch_settled_pages", ("yes",), settled.changed)
                            self.metrics.inc("farmwatch_settled_pages", ("no",), settled.judged - settled.changed)
                    if down_since is not None:
                        log.warning("store reachable again", extra={"down_s": round(time.monotonic() - down_since, 1)})
                        down_since, pause = None, 1.0
                except STORE_DOWN as error:
                    if down_since is None:
                        down_since = time.monotonic()
                        log.warning("store unreachable; retrying", extra={"error": f"{type(error).__name__}: {error}"})
                    stop.wait(pause)
                    pause = min(pause * 2, 10.0)
                except Exception:  # keep the worker alive through anything else, with its traceback
                    log.exception("worker loop error")
                    stop.wait(1.0)
        finally:
            self.polite.close()
