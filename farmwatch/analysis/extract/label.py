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
    ARTICLE_CELL_SHARE,
    BOX_BOILERPLATE,
    BOX_LABELS,
    BOX_SHARE,
    CELLS,
    DECLARED_TITLE_MIN,
    HEADINGS,
    ITEM_MAX,
    ITEM_RUN,
    ITEM_RUN_MIN,
    ITEM_SEPARATORS,
    ITEM_STOP,
    LABEL_KINDS,
    LINK_DENSE,
    LIST_TAGS,
    LISTING_EXCERPT,
    MAX_TEASER_BLOCK,
    OUTER_LINK_SHARE,
    OUTER_PROSE,
    POST_CELL_SHARE,
    REGION_KINDS,
    SECTION_LABEL,
    SENTENCE_END,
    SHORT_LINK_LIST,
    TABLE_CHROME,
    TEASER_CARDS,
    TITLE_FROM,
    TRIM_HEAD,
    TRIM_TAIL,
)
from farmwatch.analysis.extract.walk import Page


def _item_run(text: str) -> bool:
    """Headlines or menu items run together with separators ("A • B • C"), not sentences:
    each no longer than a headline, at most half of them (the last aside) ending in a full
    stop (headlines may ask a question, or end in an abbreviation: "Alert Tues."), where
    sentences set apart with bullets all do."""
    if ITEM_RUN_MIN >= 1 and not any(separator in text for separator in ITEM_SEPARATORS):
        return False  # no separator ITEM_RUN splits at: one item, no run (substring tests are cheaper)
    items = ITEM_RUN.split(text)
    if len(items) <= ITEM_RUN_MIN or max(map(len, items)) > ITEM_MAX:
        return False
    return 2 * sum(1 for item in items[:-1] if ITEM_STOP.search(item)) <= len(items) - 1


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
    under: dict[int, BlockKind] = {}  # hint element -> the kind it gives: its blocks climb the same chain
    for (owner, text, lc, _links, tag), h, n in zip(raw, hinted_by, lengths, strict=True):
        kind: BlockKind
        if h >= 0:
            found = under.get(h)
            if found is None:
                # Under an active hint: the outermost region kind above it ("author-name" inside
                # an author box is part of the bio), else the hint itself.
                found = hints[h]
                up = parent[h]
                while up >= 0:
                    outer = bp[up]
                    if outer < 0:
                        break
                    if active[outer] and hints[outer] in REGION_KINDS:
                        found = hints[outer]
                    up = parent[outer]
                under[h] = found
            kind = found
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
            elif OUTER_PROSE and n - lc >= OUTER_PROSE and lc < OUTER_LINK_SHARE * n and not _item_run(text):
                # Long unhinted prose outside the container is text too; headlines run
                # together with separators ("A • B • C": a ticker, a menu row) are not prose.
                kind = main
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


def _box_blocks(owner_of: list[int], end: list[int], box: int, i: int) -> tuple[int, int]:
    """The blocks in element `box`'s subtree (contiguous in document order), found from block i in it."""
    last = end[box]
    lo = i
    while lo > 0 and box <= owner_of[lo - 1] <= last:
        lo -= 1
    hi = i
    while hi + 1 < len(owner_of) and box <= owner_of[hi + 1] <= last:
        hi += 1
    return lo, hi


