"""Who copied whom: pure judgement over pages that share text.

Two pages that share enough text form an *edge*. For each edge the evidence is
weighed to decide its direction (which page is the copy), or that the two are
one publisher's alternates (AMP, print). A page is republished when at least
one edge says it copied the other page. Every decision keeps its evidence.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from farmwatch.analysis.fingerprint import overlap, shingle_hashes
from farmwatch.analysis.urls import host_of, normalize_url, registrable_domain
from farmwatch.config import MatchSettings

# Weights of each kind of evidence, in favour of the page it points to as original.
WEIGHTS = {
    "canonical": 5.0,  # the copy's canonical link names the other page
    "source_link": 5.0,  # the copy links the other page as its source
    "link": 3.0,  # the copy links the other page from its text
    "site_link": 1.5,  # the copy's text links other pages of the other page's site (links kept from the original)
    "credit": 4.0,  # the copy's credit line names the other page's publisher
    "publisher_named": 3.0,  # the shared text names the other page's publisher
    "composite": 4.0,  # the copy stitches together parts of this and other pages
    "earlier": 2.5,  # published earlier, by metadata
    "dated": 1.0,  # has a publication date where the other has none
    "verified": 1.5,  # fetched by the service where the other was supplied by a client
    "farm_site": 1.0,  # the other page's site republishes most of what it posts
    "first_seen": 0.5,  # seen by the service first
}
# Signals too weak to convict alone: only when they agree does a pair get a direction from them.
WEAK_EVIDENCE = ("first_seen", "farm_site")
_ALTERNATE_URL = re.compile(r"(?:[/.?&=_-]amp(?:[/.?&=_-]|$)|[?&](?:print|output)=|/print/|[?&]outputType=amp)", re.I)
_NAME_STOPWORDS = {"the", "news", "daily", "online", "com", "www", "times", "media", "magazine", "post", "hub"}


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
    composite_of: list[int] = field(default_factory=list)  # pages this one looks stitched together from

    def urls(self) -> set[str]:
        return {u for u in (self.url, self.canonical, self.og_url) if u}

    def names(self) -> list[str]:
        """Names this page's publisher goes by: site name, publishers, domain label."""
        names = [n for n in [self.site_name, *self.publishers] if n]
        label = registrable_domain(self.site).split(".")[0]
        if len(label) >= 4:
            names.append(label)
        return list(dict.fromkeys(names))


@dataclass(slots=True)
class Edge:
    """Shared text between page a and page b, from a's side."""

    other: int
    shared: int
    size: int  # a's shingles
    other_size: int  # b's shingles
    jaccard: float
    containment: float  # share of a's text found in b
    other_containment: float  # share of b's text found in a
    passages: list[int] = field(default_factory=list)  # a's main-text paragraphs found in b
    names_other: bool = False  # a's text names b's publisher
    named_by_other: bool = False  # b's text names a's publisher

    def seen_from(self, other: int, passages: list[int]) -> Edge:
        """The same edge from b's side: b's sizes and shares first, b's passages, a as the other page."""
        return Edge(
            other=other,
            shared=self.shared,
            size=self.other_size,
            other_size=self.size,
            jaccard=self.jaccard,
            containment=self.other_containment,
            other_containment=self.containment,
            passages=passages,
            names_other=self.named_by_other,
            named_by_other=self.names_other,
        )


@dataclass(slots=True)
class Evidence:
    kind: str
    favours: str  # "page" (this page is the original) or "other"
    weight: float
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class PairJudgement:
    relation: str  # "copied" (page copied other), "copied_by" (other copied page), "alternate", "undecided"
    margin: float  # evidence for other-is-original minus evidence for page-is-original
    evidence: list[Evidence]


# --- comparing two texts -----------------------------------------------------------------------


def paragraph_shingles(paragraphs: list[str], n: int) -> list[np.ndarray]:
    return [shingle_hashes(p, n) for p in paragraphs]


