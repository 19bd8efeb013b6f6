"""Shingles, MinHash signatures and LSH band keys of a page's main text.

Shingles are word n-grams of the main text, hashed with xxhash so every process and every machine gets the
same values. Signatures are datasketch MinHashes over those hashes (computed here in numpy with datasketch's
own permutations, checked value for value against datasketch in tests/test_fingerprint.py); LSH band
keys are 64-bit hashes of each band of the signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import xxhash

from farmwatch.analysis.text import NOSPACE, WORD, PreparedText, splitmix64, unique_sorted
from farmwatch.config import FingerprintSettings

try:  # the compiled MinHash loop (setup.py); without it, numpy's (checked equal below, _compiled_agrees)
    from farmwatch.analysis._minhash import minhash_values as _compiled_minhash  # type: ignore[import-not-found]
    from farmwatch.analysis._minhash import ngram_hashes as _compiled_ngram_hashes  # type: ignore[import-not-found]
    from farmwatch.analysis._minhash import paragraph_shingles as _compiled_paragraphs  # type: ignore[import-not-found]
except ImportError:
    _compiled_minhash = _compiled_ngram_hashes = _compiled_paragraphs = None
try:  # compiled merge of shingles (setup.py: _align.pyx); without it, numpy's
    from farmwatch.analysis._align import shared_count as _compiled_shared_count  # type: ignore[import-not-found]
except ImportError:
    _compiled_shared_count = None

if TYPE_CHECKING:
    from datasketch import MinHash

_WORD = re.compile(r"\w+", re.UNICODE)
_MIX = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x27D4EB2F165667C5,
        0x94D049BB133111EB,
    ],
    dtype=np.uint64,
)


def tokens(text: str) -> list[str]:
    """Lower-cased words; runs of a script written without spaces (Chinese, Japanese, Thai…) become
    character bigrams, as the alignment reads them (a whole Chinese sentence is one \\w+ run)."""
    words = _WORD.findall(text.lower())
    if not NOSPACE.search(text):
        return words
    out: list[str] = []
    for word in words:
        pos = 0
        for run in NOSPACE.finditer(word):
            if run.start() > pos:
                out.append(word[pos : run.start()])
            chars = run.group()
            out.extend(chars[i : i + 2] for i in range(max(1, len(chars) - 1)))
            pos = run.end()
        if pos < len(word):
            out.append(word[pos:])
    return out


def _token_hashes(words: list[str]) -> np.ndarray:
    digest = xxhash.xxh3_64_intdigest
    return np.fromiter((digest(w.encode()) for w in words), dtype=np.uint64, count=len(words))


def _ngram_hashes(token_hashes: np.ndarray, n: int) -> np.ndarray:
    """Order-sensitive 64-bit hashes of every n-gram of one token sequence."""
    count = len(token_hashes)
    if count == 0:
        return np.empty(0, dtype=np.uint64)
    if count < n:
        # A sentence shorter than n words still counts, as one shingle.
        n = count
    if _compiled_ngram_hashes is not None and token_hashes.dtype == np.uint64:
        return _compiled_ngram_hashes(np.ascontiguousarray(token_hashes), n)  # one pass, no temporaries
    width = count - n + 1
    return _combine([token_hashes[offset : offset + width] for offset in range(n)])


def _combine(columns: list[np.ndarray]) -> np.ndarray:
    """The hash of each n-gram, given its tokens' hashes column by column (column k: every n-gram's k-th)."""
    combined = np.zeros(len(columns[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset, column in enumerate(columns):
            combined = combined * np.uint64(0x100000001B3) + column * _MIX[offset % 8]
        combined ^= combined >> np.uint64(29)
    return combined


def shingle_hashes(text: str, n: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of the text's word n-grams.

    The n-grams run across sentence and paragraph breaks: two copies of one
    text often break it differently (a list in one <p> or in many <li>), and
    measured on provenance-dev this finds more copies than sentence-internal
    n-grams while spun copies (reordered sentences) are found as well."""
    words = tokens(text)
    if len(words) < 2:
        return np.empty(0, dtype=np.uint64)
    return unique_sorted(_ngram_hashes(_token_hashes(words), n))


