"""Request and response models of the public API."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field

# The report's types live with the code that builds them; the API serves them as they are.
from farmwatch.report import (  # noqa: F401
    Alternate,
    Boilerplate,
    BoilerplateBlock,
    Copy,
    Credit,
    EvidenceItem,
    PageReport,
    Provenance,
    SiteReport,
    Source,
    Span,
    TopSource,
    Undecided,
)


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


class PageDeleted(BaseModel):
    url: str
    deleted: bool
    rejudged: int = Field(description="How many pages matched with it were judged again.")


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
