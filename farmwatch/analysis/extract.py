"""Split an HTML page into text blocks and label each as main text or boilerplate.

One pass over the parsed tree (lexbor, read-only) turns the visible text into blocks in
document order, remembering for each block its element chain. The walk is the cost, so
lexbor does what it can: a block holding only inline content ("leaf") is read with one
text() call, and a small link-heavy region that names itself (menu, share bar, related
list) becomes one block without visiting its nodes. Then:

1. Elements hint at what they hold through tag, class, id, role and itemprop
   (extract_hints). A hint on an element that holds most of the page's prose is a
   layout class and is ignored, and so is one around a declared article body
   ("date-outer" around a blog post).
2. The article container is the element that maximises prose minus what it would
   wrongly bring in (short unhinted text fully, text the block filters drop anyway a
   little): big enough to hold all paragraphs, small enough to leave menus, sidebars and
   footers out. Siblings that continue the prose join it; long unhinted prose elsewhere
   counts as main text too.
3. Blocks inside the container are main text unless a hint, their link density or their
   wording (extract_phrases) says otherwise; a heading over only boilerplate and short
   lines before the first or after the last paragraph are boilerplate. Blocks outside
   are boilerplate, each with the kind its context gives it.

The tree is never mutated, so the caller can read metadata from it before or after.
Nothing recurses, so deeply nested pages don't hit the recursion limit.
"""

from __future__ import annotations

import re
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from farmwatch.analysis import extract_hints
from farmwatch.analysis.blocks import Block, BlockKind
from farmwatch.analysis.extract_hints import _TAG_HINTS, HIDDEN, MAIN_HINT, NEUTRAL, hint_for
from farmwatch.analysis.extract_phrases import phrase_kind

__all__ = ["extract_blocks", "main_text"]

# Subtrees that never hold visible text.
_SKIP = frozenset(
    {
        "script", "style", "template", "rt", "rp", "svg", "math", "iframe", "object", "embed", "canvas",
        "select", "option", "optgroup", "datalist", "textarea", "input", "button", "head", "title", "meta",
        "link", "base", "video", "audio", "source", "track", "map", "area", "img", "picture", "dialog",
    }
)  # fmt: skip
# Elements that don't start a new block: their text flows into the enclosing one.
_INLINE = frozenset(
    {
        "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i",
        "ins", "kbd", "label", "mark", "nobr", "q", "ruby", "s", "samp", "small", "span", "strike",
        "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
    }
)  # fmt: skip
# Elements a "leaf" block may hold: its text then comes from lexbor in one call.
_LEAF_OK = _INLINE | {"img", "picture", "source"}
_CELLS = frozenset({"td", "th", "dd", "dt"})  # a table's links are data (ingredients, products, docs)
# Tags that usually hold only inline content: worth trying the one-call leaf path.
_LEAFY = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dd", "dt", "figcaption", "caption", "pre",
     "address", "summary", "legend", "blockquote", "center", "label", "cite"}
)  # fmt: skip
_EMPTY: tuple[()] = ()
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN_CLASSES = frozenset(
    {
        "hidden", "hide", "d-none", "sr-only", "screen-reader-text", "screen-reader-only", "visually-hidden",
        "visuallyhidden", "invisible", "is-hidden", "u-hidden", "element-invisible", "offscreen", "sr-text",
    }
)  # fmt: skip
# Regions holding these can't be read in one call: their text needs the careful walk.
_NOT_COLLAPSIBLE = "script, style, noscript, template, svg, textarea, select, button, [hidden], [style]"
_HIDDEN_KEYS = frozenset({"hidden", "aria-hidden", "style", "class"})  # attributes that can hide an element
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NO_DIGITS = str.maketrans("", "", "0123456789")
_HAS_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"[.!?。！？…:;»\"”)]\s*$")

# Container choice: score = prose - BOILERPLATE_WEIGHT * (text the container would wrongly bring in).
BOILERPLATE_WEIGHT = 1.0
FILTERED_WEIGHT = 0.1  # boilerplate that block-level filters drop anyway costs a container little
MIN_PROSE_BLOCK = 25  # shorter blocks (without a sentence end) are neither prose nor boilerplate by themselves
LINK_DENSE = 0.5  # share of link text above which a block is a link list, not prose
WRAPPER_SHARE = 0.6  # a hinted element holding this share of the prose is a layout wrapper
SIBLING_SHARE = 0.2  # a sibling of the container with this much of its prose continues the article
OUTER_PROSE = 100  # unhinted prose this long (non-link chars) is main text even outside the container
TRIM_TAIL = True  # short lines after the container's last prose block are boilerplate
COLLAPSE_SHARE = 0.3  # link-heavy regions under this share of the page's text are read as one block
SMALL_REGION = 200  # regions with less text than this are read as one block whatever their links
GALLERY_CAPTION = 60  # on gallery pages, captions with this much prose are main text
TRIM_HEAD = True  # so are short non-heading lines before its first prose block (categories, labels)

