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

Thresholds live in one place, ReuseThresholds, read from align_thresholds.json beside this module
(written by bench/fit_reuse.py, fitted by cross-validation).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from farmwatch.analysis.text import PreparedText, _mix

_THRESHOLDS_FILE = Path(__file__).with_name("align_thresholds.json")


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
    # Evidence = (unquoted aligned characters + quoted_weight · quoted ones) / characters of a.
    partially: float = 0.4305  # evidence from which a is partially derived from b
    wholly: float = 0.6305  # evidence from which a is wholly derived from b
    min_aligned_sentences: int = 1  # fewer aligned (unquoted) sentences than this is never reuse
    # A long shared passage is reuse whatever share of a it is (half of a long article merged into another):
    # at least this many words of a in aligned sentences, quotations excepted (0: no such rule).
    passage_words: int = 300

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


def _pairs(stems: np.ndarray, sent: np.ndarray, window: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Order-free hashes of content-word pairs at most `window` apart within a sentence, and their sentence."""
    if len(stems) < 2:
        return _EMPTY, np.empty(0, dtype=np.int32)
    mixed = _mix(stems)
    hs, ss = [], []
    with np.errstate(over="ignore"):
        for d in range(1, window + 1):
            if len(stems) <= d:
                break
            same = sent[d:] == sent[:-d]
            x, y = mixed[:-d][same], mixed[d:][same]
            hs.append(np.minimum(x, y) * np.uint64(0x100000001B3) ^ _mix(np.maximum(x, y)))
            ss.append(sent[d:][same])
    return np.concatenate(hs), np.concatenate(ss)


def _incidence(keys: np.ndarray, sent: np.ndarray, vocab: np.ndarray, n_sent: int) -> np.ndarray:
    """Sentence × shared-vocabulary 0/1 matrix (float32, for a matrix product)."""
    m = np.zeros((n_sent, len(vocab)), dtype=np.float32)
    idx = np.searchsorted(vocab, keys)
    idx[idx >= len(vocab)] = 0
    hit = vocab[idx] == keys
    m[sent[hit], idx[hit]] = 1.0
    return m


def _sentence_sizes(stems: np.ndarray, sent: np.ndarray, n_sent: int) -> np.ndarray:
    """Distinct content words per sentence."""
    if not len(stems):
        return np.zeros(n_sent, dtype=np.float32)
    order = np.lexsort((stems, sent))
    s, h = sent[order], stems[order]
    first = np.ones(len(s), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (h[1:] != h[:-1])
    return np.bincount(s[first], minlength=n_sent).astype(np.float32)


def align(a: PreparedText, b: PreparedText, thresholds: ReuseThresholds | None = None) -> Alignment:
    """Which sentences of a are derived from b, as spans of character offsets into both texts."""
    t = thresholds or THRESHOLDS
    na_sent, nb_sent = len(a.sent_starts), len(b.sent_starts)
    result = Alignment(sentences=na_sent)
    if not na_sent or not nb_sent:
        return result
    a_stem, a_sent = _content(a)
    b_stem, b_sent = _content(b)
    vocab = np.intersect1d(a_stem, b_stem)
    if len(vocab) < t.min_shared_words:
        return result
    a_pair, a_psent = _pairs(a_stem, a_sent)
    b_pair, b_psent = _pairs(b_stem, b_sent)
    pvocab = np.intersect1d(a_pair, b_pair)
    if len(pvocab) < t.min_shared_pairs:
        return result

    wa = _incidence(a_stem, a_sent, vocab, na_sent)
    wb = _incidence(b_stem, b_sent, vocab, nb_sent)
    pa = _incidence(a_pair, a_psent, pvocab, na_sent)
    pb = _incidence(b_pair, b_psent, pvocab, nb_sent)
    size_a = _sentence_sizes(a_stem, a_sent, na_sent)
    pairs_a = _sentence_sizes(a_pair, a_psent, na_sent)
    # Each b "unit" is one sentence or two neighbouring ones (editors merge sentences).
    if nb_sent > 1:
        wb2 = np.vstack([wb, np.maximum(wb[:-1], wb[1:])])
        pb2 = np.vstack([pb, np.maximum(pb[:-1], pb[1:])])
    else:
        wb2, pb2 = wb, pb
    shared = wa @ wb2.T  # shared content words, a sentence × b unit
    shared_pairs = pa @ pb2.T
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
    best = score.argmax(axis=1)
    best_share = score[np.arange(na_sent), best]
    aligned = np.flatnonzero(best_share >= 0)
    if not len(aligned):
        return result

    # Quotations: the share of each sentence's content words inside quotation marks.
    qa = _quoted_share(a, na_sent)
    qb = _quoted_share(b, nb_sent)
    qb2 = np.concatenate([qb, np.minimum(qb[:-1], qb[1:])]) if nb_sent > 1 else qb
    unit_start = np.concatenate([np.arange(nb_sent), np.arange(nb_sent - 1)])
    unit_end = np.concatenate([np.arange(nb_sent), np.arange(1, nb_sent)])

    a_len = (a.sent_ends - a.sent_starts).astype(np.int64)
    b_len = (b.sent_ends - b.sent_starts).astype(np.int64)
    spans: list[Span] = []
    covered_b = np.zeros(nb_sent, dtype=bool)
    aligned_chars = quoted_chars = 0
    n_unquoted = 0
    unquoted_sents: list[int] = []
    run: list[tuple[int, int, int, float, bool]] = []  # (a sentence, b first, b last, share, quoted)

    def flush() -> None:
        if not run:
            return
        i0, i1 = run[0][0], run[-1][0]
        j0 = min(r[1] for r in run)
        j1 = max(r[2] for r in run)
        weights = a_len[[r[0] for r in run]]
        sim = float(np.dot(weights, [r[3] for r in run]) / max(1, weights.sum()))
        spans.append(
            Span(
                int(a.sent_starts[i0]),
                int(a.sent_ends[i1]),
                int(b.sent_starts[j0]),
                int(b.sent_ends[j1]),
                round(sim, 4),
                all(r[4] for r in run),
            )
        )
        run.clear()

    for i in aligned.tolist():
        u = int(best[i])
        j0, j1 = int(unit_start[u]), int(unit_end[u])
        quoted = bool(qa[i] >= 0.5 and qb2[u] >= 0.5)
        covered_b[j0 : j1 + 1] = True
        aligned_chars += int(a_len[i])
        if quoted:
            quoted_chars += int(a_len[i])
        else:
            n_unquoted += 1
            unquoted_sents.append(i)
        if run:
            pi, pj0, pj1, _, pq = run[-1]
            # Neighbours on both sides (b may skip a sentence the editor cut, or step back one) merge.
            if i == pi + 1 and pj0 - 1 <= j0 <= pj1 + 2 and quoted == pq:
                run.append((i, j0, j1, float(best_share[i]), quoted))
                continue
            flush()
        run.append((i, j0, j1, float(best_share[i]), quoted))
    flush()

    total_a = int(a_len.sum()) or 1
    total_b = int(b_len.sum()) or 1
    result.spans = spans
    result.coverage = aligned_chars / total_a
    result.quoted_share = quoted_chars / total_a
    result.source_coverage = float(b_len[covered_b].sum()) / total_b
    result.aligned_sentences = n_unquoted
    words_per_sentence = np.bincount(a.tok_sent, minlength=na_sent)
    result.aligned_words = int(words_per_sentence[unquoted_sents].sum()) if unquoted_sents else 0
    return result


def _quoted_share(p: PreparedText, n_sent: int) -> np.ndarray:
    mask = p.tok_content
    sent = p.tok_sent[mask]
    total = np.bincount(sent, minlength=n_sent).astype(np.float32)
    quoted = np.bincount(sent[p.tok_quoted[mask]], minlength=n_sent).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, quoted / np.maximum(total, 1), 0.0)


Grade = Literal["wholly", "partially"]


def reuse_grade(alignment: Alignment, thresholds: ReuseThresholds | None = None) -> Grade | None:
    """ "wholly" or "partially" derived (a from b), or None: not reuse (an independent text, perhaps on the
    same event and quoting the same people)."""
    t = thresholds or THRESHOLDS
    if alignment.aligned_sentences < t.min_aligned_sentences:
        return None
    evidence = alignment.evidence(t)
    if evidence >= t.wholly:
        return "wholly"
    if evidence >= t.partially or (t.passage_words and alignment.aligned_words >= t.passage_words):
        return "partially"
    return None
