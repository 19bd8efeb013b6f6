"""A fetch-job queue on Redis Streams: at-least-once, with retries and a dead-letter list.

Why streams and not a list or a library queue: a consumer group keeps every
delivered job in its pending list until the worker acknowledges it, so a worker
killed mid-job (SIGKILL) loses nothing; XAUTOCLAIM hands such jobs to a live
worker once they have been idle for `claim_idle` (a running worker's heartbeat
keeps its job from being claimed), and the attempt count tells when a job keeps
failing. Every change of state is one MULTI transaction or one script, so a
crash between two commands never leaves a job in no list at all.

Keys share one hash tag, {fw:q}, so the transactions also run on a Redis Cluster:
{fw:q}:jobs (stream), {fw:q}:job:{id} (hash: url, status, error, attempts, depth,
via, …), {fw:q}:active (hash normalised url → job id: one live job per URL),
{fw:q}:delayed (zset of job ids waiting for a retry), {fw:q}:dead (list of job ids).
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass

import redis

from farmwatch.analysis.urls import normalize_url
from farmwatch.config import JobSettings
from farmwatch.store.layout import KeyLayout

GROUP = "workers"
STATUSES = ("queued", "running", "done", "failed")

# Move due retries back to the stream; atomic, so each is re-queued exactly once and never dropped.
_PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('XADD', KEYS[2], '*', 'job', id)
end
return #due
"""


@dataclass(slots=True)
class Job:
    id: str
    url: str
    attempts: int
    entry_id: bytes | None = None  # the stream entry this delivery came from
    request_id: str | None = None
    depth: int = 0  # 0: submitted or from a feed; 1: discovered from another page (not followed further)
    via: str | None = None  # the page or feed this URL was discovered from


