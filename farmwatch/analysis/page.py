"""One page through the analysis pipeline: decode → parse → blocks → metadata →
credits → fingerprint. Pure: no network, no storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.blocks import Block, BlockKind
from farmwatch.analysis.credits import Credit, find_credits
from farmwatch.analysis.decode import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_TEXT_CHARS,
    InputError,
    check_markup,
    decode_for_parser,
)
from farmwatch.analysis.extract import extract_blocks
from farmwatch.analysis.fingerprint import minhash_values, prepared_shingle_hashes
from farmwatch.analysis.metadata import (
    PageMetadata,
    byline_date,
    date_from_url,
    extract_metadata,
    find_date_fallback,
    parse_datetime,
)
from farmwatch.analysis.text import PreparedText, candidate_keys, prepare
from farmwatch.analysis.urls import host_of, normalize_url
from farmwatch.config import FingerprintSettings


@dataclass(slots=True)
class PageAnalysis:
    url: str
    site: str
    metadata: PageMetadata
    blocks: list[Block]
    credits: list[Credit]
    source_links: list[str]
    shingles: np.ndarray  # sorted unique 64-bit shingle hashes of the main text
    signature: np.ndarray  # MinHash hash values (uint32)
    prepared: PreparedText | None = None  # sentences and content words, for reuse keys and alignment
    reuse_keys: np.ndarray | None = None  # index keys that survive editing (text.candidate_keys)
    published_at: datetime | None = None
    published_date_only: bool = False
    published_from: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def main_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.kind is BlockKind.MAIN]

    @property
    def main_text(self) -> str:
        return "\n".join(b.text for b in self.main_blocks)

    @property
    def boilerplate_blocks(self) -> list[Block]:
        return self.main_and_boilerplate()[1]

    @property
    def boilerplate_share(self) -> float:
        """Share of the page's visible text (in characters) that is boilerplate."""
        return self.main_and_boilerplate()[2]

    def main_and_boilerplate(self) -> tuple[list[str], list[Block], float]:
        """The main blocks' texts, the boilerplate blocks (neither main text nor the headline) and the
        boilerplate's share of the page's visible characters, in one pass over the blocks (a stored report
        takes all three)."""
        paragraphs: list[str] = []
        boilerplate: list[Block] = []
        chars = boilerplate_chars = 0
        for block in self.blocks:
            kind, text = block.kind, block.text
            chars += len(text)
            if kind is BlockKind.MAIN:
                paragraphs.append(text)
            elif kind is not BlockKind.TITLE:
                boilerplate.append(block)
                boilerplate_chars += len(text)
        return paragraphs, boilerplate, boilerplate_chars / chars if chars else 0.0


def analyze_html(
    body: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    published_hint: str | None = None,
    settings: FingerprintSettings | None = None,
) -> PageAnalysis:
    """Analyse one page. Raises InputError for input that is not an HTML page."""
    settings = settings or FingerprintSettings()
    html, markup = decode_for_parser(body, content_type)
    if "<" not in html[:65536]:
        raise InputError("page has no HTML markup")
    # Bounded before parsing: nesting past MAX_DEPTH is flattened, too many elements or too much text refused.
    # A page with fewer "<" than MAX_ELEMENTS cannot nest deeper than that, and the parser and extractor take
    # well under the analysis bound at that depth (0.5 s measured at 19,000), so the pass over its tags
    # (about as costly as the extraction itself) is kept for the pages that could exceed it.
    flattened = 0
    if len(html) > MAX_TEXT_CHARS or html.count("<") > MAX_ELEMENTS:
        checked, shape = check_markup(html)
        flattened = shape.flattened
        if flattened:
            html = markup = checked
    tree = LexborHTMLParser(markup)
    normalized = normalize_url(url)
    metadata = extract_metadata(tree, normalized)
    blocks = extract_blocks(tree, normalized)
    # <title> often carries the site's name ("Headline – Site"); the page's own headline is cleaner.
    headline = next((b.text for b in blocks if b.kind is BlockKind.TITLE), None)
    if headline and metadata.title and headline != metadata.title and headline in metadata.title:
        metadata.title = headline
    analysis = analysis_of(normalized, metadata, blocks, settings)
    published, date_only, source = metadata.published_at, metadata.published_date_only, metadata.published_from
    if published is None:
        published, date_only, source = date_from_url(normalized), True, "url"
    # A date the client gives (a feed's pubDate, an archive's record) before the dates read from the visible
    # text: its byline's, then htmldate's guess, which can be a "last edited" date later than the page's copies
    # (an original then looks copied).
    if published is None and published_hint:
        published, date_only = parse_datetime(published_hint)
        source = "client" if published else None
    if published is None:
        published, date_only = byline_date(blocks)
        source = "byline" if published else None
    if published is None:
        published, date_only = find_date_fallback(html, normalized)
        source = "htmldate" if published else None
    analysis.published_at, analysis.published_date_only, analysis.published_from = published, date_only, source
    if flattened:
        analysis.warnings.append(f"markup nested deeper than {MAX_DEPTH} elements was flattened")
    if len(analysis.shingles) < settings.min_shingles:
        analysis.warnings.append("too little main text to match against other pages")
    return analysis


def analysis_of(url: str, metadata: PageMetadata, blocks: list[Block], settings: FingerprintSettings) -> PageAnalysis:
    """A page's analysis from its normalised URL, metadata and labelled blocks: credits found, text fingerprinted."""
    credits, source_links = find_credits(blocks, url)
    analysis = PageAnalysis(
        url=url,
        site=host_of(url),
        metadata=metadata,
        blocks=blocks,
        credits=credits,
        source_links=source_links,
        shingles=np.empty(0, dtype=np.uint64),
        signature=np.empty(0, dtype=np.uint32),
    )
    fingerprint(analysis, settings)
    return analysis


def fingerprint(analysis: PageAnalysis, settings: FingerprintSettings) -> None:
    """(Re)compute the shingles and MinHash of the page's main text, after any relabelling."""
    # The text is tokenised once: the shingles are read from the prepared tokens (the same words, hashed alike).
    analysis.prepared = prepare(analysis.main_text)
    analysis.shingles = prepared_shingle_hashes(analysis.prepared, settings.shingle_words)
    analysis.signature = minhash_values(analysis.shingles, settings)
    analysis.reuse_keys = candidate_keys(analysis.prepared)
