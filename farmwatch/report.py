"""The report: what farmwatch says about a page and a site, as one set of types.

Built by the judge (farmwatch/analysis/judge.py) and the ingest path, stored as JSON, and served by the
HTTP API as they are (service/models.py imports them; the OpenAPI schema is generated from them).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Span(BaseModel):
    """One aligned passage: character offsets into this page's and the source's main_text."""

    start: int
    end: int
    source_start: int
    source_end: int
    similarity: float = Field(description="How alike the two passages are, 0..1 (1: the same words).")
    quoted: bool = Field(False, description="The shared text is a quotation on both pages (weak evidence).")


class Credit(BaseModel):
    name: str
    text: str
    kind: str
    url: str | None = None


class EvidenceItem(BaseModel):
    kind: str
    favours: Literal["page", "other"]
    weight: float
    detail: str


class Source(BaseModel):
    url: str
    site: str
    similarity: float = Field(description="Resemblance (Jaccard) of the two main texts' shingles.")
    containment: float = Field(description="Share of this page's main text found in the source.")
    source_containment: float = Field(description="Share of the source's main text found in this page.")
    published_at: str | None
    origin: Literal["client", "fetched"] | None = Field(
        None, description="fetched: the service fetched the source itself; client: supplied by a client, unverified."
    )
    credited: bool = Field(description="This page credits or links this source.")
    coverage: float = Field(0.0, description="Share of this page's main text aligned to the source (characters).")
    source_coverage: float = Field(0.0, description="Share of the source's main text aligned to this page.")
    reuse: Literal["wholly", "partially"] | None = Field(
        None, description="How much of the page derives from the source, graded as journalists do."
    )
    spans: list[Span] = Field(default_factory=list, description="The aligned passages, in this page's order.")
    passages: list[int] = Field(description="Indexes of this page's paragraphs found in the source.")
    probability: float = Field(0.5, description="Probability that this page copied the source (not the reverse).")
    margin: float = Field(description="Log-odds that this page is the copy rather than the source.")
    evidence: list[EvidenceItem]


class Alternate(BaseModel):
    url: str
    similarity: float
    evidence: list[EvidenceItem]


class Copy(BaseModel):
    url: str
    site: str
    similarity: float
    containment: float


class Undecided(BaseModel):
    url: str
    site: str
    similarity: float
    containment: float = Field(description="Share of this page's main text found in the other page.")
    evidence: list[EvidenceItem]


class Provenance(BaseModel):
    verdict: Literal["original", "republished"]
    score: float = Field(description="Confidence 0..1 that the page is republished.")
    sources: list[Source]
    credits: list[Credit]
    source_links: list[str]
    canonical: str | None
    attributed: bool | None = Field(
        description="Whether the page credits a source it was copied from; null for originals."
    )
    alternates: list[Alternate] = Field(description="The same publisher's other versions of this page (AMP, print).")
    copies: list[Copy] = Field(description="Pages judged to have copied this page.")
    undecided: list[Undecided] = Field(
        default_factory=list,
        description="Pages sharing this page's text where the evidence does not say which came first.",
    )
    evidence: list[str]


class BoilerplateBlock(BaseModel):
    kind: str
    text: str


class Boilerplate(BaseModel):
    score: float = Field(description="Share of the page's visible text that is boilerplate.")
    blocks: list[BoilerplateBlock]


class PageReport(BaseModel):
    url: str
    site: str
    title: str | None
    site_name: str | None = None
    author: str | None = None
    language: str | None = None
    published_at: str | None
    published_from: str | None = None
    first_seen: float
    origin: Literal["client", "fetched"]
    canonical: str | None = None
    amphtml: str | None = None
    main_text: str
    paragraphs: list[str]
    credits: list[Credit]
    source_links: list[str]
    boilerplate: Boilerplate
    provenance: Provenance | None
    warnings: list[str] = []


class TopSource(BaseModel):
    site: str
    pages: int


class SiteReport(BaseModel):
    site: str
    pages_seen: int
    pages_sampled: int
    share_republished: float
    share_credited: float | None
    mean_boilerplate: float
    distinct_sources: int
    top_sources: list[TopSource]
    farm_score: float
    reasons: list[str]