def _word_only_class() -> re.Pattern[str]:
    """The characters text.py's words are made of and \\w is not (combining marks of Indic, Thai, Latin and
    Arabic scripts...): where a text holds one, \\w+ cuts a word of text.py in pieces."""
    codes = [c for c in range(0x2000) if WORD.match(chr(c)) and not _WORD.match(chr(c))]
    ranges, start = [], None
    for i, c in enumerate(codes):
        start = c if start is None else start
        if i + 1 == len(codes) or codes[i + 1] != c + 1:
            ranges.append(f"\\u{start:04x}-\\u{c:04x}" if c > start else f"\\u{c:04x}")
            start = None
    return re.compile(f"[{''.join(ranges)}]")


_WORD_ONLY = _word_only_class()


def _same_tokens(text: str) -> bool:
    """Whether prepare()'s tokens of the text are the words shingle_hashes reads (see below)."""
    return not _WORD_ONLY.search(text) and len(text.lower()) == len(text)


def _prepared_same_tokens(prepared: PreparedText) -> bool:
    """_same_tokens of a prepared text, kept with it (a scan and a lower-cased copy of the whole text, asked
    for its shingles and again for its paragraphs' shingles). prepare() sets it from what it computes anyway;
    a text read back with from_bytes is scanned here."""
    found = prepared.derived.get("same_tokens")
    if found is None:
        found = prepared.derived["same_tokens"] = _same_tokens(prepared.text)
    return found


def prepared_shingle_hashes(prepared: PreparedText, n: int) -> np.ndarray:
    """shingle_hashes(prepared.text, n), from the tokens prepare() found (the same lower-cased words and
    bigrams, hashed alike) instead of tokenising the text again.

    The tokens are the same unless the text holds a character text.py's words keep and \\w does not (a vowel
    sign of an Indic or Thai script, a combining accent or an Arabic vowel mark) or one whose lower case is
    longer (İ: prepare() keeps offsets by lower-casing it to one character): such texts are shingled from the
    text, so a page's shingles are the same whichever way they are computed."""
    text = prepared.text
    if not _prepared_same_tokens(prepared):
        return shingle_hashes(text, n)
    if prepared.n_tokens < 2:
        return np.empty(0, dtype=np.uint64)
    return unique_sorted(_ngram_hashes(prepared.tok_hash, n))