def passages_found(paragraph_shingles: list[np.ndarray], other: np.ndarray, min_share: float) -> list[int]:
    found = []
    for index, shingles in enumerate(paragraph_shingles):
        if len(shingles) and len(np.intersect1d(shingles, other, assume_unique=True)) / len(shingles) >= min_share:
            found.append(index)
    return found


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    words = [w for w in re.findall(r"\w+", name.lower()) if w not in _NAME_STOPWORDS]
    if not words or sum(len(w) for w in words) < 4:
        return None
    return re.compile(r"\b" + re.escape(name.strip()) + r"\b", re.I)


def text_names(text: str, names: list[str]) -> bool:
    for name in names:
        pattern = _name_pattern(name)
        if pattern is not None and pattern.search(text):
            return True
    return False


def compare(
    shingles_a: np.ndarray,
    paragraph_shingles_a: list[np.ndarray],
    text_a: str,
    facts_a: PageFacts,
    shingles_b: np.ndarray,
    paragraphs_b: list[str],
    text_b: str,
    facts_b: PageFacts,
    shingle_words: int,
    settings: MatchSettings,
) -> tuple[Edge, Edge] | None:
    """The edge between two pages in both directions, or None when they do not share a story.

    Page a is compared with many candidates, so its paragraphs come already shingled
    (paragraph_shingles); page b's are shingled here, only when the two do share a story."""
    ov = overlap(shingles_a, shingles_b)
    if ov.shared < settings.min_shared_shingles:
        return None
    contained = max(ov.containment_a, ov.containment_b)
    passage = ov.shared >= settings.passage_shingles and contained >= settings.passage_containment
    if ov.jaccard < settings.min_jaccard and contained < settings.min_containment and not passage:
        return None
    passages_a = passages_found(paragraph_shingles_a, shingles_b, settings.passage_min_share)
    passages_b = passages_found(paragraph_shingles(paragraphs_b, shingle_words), shingles_a, settings.passage_min_share)
    a_names_b = facts_a.site != facts_b.site and text_names(text_a, facts_b.names())
    b_names_a = facts_a.site != facts_b.site and text_names(text_b, facts_a.names())
    edge_a = Edge(
        other=facts_b.id,
        shared=ov.shared,
        size=ov.size_a,
        other_size=ov.size_b,
        jaccard=round(ov.jaccard, 4),
        containment=round(ov.containment_a, 4),
        other_containment=round(ov.containment_b, 4),
        passages=passages_a,
        names_other=a_names_b,
        named_by_other=b_names_a,
    )
    return edge_a, edge_a.seen_from(facts_a.id, passages_b)


def composite_parts(edges: list[Edge], whole: float = 0.85, overlap: float = 0.2, coverage: float = 0.6) -> list[int]:
    """The pages this page looks stitched together from, judged from its own edges.

    A page is a composite when at least two pages each supply a different part
    of it (their passages in this page barely overlap), together they supply
    most of its text, and at least one of them is not found whole in it (a
    page found whole inside this one could be its truncated copy instead)."""
    with_passages = [e for e in edges if e.passages]
    parts: set[int] = set()
    for i, first in enumerate(with_passages):
        for second in with_passages[i + 1 :]:
            if first.other_containment >= whole and second.other_containment >= whole:
                continue
            a, b = set(first.passages), set(second.passages)
            if len(a & b) > overlap * min(len(a), len(b)):
                continue
            # The passages barely overlap, so the shares of this page found in each add up.
            if first.containment + second.containment < coverage:
                continue
            parts.update((first.other, second.other))
    return sorted(parts)


# --- deciding direction --------------------------------------------------------------------------


def is_alternate_url(url: str) -> bool:
    return bool(_ALTERNATE_URL.search(url))


def _site_links(page: PageFacts, other: PageFacts) -> int:
    """How many of page's text links go to other's site (a copy keeps the original's internal links)."""
    site = registrable_domain(other.site)
    return sum(1 for link in page.links if registrable_domain(host_of(link)) == site)


def _links_to(page: PageFacts, other: PageFacts) -> tuple[bool, bool, bool]:
    """(canonical, source link, any link) from page to other."""
    targets = {normalize_url(u) for u in other.urls()}
    canonical = bool(
        page.canonical
        and page.canonical in targets
        and page.canonical != page.url
        and host_of(page.canonical) != host_of(page.url)
    )
    source = any(link in targets for link in page.source_links)
    linked = any(link in targets for link in page.links)
    return canonical, source, linked


