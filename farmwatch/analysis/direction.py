"""Which of two pages sharing a story is the copy: evidence weighed per pair (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import timedelta

from farmwatch.analysis.facts import PageFacts
from farmwatch.analysis.matching import Edge, text_names
from farmwatch.analysis.urls import host_of, normalize_url, registrable_domain

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
