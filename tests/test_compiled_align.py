"""The compiled alignment scores and vocabulary merge (farmwatch/analysis/_align.pyx) give align() and align_both()
the same results as numpy's matrices, dense and joined, and its intersect1d and searchsorted, under the fitted
thresholds and others (every unit valid, every row read)."""

from __future__ import annotations

import itertools
import random
import string

import numpy as np
import pytest

from farmwatch.analysis import align as align_module
from farmwatch.analysis import fingerprint, matching
from farmwatch.analysis.align import MAX_SENTENCES, ReuseThresholds, align, align_both
from farmwatch.analysis.text import prepare
from tests.test_align import INDEPENDENT, OWN_MATERIAL, OWN_WORDS, REWORDED, SOURCE, UNRELATED

pytestmark = pytest.mark.skipif(align_module._compiled_best_units is None, reason="the compiled module is not built")


def _texts() -> list[str]:
    rnd = random.Random(6)
    vocab = ["".join(rnd.choice(string.ascii_lowercase) for _ in range(5)) for _ in range(60)]

    def text(sentences: int, words: int = 9) -> str:
        return " ".join(
            " ".join(rnd.choice(vocab) for _ in range(rnd.randint(1, words))) + "." for _ in range(sentences)
        )

    taken = " ".join(SOURCE.replace("\n", " ").split(". ")[:3]) + "."
    texts = [SOURCE, REWORDED, INDEPENDENT, UNRELATED, OWN_WORDS, taken + " " + OWN_MATERIAL, "", "One sentence."]
    texts += ["北京市政府周二宣布，将在明年投入五十亿元改善公共交通。新的地铁线路预计在三年内建成。"]
    # Small vocabularies: many shared words and pairs, ties between units, sentences merged.
    shared = text(30)
    texts += [shared, text(5) + " " + shared, " ".join(reversed(shared.split(". "))), text(1), text(2, 3)]
    texts += [text(MAX_SENTENCES + 25, 4), text(80, 20)]
    return texts


THRESHOLDS = [
    ReuseThresholds(),
    ReuseThresholds(min_shared_words=0, min_shared_pairs=0, sentence_share=0.0, pair_share=0.0),
    ReuseThresholds(min_shared_words=1, min_shared_pairs=0, sentence_share=0.3, pair_share=0.1),
    ReuseThresholds(min_shared_words=3, min_shared_pairs=2, sentence_share=0.6, pair_share=0.5),
]