_DEBUG: list[str] | None = None  # set to a list to collect the container choice (development aid)
_BOILERPLATE_HINTS = frozenset(k for k in BlockKind if k not in (BlockKind.MAIN, BlockKind.TITLE))


class _Page:
    """The flattened page: an element table (preorder) and raw blocks."""

    __slots__ = ("blocks", "bp", "end", "hint", "names", "parent", "tag")

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.tag: list[str] = []
        self.hint: list[BlockKind | str | None] = []
        self.names: list[str] = []  # "tag#id.classes", for paths
        self.end: list[int] = []  # last descendant index (preorder interval)
        self.bp: list[int] = []  # nearest ancestor-or-self with a boilerplate hint, -1 if none
        # raw blocks: (owner element, text, link chars, hrefs, block tag)
        self.blocks: list[tuple[int, str, int, list[str], str]] = []


@lru_cache(maxsize=16384)
def _hidden_classes(classes: str) -> bool:
    return any(name in _HIDDEN_CLASSES for name in classes.lower().split())


def _is_hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs:
        return True
    if attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    classes = attrs.get("class")
    return bool(classes) and _hidden_classes(classes)


def _name(tag: str, ident: str | None, classes: str | None) -> str:
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


def _flatten_py(root: LexborNode) -> _Page:
    """Walk the tree once: register block-level elements, gather their text into blocks.

    The walk keeps a stack of child iterators (no recursion: pages nest thousands deep)
    and does as little as possible per node, since it visits every node of the page.
    """
    page = _Page()
    parent_l, tag_l, hint_l, names_l, end_l, bp_l = page.parent, page.tag, page.hint, page.names, page.end, page.bp
    blocks = page.blocks
    parts: list[str] = []
    link_chars = 0
    links: list[str] = []
    open_links: list[str] = []  # hrefs of the <a> elements we're inside
    owner = -1  # innermost open block-level element
    in_article = 0  # depth of open main containers, for <header> inside an article
    skip, inline, hidden_check, tag_hints, leaf_ok, leafy = _SKIP, _INLINE, _is_hidden, _TAG_HINTS, _LEAF_OK, _LEAFY
    hidden_keys = _HIDDEN_KEYS
    collapsible = _REGION_KINDS if COLLAPSE_SHARE else ()
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
    names_l.append(root.tag or "")
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
                continue
            if tag in skip or tag is None or tag[0] == "-":
                continue
            if tag == "br" or tag == "hr":
                parts.append(" ")
                continue
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
            names_l.append(_name(tag, attrs.get("id"), attrs.get("class")) if attrs else tag)
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
                if len(region_text) < collapse_limit and node.css_first(_NOT_COLLAPSIBLE) is None:
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


_NOT_COLLAPSIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "textarea", "select", "button"}
)  # the tags of _NOT_COLLAPSIBLE, for the compiled walk


def _flatten_compiled(root: LexborNode) -> _Page:
    """_flatten_py's walk in the compiled module (farmwatch/analysis/_walk.pyx): same blocks."""
    page = _Page()
    collapse_limit = COLLAPSE_SHARE * _walk.text_length(root) if COLLAPSE_SHARE else 0.0
    _walk.flatten(
        root, page, collapse_limit, hint_for, _name, _is_hidden, _TAG_HINTS, _SKIP, _INLINE, _LEAF_OK, _LEAFY,
        _NOT_COLLAPSIBLE_TAGS, _REGION_KINDS, HIDDEN, NEUTRAL, MAIN_HINT, BlockKind.HEADER, LINK_DENSE, SMALL_REGION,
    )  # fmt: skip
    return page


