"""Labelling: each raw block's kind from its hint, its place (in the article container or
not) and its wording, then the context rules inside the container.

Python only: a compiled copy of label_blocks was a tenth faster, about 1.5% of
extract_blocks' time, since most of its cost is phrases.phrase_kind's regular expressions,
which both had to call.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.extract.phrases import phrase_kind
from farmwatch.analysis.extract.thresholds import (
    CELLS,
    DECLARED_TITLE_MIN,
    HEADINGS,
    LINK_DENSE,
    LIST_TAGS,
    OUTER_LINK_SHARE,
    OUTER_PROSE,
    REGION_KINDS,
    SHORT_LINK_LIST,
    TITLE_FROM,
    TRIM_HEAD,
    TRIM_TAIL,
)
from farmwatch.analysis.extract.walk import Page


def label_blocks(
    page: Page, hinted_by: list[int], active: list[bool], lengths: list[int], in_main: list[bool],
    title_lo: int, title_hi: int, declared: str,
) -> list[BlockKind]:  # fmt: skip
    """Each block's kind from its hint, its place (in the article or not) and its wording;
    the headline is the first h1 in or near the article that isn't boilerplate, or a heading
    that repeats the page's declared title.

    One loop with the rules written inline: it runs for every block of every page, and
    helper calls per block cost a tenth of its time.
    """
    raw, hints, bp, parent = page.blocks, page.hint, page.bp, page.parent
    main, related, navigation, other = BlockKind.MAIN, BlockKind.RELATED, BlockKind.NAVIGATION, BlockKind.OTHER
    title_done = False
    kinds: list[BlockKind] = []
    append = kinds.append
    for (owner, text, lc, _links, tag), h, n in zip(raw, hinted_by, lengths, strict=True):
        kind: BlockKind
        if h >= 0:
            # Under an active hint: the outermost region kind above it ("author-name" inside
            # an author box is part of the bio), else the hint itself.
            kind = hints[h]
            up = parent[h]
            while up >= 0:
                outer = bp[up]
                if outer < 0:
                    break
                if active[outer] and hints[outer] in REGION_KINDS:
                    kind = hints[outer]
                up = parent[outer]
        else:
            found = phrase_kind(text)
            if found is not None:
                kind = found
            elif in_main[owner]:
                # In the article: a short link list is related links or navigation, except
                # in a table, whose links are data.
                if lc > LINK_DENSE * n and n - lc < SHORT_LINK_LIST and tag not in CELLS:
                    kind = related if tag in LIST_TAGS else navigation
                else:
                    kind = main
            elif lc > LINK_DENSE * n:
                kind = navigation
            elif OUTER_PROSE and n - lc >= OUTER_PROSE and lc < OUTER_LINK_SHARE * n:
                kind = main  # long unhinted prose outside the container is text too
            else:
                kind = other
        if (
            not title_done
            and tag in HEADINGS
            and (
                (tag == "h1" and h < 0 and title_lo <= owner <= title_hi and kind in TITLE_FROM)
                or (declared and n >= DECLARED_TITLE_MIN and lc < n and text.casefold() in declared)
            )
        ):
            kind = BlockKind.TITLE
            title_done = True
        append(kind)
    return kinds


def trim_sections(raw: list, kinds: list[BlockKind], prose: list[int], in_main: list[bool]) -> None:
    """Context rules inside the article container.

    A heading whose section holds only boilerplate ("Related articles" over a link list)
    belongs to that boilerplate; short lines after the article's last prose block are
    calls to action, labels and widgets, not text, and so are short non-heading lines
    before its first one.
    """
    main_idx = [i for i in range(len(raw)) if in_main[raw[i][0]]]
    if not main_idx:
        return
    # Headings: look ahead to the next heading or the end of the container.
    for pos, i in enumerate(main_idx):
        if kinds[i] is not BlockKind.MAIN or (raw[i][4] not in HEADINGS and prose[i]):
            continue
        following = None
        for q in range(pos + 1, len(main_idx)):
            j = main_idx[q]
            if raw[j][4] in HEADINGS:
                break
            if kinds[j] is BlockKind.MAIN or kinds[j] is BlockKind.TITLE:
                following = None
                break
            if following is None:
                following = kinds[j]
        if following is not None:
            kinds[i] = following
    if TRIM_TAIL:
        last_prose = max((i for i in main_idx if kinds[i] is BlockKind.MAIN and prose[i]), default=-1)
        for i in main_idx:
            if i > last_prose and kinds[i] is BlockKind.MAIN:
                kinds[i] = BlockKind.OTHER
    if TRIM_HEAD:
        first_prose = min((i for i in main_idx if kinds[i] is BlockKind.MAIN and prose[i]), default=-1)
        for i in main_idx:
            if i >= first_prose:
                break
            if kinds[i] is BlockKind.MAIN and raw[i][4] not in HEADINGS:
                kinds[i] = BlockKind.OTHER


def declared_titles(tree: LexborHTMLParser) -> str:
    """The page's own idea of its title (og:title, <title>), case-folded, for matching headings."""
    og_title = title = None
    head = tree.head
    # The head's own children first: a walk over a few nodes, where a CSS query scans the page.
    for node in head.iter() if head is not None else ():
        tag = node.tag
        if tag == "meta" and og_title is None and node.attributes.get("property") == "og:title":
            og_title = node.attributes.get("content") or ""
        elif tag == "title" and title is None:
            title = node.text()
    if og_title is None and (head is None or title is None):  # misplaced in the body (broken pages)
        og = tree.css_first('meta[property="og:title"]')
        if og is not None:
            og_title = og.attributes.get("content") or ""
    if title is None:
        found = tree.css_first("title")
        if found is not None:
            title = found.text()
    parts = [p for p in (og_title, title) if p is not None]
    return " | ".join(" ".join(p.split()) for p in parts if p).casefold()
