"""Choosing the article container: per block whether it reads as prose, per element how
much prose and how much wrongly-included text it holds, and the best container.

score_py is the reference; the compiled module's score() runs the same loops over C arrays
(about a tenth of extract_blocks' time in Python, a quarter of that compiled).
"""

from __future__ import annotations

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.extract.hints import MAIN_HINT
from farmwatch.analysis.extract.thresholds import (
    BOILERPLATE_WEIGHT,
    DECLARED_BODY_SHARE,
    DECLARED_BODY_WRAPPER,
    FILTERED_WEIGHT,
    HEADINGS,
    LINK_DENSE,
    MIN_PROSE_BLOCK,
    SENTENCE_END,
    WRAPPER_SHARE,
)
from farmwatch.analysis.extract.walk import Page

COMMENTS = BlockKind.COMMENTS

Scores = tuple[list[int], list[int], list[bool], list[int], list[float], list[float], int]


def score_py(page: Page) -> Scores:
    """Per block: length, prose chars, effective hint; per element: whether its hint counts,
    prose and wrongly-included text (good, bad); and the article container (best).
    The compiled module's score() computes the same, from the same thresholds."""
    parent, hints, bp = page.parent, page.hint, page.bp
    raw = page.blocks
    n_el = len(parent)

    # Per block: length, link density, and whether it reads as prose.
    lengths = [len(b[1]) for b in raw]
    prose = [0] * len(raw)
    for i, (_owner, text, lc, _links, tag) in enumerate(raw):
        n = lengths[i]
        if lc <= LINK_DENSE * n and (n >= MIN_PROSE_BLOCK or SENTENCE_END.search(text)) and tag not in HEADINGS:
            prose[i] = n - lc

    # Raw prose per element (ignoring hints) to spot layout wrappers with misleading classes; and the
    # same outside the comment sections inside it (own_prose: see the declared bodies below).
    raw_prose = [0] * n_el
    for i, b in enumerate(raw):
        raw_prose[b[0]] += prose[i]
    own_prose = raw_prose.copy()
    for idx in range(n_el - 1, 0, -1):
        p = parent[idx]
        if p >= 0:
            raw_prose[p] += raw_prose[idx]
            if hints[idx] is not COMMENTS:
                own_prose[p] += own_prose[idx]
    total_prose = raw_prose[0] if n_el else 0
    active = [h is not None and h is not MAIN_HINT for h in hints]
    if total_prose:
        limit = WRAPPER_SHARE * total_prose
        for idx in range(n_el):
            if active[idx] and raw_prose[idx] >= limit:
                active[idx] = False

    # A hint on an element whose prose is mostly one declared article body ("date-outer"
    # around a blog post, "commentary" around an opinion piece) names its style, not its role.
    # "Its prose" leaves out the comments under the post (the post's appendix, however long,
    # never the article). A declared body counts when it holds DECLARED_BODY_SHARE of the page's
    # prose, or most of a declared body around it that does (a short post in a blog's "hfeed",
    # where teasers and comments hold more prose than the post itself).
    declared = [False] * n_el
    around = [-1] * n_el  # the nearest declared body above each element (preorder: parents come first)
    for idx in range(n_el):
        up = parent[idx]
        if up >= 0:
            around[idx] = up if declared[up] else around[up]
        if hints[idx] is not MAIN_HINT:
            continue
        declared[idx] = raw_prose[idx] >= DECLARED_BODY_SHARE * total_prose or (
            around[idx] >= 0 and raw_prose[idx] >= DECLARED_BODY_WRAPPER * own_prose[around[idx]]
        )
    for idx in range(n_el):
        if declared[idx]:
            up = parent[idx]
            while up >= 0:
                outer = bp[up]
                if outer < 0:
                    break
                if active[outer] and raw_prose[idx] >= DECLARED_BODY_WRAPPER * own_prose[outer]:
                    active[outer] = False
                up = parent[outer]

    def effective_hint(idx: int) -> int:
        h = bp[idx]
        while h >= 0 and not active[h]:
            p = parent[h]
            h = bp[p] if p >= 0 else -1
        return h

    hinted_by = [effective_hint(b[0]) for b in raw]

    # Prose and boilerplate per element.
    # "bad" weighs what a container would wrongly bring in: short unhinted text that would
    # pass as main text costs fully, boilerplate that the block-level filters drop anyway
    # (hinted or link-dense) costs little.
    good = [0.0] * n_el
    bad = [0.0] * n_el
    for i, b in enumerate(raw):
        owner = b[0]
        if hinted_by[i] >= 0 or b[2] > LINK_DENSE * lengths[i]:
            bad[owner] += FILTERED_WEIGHT * lengths[i]
        elif prose[i]:
            good[owner] += prose[i]
        else:
            bad[owner] += lengths[i]
    for idx in range(n_el - 1, 0, -1):
        p = parent[idx]
        if p >= 0:
            good[p] += good[idx]
            bad[p] += bad[idx]

    best, best_score = 0, float("-inf")
    for idx in range(n_el):
        g = good[idx]
        if g <= 0:
            continue
        score = g - BOILERPLATE_WEIGHT * bad[idx]
        if score > best_score or (score == best_score and hints[idx] is MAIN_HINT):
            best, best_score = idx, score

    return lengths, prose, active, hinted_by, good, bad, best
