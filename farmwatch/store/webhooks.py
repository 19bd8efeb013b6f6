"""Webhooks in Redis: registered callbacks, the event stream, and deliveries with retries.

Keys (one hash tag, {fw:wh}, so the scripts run on a Redis Cluster too; names from store/layout.py):

    {fw:wh}:hooks         hash  hook id -> hook (JSON: url, secret, events, created, active, description)
    {fw:wh}:events        stream of events (type, data JSON, created), capped at `max_events` (approximately)
    {fw:wh}:deliveries    hash  delivery id ("hook id/event id") -> delivery (JSON: status, attempts, last error…)
    {fw:wh}:due           zset  delivery id -> when its next attempt is due
    {fw:wh}:log:{hook}    zset  a hook's delivery ids by creation time (what the API lists)
    {fw:wh}:jobs          zset  job id -> when it was submitted (jobs whose end becomes an event)

Events are appended by the code where things happen: `judge()` queues `page.verdict_changed` on its own
write pipeline (no extra round trip), the webhook worker turns watched jobs that ended into `job.finished`.
The worker then fans each event out to the hooks subscribed to it (a consumer group on the stream: an
event is acknowledged only once its deliveries exist), and delivers them at least once: a delivery is
leased for `lease` seconds while it is attempted, so a worker that dies mid-attempt leaves it to another,
and a failed attempt is retried after an exponential backoff until `max_attempts`.
"""

from __future__ import annotations

import secrets
import time
import uuid

import orjson
import redis
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from farmwatch.store.layout import KeyLayout
from farmwatch.store.paging import zrev_after

EVENT_TYPES = ("job.finished", "page.verdict_changed")
GROUP = "dispatch"
DELIVERY_STATUSES = ("pending", "delivered", "failed")

# Take up to ARGV[3] due deliveries and lease each until ARGV[2]: two workers never attempt one at once.
_LEASE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do
  redis.call('ZADD', KEYS[1], ARGV[2], id)
end
return due
"""


class WebhookSettings(BaseSettings):
    """FARMWATCH_WEBHOOKS__*: delivery of webhook events."""

    model_config = SettingsConfigDict(env_prefix="FARMWATCH_WEBHOOKS__", extra="ignore")

    # Callbacks must be https; http only for tests and closed networks (with the fetcher's allow_private).
    allow_http: bool = False
    max_attempts: int = Field(8, ge=1, le=50)
    backoff_base: float = 2.0  # attempt n waits base**n seconds (capped at backoff_max), plus jitter
    backoff_max: float = 3600.0
    timeout: float = 10.0  # seconds for one delivery, connect to response
    lease: float = 60.0  # seconds a delivery is reserved for the worker attempting it
    max_events: int = 100_000  # events kept in the stream (approximately; older ones are trimmed)
    max_hooks: int = 100
    poll_interval: float = 1.0  # seconds between two looks at the due deliveries and the watched jobs


def _json(raw: bytes | str | None) -> dict | None:
    return orjson.loads(raw) if raw else None


def queue_event(
    pipe: redis.client.Pipeline, layout: KeyLayout, event_type: str, data: dict, max_events: int = 100_000
) -> None:
    """Append an event on a caller's pipeline (no round trip of its own)."""
    pipe.xadd(
        layout.webhooks("events"),
        {"type": event_type, "data": orjson.dumps(data), "created": repr(time.time())},
        maxlen=max_events,
        approximate=True,
    )


def verdict_event(url: str, site: str, previous: str | None, provenance: dict) -> dict:
    """The data of a `page.verdict_changed` event."""
    sources = provenance.get("sources") or []
    return {
        "url": url,
        "site": site,
        "previous_verdict": previous,
        "verdict": provenance.get("verdict"),
        "score": provenance.get("score"),
        "source_url": sources[0].get("url") if sources and provenance.get("verdict") == "republished" else None,
        "attributed": provenance.get("attributed"),
    }


