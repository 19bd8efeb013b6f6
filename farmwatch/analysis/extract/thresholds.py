"""Every number and tag/class table the extractor decides by, in one place.

The Python modules of this package and the compiled walk (_walk.pyx) both read them from
here (the .pyx imports this module when it is loaded), so a threshold is changed once and
both implementations follow.
"""

from __future__ import annotations

import re

from farmwatch.analysis.blocks import BlockKind

# --- Tags -------------------------------------------------------------------------------

# Subtrees that never hold visible text.
SKIP = frozenset(
    {
        "script", "style", "template", "rt", "rp", "svg", "math", "iframe", "object", "embed", "canvas",
        "select", "option", "optgroup", "datalist", "textarea", "input", "button", "head", "title", "meta",
        "link", "base", "video", "audio", "source", "track", "map", "area", "img", "picture", "dialog",
    }
)  # fmt: skip
# Elements that don't start a new block: their text flows into the enclosing one.
INLINE = frozenset(
    {
        "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i",
        "ins", "kbd", "label", "mark", "nobr", "q", "ruby", "s", "samp", "small", "span", "strike",
        "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
    }
)  # fmt: skip
# Elements a "leaf" block may hold: its text then comes from lexbor in one call.
LEAF_OK = INLINE | {"img", "picture", "source"}
# Tags that usually hold only inline content: worth trying the one-call leaf path.
LEAFY = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dd", "dt", "figcaption", "caption", "pre",
     "address", "summary", "legend", "blockquote", "center", "label", "cite"}
)  # fmt: skip
CELLS = frozenset({"td", "th", "dd", "dt"})  # a table's links are data (ingredients, products, docs)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LIST_TAGS = frozenset({"li", "p", "div"})  # a short link-dense block of these in the article is a related list

# --- Hiding -----------------------------------------------------------------------------

HIDDEN_CLASSES = frozenset(
    {
        "hidden", "hide", "d-none", "sr-only", "screen-reader-text", "screen-reader-only", "visually-hidden",
        "visuallyhidden", "invisible", "is-hidden", "u-hidden", "element-invisible", "offscreen", "sr-text",
    }
)  # fmt: skip
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
HIDDEN_KEYS = frozenset({"hidden", "aria-hidden", "style", "class"})  # attributes that can hide an element
# Regions holding these tags, or an element with a hidden or style attribute, can't be read
# in one call: their text needs the careful walk.
_NOT_COLLAPSIBLE_ORDER = ("script", "style", "noscript", "template", "svg", "textarea", "select", "button")
NOT_COLLAPSIBLE_TAGS = frozenset(_NOT_COLLAPSIBLE_ORDER)
NOT_COLLAPSIBLE = ", ".join(_NOT_COLLAPSIBLE_ORDER) + ", [hidden], [style]"  # the same, as a CSS selector

# Kinds that name a whole region: an outer one wins over what its parts say ("author-name"
# inside an author box is part of the bio, a date inside related posts is part of them).
# Small link-heavy regions of these kinds are also read as one block.
REGION_KINDS = frozenset(
    {
        BlockKind.COMMENTS, BlockKind.AUTHOR_BIO, BlockKind.RELATED, BlockKind.NEWSLETTER, BlockKind.SHARE,
        BlockKind.ADS, BlockKind.LEGAL, BlockKind.NAVIGATION,
    }
)  # fmt: skip
TITLE_FROM = (BlockKind.MAIN, BlockKind.OTHER)  # kinds an h1 in the article's scope may hold to be the headline

# --- Reading blocks ---------------------------------------------------------------------

SENTENCE_END = re.compile(r"[.!?。！？…:;»\"”)]\s*$")
MIN_PROSE_BLOCK = 25  # shorter blocks (without a sentence end) are neither prose nor boilerplate by themselves
LINK_DENSE = 0.5  # share of link text above which a block is a link list, not prose
SHORT_LINK_LIST = 100  # a link-dense block in the article with less non-link text than this is a link list
OUTER_PROSE = 100  # unhinted prose this long (non-link chars) is main text even outside the container
OUTER_LINK_SHARE = 0.1  # ... if under this share of it is link text
DECLARED_TITLE_MIN = 15  # a heading this long that repeats the page's declared title is its headline
MAX_PATH = 400  # element paths keep their innermost part of this many characters

