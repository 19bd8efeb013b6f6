"""A fetch-job queue on Redis Streams: at-least-once, with retries and a dead-letter list.

Why streams and not a list or a library queue: a consumer group keeps every
delivered job in its pending list until the worker acknowledges it, so a worker
killed mid-job (SIGKILL) loses nothing; XAUTOCLAIM hands such jobs to a live
worker, and the delivery count tells when a job keeps failing. Each command
touches one key, so the queue runs on a Redis Cluster too.

Keys: fw:jobs (stream), fw:job:{id} (hash: url, status, error, attempts, …),
fw:jobs:active (hash url → job id: one live job per URL), fw:jobs:delayed
(zset of job ids waiting for a retry), fw:jobs:dead (list of job ids).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import redis

GROUP = "workers"
STATUSES = ("queued", "running", "done", "failed")


@dataclass(slots=True)
class Job:
    id: str
    url: str
    attempts: int
    entry_id: bytes | None = None  # the stream entry this delivery came from
    request_id: str | None = None


class JobQueue:
    def __init__(self, client: redis.Redis, prefix: str = "fw", max_attempts: int = 4, claim_idle_ms: int = 60_000):
        self.client = client
        self.prefix = prefix
        self.stream = f"{prefix}:jobs"
        self.max_attempts = max_attempts
        self.claim_idle_ms = claim_idle_ms
        self._group_ready = False

    def _job(self, job_id: str) -> str:
        return f"{self.prefix}:job:{job_id}"

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True

    # --- producer side ---
    def submit(self, url: str, request_id: str | None = None) -> tuple[str, bool]:
        """Queue a fetch of url; returns (job id, created). A URL already queued or running is not queued twice."""
        self._ensure_group()
        job_id = uuid.uuid4().hex
        active = f"{self.prefix}:jobs:active"
        if not self.client.hsetnx(active, url, job_id):
            existing = self.client.hget(active, url)
            if existing:
                existing_id = existing.decode()
                status = self.client.hget(self._job(existing_id), "status")
                if status in (b"queued", b"running"):
                    return existing_id, False
            self.client.hset(active, url, job_id)
        now = time.time()
        self.client.hset(
            self._job(job_id),
            mapping={
                "url": url,
                "status": "queued",
                "attempts": 0,
                "created": now,
                "updated": now,
                "request_id": request_id or "",
            },
        )
        self.client.xadd(self.stream, {"job": job_id})
        return job_id, True

    def status(self, job_id: str) -> dict | None:
        raw = self.client.hgetall(self._job(job_id))
        if not raw:
            return None
        data = {k.decode(): v.decode() for k, v in raw.items()}
        return {
            "job_id": job_id,
            "url": data.get("url"),
            "status": data.get("status"),
            "error": data.get("error") or None,
            "attempts": int(data.get("attempts", 0)),
            "created": float(data.get("created", 0)),
            "updated": float(data.get("updated", 0)),
            "page_url": data.get("page_url") or None,
        }

    def depth(self) -> dict[str, int]:
        self._ensure_group()
        pending = self.client.xpending(self.stream, GROUP)
        groups = self.client.xinfo_groups(self.stream)
        lag = next((g.get("lag") for g in groups if g.get("name") in (GROUP, GROUP.encode())), None)
        return {
            "pending": int(pending.get("pending", 0)),
            "waiting": int(lag or 0),
            "delayed": int(self.client.zcard(f"{self.prefix}:jobs:delayed")),
            "dead": int(self.client.llen(f"{self.prefix}:jobs:dead")),
        }

    def dead_letters(self, limit: int = 100) -> list[dict]:
        ids = [x.decode() for x in self.client.lrange(f"{self.prefix}:jobs:dead", 0, limit - 1)]
        return [s for s in (self.status(i) for i in ids) if s]

    # --- consumer side ---
    def _promote_delayed(self) -> None:
        delayed = f"{self.prefix}:jobs:delayed"
        for job_id in self.client.zrangebyscore(delayed, 0, time.time(), start=0, num=100):
            if self.client.zrem(delayed, job_id):  # only the worker that removes it re-queues it
                self.client.xadd(self.stream, {"job": job_id})

    def _load(self, entry_id: bytes, fields: dict) -> Job | None:
        job_id = fields.get(b"job", b"").decode()
        data = self.client.hmget(self._job(job_id), ["url", "attempts", "request_id", "status"])
        if data[0] is None or data[3] == b"done":
            self.client.xack(self.stream, GROUP, entry_id)
            self.client.xdel(self.stream, entry_id)
            return None
        attempts = self.client.hincrby(self._job(job_id), "attempts", 1)
        self.client.hset(self._job(job_id), mapping={"status": "running", "updated": time.time()})
        return Job(job_id, data[0].decode(), int(attempts), entry_id, (data[2] or b"").decode() or None)

    def reserve(self, consumer: str, block_ms: int = 2000) -> Job | None:
        """The next job for this worker: a stalled one from a dead worker first, else a new one."""
        self._ensure_group()
        self._promote_delayed()
        claimed = self.client.xautoclaim(self.stream, GROUP, consumer, self.claim_idle_ms, "0-0", count=1)
        entries = claimed[1] if claimed else []
        for entry_id, fields in entries:
            if fields:
                job = self._load(entry_id, fields)
                if job:
                    if job.attempts > self.max_attempts:
                        self.fail(job, "worker died while running this job too many times", retry=False)
                        continue
                    return job
        response = self.client.xreadgroup(GROUP, consumer, {self.stream: ">"}, count=1, block=block_ms)
        for _stream, messages in response or []:
            for entry_id, fields in messages:
                job = self._load(entry_id, fields)
                if job:
                    return job
        return None

    def _finish_entry(self, job: Job) -> None:
        if job.entry_id is not None:
            self.client.xack(self.stream, GROUP, job.entry_id)
            self.client.xdel(self.stream, job.entry_id)

    def complete(self, job: Job, page_url: str) -> None:
        self.client.hset(
            self._job(job.id), mapping={"status": "done", "error": "", "page_url": page_url, "updated": time.time()}
        )
        self.client.hdel(f"{self.prefix}:jobs:active", job.url)
        self._finish_entry(job)

    def fail(self, job: Job, error: str, *, retry: bool, delay: float | None = None) -> None:
        """Record a failure: retried later with backoff while attempts remain, else dead-lettered."""
        if retry and job.attempts < self.max_attempts:
            wait = delay if delay is not None else min(300.0, 2.0**job.attempts)
            self.client.hset(self._job(job.id), mapping={"status": "queued", "error": error, "updated": time.time()})
            self.client.zadd(f"{self.prefix}:jobs:delayed", {job.id: time.time() + wait})
        else:
            self.client.hset(self._job(job.id), mapping={"status": "failed", "error": error, "updated": time.time()})
            self.client.hdel(f"{self.prefix}:jobs:active", job.url)
            self.client.lpush(f"{self.prefix}:jobs:dead", job.id)
        self._finish_entry(job)
