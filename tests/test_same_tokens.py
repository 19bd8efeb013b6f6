"""prepare() tells fingerprint whether its tokens are shingle_hashes' words: the same answer as asking the text."""

from __future__ import annotations

import pytest

from farmwatch.analysis import fingerprint, text

TEXTS = [
    "Plain English text, with punctuation.",
    "Café naïve 12",  # precomposed: one \w character each
    "Cafe\u0301 with a combining accent",
    "हिन्दी पाठ",  # Devanagari vowel signs are not \w
    "ภาษาไทย",
    "İstanbul",  # lower-cases to two characters
    "Emoji 😀 and 𝐛𝐨𝐥𝐝 letters past the BMP",
    "پاکستان کے وزیراعظم",
    "",
]


@pytest.mark.parametrize("sample", TEXTS)
def test_prepare_knows_same_tokens(sample: str) -> None:
    assert text.prepare(sample).derived["same_tokens"] == fingerprint._same_tokens(sample)


def test_word_only_bit_is_fingerprints_class() -> None:
    table = text._char_classes()
    for code in range(0x10000):
        flagged = bool(table[code] & text._IS_WORD_ONLY)
        assert flagged == bool(fingerprint._WORD_ONLY.match(chr(code))), hex(code)
