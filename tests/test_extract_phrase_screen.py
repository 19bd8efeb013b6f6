"""phrases.py screens its alternations: by a block's first character (only the alternatives that can
start with it) and its last ("read more" endings). Screened and whole patterns must agree on every text."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.decode import decode_html
from farmwatch.analysis.extract import extract_blocks, phrases
from farmwatch.analysis.extract.phrases import (
    _ANY_SCREEN,
    _CALL_SCREEN,
    _READ_MORE_ANY,
    _READ_MORE_END,
    _READ_MORE_LAST,
    _ends_read_more,
    _screened_match,
    _split_top,
)

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"

# Pieces of the patterns' wording, to build texts that get far into them.
_PIECES = [
    "share", "read more", "read also: ", "by ", "photo: ", "© ", "(via ", "12 / 3", "if you enjoyed", "werbung: x",
    "jan 12, 2024", "12.03.2024 | ", "tags: ", "sign up", "source", "source link", "h/t: ", "thanks to ",
    " for the tip",
    "about the author", "advertisement", "copyright", "posted in ", "comments (3)", "3 comments", "#tag #two",
    "„", "\"", "(", "*", " ", "\n", "\u00a0", "İ", "ſ", "K", "…", "»", "›", "→", "]", ")", "•", "more", "mehr",
    "weiterlesen", "leer más", "plus", "mais", "ler mais", "continue reading", ".", ":", "-", "_____", "fig. 2: ",
]  # fmt: skip
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 .,:;-–—()[]\"«»„“*#©/|>»›…_'’ éüöäñçąłİıßẞſ\n\t\u00a0АбвΣσς日本"


def _random_texts(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = [rnd.choice(_PIECES) if rnd.random() < 0.5 else rnd.choice(_ALPHABET) for _ in range(rnd.randrange(6))]
        texts.append("".join(parts) + "".join(rnd.choice(_ALPHABET) for _ in range(rnd.randrange(12))))
    return texts


def _corpus_texts() -> list[str]:
    texts: list[str] = []
    for corpus, index in (("extraction-dev", "truth.jsonl"), ("provenance-dev", "pages.jsonl")):
        path = CORPORA / corpus / index
        if not path.exists():
            continue
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            html = decode_html((CORPORA / corpus / row["html_file"]).read_bytes())
            texts.extend(block.text for block in extract_blocks(LexborHTMLParser(html)))
    return list(dict.fromkeys(texts))


def _agree(texts: list[str]) -> None:
    for text in texts:
        for lowered in (text.lower(), text):
            for screen in (_ANY_SCREEN, _CALL_SCREEN):
                whole = screen.whole.match(lowered)
                screened = _screened_match(screen, lowered)
                assert (whole and (whole.lastgroup, whole.span())) == (
                    screened and (screened.lastgroup, screened.span())
                ), text
        start = max(0, len(text) - 40)
        unscreened = (
            _READ_MORE_ANY.search(text[start:].lower()) is not None and _READ_MORE_END.search(text, start) is not None
        )
        assert _ends_read_more(text) is unscreened, text


def test_screens_agree_with_the_whole_patterns_on_random_texts() -> None:
    _agree(_random_texts(1, 60_000))


def test_screens_agree_for_every_first_character() -> None:
    rnd = random.Random(2)
    chars = [chr(i) for i in range(0x3100)] + [chr(rnd.randrange(0x3100, 0x110000)) for _ in range(2000)]
    texts = [ch + tail for ch in chars for tail in _random_texts(ord(ch), 3)]
    _agree(texts)


def test_screens_agree_on_the_dev_corpora_blocks() -> None:
    texts = _corpus_texts()
    if not texts:
        pytest.skip("shared corpora not available")
    _agree(texts)
    _agree([text[len(text) // 2 :] for text in texts])  # their middles start anywhere


def test_read_more_endings_last_characters_are_all_listed() -> None:
    # The pattern's last non-space character is one of its closers or a word's last letter.
    letters = re.compile(r"[egnosùjr»›>→\])•]", re.IGNORECASE)
    assert frozenset(chr(i) for i in range(0x110000) if letters.fullmatch(chr(i))) == _READ_MORE_LAST
    for ending in ("read more", "continue reading", "weiterlesen", "leer más", "seguir leyendo", "lire la suite",
                   "leggi tutto", "leggi di più", "czytaj dalej", "lees meer", "ler mais", "… more", "… mehr", "… plus",
                   "… más", "… mais", "more »", "mehr ›"):  # fmt: skip
        assert ending[-1].lower() in _READ_MORE_LAST
        assert _ends_read_more(f"Some excerpt. {ending}  ")


def test_alternatives_are_split_at_the_top_level_only() -> None:
    assert _split_top("^(?:a|[(|]|(?:c|d))") == ["a", "[(|]", "(?:c|d)"]
    assert _split_top("^(?:a)\\s*(?:b)") == ["^(?:a)\\s*(?:b)"]
    assert _split_top("^(?:a)|(?:b)") == ["^(?:a)", "(?:b)"]
    assert _split_top("^a|^b\\|c") == ["^a", "^b\\|c"]
    # Every alternative, rejoined, is the pattern again.
    for _kind, pattern, _n in phrases._PHRASES:
        parts = _split_top(pattern.pattern)
        assert re.compile("|".join(parts)).pattern == "|".join(parts)
