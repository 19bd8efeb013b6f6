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
