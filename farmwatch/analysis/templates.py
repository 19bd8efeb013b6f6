"""Site templates: text that recurs across many pages of one site is that site's boilerplate.

An extractor sees one page at a time; a farm's bio, its "Source link" line or
its newsletter box look like article text on a single page but repeat on
every page of the site. Given how often each block's text was already seen on
the site, blocks seen on enough of its other pages are relabelled SITE_TEMPLATE.
"""

from __future__ import annotations

import re
from functools import lru_cache

import xxhash

from farmwatch.analysis.blocks import Block, BlockKind

_DIGITS = re.compile(r"\d+")
# One digit, not a run: sre scans for a lone category character ~2.5 times faster than it tries \d+ at every
# position, so a text without digits (most) is told apart before the substitution is tried.
_DIGIT = re.compile(r"\d")
_ASCII_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)


# Kept per text: ingest asks for each main block's key twice (template_candidates, then apply_site_template),
# and a site's template blocks recur on page after page.
@lru_cache(maxsize=8192)
def block_key(text: str) -> int:
    """A key for a block's text that ignores spacing, case and numbers (dates, counts): its words joined by
    single spaces, in lower case, each run of decimal digits one "0"."""
    # The extractor's block texts are spaced so already: splitting and joining them again (a string per
    # word) cost more than all the rest. Every space str.split() knows but " " is unprintable, so a
    # printable text without doubled or outer spaces is its own words joined by single spaces.
    if not (text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "):
        text = " ".join(text.split())
    if text.isascii():
        # ASCII digits are the only ones here (\d's), so a run of them is a run of "0" once each is "0":
        # joined without a regular expression (which tests every character of the text).
        raw = text.lower().encode().translate(_ASCII_DIGITS_AS_ZERO)
        while b"00" in raw:
            raw = raw.replace(b"00", b"0")
        return xxhash.xxh3_64_intdigest(raw)
    lower = text.lower()
    if _DIGIT.search(lower) is not None:
        lower = _DIGITS.sub("0", lower)
    return xxhash.xxh3_64_intdigest(lower.encode())


def template_candidates(blocks: list[Block]) -> list[int]:
    """Keys of the blocks worth counting: text the extractor kept as main text."""
    return list(dict.fromkeys(block_key(b.text) for b in blocks if b.kind is BlockKind.MAIN and len(b.text) >= 20))


def apply_site_template(
    blocks: list[Block], seen_on: dict[int, int], site_pages: int, min_pages: int = 3, min_share: float = 0.3
) -> int:
    """Relabel main blocks that already appeared on enough of the site's pages; returns how many.

    A block counts as template when it was seen on at least min_pages other pages
    and on at least min_share of the pages seen from the site."""
    if site_pages < min_pages:
        return 0
    changed = 0
    for block in blocks:
        if block.kind is not BlockKind.MAIN:
            continue
        count = seen_on.get(block_key(block.text), 0)
        if count >= min_pages and count >= min_share * site_pages:
            block.kind = BlockKind.SITE_TEMPLATE
            changed += 1
    return changed
