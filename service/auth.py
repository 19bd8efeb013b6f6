"""Who may do what: API keys with roles, per-key rate limits, and the loopback default.

Every route depends on `require(role, ...)`. A request names its key with
`Authorization: Bearer fwk_…`; the key's record is read from Redis on every request,
so a revoked key is refused by every API process at once. `admin` may do everything.

The safe default, like Redis's protected mode: an API bound to loopback with no keys
configured answers without keys; bound to any other address it needs a key for
everything (and `farmwatch serve` refuses to start there until a key exists).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import limits
import redis
from fastapi import Request
from limits.storage import RedisClusterStorage, RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from redis.cluster import RedisCluster

from farmwatch.config import Settings
from farmwatch.store.api_keys import ROLES, ApiKey, KeyStore
from farmwatch.store.layout import KeyLayout
from service.errors import ApiError
from service.models import ErrorResponse

# For a route's `responses=`: the refusals every keyed route may answer with.
AUTH_ERRORS: dict[int | str, dict] = {
    401: {"model": ErrorResponse, "description": "no key, or an unknown or revoked key"},
    403: {"model": ErrorResponse, "description": "the key's role may not do this"},
    429: {"model": ErrorResponse, "description": "the key's rate limit is spent; see Retry-After"},
}


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request: a key, or nobody (loopback, no keys configured)."""

    key: ApiKey | None

    @property
    def role(self) -> str:
        return self.key.role if self.key else "admin"

    @property
    def key_id(self) -> str | None:
        return self.key.id if self.key else None


class Auth:
    def __init__(self, client: redis.Redis, settings: Settings, open_when_no_keys: bool) -> None:
        self.keys = KeyStore(client, settings.key_prefix)
        self.settings = settings
        self.open_when_no_keys = open_when_no_keys
        # Counters live in Redis so a limit holds across every API process.
        storage: RedisStorage | RedisClusterStorage
        if isinstance(client, RedisCluster):
            nodes = ",".join(f"{node.host}:{node.port}" for node in client.get_primaries())
            storage = RedisClusterStorage(
                f"redis+cluster://{nodes}", key_prefix=KeyLayout(settings.key_prefix).rate_limit_prefix
            )
        else:
            storage = RedisStorage(
                "redis://",
                connection_pool=client.connection_pool,
                key_prefix=KeyLayout(settings.key_prefix).rate_limit_prefix,
            )
        self.limiter = SlidingWindowCounterRateLimiter(storage)
        self._rates: dict[str, limits.RateLimitItem] = {}

    def _rate(self, key: ApiKey) -> limits.RateLimitItem:
        text = key.rate or getattr(self.settings.rate, key.role)
        if text not in self._rates:
            self._rates[text] = limits.parse(text)
        return self._rates[text]

    def authenticate(self, request: Request) -> Principal:
        header = request.headers.get("authorization")
        if header is None:
            if self.open_when_no_keys and self.keys.count() == 0:
                return Principal(None)
            raise ApiError(
                401,
                "unauthorized",
                "this endpoint needs an API key: send `Authorization: Bearer <key>` "
                "(an admin creates keys with `farmwatch keys create --role ROLE`)",
                {"WWW-Authenticate": "Bearer"},
            )
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(
                401, "unauthorized", "the Authorization header must be `Bearer <key>`", {"WWW-Authenticate": "Bearer"}
            )
        key = self.keys.lookup(token) if len(token) < 200 else None
        if key is None:
            raise ApiError(
                401,
                "invalid_key",
                "this API key is not valid (unknown or revoked)",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return Principal(key)

    def limit(self, principal: Principal) -> None:
        if principal.key is None:
            return
        rate = self._rate(principal.key)
        if not self.limiter.hit(rate, principal.key.id):
            stats = self.limiter.get_window_stats(rate, principal.key.id)
            retry = max(1, math.ceil(stats.reset_time - time.time()))
            raise ApiError(
                429,
                "rate_limited",
                f"too many requests for this key (limit {rate}); retry in {retry} s",
                {"Retry-After": str(retry)},
            )


def get_auth(request: Request) -> Auth:
    return request.app.state.auth


def require(*roles: str) -> Callable[[Request], Principal]:
    """A dependency admitting keys with one of these roles (or admin), rate-limited per key."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    allowed = {"admin", *roles}

    def dependency(request: Request) -> Principal:
        auth = get_auth(request)
        principal = auth.authenticate(request)
        request.state.key_id = principal.key_id
        auth.limit(principal)  # before the role check, so a key hammering forbidden routes is slowed too
        if principal.role not in allowed:
            raise ApiError(
                403,
                "forbidden",
                f"a {principal.role} key may not do this; it needs one of: {', '.join(sorted(allowed))}",
            )
        return principal

    dependency.__name__ = f"require_{'_'.join(roles) or 'admin'}"
    return dependency
