"""phrases._ends_read_more screens blocks by their last character before its patterns: screened and
unscreened must agree on every text."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.decode import decode_html
from farmwatch.analysis.extract import extract_blocks
from farmwatch.analysis.extract.phrases import _READ_MORE_ANY, _READ_MORE_END, _READ_MORE_LAST, _ends_read_more

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