@pytest.mark.parametrize("thresholds", THRESHOLDS)
def test_compiled_scores_match_numpy(thresholds: ReuseThresholds, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    pairs = list(itertools.product(texts, repeat=2))
    compiled = [
        (align(prepare(x), prepare(y), thresholds), align_both(prepare(x), prepare(y), thresholds)) for x, y in pairs
    ]
    for name in (
        "best_units",
        "shared_cells",
        "shared_maps",
        "verbatim",
        "gram_hashes",
        "span_runs",
        "own_cells",
        "sentence_pairs",
        "vocabulary",
        "quoted_share",
    ):
        monkeypatch.setattr(align_module, f"_compiled_{name}", None)
    for dense_products in (align_module.DENSE_PRODUCTS, 0):  # numpy's dense product, then its join of cells
        monkeypatch.setattr(align_module, "DENSE_PRODUCTS", dense_products)
        for (x, y), expected in zip(pairs, compiled, strict=True):
            got = (align(prepare(x), prepare(y), thresholds), align_both(prepare(x), prepare(y), thresholds))
            assert got == expected


def test_shared_maps_are_intersect1d() -> None:
    from farmwatch.analysis._align import shared_maps

    rng = np.random.default_rng(3)
    for _ in range(2000):
        pool = [20, 1000, 2**64 - 1][int(rng.integers(3))]
        x, y = (np.unique(rng.integers(0, pool, rng.integers(0, 40), dtype=np.uint64)) for _ in range(2))
        _, at_x, at_y = np.intersect1d(x, y, assume_unique=True, return_indices=True)
        width, map_x, map_y = shared_maps(x, y)
        assert width == len(at_x)
        assert np.array_equal(map_x, align_module._shared_map(at_x, len(x)))
        assert np.array_equal(map_y, align_module._shared_map(at_y, len(y)))


def test_verbatim_is_numpy() -> None:
    from farmwatch.analysis._align import verbatim

    rng = np.random.default_rng(4)
    for _ in range(3000):
        sides = []
        for _ in range(2):  # each text's 3-grams from a small pool, so that the two share some
            n = int(rng.integers(0, 30))
            grams = rng.integers(0, int(rng.integers(1, 12)), n).astype(np.uint64)
            vocab, at = np.unique(grams, return_inverse=True)
            sides.append((grams, vocab, at, rng.random(n) < 0.8))
        (ga, va, at_a, ua), (gb, vb, at_b, ub) = sides
        got = verbatim(va, at_a, ua.view(np.uint8), vb, at_b, ub.view(np.uint8))
        hit_a, hit_b = np.isin(ga, gb) & ua, np.isin(gb, ga) & ub
        for (kept, hits, run), unquoted, hit in zip((got[:3], got[3:]), (ua, ub), (hit_a, hit_b), strict=True):
            assert (kept, hits) == (int(unquoted.sum()), int(hit.sum()))
            assert (run + 2 if run else 0) == align_module._longest_run(hit)
    with pytest.raises(ValueError):  # a 3-gram past its vocabulary
        one = np.ones(1, dtype=np.uint8)
        verbatim(np.zeros(1, dtype=np.uint64), np.array([1]), one, np.zeros(1, dtype=np.uint64), np.array([0]), one)


def test_shared_count_is_intersect1d() -> None:
    from farmwatch.analysis._align import shared_count

    rng = np.random.default_rng(5)
    for _ in range(3000):
        pool = [20, 1000, 2**64 - 1][int(rng.integers(3))]
        x, y = (np.unique(rng.integers(0, pool, rng.integers(0, 40), dtype=np.uint64)) for _ in range(2))
        assert shared_count(x, y) == len(np.intersect1d(x, y, assume_unique=True))
        assert fingerprint.overlap(x, y) == fingerprint.Overlap(len(np.intersect1d(x, y)), len(x), len(y))
        if len(x) > 1:  # not strictly increasing: -1, and overlap asks numpy
            shuffled = x[::-1].copy()
            assert shared_count(shuffled, y) == -1
            assert fingerprint.overlap(shuffled, y).shared == len(np.intersect1d(shuffled, y, assume_unique=True))


def test_passages_in_is_numpy() -> None:
    from farmwatch.analysis._align import passages_in

    rng = np.random.default_rng(6)
    for _ in range(3000):
        pool = [20, 1000, 2**64 - 1][int(rng.integers(3))]
        other = np.unique(rng.integers(0, pool, rng.integers(0, 60), dtype=np.uint64))
        paragraphs = [
            np.unique(rng.integers(0, pool, rng.integers(0, 12), dtype=np.uint64)) for _ in range(rng.integers(0, 8))
        ]
        for share in (0.0, 0.3, 1 / 3, 0.5, 0.7, 1.0, float(rng.random())):
            expected = matching._numpy_passages_found(paragraphs, other, share)
            assert passages_in(paragraphs, other, share) == expected
            assert matching.passages_found(paragraphs, other, share) == expected
    # What it does not read as it is goes to numpy: unsorted `other`, paragraphs of another type or layout.
    other = np.array([5, 3, 9], dtype=np.uint64)
    assert passages_in([np.array([3], dtype=np.uint64)], other, 0.5) is None
    assert passages_in([np.array([3], dtype=np.int64)], np.sort(other), 0.5) is None
    assert passages_in([np.arange(6, dtype=np.uint64)[::2]], np.sort(other), 0.5) is None
    assert matching.passages_found([np.array([3, 4], dtype=np.int64)], np.sort(other), 0.5) == [0]


@pytest.mark.parametrize("compiled", [True, False])
def test_paragraph_shingles_are_each_paragraphs_shingles(monkeypatch: pytest.MonkeyPatch, compiled: bool) -> None:
    from farmwatch.analysis import fingerprint
    from farmwatch.analysis.fingerprint import prepared_paragraph_shingles, shingle_hashes

    if not compiled:  # numpy's path (and the compiled sort by paragraph, when built)
        monkeypatch.setattr(fingerprint, "_compiled_paragraphs", None)
    rng = random.Random(9)
    words = ["alpha", "beta", "gamma", "delta", "alpha", "beta", "x", "y", "w1", "w2", "w3", "w4", "w5", "w6"]
    for _ in range(400):
        text = "\n".join(
            " ".join(rng.choice(words) for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 17, 30, 80])))
            for _ in range(rng.randint(1, 9))
        )
        for n in (1, 2, 3, 5):
            expected = [shingle_hashes(p, n) for p in text.split("\n")]
            got = prepared_paragraph_shingles(prepare(text), n)
            assert len(got) == len(expected)
            assert all(g.dtype == e.dtype and np.array_equal(g, e) for g, e in zip(got, expected, strict=True))


def test_gram_hashes_are_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(10)
    cases = [
        (rng.integers(0, 2**64 - 1, size, dtype=np.uint64, endpoint=True), rng.random(size) < share)
        for size in (3, 4, 5, 50, 999)
        for share in (0.0, 0.2, 1.0)
    ]
    compiled = [align_module._gram_hashes(h, q) for h, q in cases]
    monkeypatch.setattr(align_module, "_compiled_gram_hashes", None)
    for (h, q), (grams, unquoted) in zip(cases, compiled, strict=True):
        expected_grams, expected_unquoted = align_module._gram_hashes(h, q)
        assert grams.dtype == expected_grams.dtype and np.array_equal(grams, expected_grams)
        assert unquoted.dtype == bool and np.array_equal(unquoted, expected_unquoted)


