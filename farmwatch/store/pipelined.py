"""A lean asyncio Redis client for the API's hot scripts: one connection, commands pipelined as they come.

redis-py's asyncio client takes a connection from its pool for every command (a lock, a check that the
socket has nothing unread, per-command timeouts and instrumentation): about 40 µs of CPU a command, more than
the API spends on the rest of a look-up. Here every command of one event-loop turn goes out in one write on
one connection, and replies are read as they arrive and handed back in order (RESP replies come in the
order the commands were sent), so a command costs a few µs and concurrent requests share their syscalls.

Only what the API's key check and look-up need: `execute` and `script` (EVALSHA, loading the script on
NOSCRIPT, as redis-py's Script does), on TCP or a Unix socket, with the settings the sync client was made
with (AUTH, SELECT, CLIENT SETNAME, connect and reply timeouts). Errors are redis-py's own exception classes
(its parser's mapping), so callers handle them as before: a connection refused or lost is a
`redis.exceptions.ConnectionError` for every command it was carrying, a reply later than `socket_timeout` a
`redis.exceptions.TimeoutError` (the connection is then closed: its later replies could not be matched),
and the next command connects again. No command is retried: a script that counts a rate limit must not
count twice. `pipelined_for` gives None for what it does not speak (TLS, a cluster, a credential provider,
no hiredis): callers use redis-py there.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from typing import Any

import redis
from redis._parsers.base import BaseParser
from redis.cluster import RedisCluster
from redis.exceptions import ConnectionError, InvalidResponse, NoScriptError, TimeoutError

try:
    import hiredis  # redis[hiredis]: the reply parser
except ImportError:  # pragma: no cover - without it, callers use redis-py
    hiredis = None


def pack(args: tuple) -> bytes:
    """One command in RESP (str as UTF-8, bytes as they are, numbers as redis-py writes them)."""
    out = [b"*%d\r\n" % len(args)]
    append = out.append
    for arg in args:
        kind = type(arg)
        if kind is str:
            data = arg.encode()
        elif kind is bytes:
            data = arg
        elif kind is int:
            data = b"%d" % arg
        elif isinstance(arg, int | float) and not isinstance(arg, bool):  # floats, int subclasses
            data = repr(arg if kind is float else int(arg)).encode()
        else:
            raise TypeError(f"cannot send {kind.__name__} to Redis")
        append(b"$%d\r\n" % len(data))
        append(data)
        append(b"\r\n")
    return b"".join(out)


class _Protocol(asyncio.Protocol):
    """One connection: commands written once per loop turn, replies matched to them in order."""

    def __init__(self, timeout: float | None) -> None:
        self.loop = asyncio.get_running_loop()
        self.reader = hiredis.Reader(protocolError=InvalidResponse, replyError=BaseParser.parse_error)
        self.pending: deque[tuple[asyncio.Future, float]] = deque()
        self.outgoing: list[bytes] = []
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.timeout = timeout
        self._flush_scheduled = False
        self._watchdog: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def call(self, packed: bytes) -> asyncio.Future:
        future = self.loop.create_future()
        if self.closed:
            future.set_exception(ConnectionError("Connection closed by server."))
            return future
        self.outgoing.append(packed)
        self.pending.append((future, time.monotonic()))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self._flush)
        if self.timeout is not None and self._watchdog is None:
            self._watchdog = self.loop.call_later(self.timeout, self._check_timeout)
        return future

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self.outgoing and self.transport is not None and not self.closed:
            data = b"".join(self.outgoing) if len(self.outgoing) > 1 else self.outgoing[0]
            self.outgoing.clear()
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        reader = self.reader
        reader.feed(data)
        pending = self.pending
        while True:
            try:
                reply = reader.gets()
            except InvalidResponse as error:
                self._fail(error)
                return
            if reply is False:
                return
            if not pending:
                self._fail(InvalidResponse("a reply no command was waiting for"))
                return
            future, _ = pending.popleft()
            if not future.done():  # a request cancelled meanwhile (its client went away) gets nothing
                if isinstance(reply, Exception):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)

    def _check_timeout(self) -> None:
        self._watchdog = None
        if not self.pending or self.closed or self.timeout is None:
            return
        waited = time.monotonic() - self.pending[0][1]
        if waited >= self.timeout:
            self._fail(TimeoutError("Timeout reading from Redis"))
        else:
            self._watchdog = self.loop.call_later(self.timeout - waited, self._check_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(ConnectionError(f"Connection lost: {exc}" if exc else "Connection closed by server."))

    def _fail(self, error: Exception) -> None:
        self.closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self.pending:
            future, _ = self.pending.popleft()
            if not future.done():
                future.set_exception(error)
        self.outgoing.clear()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()


class PipelinedRedis:
    """An asyncio Redis client on one pipelined connection (see the module's docstring)."""

    def __init__(
        self,
        host: str = "localhost",
        port: int = 6379,
        path: str | None = None,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        client_name: str | None = None,
        socket_connect_timeout: float | None = None,
        socket_timeout: float | None = None,
    ) -> None:
        self.host, self.port, self.path = host, port, path
        self.db, self.username, self.password, self.client_name = db, username, password, client_name
        self.connect_timeout, self.timeout = socket_connect_timeout, socket_timeout
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Task | None = None

    def __repr__(self) -> str:
        where = self.path or f"{self.host}:{self.port}"
        return f"<PipelinedRedis {where} db={self.db}>"

    async def execute(self, *args: Any) -> Any:
        protocol = self._protocol
        if protocol is None or protocol.closed:
            protocol = await self._connected()
        return await protocol.call(pack(args))

    def script(self, text: str) -> Script:
        return Script(self, text)

    async def _connected(self) -> _Protocol:
        if self._connecting is None:  # one connection attempt, whoever else is waiting for it
            self._connecting = asyncio.ensure_future(self._connect())
        connecting = self._connecting
        try:
            return await asyncio.shield(connecting)
        finally:
            if connecting.done() and self._connecting is connecting:
                self._connecting = None

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        where = self.path or f"{self.host}:{self.port}"
        try:
            async with asyncio.timeout(self.connect_timeout):
                if self.path:
                    _, protocol = await loop.create_unix_connection(lambda: _Protocol(self.timeout), self.path)
                else:
                    _, protocol = await loop.create_connection(lambda: _Protocol(self.timeout), self.host, self.port)
        except TimeoutError as error:  # asyncio's (the builtin), not redis-py's
            raise redis.exceptions.TimeoutError(f"Timeout connecting to {where}") from error
        except OSError as error:
            raise ConnectionError(f"Error connecting to {where}: {error}") from error
        handshake = []
        if self.password is not None:
            auth = (self.username, self.password) if self.username else (self.password,)
            handshake.append(protocol.call(pack(("AUTH", *auth))))
        if self.db:
            handshake.append(protocol.call(pack(("SELECT", self.db))))
        if self.client_name:
            handshake.append(protocol.call(pack(("CLIENT", "SETNAME", self.client_name))))
        try:
            for reply in handshake:
                await reply
        except BaseException:
            protocol._fail(ConnectionError("Redis refused the connection's setup"))
            raise
        self._protocol = protocol
        return protocol

    async def aclose(self) -> None:
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
        if self._protocol is not None:
            protocol, self._protocol = self._protocol, None
            protocol._fail(ConnectionError("client closed"))


class Script:
    """A Lua script run by EVALSHA, loaded on NOSCRIPT (after a Redis restart or SCRIPT FLUSH)."""

    def __init__(self, client: PipelinedRedis, text: str) -> None:
        self.client = client
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()

    async def __call__(self, keys: list | tuple = (), args: list | tuple = ()) -> Any:
        try:
            return await self.client.execute("EVALSHA", self.sha, len(keys), *keys, *args)
        except NoScriptError:
            await self.client.execute("SCRIPT", "LOAD", self.text)
            return await self.client.execute("EVALSHA", self.sha, len(keys), *keys, *args)


def pipelined_for(client: redis.Redis) -> PipelinedRedis | None:
    """A pipelined client on the same server and settings as `client`, or None where it does not apply."""
    if hiredis is None or isinstance(client, RedisCluster):
        return None
    pool = client.connection_pool
    kwargs = pool.connection_kwargs
    if kwargs.get("credential_provider") is not None:
        return None
    options = {
        "db": int(kwargs.get("db") or 0),
        "username": kwargs.get("username"),
        "password": kwargs.get("password"),
        "client_name": kwargs.get("client_name"),
        "socket_connect_timeout": kwargs.get("socket_connect_timeout"),
        "socket_timeout": kwargs.get("socket_timeout"),
    }
    if pool.connection_class is redis.connection.UnixDomainSocketConnection:
        return PipelinedRedis(path=kwargs["path"], **options)
    if pool.connection_class is redis.connection.Connection:
        return PipelinedRedis(host=kwargs.get("host", "localhost"), port=int(kwargs.get("port", 6379)), **options)
    return None  # TLS, or a connection class of someone's own
