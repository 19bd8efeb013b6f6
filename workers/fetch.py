"""Fetching one page, politely and safely.

Every hop of a redirect chain is checked before it is requested: scheme, and
every address its host resolves to (no loopback, private, link-local,
multicast or metadata addresses unless allowed by configuration). Bodies are
streamed with caps on raw and decompressed size, and a total deadline.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from farmwatch.config import FetchSettings

HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """A fetch that failed; `retryable` says whether trying again later may help."""

    def __init__(self, kind: str, message: str, *, retryable: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(slots=True)
class FetchResult:
    url: str  # the final URL after redirects
    status: int
    content_type: str | None
    body: bytes
    headers: dict[str, str]


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, host: str, allow: list[str]) -> bool:
    for entry in allow:
        if entry == host:
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def check_destination(url: str, allow: list[str]) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("bad_url", f"only http and https URLs can be fetched, not {parts.scheme or 'none'}")
    host = parts.hostname
    if not host:
        raise FetchError("bad_url", "URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise FetchError("bad_url", f"bad port: {error}") from error
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise FetchError("dns", f"cannot resolve {host}: {error.strerror}", retryable=True) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if (not address.is_global or address.is_multicast) and not _allowed(address, host, allow):
            raise FetchError(
                "forbidden_address", f"{host} resolves to {address}, a non-public address; refusing to fetch it"
            )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class Fetcher:
    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self.client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            headers={"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"},
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str) -> FetchResult:
        settings = self.settings
        deadline = time.monotonic() + settings.total_timeout
        seen: set[str] = set()
        for _hop in range(settings.max_redirects + 1):
            check_destination(url, settings.allow_private)
            if url in seen:
                raise FetchError("redirect_loop", f"redirect loop at {url}")
            seen.add(url)
            try:
                with self.client.stream("GET", url) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError("bad_redirect", f"redirect from {url} without a Location")
                        url = urljoin(url, location)
                        continue
                    return self._read(url, response, deadline)
            except httpx.TimeoutException as error:
                raise FetchError("timeout", f"timed out fetching {url}", retryable=True) from error
            except httpx.TransportError as error:
                raise FetchError("connection", f"could not fetch {url}: {error}", retryable=True) from error
        raise FetchError("too_many_redirects", f"more than {settings.max_redirects} redirects")

    def _read(self, url: str, response: httpx.Response, deadline: float) -> FetchResult:
        settings = self.settings
        status = response.status_code
        if status == 429 or status >= 500:
            raise FetchError(
                "http_status",
                f"{url} answered {status}",
                retryable=True,
                retry_after=_retry_after(response.headers.get("retry-after")),
            )
        if status >= 400:
            raise FetchError("http_status", f"{url} answered {status}")
        content_type = response.headers.get("content-type")
        mime = (content_type or "").split(";")[0].strip().lower()
        if mime and mime not in HTML_TYPES:
            raise FetchError("not_html", f"{url} is {mime}, not an HTML page")
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise FetchError("too_large", f"{url} is {declared} bytes, more than the {settings.max_body_bytes} cap")
        chunks: list[bytes] = []
        size = 0
        # iter_bytes yields decompressed data, so the cap also stops gzip and brotli bombs.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > settings.max_body_bytes:
                raise FetchError("too_large", f"{url} body exceeds the {settings.max_body_bytes}-byte cap")
            if time.monotonic() > deadline:
                raise FetchError("timeout", f"{url} took longer than {settings.total_timeout}s", retryable=True)
            chunks.append(chunk)
        return FetchResult(str(url), status, content_type, b"".join(chunks), dict(response.headers))