def test_span_runs_are_numpy() -> None:
    from farmwatch.analysis._align import span_runs

    rng = np.random.default_rng(11)
    for _ in range(3000):
        nb_sent = int(rng.integers(1, 30))
        n_a = int(rng.integers(1, 40))
        n_units = 2 * nb_sent - 1 if nb_sent > 1 else 1
        # Units as best_units gives them: a sentence j, or past nb_sent the pair (j, j + 1); scored when >= 0.
        best = rng.integers(0, n_units, n_a)
        if rng.random() < 0.5:  # runs in order on both sides, as copies make them
            best = np.minimum(np.sort(best), n_units - 1)
        best_share = np.where(rng.random(n_a) < rng.random(), rng.random(n_a), -1.0)
        qa = (rng.random(n_a) < [0.0, 0.3, 1.0][int(rng.integers(3))]).astype(np.float32)
        qb_units = rng.choice(np.array([0.0, 0.5, 0.25, 1.0], dtype=np.float32), n_units)
        a_len, a_words = rng.integers(0, 300, n_a), rng.integers(0, 40, n_a)
        b_len = rng.integers(0, 300, nb_sent + int(rng.integers(0, 3)))
        args = (best, best_share, qa, qb_units, a_len, b_len, a_words, nb_sent)
        got, expected = span_runs(*args), align_module._numpy_span_runs(*args)
        if expected is None:
            assert got is None
            continue
        for g, e in zip(got, expected, strict=True):
            if isinstance(e, np.ndarray):
                assert g.dtype == e.dtype and np.array_equal(g, e)
            else:
                assert type(g) is type(e) and g == e
    one, f32 = np.array([0]), np.zeros(1, dtype=np.float32)
    with pytest.raises(ValueError):  # a unit past b's
        span_runs(one + 5, np.ones(1), f32, np.zeros(5, dtype=np.float32), one, np.ones(3, dtype=np.int64), one, 3)
    with pytest.raises(ValueError):  # b's units fewer than its sentences make
        span_runs(one, np.ones(1), f32, f32, one, np.ones(3, dtype=np.int64), one, 3)


def _same(got: tuple, expected: tuple) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == e.dtype and np.array_equal(g, e)


def _words_and_sentences(rng: np.random.Generator, n: int, vocab: int, n_sent: int) -> tuple[np.ndarray, np.ndarray]:
    """n content words from a vocabulary of `vocab` hashes, in text order over n_sent sentences."""
    hashes = rng.integers(0, 2**64 - 1, max(1, vocab), dtype=np.uint64, endpoint=True)
    return rng.choice(hashes, n), np.sort(rng.integers(0, max(1, n_sent), n)).astype(np.int32)


def test_text_tables_are_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text's content-word pairs, vocabularies and distinct (sentence, word) cells, compiled and numpy's."""
    rng = np.random.default_rng(12)
    cases = [(0, 1, 1), (1, 1, 1), (2, 1, 1), (2, 2, 2), (40, 5, 3), (300, 60, 30), (500, 400, 2), (2000, 300, 200)]
    cases = [(*_words_and_sentences(rng, n, vocab, n_sent), n_sent) for n, vocab, n_sent in cases]
    compiled = []
    for stems, sent, n_sent in cases:
        pairs, psent = align_module._sentence_pairs(stems, sent)
        vocab, inverse = align_module._vocabulary(stems)
        pvocab, pinverse = align_module._vocabulary(pairs)
        cells = align_module._cells_of(inverse, sent, len(vocab), n_sent)
        compiled.append(((pairs, psent), (vocab, inverse), (pvocab, pinverse), cells))
    texts = [prepare(text) for text in _texts()]
    quoted = [align_module._quoted_share(p, len(p.sent_starts)) for p in texts]
    for name in ("own_cells", "sentence_pairs", "vocabulary", "quoted_share"):
        monkeypatch.setattr(align_module, f"_compiled_{name}", None)
    for p, share in zip(texts, quoted, strict=True):
        _same((share,), (align_module._quoted_share(p, len(p.sent_starts)),))
    for (stems, sent, n_sent), (pairs, words, pair_words, cells) in zip(cases, compiled, strict=True):
        _same(pairs, align_module._sentence_pairs(stems, sent))
        _same(words, np.unique(stems, return_inverse=True))
        _same(pair_words, np.unique(pairs[0], return_inverse=True))
        _same(cells, align_module._cells_of(words[1], sent, len(words[0]), n_sent))


def test_text_tables_refuse_what_they_cannot_read() -> None:
    from farmwatch.analysis._align import own_cells, vocabulary

    values = np.array([3, 1, 2], dtype=np.uint64)
    with pytest.raises(ValueError):  # not a sorting permutation
        vocabulary(values, np.arange(3))
    with pytest.raises(ValueError):
        vocabulary(values, np.array([1, 2, 5]))
    with pytest.raises(ValueError):  # a sentence past the text's
        own_cells(np.zeros(2, dtype=np.int64), np.array([0, 3], dtype=np.int32), 1, 2)
    with pytest.raises(ValueError):  # a word past the vocabulary
        own_cells(np.array([0, 1]), np.zeros(2, dtype=np.int32), 1, 1)
