"""The walk: one pass over the parsed tree that turns its visible text into raw blocks.

The tree (lexbor, read-only) becomes an element table in preorder (parent, tag, hint, path,
subtree end, nearest boilerplate hint) and blocks in document order, each remembering the
element that owns it. The walk is the extractor's main cost, so lexbor does what it can: a
block holding only inline content ("leaf") is read with one text() call, and a small
link-heavy region that names itself (menu, share bar, related list) becomes one block
without visiting its nodes.

flatten_py is the reference; the compiled module (_walk.pyx) does the same walk over
lexbor's C structs, with its own copies of hints.hint_for and element_name (tested against
these), and is used when it reads the probe page identically (see compiled.py).
Nothing recurses, so deeply nested pages don't hit the recursion limit.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.extract.hints import HIDDEN, MAIN_HINT, NEUTRAL, TAG_HINTS, hint_for, is_hidden
from farmwatch.analysis.extract.thresholds import (
    COLLAPSE_SHARE,
    HIDDEN_KEYS,
    INLINE,
    LEAF_OK,
    LEAFY,
    LINK_DENSE,
    MAX_PATH,
    NOT_COLLAPSIBLE,
    REGION_KINDS,
    SKIP,
    SMALL_REGION,
)

_EMPTY: tuple[()] = ()
_NO_DIGITS = str.maketrans("", "", "0123456789")
_HAS_DIGIT = re.compile(r"\d")


class Page:
    """The flattened page: an element table (preorder) and raw blocks."""

    __slots__ = ("blocks", "bp", "end", "hint", "parent", "paths", "tag")

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.tag: list[str] = []
        self.hint: list[BlockKind | str | None] = []
        self.paths: list[str] = []  # "…/tag#id.classes/tag.classes", cut to MAX_PATH
        self.end: list[int] = []  # last descendant index (preorder interval)
        self.bp: list[int] = []  # nearest ancestor-or-self with a boilerplate hint, -1 if none
        # raw blocks: (owner element, text, link chars, hrefs, block tag)
        self.blocks: list[tuple[int, str, int, list[str], str]] = []


def element_name(tag: str, ident: str | None, classes: str | None) -> str:
    """ "tag#id.class1.class2.class3" for paths. Digits vary between pages of one template
    (post-48213), so they're dropped; only the first classes are read, since CMSs append
    long lists of per-post ones."""
    name = tag
    if ident:
        name += "#" + ident.strip()
    if classes:
        name += "." + ".".join(classes.split(None, 3)[:3])
    if _HAS_DIGIT.search(name) is None:
        return name
    return name.translate(_NO_DIGITS)


def flatten_py(root: LexborNode) -> Page:
    """Walk the tree once: register block-level elements, gather their text into blocks.

    The walk keeps a stack of child iterators (no recursion: pages nest thousands deep)
    and does as little as possible per node, since it visits every node of the page.
    """
    page = Page()
    parent_l, tag_l, hint_l, paths_l, end_l, bp_l = page.parent, page.tag, page.hint, page.paths, page.end, page.bp
    blocks = page.blocks
    parts: list[str] = []
    link_chars = 0
    links: list[str] = []
    open_links: list[str] = []  # hrefs of the <a> elements we're inside
    owner = -1  # innermost open block-level element
    broken = False  # the last thing in the current block is a <br> (whitespace after it aside)
    in_article = 0  # depth of open main containers, for <header> inside an article
    skip, inline, hidden_check, tag_hints, leaf_ok, leafy = SKIP, INLINE, is_hidden, TAG_HINTS, LEAF_OK, LEAFY
    hidden_keys = HIDDEN_KEYS
    collapsible = REGION_KINDS if COLLAPSE_SHARE else ()
    collapse_limit = COLLAPSE_SHARE * len(root.text(deep=True)) if COLLAPSE_SHARE else 0

    def flush() -> None:
        nonlocal link_chars, links
        joined = "".join(parts)
        parts.clear()
        text = "" if joined.isspace() else " ".join(joined.split())
        if text:
            if link_chars and not links and open_links:
                links = [open_links[-1]]
            blocks.append((owner, text, min(link_chars, len(text)), links, tag_l[owner] if owner >= 0 else ""))
            links = []
        link_chars = 0

    # One frame per open element: its child iterator and what leaving it means
    # (block index or -1 for a link, the owner to restore, whether it's a main container).
    iters = [root.iter(include_text=True)]
    frames: list[tuple[int, int, bool]] = [(-2, -1, False)]
    idx = len(parent_l)
    parent_l.append(-1)
    tag_l.append(root.tag or "")
    hint_l.append(None)
    paths_l.append(root.tag or "")
    end_l.append(0)
    bp_l.append(-1)
    owner = 0
    frames[0] = (0, -1, False)
    while iters:
        for node in iters[-1]:
            tag = node.tag
            if tag == "-text":
                text = node.text_content
                # Whitespace before a block's first word is layout, not text.
                if text and (parts or not text.isspace()):
                    parts.append(text)
                    if open_links:
                        link_chars += len(text.strip())
                    if broken and not text.isspace():
                        broken = False
                continue
            if tag in skip or tag is None or tag[0] == "-":
                continue
            if tag == "br" or tag == "hr":
                # Two line breaks in a row end a paragraph (blog bodies written as text and <br><br>):
                # each paragraph is a block of its own, so a note above or below the text stands alone.
                if broken and tag == "br":
                    flush()
                    broken = False
                else:
                    parts.append(" ")
                    broken = tag == "br"
                continue
            broken = False
            attrs = node.attributes
            if tag in inline:
                if attrs and not hidden_keys.isdisjoint(attrs) and hidden_check(attrs):
                    continue
                if tag == "a" and ("href" in attrs or "name" not in attrs):
                    # Links matter for link density and source links: track them. (A named
                    # anchor <a name=…> is no link; old pages leave it open around whole articles.)
                    href = attrs.get("href") or ""
                    open_links.append(href)
                    if href:
                        links.append(href)
                    iters.append(node.iter(include_text=True))
                    frames.append((-1, owner, False))
                    break
                iters.append(node.iter(include_text=True))
                frames.append((-3, owner, False))
                break
            hint = hint_for(tag, attrs) if attrs else tag_hints.get(tag)
            if hint is HIDDEN:
                continue
            if hint is NEUTRAL:
                hint = None  # the article's own header: no hint, and no <header> default either
            elif tag == "header" and hint is None and not in_article:
                hint = BlockKind.HEADER
            elif hint is BlockKind.HEADER and in_article:
                hint = None  # an article's own header holds its title
            if parts:
                flush()
            elif links:
                links = []
            idx = len(parent_l)
            parent_l.append(owner)
            tag_l.append(tag)
            hint_l.append(hint)
            # The element's path, built here since its parent's is known (the table is in preorder).
            path = paths_l[owner] + "/" + (element_name(tag, attrs.get("id"), attrs.get("class")) if attrs else tag)
            if len(path) > MAX_PATH:  # keep the innermost part of very deep chains
                path = path[path.find("/", len(path) - MAX_PATH) + 1 :]
            paths_l.append(path)
            end_l.append(idx)
            is_article = hint is MAIN_HINT
            if hint is None:
                bp_l.append(bp_l[owner])
            elif is_article:
                bp_l.append(bp_l[owner])
                in_article += 1
            else:
                bp_l.append(idx)
            if hint in collapsible and collapse_limit and tag not in leafy and not open_links:
                # A whole region that names itself (menu, share bar, related links…), mostly
                # links and small next to the page: one block, read in a few calls instead of
                # walking every node. Prose-heavy regions get the full walk, since the
                # layout-wrapper rules may yet decide they hold the article.
                region_text = node.text(deep=True, separator=" ")
                if len(region_text) < collapse_limit and node.css_first(NOT_COLLAPSIBLE) is None:
                    text = " ".join(region_text.split())
                    hrefs = []
                    lc = 0
                    for anchor in node.css("a"):
                        anchor_attrs = anchor.attributes
                        href = anchor_attrs.get("href")
                        if href:
                            hrefs.append(href)
                        if href is not None or "name" not in anchor_attrs:
                            lc += len(" ".join(anchor.text(deep=True, separator=" ").split()))
                    if lc >= LINK_DENSE * len(text) or len(text) < SMALL_REGION:
                        if text:
                            blocks.append((idx, text, min(lc, len(text)), hrefs, tag))
                        continue
            # A leaf (only inline content, nothing hidden): take its text in one call.
            anchors = None
            leaf = tag in leafy
            descendants = node.traverse() if leaf else iter(_EMPTY)
            next(descendants, None)  # the node itself
            for inner in descendants:
                inner_tag = inner.tag
                if inner_tag not in leaf_ok:
                    leaf = False
                    break
                inner_attrs = inner.attributes
                if inner_attrs:
                    if not hidden_keys.isdisjoint(inner_attrs) and hidden_check(inner_attrs):
                        leaf = False
                        break
                    if inner_tag == "a":
                        if anchors is None:
                            anchors = [inner]
                        else:
                            anchors.append(inner)
            if leaf:
                if is_article:
                    in_article -= 1
                text = " ".join(node.text(deep=True).split())
                if text:
                    if open_links:
                        # The whole block sits inside a link (a teaser card).
                        blocks.append((idx, text, len(text), [open_links[-1]] if open_links[-1] else [], tag))
                    elif anchors is None:
                        blocks.append((idx, text, 0, [], tag))
                    else:
                        hrefs = []
                        lc = 0
                        for anchor in anchors:
                            anchor_attrs = anchor.attributes
                            href = anchor_attrs.get("href")
                            if href:
                                hrefs.append(href)
                            if href is not None or "name" not in anchor_attrs:
                                lc += len(anchor.text(deep=True).strip())
                        if not hrefs and open_links:
                            hrefs = [open_links[-1]]
                        blocks.append((idx, text, min(lc, len(text)), hrefs, tag))
                continue
            frames.append((idx, owner, is_article))
            owner = idx
            iters.append(node.iter(include_text=True))
            break
        else:
            # The innermost element is done.
            iters.pop()
            code, previous, is_article = frames.pop()
            if code >= 0:
                if parts:
                    flush()
                elif links:
                    links = []
                end_l[code] = len(parent_l) - 1
                owner = previous
                if is_article:
                    in_article -= 1
            elif code == -1:
                open_links.pop()
    return page
