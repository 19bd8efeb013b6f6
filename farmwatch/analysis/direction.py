"""Which of two pages sharing a story is the copy: a calibrated model of direction (pure, no I/O).

Each piece of evidence is a signed, antisymmetric feature x(page, other) = -x(other, page): positive
favours "page copied other". P(page copied other) = sigmoid(w . x), with no intercept, so no evidence
gives 0.5 ("undecided") and judge_pair(a, b) and judge_pair(b, a) give complementary probabilities.
The weights w, the undecided band and how they were fitted are data, in direction_model.json
(written by bench/fit_direction.py); nothing here is a weight.

Not direction evidence: whether a page looks stitched together from several others ("composite").
An original that several copies each took a different part of looks exactly like that from its side.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from farmwatch.analysis.facts import PageFacts, links_to
from farmwatch.analysis.matching import Edge, text_names
from farmwatch.analysis.urls import normalize_url, registrable_domain, url_domain

MODEL_PATH = Path(__file__).with_name("direction_model.json")
_ALTERNATE_URL = re.compile(r"(?:[/.?&=_-]amp(?:[/.?&=_-]|$)|[?&](?:print|output)=|/print/|[?&]outputType=amp)", re.I)

# The features, in the model's order. Each is signed: + favours "page copied other" (other is the original).
FEATURES = (
    "canonical",  # a canonical link to the other page (+ when page names other)
    "source_link",  # a link to the other page given as the source
    "link",  # a link to the other page from the text (not given as the source)
    "site_link",  # links to other pages of the other page's site (kept from the original), none to it
    "credit",  # a credit line naming the other page's publisher
    "publisher_named",  # the shared text names the other page's publisher
    "dated",  # only one of the two has a publication date (+ when only other has)
    "earlier",  # published at least 30 minutes (or a calendar day) before the other (+ when other is)
    "earlier_log_hours",  # the same, signed, times log1p(hours between them): days and years weigh more
    "verified",  # only one was fetched by the service (+ when other was)
    "first_seen",  # seen by the service first (+ when other was)
    "farm_share",  # page's site's share of republished pages minus other's
    "containment_asymmetry",  # share of page's text found in other minus share of other's found in page
)
# Features folded into one piece of evidence when the judgement is explained.
_EVIDENCE_KIND = {"earlier_log_hours": "earlier", "farm_share": "farm_site"}


@dataclass(slots=True)
class Evidence:
    kind: str
    favours: str  # "page" (this page is the original) or "other"
    weight: float  # its contribution to the log-odds, in favour of `favours` (>= 0)
    detail: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "favours": self.favours, "weight": self.weight, "detail": self.detail}


@dataclass(slots=True)
class PairJudgement:
    relation: str  # "copied" (page copied other), "copied_by" (other copied page), "alternate", "undecided"
    margin: float  # log-odds that page copied other (positive: other is the original)
    evidence: list[Evidence]
    probability: float = 0.5  # P(page copied other)


@dataclass(frozen=True, slots=True)
class DirectionModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    undecided_band: float  # |log-odds| below this: neither page is accused
    unverified_margin: float  # log-odds by which a fetched page stays the original of a client's page
    meta: dict

    def weight(self, feature: str) -> float:
        return self.weights[self.features.index(feature)]


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> DirectionModel:
    """The fitted model, read once (bench/fit_direction.py writes it)."""
    data = json.loads(Path(path or MODEL_PATH).read_text(encoding="utf-8"))
    names = tuple(data["features"])
    missing = set(FEATURES) - set(names)
    if missing:
        raise ValueError(f"direction model {path or MODEL_PATH} has no weight for {sorted(missing)}")
    weights = tuple(float(data["weights"][n]) for n in FEATURES)
    return DirectionModel(
        features=FEATURES,
        weights=weights,
        undecided_band=float(data["undecided_band"]),
        unverified_margin=float(data["unverified_margin"]),
        meta={k: v for k, v in data.items() if k not in ("features", "weights")},
    )


def as_known_republisher(judgement: PairJudgement, model: DirectionModel | None = None) -> PairJudgement:
    """The pair judged again knowing that the page is a republication of other text (another source,
    judged with confidence, for a different part of the page): a page that copies is likelier to have
    copied this part too, so the prior moves by the model's `republisher_prior` (the weight of a date a
    day earlier: a page's copied or forged date no longer outweighs its being a copy). It never applies
    to a page with no confident source, so it can never make an original a copy."""
    model = model or load_model()
    prior = float((model.meta.get("republisher_prior") or {}).get("weight", 0.0))
    if not prior or judgement.relation == "alternate":
        return judgement
    margin = judgement.margin + prior
    evidence = [
        *judgement.evidence,
        Evidence("republisher", "other", round(prior, 3), "this page republishes another page's text elsewhere"),
    ]
    relation = "undecided" if abs(margin) < model.undecided_band else ("copied" if margin > 0 else "copied_by")
    return PairJudgement(relation, round(margin, 4), evidence, round(sigmoid(margin), 4))


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def is_alternate_url(url: str) -> bool:
    return bool(_ALTERNATE_URL.search(url))


def _site_links(page: PageFacts, other: PageFacts) -> int:
    """How many of page's text links go to other's site (a copy keeps the original's internal links)."""
    site = registrable_domain(other.site)
    return sum(1 for link in page.links if url_domain(link) == site)


def _credits_name(page: PageFacts, other: PageFacts) -> str | None:
    if not page.credits:  # most pages credit no one: other's names need not be made
        return None
    names = other.names()
    # A wire credit the other page carries too ("LOS ANGELES (Reuters) -" on Reuters' own story) came with
    # the copied text: it is the source's own dateline, not the copier's credit.
    carried = {c.get("name", "").lower() for c in other.credits if c.get("kind") == "wire"}
    for credit in page.credits:
        wire = credit.get("name", "").lower() if credit.get("kind") == "wire" else None
        if wire is not None and (wire in carried or not any(n.lower() == wire for n in names)):
            continue
        text = f"{credit.get('name', '')} {credit.get('text', '')} {credit.get('url') or ''}"
        if text_names(text, names) or (credit.get("url") and normalize_url(credit["url"]) in other.urls()):
            return credit.get("text") or credit.get("name")
        if credit.get("url") and url_domain(credit["url"]) == registrable_domain(other.site):
            return credit.get("text") or credit.get("name")
    return None


def _date_gap(page: PageFacts, other: PageFacts) -> tuple[int, float]:
    """(order, hours): order 1 when other was published first, -1 when page was, 0 when unknown or too close.

    Dates known only to the day are compared by day (a day apart = 24 hours); times closer than
    30 minutes are the same moment (a copy posted within minutes, clocks and time zones)."""
    if page.published_at is None or other.published_at is None:
        return 0, 0.0
    a, b = page.published_at, other.published_at
    if page.date_only or other.date_only:
        days = (a.date() - b.date()).days
        return (0 if days == 0 else (1 if days > 0 else -1)), abs(days) * 24.0
    hours = (a - b).total_seconds() / 3600.0
    if abs(hours) < 0.5:
        return 0, 0.0
    return (1 if hours > 0 else -1), abs(hours)


def features(page: PageFacts, other: PageFacts, edge: Edge) -> tuple[dict[str, float], dict[str, str]]:
    """The signed features of a pair of pages on different sites, and a human detail for each that fired."""
    x = dict.fromkeys(FEATURES, 0.0)
    detail: dict[str, str] = {}

    def note(feature: str, value: float, text: str) -> None:
        x[feature] += value
        detail[feature] = f"{detail[feature]}; {text}" if feature in detail else text

    for subject, target, sign in ((page, other, 1.0), (other, page, -1.0)):
        canonical, source, linked = links_to(subject, target)
        who = "this page" if subject is page else "the other page"
        if canonical:
            note("canonical", sign, f"{who} names {target.url} as canonical")
        if source:
            note("source_link", sign, f"{who} links {target.url} as its source")
        elif linked:
            note("link", sign, f"{who} links {target.url}")
        else:
            site_links = _site_links(subject, target)
            if site_links:
                note("site_link", sign, f"{who} links {site_links} page(s) of {target.site} from its text")
        credit = _credits_name(subject, target)
        if credit:
            note("credit", sign, f"{who} credits it: {credit[:120]}")
    if edge.names_other:
        note("publisher_named", 1.0, f"the shared text names the other page's publisher ({other.names()[0]})")
    if edge.named_by_other:
        note("publisher_named", -1.0, f"the shared text names this page's publisher ({page.names()[0]})")

    order, hours = _date_gap(page, other)
    if order:
        first, second = (other, page) if order > 0 else (page, other)
        text = f"published {first.published_at:%Y-%m-%d %H:%M} before {second.published_at:%Y-%m-%d %H:%M}"
        gap = f"{hours / 24:.0f} days" if hours >= 48 else f"{hours:.1f} hours"
        note("earlier", float(order), f"{text} ({gap} earlier)")
        x["earlier_log_hours"] = order * math.log1p(hours)
    elif (page.published_at is None) != (other.published_at is None):
        note("dated", 1.0 if other.published_at else -1.0, "only one of the two has a publication date")
    if page.origin != other.origin and "fetched" in (page.origin, other.origin):
        note("verified", 1.0 if other.origin == "fetched" else -1.0, "only one of the two was fetched by the service")
    if page.first_seen != other.first_seen:
        note("first_seen", 1.0 if other.first_seen < page.first_seen else -1.0, "seen first by the service")
    share = page.farm_share - other.farm_share
    if share:
        farmier = page if share > 0 else other
        note(
            "farm_share",
            share,
            f"{farmier.site} republishes {farmier.farm_share:.0%} of its other pages "
            f"({(other if farmier is page else page).site}: {min(page.farm_share, other.farm_share):.0%})",
        )
    asym = edge.containment - edge.other_containment
    if abs(asym) >= 0.005:
        longer = "the other page" if asym > 0 else "this page"
        note(
            "containment_asymmetry",
            asym,
            f"{edge.containment:.0%} of this page's text is in the other page, {edge.other_containment:.0%} "
            f"of the other's in this one: {longer} holds the shared text and more",
        )
    return x, detail


def judge_pair(page: PageFacts, other: PageFacts, edge: Edge) -> PairJudgement:
    """P(page copied other), from the evidence weighed by the fitted model; the relation it implies."""
    if registrable_domain(page.site) == registrable_domain(other.site):
        detail = "same publisher"
        if (page.amphtml and page.amphtml in other.urls()) or (other.amphtml and other.amphtml in page.urls()):
            detail += " (amphtml link)"
        elif page.canonical in other.urls() or other.canonical in page.urls():
            detail += " (canonical link)"
        return PairJudgement("alternate", 0.0, [Evidence("same_site", "page", 0.0, detail)], 0.5)

    model = load_model()
    x, details = features(page, other, edge)
    contributions: dict[str, list] = {}  # evidence kind -> [log-odds, sign of its first feature, detail]
    for name, w in zip(model.features, model.weights, strict=True):
        if x[name]:
            kind = _EVIDENCE_KIND.get(name, name)
            entry = contributions.setdefault(kind, [0.0, x[name], details.get(name, "")])
            entry[0] += w * x[name]
    evidence = []
    for kind, (value, sign, detail) in contributions.items():
        # A feature that fired with no weight is still reported (weight 0), on the side it points to.
        favours = "other" if (value or sign) > 0 else "page"
        evidence.append(Evidence(kind, favours, round(abs(value), 3), detail))
    margin = sum(value for value, _, _ in contributions.values())
    margin = _unverified_cannot_displace(page, other, margin, evidence, model)
    probability = sigmoid(margin)
    # Inside the band (no evidence, or too little) neither page is accused.
    relation = "undecided" if abs(margin) < model.undecided_band else ("copied" if margin > 0 else "copied_by")
    return PairJudgement(relation, round(margin, 4), evidence, round(probability, 4))


def _unverified_cannot_displace(
    page: PageFacts, other: PageFacts, margin: float, evidence: list[Evidence], model: DirectionModel
) -> float:
    """A page a client supplied never displaces a page the service fetched as the original.

    Anything in client-supplied HTML can be forged (dates, credits, the URL it claims); only a fetch of
    its own URL confirms it (the fetched copy then replaces the client's, with origin "fetched").
    So when the weighed evidence would make the client's page the original (or leave it open), the
    fetched page stays the original, by the model's unverified_margin, and the evidence says so and by
    how much the client's claims were outweighed."""
    if page.origin == other.origin or "fetched" not in (page.origin, other.origin):
        return margin
    client_is_page = page.origin != "fetched"
    target = model.unverified_margin if client_is_page else -model.unverified_margin
    if (client_is_page and margin >= target) or (not client_is_page and margin <= target):
        return margin
    client = page if client_is_page else other
    evidence.append(
        Evidence(
            "unverified",
            "other" if client_is_page else "page",
            round(abs(target - margin), 3),
            f"{client.url} was supplied by a client and not confirmed by fetching it; its claims "
            "(dates, credits) cannot make it the original of a page the service fetched",
        )
    )
    return target