# --- Wording (phrases.py) and class names (hints.py) --------------------------------------

MAX_PHRASE_BLOCK = 220  # longer blocks are prose, whatever they start with
MAX_CTA_BLOCK = 400  # calls to action and disclosures are looked for in blocks up to this long
MAX_TEASER_BLOCK = 400  # a block up to this long ending in "read more" is a teaser
CACHED_PHRASE = 80  # phrase results for blocks up to this long are kept: labels recur across pages and sites
SHORT_STEM = 6  # class-name stems this short must start or end a word

# --- Choosing the article container -----------------------------------------------------

# score = prose - BOILERPLATE_WEIGHT * (text the container would wrongly bring in).
BOILERPLATE_WEIGHT = 1.0
FILTERED_WEIGHT = 0.1  # boilerplate that block-level filters drop anyway costs a container little
WRAPPER_SHARE = 0.6  # a hinted element holding this share of the prose is a layout wrapper
DECLARED_BODY_SHARE = 0.3  # a declared article body with this share of the page's prose ...
DECLARED_BODY_WRAPPER = 0.5  # ... disables a hint around it when it holds this share of the hinted element's
SIBLING_SHARE = 0.2  # a sibling of the container with this much of its prose continues the article
HEADLINE_LEVELS = 3  # the headline is looked for up to this many levels above the container

# --- Walk shortcuts ---------------------------------------------------------------------

COLLAPSE_SHARE = 0.3  # link-heavy regions under this share of the page's text are read as one block
SMALL_REGION = 200  # regions with less text than this are read as one block whatever their links

# --- Context rules inside the container -------------------------------------------------

TRIM_TAIL = True  # short lines after the container's last prose block are boilerplate
TRIM_HEAD = True  # so are short non-heading lines before its first prose block (categories, labels)
GALLERY_CAPTION = 60  # on gallery pages, captions with this much prose are main text

# Boxes inside the container (label.box_rules), each switchable for measuring.
SECTION_LABEL = 60  # a line this short whose wording names a boilerplate section ("About the author") ...
LABEL_KINDS = frozenset(
    {BlockKind.RELATED, BlockKind.NEWSLETTER, BlockKind.AUTHOR_BIO, BlockKind.COMMENTS, BlockKind.ADS}
)  # ... of these kinds gives it to the rest of the box it heads
BOX_SHARE = 0.5  # a box holding this share of the article's prose is the article, whatever heads it
LISTING_EXCERPT = 80  # ...unless it is a listing of excerpts this long, each linking a page of its own
BOX_LABELS = True  # a label heads its box: the blocks after it in the smallest element it opens
BOX_BOILERPLATE = True  # short lines in a box whose other blocks are all one boilerplate kind share it
TEASER_CARDS = True  # excerpts under link titles, each pair in its own element, two or more: teasers
TABLE_CHROME = True  # in a table layout, non-sentence lines in cells before the article's cell
ARTICLE_CELL_SHARE = 0.8  # the article's cell: the innermost one with this share of the main prose
POST_CELL_SHARE = 0.35  # a board's first post, its replies and furniture counted: where replies are looked for
# Headlines run together with separators (a ticker, a menu row) are not prose, even when long.
ITEM_SEPARATORS = "•|·"
ITEM_RUN = re.compile(rf"\s[{re.escape(ITEM_SEPARATORS)}]\s")
ITEM_RUN_MIN = 2  # separators in a block for it to be a run of items ...
ITEM_MAX = 150  # ... each no longer than a headline ...
ITEM_STOP = re.compile(r"[.!;…]\W*$")  # ... at most half of them ending a sentence before the last
