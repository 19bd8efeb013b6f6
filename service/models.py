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
    """A page to analyse and index: its URL, and its HTML unless the service should fetch it."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "url": "https://farm.example/border-talks-resume/",
                    "html": "<html><head><title>Border talks resume</title></head><body><article><p>Talks "
                    "between the two governments resumed on Tuesday…</p></article></body></html>",
                }
            ]
        }
    }

    url: WebUrl = Field(..., description="The page's URL (http or https).")
    html: str | None = Field(None, description="The page's HTML. Without it the service fetches the URL itself.")
    published_at: str | None = Field(
        None,
        description="Publication time the client knows, ISO-8601; used only when the page's own metadata has none.",
    )


JobState = Literal["queued", "running", "done", "failed"]


class JobAccepted(BaseModel):
    """A fetch job queued: poll `status_url` (or register a webhook for `job.finished`)."""

    model_config = {
        "json_schema_extra": {"examples": [{"job_id": "9f1c2b…", "status_url": "/v1/jobs/9f1c2b…", "status": "queued"}]}
    }

    job_id: str = Field(description="The job's id.")
    status_url: str = Field(description="Where to poll the job: GET it.")
    status: JobState = Field("queued", description="The job's state when answered.")


class JobStatus(BaseModel):
    """A fetch job: its URL, state, attempts, and where the report is once done."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "job_id": "9f1c2b…",
                    "url": "https://example.com/a",
                    "status": "done",
                    "error": None,
                    "attempts": 1,
                    "page_url": "/v1/pages?url=https%3A%2F%2Fexample.com%2Fa",
                }
            ]
        }
    }

    job_id: str = Field(description="The job's id.")
    url: str | None = Field(description="The URL to fetch.")
    status: JobState = Field(description="queued, running, done or failed (for good).")
    error: str | None = Field(None, description="Why the last attempt failed (`kind: message`).")
    attempts: int = Field(0, description="Attempts made so far.")
    page_url: str | None = Field(None, description="Where the report is: GET /v1/pages?url=…")


class PageDeleted(BaseModel):
    """What a deletion did."""

    url: str = Field(description="The page's URL.")
    deleted: bool = Field(description="Whether a page was removed.")
    rejudged: int = Field(description="How many pages matched with it were judged again.")


class ErrorBody(BaseModel):
    """A stable machine code and a human message."""

    code: str = Field(description="A stable machine string (unknown_page, rate_limited…).", examples=["unknown_page"])
    message: str = Field(description="What went wrong, for a human.", examples=["no report for https://…"])


class ErrorResponse(BaseModel):
    """Every error the API answers with."""

    error: ErrorBody = Field(description="The error.")


class CursorPage(BaseModel):
    """The one pagination convention of every list: `items`, and `next_cursor` to pass back as `cursor`."""

    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null when this is the last.", examples=[None]
    )
