"""Hostile pages, servers and clients (issue 18), each played by a local server or client on loopback.

Forged originals, idle and slow-header sockets, deep nesting, bad charsets, oversized and compressed
robots.txt, a robots.txt that eats the fetch deadline, odd addresses and redirects, binary and truncated
bodies, non-UTF-8 request bodies, an orphaned embedded Redis. Every test is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from farmwatch.errors import InputError
from farmwatch.store.embedded import EmbeddedRedis, free_port

ARTICLE = (
    "<html><head><title>Harbour report</title></head><body><article><h1>Harbour report</h1>"
    + "".join(
        f"<p>The harbour authority said on Tuesday that shipment number {i} of grain arrived late because of "
        f"the storm, and that the dockworkers union would meet the port council again next week {i}.</p>"
        for i in range(12)
    )
    + "</article></body></html>"
)


# --- idle and slow-header connections ---


@pytest.fixture(scope="module")
def served(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`farmwatch serve` itself, in its own process (so the attacker here does not share its GIL), with
    1-second idle and header timeouts; returns its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FARMWATCH_")}
    env.update(
        REDIS_URL=redis_server.url,
        FARMWATCH_PORT=str(port),
        FARMWATCH_DATA_DIR=str(tmp_path_factory.mktemp("served")),
        FARMWATCH_HTTP_HEADER_TIMEOUT="1",
        FARMWATCH_HTTP_IDLE_TIMEOUT="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "farmwatch.cli", "serve", "--workers", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "farmwatch serve did not come up"
                time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _p99(client: httpx.Client, n: int = 200) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get("/healthz")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.quantiles(times, n=100)[98]


def _closed(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True  # reset


def test_a_thousand_idle_and_slow_header_sockets_leave_other_clients_answered(served: int) -> None:
    port = served
    # The well-behaved client comes from another loopback address than the attacker.
    good = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=5
    )
    _p99(good, 50)  # warm up
    idle_p99 = _p99(good)
    attackers: list[socket.socket] = []
    stop = threading.Event()
    try:
        for i in range(1000):
            sock = socket.socket()
            sock.settimeout(2)
            try:
                sock.connect(("127.0.0.1", port))
                if i % 2:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            except OSError:
                sock.close()
                continue
            attackers.append(sock)

        def drip() -> None:  # the slow-header half sends one more header byte now and then
            while not stop.wait(0.2):
                for sock in attackers[1::2]:
                    with contextlib.suppress(OSError):
                        sock.send(b"X")

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        time.sleep(0.2)
        attacked_p99 = _p99(good)
        print(f"p99 idle {idle_p99 * 1000:.2f} ms, attacked {attacked_p99 * 1000:.2f} ms")
        # A little absolute slack for a shared 2-core machine (the README gives a longer run's figures).
        assert attacked_p99 <= 2 * idle_p99 + 0.005, (idle_p99, attacked_p99)
        # At most 32 (FARMWATCH_HTTP_CLIENT_CONNECTIONS) were kept; the header deadline (1 s here) closes
        # those too, dripping or not.
        time.sleep(0.2)
        assert sum(not _closed(s) for s in attackers) <= 32
        deadline = time.monotonic() + 5
        while any(not _closed(s) for s in attackers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(_closed(s) for s in attackers)
    finally:
        stop.set()
        for sock in attackers:
            sock.close()
        good.close()


def test_keep_alive_connection_idle_past_its_timeout_is_closed(served: int) -> None:
    port = served
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        received, answered = b"", 0.0
        while chunk := sock.recv(65536):  # the answer, then the end: closed after the idle timeout (1 s here)
            received += chunk
            answered = time.monotonic()
        assert received.startswith(b"HTTP/1.1 200") and received.endswith(b"}")
        assert time.monotonic() - answered < 3


# --- deep nesting and pages of every shape: bounded before the parser ---


def _timed(html: str | bytes) -> tuple[float, object]:
    from farmwatch.analysis.page import analyze_html

    started = time.process_time()
    try:
        result: object = analyze_html(html, "https://example.com/shape")
    except InputError as error:
        result = error
    return time.process_time() - started, result


def test_a_hundred_thousand_nested_divs_are_refused_at_once() -> None:
    spent, result = _timed("<html><body>" + "<div>" * 100_000 + "<p>deep words</p>" + "</div>" * 100_000)
    assert isinstance(result, InputError) and "too large to analyse" in str(result)
    assert spent < 1.0  # was 30 s


def test_nesting_past_the_depth_limit_is_flattened_in_linear_time() -> None:
    words = " ".join(f"word{i}" for i in range(60))
    spent, result = _timed("<html><body>" + "<div>" * 19_000 + f"<p>{words}</p>" + "</div>" * 19_000)
    assert not isinstance(result, InputError), result
    assert any("flattened" in w for w in result.warnings)  # type: ignore[attr-defined]
    assert "word59" in result.main_text  # type: ignore[attr-defined]
    assert spent < 2.0


@pytest.mark.parametrize(
    "shape",
    [
        "<html><body>" + "<div>" * 1_000_000,  # 5 MB of nesting
        "<html><body>" + ("<div>" * 510 + "x" + "</div>" * 510) * 800,  # many stacks just under the limit
        "<html><body>" + "".join(f"<p>Story {i:06d} went on and on, for ever.</p>" for i in range(120_000)),
        "<html><body><p>" + "word " * 1_000_000,  # one 5 MB paragraph
        "<html><body>" + "".join(f'<div class="{"c" * 230}">x</div>' for i in range(19_000)),  # heavy attributes
        "<html><body><script>" + "x='<div>';" * 500_000 + "</script><p>hello</p>",  # markup inside a script
        "<html><body><ul>" + "<li>item" * 600_000,  # implied end tags
        # quotation marks that open and never close, just under the cap on text (1,000,000 characters)
        "<html><body><p>" + "‘x " * 330_000,
        "<html><body><p>" + "'x " * 330_000,
        "<html><body><p>" + "„x «y 「z " * 110_000,
    ],
    ids=[
        "nest-5mb",
        "stacks",
        "paragraphs",
        "one-text",
        "attributes",
        "script",
        "unclosed-li",
        "open-quotes",
        "open-apostrophes",
        "open-marks",
    ],
)
def test_any_shape_up_to_the_body_cap_is_analysed_or_refused_within_the_bound(shape: str) -> None:
    body = shape.encode()[: 5 * 1024 * 1024]
    spent, result = _timed(body)
    assert spent < 2.0, (spent, result)
    assert isinstance(result, InputError) or result.url  # type: ignore[attr-defined]


def test_markup_inside_comments_and_raw_text_does_not_count_as_nesting() -> None:
    from farmwatch.analysis.decode import check_markup

    html = "<html><body><!--" + "<div>" * 5000 + "--><script>" + "<div>" * 5000 + "</script><p>x</p>"
    checked, shape = check_markup(html)
    assert checked == html and shape.flattened == 0 and shape.depth <= 4


# --- charset labels that name no text codec ---

NOT_TEXT_CODECS = ["zlib", "base64", "rot13", "bz2", "punycode", "undefined", "hex", "uu", "quopri", "idna", "utf-7"]


@pytest.mark.parametrize("label", NOT_TEXT_CODECS)
def test_a_charset_label_naming_no_text_codec_counts_as_absent(label: str) -> None:
    from farmwatch.analysis.decode import decode_html

    body = f'<html><head><meta charset="{label}"></head><body><p>Café crème</p></body></html>'.encode()
    assert "Café crème" in decode_html(body)
    assert "Café crème" in decode_html(body, f"text/html; charset={label}")


def test_a_worker_fetching_a_page_with_a_bad_charset_stores_it(services, queue, site) -> None:
    from workers.worker import Worker

    site.page("/robots.txt", b"", content_type="text/plain")
    site.page("/zlib", ARTICLE.encode(), content_type="text/html; charset=zlib")
    job_id, _ = queue.submit(site.url("/zlib"))
    worker = Worker(services, queue)
    try:
        assert worker.run_one(block_ms=100)
    finally:
        worker.polite.close()
    assert queue.status(job_id)["status"] == "done"


def _warc(path: Path, pages: list[tuple[str, bytes, str]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, body, content_type in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )


def test_warc_import_takes_every_good_record_and_reports_the_bad_ones(
    tmp_path: Path,
    services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import farmwatch.bulk as bulk
    from farmwatch.analysis.page import analyze_html

    pages = [
        (f"https://example.org/{label}", ARTICLE.replace("Harbour", label).encode(), f"text/html; charset={label}")
        for label in NOT_TEXT_CODECS
    ]
    pages.append(("https://example.org/crash", ARTICLE.encode(), "text/html"))
    pages.append(("https://example.org/fine", ARTICLE.encode(), "text/html; charset=utf-8"))
    path = tmp_path / "bad.warc.gz"
    _warc(path, pages)

    def analyse(body, url, **kwargs):  # a record that breaks analysis
        if url.endswith("/crash"):
            raise RuntimeError("boom")
        return analyze_html(body, url, **kwargs)

    monkeypatch.setattr(bulk, "analyze_html", analyse)
    stats = bulk.WarcImporter(services, jobs=1, batch=4).run(path)
    assert stats.done and stats.pages == len(NOT_TEXT_CODECS) + 1
    assert stats.bad == 1 and stats.bad_records == ["https://example.org/crash: RuntimeError: boom"]
    assert "https://example.org/crash" in caplog.text
    assert services.pages.page_id("https://example.org/fine") is not None


# --- Redis going away under a worker ---


def test_a_worker_logs_a_redis_outage_once_without_tracebacks(
    tmp_path: Path,
    settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from farmwatch.services import Services
    from farmwatch.store.connection import connect
    from farmwatch.store.jobs import JobQueue
    from workers.worker import Worker

    server = EmbeddedRedis(tmp_path / "redis", port=free_port())
    server.start()
    client = connect(server.url)
    worker = Worker(Services.create(client, settings), JobQueue(client, "fw", claim_idle_ms=500))
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    try:
        with caplog.at_level("WARNING", logger="farmwatch.worker"):
            thread.start()
            time.sleep(0.3)
            server.stop()
            time.sleep(3.0)
            stop.set()
            thread.join(timeout=10)
    finally:
        stop.set()
        server.stop()
    records = [r for r in caplog.records if r.name == "farmwatch.worker"]
    assert [r.getMessage() for r in records].count("store unreachable; retrying") == 1
    assert not any(r.exc_info for r in records)


# --- hostile servers: robots.txt, odd addresses, binary and truncated bodies ---


def _fetch_settings(**overrides: object):
    from farmwatch.config import FetchSettings

    base: dict = {"allow_private": ["127.0.0.1", "localhost"], "only_allowed": True, "host_min_interval": 0.0}
    return FetchSettings(**{**base, **overrides})


def _polite(redis_client, **overrides: object):
    from workers.fetch import Fetcher
    from workers.polite import PoliteFetcher

    settings = _fetch_settings(**overrides)
    return PoliteFetcher(redis_client, settings, "fw", Fetcher(settings))


def _drip(site, path: str, seconds: float) -> None:
    """A route that sends its headers, then one body byte every 0.1 s for `seconds`."""

    def route(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(int(seconds * 10)):
                handler.wfile.write(b"#")
                handler.wfile.flush()
                time.sleep(0.1)

    site.routes[path] = route


def test_the_fetch_deadline_covers_robots_txt_on_every_hop(redis_client, site) -> None:
    """Issue 18: each redirect hop's robots.txt got a fresh 30 s (one attempt took 189 s)."""
    from workers.fetch import FetchError

    _drip(site, "/robots.txt", 3.0)  # 127.0.0.1's robots.txt drips for 3 s
    site.routes["/hop"] = lambda h: (
        h.send_response(302),
        h.send_header("Location", site.url("/page", host="localhost")),
        h.send_header("Content-Length", "0"),
        h.end_headers(),
    )
    site.page("/page", ARTICLE.encode())
    polite = _polite(redis_client, total_timeout=2.0, read_timeout=5.0)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as caught:
            polite.fetch_page(site.url("/hop"))
    finally:
        polite.close()
    assert caught.value.kind == "timeout" and caught.value.retryable
    assert time.monotonic() - started < 2.8


