"""Connection-level limits for `farmwatch serve`: idle and header timeouts, and a per-client connection cap.

uvicorn closes a keep-alive connection idle between requests (`timeout_keep_alive`) and answers 503 once
`limit_concurrency` connections are open, but it never closes a connection that is opened and then says
nothing, or drips its request headers: a few hundred such sockets from one address used to fill
`limit_concurrency` and turn every other client away. The protocol class built here (uvicorn's own, with
httptools or h11, plus three checks) adds:

- a header deadline: a request's headers must be complete within `header_timeout` seconds of the
  connection opening (or of the first byte of a later request on a keep-alive connection), else the
  connection is closed;
- a per-client cap: at most `per_client` connections open at once from one address; more are reset at
  once, before anything is read (0: no cap, for a service behind a reverse proxy, where every client
  shares the proxy's address);
- `timeout_keep_alive` and `limit_concurrency` from the same settings.

All of it runs on the event loop with no extra task per connection: one timer handle each.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn

from farmwatch.config import Settings

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # httptools is optional for uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base  # type: ignore[assignment]


def guarded_protocol(header_timeout: float, per_client: int) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol with a header deadline and a per-client connection cap (one count per class)."""
    open_by_client: dict[str, int] = {}

    class GuardedProtocol(_Base):  # type: ignore[misc, valid-type]
        _peer: str | None = None
        _timer: asyncio.TimerHandle | None = None
        _armed_cycle: Any = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            peer = transport.get_extra_info("peername")
            address = str(peer[0]) if isinstance(peer, tuple) and peer else None
            if per_client and address is not None:
                if open_by_client.get(address, 0) >= per_client:
                    transport.abort()  # reset at once: nothing read, nothing held
                    return
                open_by_client[address] = open_by_client.get(address, 0) + 1
                self._peer = address
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._peer is not None:
                left = open_by_client.get(self._peer, 1) - 1
                if left > 0:
                    open_by_client[self._peer] = left
                else:
                    open_by_client.pop(self._peer, None)
                self._peer = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._timer is None and (self.cycle is None or self.cycle.response_complete):
                self._arm()  # the first bytes of a new request on a kept-alive connection
            super().data_received(data)
            if self._timer is not None and self.cycle is not self._armed_cycle:
                self._disarm()  # its headers are complete: a request cycle began

        def _arm(self) -> None:
            self._disarm()
            self._armed_cycle = self.cycle
            self._timer = self.loop.call_later(header_timeout, self._header_timeout)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _header_timeout(self) -> None:
            self._timer = None
            if self.cycle is self._armed_cycle and not self.transport.is_closing():
                self.transport.close()

    GuardedProtocol.open_by_client = open_by_client  # type: ignore[attr-defined]  # for tests and metrics
    return GuardedProtocol


def uvicorn_config(app: Any, settings: Settings, host: str, port: int, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration `farmwatch serve` runs with (FARMWATCH_HTTP_* settings)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded_protocol(settings.http_header_timeout, settings.http_client_connections),
        timeout_keep_alive=settings.http_idle_timeout,  # type: ignore[arg-type]  # a float works
        limit_concurrency=settings.http_max_connections,
        **options,
    )
