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
    # The space bit, found by \s, is str.isspace on every character (none past the BMP is one).
    assert np.flatnonzero(table & text._IS_SPACE).tolist() == [c for c in range(0x10000) if chr(c).isspace()]
    assert not any(chr(code).isspace() for code in range(0x10000, 0x110000))
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


@pytest.mark.skipif(text._compiled_scan is None, reason="the compiled module is not built")
def test_compiled_scan_is_classes_and_word_runs() -> None:
    rng = random.Random(31)
    alphabet = ALPHABET + PIECES + ["é", "ß", "日本", "ไทย", "\u0670", "_", "\x00", "\uffff"]
    samples = ["", "a", " ", "ab cd", "\U0001f600", "日本語のテキスト", "a\u0301b"]
    samples += ["".join(rng.choices(alphabet, k=rng.randint(1, 80))) for _ in range(20000)]
    for sample in samples:
        found = text._compiled_scan(sample, text._char_classes())
        if max(sample, default="a") > "\uffff":
            assert found is None  # such a text is classified in Python, as before
            continue
        classes, run_starts, run_ends, union = found
        expected = text._classes(sample)
        starts, ends = text._word_runs(expected)
        assert classes.tolist() == expected.tolist() and classes.dtype == expected.dtype
        assert (run_starts.tolist(), run_ends.tolist()) == (starts.tolist(), ends.tolist()), repr(sample)
        assert run_starts.dtype == run_ends.dtype == np.intp
        assert union == int(np.bitwise_or.reduce(expected, initial=0))


@pytest.mark.skipif(text._compiled_strip is None, reason="the compiled module is not built")
def test_compiled_strip_and_join_is_numpys(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(37)
    pieces = [*PIECES, "!", "?” ", "」", "。", "\t", "\n\n", " . ", ".\n", "\u3000", "\U0001f600"]
    samples = ["", " ", ".", " . ", "a", "\n\na. . b\n", ". x", "» y. « z"]
    for _ in range(6000):
        weights = [rng.random() for _ in pieces]
        samples.append("".join(rng.choices(pieces, weights, k=rng.randint(1, 300))))
    for sample in samples:
        classes, run_starts, run_ends, _ = text._scan(sample)
        compiled = text._sentences(sample, classes, run_starts, run_ends)
        with monkeypatch.context() as m:
            m.setattr(text, "_compiled_sentences", None)
            assert [a.tolist() for a in text._sentences(sample, classes, run_starts, run_ends)] == [
                a.tolist() for a in compiled
            ]
            m.setattr(text, "_compiled_strip", None)
            expected = text._sentences(sample, classes, run_starts, run_ends)
        assert [a.tolist() for a in compiled] == [a.tolist() for a in expected], repr(sample)
        assert compiled[0].dtype == compiled[1].dtype == expected[0].dtype == np.int32


@pytest.mark.skipif(text._compiled_sentences is None, reason="the compiled module is not built")
def test_compiled_sentence_spans_are_the_python_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sentences of the one compiled call are those of the regex and numpy steps, long sentences cut at clause
    marks by every rule (none, the default, short sentences cut too, few words a clause)."""
    rng = random.Random(41)
    pieces = [*PIECES, "!", "?” ", "。", "\t", "\n\n", " . ", ".\n", "\u3000", "\U0001f600", "word word word "]
    samples = ["", " ", ".", " . ", "a", "\n\na. . b\n", ". x", "» y. « z", "a, " * 60, ("word " * 40 + ", ") * 4]
    for _ in range(2000):
        weights = [rng.random() for _ in pieces]
        samples.append("".join(rng.choices(pieces, weights, k=rng.randint(1, 400))))
    cut, uncut = 0, {}
    for clause_words, clause_min in ((0, 8), (text.CLAUSE_WORDS, text.CLAUSE_MIN), (3, 1), (10, 3)):
        monkeypatch.setattr(text, "CLAUSE_WORDS", clause_words)
        monkeypatch.setattr(text, "CLAUSE_MIN", clause_min)
        for sample in samples:
            classes, run_starts, run_ends, _ = text._scan(sample)
            compiled = text._sentences(sample, classes, run_starts, run_ends)
            with monkeypatch.context() as m:
                for name in ("_compiled_sentences", "_compiled_breaks", "_compiled_clauses", "_compiled_strip"):
                    m.setattr(text, name, None)
                expected = text._sentences(sample, classes, run_starts, run_ends)
            assert [a.tolist() for a in compiled] == [a.tolist() for a in expected], (clause_words, repr(sample))
            assert compiled[0].dtype == compiled[1].dtype == np.int32
            found = [a.tolist() for a in expected]
            cut += uncut.setdefault(sample, found) != found
    assert cut > 500  # clause marks did cut sentences


@pytest.mark.skipif(text._compiled_quotes is None, reason="the compiled module is not built")
def test_compiled_quote_spans_are_the_regex_matches() -> None:
    """The compiled search of quotations, which tries _QUOTE only at opening marks, finds _QUOTE's matches: on texts
    of every quotation mark, apostrophes inside and after words, doubled marks, line breaks and characters past
    the BMP; every mark _QUOTE can begin with is an opening mark (a text opening with any other character has no
    quotation there)."""
    rng = random.Random(43)
    marks = [*text._QUOTE_OPENERS, "”", "“", "»", "」", "』", "’’", "‘‘", "''"]
    pieces = [
        *marks,
        "word",
        "it",
        "a",
        " ",
        "  ",
        "\n",
        "\n “",
        "don't",
        "don’t",
        "ि",
        "\U0001d41b",
        "\U0001f600",
        "é",
    ]
    samples = ["", "'", "’", "'a'", "’’x‘‘", "a 'b' c", "“a\n“b”", "'(x)'", "x''y'"]
    for _ in range(20000):
        weights = [rng.random() for _ in pieces]
        samples.append("".join(rng.choices(pieces, weights, k=rng.randint(1, 60))))
    found = 0
    for sample in samples:
        expected = [m.span() for m in text._QUOTE.finditer(sample)]
        classes = text._scan(sample)[0]
        assert text._compiled_quotes(sample, classes, text._QUOTE.match) == expected, repr(sample)
        assert text.quoted_ranges(sample, classes) == text.quoted_ranges(sample) == expected
        found += len(expected)
    assert found > 10000
    # No character but the opening marks starts a quotation.
    everything = "".join(map(chr, range(0x10000))).replace("\n", "")
    openers = {c for c in everything if text._QUOTE.match(c + "word word”»」』‘‘’’\"'")}
    assert openers <= set(text._QUOTE_OPENERS)
