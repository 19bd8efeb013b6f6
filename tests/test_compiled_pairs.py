"""The compiled content-word pairs (farmwatch/analysis/_text.pyx) are text.content_pairs' numpy pairs, and the
compiled keys sampled from them text.candidate_keys' numpy keys."""

from __future__ import annotations

import random

import numpy as np
import pytest

from farmwatch.analysis import text

WORDS = ["alpha", "bravo", "charlie", "delta", "the", "of", "a", "12", "7", "echo", "foxtrot", "golf", "hotel"]


def _sample(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(0, 12)):
        sentences.append(" ".join(rng.choices(WORDS, k=rng.randint(1, 9))) + rng.choice([".", "!", "?", "\n"]))
    return " ".join(sentences)


@pytest.mark.skipif(text._compiled_pairs is None, reason="the compiled module is not built")
def test_compiled_pairs_match_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    samples = ["", "alpha", "alpha. bravo. charlie.", "the of a", "alpha bravo charlie delta echo"]
    samples += [_sample(rng) for _ in range(1500)]
    # Pages of many distinct words: more than KEY_MIN pairs below the sample's limit, past KEY_CAP, and near both.
    vocabulary = ["".join(rng.choices("abcdefghijklmnop", k=6)) for _ in range(400)]
    for size in (40, 60, 80, 120, 300, 600, 2000):
        samples += [" ".join(rng.choices(vocabulary, k=size)) + "." for _ in range(5)]
    prepared = [text.prepare(s) for s in samples]
    stored = [text.PreparedText.from_bytes(p.to_bytes()) for p in prepared]  # read-only arrays
    compiled = [[text.content_pairs(p, w) for w in (1, 2, 3)] + [text.candidate_keys(p)] for p in prepared]
    compiled_stored = [[text.content_pairs(p, w) for w in (1, 2, 3)] + [text.candidate_keys(p)] for p in stored]
    monkeypatch.setattr(text, "_compiled_pairs", None)
    monkeypatch.setattr(text, "_compiled_keys", None)
    for p, got, got_stored in zip(prepared, compiled, compiled_stored, strict=True):
        expected = [text.content_pairs(p, w) for w in (1, 2, 3)] + [text.candidate_keys(p)]
        for a, b, c in zip(got, got_stored, expected, strict=True):
            assert a.dtype == b.dtype == c.dtype == np.uint64
            assert a.tobytes() == b.tobytes() == c.tobytes()
