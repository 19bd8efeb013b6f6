"""Sitemaps as sites publish them: gzipped (`sitemap.xml.gz`), Google News sitemaps (their publication dates
become the articles' published hints), and the `Sitemap:` lines of robots.txt (workers/discovery.py), over
real HTTP on loopback."""

from __future__ import annotations

import gzip

import pytest

from farmwatch.services import Services
from farmwatch.store.jobs import JobQueue
from tests.conftest import Site
from workers.discovery import Discovery, gunzip, parse_feed
from workers.polite import PoliteFetcher

NEWS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
    "<url><loc>{old}</loc><news:news><news:publication><news:name>The Paper</news:name>"
    "<news:language>en</news:language></news:publication>"
    "<news:publication_date>2024-02-13T09:00:00+00:00</news:publication_date>"
    "<news:title>Older</news:title></news:news></url>"
    "<url><loc>{new}</loc><news:news><news:publication_date>2024-02-14T16:05:12Z</news:publication_date>"
    "<news:title>Newer</news:title></news:news></url>"
    "</urlset>"
)


def urlset(*urls: str) -> bytes:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()
    )


def test_a_gzipped_sitemap_parses() -> None:
    feed = parse_feed(gzip.compress(urlset("https://a.example/1", "https://a.example/2")), "https://a.example/")
    assert feed.kind == "sitemap" and feed.items == ["https://a.example/1", "https://a.example/2"]


def test_gzip_is_bounded_and_checked() -> None:
    bomb = gzip.compress(b"<" * (2 * 1024 * 1024))
    with pytest.raises(ValueError, match="larger than"):
        gunzip(bomb, limit=1024 * 1024)
    with pytest.raises(ValueError, match="gzip"):
        parse_feed(b"\x1f\x8b" + b"not really gzip", "https://a.example/")
    assert gunzip(b"<urlset/>") == b"<urlset/>"


def test_news_sitemap_dates_order_items_and_are_kept() -> None:
    feed = parse_feed(
        NEWS.format(old="https://a.example/old", new="https://a.example/new").encode(), "https://a.example/"
    )
    assert feed.items == ["https://a.example/new", "https://a.example/old"]  # newest first, by publication date
    assert feed.published == {
        "https://a.example/new": "2024-02-14T16:05:12Z",
        "https://a.example/old": "2024-02-13T09:00:00+00:00",
    }


@pytest.fixture()
def discovery(services: Services, queue: JobQueue, redis_client, settings):
    polite = PoliteFetcher(redis_client, settings.fetch)
    yield Discovery(services, queue, polite)
    polite.close()


def poll_all(discovery: Discovery, rounds: int = 10) -> None:
    for _ in range(rounds):
        if discovery.poll_due() is None:
            return


def test_gzipped_news_sitemap_found_through_robots_txt(
    discovery: Discovery, services: Services, queue: JobQueue, site: Site
) -> None:
    site.page(
        "/robots.txt",
        f"User-agent: *\nAllow: /\nSitemap: {site.url('/news.xml.gz')}\nSitemap: https://elsewhere.example/s.xml\n".encode(),
        content_type="text/plain",
    )
    news = NEWS.format(old=site.url("/old"), new=site.url("/new")).encode()
    site.page("/news.xml.gz", gzip.compress(news), content_type="application/gzip")

    services.feeds.add(site.url("/robots.txt"))
    poll_all(discovery)

    feeds = {f["url"]: f for f in services.feeds.all()}
    assert feeds[site.url("/robots.txt")]["kind"] == "robots"
    assert feeds[site.url("/news.xml.gz")]["kind"] == "sitemap", feeds
    assert feeds[site.url("/news.xml.gz")]["via"] == site.url("/robots.txt")
    assert feeds[site.url("/news.xml.gz")]["items_queued"] == 2
    assert not any("elsewhere.example" in url for url in feeds)  # another site's sitemap is not followed

    jobs = [queue.reserve("test", block_ms=100) for _ in range(2)]
    by_url = {job.url: job for job in jobs if job}
    assert set(by_url) == {site.url("/new"), site.url("/old")}
    assert discovery.published_hint(by_url[site.url("/new")]) == "2024-02-14T16:05:12Z"
    assert discovery.published_hint(by_url[site.url("/old")]) == "2024-02-13T09:00:00+00:00"


def test_a_feeds_origin_robots_sitemaps_are_registered_beside_it(
    discovery: Discovery, services: Services, site: Site
) -> None:
    site.page(
        "/robots.txt", f"User-agent: *\nSitemap: {site.url('/sitemap.xml')}\n".encode(), content_type="text/plain"
    )
    site.page("/sitemap.xml", urlset(site.url("/a")), content_type="application/xml")
    site.page(
        "/feed.rss",
        f'<rss version="2.0"><channel><item><link>{site.url("/b")}</link></item></channel></rss>'.encode(),
        content_type="application/rss+xml",
    )
    services.feeds.add(site.url("/feed.rss"))
    poll_all(discovery)
    feeds = {f["url"]: f for f in services.feeds.all()}
    assert feeds[site.url("/feed.rss")]["kind"] == "rss"
    assert feeds[site.url("/sitemap.xml")]["kind"] == "sitemap"
    assert feeds[site.url("/sitemap.xml")]["via"].endswith("/robots.txt")
