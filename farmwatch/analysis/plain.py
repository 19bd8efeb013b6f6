"""Plain text through the same pipeline as a page: paragraphs → blocks → credits → fingerprint.

`analyze_html` refuses input without markup (a text is not a page), so a text checked with `POST /v1/check`
`{"text"}` or `farmwatch compare a.txt b.txt` comes here: each paragraph (lines separated by a blank line)
is one main-text block, credit lines in it are found as on a page, and the shingles, MinHash and reuse keys
are computed by the same `fingerprint`. A text has no metadata: no title, date or canonical link.
"""

from __future__ import annotations

import re

from farmwatch.analysis.blocks import Block, BlockKind
from farmwatch.analysis.decode import InputError
from farmwatch.analysis.metadata import PageMetadata, parse_datetime
from farmwatch.analysis.page import PageAnalysis, analysis_of
from farmwatch.analysis.urls import normalize_url
from farmwatch.config import FingerprintSettings

# A placeholder URL for texts submitted without one (its site matches no stored page's).
TEXT_URL = "http://text.invalid/"
MAX_TEXT_CHARS = 2_000_000
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs separated by blank lines; a text with no blank line but several lines: one per line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = _PARAGRAPH_BREAK.split(text)
    if len(chunks) == 1:
        chunks = text.split("\n")
    return [p for p in (_SPACE.sub(" ", chunk).strip() for chunk in chunks) if p]


def analyze_text(
    text: str,
    url: str | None = None,
    *,
    published_hint: str | None = None,
    settings: FingerprintSettings | None = None,
) -> PageAnalysis:
    """Analyse a plain text as a page whose main text it is. Raises InputError for an empty or binary text."""
    settings = settings or FingerprintSettings()
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"text longer than {MAX_TEXT_CHARS} characters")
    if "\x00" in text:
        raise InputError("text contains NUL bytes: binary, not text")
    paragraphs = paragraphs_of(text)
    if not paragraphs:
        raise InputError("the text is empty")
    normalized = normalize_url(url or TEXT_URL)
    blocks = [Block(text=p, kind=BlockKind.MAIN, tag="p") for p in paragraphs]
    analysis = analysis_of(normalized, PageMetadata(), blocks, settings)
    if published_hint:
        analysis.published_at, analysis.published_date_only = parse_datetime(published_hint)
        analysis.published_from = "client" if analysis.published_at else None
    if len(analysis.shingles) < settings.min_shingles:
        analysis.warnings.append("too little main text to match against other pages")
    return analysis
