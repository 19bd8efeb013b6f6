"""The fetcher cannot be turned against its own network, nor be exhausted by a hostile server.

Every server here is on loopback; refused destinations are refused before any connection is made.
"""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import brotli
import pytest

from farmwatch.config import FetchSettings
from tests.conftest import Site
from workers.fetch import Fetcher, FetchError

HTML = b"<html><body><article><p>" + b"A sentence of a page. " * 40 + b"</p></article></body></html>"


def settings(**overrides: object) -> FetchSettings:
    base: dict = {"allow_private": ["127.0.0.1"], "max_body_bytes": 1_000_000, "total_timeout": 5.0}
    return FetchSettings(**{**base, **overrides})


@pytest.fixture()
def fetcher() -> Iterator[Fetcher]:
    f = Fetcher(settings())
    yield f
    f.close()


def refused(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    return caught.value


def test_redirect_chain_to_private_addresses_is_refused(fetcher: Fetcher, site: Site) -> None:
    site.page("/page", HTML)
    site.page("/hop1", b"", status=302, headers={"Location": "/hop2"})
    site.page("/hop2", b"", status=301, headers={"Location": "http://10.1.2.3/admin"})
    site.page("/to-v6", b"", status=307, headers={"Location": "http://[fd12::1]/"})
    site.page("/to-mapped", b"", status=302, headers={"Location": "http://[::ffff:192.168.0.1]/"})
    assert fetcher.fetch(site.url("/page")).body == HTML
    error = refused(fetcher, site.url("/hop1"))
    assert error.kind == "forbidden_address" and "10.1.2.3" in str(error) and not error.retryable
    assert refused(fetcher, site.url("/to-v6")).kind == "forbidden_address"
    assert "192.168.0.1" in str(refused(fetcher, site.url("/to-mapped")))
    # The loopback address itself is refused when not allowed.
    strict = Fetcher(settings(allow_private=[]))
    assert refused(strict, site.url("/page")).kind == "forbidden_address"
    strict.close()


def test_metadata_addresses_refused_even_when_allowed(site: Site) -> None:
    site.page("/meta", b"", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    # Whoever allows link-local and unique-local networks still never reaches a metadata endpoint.
    allow = ["127.0.0.1", "169.254.0.0/16", "fc00::/7", "metadata.internal"]
    names = {"metadata.internal": ["fd00:ec2::254"], "nat64.test": ["64:ff9b::a9fe:a9fe"]}
    fetcher = Fetcher(settings(allow_private=allow), resolve=lambda host, port: names.get(host, ["127.0.0.1"]))
    try:
        assert "metadata" in str(refused(fetcher, site.url("/meta")))
        assert "fd00:ec2::254" in str(refused(fetcher, "http://metadata.internal/latest"))
        assert "169.254.169.254" in str(refused(fetcher, "http://nat64.test/"))  # NAT64 form of the same
    finally:
        fetcher.close()


def test_connection_goes_to_the_address_that_was_checked(site: Site) -> None:
    """DNS rebinding: the name is resolved once per connection and that very address is connected to."""
    site.page("/page", HTML)
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.7"]

    fetcher = Fetcher(settings(), resolve=rebinding)
    port = site.url("/").split(":")[2].rstrip("/")
    try:
        # rebind.test exists in no DNS: the fetch succeeds only by connecting to the checked 127.0.0.1.
        assert fetcher.fetch(f"http://rebind.test:{port}/page").body == HTML
        assert calls == ["rebind.test"]
        fetcher.client.close()  # a new connection resolves again, and now gets the private answer
        fetcher = Fetcher(settings(), resolve=rebinding)
        error = refused(fetcher, f"http://rebind.test:{port}/page")
        assert error.kind == "forbidden_address" and "10.0.0.7" in str(error)
    finally:
        fetcher.close()


def test_only_allowed_refuses_unlisted_hosts_without_resolving(site: Site) -> None:
    looked_up: list[str] = []
    fetcher = Fetcher(settings(only_allowed=True), resolve=lambda h, p: looked_up.append(h) or ["127.0.0.1"])
    try:
        assert refused(fetcher, "https://example.com/").kind == "forbidden_address"
        assert looked_up == []
        site.page("/page", HTML)
        assert fetcher.fetch(site.url("/page")).status == 200
    finally:
        fetcher.close()


def test_redirect_loops_and_long_chains(fetcher: Fetcher, site: Site) -> None:
    site.page("/a", b"", status=302, headers={"Location": "/b"})
    site.page("/b", b"", status=302, headers={"Location": "/a"})
    for n in range(10):
        site.page(f"/chain{n}", b"", status=301, headers={"Location": f"/chain{n + 1}"})
    assert refused(fetcher, site.url("/a")).kind == "redirect_loop"
    assert refused(fetcher, site.url("/chain0")).kind == "too_many_redirects"
    assert site.hits["/chain5"] == 1 and "/chain6" not in site.hits  # 5 redirects followed, no more


def _bomb_route(body: bytes, encoding: str):
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Encoding", encoding)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def test_decompression_bombs_stop_at_the_cap_without_expanding(fetcher: Fetcher, site: Site) -> None:
    zeros = b"\0" * (64 * 1024 * 1024)
    compressor = brotli.Compressor(quality=5)
    br = b"".join(compressor.process(zeros) for _ in range(4)) + compressor.finish()  # 256 MiB of zeros
    bombs = {"gzip": gzip.compress(zeros, 9), "deflate": zlib.compress(zeros, 9), "br": br}
    del zeros
    for encoding, body in bombs.items():
        assert len(body) < 300_000  # a small download…
        site.routes[f"/{encoding}"] = _bomb_route(body, encoding)
    honest = gzip.compress(HTML)
    site.routes["/honest"] = _bomb_route(honest, "gzip")
    assert fetcher.fetch(site.url("/honest")).body == HTML
    for encoding in bombs:
        tracemalloc.start()
        try:
            error = refused(fetcher, site.url(f"/{encoding}"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert error.kind == "too_large" and "decompresses past" in str(error), encoding
        assert peak < 8_000_000, (encoding, peak)  # …never expanded much past the 1 MB cap in memory


def test_caps_on_declared_and_streamed_size(fetcher: Fetcher, site: Site) -> None:
    site.page("/big", b"x" * 1_500_000)

    def unannounced(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        for _ in range(40):
            handler.wfile.write(b"y" * 65536)

    site.routes["/stream"] = unannounced
    assert "more than the" in str(refused(fetcher, site.url("/big")))
    assert refused(fetcher, site.url("/stream")).kind == "too_large"


def _drip(headers_too: bool, stop: threading.Event):
    def route(handler: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
        try:
            if headers_too:
                for byte in head:
                    if stop.wait(0.2):
                        return
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
            else:
                handler.wfile.write(head)
            while not stop.wait(0.2):  # one byte at a time: never idle long enough for a read timeout
                handler.wfile.write(b"<")
                handler.wfile.flush()
        except OSError:
            return

    return route


def test_slow_drip_is_cut_off_by_the_total_deadline(site: Site) -> None:
    stop = threading.Event()
    site.routes["/drip-body"] = _drip(False, stop)
    site.routes["/drip-headers"] = _drip(True, stop)
    fetcher = Fetcher(settings(total_timeout=1.0, read_timeout=5.0))
    try:
        for path in ("/drip-body", "/drip-headers"):
            started = time.monotonic()
            error = refused(fetcher, site.url(path))
            elapsed = time.monotonic() - started
            assert error.kind == "timeout" and error.retryable, path
            assert 0.9 < elapsed < 2.0, (path, elapsed)
    finally:
        stop.set()
        fetcher.close()


def test_only_html_is_analysed(fetcher: Fetcher, site: Site) -> None:
    site.page("/pdf", b"%PDF-1.4", content_type="application/pdf")
    site.page("/xhtml", HTML, content_type="application/xhtml+xml")
    assert refused(fetcher, site.url("/pdf")).kind == "not_html"
    assert fetcher.fetch(site.url("/xhtml")).body == HTML
