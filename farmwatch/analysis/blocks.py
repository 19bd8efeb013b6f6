"""The unit of analysis: a block of page text with a label.

A page is split into blocks (paragraphs, headings, list items, menus, forms…)
in document order. Each block is labelled main text or boilerplate, and
boilerplate carries a kind a moderator understands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    MAIN = "main"  # the article's own text
    TITLE = "title"  # the article headline
    NAVIGATION = "navigation"  # menus, breadcrumbs, pagination, prev/next links
    HEADER = "header"  # site masthead, branding, tagline
    FOOTER = "footer"  # copyright, legal links, site footer
    AUTHOR_BIO = "author_bio"  # "About the author", self-promoting bios
    BYLINE = "byline"  # "By X · date", dates, reading time
    COMMENTS = "comments"  # comment threads and comment forms
    SHARE = "share"  # share / social buttons, "follow us"
    RELATED = "related"  # related / recent / popular posts, tag clouds
    ADS = "ads"  # advertising, sponsored content
    NEWSLETTER = "newsletter"  # subscribe boxes, sign-up forms
    SOURCE_CREDIT = "source_credit"  # "Source link", "Originally published at…"
    CAPTION = "caption"  # image captions and credits
    LEGAL = "legal"  # cookie notices, privacy banners
    SITE_TEMPLATE = "site_template"  # text that recurs across the site's pages
    OTHER = "other"  # boilerplate of no more specific kind


@dataclass(slots=True)
class Block:
    """One block of visible text, in document order."""

    text: str  # whitespace-normalised by the extractor: single spaces, none at either end
    kind: BlockKind = BlockKind.OTHER
    tag: str = ""  # the HTML element that holds the block (p, li, h2, div…)
    # A short signature of the block's position in the template: the ancestor
    # chain of tags with their ids/classes. Stable across pages of one site.
    path: str = ""
    link_density: float = 0.0  # share of the text that is link text
    links: list[str] = field(default_factory=list)  # hrefs inside the block, as written

    @property
    def is_main(self) -> bool:
        return self.kind in (BlockKind.MAIN, BlockKind.TITLE)

    def __reduce__(self) -> tuple:
        # Pickled as its fields (worker processes hand whole analyses back, ~50 blocks a page): by default each
        # kind is pickled as a call to the enum class and each slot by name, which loads ~40% slower.
        return (_block, (self.text, self.kind.value, self.tag, self.path, self.link_density, self.links))


_KIND_OF = {kind.value: kind for kind in BlockKind}


def _block(text: str, kind: str, tag: str, path: str, link_density: float, links: list[str]) -> Block:
    return Block(text, _KIND_OF[kind], tag, path, link_density, links)
