# A copy of farmwatch/report.py, the report's types as the API serves them: run clients/python/sync_models.py
# after changing it (tests/test_client.py checks the copy has not drifted).
"""The report: what farmwatch says about a page and a site, as one set of types.

Built by the judge (farmwatch/analysis/judge.py) and the ingest path, stored as JSON, and served by the
HTTP API as they are (service/models.py imports them; the OpenAPI schema is generated from them, so every
model and field here carries a description and an example: they are what generated clients document).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The closed vocabularies of the report (OpenAPI enums). tests/test_openapi.py checks them against the code
# that produces them (BlockKind, the credit patterns, the direction model's features).
Verdict = Literal["original", "republished"]
Origin = Literal["client", "fetched"]
CreditKind = Literal[
    "wire",  # a news agency named in the text ("Reuters contributed to this report")
    "source_link",  # "Source link", "Read the original" with a link
    "source_named",  # "Source: The Gazette", named but not linked
    "originally_published",  # "Originally published at …", "This article first appeared in …"
    "appeared_first",  # "The post … appeared first on …"
    "republished",  # "Republished with permission from …"
    "via",  # "via …"
    "courtesy",  # "Courtesy of …"
]
EvidenceKind = Literal[
    "canonical",
    "source_link",
    "link",
    "site_link",
    "credit",
    "publisher_named",
    "dated",
    "earlier",
    "verified",
    "first_seen",
    "farm_site",
    "containment_asymmetry",
    "same_site",
    "unverified",
    "republisher",
]
BlockKindName = Literal[
    "main",
    "title",
    "navigation",
    "header",
    "footer",
    "author_bio",
    "byline",
    "comments",
    "share",
    "related",
    "ads",
    "newsletter",
    "source_credit",
    "caption",
    "legal",
    "site_template",
    "other",
]

_ORIGINAL = "https://www.example-news.com/world/border-talks-resume"
_COPY = "https://farm.example/border-talks-resume/"


def _example(value: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class Span(BaseModel):
    """One aligned passage: character offsets into this page's and the source's main_text."""

    model_config = _example(
        {"start": 0, "end": 412, "source_start": 118, "source_end": 530, "similarity": 0.97, "quoted": False}
    )

    start: int = Field(description="Offset of the passage's first character in this page's main_text.")
    end: int = Field(description="Offset just past the passage's last character in this page's main_text.")
    source_start: int = Field(description="Offset of the passage's first character in the source's main_text.")
    source_end: int = Field(description="Offset just past the passage's last character in the source's main_text.")
    similarity: float = Field(description="How alike the two passages are, 0..1 (1: the same words).")
    quoted: bool = Field(False, description="The shared text is a quotation on both pages (weak evidence).")


class Credit(BaseModel):
    """A credit line found on the page: who it names as the source of its text, and how."""

    model_config = _example(
        {"name": "example-news.com", "text": "Source link", "kind": "source_link", "url": _ORIGINAL}
    )

    name: str = Field(description="The publisher or agency credited (a site name when only a link names it).")
    text: str = Field(description="The credit line as it appears on the page.")
    kind: CreditKind = Field(description="What sort of credit line it is.")
    url: str | None = Field(None, description="The link the credit line carries, if any.")


class EvidenceItem(BaseModel):
    """One signal weighed in deciding which of two pages copied the other."""

    model_config = _example(
        {
            "kind": "source_link",
            "favours": "other",
            "weight": 5.0,
            "detail": f"this page links {_ORIGINAL} as its source",
        }
    )

    kind: EvidenceKind = Field(description="The signal (a link, a credit line, dates, which page was fetched…).")
    favours: Literal["page", "other"] = Field(
        description="page: the signal says this page is the original; other: that the other page is."
    )
    weight: float = Field(description="Its contribution to the log-odds, in favour of `favours` (>= 0).")
    detail: str = Field(description="The signal in words, for a human reader.")


class Source(BaseModel):
    """A page this page's text was found in, judged to be where it came from."""

    model_config = _example(
        {
            "url": _ORIGINAL,
            "site": "example-news.com",
            "similarity": 0.98,
            "containment": 1.0,
            "source_containment": 0.98,
            "published_at": "2024-02-14T14:41:00+00:00",
            "origin": "fetched",
            "credited": True,
            "coverage": 0.99,
            "source_coverage": 0.97,
            "reuse": "wholly",
            "reuse_probability": 0.998,
            "spans": [Span.model_config["json_schema_extra"]["examples"][0]],
            "passages": [0, 1, 2],
            "probability": 0.99,
            "margin": 9.0,
            "evidence": [EvidenceItem.model_config["json_schema_extra"]["examples"][0]],
        }
    )

    url: str = Field(description="The source page's URL.")
    site: str = Field(description="The source page's site (host without www).")
    similarity: float = Field(description="Resemblance (Jaccard) of the two main texts' shingles.")
    containment: float = Field(description="Share of this page's main text found in the source.")
    source_containment: float = Field(description="Share of the source's main text found in this page.")
    published_at: str | None = Field(description="The source's publication time, ISO-8601, when known.")
    origin: Origin | None = Field(
        None, description="fetched: the service fetched the source itself; client: supplied by a client, unverified."
    )
    credited: bool = Field(description="This page credits or links this source.")
    coverage: float = Field(0.0, description="Share of this page's main text aligned to the source (characters).")
    source_coverage: float = Field(0.0, description="Share of the source's main text aligned to this page.")
    reuse: Literal["wholly", "partially"] | None = Field(
        None, description="How much of the page derives from the source, graded as journalists do."
    )
    reuse_probability: float | None = Field(
        None,
        description=(
            "Probability, from the alignment alone, that this page's text derives from the source's (the reuse "
            "model, fitted with held-out folds): how sure the text evidence is, who came first aside. The page's "
            "`provenance.score` weighs it with `probability`. Null for a source matched before it was kept."
        ),
    )
    spans: list[Span] = Field(default_factory=list, description="The aligned passages, in this page's order.")
    passages: list[int] = Field(description="Indexes of this page's paragraphs found in the source.")
    graded_with: list[str] = Field(
        default_factory=list,
        description=(
            "The source's publisher's other pages that this page was graded against together with it (an agency's "
            "takes or updates of one story, published before this page): `reuse` and `coverage` are for them "
            "taken as one source, which none of them is alone; `spans` are this one's."
        ),
    )
    probability: float = Field(0.5, description="Probability that this page copied the source (not the reverse).")
    margin: float = Field(description="Log-odds that this page is the copy rather than the source.")
    evidence: list[EvidenceItem] = Field(description="Every signal weighed in deciding who copied whom.")


