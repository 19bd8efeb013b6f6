"""Who may do what: API keys with roles, per-key rate limits, and the loopback default.

Every route depends on `require(role, ...)`. A request names its key with
`Authorization: Bearer fwk_…`; the key's record is read from Redis on every request,
so a revoked key is refused by every API process at once. `admin` may do everything.

The check runs on the event loop with an asyncio Redis client, and on one Redis server it is one
round trip: a script reads the key's record and, when it is the record this process has parsed
before (records are cached parsed, never trusted: the script compares it on the server), counts
the request in the key's rate-limit window — `limits`' own sliding-window script, on `limits`' own
keys, so the windows are the same ones the library reads and writes. A route may add its own reads
to that script (`GateReads`: the look-up does), run only once the request is admitted, so the check
and the route's data cost one round trip together. A process meeting a key for the first time (or a
record changed by an import) takes a second round trip. The loopback default's "are there any keys?"
is asked in the same script. The script runs on a pipelined asyncio connection
(farmwatch/store/pipelined.py: the checks of concurrent requests share their writes and reads), or on
redis-py's asyncio client where that does not apply (TLS). On a Redis Cluster the record and the window
live on different nodes: there the check is two calls, as before.

The safe default, like Redis's protected mode: an API bound to loopback with no keys
configured answers without keys; bound to any other address it needs a key for
everything (and `farmwatch serve` refuses to start there until a key exists).
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources import files

import limits
import redis
import redis.asyncio
from fastapi import Request
from limits.storage import RedisClusterStorage, RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from redis.cluster import RedisCluster
from starlette.concurrency import run_in_threadpool

from farmwatch.config import Settings
from farmwatch.store.api_keys import ROLES, ApiKey, KeyStore, hash_token
from farmwatch.store.layout import KeyLayout
from farmwatch.store.pipelined import PipelinedRedis, pipelined_for
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


# The key check and the rate-limit hit in one call, and optionally a route's own reads once the request is
# admitted (`GateReads`): one round trip for all three. `acquire` is `limits`' acquire_sliding_window.lua
# verbatim (its KEYS and ARGV are the function's parameters), so the window is counted exactly as the library
# counts it. KEYS: the key hash, the two window keys, then the reads' keys; ARGV: the token's digest ('' when
# the request sent no key: admitted only while no key exists), the record this process parsed, limit, expiry,
# cost, then the reads' arguments. Replies: {0} unknown or revoked key, {1, record} a record to parse first,
# {2, 0} rate-limited, {2, 1, reads} admitted, {3} no key sent while keys exist.
_GATE = """
local function acquire(KEYS, ARGV)
%(acquire)s
end
local function reads(KEYS, ARGV)
%(reads)s
end
local function admitted()
  return {2, 1, reads({unpack(KEYS, 4)}, {unpack(ARGV, 6)})}
end
if ARGV[1] == '' then
  if redis.call('HLEN', KEYS[1]) == 0 then return admitted() end
  return {3}
