# cython: boundscheck=False, wraparound=False, language_level=3
"""Compiled MinHash values (optional: fingerprint.minhash_values falls back to numpy, the same arithmetic).

numpy's (shingles × permutations) product, sum and minimum were most of a signature's time; one C loop
over the permutations, compiled also for AVX2 where the processor has it (GCC's target_clones picks at
load time), is several times faster and writes no temporary array."""

import numpy as np

from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.stdlib cimport qsort

cdef extern from *:
    """
    #include <stdint.h>
    #if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
    #define FW_CLONES __attribute__((target_clones("avx2", "default")))
    #else
    #define FW_CLONES
    #endif
    /* Each 64-bit shingle hash folded to 32 bits, mixed by MurmurHash3's finaliser, then permuted
       (a*h + b mod 2^32) and the minimum kept per permutation: datasketch's affine32 MinHash. */
    FW_CLONES
    static void fw_minhash(const uint64_t *hashes, Py_ssize_t n, const uint32_t *a, const uint32_t *b,
                           uint32_t *out, Py_ssize_t m) {
        for (Py_ssize_t i = 0; i < n; i++) {
            uint32_t h = (uint32_t)((hashes[i] >> 32) ^ hashes[i]);
            h ^= h >> 16;
            h *= 0x85EBCA6Bu;
            h ^= h >> 13;
            h *= 0xC2B2AE35u;
            h ^= h >> 16;
            for (Py_ssize_t k = 0; k < m; k++) {
                uint32_t v = a[k] * h + b[k];
                out[k] = v < out[k] ? v : out[k];
            }
        }
    }
    """
    void fw_minhash(const uint64_t *hashes, Py_ssize_t n, const uint32_t *a, const uint32_t *b,
                    uint32_t *out, Py_ssize_t m) nogil


def minhash_values(const uint64_t[::1] hashes, const uint32_t[::1] a, const uint32_t[::1] b):
    """The MinHash values (uint32, one per permutation (a, b)) of the shingle hashes."""
    cdef Py_ssize_t m = a.shape[0]
    if b.shape[0] != m:
        raise ValueError("a and b differ in length")
    out_arr = np.full(m, 0xFFFFFFFF, dtype=np.uint32)
    cdef uint32_t[::1] out = out_arr
    if hashes.shape[0] and m:
        with nogil:
            fw_minhash(&hashes[0], hashes.shape[0], &a[0], &b[0], &out[0], m)
    return out_arr


cdef uint64_t[8] _MIX = [
    0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL, 0xD6E8FEB86659FD93ULL,
    0xFF51AFD7ED558CCDULL, 0xC4CEB9FE1A85EC53ULL, 0x27D4EB2F165667C5ULL, 0x94D049BB133111EBULL,
]


def ngram_hashes(const uint64_t[::1] tokens, Py_ssize_t n):
    """fingerprint._combine over every n-gram of the tokens' hashes (n >= 1, at most the number of tokens):
    the same wrapping 64-bit arithmetic, one pass, where numpy makes two temporaries per column."""
    cdef Py_ssize_t width = tokens.shape[0] - n + 1, i, k
    cdef uint64_t h
    if n < 1 or width < 1:
        raise ValueError("n must be between 1 and the number of tokens")
    out_arr = np.empty(width, dtype=np.uint64)
    cdef uint64_t[::1] out = out_arr
    with nogil:
        for i in range(width):
            h = 0
            for k in range(n):
                h = h * 0x100000001B3ULL + tokens[i + k] * _MIX[k & 7]
            out[i] = h ^ (h >> 29)
    return out_arr


cdef int _compare_u64(const void* x, const void* y) noexcept nogil:
    cdef uint64_t a = (<const uint64_t*>x)[0], b = (<const uint64_t*>y)[0]
    return (a > b) - (a < b)


def paragraph_shingles(const uint64_t[::1] tokens, const int64_t[::1] bounds, Py_ssize_t n):
    """fingerprint.prepared_paragraph_shingles' values from the tokens' hashes and each paragraph's end token
    (`bounds`: one per line break; the last paragraph ends with the tokens): each paragraph's n-grams hashed
    as ngram_hashes hashes them (one shingle of its own length for a paragraph of 2 to n - 1 tokens, none for
    one of fewer), sorted and made unique, the paragraphs one after another: (values, each paragraph's end).
    None for n < 1 or bounds out of order (the caller then asks numpy)."""
    cdef Py_ssize_t n_tokens = tokens.shape[0], n_par = bounds.shape[0] + 1, k, lo, hi, i, j, w, m = 0, first
    cdef uint64_t h, v
    if n < 1:
        return None
    for k in range(bounds.shape[0]):
        if bounds[k] < (bounds[k - 1] if k else 0) or bounds[k] > n_tokens:
            return None
    out_arr = np.empty(n_tokens, dtype=np.uint64)
    ends_arr = np.empty(n_par, dtype=np.int64)
    cdef uint64_t[::1] out = out_arr
    cdef int64_t[::1] ends = ends_arr
    with nogil:
        for k in range(n_par):
            lo = bounds[k - 1] if k else 0
            hi = bounds[k] if k < n_par - 1 else n_tokens
            if hi - lo >= 2:
                w = n if hi - lo >= n else hi - lo
                first = m
                for i in range(lo, hi - w + 1):
                    h = 0
                    for j in range(w):
                        h = h * 0x100000001B3ULL + tokens[i + j] * _MIX[j & 7]
                    out[m] = h ^ (h >> 29)
                    m += 1
                if m - first <= 48:  # insertion sort: paragraphs hold a few dozen shingles (faster than qsort up to 48)
                    for i in range(first + 1, m):
                        v = out[i]
                        j = i
                        while j > first and out[j - 1] > v:
                            out[j] = out[j - 1]
                            j -= 1
                        out[j] = v
                else:
                    qsort(&out[first], m - first, sizeof(uint64_t), _compare_u64)
                j = first  # unique: kept where it differs from the one before
                for i in range(first, m):
                    if i == first or out[i] != out[j - 1]:
                        out[j] = out[i]
                        j += 1
                m = j
            ends[k] = m
    return out_arr[:m], ends_arr