class Alternate(BaseModel):
    """The same publisher's other version of this page (AMP, print): never counted as republication."""

    model_config = _example(
        {
            "url": "https://www.example-news.com/amp/world/border-talks-resume",
            "similarity": 1.0,
            "evidence": [{"kind": "same_site", "favours": "page", "weight": 0.0, "detail": "same publisher"}],
        }
    )

    url: str = Field(description="The alternate version's URL.")
    similarity: float = Field(description="Resemblance (Jaccard) of the two main texts' shingles.")
    evidence: list[EvidenceItem] = Field(description="Why it is taken for the same publisher's version.")


class Copy(BaseModel):
    """A page judged to have copied this one."""

    model_config = _example({"url": _COPY, "site": "farm.example", "similarity": 0.98, "containment": 0.98})

    url: str = Field(description="The copy's URL.")
    site: str = Field(description="The copy's site.")
    similarity: float = Field(description="Resemblance (Jaccard) of the two main texts' shingles.")
    containment: float = Field(description="Share of this page's main text found in the copy.")


class Undecided(BaseModel):
    """A page sharing this page's text where the evidence does not say which came first."""

    model_config = _example(
        {"url": _COPY, "site": "farm.example", "similarity": 0.6, "containment": 0.7, "evidence": []}
    )

    url: str = Field(description="The other page's URL.")
    site: str = Field(description="The other page's site.")
    similarity: float = Field(description="Resemblance (Jaccard) of the two main texts' shingles.")
    containment: float = Field(description="Share of this page's main text found in the other page.")
    evidence: list[EvidenceItem] = Field(description="The signals weighed, which did not decide.")


class Provenance(BaseModel):
    """Where the page's text comes from: the verdict, its sources ranked best first, credits and evidence."""

    model_config = _example(
        {
            "verdict": "republished",
            "score": 0.99,
            "sources": [Source.model_config["json_schema_extra"]["examples"][0]],
            "credits": [Credit.model_config["json_schema_extra"]["examples"][0]],
            "source_links": [_ORIGINAL],
            "canonical": _COPY,
            "attributed": True,
            "alternates": [],
            "copies": [],
            "undecided": [],
            "evidence": ["published 2024-02-14T16:05:12+00:00", f"source link: {_ORIGINAL}"],
        }
    )

    verdict: Verdict = Field(description="original, or republished from the first source.")
    score: float = Field(description="Confidence 0..1 that the page is republished.")
    sources: list[Source] = Field(description="Pages the text was found in, most likely source first.")
    credits: list[Credit] = Field(description="The page's credit lines.")
    source_links: list[str] = Field(description="Links the page gives as its source.")
    canonical: str | None = Field(description="The page's declared canonical URL.")
    attributed: bool | None = Field(
        description="Whether the page credits a source it was copied from; null for originals."
    )
    alternates: list[Alternate] = Field(description="The same publisher's other versions of this page (AMP, print).")
    copies: list[Copy] = Field(description="Pages judged to have copied this page.")
    undecided: list[Undecided] = Field(
        default_factory=list,
        description="Pages sharing this page's text where the evidence does not say which came first.",
    )
    evidence: list[str] = Field(description="The verdict's reasons, in words.")


