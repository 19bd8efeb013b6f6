"""page_date.guess_date skips the steps of htmldate's find_date that provably find nothing: the date it guesses must
be find_date's (extensive_search=False, original_date=True) on every page, the dev corpora's and made-up ones."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from htmldate import find_date
from htmldate.core import TIMESTAMP_PATTERN
from htmldate.extractors import DATE_CORE_PATTERN, pattern_search
from htmldate.utils import Extractor
from htmldate.validators import get_max_date, get_min_date

from farmwatch.analysis import page_date
from farmwatch.analysis.decode import decode_html
from farmwatch.analysis.page import analyze_html
from farmwatch.analysis.page_date import _timestamp_search, date_cores, guess_date

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def htmldate_s(html: str, url: str | None) -> str | None:
    return find_date(html, url=url, extensive_search=False, original_date=True)


def outcome(guess: Callable[[str, str | None], str | None], html: str, url: str | None) -> object:
    """The date, or the error raised: the fallback reads any error as no date, but the two must agree on it too."""
    try:
        return guess(html, url)
    except Exception as error:
        return type(error)


# Pieces of markup and text that reach each of find_date's steps, and the characters their patterns are made of.
_PIECES = [
    "2019-03-12", "2019-3-2", "1999-12-31", "2039-01-01", "2019-13-45", "12.03.2019", "3/12/19", "2019/03/12",
    "10:20:30", "T10:20:30Z", " 08:15:00+01:00", "2019-03-12T10:20:30", "Datum: ", "posted on ", "Updated: ",
    "date: ", "Stand ", " tarihinde yayımlandı", "0", "1", "2", "9", "-", ".", "/", ":", " ", "T", "&#45;", "&#48;",
    "&amp;", "é", "words and more words ", "<p>", "</p>", "<div>", "</div>", '<div class="date">',
    '<span class="byline">', "</span>", '<div id="meta">', "<footer>", "</footer>", "<small>", "</small>", "<li>",
    "</li>", "<h1>", "</h1>",
    "<svg>x</svg>", "<svg>", "</svg>", "<script>var t = '", "';</script>", "<style>a{}</style>", "<!-- ", " -->",
    "<iframe></iframe>", '<time datetime="', '<time class="entry-date" datetime="', '">', "</time>",
    '<abbr class="published" title="', "</abbr>", '<a title="', '">link</a>', '<img src="/img/2019/05/03/a.jpg">',
    '<meta property="og:image" content="https://example.com/2019/05/03/a.jpg">',
    '<meta name="date" content="', '<meta itemprop="copyrightyear" content="2018">',
    '<script type="application/ld+json">{"datePublished": "', '"}</script>', '<link rel="canonical" href="',
    "https://example.com/2018/04/16/story", "/2020_01_02/", "\n",
]  # fmt: skip


def _random_pages(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    pages = []
    for _ in range(count):
        body = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 60)))
        head = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 4)))
        pages.append(f"<html><head><title>A page</title>{head}</head><body>{body}</body></html>")
    return pages


def test_the_guess_is_htmldate_s_on_random_pages() -> None:
    pages = _random_pages(7, 3000)
    guesses = []
    for index, html in enumerate(pages):
        url = None if index % 3 == 0 else f"https://example.com/news/story-{index}"
        guess = outcome(guess_date, html, url)
        assert guess == outcome(htmldate_s, html, url), html
        guesses.append(guess)
    # Both outcomes are common: the pages reach the last steps and find dates there or nowhere.
    assert 500 < sum(guess is None for guess in guesses) < 2500


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>Nothing dated here at all.</p>", None),
        ('<p>Posted</p><script>var published = "2019-03-12T10:20:30";</script>', "2019-03-12"),
        ("<script>var a = '12:30:45';</script><p>Text</p><p>later 2019-03-12T10:20:30</p>", "2019-03-12"),
        ("<p>Datum: 12.03.2019</p>", "2019-03-12"),
        ("<p>Datum: 32.13.2019</p>", None),
        ("<p>Last seen 2019-03-12 in the archive.</p>", "2019-03-12"),
        # A dropped element joins the text around it into a date that neither piece holds.
        ("<p>Seen on 2019-<svg>x</svg>03-12 here.</p>", "2019-03-12"),
        ("<p>Seen on 2019-<script>x</script>03-12 here.</p>", "2019-03-12"),
        ("<p>Seen on 2019-<!-- c -->03-12 here.</p>", None),
        ("<p>1999-12-31 10:00:00</p>", "1999-12-31"),
        ("<p>In 2039-01-01 maybe.</p>", None),
    ],
)
def test_the_late_steps_find_what_htmldate_finds(body: str, expected: str | None) -> None:
    html = f"<html><head><title>A page</title></head><body><article>{body}</article></body></html>"
    assert htmldate_s(html, "https://example.com/a") == expected
    assert guess_date(html, "https://example.com/a") == expected


def test_a_page_dense_with_date_cores_is_probed_as_htmldate_probes_it() -> None:
    # Past 1,000 cores without a dated phrase near them, htmldate searches the whole page.
    cores = " ".join(f"v{n % 9}.{n % 7}.{10 + n % 80}" for n in range(1200))
    html = f"<html><body><p>{cores}</p><p>{'x' * 200} Datum: 12.03.2019</p></body></html>"
    assert htmldate_s(html, None) == guess_date(html, None) == "2019-03-12"
    html = f"<html><body><p>{cores}</p></body></html>"
    assert htmldate_s(html, None) is guess_date(html, None) is None


def test_date_cores_are_the_core_pattern_s_matches() -> None:
    rng = random.Random(11)
    alphabet = "0123456789././:-a "
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        expected = [match.span() for match in DATE_CORE_PATTERN.finditer(text)]
        assert [match.span() for match in date_cores(text)] == expected, text


def test_the_timestamp_search_is_htmldate_s_pattern_search() -> None:
    options = Extractor(False, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")
    rng = random.Random(13)
    pieces = ["2019-03-12", "2019-3-1", "1999-12-31", "2035-01-01", "2019-02-30", "2019", "T", " ", "10:20:30",
              "10:20", ":30", "1", "-", ":", "Z", "+01:00", ".5", "a"]  # fmt: skip
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = pattern_search(text, TIMESTAMP_PATTERN, options)
        assert _timestamp_search(text, options) == expected, text
        found += expected is not None
    assert found > 50  # texts with a timestamp, its date valid or not, and texts with a bare clock before it


def test_another_htmldate_release_is_called_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(page_date.htmldate, "__version__", "0.0.1")
    monkeypatch.setattr(page_date, "find_date", lambda html, **kwargs: calls.append(kwargs) or "2001-02-03")
    assert guess_date("<html><body><p>2019-03-12</p></body></html>", "https://example.com/a") == "2001-02-03"
    assert calls == [{"url": "https://example.com/a", "extensive_search": False, "original_date": True}]


def test_a_page_dated_by_htmldate_only_keeps_its_date() -> None:
    html = (
        "<html><head><title>Council votes</title></head><body><article><h1>Council votes</h1>"
        + "<p>The council voted on the budget after a long debate about roads and schools in the city.</p>" * 4
        + "</article><script>var stamp = '2018-04-16T08:00:00';</script></body></html>"
    )
    analysis = analyze_html(html.encode(), "https://example.com/council")
    assert (analysis.published_at is not None, analysis.published_from) == (True, "htmldate")
    assert analysis.published_at.date().isoformat() == "2018-04-16"


def test_the_guess_is_htmldate_s_on_every_dev_corpus_page() -> None:
    compared = 0
    for corpus in ("extraction-dev", "provenance-dev", "reuse-dev"):
        listing = CORPORA / corpus / "truth.jsonl"
        listing = listing if listing.exists() else listing.with_name("pages.jsonl")
        if not listing.exists():
            continue
        for line in listing.open(encoding="utf-8"):
            row = json.loads(line)
            html = decode_html((CORPORA / corpus / row["html_file"]).read_bytes())
            for url in (row["url"], None):
                assert outcome(guess_date, html, url) == outcome(htmldate_s, html, url), (corpus, row["id"], url)
                compared += 1
    if not compared:
        pytest.skip("shared corpora not available")
