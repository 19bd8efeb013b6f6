"""Fetching one URL, safely.

Destination checks happen where the connection is made: a custom httpcore
network backend resolves the host once, refuses loopback, private,
link-local, multicast, reserved and cloud-metadata addresses (unless allowed
by configuration; metadata addresses never), and connects to the very address
it checked, so DNS rebinding between the check and the connect is impossible.
Every redirect hop goes through the same backend. The socket reads of the
backend's streams also enforce the fetch's total deadline, so a server that
drips its headers or body one byte at a time is cut off on time.

Bodies are read raw and decompressed here with bounded output (gzip, deflate,
brotli), so a decompression bomb never expands past the cap in memory.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import httpcore
import httpx

from farmwatch.config import FetchSettings
from farmwatch.errors import FetchError  # defined there; imported from here too

try:
    import brotli
except ImportError:  # optional: without it we do not advertise br
    brotli = None

HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = (301, 302, 303, 307, 308)  # not 304, which httpx also counts as a redirect
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Cloud instance-metadata endpoints: refused even when allow_private covers them.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean…
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv6 forms that carry an IPv4 address in their low 32 bits besides the mapped and NAT64 ones:
# IPv4-compatible (::a.b.c.d, deprecated by RFC 4291) and IPv4-translated (::ffff:0:a.b.c.d, RFC 2765).
_IPV4_IN_LOW_BITS = (ipaddress.ip_network("::/96"), ipaddress.ip_network("::ffff:0:0:0/96"))
# Never a public destination, whatever address they carry: those two forms, and local-use NAT64 (RFC 8215),
# which a local translator maps to any IPv4 address, private ones included. Python calls them global.
_NOT_PUBLIC = (*_IPV4_IN_LOW_BITS, ipaddress.ip_network("64:ff9b:1::/48"))
# A host of digits, dots and hex/octal prefixes that is not a dotted quad (0177.0.0.1, 0x7f.1, 2130706433):
# resolvers read it as an IPv4 address in forms the address check and httpx do not agree on.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.I)
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("fetch_deadline", default=None)
# Seconds of waiting for a host's turn (politeness, not network time) the deadline may still be moved by.
_WAIT_LEFT: contextvars.ContextVar[float] = contextvars.ContextVar("fetch_wait_left", default=0.0)
# The WHATWG MIME sniffing standard's "binary data bytes": never in text, HTML included.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
Resolver = Callable[[str, int], list[str]]


@dataclass(slots=True)
class FetchResult:
    url: str  # the final URL after redirects
    status: int
    content_type: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


# --- destination policy ---


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address in _NAT64 or (int(address) > 0xFFFF and any(address in net for net in _IPV4_IN_LOW_BITS)):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour:
            return address.sixtofour
    return address


def _listed(address: IPAddress | None, host: str, allow: Iterable[str]) -> bool:
    for entry in allow:
        if entry.lower() == host:
            return True
        if address is None:
            continue
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def refusal(address: IPAddress, host: str, allow: list[str]) -> str | None:
    """Why a connection to address (for host) is refused, or None when it may be made."""
    for candidate in {address, _embedded_ipv4(address)}:
        if candidate in METADATA_ADDRESSES:
            return f"{host} resolves to {candidate}, a cloud metadata address; refusing to fetch it"
    inner = _embedded_ipv4(address)
    public = all(a.is_global and not a.is_multicast for a in {address, inner}) and not any(
        address in net for net in _NOT_PUBLIC if net.version == address.version
    )
    if public or _listed(address, host, allow) or _listed(inner, host, allow):
        return None
    return f"{host} resolves to {inner}, a non-public address; refusing to fetch it"


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, settings: FetchSettings) -> None:
    """Refuse what can be refused without resolving: schemes, hosts, ports, literal metadata addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("bad_url", f"only http and https URLs can be fetched, not {parts.scheme or 'none'}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise FetchError("bad_url", "URL has no host")
    try:
        _ = parts.port
    except ValueError as error:
        raise FetchError("bad_url", f"bad port: {error}") from error
    if parts.username or parts.password:
        raise FetchError("bad_url", "URLs with credentials are not fetched")
    if "\\" in url:
        raise FetchError(
            "bad_url", "URLs with a backslash are not fetched (browsers and libraries read them differently)"
        )
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is None and _NUMERIC_HOST.match(host):
        raise FetchError("bad_url", f"{host} is an IPv4 address in a non-standard form; not fetched")
    if literal is not None:
        reason = refusal(literal, host, settings.allow_private)
        if reason:
            raise FetchError("forbidden_address", reason)
    elif settings.only_allowed and not _listed(None, host, settings.allow_private):
        raise FetchError("forbidden_address", f"{host} is not in allow_private and only listed hosts may be fetched")


# --- the pinned, deadline-aware network backend ---


def waited(seconds: float) -> None:
    """Called by a hop (workers.polite) after waiting for its host's turn: that wait does not count against
    the fetch's deadline, up to `host_max_wait` seconds in all for one fetch. Everything else a fetch does,
    its robots.txt fetches included, does."""
    deadline = _DEADLINE.get()
    left = _WAIT_LEFT.get()
    if deadline is None or left <= 0 or seconds <= 0:
        return
    moved = min(seconds, left)
    _WAIT_LEFT.set(left - moved)
    _DEADLINE.set(deadline + moved)


def _remaining(timeout: float | None) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("total deadline reached")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation also stops at the fetch's total deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve once, check every address, connect to a checked address: the only way out to the network."""

    def __init__(self, settings: FetchSettings, resolve: Resolver | None = None) -> None:
        self.settings = settings
        self.resolve = resolve or _system_resolve
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        name = host.lower().rstrip(".").strip("[]")
        try:
            addresses = self.resolve(name, port)
        except (OSError, UnicodeError) as error:
            raise FetchError("dns", f"cannot resolve {name}: {error}", retryable=True) from error
        if not addresses:
            raise FetchError("dns", f"{name} has no address", retryable=True)
        for text in addresses:  # one bad address refuses the host: the resolver's order is not ours to trust
            reason = refusal(ipaddress.ip_address(text.split("%")[0]), name, self.settings.allow_private)
            if reason:
                raise FetchError("forbidden_address", reason)
        last: Exception | None = None
        for text in addresses:
            try:
                stream = self.inner.connect_tcp(text, port, _remaining(timeout), local_address, socket_options)
                return _DeadlineStream(stream)
            except httpcore.ConnectError as error:
                last = error
        assert last is not None
        raise last

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise FetchError("bad_url", "unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on a connection pool whose network backend is the guarded one."""

    def __init__(self, settings: FetchSettings, resolve: Resolver | None = None) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            max_connections=64,
            max_keepalive_connections=16,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(settings, resolve),
        )


# --- bounded decompression ---


class _Decoder:
    """Decodes one Content-Encoding, never producing more than `limit` bytes per call."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.zlib: Any = None
        self.brotli: Any = None
        if encoding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.zlib = None  # zlib-wrapped or raw: decided on the first bytes
        elif encoding == "br" and brotli is not None:
            self.brotli = brotli.Decompressor()
        else:
            raise FetchError("bad_encoding", f"unsupported Content-Encoding {encoding!r}")

    def finish(self, url: str) -> None:
        """Refuse a body whose compressed stream stopped before its end (a truncated gzip, say)."""
        ended = self.brotli.is_finished() if self.brotli is not None else self.zlib is None or self.zlib.eof
        if not ended:
            raise FetchError(
                "bad_encoding", f"{url}: the {self.encoding} body ends before its stream does", retryable=True
            )

    def decode(self, data: bytes, limit: int) -> Iterator[bytes]:
        try:
            if self.encoding == "br":
                yield self.brotli.process(data, output_buffer_limit=limit)
                while not self.brotli.can_accept_more_data():
                    yield self.brotli.process(b"", output_buffer_limit=limit)
                return
            if self.zlib is None:
                wrapped = len(data) >= 2 and (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
                self.zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            while data:
                yield self.zlib.decompress(data, limit)
                data = self.zlib.unconsumed_tail
        except (zlib.error, getattr(brotli, "error", zlib.error)) as error:
            raise FetchError("bad_encoding", f"corrupt {self.encoding} body: {error}") from error


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return None
    return min(cap, max(0.0, seconds))


Hop = Callable[[str], AbstractContextManager[None]]


class Fetcher:
    def __init__(self, settings: FetchSettings, resolve: Resolver | None = None) -> None:
        self.settings = settings
        encodings = "gzip, deflate, br" if brotli is not None else "gzip, deflate"
        self.client = httpx.Client(
            transport=GuardedTransport(settings, resolve),
            follow_redirects=False,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": encodings,
            },
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def fetch(
        self,
        url: str,
        *,
        accept: tuple[str, ...] | None = HTML_TYPES,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
        statuses_ok: bool = False,
        hop: Hop | None = None,
        truncate: bool = False,
    ) -> FetchResult:
        """GET url following redirects. `accept`: content types taken (None: any); `statuses_ok`: return
        4xx/5xx answers instead of raising; `hop(url)`: a context entered around each request (robots, limits);
        `truncate`: a body past the cap is cut there instead of refused (robots.txt).
        A 304 answer to conditional `headers` is returned as is.

        One deadline (`total_timeout`) covers the whole fetch: every redirect hop and every robots.txt fetched
        on the way (a fetch made inside another one keeps the outer deadline); only the waits for a host's
        turn move it, by at most `host_max_wait` in all (`waited`)."""
        settings = self.settings
        outer = _DEADLINE.get()
        own = time.monotonic() + settings.total_timeout
        token = _DEADLINE.set(min(outer, own) if outer is not None else own)
        wait_token = _WAIT_LEFT.set(_WAIT_LEFT.get() if outer is not None else settings.host_max_wait)
        try:
            seen: set[str] = set()
            for _hop in range(settings.max_redirects + 1):
                check_url(url, settings)
                if url in seen:
                    raise FetchError("redirect_loop", f"redirect loop at {url}")
                seen.add(url)
                with hop(url) if hop else contextlib.nullcontext():
                    if time.monotonic() >= (_DEADLINE.get() or 0):
                        raise FetchError(
                            "timeout",
                            f"total deadline {settings.total_timeout}s reached before fetching {url}",
                            retryable=True,
                        )
                    try:
                        with self.client.stream("GET", url, headers=headers) as response:
                            if response.status_code in REDIRECTS:
                                location = response.headers.get("location")
                                if not location:
                                    raise FetchError("bad_redirect", f"redirect from {url} without a Location")
                                if "\\" in location:
                                    raise FetchError("bad_redirect", f"redirect from {url} to a URL with a backslash")
                                url = urljoin(url, location.strip())
                                continue
                            cap = max_bytes or settings.max_body_bytes
                            return self._read(url, response, accept, cap, statuses_ok, truncate)
                    except httpx.TimeoutException as error:
                        raise FetchError(
                            "timeout",
                            f"timed out fetching {url} (total deadline {settings.total_timeout}s)",
                            retryable=True,
                        ) from error
                    except httpx.TransportError as error:
                        raise FetchError("connection", f"could not fetch {url}: {error}", retryable=True) from error
                    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as error:
                        raise FetchError("bad_url", f"cannot fetch {url}: {error}") from error
            raise FetchError("too_many_redirects", f"more than {settings.max_redirects} redirects")
        finally:
            _WAIT_LEFT.reset(wait_token)
            _DEADLINE.reset(token)

    def _read(
        self,
        url: str,
        response: httpx.Response,
        accept: tuple[str, ...] | None,
        cap: int,
        statuses_ok: bool,
        truncate: bool = False,
    ) -> FetchResult:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        content_type = headers.get("content-type")
        if status == 304:
            return FetchResult(url, status, content_type, b"", headers)
        if not statuses_ok:
            if status == 429 or status >= 500:
                raise FetchError(
                    "http_status",
                    f"{url} answered {status}",
                    retryable=True,
                    retry_after=_retry_after(headers.get("retry-after"), self.settings.max_retry_after),
                )
            if status >= 400:
                raise FetchError("http_status", f"{url} answered {status}")
        mime = (content_type or "").split(";")[0].strip().lower()
        if accept is not None and status < 400 and mime and mime not in accept:
            raise FetchError(
                "not_html" if accept == HTML_TYPES else "bad_type",
                f"{url} is {mime}, not one of "
                f"{', '.join(accept)}" + (" (not an HTML page)" if accept == HTML_TYPES else ""),
            )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap and not truncate:
            raise FetchError("too_large", f"{url} is {declared} bytes, more than the {cap}-byte cap")
        encodings = [e.strip().lower() for e in headers.get("content-encoding", "").split(",")]
        encodings = [e for e in encodings if e and e != "identity"]
        if len(encodings) > 1:
            raise FetchError("bad_encoding", f"{url} is encoded {len(encodings)} times; not decoded")
        decoder = _Decoder(encodings[0]) if encodings else None
        chunks: list[bytes] = []
        raw = size = 0
        full = False
        for chunk in response.iter_raw():
            raw += len(chunk)
            if raw > cap and not truncate:
                raise FetchError("too_large", f"{url} body exceeds the {cap}-byte cap")
            for piece in decoder.decode(chunk, cap - size + 1) if decoder else (chunk,):
                size += len(piece)
                if size > cap:
                    if not truncate:
                        raise FetchError("too_large", f"{url} decompresses past the {cap}-byte cap")
                    chunks.append(piece[: len(piece) - (size - cap)])
                    full = True
                    break
                chunks.append(piece)
            if full:
                break
        if decoder is not None and not full and raw and status < 400:
            decoder.finish(url)
        body = b"".join(chunks)
        if accept == HTML_TYPES and not mime and status < 400 and _BINARY_BYTES.search(body[:1445]):
            # No Content-Type: sniffed as the MIME sniffing standard does, binary bytes mean not a page.
            raise FetchError("not_html", f"{url} has no Content-Type and its body is binary (not an HTML page)")
        return FetchResult(str(url), status, content_type, body, headers)