class BoilerplateBlock(BaseModel):
    """A block of the page's visible text that is template, not article."""

    model_config = _example({"kind": "comments", "text": "Leave a Reply"})

    kind: BlockKindName = Field(description="What sort of template block it is.")
    text: str = Field(description="The block's text.")


class Boilerplate(BaseModel):
    """The page's template: how much of its visible text it is, and which blocks."""

    model_config = _example(
        {"score": 0.24, "blocks": [BoilerplateBlock.model_config["json_schema_extra"]["examples"][0]]}
    )

    score: float = Field(description="Share of the page's visible text that is boilerplate.")
    blocks: list[BoilerplateBlock] = Field(description="The boilerplate blocks, in document order.")


class PageReport(BaseModel):
    """Everything farmwatch says about one page: its metadata, main text, provenance and boilerplate."""

    model_config = _example(
        {
            "url": _COPY,
            "site": "farm.example",
            "title": "Border talks resume",
            "site_name": "Farm News",
            "author": None,
            "language": "en",
            "published_at": "2024-02-14T16:05:12+00:00",
            "published_from": "meta article:published_time",
            "first_seen": 1764032000.0,
            "origin": "client",
            "canonical": _COPY,
            "amphtml": None,
            "main_text": "Talks between the two governments resumed on Tuesday…",
            "paragraphs": ["Talks between the two governments resumed on Tuesday…"],
            "credits": [Credit.model_config["json_schema_extra"]["examples"][0]],
            "source_links": [_ORIGINAL],
            "boilerplate": Boilerplate.model_config["json_schema_extra"]["examples"][0],
            "provenance": Provenance.model_config["json_schema_extra"]["examples"][0],
            "warnings": [],
        }
    )

    url: str = Field(description="The page's URL, normalised (the key it is stored under).")
    site: str = Field(description="The page's site (host without www).")
    title: str | None = Field(description="The page's headline.")
    site_name: str | None = Field(None, description="The publisher's name as the page declares it.")
    author: str | None = Field(None, description="The author the page names.")
    language: str | None = Field(None, description="The page's declared language (BCP 47).")
    published_at: str | None = Field(description="Publication time, ISO-8601, when known.")
    published_from: str | None = Field(
        None,
        description="Where the publication time was read (a meta tag, JSON-LD, the URL, the client, the byline, "
        "htmldate's guess…).",
    )
    first_seen: float = Field(description="When the service first saw the page (Unix time).")
    origin: Origin = Field(description="fetched: the service fetched the page itself; client: a client supplied it.")
    canonical: str | None = Field(None, description="The page's declared canonical URL.")
    amphtml: str | None = Field(None, description="The page's declared AMP version.")
    main_text: str = Field(description="The page's main text (paragraphs joined by newlines).")
    paragraphs: list[str] = Field(description="The main text's paragraphs; `passages` and spans index these.")
    credits: list[Credit] = Field(description="The page's credit lines.")
    source_links: list[str] = Field(description="Links the page gives as its source.")
    boilerplate: Boilerplate = Field(description="The page's template blocks.")
    provenance: Provenance | None = Field(description="Where the text comes from; null until judged.")
    warnings: list[str] = Field([], description="What limited the analysis (too little text to match…).")


class TopSource(BaseModel):
    """A site another site copies from, with how many pages."""

    model_config = _example({"site": "example-news.com", "pages": 42})

    site: str = Field(description="The source site.")
    pages: int = Field(description="Pages republished from it.")


class SiteReport(BaseModel):
    """A site's aggregate: how much it republishes and credits, and how farm-like it is, with reasons."""

    model_config = _example(
        {
            "site": "farm.example",
            "pages_seen": 120,
            "pages_sampled": 120,
            "share_republished": 0.93,
            "share_credited": 0.1,
            "mean_boilerplate": 0.41,
            "distinct_sources": 17,
            "top_sources": [TopSource.model_config["json_schema_extra"]["examples"][0]],
            "farm_score": 0.91,
            "reasons": ["93% of its pages are republished", "10% of them credit their source"],
        }
    )

    site: str = Field(description="The site (host without www).")
    pages_seen: int = Field(description="Pages of the site stored.")
    pages_sampled: int = Field(description="Pages the shares below were computed on.")
    share_republished: float = Field(description="Share of its pages judged republished.")
    share_credited: float | None = Field(description="Share of its republished pages that credit a source.")
    mean_boilerplate: float = Field(description="Mean share of boilerplate on its pages.")
    distinct_sources: int = Field(description="How many sites it republishes from.")
    top_sources: list[TopSource] = Field(description="The sites it copies most.")
    farm_score: float = Field(description="How farm-like the site is, 0..1.")
    reasons: list[str] = Field(description="The farm score's reasons, in words.")
