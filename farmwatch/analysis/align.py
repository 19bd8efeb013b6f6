"""Local alignment of two prepared texts, and the journalist's grade of the reuse it shows (pure: no I/O).

In the manner of passim and other text-reuse tools, but at sentence level: each sentence of `a` (the
possible copy) is aligned with the sentence of `b` (the possible source), or a pair of neighbouring
sentences of `b` (editors merge sentences), that holds the largest share of its content words, provided
they also share a pair of neighbouring content words (an independent sentence on the same event shares
names and numbers, rarely their phrasing). Editing changes words, cuts and reorders sentences; it keeps
most of a sentence's content words, so this survives what breaks word n-grams. Aligned sentences that
are neighbours on both sides merge into spans.

Shared text inside quotation marks on both sides is weak evidence: independent reports quote the same
people. It is reported apart (quoted_share) and discounted in reuse_grade().

An independent report on the same event also shares names, numbers and facts, and often covers much of the
source, but in its own words; a copy keeps phrasing. So align() also measures verbatim overlap outside
quotations (word 3-gram containment both ways, the longest run of shared words), and reuse_grade() weighs all
of it with a small logistic model, P(a derives from b), fitted by grouped cross-validation.

The alignment thresholds live in ReuseThresholds, read from align_thresholds.json; the model's weights and
decision threshold in ReuseModel, read from reuse_model.json; both beside this module, both written by
bench/fit_reuse.py.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from farmwatch.analysis.text import KEY_WINDOW, PreparedText, sentence_pairs, splitmix64, unique_sorted

try:  # the compiled loops (setup.py: _align.pyx); without them, numpy's calls (the same arithmetic)
    from farmwatch.analysis._align import best_units as _compiled_best_units  # type: ignore[import-not-found]
    from farmwatch.analysis._align import gram_hashes as _compiled_gram_hashes  # type: ignore[import-not-found]
    from farmwatch.analysis._align import own_cells as _compiled_own_cells  # type: ignore[import-not-found]
    from farmwatch.analysis._align import quoted_share as _compiled_quoted_share  # type: ignore[import-not-found]
    from farmwatch.analysis._align import sentence_pairs as _compiled_sentence_pairs  # type: ignore[import-not-found]
    from farmwatch.analysis._align import shared_cells as _compiled_shared_cells  # type: ignore[import-not-found]
    from farmwatch.analysis._align import shared_maps as _compiled_shared_maps  # type: ignore[import-not-found]
    from farmwatch.analysis._align import span_runs as _compiled_span_runs  # type: ignore[import-not-found]
    from farmwatch.analysis._align import verbatim as _compiled_verbatim  # type: ignore[import-not-found]
    from farmwatch.analysis._align import vocabulary as _compiled_vocabulary  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the build
    _compiled_best_units = _compiled_shared_cells = _compiled_verbatim = _compiled_gram_hashes = None
    _compiled_shared_maps = _compiled_span_runs = None
    _compiled_own_cells = _compiled_sentence_pairs = _compiled_vocabulary = _compiled_quoted_share = None

_THRESHOLDS_FILE = Path(__file__).with_name("align_thresholds.json")
_MODEL_FILE = Path(__file__).with_name("reuse_model.json")


@dataclass(frozen=True, slots=True)
class ReuseThresholds:
    # Defaults = the values fitted in align_thresholds.json, so a wheel without the JSON behaves the same.
    # A sentence of a is aligned when this share of its content words is in the b sentence(s)...
    sentence_share: float = 0.4
    # ...and they share at least this many content words and this many neighbouring content-word pairs.
    min_shared_words: int = 2
    min_shared_pairs: int = 1
    # ...and this share of its neighbouring content-word pairs (phrasing kept, not only the same names).
    pair_share: float = 0.2
    # How much an aligned sentence that is a quotation on both sides counts (0: not at all, 1: fully).
    quoted_weight: float = 0.25
    # Evidence = (unquoted aligned characters + quoted_weight · quoted ones) / characters of a. The share of
    # verbatim overlap (shingle containment) from which matching.verbatim_grade() says "wholly" (text the
    # alignment cannot grade); reuse_grade() itself uses ReuseModel.
    wholly: float = 0.6305
    min_aligned_sentences: int = 0  # fewer aligned (unquoted) sentences than this is never reuse
    # A passage copied word for word is reuse whatever share of the page it is: a run of this many tokens
    # (about two sentences) making up at least passage_share of either text (half an article merged into a
    # long page; a whole short article inside a page with much else on it). Who copied whom is the
    # direction judge's question, not this one's. Measured on the dev pairs: from a share of 0.2 down to 0.1
    # no independent story, unrelated page or own post is graded reuse that was not before; a merged farm
    # page's second half (an 81-token run, 19% of its source) is.
    passage_run: int = 40
    passage_share: float = 0.1
    # A page that links the other as its source (or names it canonical) took the sentences it shares with it:
    # this many aligned sentences outside quotations are reuse whatever share of either page they are.
    credited_sentences: int = 2

    @classmethod
    def load(cls, path: Path = _THRESHOLDS_FILE) -> ReuseThresholds:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_json(self) -> str:
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, indent=2) + "\n"


THRESHOLDS = ReuseThresholds.load()


class Span(NamedTuple):
    """Aligned text: a.text[start:end] is derived from b.text[source_start:source_end]."""

    start: int
    end: int
    source_start: int
    source_end: int
    similarity: float  # share of the span's content words found in the source span
    quoted: bool  # the shared text is a quotation on both sides


@dataclass(slots=True)
class Alignment:
    spans: list[Span] = field(default_factory=list)
    coverage: float = 0.0  # share of a's sentence characters aligned to b
    source_coverage: float = 0.0  # share of b's sentence characters aligned to a
    quoted_share: float = 0.0  # share of a's sentence characters aligned only as shared quotations
    aligned_sentences: int = 0  # sentences of a aligned, quotations on both sides excepted
    aligned_words: int = 0  # tokens of a in those sentences
    sentences: int = 0  # sentences of a
    # Verbatim evidence, outside quotations (what an independent report on the same event rarely shares):
    # the share of a's word 3-grams (tokens, function words included; those touching a quoted token left out)
    # found anywhere in b, the same share of b's found in a, and the longest run of a's tokens found
    # word for word in b (consecutive shared 3-grams), in tokens.
    containment: float = 0.0
    source_containment: float = 0.0
    longest_run: int = 0
    similarity: float = 0.0  # mean share of content words found, over a's aligned unquoted sentences (by length)
    tokens: int = 0  # tokens of a
    source_tokens: int = 0  # tokens of b

    @property
    def unquoted_coverage(self) -> float:
        return self.coverage - self.quoted_share

    def evidence(self, thresholds: ReuseThresholds | None = None) -> float:
        t = thresholds or THRESHOLDS
        return self.unquoted_coverage + t.quoted_weight * self.quoted_share


_EMPTY = np.empty(0, dtype=np.uint64)


def _content(p: PreparedText) -> tuple[np.ndarray, np.ndarray]:
    mask = p.tok_content
    return p.tok_stem[mask], p.tok_sent[mask]


def _features(p: PreparedText) -> tuple[np.ndarray, ...]:
    """Content words and their pairs with their sentences, and each as a sorted unique vocabulary;
    computed once per prepared text (a stored page meets many new ones)."""
    found = p.derived.get("align")
    if found is None:
        stems, sent = _content(p)
        pairs, psent = _sentence_pairs(stems, sent)
        vocab, inverse = _vocabulary(stems)
        pvocab, pinverse = _vocabulary(pairs)
        found = p.derived["align"] = (stems, sent, vocab, inverse, pairs, psent, pvocab, pinverse)
    return found


def _sentence_pairs(stems: np.ndarray, sent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """text.sentence_pairs, in two C passes when compiled (the numpy one makes a dozen arrays per distance)."""
    if _compiled_sentence_pairs is not None and stems.dtype == np.uint64 and sent.dtype == np.int32:
        return _compiled_sentence_pairs(stems, sent, KEY_WINDOW)
    return sentence_pairs(stems, sent, KEY_WINDOW)


def _vocabulary(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(values, return_inverse=True); when compiled, from one argsort and one pass."""
    if _compiled_vocabulary is not None and values.dtype == np.uint64:
        return _compiled_vocabulary(values, np.argsort(values))
    return np.unique(values, return_inverse=True)