end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {0} end
if raw ~= ARGV[2] then return {1, raw} end
if acquire({KEYS[2], KEYS[3]}, {ARGV[3], ARGV[4], ARGV[5]}) then return admitted() end
return {2, 0}
"""
_ACQUIRE = files("limits").joinpath("resources/redis/lua_scripts/acquire_sliding_window.lua").read_text()


@dataclass(frozen=True, slots=True)
class GateReads:
    """Reads a route makes once its request is admitted, run inside the key check's script (one round trip).

    `lua` is the body of a Lua function of (KEYS, ARGV) returning a table; its KEYS and ARGV are `keys` and
    `args`. The reads run only for an admitted request: a refused one reads nothing."""

    lua: str
    keys: tuple[str, ...]
    args: tuple[str | bytes | int, ...]


_NO_READS = "return {}"

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}
_INVALID_HEADERS = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def _no_key() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "this endpoint needs an API key: send `Authorization: Bearer <key>` "
        "(an admin creates keys with `farmwatch keys create --role ROLE`)",
        dict(_UNAUTHORIZED_HEADERS),
    )


def _bad_scheme() -> ApiError:
    return ApiError(401, "unauthorized", "the Authorization header must be `Bearer <key>`", dict(_UNAUTHORIZED_HEADERS))


def _invalid_key() -> ApiError:
    return ApiError(401, "invalid_key", "this API key is not valid (unknown or revoked)", dict(_INVALID_HEADERS))


def _token_of(header: str) -> str:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _bad_scheme()
    return token


def async_client_for(client: redis.Redis) -> redis.asyncio.Redis | None:
    """An asyncio client on the same server and settings as `client` (None on a cluster: callers go sync)."""
    if isinstance(client, RedisCluster):
        return None
    pool = client.connection_pool
    kinds = {
        redis.connection.UnixDomainSocketConnection: redis.asyncio.UnixDomainSocketConnection,
        redis.connection.SSLConnection: redis.asyncio.SSLConnection,
        redis.connection.Connection: redis.asyncio.Connection,
    }
    kind = kinds.get(pool.connection_class)
    if kind is None:
        return None
    allowed = {
        "host", "port", "path", "db", "username", "password", "socket_timeout", "socket_connect_timeout",
        "socket_keepalive", "socket_keepalive_options", "health_check_interval", "client_name",
        "ssl_keyfile", "ssl_certfile", "ssl_cert_reqs", "ssl_ca_certs", "ssl_check_hostname",
    }  # fmt: skip
    kwargs = {k: v for k, v in pool.connection_kwargs.items() if k in allowed}
    return redis.asyncio.Redis(connection_pool=redis.asyncio.ConnectionPool(connection_class=kind, **kwargs))


class Auth:
    def __init__(self, client: redis.Redis, settings: Settings, open_when_no_keys: bool) -> None:
        self.client = client
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
        self.storage = storage
        self.limiter = SlidingWindowCounterRateLimiter(storage)
        self._rates: dict[str, limits.RateLimitItem] = {}
        # token hash -> the record as stored, parsed, with its window's keys: the script checks the stored
        # record on every request, so a revoked or changed key is refused or re-read at once.
        self._records: dict[str, _Parsed] = {}
        # This event loop's asyncio clients (redis-py's; the pipelined one of the gate scripts, None for TLS) and
        # its gate scripts by the reads they run (GateReads.lua).
        self._async: (
            tuple[asyncio.AbstractEventLoop, redis.asyncio.Redis, PipelinedRedis | None, dict[str, Callable]] | None
        ) = None

    def _rate(self, key: ApiKey) -> limits.RateLimitItem:
        text = key.rate or getattr(self.settings.rate, key.role)
        if text not in self._rates:
            self._rates[text] = limits.parse(text)
        return self._rates[text]

    def aclient(self) -> redis.asyncio.Redis | None:
        """This event loop's asyncio client (None on a cluster)."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            aclient = async_client_for(self.client)
            if aclient is None:
                return None
            self._async = (loop, aclient, pipelined_for(self.client), {})
        return self._async[1]

    def _gate(self, reads: str) -> Callable[..., Awaitable]:
        """The gate script running `reads`, on this loop's pipelined connection (redis-py's client for TLS)."""
        assert self._async is not None
        _, aclient, pipelined, scripts = self._async
        script = scripts.get(reads)
        if script is None:
            text = _GATE % {"acquire": _ACQUIRE, "reads": reads}
            script = scripts[reads] = pipelined.script(text) if pipelined is not None else aclient.register_script(text)
        return script

    async def aclose(self) -> None:
        if self._async is not None:
            _, aclient, pipelined, _ = self._async
            self._async = None
            await aclient.aclose()
            if pipelined is not None:
                await pipelined.aclose()

    # --- sync (a Redis Cluster; the CLI and tests may call these too) ---
    def authenticate(self, request: Request) -> Principal:
        header = request.headers.get("authorization")
        if header is None:
            if self.open_when_no_keys and self.keys.count() == 0:
                return Principal(None)
            raise _no_key()
        token = _token_of(header)
        key = self.keys.lookup(token) if len(token) < 200 else None
        if key is None:
            raise _invalid_key()
        return Principal(key)

    def limit(self, principal: Principal) -> None:
        if principal.key is None:
            return
        rate = self._rate(principal.key)
        if not self.limiter.hit(rate, principal.key.id):
            self._refuse(rate, principal.key.id)

    def _refuse(self, rate: limits.RateLimitItem, key_id: str) -> None:
        stats = self.limiter.get_window_stats(rate, key_id)
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests for this key (limit {rate}); retry in {retry} s",
            {"Retry-After": str(retry)},
        )

    def check(self, request: Request) -> Principal:
        principal = self.authenticate(request)
        request.state.key_id = principal.key_id
        self.limit(principal)
        return principal

    # --- async: one round trip on one Redis server ---
    async def acheck(self, request: Request) -> Principal:
        """Authenticate and count the request against its key's limit (401/429 as ApiError)."""
        if self.aclient() is None:
            return await run_in_threadpool(self.check, request)
        # request.state's own dict (the scope's "state"), where the access line finds the key id
        principal, _ = await self.agate(request.headers.get("authorization"), request.state._state)
        return principal

    async def agate(
        self, header: str | None, state: dict, reads: GateReads | None = None
    ) -> tuple[Principal, list | None]:
        """`acheck` for an Authorization header, then `reads` once admitted, in one round trip on one server.

        Sets `key_id` in `state` (the request's scope state, for the access line) as soon as the key is known,
        raises 401/429 as ApiError, and gives the principal with the reads' reply (None without `reads`).
        Call only where `aclient()` is not None."""
        if header is None:
            if not self.open_when_no_keys:
                raise _no_key()
            digest = ""
        else:
            token = _token_of(header)
            if len(token) >= 200:
                raise _invalid_key()
            digest = hash_token(token)
        script = self._gate(reads.lua if reads is not None else _NO_READS)
        extra_keys, extra_args = (reads.keys, reads.args) if reads is not None else ((), ())
        for _attempt in range(3):
            known = self._records.get(digest) if digest else None
            if known is None:
                keys, args = [self.keys.by_hash, "", ""], [digest, b"", 0, 0, 1]
            else:
                keys, args = [self.keys.by_hash, *known.windows], [digest, known.raw, *known.limit, 1]
            reply = await script(keys=[*keys, *extra_keys], args=[*args, *extra_args])
            status = reply[0]
            if status == 2 and known is not None:
                state["key_id"] = known.key.id
                if not reply[1]:
                    await run_in_threadpool(self._refuse, known.rate, known.key.id)
                return Principal(known.key), reply[2] if reads is not None else None
            if status == 2:  # no key sent, and none exists: the loopback default
                state["key_id"] = None
                return Principal(None), reply[2] if reads is not None else None
            if status == 3:
                raise _no_key()
            if status == 0:  # unknown or revoked
                self._records.pop(digest, None)
                raise _invalid_key()
            # A record this process has not parsed (or one changed since): parse, ask again.
            parsed = KeyStore.parse(token, reply[1])
            if parsed is None:
                raise _invalid_key()
            if len(self._records) >= 10_000:
                self._records.clear()
            self._records[digest] = self._parsed(reply[1], parsed)
        raise _invalid_key()  # the record changed under us three times running: refuse rather than spin

    def _parsed(self, raw: bytes, key: ApiKey) -> _Parsed:
        rate = self._rate(key)
        window = rate.key_for(key.id)
        storage = self.storage
        return _Parsed(
            raw,
            key,
            rate,
            (
                storage.prefixed_key(storage._previous_window_key(window)),
                storage.prefixed_key(storage._current_window_key(window)),
            ),
            (rate.amount, rate.get_expiry()),
        )


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A key record as stored and as parsed, with its rate and its `limits` window keys (computed once)."""

    raw: bytes
    key: ApiKey
    rate: limits.RateLimitItem
    windows: tuple[str, str]
    limit: tuple[int, int]


def forbidden(role: str, allowed: set[str]) -> ApiError:
    return ApiError(403, "forbidden", f"a {role} key may not do this; it needs one of: {', '.join(sorted(allowed))}")


def get_auth(request: Request) -> Auth:
    return request.app.state.auth


def require(*roles: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting keys with one of these roles (or admin), rate-limited per key."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    allowed = {"admin", *roles}

    async def dependency(request: Request) -> Principal:
        # Counted before the role check, so a key hammering forbidden routes is slowed too.
        principal = await get_auth(request).acheck(request)
        if principal.role not in allowed:
            raise forbidden(principal.role, allowed)
        return principal

    dependency.__name__ = f"require_{'_'.join(roles) or 'admin'}"
    return dependency
