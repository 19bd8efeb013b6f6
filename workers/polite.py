"""Politeness that holds across every worker process: robots.txt, crawl-delay, per-host rate and concurrency.

All shared state is in Redis, so two workers on two machines see the same
limits:
  fw:robots:{origin}      string, "status\\n" + robots.txt body, expiring after robots_ttl
  fw:host:{host}:next     string, server time before which no new request to host may start
  fw:host:{host}:slots    zset, requests in flight to host (member: token, score: lease expiry)
Times come from the Redis server's clock (TIME inside the scripts), so workers'
clocks need not agree. A worker killed while holding a slot frees it when the
lease runs out.
"""

from __future__ import annotations

import contextlib
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from protego import Protego

from farmwatch.config import FetchSettings
from farmwatch.store.layout import KeyLayout
from workers.fetch import HTML_TYPES, Fetcher, FetchError, FetchResult, waited

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least 500 KiB
ROBOTS_UNREACHABLE_TTL = 60.0  # a 5xx or unreachable robots.txt is asked again after this
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "text/plain",  # some servers label sitemaps so
)

_ACQUIRE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) * 1000) + 1000)
  return 1
end
return 0
"""

# Reserve the next start time for a host; returns the wait (seconds, as a string) or, when the wait
# would exceed ARGV[2], its negative without reserving anything.
_RESERVE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nxt)
local wait = start - now
if wait > tonumber(ARGV[2]) then return tostring(-wait) end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.6f', start + interval), 'PX', math.ceil((wait + interval) * 1000) + 1000)
return string.format('%.6f', wait)
"""


@dataclass(slots=True)
class Robots:
    """A host's robots.txt as it applies to us."""

    status: int  # HTTP status of robots.txt; 0 when unreachable
    parser: Protego | None

    def allows(self, url: str, agent: str) -> bool:
        if self.status == 0 or self.status >= 500:
            return False  # RFC 9309 §2.3.1.4: unreachable means complete disallow
        if self.parser is None:  # 4xx: no rules
            return True
        return bool(self.parser.can_fetch(url, agent))

    def delay(self, agent: str) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(agent) or 0.0
        rate = self.parser.request_rate(agent)
        if rate and rate.requests:
            delay = max(delay, rate.seconds / rate.requests)
        return float(delay)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