def _shared_map(positions: np.ndarray, vocab_size: int) -> np.ndarray:
    """Each word of a text's vocabulary: its index in the shared vocabulary (-1: not shared), from where the
    shared words sit in the text's vocabulary; then a key's is a gather, not a search."""
    index = np.full(vocab_size, -1, dtype=np.int64)
    index[positions] = np.arange(len(positions))
    return index


def _own_cells(p: PreparedText) -> tuple[np.ndarray, ...]:
    """The text's distinct (sentence, vocabulary index) cells of content words and of content-word pairs,
    sorted, each with whether it is in the next sentence too, then each sentence's distinct ones; computed once
    per prepared text (an alignment keeps the shared ones: their order and that property hold among them)."""
    found = p.derived.get("cells")
    if found is None:
        _, sent, vocab, inverse, _, psent, pvocab, pinverse = _features(p)
        n = len(p.sent_starts)
        found = p.derived["cells"] = (
            *_cells_of(inverse, sent, len(vocab), n),
            *_cells_of(pinverse, psent, len(pvocab), n),
        )
    return found


def _cells_of(
    inverse: np.ndarray, sent: np.ndarray, vocab_size: int, n_sent: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct cells' sentences and words, whether each is in the next sentence, and each sentence's
    distinct words (float32); one pass when compiled (_align.own_cells)."""
    if _compiled_own_cells is not None and sent.dtype == np.int32 and inverse.dtype == np.int64:
        return _compiled_own_cells(inverse, sent, vocab_size, n_sent)
    cells = unique_sorted(sent.astype(np.int64) * vocab_size + inverse)
    rows = cells // max(1, vocab_size)
    sizes = np.bincount(rows, minlength=n_sent).astype(np.float32)
    return rows, cells % max(1, vocab_size), _found_in(cells + vocab_size, cells), sizes


def _per_sentence(p: PreparedText) -> tuple[np.ndarray, ...]:
    """Per sentence: distinct content words, distinct content-word pairs, share of content words quoted,
    tokens, characters; computed once per prepared text."""
    found = p.derived.get("per_sentence")
    if found is None:
        _, _, _, sizes, _, _, _, pair_sizes = _own_cells(p)
        n = len(p.sent_starts)
        found = p.derived["per_sentence"] = (
            sizes,  # distinct content words per sentence
            pair_sizes,
            _quoted_share(p, n),
            np.bincount(p.tok_sent, minlength=n),
            (p.sent_ends - p.sent_starts).astype(np.int64),
        )
    return found


_P1, _P2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)
# Bounds on one alignment's cost: sentences of each text aligned at most (about 20,000 words: beyond any
# article), and cells of a (a sentences × b units) matrix built at once (4 bytes each).
MAX_SENTENCES = 1000
CHUNK_CELLS = 1 << 20
# Without the compiled loops (_align.pyx, which need neither): below DENSE_PRODUCTS (a sentence × b unit ×
# shared word or pair) products, the shared counts are a dense matrix product (fewer numpy calls) rather than
# a join of sparse cells: measured best at 2^22 (pairs of 60 sentences; above, the join's cost grows slower
# than the product's). The product goes in blocks of rows of
# DENSE_CELLS products at most, where OpenBLAS stays on one thread (threads on a shared machine cost more
# than they give: 0.64 ms a pair both ways at 2^20 in one block, 0.37 at 2^18).
DENSE_PRODUCTS = 1 << 22
DENSE_CELLS = 1 << 18


def _grams(p: PreparedText) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashes of the text's word 3-grams in text order, which of them touch no quoted token, and the sorted
    unique hashes; computed once per prepared text."""
    found = p.derived.get("grams")
    if found is None:
        h = p.tok_hash
        if len(h) < 3:
            found = (_EMPTY, np.zeros(0, dtype=bool), _EMPTY)
        else:
            g, unquoted = _gram_hashes(h, p.tok_quoted)
            if _compiled_vocabulary is not None:  # the vocabulary and each 3-gram's place in it at once
                vocab, p.derived["gram_at"] = _vocabulary(g)
                found = (g, unquoted, vocab)
            else:
                found = (g, unquoted, unique_sorted(g))
        p.derived["grams"] = found
    return found


def _gram_hashes(h: np.ndarray, quoted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The word 3-grams' hashes (of at least 3 tokens' hashes) and which touch no quoted token: one pass in
    C when compiled, else numpy's (the same wrapping arithmetic)."""
    if _compiled_gram_hashes is not None and h.dtype == np.uint64 and quoted.dtype == bool:
        return _compiled_gram_hashes(np.ascontiguousarray(h), np.ascontiguousarray(quoted).view(np.uint8))
    m = splitmix64(h)
    with np.errstate(over="ignore"):
        g = splitmix64(m[:-2] * _P1 + m[1:-1] * _P2 + m[2:])
    return g, ~(quoted[:-2] | quoted[1:-1] | quoted[2:])


def _gram_at(p: PreparedText) -> np.ndarray:
    """Each 3-gram's index in the text's sorted unique 3-grams; computed once per prepared text."""
    found = p.derived.get("gram_at")
    if found is None:
        g, _, vocab = _grams(p)
        found = p.derived["gram_at"] = np.searchsorted(vocab, g)
    return found


def _shared_maps(x: np.ndarray, y: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """How many values two sorted unique vocabularies share, and each word's index among the shared ones
    (-1: not shared) in each (_shared_map; by one merge when compiled)."""
    if _compiled_shared_maps is not None:
        return _compiled_shared_maps(x, y)
    common, in_x, in_y = np.intersect1d(x, y, assume_unique=True, return_indices=True)
    return len(common), _shared_map(in_x, len(x)), _shared_map(in_y, len(y))


def _found_in(keys: np.ndarray, vocab: np.ndarray) -> np.ndarray:
    """Which keys are in the sorted unique vocab."""
    if not len(vocab) or not len(keys):
        return np.zeros(len(keys), dtype=bool)
    idx = np.searchsorted(vocab, keys)
    idx[idx >= len(vocab)] = 0
    return vocab[idx] == keys


def _verbatim(a: PreparedText, b: PreparedText, result: Alignment, backward: Alignment | None = None) -> None:
    """Word 3-gram containment both ways (outside quotations) and the longest verbatim run; with `backward`,
    the same of b with a there too (the containments swap, the run is b's)."""
    ga, ua, va = _grams(a)
    gb, ub, vb = _grams(b)
    if _compiled_verbatim is not None:  # one merge of the two vocabularies, then one pass over each text's 3-grams
        kept_a, hits_a, run_a, kept_b, hits_b, run_b = _compiled_verbatim(
            va, _gram_at(a), ua.view(np.uint8), vb, _gram_at(b), ub.view(np.uint8)
        )
        result.containment = float(hits_a) / max(1, kept_a)
        result.source_containment = float(hits_b) / max(1, kept_b)
        result.longest_run = run_a + 2 if run_a else 0  # as _longest_run: two tokens more than the 3-grams
        if backward is not None:
            backward.containment, backward.source_containment = result.source_containment, result.containment
            backward.longest_run = run_b + 2 if run_b else 0
        return
    hit_a = _found_in(ga, vb) & ua
    hit_b = _found_in(gb, va) & ub
    result.containment = float(hit_a.sum()) / max(1, int(ua.sum()))
    result.source_containment = float(hit_b.sum()) / max(1, int(ub.sum()))
    result.longest_run = _longest_run(hit_a)
    if backward is not None:
        backward.containment, backward.source_containment = result.source_containment, result.containment
        backward.longest_run = _longest_run(hit_b)


def _longest_run(hit: np.ndarray) -> int:
    """The longest run of tokens found word for word: consecutive found 3-grams, two more tokens."""
    if not hit.any():
        return 0
    edges = np.diff(np.concatenate(([0], hit.view(np.int8), [0])))
    return int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max()) + 2


def _cooccur(
    a_rows: np.ndarray, a_words: np.ndarray, b_rows: np.ndarray, b_words: np.ndarray, n_a: int, n_b: int, width: int
) -> np.ndarray:
    """counts[i, j] = words shared by a row i and b row j (each side's cells distinct)."""
    rows_b = b_rows[np.argsort(b_words, kind="stable")]  # b's cells grouped by word
    count = np.bincount(b_words, minlength=width)
    hits = count[a_words]
    total = int(hits.sum())
    if not total:
        return np.zeros((n_a, n_b), dtype=np.float32)
    lo = (np.cumsum(count) - count)[a_words]
    starts = np.repeat(lo - (np.cumsum(hits) - hits), hits) + np.arange(total)
    flat = np.repeat(a_rows, hits) * n_b + rows_b[starts]
    return np.bincount(flat, minlength=n_a * n_b).reshape(n_a, n_b).astype(np.float32)


class _BCells(NamedTuple):
    """b's distinct (sentence, shared word) cells, and which are also in b's next sentence: computed once
    per alignment, joined with each chunk of a's sentences."""

    rows: np.ndarray
    words: np.ndarray
    both: np.ndarray
    n_b: int
    width: int


def _b_cells(
    rows: np.ndarray, words: np.ndarray, both: np.ndarray, shared: np.ndarray, n_b: int, width: int
) -> _BCells:
    """b's own cells (`_own_cells`) kept when their word is shared (`shared`: _shared_map) and their sentence
    aligned; a cell of the last sentence aligned is in no next one."""
    index = shared[words]
    keep = (index >= 0) & (rows < n_b)
    rows = rows[keep]
    return _BCells(rows, index[keep], both[keep] & (rows < n_b - 1), n_b, width)


def _shared_per_unit(ar: np.ndarray, aw: np.ndarray, n_a: int, b: _BCells) -> np.ndarray:
    """Shared vocabulary between each a sentence and each b unit: the n_b sentences, then the n_b - 1 pairs
    of neighbouring sentences (editors merge two sentences into one):
    |A ∩ (B_j ∪ B_j+1)| = c_j + c_j+1 - |A ∩ B_j ∩ B_j+1|. a's distinct (sentence, shared word) cells are
    given by their row and shared-vocabulary index."""
    n_b, width = b.n_b, b.width
    if not width:
        return np.zeros((n_a, max(1, 2 * n_b - 1)), dtype=np.float32)
    single = _cooccur(ar, aw, b.rows, b.words, n_a, n_b, width)
    if n_b < 2:
        return single
    double = _cooccur(ar, aw, b.rows[b.both], b.words[b.both], n_a, n_b - 1, width)
    return np.hstack([single, single[:, :-1] + single[:, 1:] - double])


class _Shared(NamedTuple):
    """What both directions of an alignment share: the sizes of the vocabularies the two texts share, and
    where each text's words and pairs sit in them."""

    width: int
    pwidth: int
    a_map: np.ndarray  # each word of a's vocabulary: its shared index (-1: not shared); _shared_map
    a_pmap: np.ndarray
    b_map: np.ndarray
    b_pmap: np.ndarray


def _cut(p: PreparedText, index: np.ndarray, sent: np.ndarray) -> np.ndarray:
    """Beyond MAX_SENTENCES sentences of a text, nothing is aligned (a bound on the cost: a book against a
    book; the verbatim features still read both texts whole)."""
    return np.where(sent < MAX_SENTENCES, index, -1) if len(p.sent_starts) > MAX_SENTENCES else index


def _shared(a: PreparedText, b: PreparedText, t: ReuseThresholds) -> _Shared | None:
    """The shared vocabularies, or None when the texts share too few words or pairs to align anything."""
    a_vocab, a_pvocab = _features(a)[2::4]
    b_vocab, b_pvocab = _features(b)[2::4]
    width, a_map, b_map = _shared_maps(a_vocab, b_vocab)
    if width < t.min_shared_words:
        return None
    pwidth, a_pmap, b_pmap = _shared_maps(a_pvocab, b_pvocab)
    if pwidth < t.min_shared_pairs:
        return None
    return _Shared(width, pwidth, a_map, a_pmap, b_map, b_pmap)


def _swap(s: _Shared) -> _Shared:
    return _Shared(s.width, s.pwidth, s.b_map, s.b_pmap, s.a_map, s.a_pmap)


def _shared_words(matrices: dict, p: PreparedText, index: np.ndarray, pindex: np.ndarray) -> tuple[np.ndarray, ...]:
    """The text's content words and content-word pairs as indices into the shared vocabularies (`index`,
    `pindex`: _shared_map; -1: not shared, or past MAX_SENTENCES), with their sentences, kept in `matrices`
    for the other direction (numpy's path)."""
    key = (id(p), "shared_words")
    found = matrices.get(key)
    if found is None:
        _, sent, _, inverse, _, psent, _, pinverse = _features(p)
        found = matrices[key] = (_cut(p, index[inverse], sent), sent, _cut(p, pindex[pinverse], psent), psent)
    return found


def align(a: PreparedText, b: PreparedText, thresholds: ReuseThresholds | None = None) -> Alignment:
    """Which sentences of a are derived from b, as spans of character offsets into both texts."""
    t = thresholds or THRESHOLDS
    result = Alignment(sentences=len(a.sent_starts), tokens=a.n_tokens, source_tokens=b.n_tokens)
    if not len(a.sent_starts) or not len(b.sent_starts):
        return result
    _verbatim(a, b, result)
    shared = _shared(a, b, t)
    if shared is not None:
        _align_sentences(a, b, shared, t, result, {})
    return result


def align_both(
    a: PreparedText, b: PreparedText, thresholds: ReuseThresholds | None = None
) -> tuple[Alignment, Alignment]:
    """(align(a, b), align(b, a)), the same results, sharing the work both directions repeat."""
    t = thresholds or THRESHOLDS
    forward = Alignment(sentences=len(a.sent_starts), tokens=a.n_tokens, source_tokens=b.n_tokens)
    backward = Alignment(sentences=len(b.sent_starts), tokens=b.n_tokens, source_tokens=a.n_tokens)
    if not len(a.sent_starts) or not len(b.sent_starts):
        return forward, backward
    _verbatim(a, b, forward, backward)
    shared = _shared(a, b, t)
    if shared is not None:
        matrices: dict = {}  # each text's dense matrices serve both directions
        _align_sentences(a, b, shared, t, forward, matrices)
        _align_sentences(b, a, _swap(shared), t, backward, matrices)
    return forward, backward


def _dense(
    matrices: dict, p: PreparedText, kind: str, index: np.ndarray, sent: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """The text's 0/1 matrix (sentences × shared words, or pairs) and that of its units (the sentences, then
    the pairs of neighbouring sentences: a word is in the pair when it is in either), kept in `matrices`."""
    key = (id(p), kind)
    found = matrices.get(key)
    if found is None:
        n = min(len(p.sent_starts), MAX_SENTENCES)
        m = np.zeros((n, width), dtype=np.float32)
        hit = index >= 0
        m[sent[hit], index[hit]] = 1
        units = np.concatenate((m, np.maximum(m[:-1], m[1:]))) if n > 1 else m
        found = matrices[key] = (m, units)
    return found


def _product(rows: np.ndarray, units: np.ndarray) -> np.ndarray:
    """rows @ units.T, in blocks of rows small enough that OpenBLAS keeps each on one thread."""
    out = np.empty((len(rows), len(units)), dtype=np.float32)
    step = max(1, DENSE_CELLS // max(1, units.size))
    for lo in range(0, len(rows), step):
        np.matmul(rows[lo : lo + step], units.T, out=out[lo : lo + step])
    return out


def _align_sentences(
    a: PreparedText, b: PreparedText, s: _Shared, t: ReuseThresholds, result: Alignment, matrices: dict
) -> None:
    """The sentence alignment of a with b: spans, coverage both ways, aligned sentences and words, similarity."""
    nb_sent = min(len(b.sent_starts), MAX_SENTENCES)
    _, _, qa, words_per_sentence, a_len = _per_sentence(a)
    if _compiled_best_units is not None:
        best, best_share = _best_compiled(a, b, s, t, nb_sent, matrices)
    else:
        best, best_share = _best_numpy(a, b, s, t, nb_sent, matrices)
    _, _, b_quoted, _, b_len = _per_sentence(b)
    _spans_and_coverage(a, b, nb_sent, best, best_share, qa, b_quoted, a_len, b_len, words_per_sentence, result)


def _side_cells(
    matrices: dict, p: PreparedText, index: np.ndarray, pindex: np.ndarray, width: int, pwidth: int
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The text's shared cells of words and of pairs (`index`, `pindex`: _shared_map) by sentence and by
    shared word (_align.shared_cells), kept in `matrices`: one alignment's two directions read each text's
    both ways."""
    key = (id(p), "cells")
    found = matrices.get(key)
    if found is None:
        rows, words, both, _, prows, pwords, pboth, _ = _own_cells(p)
        n = min(len(p.sent_starts), MAX_SENTENCES)
        found = matrices[key] = (
            _compiled_shared_cells(rows, words, both.view(np.uint8), index, n, width),
            _compiled_shared_cells(prows, pwords, pboth.view(np.uint8), pindex, n, pwidth),
        )
    return found


def _best_compiled(
    a: PreparedText,
    b: PreparedText,
    s: _Shared,
    t: ReuseThresholds,
    nb_sent: int,
    matrices: dict,
) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's best b unit and its score, by the compiled loop: a's shared cells by sentence met with
    b's by word, no (a sentences × b units) matrix; it scores only the sentences holding a shared pair, as
    numpy's path does."""
    (a_start, a_word, _, _, _), (a_pstart, a_pword, _, _, _) = _side_cells(
        matrices, a, s.a_map, s.a_pmap, s.width, s.pwidth
    )
    (_, _, w_start, w_sent, w_both), (_, _, p_start, p_sent, p_both) = _side_cells(
        matrices, b, s.b_map, s.b_pmap, s.width, s.pwidth
    )
    a_sizes, a_pair_sizes, _, _, _ = _per_sentence(a)
    return _compiled_best_units(
        len(a.sent_starts),
        a_start,
        a_word,
        a_pstart,
        a_pword,
        w_start,
        w_sent,
        w_both,
        p_start,
        p_sent,
        p_both,
        a_sizes,
        a_pair_sizes,
        nb_sent,
        float(t.min_shared_words),
        float(t.min_shared_pairs),
        float(t.sentence_share),
        float(t.pair_share),
    )


def _best_numpy(
    a: PreparedText,
    b: PreparedText,
    s: _Shared,
    t: ReuseThresholds,
    nb_sent: int,
    matrices: dict,
) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's best b unit and its score (0 and -1.0 when not scored), by numpy's matrices."""
    na_sent = len(a.sent_starts)
    a_word, a_sent, a_pword, a_psent = _shared_words(matrices, a, s.a_map, s.a_pmap)
    b_word, b_sent, b_pword, b_psent = _shared_words(matrices, b, s.b_map, s.b_pmap)
    # Only sentences of a holding a shared content-word pair can align (min_shared_pairs >= 1): the matrices
    # are built for those rows alone, so two long unrelated pages cost a few rows, not all of them.
    a_hit = np.zeros(na_sent, dtype=bool)
    a_hit[a_psent[a_pword >= 0]] = True
    a_hit[MAX_SENTENCES:] = False
    rows = np.flatnonzero(a_hit)
    best = np.zeros(na_sent, dtype=np.int64)
    best_share = np.full(na_sent, -1.0)
    if not len(rows) or t.min_shared_pairs < 1:
        a_hit[: min(na_sent, MAX_SENTENCES)] = True
        rows = np.flatnonzero(a_hit)
    n_rows = len(rows)
    # Shared words per (a sentence, b unit). Small texts: a product of the two sides' dense 0/1 matrices (a
    # few numpy calls; the counts are small integers, exact in float32). Otherwise counted by joining the two
    # sides' (sentence, word) cells on the word: the cost is what the shared words cost, not sentences ×
    # vocabulary (two long unrelated pages share few words in few sentences), and a's sentences go in
    # chunks, so the matrices stay small however long the texts are.
    a_sizes, a_pair_sizes, _, _, _ = _per_sentence(a)
    n_units, widths = 2 * nb_sent - 1, s.width + s.pwidth
    dense = (
        n_rows * n_units * widths < DENSE_PRODUCTS
        and n_units * max(s.width, s.pwidth) < DENSE_CELLS
        and min(na_sent, MAX_SENTENCES) * widths < DENSE_PRODUCTS  # a's matrices, all its sentences
    )
    if dense:
        chunk = n_rows
    else:
        # The shared cells of a's rows, renumbered; b's shared cells.
        renumber = np.cumsum(a_hit) - 1
        a_rows, a_words, _, _, a_prows, a_pwords, _, _ = _own_cells(a)
        ra_word, ra_pword = s.a_map[a_words], s.a_pmap[a_pwords]
        keep_words, keep_pairs = (ra_word >= 0) & a_hit[a_rows], (ra_pword >= 0) & a_hit[a_prows]
        ra_word, ra_sent = ra_word[keep_words], renumber[a_rows[keep_words]]
        ra_pword, ra_psent = ra_pword[keep_pairs], renumber[a_prows[keep_pairs]]
        b_rows, b_words, b_both, _, b_prows, b_pwords, b_pboth, _ = _own_cells(b)
        b_words = _b_cells(b_rows, b_words, b_both, s.b_map, nb_sent, s.width)
        b_pairs = _b_cells(b_prows, b_pwords, b_pboth, s.b_pmap, nb_sent, s.pwidth)
        chunk = max(1, CHUNK_CELLS // (2 * nb_sent))
    for lo in range(0, n_rows, chunk):
        hi = min(n_rows, lo + chunk)
        if dense:
            shared = _product(
                _dense(matrices, a, "words", a_word, a_sent, s.width)[0][rows],
                _dense(matrices, b, "words", b_word, b_sent, s.width)[1],
            )
            shared_pairs = _product(
                _dense(matrices, a, "pairs", a_pword, a_psent, s.pwidth)[0][rows],
                _dense(matrices, b, "pairs", b_pword, b_psent, s.pwidth)[1],
            )
        else:
            in_words = (ra_sent >= lo) & (ra_sent < hi)
            in_pairs = (ra_psent >= lo) & (ra_psent < hi)
            shared = _shared_per_unit(ra_sent[in_words] - lo, ra_word[in_words], hi - lo, b_words)
            shared_pairs = _shared_per_unit(ra_psent[in_pairs] - lo, ra_pword[in_pairs], hi - lo, b_pairs)
        size_a = a_sizes[rows[lo:hi]]
        pairs_a = a_pair_sizes[rows[lo:hi]]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(size_a[:, None] > 0, shared / size_a[:, None], 0.0)
            pshare = np.where(pairs_a[:, None] > 0, shared_pairs / pairs_a[:, None], 0.0)
        valid = (
            (shared >= t.min_shared_words)
            & (shared_pairs >= t.min_shared_pairs)
            & (share >= t.sentence_share)
            & (pshare >= t.pair_share)
        )
        # Prefer a single sentence to a pair at equal share: the pair is only there for merges.
        score = np.where(valid, share, -1.0)
        score[:, nb_sent:] -= 1e-6
        row_best = score.argmax(axis=1)
        best[rows[lo:hi]] = row_best
        best_share[rows[lo:hi]] = score[np.arange(hi - lo), row_best]
    return best, best_share


def _spans_and_coverage(
    a: PreparedText,
    b: PreparedText,
    nb_sent: int,
    best: np.ndarray,
    best_share: np.ndarray,
    qa: np.ndarray,
    b_quoted: np.ndarray,
    a_len: np.ndarray,
    b_len: np.ndarray,
    words_per_sentence: np.ndarray,
    result: Alignment,
) -> None:
    """From each sentence's best b unit and share (aligned: share >= 0): spans, coverage both ways, aligned
    sentences and words, similarity."""
    # Quotations: the share of each sentence's content words inside quotation marks (of b's units: a pair's
    # is the smaller of its two; kept with b, which meets many texts).
    qb2 = b.derived.get("quoted_units")
    if qb2 is None:
        qb = b_quoted[:nb_sent]
        qb2 = b.derived["quoted_units"] = np.concatenate([qb, np.minimum(qb[:-1], qb[1:])]) if nb_sent > 1 else qb
    # A span is a passage in the same order on both sides: sentences that follow each other in a and in b
    # merge; a reordered or skipped sentence starts a span of its own, so each highlight points at the text
    # it was taken from.
    runs = (_compiled_span_runs or _numpy_span_runs)(
        best, best_share, qa, qb2, a_len, b_len, words_per_sentence, nb_sent
    )
    if runs is None:
        return
    lengths, shares, firsts, a_first, a_last, span_j0, span_j1, span_quoted, unquoted_sents = runs[1:10]
    covered_len, length_sum, quoted_len, aligned_words, total_a, total_b = runs[10:]
    # The floats stay numpy's (the same sums in the same order).
    weighted = np.add.reduceat(lengths * shares, firsts)
    weight = np.add.reduceat(lengths, firsts)
    sims = weighted / np.maximum(1, weight)
    # Offsets gathered in numpy and handed over as Python ints in one tolist() each (not a numpy scalar each).
    result.spans = list(
        map(
            Span,
            a.sent_starts[a_first].tolist(),
            a.sent_ends[a_last].tolist(),
            b.sent_starts[span_j0].tolist(),
            b.sent_ends[span_j1].tolist(),
            [round(sim, 4) for sim in sims.tolist()],
            span_quoted.tolist(),
        )
    )
    total_a, total_b = total_a or 1, total_b or 1
    result.coverage = length_sum / total_a
    result.quoted_share = quoted_len / total_a
    result.source_coverage = float(covered_len) / total_b
    result.aligned_sentences = len(unquoted_sents)
    if len(unquoted_sents):
        result.aligned_words = aligned_words
        weights = a_len[unquoted_sents]
        result.similarity = float(np.dot(weights, best_share[unquoted_sents]) / max(1, int(weights.sum())))


def _numpy_span_runs(
    best: np.ndarray,
    best_share: np.ndarray,
    qa: np.ndarray,
    qb_units: np.ndarray,
    a_len: np.ndarray,
    b_len: np.ndarray,
    a_words: np.ndarray,
    nb_sent: int,
) -> tuple | None:
    """_align.span_runs in numpy: None when no sentence is aligned, else the aligned sentences, their
    characters and scores; each span's first index into them, first and last a sentences, first and last b
    sentences and whether it is quoted; the aligned sentences not quoted; b's characters covered, a's
    aligned and a's quoted; the unquoted ones' tokens; a's characters and b's."""
    aligned = np.flatnonzero(best_share >= 0)
    if not len(aligned):
        return None
    units = best[aligned]
    pair = units >= nb_sent  # a unit past n_b is the pair (j, j + 1)
    j0 = units - nb_sent * pair
    j1 = j0 + pair
    quoted = (qa[aligned] >= 0.5) & (qb_units[units] >= 0.5)
    lengths = a_len[aligned]
    joins = (np.diff(aligned) == 1) & (j0[1:] == j1[:-1] + 1) & (quoted[1:] == quoted[:-1])
    firsts = np.flatnonzero(np.concatenate(([True], ~joins)))
    lasts = np.concatenate((firsts[1:], [len(aligned)])) - 1
    # +1 at each unit's first sentence, -1 after its last (bincount: np.add.at is several times slower)
    covered_b = np.bincount(j0, minlength=nb_sent + 1) - np.bincount(j1 + 1, minlength=nb_sent + 1)
    covered = np.cumsum(covered_b[:nb_sent]) > 0
    unquoted = aligned[~quoted]
    return (
        aligned,
        lengths,
        best_share[aligned],
        firsts,
        aligned[firsts],
        aligned[lasts],
        np.minimum.reduceat(j0, firsts),
        np.maximum.reduceat(j1, firsts),
        np.logical_and.reduceat(quoted, firsts),
        unquoted,
        int(b_len[:nb_sent][covered].sum()),
        int(lengths.sum()),
        int(lengths[quoted].sum()),
        int(a_words[unquoted].sum()),
        int(a_len.sum()),
        int(b_len.sum()),
    )


def _quoted_share(p: PreparedText, n_sent: int) -> np.ndarray:
    if _compiled_quoted_share is not None and p.tok_sent.dtype == np.int32:
        return _compiled_quoted_share(p.tok_sent, p.tok_content.view(np.uint8), p.tok_quoted.view(np.uint8), n_sent)
    mask = p.tok_content
    sent = p.tok_sent[mask]
    total = np.bincount(sent, minlength=n_sent).astype(np.float32)
    quoted = np.bincount(sent[p.tok_quoted[mask]], minlength=n_sent).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, quoted / np.maximum(total, 1), 0.0)


Grade = Literal["wholly", "partially"]

# The model's inputs, from one alignment of a with b; names as in reuse_model.json. None is language- or
# corpus-specific: shares of either text, whether shared words are verbatim, sizes only as logarithms. Shared
# quotations count for nothing here (they are left out of coverage and containment).
FEATURES: dict[str, Callable[[Alignment], float]] = {
    "coverage": lambda al: al.unquoted_coverage,  # share of a aligned to b, shared quotations excepted
    "source_coverage": lambda al: al.source_coverage,  # share of b aligned to a: how much of the source is taken
    "similarity": lambda al: al.similarity,
    "log_aligned_words": lambda al: math.log1p(al.aligned_words),
    "containment": lambda al: math.sqrt(al.containment),  # square roots: small shares matter most
    "source_containment": lambda al: math.sqrt(al.source_containment),
    "log_longest_run": lambda al: math.log1p(al.longest_run),
}


@dataclass(frozen=True, slots=True)
class ReuseModel:
    """P(a derives from b) = sigmoid(bias + Σ weights[f] · FEATURES[f](alignment)). Reuse when P >= threshold;
    then "wholly" when a's evidence (see Alignment.evidence) >= wholly, else "partially". The defaults are the
    values fitted in reuse_model.json, so a wheel without the JSON behaves the same."""

    weights: dict[str, float] = field(
        default_factory=lambda: {
            "coverage": 3.714,
            "source_coverage": -0.2219,
            "similarity": 1.164,
            "log_aligned_words": -0.2958,
            "containment": 7.9363,
            "source_containment": 0.0,
            "log_longest_run": -0.4226,
        }
    )
    bias: float = -2.3935
    threshold: float = 0.823674
    wholly: float = 0.6

    @classmethod
    def load(cls, path: Path = _MODEL_FILE) -> ReuseModel:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            wholly=float(data["wholly"]),
        )

    def probability(self, alignment: Alignment) -> float:
        z = self.bias + sum(w * FEATURES[name](alignment) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


MODEL = ReuseModel.load()


def reuse_grade(
    alignment: Alignment, thresholds: ReuseThresholds | None = None, model: ReuseModel | None = None
) -> Grade | None:
    """ "wholly" or "partially" derived (a from b), or None: not reuse (an independent text, perhaps on the
    same event, quoting the same people and giving the same facts in its own words)."""
    return assess_reuse(alignment, thresholds, model)[0]


def assess_reuse(
    alignment: Alignment, thresholds: ReuseThresholds | None = None, model: ReuseModel | None = None
) -> tuple[Grade | None, float]:
    """reuse_grade() and the model's P(a derives from b) it weighs, computed once: matching keeps both on the
    edge."""
    t = thresholds or THRESHOLDS
    m = model or MODEL
    probability = m.probability(alignment)
    if alignment.aligned_sentences < t.min_aligned_sentences:
        return None, probability
    verbatim_passage = alignment.longest_run >= t.passage_run and (
        max(alignment.containment, alignment.source_containment) >= t.passage_share
    )
    if probability < m.threshold and not verbatim_passage:
        return None, probability
    return ("wholly" if alignment.evidence(t) >= m.wholly else "partially"), probability