class JobQueue:
    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "fw",
        max_attempts: int = 4,
        claim_idle_ms: int = 60_000,
        backoff_base: float = 2.0,
        backoff_max: float = 600.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.keys = KeyLayout(prefix)
        self.stream = self.keys.queue("jobs")
        self.active = self.keys.queue("active")
        self.delayed = self.keys.queue("delayed")
        self.dead = self.keys.queue("dead")
        self.max_attempts = max_attempts
        self.claim_idle_ms = claim_idle_ms
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._group_ready = False
        self._promote = client.register_script(_PROMOTE)

    @classmethod
    def from_settings(cls, client: redis.Redis, prefix: str, settings: JobSettings) -> JobQueue:
        return cls(
            client,
            prefix,
            max_attempts=settings.max_attempts,
            claim_idle_ms=int(settings.claim_idle * 1000),
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
        )

    def _job(self, job_id: str) -> str:
        return self.keys.job(job_id)

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
    def submit(
        self, url: str, request_id: str | None = None, *, depth: int = 0, via: str | None = None
    ) -> tuple[str, bool]:
        """Queue a fetch of url; returns (job id, created). A URL already queued or running is not queued twice."""
        self._ensure_group()
        key = normalize_url(url)
        job_id = uuid.uuid4().hex
        result: tuple[str, bool] = (job_id, True)

        def create(pipe: redis.client.Pipeline) -> None:
            nonlocal result
            existing = pipe.hget(self.active, key)
            if existing:
                status = pipe.hget(self._job(existing.decode()), "status")
                if status in (b"queued", b"running"):
                    result = (existing.decode(), False)
                    pipe.multi()
                    return
            now = time.time()
            pipe.multi()
            pipe.hset(
                self._job(job_id),
                mapping={
                    "url": url,
                    "status": "queued",
                    "attempts": 0,
                    "created": now,
                    "updated": now,
                    "request_id": request_id or "",
                    "depth": depth,
                    "via": via or "",
                },
            )
            pipe.hset(self.active, key, job_id)
            pipe.xadd(self.stream, {"job": job_id})
            result = (job_id, True)

        # WATCH the active map: two submitters of one URL cannot both create a job.
        self.client.transaction(create, self.active)
        return result

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
            "via": data.get("via") or None,
        }

    def depth(self) -> dict[str, int]:
        self._ensure_group()
        pending = int(self.client.xpending(self.stream, GROUP).get("pending", 0))
        # Finished entries are deleted from the stream, so what is in it and not pending is waiting.
        # (XINFO GROUPS reports a lag only from Redis 7 on; this works on 6.2 as well.)
        waiting = max(0, int(self.client.xlen(self.stream)) - pending)
        return {
            "pending": pending,
            "waiting": waiting,
            "delayed": int(self.client.zcard(self.delayed)),
            "dead": int(self.client.llen(self.dead)),
        }

    def dead_letters(self, limit: int = 100, older: int | None = None) -> tuple[list[dict], int]:
        """Jobs that failed for good, newest first, each with its reason: `limit` of them from the newest, or
        from the `older` oldest (what the previous page left); and how many older ones remain after these.
        The dead-letter list only grows at its head, so counting from its tail keeps a place in it."""
        if older is None:
            pipe = self.client.pipeline(transaction=True)
            pipe.lrange(self.dead, 0, limit - 1)
            pipe.llen(self.dead)
            raw, length = pipe.execute()
            remaining = int(length) - len(raw)
        else:
            raw = self.client.lrange(self.dead, -older, min(-1, limit - older - 1)) if older > 0 else []
            remaining = older - len(raw)
        ids = [x.decode() for x in raw]
        return [s for s in (self.status(i) for i in ids) if s], remaining

    # --- consumer side ---
    def _load(self, entry_id: bytes, fields: dict) -> Job | None:
        job_id = fields.get(b"job", b"").decode()
        data = self.client.hmget(self._job(job_id), ["url", "attempts", "request_id", "status", "depth", "via"])
        if data[0] is None or data[3] in (b"done", b"failed"):
            self._ack(entry_id)
            return None
        attempts = self.client.hincrby(self._job(job_id), "attempts", 1)
        self.client.hset(self._job(job_id), mapping={"status": "running", "updated": time.time()})
        return Job(
            job_id,
            data[0].decode(),
            int(attempts),
            entry_id,
            (data[2] or b"").decode() or None,
            int(data[4] or 0),
            (data[5] or b"").decode() or None,
        )

    def _ack(self, entry_id: bytes) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(self.stream, GROUP, entry_id)
        pipe.xdel(self.stream, entry_id)
        pipe.execute()

    def reserve(self, consumer: str, block_ms: int = 2000) -> Job | None:
        """The next job for this worker: a stalled one from a dead worker first, else a new one."""
        self._ensure_group()
        self._promote(keys=[self.delayed, self.stream], args=[time.time()])
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

    def touch(self, job: Job, consumer: str) -> None:
        """Heartbeat: reset the job's idle time so no other worker claims it while this one runs it."""
        if job.entry_id is not None:
            self.client.xclaim(self.stream, GROUP, consumer, 0, [job.entry_id], justid=True)

    def _finish(self, pipe: redis.client.Pipeline, job: Job) -> None:
        if job.entry_id is not None:
            pipe.xack(self.stream, GROUP, job.entry_id)
            pipe.xdel(self.stream, job.entry_id)
        pipe.execute()

    def complete(self, job: Job, page_url: str) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(
            self._job(job.id), mapping={"status": "done", "error": "", "page_url": page_url, "updated": time.time()}
        )
        pipe.hdel(self.active, normalize_url(job.url))
        self._finish(pipe, job)

    def backoff(self, attempts: int) -> float:
        wait = min(self.backoff_max, self.backoff_base**attempts)
        return wait * random.uniform(1.0, 1.25)  # jitter: retries of one host's jobs do not arrive together

    def fail(self, job: Job, error: str, *, retry: bool, delay: float | None = None) -> None:
        """Record a failure: retried later with backoff (or the server's Retry-After) while attempts remain,
        else dead-lettered with its reason."""
        pipe = self.client.pipeline(transaction=True)
        if retry and job.attempts < self.max_attempts:
            wait = max(delay, 0.0) if delay is not None else self.backoff(job.attempts)
            pipe.hset(self._job(job.id), mapping={"status": "queued", "error": error, "updated": time.time()})
            pipe.zadd(self.delayed, {job.id: time.time() + wait})
        else:
            pipe.hset(self._job(job.id), mapping={"status": "failed", "error": error, "updated": time.time()})
            pipe.hdel(self.active, normalize_url(job.url))
            pipe.lpush(self.dead, job.id)
        self._finish(pipe, job)

    def postpone(self, job: Job, delay: float, reason: str) -> None:
        """Put a job back for later without counting an attempt (its host was busy, say)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.hincrby(self._job(job.id), "attempts", -1)
        pipe.hset(self._job(job.id), mapping={"status": "queued", "error": reason, "updated": time.time()})
        pipe.zadd(self.delayed, {job.id: time.time() + max(0.0, delay)})
        self._finish(pipe, job)