class PoliteFetcher:
    """Fetches through robots.txt rules and the shared per-host limits."""

    def __init__(
        self, client: redis.Redis, settings: FetchSettings, prefix: str = "fw", fetcher: Fetcher | None = None
    ) -> None:
        self.client = client
        self.settings = settings
        self.prefix = prefix
        self.fetcher = fetcher or Fetcher(settings)
        self._acquire = client.register_script(_ACQUIRE)
        self._reserve = client.register_script(_RESERVE)
        self._parsed: dict[tuple[str, int, int], Protego] = {}

    def close(self) -> None:
        self.fetcher.close()

    # --- robots.txt ---
    def robots(self, url: str) -> Robots:
        origin = origin_of(url)
        key = KeyLayout(self.prefix).robots(origin)
        cached = self.client.get(key)
        if cached is None:
            status, body = self._fetch_robots(origin)
            ttl = (
                self.settings.robots_ttl if 0 < status < 500 else min(self.settings.robots_ttl, ROBOTS_UNREACHABLE_TTL)
            )
            cached = str(status).encode() + b"\n" + body
            self.client.set(key, cached, px=max(1, int(ttl * 1000)))
        head, _, body = cached.partition(b"\n")
        status = int(head)
        return Robots(status, self._parse(origin, body) if 200 <= status < 300 else None)

    def _parse(self, origin: str, body: bytes) -> Protego:
        """Parsed once per process and version of the file: a 500 KiB robots.txt takes protego ~0.5 s."""
        key = (origin, len(body), zlib.crc32(body))
        parser = self._parsed.get(key)
        if parser is None:
            parser = Protego.parse(body.decode("utf-8", errors="replace"))
            if len(self._parsed) >= 64:
                self._parsed.pop(next(iter(self._parsed)))
            self._parsed[key] = parser
        return parser

    def _fetch_robots(self, origin: str) -> tuple[int, bytes]:
        """A robots.txt's status and body. Fetched inside the page's fetch, so under its deadline. A body
        past ROBOTS_MAX_BYTES (raw or decompressed) is cut there, at the last whole line, and parsed:
        RFC 9309 §2.5 asks crawlers to parse at least 500 KiB, so a larger file still has rules."""
        try:
            result = self.fetcher.fetch(
                f"{origin}/robots.txt", accept=None, max_bytes=ROBOTS_MAX_BYTES, statuses_ok=True, truncate=True
            )
        except FetchError as error:
            if error.kind in ("forbidden_address", "bad_url", "connection", "dns", "timeout"):
                raise  # the host itself is unreachable or refused: say so, and cache nothing
            return 0, b""
        if 200 <= result.status < 300:
            body = result.body
            if len(body) >= ROBOTS_MAX_BYTES:
                body = body[: body.rfind(b"\n") + 1]
            return result.status, body
        return result.status, b""

    # --- per-host limits ---
    def interval(self, robots: Robots) -> float:
        return max(
            self.settings.host_min_interval,
            min(robots.delay(self.settings.robots_agent), self.settings.max_crawl_delay),
        )

    @contextlib.contextmanager
    def hop(self, url: str) -> Iterator[None]:
        """Entered around each request: robots.txt, then a host slot, then the host's next start time."""
        settings = self.settings
        robots = self.robots(url)
        if robots.status == 0 or robots.status >= 500:
            raise FetchError(
                "robots_unreachable",
                f"robots.txt of {origin_of(url)} is unreachable "
                f"(status {robots.status or 'none'}); not fetching until it answers",
                retryable=True,
                retry_after=ROBOTS_UNREACHABLE_TTL,
            )
        if not robots.allows(url, settings.robots_agent):
            raise FetchError(
                "robots_disallowed", f"robots.txt of {origin_of(url)} disallows {url} for {settings.robots_agent}"
            )
        host = (urlsplit(url).hostname or "").lower()
        slots = KeyLayout(self.prefix).host_slots(host)
        token = uuid.uuid4().hex
        lease = settings.total_timeout + settings.host_max_wait + 5.0
        queued = time.monotonic()
        give_up = queued + settings.host_max_wait
        pause = 0.02
        while not self._acquire(keys=[slots], args=[token, settings.host_concurrency, lease]):
            if time.monotonic() > give_up:
                raise FetchError(
                    "host_busy",
                    f"{host} already has {settings.host_concurrency} requests in flight",
                    retryable=True,
                    retry_after=settings.host_max_wait,
                )
            time.sleep(pause)
            pause = min(0.25, pause * 1.5)
        try:
            wait = float(
                self._reserve(
                    keys=[KeyLayout(self.prefix).host_next(host)], args=[self.interval(robots), settings.host_max_wait]
                )
            )
            if wait < 0:
                raise FetchError(
                    "host_busy",
                    f"{host}'s rate limit has no slot within {settings.host_max_wait}s",
                    retryable=True,
                    retry_after=-wait,
                )
            if wait > 0:
                time.sleep(wait)
            waited(time.monotonic() - queued)  # the host's turn is not network time: the deadline moves
            yield
        finally:
            self.client.zrem(slots, token)

    # --- fetches ---
    def fetch_page(self, url: str, validators: dict[str, str] | None = None) -> FetchResult:
        return self.fetcher.fetch(url, accept=HTML_TYPES, headers=conditional_headers(validators), hop=self.hop)

    def fetch_feed(self, url: str, validators: dict[str, str] | None = None) -> FetchResult:
        return self.fetcher.fetch(url, accept=FEED_TYPES, headers=conditional_headers(validators), hop=self.hop)


def conditional_headers(validators: dict[str, str] | None) -> dict[str, str] | None:
    if not validators:
        return None
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    return headers or None


def validators_of(result: FetchResult) -> dict[str, str]:
    return {
        k: v
        for k, v in (
            ("etag", result.headers.get("etag", "")),
            ("last_modified", result.headers.get("last-modified", "")),
        )
        if v
    }
