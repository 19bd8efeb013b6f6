"""phrases._ends_read_more screens blocks by their last character before its patterns, phrases._phrase_kind
screens blocks for the near-start wording by its words anywhere in the block, and the phrase patterns fail fast
(possessive optional words, a look-ahead before the dates): screened and unscreened must agree on every text."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.decode import decode_html
from farmwatch.analysis.extract import extract_blocks
from farmwatch.analysis.extract.phrases import (
    _ANY_PHRASE,
    _CALL,
    _CALLS,
    _NEAR_START,
    _PHRASE_SOURCES,
    _READ_MORE_ANY,
    _READ_MORE_END,
    _READ_MORE_LAST,
    _ends_read_more,
    _phrase_kind,
)
from farmwatch.analysis.extract.thresholds import MAX_PHRASE_BLOCK

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"

# Pieces of the patterns' wording, to build texts that get far into them.
_PIECES = [
    "read more", "continue reading", "weiterlesen", "leer más", "seguir leyendo", "lire la suite", "leggi tutto",
    "leggi di più", "czytaj dalej", "lees meer", "ler mais", "more", "mehr", "plus", "más", "mais", "READ MORE",
    "…", "...", "»", "›", ">", "→", "]", ")", "[", "(", "•", "••", " ", "\n", "\u00a0", "\u2003", "İ", "ſ", "Ù",
    ".", "x", "Lorem ipsum dolor sit amet. ",
]  # fmt: skip
_ALPHABET = 'abcdefghijklmnopqrstuvwxyz .,:;-–()[]"«»…>›→•éüñçİıſ\n\t\u00a0'


def _unscreened(text: str) -> bool:
    start = max(0, len(text) - 40)
    return _READ_MORE_ANY.search(text[start:].lower()) is not None and _READ_MORE_END.search(text, start) is not None


def _near_start_unscreened(text: str) -> BlockKind | None:
    """What a block that no other phrase takes gets from the near-start wording, every entry tried in turn."""
    head = text[:120].lower()
    for kind, words, pattern, latest, longest in _NEAR_START:
        if len(text) <= longest and any(word in head for word in words):
            found = pattern.search(text, 0, latest + 40)
            if found is not None and found.start() <= latest:
                return kind
    return BlockKind.RELATED if _ends_read_more(text) else None


def _near_start_agrees(text: str) -> bool:
    lowered = text.lower()
    if len(text) > MAX_PHRASE_BLOCK or _CALL.match(lowered) or _ANY_PHRASE.match(lowered):
        return True  # decided before the near-start wording
    return _phrase_kind(text) is _near_start_unscreened(text)


_DATE_LOOKAHEAD = r"(?=\d|\w{3,10}+\.?\s+\d)"


def _plain(pattern: str) -> str:
    """The pattern without what makes it fail fast: the same texts must match."""
    return pattern.replace(_DATE_LOOKAHEAD, "").replace("?+", "?").replace("{3,10}+", "{3,10}")


# Each phrase pattern twice, fail-fast and plain, as phrase_kind runs it: on the lower-cased text, and (the
# one-by-one fallback) case-insensitive on the text; the calls to action after their opening quotes and brackets.
_OPENING = _CALL.pattern[: _CALL.pattern.index("(?:")]  # the quotes and brackets before a call to action


def _pair(pattern: str, flags: int = 0, opening: str = "") -> tuple[re.Pattern[str], re.Pattern[str], bool]:
    return re.compile(f"{opening}(?:{pattern})", flags), re.compile(f"{opening}(?:{_plain(pattern)})", flags), not flags


_PAIRS = [_pair(p) for _k, p, _n in _PHRASE_SOURCES] + [_pair(p, re.IGNORECASE) for _k, p, _n in _PHRASE_SOURCES]
_PAIRS += [_pair(p, opening=_OPENING) for _k, p in _CALLS]


def _fail_fast_agrees(text: str) -> bool:
    lowered = text.lower()
    return all(
        (fast.match(lowered if lower else text) is None) is (plain.match(lowered if lower else text) is None)
        for fast, plain, lower in _PAIRS
    )


def _random_texts(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = [rnd.choice(_PIECES) if rnd.random() < 0.7 else rnd.choice(_ALPHABET) for _ in range(rnd.randrange(8))]
        texts.append("".join(parts))
    return texts


def test_the_read_more_screen_agrees_on_random_texts() -> None:
    texts = _random_texts(1, 100_000)
    assert sum(map(_unscreened, texts)) > 1000  # the texts do reach the endings
    for text in texts:
        assert _ends_read_more(text) is _unscreened(text), text


def test_the_read_more_screen_agrees_on_the_dev_corpora_blocks() -> None:
    texts: list[str] = []
    for corpus, index in (("extraction-dev", "truth.jsonl"), ("provenance-dev", "pages.jsonl")):
        path = CORPORA / corpus / index
        if not path.exists():
            continue
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            html = decode_html((CORPORA / corpus / row["html_file"]).read_bytes())
            texts.extend(block.text for block in extract_blocks(LexborHTMLParser(html)))
    if not texts:
        pytest.skip("shared corpora not available")
    for text in dict.fromkeys(texts):
        assert _ends_read_more(text) is _unscreened(text), text
        assert _near_start_agrees(text), text
        assert _fail_fast_agrees(text), text


def test_read_more_endings_last_characters_are_all_listed() -> None:
    # The pattern's last non-space character is one of its closers or a word's last letter.
    letters = re.compile(r"[egnosùjr»›>→\])•]", re.IGNORECASE)
    assert frozenset(chr(i) for i in range(0x110000) if letters.fullmatch(chr(i))) == _READ_MORE_LAST
    for ending in (
        "read more", "continue reading", "weiterlesen", "leer más", "seguir leyendo", "lire la suite", "leggi tutto",
        "leggi di più", "czytaj dalej", "lees meer", "ler mais", "… more", "… mehr", "… plus", "… más", "… mais",
        "more »", "mehr ›", "[more]", "(mehr)", "more ••",
    ):  # fmt: skip
        assert _ends_read_more(f"Some excerpt. {ending}  \n")
        assert _ends_read_more(f"Some excerpt. {ending.upper()}")


# The near-start words, and what puts them past the head or changes the text's length when lower-cased.
_NEAR_PIECES = [
    "Getty Images", "iStockphoto", "Shutterstock", "imago images", "picture-alliance", "Adobe Stock", "Unsplash",
    "Pixabay", "is not responsible for the views", "does not provide legal advice", "© AP", "©", "unsubscribe any time",
    "channel on Telegram", "Kanal auf YouTube", "WhatsApp", "Photo: ", "Lorem ipsum dolor sit amet. ", "İ", "ſ", "Σ",
    " ", "\n", "x" * 40, "read more",
]  # fmt: skip


def test_the_near_start_screen_agrees_on_random_texts() -> None:
    rnd = random.Random(2)
    texts = ["".join(rnd.choice(_NEAR_PIECES) for _ in range(rnd.randrange(1, 10))) for _ in range(30_000)]
    assert sum(_near_start_unscreened(text) is not None for text in texts) > 1000  # the texts do reach the wording
    for text in texts:
        assert _near_start_agrees(text), text
        assert _fail_fast_agrees(text), text


# The optional words, brackets and dates the fail-fast forms are about, and what may follow them.
_FAST_PIECES = [
    "12", "2024", "03", "12.", "-", "/", ".", ",", " ", "  ", "\n", "(", ")", "March", "mar.", "international",
    "12:30", "pm", "uhr", " gmt", "+1", "İ", "ſ", "\u212a", "x", "Please ", "please\n", "consider ", "supporting us",
    "donating to our", "jetzt ", "Mitglied werden", "the ", "views expressed here", "möchten sie ",
    "den artikel teilen", "php ", "warning: x on line 3", "many ", "thanks to you for the story", "à ", "lire aussi",
    "también ", "te puede interesar", "news ", "last ", "date:", "modified:", "photo:", "foto :", "via The Atlantic",
    "noch ", "keine bewertungen", "sorted by", "views",
]  # fmt: skip


def test_the_fail_fast_patterns_match_as_the_plain_ones_on_random_texts() -> None:
    assert sum(fast.pattern != plain.pattern for fast, plain, _l in _PAIRS) >= 10  # the rewritten ones are here
    rnd = random.Random(3)
    texts = ["".join(rnd.choice(_FAST_PIECES) for _ in range(rnd.randrange(1, 8))) for _ in range(30_000)]
    matched = 0
    for text in texts:
        assert _fail_fast_agrees(text), text
        matched += any(fast.match(text.lower()) for fast, _p, lower in _PAIRS if lower)
    assert matched > 3000  # the texts do reach the rewritten alternatives
