"""The fetch worker: takes jobs from the queue, fetches, analyses, stores."""

from __future__ import annotations

import logging
import os
import socket
import threading

from farmwatch.analysis.decode import InputError
from farmwatch.analysis.urls import normalize_url
from farmwatch.pipeline import Services, submit_html
from farmwatch.store.jobs import Job, JobQueue
from workers.fetch import Fetcher, FetchError

log = logging.getLogger("farmwatch.worker")


class Worker:
    def __init__(self, services: Services, queue: JobQueue, name: str | None = None) -> None:
        self.services = services
        self.queue = queue
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"
        self.fetcher = Fetcher(services.settings.fetch)

    def run_one(self, block_ms: int = 2000) -> bool:
        """Process at most one job; returns whether there was one."""
        job = self.queue.reserve(self.name, block_ms=block_ms)
        if job is None:
            return False
        self.process(job)
        return True

    def process(self, job: Job) -> None:
        try:
            result = self.fetcher.fetch(job.url)
            report = submit_html(
                self.services, result.url, result.body, origin="fetched", content_type=result.content_type
            )
            submitted = normalize_url(job.url)
            if report["url"] != submitted:
                # Also answer look-ups by the submitted URL when redirects led elsewhere.
                page_id = self.services.pages.page_id(report["url"])
                if page_id is not None:
                    self.services.pages.add_alias(submitted, page_id)
            self.queue.complete(job, report["url"])
            log.info("job done", extra={"job": job.id, "url": job.url})
        except FetchError as error:
            self.queue.fail(job, f"{error.kind}: {error}", retry=error.retryable, delay=error.retry_after)
            log.warning("fetch failed", extra={"job": job.id, "url": job.url, "kind": error.kind})
        except InputError as error:
            self.queue.fail(job, f"unusable_page: {error}", retry=False)
        except Exception as error:  # a bug or a Redis outage: retry, and keep the reason
            log.exception("job crashed")
            self.queue.fail(job, f"internal: {type(error).__name__}: {error}", retry=True)

    def run(self, stop: threading.Event) -> None:
        log.info("worker started", extra={"worker": self.name})
        try:
            while not stop.is_set():
                try:
                    self.run_one()
                except Exception:  # keep the worker alive through Redis hiccups
                    log.exception("worker loop error")
                    stop.wait(1.0)
        finally:
            self.fetcher.close()