def _credits_name(page: PageFacts, other: PageFacts) -> str | None:
    names = other.names()
    for credit in page.credits:
        if credit.get("kind") == "wire" and not any(n.lower() == credit.get("name", "").lower() for n in names):
            continue
        text = f"{credit.get('name', '')} {credit.get('text', '')} {credit.get('url') or ''}"
        if text_names(text, names) or (credit.get("url") and normalize_url(credit["url"]) in other.urls()):
            return credit.get("text") or credit.get("name")
        if credit.get("url") and registrable_domain(host_of(credit["url"])) == registrable_domain(other.site):
            return credit.get("text") or credit.get("name")
    return None


def _date_order(page: PageFacts, other: PageFacts) -> int:
    """-1 when page was published first, 1 when other was, 0 when unknown or the same."""
    if page.published_at is None or other.published_at is None:
        return 0
    a, b = page.published_at, other.published_at
    if page.date_only or other.date_only:
        if a.date() == b.date():
            return 0
        return -1 if a.date() < b.date() else 1
    if abs(a - b) < timedelta(minutes=30):
        return 0
    return -1 if a < b else 1


def judge_pair(page: PageFacts, other: PageFacts, edge: Edge) -> PairJudgement:
    """Weigh the evidence on whether page copied other (positive margin) or the reverse."""
    if registrable_domain(page.site) == registrable_domain(other.site):
        detail = "same publisher"
        if (page.amphtml and page.amphtml in other.urls()) or (other.amphtml and other.amphtml in page.urls()):
            detail += " (amphtml link)"
        elif page.canonical in other.urls() or other.canonical in page.urls():
            detail += " (canonical link)"
        return PairJudgement("alternate", 0.0, [Evidence("same_site", "page", 0.0, detail)])

    evidence: list[Evidence] = []

    def weigh(kind: str, original: str, detail: str) -> None:
        evidence.append(Evidence(kind, original, WEIGHTS[kind], detail))

    for subject, target, side in ((page, other, "other"), (other, page, "page")):
        canonical, source, linked = _links_to(subject, target)
        who = "this page" if subject is page else "the other page"
        if canonical:
            weigh("canonical", side, f"{who} names {target.url} as canonical")
        if source:
            weigh("source_link", side, f"{who} links {target.url} as its source")
        elif linked:
            weigh("link", side, f"{who} links {target.url}")
        else:
            site_links = _site_links(subject, target)
            if site_links:
                weigh("site_link", side, f"{who} links {site_links} page(s) of {target.site} from its text")
        credit = _credits_name(subject, target)
        if credit:
            weigh("credit", side, f"{who} credits it: {credit[:120]}")
    if other.id in page.composite_of:
        weigh("composite", "other", "this page stitches together parts of the other page and of other pages")
    if page.id in other.composite_of:
        weigh("composite", "page", "the other page stitches together parts of this page and of other pages")
    if edge.names_other:
        weigh("publisher_named", "other", f"the shared text names the other page's publisher ({other.names()[0]})")
    if edge.named_by_other:
        weigh("publisher_named", "page", f"the shared text names this page's publisher ({page.names()[0]})")

    order = _date_order(page, other)
    if order:
        first, second = (page, other) if order < 0 else (other, page)
        weigh(
            "earlier",
            "page" if order < 0 else "other",
            f"published {first.published_at:%Y-%m-%d %H:%M} before {second.published_at:%Y-%m-%d %H:%M}",
        )
    elif (page.published_at is None) != (other.published_at is None):
        weigh("dated", "page" if page.published_at else "other", "only one of the two has a publication date")
    if page.origin != other.origin:
        weigh(
            "verified",
            "page" if page.origin == "fetched" else "other",
            "only one of the two was fetched by the service",
        )
    if abs(page.farm_share - other.farm_share) >= 0.5:
        weigh(
            "farm_site",
            "page" if page.farm_share < other.farm_share else "other",
            "the other site republishes most of what it posts",
        )
    if page.first_seen != other.first_seen:
        weigh("first_seen", "page" if page.first_seen < other.first_seen else "other", "seen first by the service")

    margin = sum(e.weight for e in evidence if e.favours == "other") - sum(
        e.weight for e in evidence if e.favours == "page"
    )
    margin = _unverified_cannot_displace(page, other, margin, evidence)
    if all(e.kind in WEAK_EVIDENCE for e in evidence) and abs(margin) < sum(WEIGHTS[k] for k in WEAK_EVIDENCE):
        # Arrival order and a site's record disagree and nothing else speaks: accuse neither.
        return PairJudgement("undecided", margin, evidence)
    relation = "copied" if margin > 0 else "copied_by"
    return PairJudgement(relation, margin, evidence)