def box_rules(
    page: Page, kinds: list[BlockKind], hinted_by: list[int], prose: list[int], lengths: list[int], in_main: list[bool]
) -> None:
    """Context rules for the boxes inside the article container, where templates put their
    widgets without naming them (class names like "c-x12", plain divs, table cells).

    - A label: a short line whose wording names a boilerplate section ("About the author",
      "More from X", "Advertisement") gives its kind to the rest of the box it heads, the
      smallest element it opens that holds more blocks, h2 or no h2.
    - A box whose blocks are all one boilerplate kind but for short lines: those are its
      heading and buttons ("Get the good stuff" over a newsletter call).
    - Teaser cards: an excerpt under a link title, the pair alone in its own element, with
      at least one more such card: the excerpts are the teasers', not the article's.
    - A table layout: lines that aren't sentences in cells before the article's own cell
      are the masthead, its tagline and the menus; after it (headings excepted), the
      board's furniture (who posted, who is online). The article's cell holds most of the
      prose the rules above left as text, not of a listing's excerpts they took; rows after
      the article's row shaped like it (an author's cell beside a message cell) are replies,
      comments, and a short first post is found again without them.

    A box that would take half of the article's prose is the article, whatever heads it,
    unless a related-links label heads a listing (excerpts each linking a page of its own).
    """
    raw, parent, end, tags = page.blocks, page.parent, page.end, page.tag
    main, n_blocks = BlockKind.MAIN, len(raw)
    owner_of = [b[0] for b in raw]
    main_prose = sum(prose[i] for i in range(n_blocks) if kinds[i] is main and in_main[owner_of[i]])
    if not main_prose:
        return
    limit = BOX_SHARE * main_prose

    spans: dict[int, tuple[int, int]] = {}  # box -> its blocks: the same from any block in it

    def box_blocks(box: int, i: int) -> tuple[int, int]:
        found = spans.get(box)
        if found is None:
            found = spans[box] = _box_blocks(owner_of, end, box, i)
        return found

    def inside(el: int) -> bool:  # strictly inside a main region: its parent is main too
        up = parent[el]
        return up >= 0 and in_main[el] and in_main[up]

    if BOX_LABELS:
        for i in range(n_blocks):
            kind = kinds[i]
            if kind not in LABEL_KINDS or lengths[i] > SECTION_LABEL or hinted_by[i] >= 0 or not in_main[owner_of[i]]:
                continue
            # A label names the section and nothing else: not a link ("Read: <headline>"), not
            # a field ("Category: News"), not a sentence.
            text = raw[i][1].rstrip().rstrip(":")
            if raw[i][2] > LINK_DENSE * lengths[i] or ":" in text or SENTENCE_END.search(text):
                continue
            box = owner_of[i]
            while True:
                lo, hi = box_blocks(box, i)
                if lo != i or not inside(box):
                    box = -1
                    break
                if hi > i:
                    break
                box = parent[box]
            if box < 0:
                continue
            taken = [j for j in range(i + 1, hi + 1) if kinds[j] is main]
            if taken and (sum(prose[j] for j in taken) < limit or (kind is BlockKind.RELATED and _listing(raw, taken))):
                for j in taken:
                    kinds[j] = kind

    if BOX_BOILERPLATE:
        looked_at: set[int] = set()  # boxes already judged: their short lines would find the same answer
        for i in range(n_blocks):
            if kinds[i] is not main or lengths[i] > SECTION_LABEL or (prose[i] and SENTENCE_END.search(raw[i][1])):
                continue
            owner = owner_of[i]
            if not in_main[owner]:
                continue
            box = owner
            lo, hi = box_blocks(box, i)
            while lo == hi == i and inside(box):
                box = parent[box]
                lo, hi = box_blocks(box, i)
            if lo == hi or box in looked_at or not inside(box):
                continue
            looked_at.add(box)
            shared = None
            lines = own = 0  # the short lines' text and the boilerplate's: the box is mostly the latter
            for j in range(lo, hi + 1):
                k = kinds[j]
                if k is main:
                    if (prose[j] and SENTENCE_END.search(raw[j][1])) or lengths[j] > SECTION_LABEL:
                        shared = None
                        break
                    lines += lengths[j]
                    continue
                own += lengths[j]
                if shared is None:
                    shared = k
                elif k is not shared:
                    shared = None
                    break
            if shared in REGION_KINDS and own >= lines:
                for j in range(lo, hi + 1):
                    if kinds[j] is main:
                        kinds[j] = shared

    if TEASER_CARDS:
        cards: list[tuple[int, int]] = []  # (card element, excerpt block)
        for i in range(1, n_blocks):
            t = i - 1
            if (
                kinds[i] is not main
                or not prose[i]
                or lengths[i] > MAX_TEASER_BLOCK
                or kinds[t] not in (BlockKind.RELATED, BlockKind.NAVIGATION)
                or raw[t][2] <= LINK_DENSE * lengths[t]
                or not in_main[owner_of[i]]
            ):
                continue
            card = owner_of[t]  # the innermost element holding both
            while not (card <= owner_of[i] <= end[card]):
                card = parent[card]
            lo, hi = box_blocks(card, i)
            if inside(card) and all(kinds[j] is not main for j in range(lo, hi + 1) if j != i):
                cards.append((card, i))
        taken = {i for _card, i in cards}
        # Teasers follow the article: cards with its text after them are its parts.
        last_text = max(
            (i for i in range(n_blocks) if kinds[i] is main and prose[i] and in_main[owner_of[i]] and i not in taken),
            default=-1,
        )
        cards = [(card, i) for card, i in cards if i > last_text]
        if len({card for card, _i in cards}) >= 2 and sum(prose[i] for _c, i in cards) < limit:
            for _card, i in cards:
                kinds[i] = BlockKind.RELATED

    if TABLE_CHROME and ("td" in tags or "th" in tags):
        cell = _article_cell(page, kinds, prose, in_main, ARTICLE_CELL_SHARE)
        wrapper = cell >= 0 and all(
            cell <= owner_of[i] <= end[cell] for i in range(n_blocks) if kinds[i] is main and in_main[owner_of[i]]
        )
        if cell < 0 or wrapper:
            # A board's replies can outweigh a short first post (the cell holding most of the prose is then
            # the layout's, around everything): found from the cell holding the most prose, they are
            # comments, and that cell is the article's.
            guess = _article_cell(page, kinds, prose, in_main, POST_CELL_SHARE)
            if guess >= 0 and _replies(page, kinds, prose, guess, limit):
                cell = guess  # a post among posts: the board's layout says which cell is the article
        if cell >= 0:
            for i in range(n_blocks):
                owner = owner_of[i]
                if cell <= owner <= end[cell]:
                    continue
                text = raw[i][1]
                # After the article, a short line ending in a colon labels a form control ("Jump to:").
                label = owner > cell and lengths[i] <= SECTION_LABEL and text.endswith(":")
                if kinds[i] is main and in_main[owner] and (label or not SENTENCE_END.search(text)):
                    if owner > cell and raw[i][4] in HEADINGS:
                        continue  # a heading after the cell may head the article's last part
                    links = raw[i][2] > LINK_DENSE * lengths[i]
                    kinds[i] = (
                        BlockKind.NAVIGATION if links else (BlockKind.HEADER if owner < cell else BlockKind.OTHER)
                    )
            _replies(page, kinds, prose, cell, limit)


