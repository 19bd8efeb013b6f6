"""Request and response models of the public API."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field


def _http_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be an absolute http:// or https:// URL")
    return value


# An absolute http(s) URL, as every submission takes one.
WebUrl = Annotated[str, Field(max_length=4096), AfterValidator(_http_url)]


class PageSubmission(BaseModel):
    url: WebUrl = Field(..., description="The page's URL (http or https).")
    html: str | None = Field(None, description="The page's HTML. Without it the service fetches the URL itself.")
    published_at: str | None = Field(
        None,
        description="Publication time the client knows, ISO-8601; used only when the page's own metadata has none.",
    )


class JobAccepted(BaseModel):
    job_id: str
    status_url: str
    status: Literal["queued", "running", "done", "failed"] = "queued"


class JobStatus(BaseModel):
    job_id: str
    url: str | None
    status: Literal["queued", "running", "done", "failed"]
    error: str | None = None
    attempts: int = 0
    page_url: str | None = Field(None, description="Where the report is: GET /v1/pages?url=…")


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
    passages: list[int] = Field(description="Indexes of this page's paragraphs found in the source.")
    margin: float = Field(
        description="Weight of evidence that this page is the copy (positive) rather than the source."
    )
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


class PageDeleted(BaseModel):
    url: str
    deleted: bool
    rejudged: int = Field(description="How many pages matched with it were judged again.")


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
