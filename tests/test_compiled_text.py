"""The compiled word look-up (farmwatch/analysis/_text.pyx) gives prepare() the same tokens as the Python loop."""

from __future__ import annotations

import numpy as np
import pytest

from farmwatch.analysis import text

TEXTS = [
    "Hello world, the World is big. Café naïve 12 x 2024.",
    "İstanbul’da ŞEHİR — «Guillemets» and “quotes”; ﬁne ligatures, ß, ΣΊΣΥΦΟΣ.",
    "پاکستان کے وزیراعظم نے کہا کہ ’’یہ ایک اہم قدم ہے‘‘۔ हिन्दी पाठ।",
    "日本語のテキストと English words mixed 東京 2020",
    "",
    "   ",
    "a\nb\n\nc d e f g h i j k l m n o p q r s t u v w x y z " * 40,
]


@pytest.mark.skipif(text._compiled_rows is None, reason="the compiled module is not built")
@pytest.mark.parametrize("sample", TEXTS)
def test_compiled_lookup_matches_python(sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text._VOCABULARY.clear()  # unknown words go through the compiled path's fallback too
    compiled = text.prepare(sample)
    again = text.prepare(sample)  # every word known now
    monkeypatch.setattr(text, "_compiled_rows", None)
    text._VOCABULARY.clear()
    python = text.prepare(sample)
    for prepared in (compiled, again):
        assert prepared.to_bytes() == python.to_bytes()
        assert np.array_equal(prepared.tok_content, python.tok_content)
