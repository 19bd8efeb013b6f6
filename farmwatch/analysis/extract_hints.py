"""What an element's tag, class, id, role and itemprop say about its content.

Sites name their templates' parts in many languages and conventions; these patterns cover
the common ones (WordPress, Drupal, news CMSs, social/ads/comment plugins). A hint is a
BlockKind for boilerplate, or MAIN_HINT for a container that declares itself the article.
"""

from __future__ import annotations

import re
from functools import lru_cache

from farmwatch.analysis.blocks import BlockKind

MAIN_HINT = "main-container"

# Boundaries for short words: start/end, separators and camelCase are lowered, so only
# non-letters count as boundaries.
_B = r"(?:^|(?<=[^a-z]))"
_E = r"(?:$|(?=[^a-z]))"


def _words(*words: str) -> str:
    return _B + "(?:" + "|".join(words) + ")" + _E


# Order matters: the first kind that matches wins, so specific kinds come before broad ones.
_KIND_PATTERNS: list[tuple[BlockKind | str, re.Pattern[str]]] = [
    (
        BlockKind.AUTHOR_BIO,
        re.compile(
            r"author[-_ ]?(?:bio|info|box|desc|details|profile|card|about|wrap|block|section)|about[-_ ]?(?:the[-_ ]?)?author"
            r"|"
            + _words(
                "bio", "biography", "autorbox", "autor[-_]?box", "author[-_]?avatar", "saboxplugin[a-z-]*", "vcard"
            )
        ),
    ),
    (
        BlockKind.COMMENTS,
        re.compile(
            r"comment|disqus|respond|replies|discussion|kommentar|komentar|commentaire|comentario|commento|reacties"
            r"|talkback|akismet|remark|" + _words("reply", "reactions", "forum-post")
        ),
    ),
    (
        BlockKind.NEWSLETTER,
        re.compile(
            r"newsletter|subscri|sign[-_]?up|mailchimp|mc4wp|optin|opt[-_]in|mailing[-_]?list|paywall|piano"
            r"|" + _words("abo", "abonnement", "register", "registration", "login", "signin")
        ),
    ),
    (
        BlockKind.SHARE,
        re.compile(
            r"share|sharing|social|sociable|addtoany|a2a[-_]|shariff|follow[-_]?us|teilen|compartir|partager"
            r"|condividi|essb|heateor|sharethis|addthis|"
            + _words("print", "email-button", "whatsapp", "facebook", "twitter")
        ),
    ),
    (
        BlockKind.RELATED,
        re.compile(
            r"related|recommend|more[-_]?(?:stories|articles|news|posts|from)|you[-_]?may|also[-_]?(?:read|like)"
            r"|read[-_]?also|see[-_]?also|popular|trending|most[-_]?(?:read|viewed|popular)|mostread|recent[-_]?(?:posts|news|articles)"
            r"|latest[-_]?(?:posts|news|articles)|tag[-_]?cloud|post[-_]?tags|entry[-_]?tags|article[-_]?tags|taxonomy"
            r"|outbrain|taboola|zergnet|yarpp|relacionad|correlat|similar|weitere|mehr[-_]?zum|lesetipp|empfehl"
            r"|"
            + _words("tags", "tag-list", "tags-list", "keywords", "cat-links", "tags-links", "categories", "teasers")
        ),
    ),
    (
        BlockKind.NAVIGATION,
        re.compile(
            r"breadcrumb|pagination|pager|navigation|navbar|menu|skip[-_]?(?:link|to)|jump[-_]?to|post[-_]?nav"
            r"|" + _words("nav", "navi", "subnav", "topnav", "mainnav", "prev", "next", "previous", "toc-nav", "tabs")
        ),
    ),
    (
        BlockKind.ADS,
        re.compile(
            r"advert|adsbygoogle|adslot|ad[-_]?slot|ad[-_]?unit|adunit|ad[-_]?container|ad[-_]?wrapper|ad[-_]?box|sponsor"
            r"|promoted|anzeige|werbung|publicidad|pubblicit|banner[-_]?ad|google[-_]?ad|dfp[-_]|doubleclick"
            r"|" + _words("ad", "ads", "adv", "advs", "promo", "promotion", "commercial", "affiliate", "gpt", "banner")
        ),
    ),
    (
        BlockKind.LEGAL,
        re.compile(r"cookie|consent|gdpr|privacy|disclaimer|impressum|imprint|" + _words("legal", "terms", "cmp")),
    ),
    (
        BlockKind.CAPTION,
        re.compile(
            r"caption|bildunterschrift|photo[-_]?credit|image[-_]?credit|img[-_]?credit|"
            + _words("credit", "credits", "legend")
        ),
    ),
    (
        BlockKind.BYLINE,
        re.compile(
            r"byline|dateline|posted[-_]?on|posted[-_]?by|entry[-_]?meta|post[-_]?meta|article[-_]?meta|meta[-_]?info"
            r"|publish|"
            + _words("author", "authors", "date", "time", "timestamp", "meta", "reading-time", "readtime", "autor")
        ),
    ),
    (
        BlockKind.FOOTER,
        re.compile(r"footer|colophon|copyright|site[-_]?info|bottom[-_]?bar|" + _words("foot", "fusszeile")),
    ),
    (
        BlockKind.HEADER,
        re.compile(r"masthead|site[-_]?header|page[-_]?header|branding|top[-_]?bar|topbar|" + _words("header", "logo")),
    ),
    (
        BlockKind.OTHER,
        re.compile(
            r"sidebar|widget|popup|modal|overlay|offcanvas|off[-_]canvas|lightbox|toolbar|ticker|sr[-_]only"
            r"|rating|" + _words("aside", "search", "alert", "notice", "banner", "sticky", "badge", "poll", "extra")
        ),
    ),
]

