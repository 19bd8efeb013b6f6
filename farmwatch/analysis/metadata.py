"""Page metadata from <head>: title, canonical and alternate links, site name,
publisher, author, language and publication time.

Only structured signals are read here (meta tags, link tags, JSON-LD); the date
falls back to the URL's, the byline's (byline_date) and then htmldate's guess from the page.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from farmwatch.analysis.blocks import Block, BlockKind
from farmwatch.analysis.urls import absolute_url

# Time-zone abbreviations pages write after a time ("09:16 CET"), as offsets from UTC in hours. dateutil knows
# only UTC, GMT and the machine's own zone: it reads any other as UTC, hours off, and warns on every page.
# Where an abbreviation is ambiguous, the reading news sites use most (CST: US Central; IST: India).
_ZONE_HOURS = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "GST": 4, "PKT": 5, "IST": 5.5, "ICT": 7, "WIB": 7, "SGT": 8, "HKT": 8, "AWST": 8,
    "JST": 9, "KST": 9, "ACST": 9.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "EST": -5, "EDT": -4,
    "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
    "AST": -4, "ADT": -3, "NST": -3.5, "BRT": -3, "ART": -3,
}  # fmt: skip
_ZONES = {name: int(hours * 3600) for name, hours in _ZONE_HOURS.items()}


def _zone(name: str | None, offset: int | None) -> int | None:
    """dateutil's tzinfos: a known abbreviation's offset; None (read as UTC, no warning) for any other."""
    return _ZONES.get(name or "")


# htmldate parses visible dates with dateutil too, without a table, and keeps only the day: its warning on
# every page with an unknown abbreviation is noise in the logs.
warnings.filterwarnings("ignore", message="tzname .* identified but not understood", module="dateutil")

_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "publish-date",
    "publish_date",
    "pubdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
)


@dataclass(slots=True)
class PageMetadata:
    title: str | None = None
    canonical: str | None = None
    og_url: str | None = None
    amphtml: str | None = None
    site_name: str | None = None
    publishers: list[str] = field(default_factory=list)  # names the page gives for its publisher
    author: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    # True when the source gave only a day, not a time: compare such dates by day.
    published_date_only: bool = False
    published_from: str | None = None  # which signal gave the date


def parse_datetime(value: str | None) -> tuple[datetime | None, bool]:
    """Parse an ISO-8601-ish timestamp; returns (aware UTC datetime, date_only)."""
    if not value:
        return None, False
    value = value.strip()
    date_only = len(value) <= 10
    candidate = value.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            from dateutil import parser as dateutil_parser

            parsed = dateutil_parser.parse(value, tzinfos=_zone)
        except (ValueError, OverflowError, ImportError):
            return None, False
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year < 1990 or parsed.year > 2100:
        return None, False
    return parsed.astimezone(UTC), date_only


def _meta_content(metas: list[LexborNode]) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in metas:
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = attrs.get("content")
        if key and content and key.strip().lower() not in found:
            found[key.strip().lower()] = content.strip()
    return found


def _json_ld_objects(scripts: list[LexborNode]) -> list[dict]:
    objects: list[dict] = []
    for node in scripts:
        try:
            data = json.loads(node.text(deep=True) or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(objects) < 50:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    return objects


def _name_of(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _name_of(value.get("name"))
    if isinstance(value, list) and value:
        return _name_of(value[0])
    return None


def _link_hrefs(links: list[LexborNode], rels: tuple[str, ...], base: str | None) -> dict[str, str | None]:
    """The first href of a <link> with each of these rels, in one pass over the page's links."""
    found: dict[str, str | None] = {}
    for node in links:
        attributes = node.attributes
        href = attributes.get("href")
        if not href:
            continue
        for rel in (attributes.get("rel") or "").lower().split():
            if rel in rels and rel not in found:
                found[rel] = absolute_url(base, href)
        if len(found) == len(rels):
            break
    return found


# The elements read here, found in one walk of the document (each css() call walks all of it: three took
# 0.088 ms a page of provenance-dev, this one 0.070), each kind in document order as its own selector gives it.
_READ_NODES = 'meta, link[rel], script[type="application/ld+json"]'