def _listing(raw: list, taken: list[int]) -> bool:
    """Whether a box's text is a listing: three or more excerpts, each with a link of its own to a different
    page (other threads, other stories). A related-links label over it is believed whatever its share of
    the prose: an article's paragraphs do not each link a page of their own."""
    excerpts = [j for j in taken if len(raw[j][1]) >= LISTING_EXCERPT]
    if len(excerpts) < 3:
        return False
    firsts = [raw[j][3][0] if raw[j][3] else None for j in excerpts]
    return None not in firsts and len(set(firsts)) == len(firsts)


def _article_cell(page: Page, kinds: list[BlockKind], prose: list[int], in_main: list[bool], share: float) -> int:
    """The innermost table cell holding `share` of the article's prose as the rules so far left it (a listing
    they took, "Similar Topics" with its excerpts, is not the article), or -1."""
    parent, tags = page.parent, page.tag
    left = 0
    cell_prose: dict[int, int] = {}  # only cells holding prose: the page's other elements can't qualify
    for i, block in enumerate(page.blocks):
        if kinds[i] is BlockKind.MAIN and prose[i] and in_main[block[0]]:
            left += prose[i]
            el = block[0]
            while el >= 0 and in_main[el]:
                if tags[el] in ("td", "th"):
                    cell_prose[el] = cell_prose.get(el, 0) + prose[i]
                el = parent[el]
    if not left:
        return -1
    least = share * left
    if least <= 0:  # every element qualifies, prose or not
        return len(parent) - 1
    # The innermost: descendants come later in preorder.
    return max((el for el, held in cell_prose.items() if held >= least), default=-1)


def _row_shape(page: Page, row: int) -> tuple[str, ...]:
    """A table row's cells, by name (tag and classes, digits dropped: "row1" and "row2" alike)."""
    paths, parent, end = page.paths, page.parent, page.end
    return tuple(
        paths[el].rsplit("/", 1)[-1]
        for el in range(row + 1, end[row] + 1)
        if parent[el] == row and page.tag[el] in ("td", "th")
    )


def _replies(page: Page, kinds: list[BlockKind], prose: list[int], cell: int, limit: float) -> bool:
    """In a table layout, rows after the article's row shaped like it (an author's cell beside a message
    cell, as a board lays out every post) hold the replies: their text is comments. Rows of one cell (a
    paragraph a row, as old news layouts set an article) never count, nor replies holding half the article's
    prose."""
    parent, end, tags = page.parent, page.end, page.tag
    owner_of = [b[0] for b in page.blocks]
    row = parent[cell]
    while row >= 0:
        if tags[row] == "tr":
            shape = _row_shape(page, row)
            table = parent[row]
            if len(shape) >= 2 and table >= 0:
                in_reply = bytearray(len(parent))  # elements inside a reply row (one pass over the table)
                sibling = end[row] + 1
                while sibling <= end[table]:
                    if tags[sibling] == "tr" and parent[sibling] == table and _row_shape(page, sibling) == shape:
                        in_reply[sibling : end[sibling] + 1] = b"\x01" * (end[sibling] + 1 - sibling)
                    sibling = end[sibling] + 1
                taken = [i for i in range(len(kinds)) if kinds[i] is BlockKind.MAIN and in_reply[owner_of[i]]]
                if taken and 0 < sum(prose[i] for i in taken) < limit:
                    for i in taken:
                        kinds[i] = BlockKind.COMMENTS
                    return True
        row = parent[row]
    return False


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
        # A run of headlines ("A • B • C": a ticker over the page) is long enough to pass
        # for prose, but an article doesn't open with one.
        # main_idx ascends: the first such block is the least, and later ones needn't be split.
        first_prose = next(
            (i for i in main_idx if kinds[i] is BlockKind.MAIN and prose[i] and not _item_run(raw[i][1])), -1
        )
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
