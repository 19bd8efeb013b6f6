"""Split an HTML page into text blocks and label each as main text or boilerplate.

The stages, one module each:

- walk: one pass over the parsed tree (lexbor, read-only) turns the visible text into
  blocks in document order, remembering for each block its element chain.
- hints: elements hint at what they hold through tag, class, id, role and itemprop.
- score: a hint on an element that holds most of the page's prose is a layout class and
  is ignored, and so is one around a declared article body ("date-outer" around a blog
  post). The article container is the element that maximises prose minus what it would
  wrongly bring in (short unhinted text fully, text the block filters drop anyway a
  little): big enough to hold all paragraphs, small enough to leave menus, sidebars and
  footers out. Siblings that continue the prose join it (here, in extract_blocks).
- label: blocks inside the container are main text unless a hint, their link density or
  their wording (phrases) says otherwise; a heading over only boilerplate and short lines
  before the first or after the last paragraph are boilerplate. Boxes inside the container
  (box_rules): a label line gives its kind to the rest of the box it heads, short lines in
  a box of boilerplate share its kind, excerpts in teaser cards after the article are
  teasers, and in a table layout the lines around the article's cell are masthead, menus
  and furniture. Blocks outside are boilerplate, each with the kind its context gives it,
  except long unhinted prose.
- thresholds: every number and table the stages decide by, read by the Python modules and
  the compiled ones alike.
- compiled: picks the compiled walk and scores (_walk.pyx) when built and in agreement.

The tree is never mutated, so the caller can read metadata from it before or after.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.blocks import Block, BlockKind
from farmwatch.analysis.extract import compiled
from farmwatch.analysis.extract.label import box_rules, declared_titles, label_blocks, trim_sections
from farmwatch.analysis.extract.phrases import phrase_kind
from farmwatch.analysis.extract.thresholds import (
    BOILERPLATE_WEIGHT,
    GALLERY_CAPTION,
    HEADLINE_LEVELS,
    SIBLING_SHARE,
)

__all__ = ["WALK", "extract_blocks", "main_text"]

WALK = compiled.WALK  # "compiled" or "python": which implementation of the hot stages runs
_DEBUG: list[str] | None = None  # set to a list to collect the container choice (development aid)


def extract_blocks(tree: LexborHTMLParser, url: str | None = None) -> list[Block]:
    """The page's text blocks in document order, each labelled main text or a boilerplate kind.

    `url` is accepted for context but not needed: the labels come from the page alone.
    The tree is read, never modified.
    """
    root = tree.body or tree.root
    if root is None:
        return []
    page = compiled.flatten(root)
    raw = page.blocks
    if not raw:
        return []
    parent, hints, end = page.parent, page.hint, page.end
    n_el = len(parent)
    lengths, prose, active, hinted_by, good, bad, best = compiled.score(page)

    if _DEBUG is not None:
        ranked = sorted(range(n_el), key=lambda i: -(good[i] - BOILERPLATE_WEIGHT * bad[i]))[:6]
        for i in ranked:
            _DEBUG.append(f"{i:4} good={good[i]:7.0f} bad={bad[i]:7.0f} {page.paths[i][-140:]}")
        _DEBUG.append(f"best={best}")

    # Main regions: the container plus siblings that continue its prose.
    regions = [(best, end[best])]
    bp_parent = parent[best]
    if bp_parent >= 0 and good[best] > 0:
        sib = bp_parent + 1
        stop = end[bp_parent]
        while sib <= stop:
            if sib != best and hints[sib] is None and good[sib] > bad[sib] and good[sib] >= SIBLING_SHARE * good[best]:
                regions.append((sib, end[sib]))
            sib = end[sib] + 1

    # The headline: the first h1 in or near the article (a few levels up) that isn't boilerplate.
    title_scope = best
    for _ in range(HEADLINE_LEVELS):
        if parent[title_scope] >= 0:
            title_scope = parent[title_scope]
    title_lo, title_hi = title_scope, end[title_scope]
    declared = declared_titles(tree)

    in_main = [False] * n_el
    for lo, hi in regions:
        in_main[lo : hi + 1] = [True] * (hi + 1 - lo)
    kinds = label_blocks(page, hinted_by, active, lengths, in_main, title_lo, title_hi, declared)

    # A gallery tells its story in captions: when they hold more prose than the article
    # container, the long ones are the text.
    caption_prose = (
        sum(prose[i] for i, kind in enumerate(kinds) if kind is BlockKind.CAPTION) if BlockKind.CAPTION in kinds else 0
    )
    if caption_prose > good[best]:
        for i, kind in enumerate(kinds):
            if kind is BlockKind.CAPTION and prose[i] >= GALLERY_CAPTION and phrase_kind(raw[i][1]) is None:
                kinds[i] = BlockKind.MAIN

    box_rules(page, kinds, hinted_by, prose, lengths, in_main)
    trim_sections(raw, kinds, prose, in_main)

    element_paths = page.paths
    # Block(text, kind, tag, path, link_density, links), positionally: a page makes hundreds.
    return [
        Block(text, kinds[i], tag, element_paths[owner], lc / lengths[i] if lengths[i] else 0.0, links)
        for i, (owner, text, lc, links, tag) in enumerate(raw)
    ]


def main_text(blocks: list[Block]) -> str:
    """The article's text: its MAIN blocks in document order, one per line.

    The headline (TITLE) is left out, as in the service's fingerprints
    (PageAnalysis.main_text): the body is what gets copied and compared.
    """
    return "\n".join(b.text for b in blocks if b.kind is BlockKind.MAIN)
