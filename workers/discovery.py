"""Finding originals: a fetched page's credited sources, and new articles in registered feeds and sitemaps.

Feeds and sitemaps are parsed with the standard library's ElementTree behind
defusedxml, which refuses entity declarations (billion laughs, external
entities) before they expand. One small parser covers RSS 0.9x/1.0/2.0, Atom
and sitemaps (urlset and sitemapindex), which feedparser does not; all we need
from a feed is its item links and dates (`bench/feeds.py` compares the two).

Sitemaps may come gzipped (`sitemap.xml.gz`, served as application/gzip: decompressed here, bounded). A Google
News sitemap's `<news:publication_date>` orders its items and is kept as each article's published hint (the
feed's record, `published`, read back with `Discovery.published_hint(job)`). The `Sitemap:` lines of a site's
robots.txt (read from the robots cache the polite fetcher keeps) register that site's sitemaps as feeds: for a
registered `…/robots.txt`, and beside every feed polled on the same origin.
"""

from __future__ import annotations

import logging
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

from dateutil import parser as dateparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from farmwatch.analysis.urls import absolute_url, normalize_url, same_site
from farmwatch.config import FetchSettings
from farmwatch.report import PageReport
from farmwatch.services import Services
from farmwatch.store.jobs import Job, JobQueue
from workers.fetch import FetchError
from workers.polite import FEED_TYPES, PoliteFetcher, conditional_headers, origin_of, validators_of

log = logging.getLogger("farmwatch.discovery")
MAX_CHILD_SITEMAPS = 5  # newest children of a sitemap index registered as feeds of their own
MAX_FEED_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit on an uncompressed sitemap
GZIP_TYPES = ("application/gzip", "application/x-gzip", "application/octet-stream")  # sitemap.xml.gz
MAX_PUBLISHED_HINTS = 1000  # per feed: item URL -> publication date, for the worker that fetches the item


@dataclass(slots=True)
class Feed:
    kind: str  # rss, atom, sitemap, sitemapindex
    items: list[str] = field(default_factory=list)  # article URLs, newest first when dates are given
    children: list[str] = field(default_factory=list)  # sitemaps listed by a sitemap index (or robots.txt)
    published: dict[str, str] = field(default_factory=dict)  # item URL -> its date as the feed states it (news)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child(element: Element, *names: str) -> Element | None:
    for child in element:
        if _local(child.tag) in names:
            return child
    return None


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _date(text: str) -> float:
    if not text:
        return 0.0
    try:
        parsed = dateparser.parse(text)
    except (ValueError, OverflowError):
        return 0.0
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _newest_first(pairs: list[tuple[str, float]]) -> list[str]:
    ordered = sorted(enumerate(pairs), key=lambda p: (-p[1][1], p[0]))  # stable: document order among equals
    return list(dict.fromkeys(url for _, (url, _) in ordered))