class WebhookStore:
    def __init__(self, client: redis.Redis, prefix: str = "fw", settings: WebhookSettings | None = None) -> None:
        self.client = client
        self.layout = KeyLayout(prefix)
        self.settings = settings or WebhookSettings()
        self.hooks_key = self.layout.webhooks("hooks")
        self.events_key = self.layout.webhooks("events")
        self.deliveries_key = self.layout.webhooks("deliveries")
        self.due_key = self.layout.webhooks("due")
        self.jobs_key = self.layout.webhooks("jobs")
        self._lease = client.register_script(_LEASE)
        self._group_ready = False

    def _log(self, hook_id: str) -> str:
        return self.layout.webhooks(f"log:{hook_id}")

    # --- hooks ---
    def add_hook(self, url: str, events: list[str], description: str = "", secret: str | None = None) -> dict:
        hook = {
            "id": uuid.uuid4().hex[:16],
            "url": url,
            "events": sorted(set(events)),
            "description": description,
            "secret": secret or f"whsec_{secrets.token_urlsafe(32)}",
            "created": time.time(),
            "active": True,
        }
        self.client.hset(self.hooks_key, hook["id"], orjson.dumps(hook))
        return hook

    def hook(self, hook_id: str) -> dict | None:
        return _json(self.client.hget(self.hooks_key, hook_id))

    def hooks(self) -> list[dict]:
        return sorted((_json(v) for v in self.client.hvals(self.hooks_key)), key=lambda h: h["created"])

    def count_hooks(self) -> int:
        return int(self.client.hlen(self.hooks_key))

    def delete_hook(self, hook_id: str) -> bool:
        ids = [x.decode() for x in self.client.zrange(self._log(hook_id), 0, -1)]
        pipe = self.client.pipeline(transaction=True)
        pipe.hdel(self.hooks_key, hook_id)
        if ids:
            pipe.hdel(self.deliveries_key, *ids)
            pipe.zrem(self.due_key, *ids)
        pipe.delete(self._log(hook_id))
        return bool(pipe.execute()[0])

    # --- events ---
    def add_event(self, event_type: str, data: dict) -> None:
        pipe = self.client.pipeline(transaction=False)
        queue_event(pipe, self.layout, event_type, data, self.settings.max_events)
        pipe.execute()

    @staticmethod
    def _event(entry_id: bytes | str, fields: dict) -> dict:
        entry = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        return {
            "id": entry,
            "type": fields[b"type"].decode(),
            "created": float(fields[b"created"]),
            "data": orjson.loads(fields[b"data"]),
        }

    def event(self, event_id: str) -> dict | None:
        found = self.client.xrange(self.events_key, event_id, event_id, count=1)
        return self._event(*found[0]) if found else None

    def events(self, limit: int = 50, before: str | None = None, event_type: str | None = None) -> list[dict]:
        """Events newest first, older than `before` (an event id)."""
        out: list[dict] = []
        high = f"({before}" if before else "+"
        while len(out) < limit:
            batch = self.client.xrevrange(self.events_key, high, "-", count=max(limit * 2, 50))
            if not batch:
                break
            for entry_id, fields in batch:
                event = self._event(entry_id, fields)
                if event_type is None or event["type"] == event_type:
                    out.append(event)
                    if len(out) == limit:
                        break
            high = f"({self._event(*batch[-1])['id']}"
        return out

    # --- fan-out: events -> deliveries ---
    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            self.client.xgroup_create(self.events_key, GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True

    def dispatch(self, consumer: str, block_ms: int = 0, count: int = 100) -> int:
        """Turn new events into deliveries for the hooks subscribed to them; returns events handled.
        An event is acknowledged only after its deliveries exist (creating them twice is harmless)."""
        self._ensure_group()
        # Events a dead dispatcher had read and not acknowledged, then new ones.
        _, stale, *_ = self.client.xautoclaim(self.events_key, GROUP, consumer, 30_000, "0-0", count=count)
        fresh = self.client.xreadgroup(GROUP, consumer, {self.events_key: ">"}, count=count, block=block_ms or None)
        entries = list(stale) + [e for _, batch in (fresh or []) for e in batch]
        entries = [(entry_id, fields) for entry_id, fields in entries if fields]
        if not entries:
            return 0
        hooks = [h for h in self.hooks() if h.get("active", True)]
        pipe = self.client.pipeline(transaction=False)
        for entry_id, fields in entries:
            event = self._event(entry_id, fields)
            for hook in hooks:
                if event["type"] in hook["events"] and event["created"] >= hook["created"]:
                    self._create_delivery(pipe, hook["id"], event, reset=False)
        pipe.xack(self.events_key, GROUP, *[entry_id for entry_id, _ in entries])
        pipe.execute()
        return len(entries)

    def _create_delivery(self, pipe: redis.client.Pipeline, hook_id: str, event: dict, *, reset: bool) -> str:
        delivery_id = f"{hook_id}/{event['id']}"
        now = time.time()
        record = {
            "id": delivery_id,
            "hook_id": hook_id,
            "event_id": event["id"],
            "event_type": event["type"],
            "status": "pending",
            "attempts": 0,
            "last_status": None,
            "last_error": None,
            "next_attempt": now,
            "delivered_at": None,
            "created": now,
        }
        if reset:
            pipe.hset(self.deliveries_key, delivery_id, orjson.dumps(record))
            pipe.zadd(self.due_key, {delivery_id: now})
        else:
            pipe.hsetnx(self.deliveries_key, delivery_id, orjson.dumps(record))
            pipe.zadd(self.due_key, {delivery_id: now}, nx=True)
        pipe.zadd(self._log(hook_id), {delivery_id: now}, nx=True)
        return delivery_id

    def replay(self, hook_id: str, event_ids: list[str]) -> list[str]:
        """Deliver these events to the hook again (from the first attempt), whatever became of them before."""
        events = [e for e in (self.event(i) for i in event_ids) if e is not None]
        pipe = self.client.pipeline(transaction=False)
        ids = [self._create_delivery(pipe, hook_id, event, reset=True) for event in events]
        pipe.execute()
        return ids

    # --- deliveries ---
    def lease_due(self, limit: int = 20) -> list[tuple[dict, dict, dict]]:
        """Due deliveries, each leased to the caller: (delivery, hook, event)."""
        now = time.time()
        ids = [x.decode() for x in self._lease(keys=[self.due_key], args=[now, now + self.settings.lease, limit])]
        if not ids:
            return []
        records = self.client.hmget(self.deliveries_key, ids)
        out = []
        for delivery_id, raw in zip(ids, records, strict=True):
            delivery = _json(raw)
            hook = self.hook(delivery["hook_id"]) if delivery else None
            event = self.event(delivery["event_id"]) if delivery else None
            if delivery is None or hook is None or event is None:  # hook deleted, or event trimmed
                if delivery is not None and event is None:
                    self._finish(delivery, "failed", None, "the event is no longer kept")
                else:
                    self.client.zrem(self.due_key, delivery_id)
                continue
            out.append((delivery, hook, event))
        return out

    def backoff(self, attempts: int) -> float:
        import random

        base = min(self.settings.backoff_max, self.settings.backoff_base**attempts)
        return base * (0.8 + 0.4 * random.random())

    def record_attempt(self, delivery: dict, ok: bool, status: int | None, error: str | None) -> dict:
        delivery = {**delivery, "attempts": delivery["attempts"] + 1, "last_status": status, "last_error": error}
        if ok:
            return self._finish(delivery, "delivered", status, None)
        if delivery["attempts"] >= self.settings.max_attempts:
            return self._finish(delivery, "failed", status, error)
        delivery["next_attempt"] = time.time() + self.backoff(delivery["attempts"])
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self.deliveries_key, delivery["id"], orjson.dumps(delivery))
        pipe.zadd(self.due_key, {delivery["id"]: delivery["next_attempt"]})
        pipe.execute()
        return delivery

    def _finish(self, delivery: dict, status: str, http_status: int | None, error: str | None) -> dict:
        delivery = {**delivery, "status": status, "next_attempt": None, "last_error": error}
        if http_status is not None:
            delivery["last_status"] = http_status
        if status == "delivered":
            delivery["delivered_at"] = time.time()
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self.deliveries_key, delivery["id"], orjson.dumps(delivery))
        pipe.zrem(self.due_key, delivery["id"])
        pipe.execute()
        return delivery

    def delivery(self, delivery_id: str) -> dict | None:
        return _json(self.client.hget(self.deliveries_key, delivery_id))

    def deliveries(
        self, hook_id: str, limit: int = 50, after: tuple[float, str] | None = None
    ) -> tuple[list[dict], tuple[float, str] | None]:
        """A hook's deliveries, newest first, after the keyset position `after` = (created, delivery id) of
        the last one seen; with the position to resume after (None on the last page)."""
        key = self._log(hook_id)
        _, rows = zrev_after(self.client, key, limit + 1, after)  # one more: whether another page follows
        shown = rows[:limit]
        following = (shown[-1][1], shown[-1][0]) if len(rows) > limit else None
        if not shown:
            return [], None
        records = self.client.hmget(self.deliveries_key, [delivery_id for delivery_id, _ in shown])
        return [d for d in (_json(r) for r in records) if d], following

    # --- watched jobs ---
    def watch_jobs(self, job_ids: list[str]) -> None:
        if job_ids:
            self.client.zadd(self.jobs_key, dict.fromkeys(job_ids, time.time()), nx=True)

    def finished_jobs(self, limit: int = 500) -> list[dict]:
        """Watched jobs that ended (done or failed): each becomes a `job.finished` event, once."""
        ids = [x.decode() for x in self.client.zrange(self.jobs_key, 0, limit - 1)]
        if not ids:
            return []
        pipe = self.client.pipeline(transaction=False)
        for job_id in ids:
            pipe.hmget(self.layout.job(job_id), ["status", "url", "error", "attempts", "page_url"])
        ended, gone = [], []
        for job_id, (status, url, error, attempts, page_url) in zip(ids, pipe.execute(), strict=True):
            if status is None:
                gone.append(job_id)
            elif status in (b"done", b"failed"):
                ended.append(
                    {
                        "job_id": job_id,
                        "status": status.decode(),
                        "url": url.decode() if url else None,
                        "error": error.decode() if error else None,
                        "attempts": int(attempts or 0),
                        "page_url": page_url.decode() if page_url else None,
                    }
                )
        if ended or gone:
            # Emitting and unwatching in one transaction: a job's end becomes exactly one event.
            pipe = self.client.pipeline(transaction=True)
            for data in ended:
                queue_event(pipe, self.layout, "job.finished", data, self.settings.max_events)
            pipe.zrem(self.jobs_key, *[d["job_id"] for d in ended], *gone)
            pipe.execute()
        return ended
