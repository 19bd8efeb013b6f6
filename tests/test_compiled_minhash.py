"""The compiled MinHash loop (farmwatch/analysis/_minhash.pyx) gives numpy's values exactly."""

from __future__ import annotations

import numpy as np
import pytest

from farmwatch.analysis import fingerprint
from farmwatch.analysis.text import splitmix64


@pytest.mark.skipif(fingerprint._compiled_minhash is None, reason="the compiled module is not built")
@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 42), (1, 3)])
def test_compiled_minhash_matches_numpy(num_perm: int, seed: int) -> None:
    assert fingerprint._COMPILED
    a, b = fingerprint._permutations(num_perm, seed)
    rng = np.random.default_rng(seed)
    for size in (1, 2, 3, 31, 500, 6000):
        hashes = np.sort(rng.integers(0, 2**64, size, dtype=np.uint64, endpoint=False))
        for sample in (hashes, splitmix64(np.arange(size, dtype=np.uint64)), hashes[::2]):
            expected = fingerprint._numpy_minhash_values(sample, a, b)
            compiled = fingerprint._compiled_minhash(np.ascontiguousarray(sample), a, b)
            assert compiled.dtype == np.uint32
            assert np.array_equal(compiled, expected)


@pytest.mark.skipif(fingerprint._compiled_ngram_hashes is None, reason="the compiled module is not built")
def test_compiled_ngram_hashes_match_numpy() -> None:
    rng = np.random.default_rng(7)
    for size in (1, 2, 3, 5, 9, 17, 400):
        tokens = rng.integers(0, 2**64 - 1, size, dtype=np.uint64, endpoint=True)
        for n in range(1, min(size, 12) + 1):
            width = size - n + 1
            expected = fingerprint._combine([tokens[offset : offset + width] for offset in range(n)])
            assert np.array_equal(fingerprint._compiled_ngram_hashes(tokens, n), expected)
        with pytest.raises(ValueError):
            fingerprint._compiled_ngram_hashes(tokens, size + 1)
    # Through the public path too (a shorter text than n is one shingle of its own length).
    tokens = rng.integers(0, 2**64 - 1, 3, dtype=np.uint64, endpoint=True)
    assert np.array_equal(
        fingerprint._ngram_hashes(tokens, 5), fingerprint._combine([tokens[:1], tokens[1:2], tokens[2:]])
    )
