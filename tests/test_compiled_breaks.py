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
    for bit, chars in text._CLAUSE_CLASSES:  # what _CLAUSE reads besides \s and \w
        pattern = re.compile(chars)
        assert np.flatnonzero(table & bit).tolist() == [code for code in range(0x10000) if pattern.match(chr(code))]


# Words, clause marks, dashes and hyphens, spaces, marks only text._WORD reads as word characters (a Devanagari
# vowel sign, a combining accent), sentence ends and a line break now and then.
PIECES = ["ab", "word", "x", "ि", "\u0301", "12", "-", " - ", " – ", "—", ",", "،", "；", " ", "  ", "\u00a0"]
PIECES += [". ", "\n"]


@pytest.mark.skipif(text._compiled_clauses is None, reason="the compiled module is not built")
def test_compiled_clause_cuts_are_the_regex_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(29)
    cuts = 0
    for _ in range(3000):
        weights = [rng.random() for _ in PIECES]
        sample = "".join(rng.choices(PIECES, weights, k=rng.randint(20, 400)))
        classes = text._classes(sample)
        run_starts, run_ends = text._word_runs(classes)
        break_starts, break_ends, at_newline = text._breaks(sample, classes)
        seg_starts = np.concatenate([[0], break_ends])
        seg_ends = np.concatenate([np.where(at_newline, break_starts, break_ends), [len(sample)]])
        keep = seg_ends > seg_starts
        seg_starts, seg_ends = seg_starts[keep], seg_ends[keep]
        first = np.searchsorted(run_starts, seg_starts)
        last = np.searchsorted(run_starts, seg_ends)
        long = np.flatnonzero(seg_ends - seg_starts > 40)  # more pieces than the sentence rule would cut
        args = (seg_starts, seg_ends, long, first, last, run_ends)
        for clause_min in (1, 3, 8):
            monkeypatch.setattr(text, "CLAUSE_MIN", clause_min)
            expected = text._python_clause_cuts(sample, *args)
            starts, ends = text._compiled_clauses(classes, *args, clause_min)
            assert (starts.tolist(), ends.tolist()) == expected, repr(sample)
            cuts += len(expected[0]) - len(long)
    assert cuts > 10000  # the samples do get cut
