"""The compiled word look-up (farmwatch/analysis/_text.pyx) gives prepare() the same tokens as the Python loop, and
its word screen (WordScreen) the same answers as the regex's words."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from farmwatch.analysis import text

try:
    from farmwatch.analysis._text import WordScreen
except ImportError:
    WordScreen = None

TEXTS = [
    "Hello world, the World is big. Café naïve 12 x 2024.",
    "İstanbul’da ŞEHİR — «Guillemets» and “quotes”; ﬁne ligatures, ß, ΣΊΣΥΦΟΣ.",
    "پاکستان کے وزیراعظم نے کہا کہ ’’یہ ایک اہم قدم ہے‘‘۔ हिन्दी पाठ।",
    "日本語のテキストと English words mixed 東京 2020",
    "",
    "   ",
    "a\nb\n\nc d e f g h i j k l m n o p q r s t u v w x y z " * 40,
]


@pytest.mark.skipif(text._WordTable is None, reason="the compiled module is not built")
@pytest.mark.parametrize("sample", TEXTS)
def test_compiled_lookup_matches_python(sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text._VOCABULARY.clear()  # unknown words go through the compiled path's fallback too
    compiled = text.prepare(sample)
    again = text.prepare(sample)  # every word known now
    monkeypatch.setattr(text, "_WordTable", None)
    text._VOCABULARY.clear()
    python = text.prepare(sample)
    for prepared in (compiled, again):
        assert prepared.to_bytes() == python.to_bytes()
        assert np.array_equal(prepared.tok_content, python.tok_content)


@pytest.mark.skipif(text._WordTable is None, reason="the compiled module is not built")
def test_word_table_rows_are_the_dicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled WordTable gives the dict's rows, for words of every storage kind in texts of every kind;
    the vocabulary keeps it in step with its dict through clears and additions."""
    from farmwatch.analysis._text import WordTable

    rng = random.Random(11)
    alphabet = [*"abcdefghij", "é", "ß", "ı", "日", "本", "٣", "\U0001d41b", "\U0001d7d8"]
    words = list(dict.fromkeys("".join(rng.choices(alphabet, k=rng.randint(1, 9))) for _ in range(6000)))
    known = {w: row for row, w in enumerate(words[:3000])}
    table = WordTable()
    table.add(words[:1000])
    table.add(words[1000:3000])  # grows past its first size on the way
    assert len(table) == 3000
    for _ in range(300):
        chosen = rng.choices(words, k=rng.randint(0, 40))
        sample = " ".join(chosen) + rng.choice(["", " x", " é", " \U0001f600"])
        starts = np.array([m.start() for m in re.finditer(r"\S+", sample)], dtype=np.intp)
        ends = np.array([m.end() for m in re.finditer(r"\S+", sample)], dtype=np.intp)
        expected = [known.get(sample[start:end], -1) for start, end in zip(starts, ends, strict=True)]
        assert table.rows(sample, starts, ends).tolist() == expected
    with pytest.raises(IndexError):
        table.rows("ab", np.array([0], dtype=np.intp), np.array([3], dtype=np.intp))
    # The vocabulary's table follows its dict: cleared with it, rebuilt when the dict changed without it.
    text._VOCABULARY.clear()
    first = text.prepare(TEXTS[0])
    assert text._VOCABULARY.table is not None and len(text._VOCABULARY.table) == len(text._VOCABULARY)
    monkeypatch.setattr(text, "_WordTable", None)  # words the Python path meets join the table too
    text.prepare(TEXTS[1])
    monkeypatch.undo()
    assert len(text._VOCABULARY.table) == len(text._VOCABULARY)
    text._VOCABULARY.table = WordTable()  # out of step: rebuilt from the dict when next asked
    for sample in TEXTS:
        again = text.prepare(sample)
        assert len(text._VOCABULARY.table) == len(text._VOCABULARY)
        monkeypatch.setattr(text, "_WordTable", None)
        python = text.prepare(sample)
        monkeypatch.undo()
        assert again.to_bytes() == python.to_bytes()
    assert text.prepare(TEXTS[0]).to_bytes() == first.to_bytes()


# Word characters of \w and others: letters of several scripts, digits, "_", combining marks (not \w),
# characters past the BMP (a letter and a digit), punctuation and spaces.
CHARACTERS = [*"abcXYZ09_ -.,'’", "é", "ß", "İ", "ि", "\u0301", "日", "٣", "²", "\U0001d41b", "\U0001d7d8", "\n"]