# A page exercising every branch of the walk: the compiled walk is used only if it reads
# this exactly as the Python one does (it reads lexbor's structs, whose layout could change).
_PROBE = """<html><head><title>t</title><style>p{}</style></head><body>
<header class="site-header"><a href="/">Home</a> <a href="/a">About us</a></header>
<nav class="menu"><ul><li><a href="/x">Section X</a></li><li><a href="/y">Section Y</a></li></ul></nav>
<article class="post"><header><h1>A headline, with <em>emphasis</em></h1></header>
<div class="entry-content"><p>First paragraph with a <a href="https://src.example/a">source link</a> and
<b>bold</b>, caf\u00e9 \u00fcber \u65e5\u672c\u00a0text.</p><p>Second<br>line <span class="sr-only">hidden</span>
<a name="x">named anchor</a> <span style="display:none">gone</span></p>
<div>Loose text <a href="/in">in a link</a><div>nested <i>block</i></div> tail</div>
<a href="/card"><div><p>Teaser card text</p></div></a><!-- a comment --><p>With <!-- c --> comment</p>
<o:p>custom tag</o:p><my-widget data-x="1">custom element</my-widget>
<ul class="share-buttons"><li><a href="https://fb.example/s">Facebook</a></li><li><a href="#">Mail</a></li></ul>
<div class="related-posts" style="color:red"><h3>Related</h3><a href="/r1">One</a></div>
<div hidden>hidden div</div><div aria-hidden="true">aria hidden</div><script>var x = 1;</script>
<table><tr><td><a href="/t">cell link</a></td><td>cell</td></tr></table></div></article>
<aside class="sidebar"><h2>Popular</h2><ol><li><a href="/p1">Popular one</a></li></ol><svg><text>s</text></svg></aside>
<footer id="colophon"><p>\u00a9 2024 Example</p>  <p>   </p><hr></footer></body></html>"""


def _score_compiled(page: _Page) -> tuple[list[int], list[int], list[bool], list[int], list[float], list[float], int]:
    """_score_py's loops in the compiled module: same results."""
    return _walk.score(
        page, _SENTENCE_END.search, _HEADINGS, MAIN_HINT, LINK_DENSE, MIN_PROSE_BLOCK, WRAPPER_SHARE, FILTERED_WEIGHT,
        BOILERPLATE_WEIGHT,
    )  # fmt: skip


def _compiled_walk_agrees() -> bool:
    try:
        root = LexborHTMLParser(_PROBE).body
        assert root is not None
        ours, theirs = _flatten_compiled(root), _flatten_py(root)
        if not all(getattr(ours, name) == getattr(theirs, name) for name in _Page.__slots__):
            return False
        if _score_compiled(ours) != _score_py(theirs) or _paths_compiled(ours) != _paths_py(theirs):
            return False
        lengths, _prose, active, hinted_by, _good, _bad, _best = _score_py(theirs)
        in_main = [i % 2 == 0 for i in range(len(theirs.parent))]
        args = (hinted_by, active, lengths, in_main, 0, len(in_main), "a headline, with emphasis")
        return _label_compiled(ours, *args) == _label_py(theirs, *args)
    except Exception:
        return False


MAX_PATH = 400  # keep the innermost part of very deep chains


def _paths_py(page: _Page) -> list[str]:
    """Every element's path, built parent first (the table is in preorder)."""
    paths: list[str] = []
    parent, names = page.parent, page.names
    for idx, name in enumerate(names):
        p = parent[idx]
        if p < 0:
            paths.append(name)
            continue
        path = paths[p] + "/" + name
        if len(path) > MAX_PATH:
            path = path[path.find("/", len(path) - MAX_PATH) + 1 :]
        paths.append(path)
    return paths


def _score_py(page: _Page) -> tuple[list[int], list[int], list[bool], list[int], list[float], list[float], int]:
    """Per block: length, prose chars, effective hint; per element: whether its hint counts,
    prose and wrongly-included text (good, bad); and the article container (best).
    The compiled module's score() computes the same."""
    parent, hints, bp = page.parent, page.hint, page.bp
    raw = page.blocks
    n_el = len(parent)

    # Per block: length, link density, and whether it reads as prose.
    lengths = [len(b[1]) for b in raw]
    prose = [0] * len(raw)
    for i, (_owner, text, lc, _links, tag) in enumerate(raw):
        n = lengths[i]
        if lc <= LINK_DENSE * n and (n >= MIN_PROSE_BLOCK or _SENTENCE_END.search(text)) and tag not in _HEADINGS:
            prose[i] = n - lc

    # Raw prose per element (ignoring hints) to spot layout wrappers with misleading classes.
    raw_prose = [0] * n_el
    for i, b in enumerate(raw):
        raw_prose[b[0]] += prose[i]
    for idx in range(n_el - 1, 0, -1):
        p = parent[idx]
        if p >= 0:
            raw_prose[p] += raw_prose[idx]
    total_prose = raw_prose[0] if n_el else 0
    active = [h is not None and h is not MAIN_HINT for h in hints]
    if total_prose:
        limit = WRAPPER_SHARE * total_prose
        for idx in range(n_el):
            if active[idx] and raw_prose[idx] >= limit:
                active[idx] = False

    # A hint on an element whose prose is mostly one declared article body ("date-outer"
    # around a blog post, "commentary" around an opinion piece) names its style, not its role.
    for idx in range(n_el):
        if hints[idx] is MAIN_HINT and raw_prose[idx] >= 0.3 * total_prose:
            up = parent[idx]
            while up >= 0:
                outer = bp[up]
                if outer < 0:
                    break
                if active[outer] and raw_prose[idx] >= 0.5 * raw_prose[outer]:
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


