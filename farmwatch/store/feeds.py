"""Registered RSS/Atom feeds and sitemaps that workers poll for new articles.

Keys: fw:feeds (hash feed url → JSON record), fw:feeds:due (zset feed url →
next poll time), fw:discovered (set of article URLs already queued once, from
a feed or a page's links, so none is queued twice).
"""

from __future__ import annotations

import time

import orjson
import redis

from farmwatch.analysis.urls import normalize_url
from farmwatch.store.layout import KeyLayout

# Take the earliest due feed and push its next poll out by the interval, atomically: one poller per feed per round.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), due[1])
return due[1]
"""


class FeedStore:
    def __init__(self, client: redis.Redis, prefix: str = "fw") -> None:
        self.client = client
        keys = KeyLayout(prefix)
        self.key = keys.feeds
        self.due = keys.feeds_due
        self.discovered = keys.discovered
        self._claim = client.register_script(_CLAIM)

    def add(self, url: str, via: str | None = None) -> tuple[dict, bool]:
        """Register a feed (polled at once); returns (record, created)."""
        url = normalize_url(url)
        record = {
            "url": url,
            "added": time.time(),
            "via": via,
            "kind": None,
            "last_polled": None,
            "last_status": None,
            "last_error": None,
            "items_seen": 0,
            "items_queued": 0,
        }
        if self.client.hsetnx(self.key, url, orjson.dumps(record)):
            self.client.zadd(self.due, {url: 0}, nx=True)
            return self.public(record), True
        return self.public(self.get(url) or record), False

    def get(self, url: str) -> dict | None:
        raw = self.client.hget(self.key, normalize_url(url))
        return orjson.loads(raw) if raw else None

    def update(self, url: str, **fields: object) -> None:
        record = self.get(url)
        if record is None:
            return
        record.update(fields)
        self.client.hset(self.key, url, orjson.dumps(record))

    def all(self) -> list[dict]:
        return sorted((self.public(orjson.loads(v)) for v in self.client.hvals(self.key)), key=lambda r: r["added"])

    @staticmethod
    def public(record: dict) -> dict:
        return {k: v for k, v in record.items() if k not in ("etag", "last_modified")}

    def claim_due(self, interval: float) -> str | None:
        url = self._claim(keys=[self.due], args=[time.time(), interval])
        return url.decode() if url else None

    def first_time(self, url: str) -> bool:
        """True once per URL ever: whether it is new to discovery."""
        return bool(self.client.sadd(self.discovered, normalize_url(url)))