_MAIN_PATTERN = re.compile(
    r"entry[-_]?content|post[-_]?(?:content|body|text|entry)|article[-_]?(?:body|content|text)|articlebody|story[-_]?(?:body|content|text)"
    r"|entry[-_]?body|single[-_]?content|news[-_]?(?:content|body|text)|content[-_]?body|main[-_]?content|field[-_]+name[-_]+body"
    r"|rich[-_]?text|blog[-_]?post|article__|body[-_]?text|text[-_]?content|page[-_]?content"
)

# Parts of an article's template that hold its title and byline: not boilerplate themselves.
_NEUTRAL = re.compile(r"(?:entry|post|article|story|page)[-_]?(?:header|head|title|heading|headline)")

_TAXONOMY_CLASS = re.compile(
    r"(?:^|\s)(?:category|tag|type|status|format|post-format|postid|post_tag|label|topic)-\S*", re.IGNORECASE
)

_TAG_HINTS: dict[str, BlockKind | str] = {
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


@lru_cache(maxsize=16384)
def hint_for_names(names: str) -> BlockKind | str | None:
    """Hint from an element's lower-cased "class id" string."""
    if not names:
        return None
    if _NEUTRAL.search(names):
        return None
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(names):
            return kind
    if _MAIN_PATTERN.search(names):
        return MAIN_HINT
    return None


def hint_for(tag: str, attrs: dict[str, str | None]) -> BlockKind | str | None:
    """Hint for one element; the caller handles context (e.g. <header> inside an article)."""
    role = attrs.get("role")
    if role:
        hint = _ROLE_HINTS.get(role.strip().lower())
        if hint is not None:
            return hint
    itemprop = attrs.get("itemprop")
    if itemprop:
        hint = _ITEMPROP_HINTS.get(itemprop.strip().lower())
        if hint is not None:
            return hint
    classes = attrs.get("class") or ""
    if classes and "-" in classes:
        # CMSs tag an article's wrapper with its categories and tags ("category-social-media").
        classes = _TAXONOMY_CLASS.sub(" ", classes)
    names = (classes + " " + (attrs.get("id") or "")).strip()
    hint = hint_for_names(names.lower()) if names else None
    if hint is not None:
        return hint
    return _TAG_HINTS.get(tag)
