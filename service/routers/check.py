"""Check a text or a page against the index without storing anything (Copyscape's and Copyleaks' question).

Who may call it: `ingest` and `moderator` keys (and `admin`). Not `lookup` keys: a check runs the whole
analysis and matching, far more than the look-ups those keys are sized for.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, model_validator

from farmwatch.analysis.page import analyze_html
from farmwatch.analysis.plain import TEXT_URL, analyze_text
from farmwatch.checking import check
from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state
from service.models import ErrorResponse, PageReport, WebUrl

router = APIRouter(prefix="/v1", tags=["check"])
State = Annotated[AppState, Depends(get_state)]
Checker = Annotated[Principal, Depends(require("ingest", "moderator"))]


class CheckRequest(BaseModel):
    """A text or a page's HTML to check; `url` says where it is published (it is never its own source)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"text": "Talks between the two governments resumed on Tuesday after a month of clashes…"},
                {
                    "html": "<html><body><article><p>Talks between the two governments resumed…</p></article>"
                    "</body></html>",
                    "url": "https://farm.example/border-talks-resume/",
                },
            ]
        }
    }

    text: str | None = Field(None, max_length=2_000_000, description="Plain text; paragraphs separated by blank lines.")
    html: str | None = Field(None, description="A page's HTML: its main text is separated from its template first.")
    url: WebUrl | None = Field(
        None, description="Where the text or page is published, if anywhere (credits and links are read against it)."
    )
    published_at: str | None = Field(None, description="Publication time, ISO-8601, if the text has one.")

    @model_validator(mode="after")
    def _one_input(self) -> CheckRequest:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of `text` and `html`")
        return self


@router.post(
    "/check",
    response_model=PageReport,
    responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, **AUTH_ERRORS},
    summary="Check a text or page against the index, storing nothing",
)
def check_page(body: CheckRequest, state: State, _: Checker):
    """The report the text or page would get if it were submitted now: its sources with `similarity`,
    `coverage`, `spans` (character offsets into both main texts) and evidence, its credits and boilerplate.
    Nothing is stored: the index, the pages, the sites' statistics, the review queue and the job queue stay as
    they were. `first_seen` is the time of the check; `origin` is `client`."""
    settings = state.services.settings.fingerprint
    if body.text is not None:
        analysis = analyze_text(body.text, body.url, published_hint=body.published_at, settings=settings)
    else:
        analysis = analyze_html(
            body.html or "", body.url or TEXT_URL, published_hint=body.published_at, settings=settings
        )
    return check(state.services, analysis)
