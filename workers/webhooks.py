"""The webhook worker: turns ended jobs into events, fans events out to hooks, delivers them signed.

Runs as one thread beside the fetch workers in `farmwatch serve` and `farmwatch worker` (any number of
processes may run it: deliveries are leased, events are read through a consumer group).

A delivery is a POST of the event as JSON to the hook's URL, through the fetcher's guarded transport (the
same SSRF rules as fetching pages: no loopback, private, link-local or metadata addresses unless
FARMWATCH_FETCH__ALLOW_PRIVATE lists them, the address checked is the address connected to, no redirects
followed), https only unless FARMWATCH_WEBHOOKS__ALLOW_HTTP. It is signed:

    X-Farmwatch-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

and any 2xx answer within FARMWATCH_WEBHOOKS__TIMEOUT counts as delivered; anything else is retried with an
exponential backoff, at least once, until FARMWATCH_WEBHOOKS__MAX_ATTEMPTS. Receivers should check the
signature and the time (refuse old `t`), and treat `X-Farmwatch-Event-Id` as an idempotency key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import orjson
import redis

from farmwatch.config import FetchSettings
from farmwatch.errors import FetchError, InvalidRequest
from farmwatch.store.webhooks import WebhookSettings, WebhookStore
from workers.fetch import GuardedTransport, Resolver, check_url

log = logging.getLogger("farmwatch.webhooks")
SIGNATURE_HEADER = "X-Farmwatch-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, tolerance: float = 300.0, now: float | None = None) -> bool:
    """Whether a signature header is this body's, made with this secret, within `tolerance` seconds."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def check_callback(url: str, fetch: FetchSettings, hooks: WebhookSettings) -> None:
    """Refuse a callback URL before registering it: https (unless allowed), and the fetcher's checks."""
    scheme = urlsplit(url).scheme.lower()
    if scheme != "https" and not (hooks.allow_http and scheme == "http"):
        raise InvalidRequest("a webhook URL must be https://", code="invalid_webhook_url")
    try:
        check_url(url, fetch)
    except FetchError as error:
        raise InvalidRequest(f"webhook URL refused: {error}", code="invalid_webhook_url") from error


def payload(event: dict, delivery: dict) -> bytes:
    return orjson.dumps(
        {
            "id": event["id"],
            "type": event["type"],
            "created": event["created"],
            "data": event["data"],
            "delivery": {"id": delivery["id"], "attempt": delivery["attempts"] + 1},
        }
    )


class WebhookWorker:
    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        fetch: FetchSettings,
        settings: WebhookSettings | None = None,
        resolve: Resolver | None = None,
        name: str | None = None,
    ) -> None:
        self.settings = settings or WebhookSettings()
        self.store = WebhookStore(client, prefix, self.settings)
        self.fetch = fetch
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-webhooks"
        self.http = httpx.Client(
            transport=GuardedTransport(fetch, resolve),
            timeout=self.settings.timeout,
            follow_redirects=False,
            headers={"User-Agent": fetch.user_agent, "Content-Type": "application/json"},
        )

    def close(self) -> None:
        self.http.close()

    def deliver(self, delivery: dict, hook: dict, event: dict) -> dict:
        """One attempt; records its outcome (delivered, retry later, or failed for good)."""
        body = payload(event, delivery)
        headers = {
            SIGNATURE_HEADER: sign(hook["secret"], int(time.time()), body),
            "X-Farmwatch-Event": event["type"],
            "X-Farmwatch-Event-Id": event["id"],
            "X-Farmwatch-Delivery": delivery["id"],
        }
        status: int | None = None
        error: str | None = None
        try:
            check_callback(hook["url"], self.fetch, self.settings)
            response = self.http.post(hook["url"], content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"answered {status}"
        except (FetchError, InvalidRequest) as refused:
            error = f"{getattr(refused, 'kind', refused.code)}: {refused.message}"
        except httpx.HTTPError as failed:
            error = f"{type(failed).__name__}: {failed}"[:300]
        ok = error is None
        if not ok:
            log.info("webhook delivery %s failed: %s", delivery["id"], error)
        return self.store.record_attempt(delivery, ok, status, error)

    def run_once(self) -> int:
        """Ended jobs to events, events to deliveries, then every due delivery; returns attempts made."""
        self.store.finished_jobs()
        self.store.dispatch(self.name)
        attempts = 0
        while True:
            batch = self.store.lease_due()
            if not batch:
                return attempts
            for delivery, hook, event in batch:
                self.deliver(delivery, hook, event)
                attempts += 1

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    self.run_once()
                except (redis.ConnectionError, redis.TimeoutError) as error:
                    log.warning("webhook worker: Redis unreachable: %s", error)
                except Exception:
                    log.exception("webhook worker loop error")
                stop.wait(self.settings.poll_interval)
        finally:
            self.close()
