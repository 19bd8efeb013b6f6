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
    for name in ("best_units", "shared_cells", "members", "shared_maps", "verbatim_hits"):
        monkeypatch.setattr(align_module, f"_compiled_{name}", None)
    for dense_products in (align_module.DENSE_PRODUCTS, 0):  # numpy's dense product, then its join of cells
        monkeypatch.setattr(align_module, "DENSE_PRODUCTS", dense_products)
        for (x, y), expected in zip(pairs, compiled, strict=True):
            got = (align(prepare(x), prepare(y), thresholds), align_both(prepare(x), prepare(y), thresholds))
            assert got == expected


def test_members_and_shared_maps_are_intersect1d() -> None:
    from farmwatch.analysis._align import members, shared_maps

    rng = np.random.default_rng(3)
    for _ in range(2000):
        pool = [20, 1000, 2**64 - 1][int(rng.integers(3))]
        x, y = (np.unique(rng.integers(0, pool, rng.integers(0, 40), dtype=np.uint64)) for _ in range(2))
        in_x, in_y = members(x, y)
        _, at_x, at_y = np.intersect1d(x, y, assume_unique=True, return_indices=True)
        assert np.array_equal(np.flatnonzero(in_x), at_x) and np.array_equal(np.flatnonzero(in_y), at_y)
        assert in_x.dtype == bool and np.array_equal(in_x, np.isin(x, y))
        width, map_x, map_y = shared_maps(x, y)
        assert width == len(at_x)
        assert np.array_equal(map_x, align_module._shared_map(at_x, len(x)))
        assert np.array_equal(map_y, align_module._shared_map(at_y, len(y)))


def test_verbatim_hits_is_numpy() -> None:
    from farmwatch.analysis._align import verbatim_hits

    rng = np.random.default_rng(4)
    for _ in range(3000):
        n, m = int(rng.integers(0, 30)), int(rng.integers(1, 10))
        at = rng.integers(0, m, n)
        unquoted, found = rng.random(n) < 0.8, rng.random(m) < rng.random()
        hit = found[at] & unquoted
        kept, hits, run = verbatim_hits(at, unquoted.view(np.uint8), found.view(np.uint8))
        assert (kept, hits) == (int(unquoted.sum()), int(hit.sum()))
        assert (run + 2 if run else 0) == align_module._longest_run(hit)
