"""What the judge knows about one stored page, read from its analysis (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.page import PageAnalysis
from farmwatch.analysis.urls import absolute_url, host_of, normalize_url, registrable_domain, url_domain

# Links in these regions are the site's own furniture, not the article's references.
LINK_KINDS_SKIPPED = (
    BlockKind.NAVIGATION,
    BlockKind.FOOTER,
    BlockKind.RELATED,
    BlockKind.ADS,
    BlockKind.SHARE,
    BlockKind.COMMENTS,
    BlockKind.HEADER,
)


@dataclass(slots=True)
class PageFacts:
    """What the judge needs to know about one stored page."""

    id: int
    url: str
    site: str
    canonical: str | None = None
    amphtml: str | None = None
    og_url: str | None = None
    site_name: str | None = None
    publishers: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    date_only: bool = False
    first_seen: float = 0.0
    source_links: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # external links inside the main text
    credits: list[dict] = field(default_factory=list)
    origin: str = "client"  # "fetched" by the service or supplied by a "client"
    farm_share: float = 0.0  # share of the site's other pages judged republished
    # No longer set (a page is never judged a composite of its copies); kept so stored records and exports load.
    composite_of: list[int] = field(default_factory=list)
    words: int = -1  # words of main text (-1: stored by a farmwatch that did not count them)

    def urls(self) -> set[str]:
        return {u for u in self.url_fields() if u}

    def url_fields(self) -> tuple[str | None, ...]:
        """The URLs the page goes by (its own, canonical, og:url), some perhaps None."""
        return (self.url, self.canonical, self.og_url)

    def names(self) -> list[str]:
        """Names this page's publisher goes by: site name, publishers, domain label."""
        return list(_publisher_names(self.site_name, tuple(self.publishers), self.site))


@lru_cache(maxsize=65536)
def _publisher_names(site_name: str | None, publishers: tuple[str, ...], site: str) -> tuple[str, ...]:
    """PageFacts.names, kept: each pair a page is in asks for them, at every judgement of its neighbours."""
    names = [n for n in [site_name, *publishers] if n]
    domain = registrable_domain(site)
    label = domain.split(".")[0]
    if len(label) >= 4:
        names.append(label)
    elif len(label) >= 2 and label.isalpha():
        names.append(label.upper())  # dw.com, npr.org: named in text as the acronym "DW", "NPR"
    names.append(domain)  # "Source: jis.gov.jm"
    return tuple(dict.fromkeys(names))


def links_to(page: PageFacts, other: PageFacts) -> tuple[bool, bool, bool]:
    """(canonical, source link, any link) from page to other: whether page names other as its canonical
    version on another host, links it as its source, links it at all from its text."""
    targets = _url_keys(*other.url_fields())
    canonical = bool(
        page.canonical
        and page.canonical in targets
        and page.canonical != page.url
        and host_of(page.canonical) != host_of(page.url)
    )
    source = any(link in targets for link in page.source_links)
    linked = any(link in targets for link in page.links)
    return canonical, source, linked


@lru_cache(maxsize=65536)
def _url_keys(*urls: str | None) -> frozenset[str]:
    """The normalised forms of a page's URLs (PageFacts.urls), kept: links_to asks for them in every pair."""
    return frozenset(normalize_url(u) for u in urls if u)


def facts_of(analysis: PageAnalysis, page_id: int, origin: str, first_seen: float) -> PageFacts:
    meta = analysis.metadata
    links = []
    own_domain = registrable_domain(analysis.site)
    for block in analysis.blocks:
        if block.kind in LINK_KINDS_SKIPPED:
            continue
        for href in block.links:
            if not href.startswith(("http", "//")):
                continue  # a relative link stays on the page's own site
            # The host first (cheap, and most links stay on the site); only links elsewhere are normalised.
            if url_domain(href if href[0] == "h" else "http:" + href) == own_domain:
                continue
            link = absolute_url(analysis.url, href)
            if link:
                links.append(link)
    return PageFacts(
        id=page_id,
        url=analysis.url,
        site=analysis.site,
        canonical=meta.canonical,
        amphtml=meta.amphtml,
        og_url=meta.og_url,
        site_name=meta.site_name,
        publishers=meta.publishers,
        published_at=analysis.published_at,
        date_only=analysis.published_date_only,
        first_seen=first_seen,
        source_links=analysis.source_links,
        links=list(dict.fromkeys(links))[:200],
        credits=[c.as_dict() for c in analysis.credits],
        origin=origin,
        words=analysis.prepared.n_tokens if analysis.prepared is not None else len(analysis.main_text.split()),
    )