@pytest.mark.skipif(WordScreen is None, reason="the compiled module is not built")
def test_word_screen_reads_the_regex_words() -> None:
    """The compiled WordScreen gives credits' Python one's answers (the regex's words against the sets), its
    screen letting through every word of the sets: of every length, long ones and ones opening or closing with
    a character past ASCII among them."""
    from farmwatch.analysis.credits import _WordScreen

    rng = random.Random(5)
    characters = [*CHARACTERS, *"kKzZ"]
    for number in range(3000):
        samples = ["".join(rng.choices(characters, k=rng.randint(0, 40))) for _ in range(10)]
        samples.append("x" * 40 + " " + "é" * 33)
        found = [w for sample in samples for w in re.findall(r"\w+", sample)]
        first = frozenset([*rng.sample(found, min(len(found), rng.randint(0, 3))), "x" * 40])
        second = frozenset(rng.sample(found, min(len(found), rng.randint(0, 3))))
        if number % 100 == 0:
            second |= {1, b"ab"}  # not words: the screen is off, the answers the same
        compiled, python = WordScreen(first, second), _WordScreen(first, second)
        for sample in samples:
            assert compiled.meet(sample) == python.meet(sample), (repr(sample), first, second)


@pytest.mark.skipif(text._WordTable is None, reason="the compiled module is not built")
def test_word_table_adds_the_words_it_meets() -> None:
    """Asked to add, the table gives every word a row: a known word its row, a new one the next row the first
    time it is met (the same row after), and answers the new words in the order they took their rows."""
    from farmwatch.analysis._text import WordTable

    rng = random.Random(3)
    alphabet = [*"abcdef", "é", "日", "\U0001d41b"]
    known: dict[str, int] = {}
    table = WordTable()
    for _ in range(400):
        sample = " ".join("".join(rng.choices(alphabet, k=rng.randint(1, 4))) for _ in range(rng.randint(0, 30)))
        spans = [m.span() for m in re.finditer(r"\S+", sample)]
        starts = np.array([s for s, _ in spans], dtype=np.intp)
        ends = np.array([e for _, e in spans], dtype=np.intp)
        words = [sample[s:e] for s, e in spans]
        new = [w for w in dict.fromkeys(words) if w not in known]
        known.update({w: row for row, w in enumerate(new, start=len(known))})
        rows, added = table.rows(sample, starts, ends, True)
        assert added == new
        assert rows.tolist() == [known[w] for w in words]
        assert len(table) == len(known)
        assert table.rows(sample, starts, ends).tolist() == rows.tolist()


@pytest.mark.skipif(text._compiled_word_infos is None, reason="the compiled module is not built")
def test_compiled_word_infos_are_pythons() -> None:
    """The compiled word_infos gives _word_infos' hashes, stems and content flags: digits of every script,
    function words, short words of alphabets and abjads, long words and stems cut inside a character past ASCII."""
    words = [
        *["a", "b", "1", "٣", "ß"],
        *["12", "٣٤", "²³", "123456", "the", "les", "und", "في", "के", "is", "an", "of"],
        *[
            "cat",
            "dog",
            "هو",
            "من",
            "كتاب",
            "सर",
            "Straße",
            "naïveté",
            "日本語テキスト",
            "𝐛abcdef",
            "İstanbul",
            "xx_yy",
            "1st",
            "20th",
        ],
        "x" * 40,
    ]
    hashes, stems, content = text._compiled_word_infos(
        words, text.xxhash.xxh3_64_intdigest, text.STOPWORDS, text.STEM_CHARS, text._ABJAD.match
    )
    expected = text._word_infos(words)
    assert hashes.tolist() == expected[0]
    assert stems.tolist() == expected[1]
    assert content.tolist() == expected[2]
    assert content.dtype == bool and hashes.dtype == stems.dtype == np.uint64


@pytest.mark.skipif(text._compiled_places is None, reason="the compiled module is not built")
def test_compiled_token_places_are_numpys() -> None:
    """Each token's sentence and quotedness, merged in compiled code, are the binary searches' answers: tokens before
    the first sentence or quotation, at range ends, inside and between ranges, and out of order."""
    rng = random.Random(17)
    for _ in range(3000):
        size = rng.randint(0, 60)
        tokens = sorted(rng.sample(range(200), min(size, 200)))
        if rng.random() < 0.2:
            rng.shuffle(tokens)
        sents = sorted(rng.sample(range(200), rng.randint(0, 20)))
        cuts = sorted(rng.sample(range(201), 2 * rng.randint(0, 8)))
        quotes = list(zip(cuts[0::2], cuts[1::2], strict=True))
        tok_starts = np.array(tokens, dtype=np.int32)
        sent_starts = np.array(sents, dtype=np.int32)
        sent_of, quoted, quote_array = text._compiled_places(tok_starts, sent_starts, quotes)
        expected = np.searchsorted(sent_starts, tok_starts, side="right") - 1
        q = np.array(quotes, dtype=np.int32).reshape(-1, 2)
        idx = np.searchsorted(q[:, 0], tok_starts, side="right") - 1
        inside = [bool(i >= 0 and t < q[i, 1]) for t, i in zip(tokens, idx.tolist(), strict=True)]
        assert sent_of.tolist() == expected.tolist() and sent_of.dtype == np.int32
        assert quoted.tolist() == inside and quoted.dtype == bool
        assert quote_array.tolist() == q.tolist() and quote_array.dtype == np.int32 and quote_array.shape == q.shape
