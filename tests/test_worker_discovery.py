"""Discovery of originals: a page's credited source is fetched too; registered feeds and sitemaps are polled."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from farmwatch.config import Settings
from farmwatch.reports import page_report
from farmwatch.services import Services
from farmwatch.store.jobs import JobQueue
from tests.conftest import SEED, Site
from workers.discovery import parse_feed
from workers.worker import Worker

EPOCH = "https://www.theepochtimes.com/world/armenia-azerbaijan-border-clashes-raise-concerns-for-fragile-peace-talks-5588314"
TRUTH = "https://truthusanewshub.com/armenia-azerbaijan-border-clashes-raise-concerns-for-fragile-peace-talks/"


@contextmanager
def running(services: Services, queue: JobQueue) -> Iterator[Worker]:
    stop = threading.Event()
    worker = Worker(services, queue)
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(timeout=10)


def wait_for(predicate: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_pages_credited_source_is_fetched_once(
    api: httpx.Client, services: Services, queue: JobQueue, site: Site
) -> None:
    original = site.url("/original")
    # The original names a cross-site canonical: as a discovered page it is not followed any further.
    site.page(
        "/original",
        (SEED / "original.html")
        .read_bytes()
        .replace(EPOCH.encode(), site.url("/elsewhere", host="localhost").encode()),
    )
    repost = (SEED / "repost.html").read_bytes().replace(EPOCH.encode(), original.encode())
    site.page("/repost", repost.replace(TRUTH.encode(), site.url("/repost", host="localhost").encode()))
    site.page("/repost2", repost.replace(TRUTH.encode(), site.url("/repost2", host="localhost").encode()))
    with running(services, queue):
        job = api.post("/v1/pages", json={"url": site.url("/repost", host="localhost")}).json()
        wait_for(lambda: getattr(page_report(services, original), "provenance", None))
        wait_for(
            lambda: page_report(services, site.url("/repost", host="localhost")).provenance.verdict == "republished"
        )
        api.post("/v1/pages", json={"url": site.url("/repost2", host="localhost")})
        wait_for(lambda: page_report(services, site.url("/repost2", host="localhost")))
        time.sleep(0.3)
    report = api.get("/v1/pages", params={"url": site.url("/repost", host="localhost")}).json()
    assert report["provenance"]["sources"][0]["url"] == original
    assert report["provenance"]["attributed"] is True
    assert api.get(job["status_url"]).json()["status"] == "done"
    assert site.hits["/original"] == 1  # linked by two pages, fetched once
    assert "/elsewhere" not in site.hits  # discovered pages do not discover further
    assert services.pages.count() == 3


def _feed_route(site: Site, path: str, items: list[str], etag: list[str]) -> None:
    def route(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == etag[0]:
            handler.send_response(304)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        entries = "".join(
            f"<item><title>{u}</title><link>{u}</link><pubDate>Mon, 0{i + 1} Jan 2024 10:00:00 GMT</pubDate></item>"
            for i, u in enumerate(items)
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("ETag", etag[0])
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    site.routes[path] = route


def _article(n: int) -> bytes:
    words = " ".join(f"word{(n * 7919 + i * 31) % 997}" for i in range(300))
    head = f"<html><head><title>Article {n}</title></head>"
    return f"{head}<body><article><p>{words}</p></article></body></html>".encode()


def test_registered_feed_is_polled_and_its_new_articles_indexed(
    api: httpx.Client, services: Services, queue: JobQueue, site: Site, settings: Settings
) -> None:
    settings.fetch.feed_interval = 0.3
    for n in range(3):
        site.page(f"/a{n}", _article(n))
    items, etag = [site.url("/a0"), site.url("/a1")], ['"1"']
    _feed_route(site, "/feed.xml", items, etag)
    created = api.post("/v1/feeds", json={"url": site.url("/feed.xml")})
    assert created.status_code == 201 and created.json()["url"] == site.url("/feed.xml")
    assert api.post("/v1/feeds", json={"url": site.url("/feed.xml")}).status_code == 200
    assert api.post("/v1/feeds", json={"url": "ftp://example.com/feed"}).status_code == 422
    with running(services, queue):
        wait_for(lambda: page_report(services, site.url("/a0")) and page_report(services, site.url("/a1")))
        wait_for(lambda: site.hits.get("/feed.xml", 0) >= 3)  # polled again: answered 304 from its ETag
        assert "/a2" not in site.hits
        items.append(site.url("/a2"))
        etag[0] = '"2"'
        wait_for(lambda: page_report(services, site.url("/a2")))
    feeds = api.get("/v1/feeds").json()["items"]
    assert len(feeds) == 1
    assert feeds[0]["kind"] == "rss" and feeds[0]["items_queued"] == 3 and feeds[0]["last_error"] is None
    assert all(site.hits[f"/a{n}"] == 1 for n in range(3))


def test_sitemap_index_registers_its_sitemaps(
    api: httpx.Client, services: Services, queue: JobQueue, site: Site, settings: Settings
) -> None:
    site.page("/a0", _article(10))
    site.page(
        "/sitemap.xml",
        (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{site.url('/news.xml')}</loc><lastmod>2024-01-02</lastmod></sitemap></sitemapindex>"
        ).encode(),
        content_type="application/xml",
    )
    site.page(
        "/news.xml",
        (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.url('/a0')}</loc><lastmod>2024-01-02</lastmod></url></urlset>"
        ).encode(),
        content_type="text/xml",
    )
    assert api.post("/v1/feeds", json={"url": site.url("/sitemap.xml")}).status_code == 201
    with running(services, queue):
        wait_for(lambda: page_report(services, site.url("/a0")))
    feeds = {f["url"]: f for f in api.get("/v1/feeds").json()["items"]}
    assert feeds[site.url("/sitemap.xml")]["kind"] == "sitemapindex"
    assert feeds[site.url("/news.xml")]["kind"] == "sitemap"
    assert feeds[site.url("/news.xml")]["via"] == site.url("/sitemap.xml")


def test_feed_parsing_atom_rss1_and_refusing_entity_bombs() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
      <entry><link rel="alternate" href="/old"/><updated>2024-01-01T00:00:00Z</updated></entry>
      <entry><link rel="self" href="/ignored"/><link href="https://ex.org/new"/>
             <updated>2024-02-01T00:00:00Z</updated></entry></feed>"""
    assert parse_feed(atom, "https://ex.org/feed").items == ["https://ex.org/new", "https://ex.org/old"]
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
      <item><link>https://ex.org/a</link></item></rdf:RDF>"""
    assert parse_feed(rdf, "https://ex.org/").items == ["https://ex.org/a"]
    laughs = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
      <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><rss><channel><item>
      <link>&lol2;</link></item></channel></rss>"""
    external = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <rss><channel><item><link>&x;</link></item></channel></rss>"""
    for hostile in (laughs, external):
        with pytest.raises(ValueError, match="safe XML"):
            parse_feed(hostile, "https://ex.org/")
    with pytest.raises(ValueError, match="not a feed"):
        parse_feed(b"<html><body/></html>", "https://ex.org/")