def _robots_600k(compress: bool) -> tuple[bytes, dict[str, str]]:
    body = b"User-agent: *\nDisallow: /\n" + b"".join(b"Disallow: /p/%d\n" % i for i in range(48_000))
    assert len(body) > 600 * 1024
    return (gzip.compress(body), {"Content-Encoding": "gzip"}) if compress else (body, {})


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_an_oversized_robots_txt_is_parsed_up_to_500_kib(redis_client, site, compress: bool) -> None:
    """Issue 18: a 600 KiB robots.txt starting with `Disallow: /` counted as no rules."""
    from workers.fetch import FetchError

    body, headers = _robots_600k(compress)
    site.page("/robots.txt", body, content_type="text/plain", headers=headers)
    site.page("/page", ARTICLE.encode())
    polite = _polite(redis_client)
    try:
        with pytest.raises(FetchError) as caught:
            polite.fetch_page(site.url("/page"))
    finally:
        polite.close()
    assert caught.value.kind == "robots_disallowed"
    assert site.hits.get("/page") is None


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://0177.0.0.1/", "bad_url"),
        ("http://2130706433/", "bad_url"),
        ("http://0x7f.0.0.1/", "bad_url"),
        ("http://[::127.0.0.1]/", "forbidden_address"),
        ("http://[::ffff:0:127.0.0.1]/", "forbidden_address"),
        ("http://[64:ff9b:1::7f00:1]/", "forbidden_address"),
        ("http://[::ffff:0:10.0.0.1]/", "forbidden_address"),
    ],
)
def test_odd_address_forms_are_refused_for_good(url: str, kind: str) -> None:
    from workers.fetch import Fetcher, FetchError

    fetcher = Fetcher(_fetch_settings(allow_private=[], only_allowed=False))
    try:
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(url)
    finally:
        fetcher.close()
    assert caught.value.kind == kind and not caught.value.retryable


