"""What an element's tag, class, id, role and itemprop say about its content.

Sites name their templates' parts in many languages and conventions; these lists cover
the common ones (WordPress, Drupal, news CMSs, social/ads/comment plugins). A hint is a
BlockKind for boilerplate, or MAIN_HINT for a container that declares itself the article.

Class names are looked up one at a time (cached): distinctive stems are found anywhere in
the name with separators removed ("relatedPosts", "post-comments"), short words only as
whole words ("ad", "nav", "tags"), so that "header" or "shadow" don't trigger "ad".

This module is the reference and holds the tables: the compiled walk (_walk.pyx) has a
compiled hint_for and is_hidden, hot on pages new to the process, that read them from here
at import and are tested against these.
"""

from __future__ import annotations

import re
from functools import lru_cache

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.extract.thresholds import HIDDEN_CLASSES, HIDDEN_STYLE, SHORT_STEM

MAIN_HINT = "main-container"
HIDDEN = "hidden"  # the element isn't shown: skip its subtree
NEUTRAL = "neutral"  # the article's own header/title area: overrides other hints and tag defaults

# Kinds in priority order: when an element's names give several, the first listed wins.
# Each: (kind, stems found anywhere in the squashed name, whole words).
_VOCABULARY: list[tuple[BlockKind | str, str, str]] = [
    (
        NEUTRAL,
        "entryheader entrytitle posttitle postheader articleheader articletitle storyheader storytitle pageheader"
        " pagetitle headline subheader subtitle entryhead posthead articlehead commentary twittertweet instagrammedia"
        " tiktokembed",
        "",
    ),
    (
        BlockKind.AUTHOR_BIO,
        "authorbio authorinfo authorbox authordesc authordetails authorprofile authorcard authorabout authorwrap"
        " authorblock authorsection aboutauthor abouttheauthor autorbox saboxplugin authoravatar biography",
        "bio vcard",
    ),
    (
        BlockKind.COMMENTS,
        "comment disqus respond replies discussion kommentar komentar commentaire comentario commento reacties"
        " talkback akismet remark",
        "reply reactions",
    ),
    (
        BlockKind.NEWSLETTER,
        "newsletter subscri signup mailchimp mc4wp optin mailinglist",
        "abo abonnement register registration login signin",
    ),
    (
        BlockKind.SHARE,
        "share sharing social sociable addtoany shariff followus teilen compartir partager condividi essb heateor"
        " sharethis addthis",
        "a2a whatsapp facebook twitter",
    ),
    (
        BlockKind.RELATED,
        "related recommend morestories morearticles morenews moreposts morefrom youmay alsoread alsolike readalso"
        " seealso popular trending mostread mostviewed mostpopular recentposts recentnews recentarticles latestposts"
        " latestnews latestarticles tagcloud posttags entrytags articletags taxonomy outbrain taboola zergnet yarpp"
        " relacionad correlat similar weitere mehrzum lesetipp empfehl catlinks tagslinks taglist tagslist",
        "tags keywords categories teasers",
    ),
    (
        BlockKind.NAVIGATION,
        "breadcrumb pagination pager navigation navbar menu skiplink skipto jumpto postnav subnav topnav mainnav",
        "nav navi prev next previous",
    ),
    (
        BlockKind.ADS,
        "advert adsbygoogle adslot adunit adcontainer adwrapper adbox sponsor promoted anzeige werbung publicidad"
        " pubblicit bannerad googlead doubleclick",
        "ad ads adv advs promo promotion commercial affiliate gpt dfp",
    ),
    (BlockKind.LEGAL, "cookie consent gdpr privacy disclaimer impressum imprint", "legal terms"),
    (
        BlockKind.CAPTION,
        "caption bildunterschrift photocredit imagecredit imgcredit imgdescription imagedescription imagesubtitle"
        " imgmetadata imagemeta imgmeta",
        "credit credits legend",
    ),
    (
        BlockKind.BYLINE,
        "byline dateline postedon postedby entrymeta postmeta articlemeta metainfo publish readingtime readtime",
        "author authors date time timestamp meta autor",
    ),
    (BlockKind.FOOTER, "footer colophon copyright siteinfo bottombar fusszeile", "foot"),
    (BlockKind.HEADER, "masthead siteheader branding topbar", "header logo"),
    (
        BlockKind.OTHER,
        "sidebar widget popup modal overlay offcanvas lightbox toolbar ticker rating portlet",
        "aside search alert notice sticky badge poll extra banner",
    ),
    (
        MAIN_HINT,
        "entrycontent postcontent postbody posttext postentry articlebody articlecontent articletext storybody"
        " storycontent storytext entrybody singlecontent newscontent newsbody newstext contentbody maincontent"
        " fieldnamebody richtext blogpost bodytext textcontent pagecontent",
        "",
    ),
]