def _unverified_cannot_displace(page: PageFacts, other: PageFacts, margin: float, evidence: list[Evidence]) -> float:
    """A page a client supplied never displaces a page the service fetched as the original.

    Anything in client-supplied HTML can be forged (dates, credits, the URL it claims); only a fetch of
    its own URL confirms it (the fetched copy then replaces the client's, with origin "fetched").
    So when the weighed evidence would make the client's page the original, the fetched page stays
    the original, and the evidence says so and by how much the client's claims were outweighed."""
    if page.origin == other.origin or "fetched" not in (page.origin, other.origin):
        return margin
    client_is_page = page.origin != "fetched"
    client_wins = margin <= 0 if client_is_page else margin > 0
    if not client_wins:
        return margin
    client = page if client_is_page else other
    weight = round(abs(margin) + 0.5, 2)
    evidence.append(
        Evidence(
            "unverified",
            "other" if client_is_page else "page",
            weight,
            f"{client.url} was supplied by a client and not confirmed by fetching it; its claims "
            "(dates, credits) cannot make it the original of a page the service fetched",
        )
    )
    return margin + weight if client_is_page else margin - weight


# --- the page's verdict ---------------------------------------------------------------------------


@dataclass(slots=True)
class SourceFinding:
    facts: PageFacts
    edge: Edge
    judgement: PairJudgement
    other_is_copy: bool  # the source is itself judged a copy of something else


def _primary_among_alternates(findings: list[SourceFinding]) -> list[SourceFinding]:
    """Of one publisher's alternates (AMP, print), keep the primary version first."""

    def rank(f: SourceFinding) -> tuple:
        canonical_elsewhere = bool(f.facts.canonical and f.facts.canonical != f.facts.url)
        return (is_alternate_url(f.facts.url), canonical_elsewhere, f.facts.first_seen)

    by_site: dict[str, list[SourceFinding]] = {}
    for finding in findings:
        by_site.setdefault(registrable_domain(finding.facts.site), []).append(finding)
    ordered: list[SourceFinding] = []
    for group in by_site.values():
        ordered.extend(sorted(group, key=rank))
    return ordered


def rank_sources(findings: list[SourceFinding]) -> list[SourceFinding]:
    """Best source first: true originals before copies, then by how much of the page they cover."""
    primaries = _primary_among_alternates(findings)
    seen_sites: dict[str, int] = {}
    ranked = []
    for f in primaries:
        site = registrable_domain(f.facts.site)
        seen_sites[site] = seen_sites.get(site, 0) + 1
        ranked.append((f, seen_sites[site] > 1))
    ranked.sort(
        key=lambda item: (
            item[1],
            item[0].other_is_copy,
            -round(item[0].edge.containment, 1),
            -item[0].judgement.margin,
            item[0].facts.first_seen,
        )
    )
    return [f for f, _ in ranked]


def republication_score(findings: list[SourceFinding]) -> float:
    """Confidence in 0..1 that the page is a republication, from its strongest source.

    It grows with the weight of evidence on the direction (a date alone: ~0.45; a date and a
    source link: ~0.85) and with how much of the page the source covers, so a moderator's
    queue puts whole, well-evidenced copies before partial or doubtful ones."""
    if not findings:
        return 0.0
    best = 0.0
    for finding in findings:
        direction = 1.0 - math.exp(-max(0.0, finding.judgement.margin) / 4.0)
        coverage = min(1.0, max(finding.edge.containment, finding.edge.jaccard) / 0.8)
        best = max(best, direction * (0.5 + 0.5 * coverage))
    return round(best, 3)