def test_a_redirect_with_a_backslash_is_refused_for_good(site) -> None:
    from workers.fetch import Fetcher, FetchError

    site.routes["/bs"] = lambda h: (
        h.send_response(302),
        h.send_header("Location", "http:\\\\127.0.0.1\\admin"),
        h.send_header("Content-Length", "0"),
        h.end_headers(),
    )
    fetcher = Fetcher(_fetch_settings())
    try:
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(site.url("/bs"))
    finally:
        fetcher.close()
    assert caught.value.kind in ("bad_redirect", "bad_url") and not caught.value.retryable, caught.value


def _raw_route(site, path: str, head: bytes, body: bytes) -> None:
    def route(handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n" + head + b"Connection: close\r\n\r\n" + body)
        handler.close_connection = True

    site.routes[path] = route


def test_binary_without_a_content_type_and_truncated_gzip_are_not_pages(site) -> None:
    from workers.fetch import Fetcher, FetchError

    noise = bytes((i * 37 + 11) % 256 for i in range(4096))
    _raw_route(site, "/noise", b"", b"<html>" + noise)
    whole = gzip.compress(ARTICLE.encode())
    _raw_route(site, "/cut", b"Content-Type: text/html\r\nContent-Encoding: gzip\r\n", whole[: len(whole) // 2])
    _raw_route(site, "/untyped", b"", ARTICLE.encode())
    fetcher = Fetcher(_fetch_settings())
    try:
        with pytest.raises(FetchError) as binary:
            fetcher.fetch(site.url("/noise"))
        with pytest.raises(FetchError) as truncated:
            fetcher.fetch(site.url("/cut"))
        assert fetcher.fetch(site.url("/untyped")).body == ARTICLE.encode()  # text without a type is still taken
    finally:
        fetcher.close()
    assert binary.value.kind == "not_html"
    assert truncated.value.kind == "bad_encoding"


# --- an embedded Redis orphaned by a SIGKILLed serve ---


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split(")")[-1].split()[0] != "Z"


def test_an_orphaned_embedded_redis_is_adopted_and_stopped(tmp_path: Path) -> None:
    data_dir = (tmp_path / "data").resolve()
    starter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom farmwatch.store.embedded import EmbeddedRedis\n"
            f"EmbeddedRedis({str(data_dir)!r}).start(); print('up', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert starter.stdout is not None and starter.stdout.readline().strip() == b"up"
        owner = EmbeddedRedis(data_dir)._owner()
        assert owner is not None and owner[0] == starter.pid and _alive(owner[1])
        orphan = owner[1]
        # While its owner lives, another process uses it without taking it over.
        beside = EmbeddedRedis(data_dir)
        beside.start()
        assert beside.adopted is None and beside.process is None
        starter.kill()  # SIGKILL: the redis-server is orphaned
        starter.wait()
        restarted = EmbeddedRedis(data_dir)
        restarted.start()
        assert restarted.adopted == orphan
        assert restarted._alive()
        restarted.stop()
        assert not _alive(orphan) and not restarted.owner_file.exists()
    finally:
        starter.kill()
        owner = EmbeddedRedis(data_dir)._owner()
        if owner and _alive(owner[1]):
            os.kill(owner[1], signal.SIGKILL)


def test_a_redis_farmwatch_did_not_start_on_the_data_dir_is_refused(tmp_path: Path) -> None:
    from farmwatch.errors import StoreUnavailable

    data_dir = (tmp_path / "data").resolve()
    foreign = EmbeddedRedis(data_dir)
    foreign.start()
    try:
        foreign.owner_file.unlink()  # as if started by hand
        with pytest.raises(StoreUnavailable, match="did not start"):
            EmbeddedRedis(data_dir).start()
    finally:
        foreign.stop()


# --- API: request bodies that are not UTF-8, feeds for lookup keys ---


def test_a_request_body_that_is_not_utf8_gets_422(api: httpx.Client) -> None:
    body = b'{"url": "https://example.org/a", "html": "<p>caf\xe9</p>"}'
    response = api.post("/v1/pages", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_lookup_keys_cannot_read_feeds(api: httpx.Client, redis_client) -> None:
    from farmwatch.store.api_keys import KeyStore

    keys = KeyStore(redis_client, "fw")
    lookup, _ = keys.create("lookup", "extension")
    ingest, _ = keys.create("ingest", "crawler")
    assert api.get("/v1/feeds", headers={"Authorization": f"Bearer {lookup}"}).status_code == 403
    assert api.get("/v1/feeds", headers={"Authorization": f"Bearer {ingest}"}).status_code == 200


def test_a_warc_record_never_replaces_a_page_the_service_fetched(services, tmp_path) -> None:
    from farmwatch import bulk
    from farmwatch.ingest import submit_html

    url = "https://example.org/fetched"
    submit_html(services, url, ARTICLE, origin="fetched")
    forged = ARTICLE.replace("Harbour", "Forged") + "<p>Source: https://farm.example.net/copy</p>"
    path = tmp_path / "forged.warc.gz"
    _warc(path, [(url, forged.encode(), "text/html"), ("https://example.org/other", ARTICLE.encode(), "text/html")])
    stats = bulk.WarcImporter(services, jobs=1, batch=4).run(path)
    assert stats.done and stats.pages == 1 and stats.bad == 1
    assert stats.bad_records[0].startswith(f"{url}: ")
    page_id = services.pages.page_id(url)
    assert services.pages.facts([page_id])[page_id].origin == "fetched"
    assert "Forged" not in services.pages.docs([page_id])[page_id]["main_text"]