_STEM_RANK: dict[str, tuple[int, BlockKind | str]] = {}
_WORD_RANK: dict[str, tuple[int, BlockKind | str]] = {}
for _rank, (_kind, _stems, _words) in enumerate(_VOCABULARY):
    for _stem in _stems.split():
        _STEM_RANK.setdefault(_stem, (_rank, _kind))
    for _word in _words.split():
        _WORD_RANK.setdefault(_word, (_rank, _kind))


def _trie_pattern(words: list[str]) -> str:
    """An alternation factored by common prefixes: re tries one branch per character
    instead of every word at every position, and greedy optional tails prefer the longest
    word ("entryheader" over "entry…")."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + build(sub) for char, sub in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return build(trie)


_STEMS = re.compile(_trie_pattern(list(_STEM_RANK)))
_WORD = re.compile(r"[a-z]+")
_BUILDER_PREFIXES = (
    "elementor-widget-", "elementor-widget", "elementor-element", "elementor-", "et_pb_", "wp-block-", "wpb_", "vc_",
    "fl-module-", "fl-", "sqs-block-", "tdb-", "tdi_", "td-", "jeg_", "uk-", "ce-", "csc-",
)  # fmt: skip
_NO_HINT: tuple[int, BlockKind | str | None] = (len(_VOCABULARY), None)

# CMSs tag an article's wrapper with its categories and tags ("category-social-media").
_TAXONOMY_PREFIXES = (
    "category-", "tag-", "type-", "status-", "format-", "post-format", "postid-", "post_tag-", "label-", "topic-",
    "categories-", "product_cat-", "product_categories-", "product_tag-", "tags-", "topics-",
)  # fmt: skip

TAG_HINTS: dict[str, BlockKind | str] = {
    "nav": BlockKind.NAVIGATION,
    "menu": BlockKind.NAVIGATION,
    "footer": BlockKind.FOOTER,
    "aside": BlockKind.OTHER,
    "figcaption": BlockKind.CAPTION,
    "form": BlockKind.OTHER,
    "main": MAIN_HINT,
    "article": MAIN_HINT,
}

_ROLE_HINTS: dict[str, BlockKind | str] = {
    "navigation": BlockKind.NAVIGATION,
    "menu": BlockKind.NAVIGATION,
    "menubar": BlockKind.NAVIGATION,
    "search": BlockKind.NAVIGATION,
    "banner": BlockKind.HEADER,
    "contentinfo": BlockKind.FOOTER,
    "complementary": BlockKind.OTHER,
    "dialog": BlockKind.OTHER,
    "alertdialog": BlockKind.OTHER,
    "main": MAIN_HINT,
    "article": MAIN_HINT,
}

_ITEMPROP_HINTS: dict[str, BlockKind | str] = {
    "articlebody": MAIN_HINT,
    "reviewbody": MAIN_HINT,
    "text": MAIN_HINT,
    "author": BlockKind.BYLINE,
    "datepublished": BlockKind.BYLINE,
    "datemodified": BlockKind.BYLINE,
    "comment": BlockKind.COMMENTS,
}


_STATE_WORDS = frozenset(
    {"has", "no", "with", "without", "enable", "enabled", "disable", "disabled", "show", "allow", "can", "is"}
)


@lru_cache(maxsize=65536)
def _word_edges(token: str) -> tuple[set[int], set[int]]:
    """Where words start and end in the squashed, lower-cased token: at separators, digits
    and camelCase humps of the original ("APageRoot" is "a|page|root", not "pager")."""
    starts: set[int] = set()
    ends: set[int] = set()
    pos = 0
    previous = ""
    for char in token:
        if char in "-_ ":
            if pos:
                ends.add(pos)
            previous = char
            continue
        if pos == 0 or not previous.isalpha() or (char.isupper() and previous.islower()):
            starts.add(pos)
            if pos:
                ends.add(pos)
        previous = char
        pos += 1
    ends.add(pos)
    return starts, ends


@lru_cache(maxsize=65536)
def _token_hint(token: str) -> tuple[int, BlockKind | str | None]:
    """(priority, hint) of one class name or id (case as written); lower priority wins."""
    lowered = token.lower()
    if lowered in HIDDEN_CLASSES:
        return -1, HIDDEN
    if lowered.startswith(_TAXONOMY_PREFIXES):
        return _NO_HINT
    if lowered.startswith(_BUILDER_PREFIXES):
        # Page builders call every content box a widget or module: only what follows the
        # builder's prefix names the box ("elementor-widget-nav-menu", not "…-text-editor").
        cut = next(len(p) for p in _BUILDER_PREFIXES if lowered.startswith(p))
        token, lowered = token[cut:], lowered[cut:]
        if not lowered:
            return _NO_HINT
    best = _NO_HINT
    words = _WORD.findall(lowered)
    if not _STATE_WORDS.isdisjoint(words):
        for match in _WORD.finditer(lowered):
            end = match.end()
            if match.group() in _STATE_WORDS and (end == len(lowered) or lowered[end] in "-_"):
                # "has-sidebar", "o-section--has-ads", "enable-pin-share": a state, not a region.
                token = token[: match.start()]
                lowered = lowered[: match.start()]
                words = _WORD.findall(lowered)
                break
    for word in words:
        found = _WORD_RANK.get(word)
        if found is not None and found[0] < best[0]:
            best = found
    squashed = lowered.replace("-", "").replace("_", "")
    first = _STEMS.search(squashed)
    if first is None:
        return best
    edges = None
    for match in _STEMS.finditer(squashed, first.start()):
        stem = match.group()
        found = _STEM_RANK[stem]
        if found[0] >= best[0]:
            continue
        if len(stem) <= SHORT_STEM:
            # Short stems hide inside unrelated words ("apageroot"): they must touch a word edge.
            if edges is None:
                edges = _word_edges(token)
            if match.start() not in edges[0] and match.end() not in edges[1]:
                continue
        best = found
    return best


@lru_cache(maxsize=65536)
def _class_hint(classes: str) -> tuple[int, BlockKind | str | None]:
    best = _NO_HINT
    for token in classes.split():
        found = _token_hint(token)
        if found[0] < best[0]:
            best = found
    return best


def hint_for(tag: str, attrs: dict[str, str | None]) -> BlockKind | str | None:
    """Hint for one element, or HIDDEN; the caller handles context (<header> inside an article)."""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return HIDDEN
    style = attrs.get("style")
    if style and HIDDEN_STYLE.search(style):
        return HIDDEN
    classes = attrs.get("class")
    best = _class_hint(classes) if classes else _NO_HINT
    ident = attrs.get("id")
    if ident:
        found = _token_hint(ident)
        if found[0] < best[0]:
            best = found
    hint = best[1]
    if hint is HIDDEN:
        return HIDDEN
    role = attrs.get("role")
    if role:
        by_role = _ROLE_HINTS.get(role.strip().lower())
        if by_role is not None:
            return by_role
    itemprop = attrs.get("itemprop")
    if itemprop:
        by_prop = _ITEMPROP_HINTS.get(itemprop.strip().lower())
        if by_prop is not None:
            return by_prop
    if hint is not None:
        return hint
    return TAG_HINTS.get(tag)


@lru_cache(maxsize=16384)
def _hidden_classes(classes: str) -> bool:
    return any(name in HIDDEN_CLASSES for name in classes.lower().split())


def is_hidden(attrs: dict[str, str | None]) -> bool:
    """Whether an element's attributes hide it (for inline elements, which get no hint)."""
    if "hidden" in attrs:
        return True
    if attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and HIDDEN_STYLE.search(style):
        return True
    classes = attrs.get("class")
    return bool(classes) and _hidden_classes(classes)