def gunzip(body: bytes, limit: int = MAX_FEED_BYTES) -> bytes:
    """A gzipped body decompressed (at most `limit` bytes, so a gzip bomb stops there); others as they are."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as error:
        raise ValueError(f"not a well-formed gzip file: {error}") from error
    if len(out) > limit:
        raise ValueError(f"a gzipped feed larger than {limit} bytes once decompressed")
    return out


def parse_feed(body: bytes, base_url: str) -> Feed:
    """Item links of an RSS/Atom feed or URLs of a sitemap (gzipped or not). Raises ValueError on anything else."""
    body = gunzip(body)
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException) as error:
        raise ValueError(f"not a well-formed, safe XML feed: {error}") from error
    kind = _local(root.tag)
    pairs: list[tuple[str, float]] = []
    if kind in ("rss", "rdf"):
        items = [e for e in root.iter() if _local(e.tag) == "item"]
        for item in items:
            link = _text(_child(item, "link"))
            guid = _child(item, "guid")
            if not link and guid is not None and guid.get("isPermaLink", "true") != "false":
                link = _text(guid)
            url = absolute_url(base_url, link) if link else None
            if url:
                pairs.append((url, _date(_text(_child(item, "pubdate", "date", "published")))))
        return Feed("rss", _newest_first(pairs))
    if kind == "feed":
        for entry in (e for e in root if _local(e.tag) == "entry"):
            href = None
            for link in (e for e in entry if _local(e.tag) == "link"):
                if link.get("rel", "alternate") == "alternate" and link.get("href"):
                    href = link.get("href")
                    break
            url = absolute_url(base_url, href) if href else None
            if url:
                pairs.append((url, _date(_text(_child(entry, "published", "updated")))))
        return Feed("atom", _newest_first(pairs))
    if kind in ("urlset", "sitemapindex"):
        entry_tag = "url" if kind == "urlset" else "sitemap"
        published: dict[str, str] = {}
        for entry in (e for e in root if _local(e.tag) == entry_tag):
            url = absolute_url(base_url, _text(_child(entry, "loc")))
            if not url:
                continue
            news = _child(entry, "news")  # Google News: <news:news><news:publication_date>
            when = _text(_child(news, "publication_date")) if news is not None else ""
            if when and _date(when):
                published[url] = when
            pairs.append((url, _date(when) or _date(_text(_child(entry, "lastmod")))))
        if kind == "urlset":
            return Feed("sitemap", _newest_first(pairs), published=published)
        return Feed("sitemapindex", children=_newest_first(pairs))
    raise ValueError(f"not a feed or sitemap (root element <{kind}>)")


class Discovery:
    """Queues what a worker should fetch next: credited sources of pages, new items of feeds."""

    def __init__(self, services: Services, queue: JobQueue, polite: PoliteFetcher) -> None:
        self.services = services
        self.queue = queue
        self.polite = polite
        self.feeds = services.feeds
        self.settings: FetchSettings = services.settings.fetch

    def _queue_new(self, urls: list[str], limit: int, depth: int, via: str) -> int:
        queued = 0
        for url in urls:
            if queued >= limit:
                break
            if self.services.pages.page_id(url) is not None or not self.feeds.first_time(url):
                continue
            self.queue.submit(url, depth=depth, via=via)
            queued += 1
        return queued

    def from_page(self, job: Job, report: PageReport) -> int:
        """Queue the page's source links and cross-site canonical (once per URL, bounded); not from pages
        that were themselves discovered, so discovery never turns into a crawl."""
        if job.depth > 0 or self.settings.discover_links <= 0:
            return 0
        page_url = report.url
        candidates = list((report.provenance.source_links if report.provenance else None) or report.source_links)
        canonical = report.canonical
        if canonical and not same_site(canonical, page_url):
            candidates.insert(0, canonical)
        candidates = [u for u in dict.fromkeys(candidates) if u != page_url]
        return self._queue_new(candidates, self.settings.discover_links, job.depth + 1, page_url)

    def published_hint(self, job: Job) -> str | None:
        """The publication date the feed that listed this URL gave it (a news sitemap's), if any."""
        if not job.via:
            return None
        record = self.feeds.get(job.via) or {}
        return (record.get("published") or {}).get(normalize_url(job.url))

    def _fetch_feed(self, url: str, validators: dict[str, str]):
        """The feed through the polite fetcher's rules (robots.txt, host limits), gzip files accepted."""
        return self.polite.fetcher.fetch(
            url, accept=FEED_TYPES + GZIP_TYPES, headers=conditional_headers(validators), hop=self.polite.hop
        )

    def robots_sitemaps(self, url: str) -> list[str]:
        """The `Sitemap:` lines of the robots.txt of url's origin (cached by the polite fetcher), on that site."""
        robots = self.polite.robots(url)
        if robots.parser is None:
            return []
        found = (absolute_url(f"{origin_of(url)}/", line) for line in robots.parser.sitemaps)
        return [u for u in dict.fromkeys(found) if u and same_site(u, url)][:MAX_CHILD_SITEMAPS]

    def poll_due(self) -> str | None:
        """Poll one registered feed whose turn has come; returns its URL, or None when none is due."""
        url = self.feeds.claim_due(self.settings.feed_interval)
        if url is None:
            return None
        record = self.feeds.get(url) or {}
        now = time.time()
        if urlsplit(url).path == "/robots.txt":  # a site's robots.txt: its Sitemap lines are its feeds
            return self._poll_robots(url, now)
        try:
            result = self._fetch_feed(url, {k: record.get(k) or "" for k in ("etag", "last_modified")})
            if result.status == 304:
                self.feeds.update(url, last_polled=now, last_status=304, last_error=None)
                return url
            feed = parse_feed(result.body, result.url)
        except (FetchError, ValueError) as error:
            self.feeds.update(
                url, last_polled=now, last_error=str(error), last_status=getattr(error, "kind", "unparsable")
            )
            log.warning("feed poll failed", extra={"feed": url, "error": str(error)})
            return url
        for child in feed.children[:MAX_CHILD_SITEMAPS]:
            self.feeds.add(child, via=url)
        try:
            for sitemap in self.robots_sitemaps(url):
                if normalize_url(sitemap) != url:
                    self.feeds.add(sitemap, via=f"{origin_of(url)}/robots.txt")
        except FetchError:
            pass  # the robots.txt was read for the poll itself; nothing more to learn from it now
        queued = self._queue_new(feed.items, self.settings.feed_max_items, 0, url)
        hints = {normalize_url(u): when for u, when in feed.published.items()}
        if hints:  # newest hints kept, bounded: the worker reads them when it fetches the item
            kept = {**(record.get("published") or {}), **hints}
            hints = dict(list(kept.items())[-MAX_PUBLISHED_HINTS:])
        self.feeds.update(
            url,
            **({"published": hints} if hints else {}),
            kind=feed.kind,
            last_polled=now,
            last_status=result.status,
            last_error=None,
            items_seen=len(feed.items) + len(feed.children),
            items_queued=int(record.get("items_queued") or 0) + queued,
            **validators_of(result),
        )
        return url

    def _poll_robots(self, url: str, now: float) -> str:
        try:
            sitemaps = self.robots_sitemaps(url)
        except FetchError as error:
            self.feeds.update(url, last_polled=now, last_error=str(error), last_status=error.kind)
            return url
        for sitemap in sitemaps:
            self.feeds.add(sitemap, via=url)
        self.feeds.update(
            url, kind="robots", last_polled=now, last_status=200, last_error=None, items_seen=len(sitemaps)
        )
        return url