def extract_metadata(tree: LexborHTMLParser, url: str | None = None) -> PageMetadata:
    nodes: dict[str, list[LexborNode]] = {"meta": [], "link": [], "script": []}
    for node in tree.css(_READ_NODES):
        nodes[node.tag].append(node)
    meta = _meta_content(nodes["meta"])
    ld = _json_ld_objects(nodes["script"])
    result = PageMetadata()

    title_node = tree.css_first("title")
    result.title = (
        meta.get("og:title")
        or meta.get("twitter:title")
        or next((o["headline"] for o in ld if isinstance(o.get("headline"), str)), None)
        or (title_node.text(strip=True) if title_node else None)
        or None
    )
    links = _link_hrefs(nodes["link"], ("canonical", "amphtml"), url)
    result.canonical, result.amphtml = links.get("canonical"), links.get("amphtml")
    if meta.get("og:url"):
        result.og_url = absolute_url(url, meta["og:url"])
    result.site_name = meta.get("og:site_name") or meta.get("application-name") or None

    publishers: list[str] = []
    for obj in ld:
        for key in ("publisher", "sourceOrganization"):
            name = _name_of(obj.get(key))
            if name:
                publishers.append(name)
    for key in ("og:site_name", "publisher", "article:publisher", "dc.publisher", "application-name"):
        value = meta.get(key)
        if value and not value.startswith("http"):
            publishers.append(value)
    result.publishers = list(dict.fromkeys(p for p in publishers if 2 <= len(p) <= 100))

    result.author = meta.get("author") or next((_name_of(o.get("author")) for o in ld if o.get("author")), None)
    html_node = tree.css_first("html")
    if html_node is not None:
        result.language = (html_node.attributes.get("lang") or "").split("-")[0].lower() or None

    for key in _DATE_META:
        parsed, date_only = parse_datetime(meta.get(key.lower()))
        if parsed:
            result.published_at, result.published_date_only, result.published_from = parsed, date_only, f"meta {key}"
            break
    if result.published_at is None:
        for obj in ld:
            parsed, date_only = parse_datetime(
                obj.get("datePublished") if isinstance(obj.get("datePublished"), str) else None
            )
            if parsed:
                result.published_at, result.published_date_only, result.published_from = parsed, date_only, "json-ld"
                break
    if result.published_at is None:
        time_node = tree.css_first("time[datetime]")
        if time_node is not None:
            parsed, date_only = parse_datetime(time_node.attributes.get("datetime"))
            if parsed:
                result.published_at, result.published_date_only, result.published_from = (
                    parsed,
                    date_only,
                    "time element",
                )
    return result


_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/-]|$)")


def date_from_url(url: str | None) -> datetime | None:
    """A day written in the URL's path (/2020/05/19/…, /2020-05-19-…): cheap, and as good as
    htmldate's own first guess, which also starts from the URL."""
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    if not match:
        return None
    try:
        return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), tzinfo=UTC)
    except ValueError:
        return None


# Where a byline gives an update's date ("Updated June 13, 2019", "Published 3 May, updated 4 May",
# "aktualisiert am …"), what follows the cue is not the publication's date.
_UPDATE_CUE = re.compile(
    r"\b(?:updated?|modified|last edited|edited|aktualisiert|geändert|mis à jour|modifié|actualizad[oa]|"
    r"actualización|modificad[oa]|aggiornat[oa]|modificat[oa]|atualizad[oa]|bijgewerkt|gewijzigd|"
    r"zaktualizowano|güncellendi|обновлено|обновлён)\b|更新",
    re.IGNORECASE,
)


HEAD_REACH = 2  # blocks around the headline and the text's first paragraph where the article's own byline sits


def byline_date(blocks: Sequence[Block]) -> tuple[datetime | None, bool]:
    """The day the article's byline shows ("By X · 12.10.2015, 19:16 Uhr", "Veröffentlicht am 1. Mai 2019"),
    read as htmldate reads the text of a visible date element, up to an update's cue.

    Only a byline at the article's head counts, under its headline down to just after its first paragraph,
    or just above the headline: dated lines further off are mostly teasers of other articles. The extractor
    has found the byline already, so this reads one line, where htmldate's fallback parses the page again
    with lxml and walks it (~3 ms); and it is the date the reader sees by the headline, where that walk can
    stop first at a "last updated" date or another article's."""
    kinds = [block.kind for block in blocks]
    if BlockKind.MAIN not in kinds:
        return None, False
    first_text = kinds.index(BlockKind.MAIN)
    head = min(first_text, kinds.index(BlockKind.TITLE) if BlockKind.TITLE in kinds else first_text)
    # Under the headline first; then just above it (a dateline over the headline), where a teaser's date can also sit.
    under, above = range(head, first_text + HEAD_REACH + 1), range(max(0, head - HEAD_REACH), head)
    options = None
    for index in (*under, *above):
        if index >= len(blocks) or kinds[index] is not BlockKind.BYLINE:
            continue
        text = _UPDATE_CUE.split(blocks[index].text, maxsplit=1)[0]
        if not any(c.isdigit() for c in text):
            continue
        from htmldate.core import examine_text
        from htmldate.utils import Extractor
        from htmldate.validators import get_max_date, get_min_date

        # As find_date(extensive_search=False, original_date=True) reads it; the latest date allowed is today's end.
        options = options or Extractor(False, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")
        found = examine_text(text, options)
        if found:
            return parse_datetime(found)
    return None, False


def find_date_fallback(html: str, url: str | None) -> tuple[datetime | None, bool]:
    """htmldate's heuristics (URL, visible dates) when no structured date exists: find_date's fast-mode guess of the
    original date, with less work where a step provably finds nothing (page_date)."""
    if html.startswith("http") and " " not in html:
        # htmldate downloads a string that reads as a URL instead of parsing it: a client's markup must never make
        # this process fetch an address (analysis does no I/O, and fetching goes through the workers' guards).
        return None, False
    try:
        from farmwatch.analysis.page_date import guess_date

        found = guess_date(html, url)
    except Exception:  # htmldate raises on odd markup; a missing date is fine
        return None, False
    return parse_datetime(found)