def _label_py(
    page: _Page, hinted_by: list[int], active: list[bool], lengths: list[int], in_main: list[bool],
    title_lo: int, title_hi: int, declared: str,
) -> list[BlockKind]:  # fmt: skip
    """Each block's kind from its hint, its place (in the article or not) and its wording;
    the headline is the first h1 in or near the article that isn't boilerplate, or a heading
    that repeats the page's declared title. The compiled module's label() does the same."""
    raw, hints, bp, parent = page.blocks, page.hint, page.bp, page.parent
    title_done = False
    kinds: list[BlockKind] = []
    for i, (owner, text, lc, _links, tag) in enumerate(raw):
        h = hinted_by[i]
        kind: BlockKind
        if h >= 0:
            kind = _resolve_hint(h, hints, bp, parent, active)
        elif in_main[owner]:
            kind = _inner_kind(text, lengths[i], lc, tag)
        else:
            kind = _outer_kind(page, owner, text, lengths[i], lc)
        if (
            not title_done
            and tag in _HEADINGS
            and (
                (tag == "h1" and h < 0 and title_lo <= owner <= title_hi and kind in _TITLE_FROM)
                or (declared and lengths[i] >= 15 and lc < lengths[i] and text.casefold() in declared)
            )
        ):
            kind = BlockKind.TITLE
            title_done = True
        kinds.append(kind)
    return kinds


def _label_compiled(
    page: _Page, hinted_by: list[int], active: list[bool], lengths: list[int], in_main: list[bool],
    title_lo: int, title_hi: int, declared: str,
) -> list[BlockKind]:  # fmt: skip
    """_label_py in the compiled module."""
    return _walk.label(
        page, hinted_by, active, lengths, in_main, title_lo, title_hi, declared, phrase_kind, _REGION_KINDS, _HEADINGS,
        _CELLS, _TITLE_FROM, BlockKind, LINK_DENSE, OUTER_PROSE,
    )  # fmt: skip


def _paths_compiled(page: _Page) -> list[str]:
    """_paths_py in the compiled module."""
    return _walk.paths(page.parent, page.names, MAX_PATH)


def extract_blocks(tree: LexborHTMLParser, url: str | None = None) -> list[Block]:
    """The page's text blocks in document order, each labelled main text or a boilerplate kind.

    `url` is accepted for context but not needed: the labels come from the page alone.
    The tree is read, never modified.
    """
    root = tree.body or tree.root
    if root is None:
        return []
    page = _flatten(root)
    raw = page.blocks
    if not raw:
        return []
    parent, hints, end = page.parent, page.hint, page.end
    n_el = len(parent)
    lengths, prose, active, hinted_by, good, bad, best = _score(page)

    if _DEBUG is not None:
        dpaths = _paths(page)
        ranked = sorted(range(n_el), key=lambda i: -(good[i] - BOILERPLATE_WEIGHT * bad[i]))[:6]
        for i in ranked:
            _DEBUG.append(f"{i:4} good={good[i]:7.0f} bad={bad[i]:7.0f} {dpaths[i][-140:]}")
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

    # The headline: the first h1 in or near the article (up to 3 levels up) that isn't boilerplate.
    title_scope = best
    for _ in range(3):
        if parent[title_scope] >= 0:
            title_scope = parent[title_scope]
    title_lo, title_hi = title_scope, end[title_scope]
    declared = _declared_titles(tree)

    in_main = [False] * n_el
    for lo, hi in regions:
        in_main[lo : hi + 1] = [True] * (hi + 1 - lo)
    kinds = _label(page, hinted_by, active, lengths, in_main, title_lo, title_hi, declared)

    # A gallery tells its story in captions: when they hold more prose than the article
    # container, the long ones are the text.
    caption_prose = (
        sum(prose[i] for i, kind in enumerate(kinds) if kind is BlockKind.CAPTION) if BlockKind.CAPTION in kinds else 0
    )
    if caption_prose > good[best]:
        for i, kind in enumerate(kinds):
            if kind is BlockKind.CAPTION and prose[i] >= GALLERY_CAPTION and phrase_kind(raw[i][1]) is None:
                kinds[i] = BlockKind.MAIN

    _trim_sections(raw, kinds, prose, in_main)

    paths = _paths(page)
    # Block(text, kind, tag, path, link_density, links), positionally: a page makes hundreds.
    return [
        Block(text, kinds[i], tag, paths[owner], lc / lengths[i] if lengths[i] else 0.0, links)
        for i, (owner, text, lc, links, tag) in enumerate(raw)
    ]


