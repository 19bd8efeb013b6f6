"""The compiled sentence breaks (farmwatch/analysis/_text.pyx) are _BREAK's matches, as the regex finds them."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from farmwatch.analysis import text

# Every character _BREAK reads, and others around them: letters, spaces of several kinds, a line break,
# characters past the BMP, the backslash (in _CLOSE's source, not in its class).
ALPHABET = (
    list(text._ENDS + text._ENDS_ANYWHERE + text._CLOSE + text._CLOSE_ANYWHERE)
    + list("ab Z9\n\t\u00a0\u2003\u3000-,\\")
    + ["\U0001f600", "\U0001d41b"]
)


def _regex_breaks(sample: str) -> tuple[list[int], list[int], list[bool]]:
    spans = [m.span() for m in text._BREAK.finditer(sample)]
    return [s for s, _ in spans], [e for _, e in spans], [sample[s] == "\n" for s, _ in spans]


@pytest.mark.skipif(text._compiled_breaks is None, reason="the compiled module is not built")
def test_compiled_breaks_are_the_regex_matches() -> None:
    rng = random.Random(17)
    samples = ["", "a", ".", "a. b", "a.b", "Hi!!” Yes", "x...\n", "日本。」次", "end?)", "a.\u00a0b", "q.\\ r"]
    samples += ["".join(rng.choices(ALPHABET, k=rng.randint(1, 60))) for _ in range(20000)]
    for sample in samples:
        starts, ends, newline = text._compiled_breaks(text._classes(sample))
        assert (starts.tolist(), ends.tolist(), newline.tolist()) == _regex_breaks(sample), repr(sample)
        assert starts.dtype == ends.dtype == np.int64 and newline.dtype == bool


def test_break_classes_are_the_regex_classes() -> None:
    table = text._char_classes()
    for chars, bit in (
        (text._ENDS, text._IS_END),
        (text._ENDS_ANYWHERE, text._IS_END_ANYWHERE),
        (text._CLOSE, text._IS_CLOSE),
        (text._CLOSE_ANYWHERE, text._IS_CLOSE_ANYWHERE),
    ):
        pattern = re.compile(f"[{chars}]")
        flagged = np.flatnonzero(table & bit).tolist()
        assert flagged == [code for code in range(0x10000) if pattern.match(chr(code))]
        astral = "".join(map(chr, range(0x10000, 0x110000)))
        assert pattern.search(astral) is None
    assert np.flatnonzero(table & text._IS_NEWLINE).tolist() == [10]
