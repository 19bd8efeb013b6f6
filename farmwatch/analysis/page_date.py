"""htmldate's fast-mode guess of a page's original date, as find_date(html, url=url, extensive_search=False,
original_date=True) gives it, with the same steps in the same order and less work where a step provably finds nothing.

find_date runs every step on a page with no date (about half the pages that reach the fallback, ~3.5 ms each), and
three of them scan the whole serialised page or its whole text with a regular expression that rarely matches.
Each shortcut here is a necessary condition of the step's own pattern, checked on the same string the step reads,
so the step is skipped only where it would return None, and otherwise run as htmldate runs it. The steps
themselves are htmldate's functions: nothing of its date parsing is written again here.

The order of the steps is that of the htmldate release named in MIRRORED_VERSION; with any other release installed,
guess_date calls find_date itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

import htmldate
from htmldate.core import (
    TIMESTAMP_LOOSE_PATTERN,
    TIMESTAMP_PATTERN,
    date_candidates,
    examine_abbr_elements,
    examine_elements,
    examine_header,
    examine_time_elements,
    find_date,
    serialize,
)
from htmldate.extractors import (
    DATE_CORE_PATTERN,
    TEXT_PATTERNS,
    discard_unwanted,
    extract_url_date,
    idiosyncrasies_search,
    img_search,
    json_search,
    pattern_search,
)
from htmldate.settings import CLEANING_LIST
from htmldate.utils import Extractor, clean_html, load_html
from htmldate.validators import get_max_date, get_min_date
from lxml.html import HtmlElement

MIRRORED_VERSION = "1.11.0"

# TIMESTAMP_PATTERN is YEAR-M-D, "T" or a space, then HH:MM:SS: every match holds ":dd:" (its minutes between two
# colons), starting 11 to 13 characters after the match's start (a date of 8 to 10 characters, the separator, HH).
# A page where the first ":dd:" is at q has no match starting before q - 13. The search for ":dd:" starts only at
# colons, far rarer than the digits TIMESTAMP_PATTERN starts at: 7 ms instead of 62 ms over the 212 fallback pages of
# a dev corpus, where 141 have no ":dd:" at all.
_CLOCK = re.compile(r":[0-9]{2}:")
_CLOCK_OFFSET = 13

# DATE_CORE_PATTERN is 1-4 digits, "." or "/", 1-2 digits, "." or "/", 2-4 digits: a match starting at s holds
# _CORE_MIDDLE (its separators with the digits between and two after) starting at s + 1 to s + 4.
_CORE_MIDDLE = re.compile(r"[./][0-9]{1,2}[./][0-9]{2}")
_CORE_LEAD = 4
# idiosyncrasies_search's own limits: it probes the windows around the first 1,000 cores, 60 characters each side.
_CORE_PROBES = 1000
_CORE_WINDOW = 60


def guess_date(html: str, url: str | None) -> str | None:
    """find_date(html, url=url, extensive_search=False, original_date=True), as a YYYY-MM-DD string or None."""
    if htmldate.__version__ != MIRRORED_VERSION:
        return find_date(html, url=url, extensive_search=False, original_date=True)
    tree = load_html(html)
    if tree is None:
        return None
    options = Extractor(False, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")
    if url is None:
        canonical = tree.find('.//link[@rel="canonical"]')
        if canonical is not None:
            url = canonical.get("href")
    result = extract_url_date(url, options)
    if result is not None:
        return result
    result = examine_header(tree, options) or json_search(tree, options)
    if result is not None:
        return result
    result = examine_abbr_elements(tree, options)
    if result is not None:
        return result
    # The tree is ours (parsed from the string), so it is pruned in place, as find_date does.
    try:
        search_tree = discard_unwanted(clean_html(tree, CLEANING_LIST))
    except ValueError:  # lxml refuses some control characters: find_date goes on with the unpruned tree
        search_tree = tree
    result = (
        examine_elements(date_candidates(search_tree, False), options)
        or examine_elements(search_tree.xpath(".//title|.//h1"), options)
        or examine_time_elements(search_tree, options)
    )
    if result is not None:
        return result
    htmlstring = serialize(search_tree)
    result = (
        _timestamp_search(htmlstring, options)
        or img_search(search_tree, options)
        or _idiosyncrasies_search(htmlstring, options)
    )
    if result is not None:
        return result
    return _loose_text_search(search_tree, options)


def _timestamp_search(htmlstring: str, options: Extractor) -> str | None:
    """pattern_search(htmlstring, TIMESTAMP_PATTERN, options), started where its first match can be at the earliest."""
    clock = _CLOCK.search(htmlstring)
    if clock is None:
        return None
    return pattern_search(htmlstring[max(0, clock.start() - _CLOCK_OFFSET) :], TIMESTAMP_PATTERN, options)


def date_cores(htmlstring: str) -> Iterator[re.Match[str]]:
    """DATE_CORE_PATTERN.finditer(htmlstring), the same matches, found from _CORE_MIDDLE's (twice as fast: sixty
    times more digits than separators in a page's markup).

    Invariant: no match of DATE_CORE_PATTERN starts in [0, low), or between low and the next match yielded. A match
    starting at s >= low holds _CORE_MIDDLE at s + 1 to s + 4, so the first _CORE_MIDDLE at q >= low + 1 leaves
    [q - 4, q) as the only starts to try before q; a match there is the next one (the pattern has no look-behind, so
    match() at a position finds what finditer does); none there moves low to q."""
    low = 0
    while True:
        middle = _CORE_MIDDLE.search(htmlstring, low + 1)
        if middle is None:
            return
        found = None
        for start in range(max(low, middle.start() - _CORE_LEAD), middle.start()):
            found = DATE_CORE_PATTERN.match(htmlstring, start)
            if found is not None:
                break
        if found is None:
            low = middle.start()
        else:
            yield found
            low = found.end()


def _idiosyncrasies_search(htmlstring: str, options: Extractor) -> str | None:
    """idiosyncrasies_search(htmlstring, options), run only where its probe around the date cores finds a match or
    hits its cap; the probe is its own, over the same cores found faster."""
    cores = date_cores(htmlstring)
    for core in islice(cores, _CORE_PROBES):
        if TEXT_PATTERNS.search(htmlstring, max(0, core.start() - _CORE_WINDOW), core.end() + _CORE_WINDOW):
            return idiosyncrasies_search(htmlstring, options)
    if next(cores, None) is not None:
        return idiosyncrasies_search(htmlstring, options)
    return None


def _loose_text_search(search_tree: HtmlElement, options: Extractor) -> str | None:
    """find_date's last resort in fast mode: a bare YEAR-M-D in the text, script and style left out.

    The pieces itertext() joins are runs of text nodes, each a substring of the text nodes' concatenation (XPath's
    string(), text_content()); a match within a piece is one within the concatenation, and the pattern's date has no
    space, so a match in the joined text starts and has its date within one piece. No match in the concatenation
    proves none in the joined text: the concatenation is built in C (30 ms over a dev corpus's 212 fallback pages,
    where joining the pieces in Python takes 110 ms)."""
    clean_html(search_tree, ["script", "style"])
    if TIMESTAMP_LOOSE_PATTERN.search(search_tree.text_content()) is None:
        return None
    text = " ".join(search_tree.itertext())
    return pattern_search(text, TIMESTAMP_LOOSE_PATTERN, options)