def prepared_paragraph_shingles(prepared: PreparedText, n: int) -> list[np.ndarray]:
    """[shingle_hashes(p, n) for p in prepared.text.split("\\n")], from the prepared tokens (a word never
    spans a line), with prepared_shingle_hashes' fallback for texts whose tokens differ.

    Computed for all paragraphs at once: pages of hundreds of short paragraphs (lists, tables, forum posts)
    paid several numpy calls per paragraph."""
    text = prepared.text
    if not _prepared_same_tokens(prepared):
        return [shingle_hashes(p, n) for p in text.split("\n")]
    if "\n" not in text:
        return [prepared_shingle_hashes(prepared, n)]
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    breaks = np.flatnonzero(codes == 10)
    hashes = prepared.tok_hash
    # Token i lies in paragraph k when k line breaks come before its start.
    bounds = np.searchsorted(prepared.tok_starts, breaks)
    if _compiled_paragraphs is not None and hashes.dtype == np.uint64 and hashes.flags.c_contiguous:
        # Each paragraph's shingles hashed, sorted and made unique in one C loop (the numpy below: 0.1 ms a page).
        found = _compiled_paragraphs(hashes, bounds.astype(np.int64, copy=False), n)
        if found is not None:
            values, ends = found[0], found[1].tolist()
            return [values[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
    sizes = np.diff(bounds, prepend=0, append=len(hashes))
    paragraph = np.repeat(np.arange(len(sizes)), sizes)  # of each token
    if len(hashes) >= n:
        # The n-grams of the whole token sequence, hashed once: a paragraph's are those whose first and last
        # tokens both lie in it (an n-gram's hash depends on its n tokens only). Sorted by paragraph, then
        # by value (a stable sort of small paragraph numbers after a sort of the values), and made unique.
        whole = _ngram_hashes(hashes, n)
        first = paragraph[: len(whole)]
        inside = first == paragraph[n - 1 :]
        if n < 2:  # a paragraph of one token has no shingle, whatever n
            inside &= sizes[first] >= 2
        values, ends = _unique_by_label(whole[inside], first[inside], sizes)
    else:
        values, ends = np.empty(0, dtype=np.uint64), [0] * len(sizes)
    out = [values[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
    # A paragraph of 2 to n - 1 tokens has one shingle of its own length (as _ngram_hashes hashes it).
    short = np.flatnonzero((sizes >= 2) & (sizes < n))
    if len(short):
        starts = bounds[short - 1]
        starts[short == 0] = 0
        for size in np.unique(sizes[short]).tolist():
            chosen = sizes[short] == size
            at = starts[chosen]
            combined = _combine([hashes[at + offset] for offset in range(size)])
            for number, k in enumerate(short[chosen].tolist()):
                out[k] = combined[number : number + 1]
    return out


def _unique_by_label(values: np.ndarray, labels: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """The values sorted by label (paragraph), then by value, made unique per label; and each label's end.
    numpy's path (a sort of the values, then a stable sort of the small paragraph numbers)."""
    order = np.argsort(values)
    order = order[np.argsort(labels[order].astype(np.int16 if len(sizes) < 32768 else np.int64), kind="stable")]
    values, labels = values[order], labels[order]
    if len(values) > 1:
        keep = np.empty(len(values), dtype=bool)
        keep[0] = True
        np.not_equal(values[1:], values[:-1], out=keep[1:])
        keep[1:] |= labels[1:] != labels[:-1]
        values, labels = values[keep], labels[keep]
    return values, np.cumsum(np.bincount(labels, minlength=len(sizes))).tolist()


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of datasketch's "affine32" MinHash permutations (h -> a·h + b mod 2^32), drawn as datasketch
    2.0 draws them (MinHash._init_permutations). Made here, not read from a datasketch MinHash, because
    importing datasketch imports its LSH and with it SciPy's integrate: 0.4 s more to start every process
    (the CLI, each worker, each process of a bulk import) for arithmetic numpy does alone."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


# MurmurHash3's 32-bit finalizer: the pre-mix datasketch's affine32 scheme applies before its permutations.
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _folded(hashes: np.ndarray) -> np.ndarray:
    """The 32-bit values a signature is built from: each 64-bit shingle hash folded in half."""
    return (((hashes >> np.uint64(32)) ^ hashes) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def minhash_values(hashes: np.ndarray, settings: FingerprintSettings) -> np.ndarray:
    """The MinHash hash values (uint32) of minhash(hashes, settings), computed without datasketch.

    datasketch's update_batch takes a Python list and calls the hash function once per value; this is
    the same arithmetic (fmix32, then a·h + b mod 2^32, then the minimum per permutation) on the array,
    in compiled code when it is built (_minhash.pyx), else in numpy, checked equal to datasketch in tests."""
    a, b = _permutations(settings.num_perm, settings.seed)
    if not len(hashes):
        return np.full(settings.num_perm, 0xFFFFFFFF, dtype=np.uint32)
    if _COMPILED:
        return _compiled_minhash(np.ascontiguousarray(hashes, dtype=np.uint64), a, b)
    return _numpy_minhash_values(hashes, a, b)


def _numpy_minhash_values(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    with np.errstate(over="ignore"):
        hv = _folded(hashes)
        hv ^= hv >> s1
        hv *= m1
        hv ^= hv >> s2
        hv *= m2
        hv ^= hv >> s3
        # One (values, permutations) array, added to in place: a second temporary of that size cost a third
        # more on long pages (it falls out of the cache).
        permuted = np.multiply.outer(hv, a)
        permuted += b
        return permuted.min(axis=0)


def _compiled_agrees() -> bool:
    """Whether the compiled loop gives numpy's values (on hashes of every size class, and the default
    permutations): the compiled module is used only then."""
    if _compiled_minhash is None:
        return False
    a, b = _permutations(FingerprintSettings().num_perm, FingerprintSettings().seed)
    sample = splitmix64(np.arange(1, 3000, dtype=np.uint64))
    try:
        return all(
            np.array_equal(_compiled_minhash(sample[:size], a, b), _numpy_minhash_values(sample[:size], a, b))
            for size in (1, 2, 7, 100, 2999)
        )
    except Exception:
        return False


_COMPILED = _compiled_agrees()


def minhash(hashes: np.ndarray, settings: FingerprintSettings) -> MinHash:
    """A datasketch MinHash over 32-bit folds of the shingle hashes (datasketch's own arithmetic: what
    minhash_values is checked against, and what benchmarks and datasketch users compare with)."""
    from datasketch import MinHash

    signature = MinHash(num_perm=settings.num_perm, seed=settings.seed, hashfunc=int, scheme="affine32")
    if len(hashes):
        signature.update_batch(_folded(hashes).tolist())
    return signature


def signature_bytes(signature: MinHash) -> bytes:
    return np.asarray(signature.hashvalues, dtype=np.uint32).tobytes()


def compact_signature(hashvalues: np.ndarray) -> bytes:
    """The stored form of a signature: each 32-bit value folded to 16 bits (256 bytes at 128 permutations).

    Verification only counts equal positions; two different values fold to the same 16 bits with
    probability 2^-16, which moves an estimated Jaccard by less than 0.0001."""
    return fold16(np.asarray(hashvalues, dtype=np.uint32)).tobytes()


def fold16(values: np.ndarray) -> np.ndarray:
    if values.dtype == np.uint16:
        return values
    values = np.asarray(values, dtype=np.uint32)
    return ((values >> np.uint32(16)) ^ (values & np.uint32(0xFFFF))).astype(np.uint16)


def signature_from_bytes(data: bytes) -> np.ndarray:
    """A stored signature (16-bit folded values, see compact_signature)."""
    return np.frombuffer(data, dtype=np.uint16)


def band_keys(hashvalues: np.ndarray, settings: FingerprintSettings) -> list[int]:
    """One 64-bit bucket id per LSH band; the band number is mixed in so bands never collide.

    Bands are hashed from the 16-bit folded values, the stored form of a signature, so a page's band
    buckets can be derived from its stored signature (to take it out of the index) instead of stored."""
    values = fold16(np.asarray(hashvalues))
    rows = settings.rows
    return [
        xxhash.xxh3_64_intdigest(values[band * rows : (band + 1) * rows].tobytes(), seed=band)
        for band in range(settings.bands)
    ]


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype:  # a fresh 32-bit signature against a stored 16-bit one
        a, b = fold16(a), fold16(b)
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass(slots=True)
class Overlap:
    """How much of two shingle sets is shared."""

    shared: int
    size_a: int
    size_b: int

    @property
    def jaccard(self) -> float:
        union = self.size_a + self.size_b - self.shared
        return self.shared / union if union else 0.0

    @property
    def containment_a(self) -> float:
        """Share of A found in B."""
        return self.shared / self.size_a if self.size_a else 0.0

    @property
    def containment_b(self) -> float:
        """Share of B found in A."""
        return self.shared / self.size_b if self.size_b else 0.0


def overlap(a: np.ndarray, b: np.ndarray) -> Overlap:
    shared = -1
    if _compiled_shared_count is not None and _is_hashes(a) and _is_hashes(b):
        # One merge of the two sorted sets; -1 when either is not strictly increasing.
        shared = _compiled_shared_count(a, b)
    if shared < 0:
        shared = len(np.intersect1d(a, b, assume_unique=True))
    return Overlap(shared, len(a), len(b))


def _is_hashes(values: np.ndarray) -> bool:
    """Whether the compiled merge can read the array as it is (1-d contiguous uint64)."""
    return (
        isinstance(values, np.ndarray) and values.dtype == np.uint64 and values.ndim == 1 and values.flags.c_contiguous
    )


def estimated_overlap(sig_a: np.ndarray, size_a: int, sig_b: np.ndarray, size_b: int) -> Overlap:
    """Shared shingles estimated from MinHash signatures and set sizes."""
    j = estimate_jaccard(sig_a, sig_b)
    shared = round(j * (size_a + size_b) / (1 + j)) if j else 0
    return Overlap(min(shared, size_a, size_b), size_a, size_b)