# Kinds that name a whole region: an outer one wins over what its parts say ("author-name"
# inside an author box is part of the bio, a date inside related posts is part of them).
_REGION_KINDS = frozenset(
    {
        BlockKind.COMMENTS, BlockKind.AUTHOR_BIO, BlockKind.RELATED, BlockKind.NEWSLETTER, BlockKind.SHARE,
        BlockKind.ADS, BlockKind.LEGAL, BlockKind.NAVIGATION,
    }
)  # fmt: skip


def _resolve_hint(h: int, hints: list, bp: list[int], parent: list[int], active: list[bool]) -> BlockKind:
    """The kind of a block under active hint `h`: the outermost region kind, else the innermost hint."""
    kind = hints[h]
    up = parent[h]
    while up >= 0:
        outer = bp[up]
        if outer < 0:
            break
        if active[outer] and hints[outer] in _REGION_KINDS:
            kind = hints[outer]
        up = parent[outer]
    return kind


def _trim_sections(raw: list, kinds: list[BlockKind], prose: list[int], in_main: list[bool]) -> None:
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
        if kinds[i] is not BlockKind.MAIN or (raw[i][4] not in _HEADINGS and prose[i]):
            continue
        following = None
        for q in range(pos + 1, len(main_idx)):
            j = main_idx[q]
            if raw[j][4] in _HEADINGS:
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
            if kinds[i] is BlockKind.MAIN and raw[i][4] not in _HEADINGS:
                kinds[i] = BlockKind.OTHER


_TITLE_FROM = (BlockKind.MAIN, BlockKind.OTHER)


def _declared_titles(tree: LexborHTMLParser) -> str:
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


def _inner_kind(text: str, n: int, lc: int, tag: str) -> BlockKind:
    """Kind of an unhinted block inside the article container."""
    kind = phrase_kind(text)
    if kind is not None:
        return kind
    if lc > LINK_DENSE * n and n - lc < 100 and tag not in _CELLS:
        return BlockKind.RELATED if tag in ("li", "p", "div") else BlockKind.NAVIGATION
    return BlockKind.MAIN


def _outer_kind(page: _Page, owner: int, text: str, n: int, lc: int) -> BlockKind:
    """Kind of an unhinted block outside the article container."""
    kind = phrase_kind(text)
    if kind is not None:
        return kind
    if lc > LINK_DENSE * n:
        return BlockKind.NAVIGATION
    if OUTER_PROSE and n - lc >= OUTER_PROSE and lc < 0.1 * n:
        return BlockKind.MAIN
    return BlockKind.OTHER


def main_text(blocks: list[Block]) -> str:
    """The article's text: its MAIN blocks in document order, one per line.

    The headline (TITLE) is left out, as in the service's fingerprints
    (PageAnalysis.main_text): the body is what gets copied and compared.
    """
    return "\n".join(b.text for b in blocks if b.kind is BlockKind.MAIN)


try:
    from selectolax import lexbor as _lexbor_module

    from farmwatch.analysis import _walk  # type: ignore[attr-defined]
except ImportError:  # not built (no compiler at install): the Python walk gives the same blocks
    _walk = None
WALK = "python"
_flatten = _flatten_py
_score = _score_py
_paths = _paths_py
_label = _label_py
if _walk is not None and _walk.bind(_lexbor_module.__file__):
    # The compiled walk computes hints, names and hiding itself, from the same tables.
    _walk.configure_hints(extract_hints, _HIDDEN_CLASSES, _HIDDEN_STYLE)
    if _compiled_walk_agrees():
        WALK = "compiled"
        _flatten = _flatten_compiled
        _score = _score_compiled
        _paths = _paths_compiled
        _label = _label_compiled
