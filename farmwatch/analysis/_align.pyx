# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Compiled sentence alignment scores (optional: align._align_sentences falls back to numpy, the same arithmetic).

numpy's path builds (a sentences × b units) matrices of shared counts, shares and scores, a dozen
temporaries as large as the matrix, when a row needs only its best unit. One C loop per a sentence counts
its shared words and pairs in each b sentence (from b's postings), then scores the units in order with the
same float32 arithmetic as numpy (shares, thresholds cast to float32, the pair units' 1e-6) and keeps the
first best, as argmax does."""

import numpy as np

from farmwatch.analysis._hashing cimport splitmix64 as _splitmix64
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libc.stdlib cimport qsort
from libc.string cimport memset


cdef inline void _count(
    const int64_t[::1] words, Py_ssize_t lo, Py_ssize_t hi,
    const int64_t[::1] post_start, const int64_t[::1] post_sent, const uint8_t[::1] post_both,
    int32_t *single, int32_t *double, uint8_t *seen, int64_t *touched, Py_ssize_t *n_touched,
) noexcept nogil:
    cdef Py_ssize_t k, q
    cdef int64_t w, s
    for k in range(lo, hi):
        w = words[k]
        for q in range(post_start[w], post_start[w + 1]):
            s = post_sent[q]
            if not seen[s]:  # the b sentences counted: to score and to reset them alone
                seen[s] = 1
                touched[n_touched[0]] = s
                n_touched[0] += 1
            single[s] += 1
            if post_both[q]:
                double[s] += 1


cdef inline float _unit_score(
    Py_ssize_t u, Py_ssize_t n_b, const int32_t *cw, const int32_t *dw, const int32_t *cp, const int32_t *dp,
    float sa, float pa, float min_w, float min_p, float s_share, float p_share,
) noexcept nogil:
    """A unit's score, in numpy's float32 arithmetic: its share of the a sentence's words when valid, else
    -1; a pair unit 1e-6 less (a single sentence is preferred at equal share)."""
    cdef float fc, fp, share, pshare, score = -1
    cdef Py_ssize_t j
    if u < n_b:
        fc = <float>cw[u]
        fp = <float>cp[u]
    else:  # |A ∩ (B_j ∪ B_j+1)| = c_j + c_j+1 - |A ∩ B_j ∩ B_j+1|
        j = u - n_b
        fc = <float>(cw[j] + cw[j + 1] - dw[j])
        fp = <float>(cp[j] + cp[j + 1] - dp[j])
    if fc >= min_w and fp >= min_p:  # the counts first: most units share too little to divide
        share = fc / sa if sa > 0 else 0
        pshare = fp / pa if pa > 0 else 0
        if share >= s_share and pshare >= p_share:
            score = share
    if u >= n_b:
        score = score - <float>1e-6
    return score


def shared_cells(
    const int64_t[::1] rows,
    const int64_t[::1] words,
    const uint8_t[::1] both,
    const int64_t[::1] index,
    Py_ssize_t n_sent,
    Py_ssize_t width,
) -> tuple:
    """A text's distinct (sentence, word) cells (sorted by sentence; `both`: also in the next sentence) kept
    when the word is shared (index[word] >= 0: its shared index) and the sentence is among the first n_sent,
    two ways, for either side of an alignment: by sentence (each sentence's start, n_sent + 1, and the shared
    indices) and by shared word (each word's start, width + 1, the sentences, and whether each is in the next
    sentence aligned too). One counting pass, no sort."""
    cdef Py_ssize_t n = rows.shape[0], k, m = 0, at
    cdef int64_t w, r
    s_start_arr = np.zeros(n_sent + 1, dtype=np.int64)
    w_start_arr = np.zeros(width + 1, dtype=np.int64)
    cdef int64_t[::1] s_start = s_start_arr
    cdef int64_t[::1] w_start = w_start_arr
    for k in range(n):
        w = index[words[k]]
        if w >= 0 and rows[k] < n_sent:
            s_start[rows[k] + 1] += 1
            w_start[w + 1] += 1
            m += 1
    for k in range(n_sent):
        s_start[k + 1] += s_start[k]
    for k in range(width):
        w_start[k + 1] += w_start[k]
    s_word_arr = np.empty(m, dtype=np.int64)
    w_sent_arr = np.empty(m, dtype=np.int64)
    w_both_arr = np.empty(m, dtype=np.uint8)
    fill_arr = w_start_arr[:width].copy()
    cdef int64_t[::1] s_word = s_word_arr
    cdef int64_t[::1] w_sent = w_sent_arr
    cdef uint8_t[::1] w_both = w_both_arr
    cdef int64_t[::1] fill = fill_arr
    m = 0
    for k in range(n):
        w = index[words[k]]
        r = rows[k]
        if w >= 0 and r < n_sent:
            s_word[m] = w
            m += 1
            at = fill[w]
            fill[w] += 1
            w_sent[at] = r
            w_both[at] = 1 if both[k] and r < n_sent - 1 else 0
    return s_start_arr, s_word_arr, w_start_arr, w_sent_arr, w_both_arr


def best_units(
    Py_ssize_t na_sent,
    const int64_t[::1] a_start,
    const int64_t[::1] a_word,
    const int64_t[::1] a_pstart,
    const int64_t[::1] a_pword,
    const int64_t[::1] w_start,
    const int64_t[::1] w_sent,
    const uint8_t[::1] w_both,
    const int64_t[::1] p_start,
    const int64_t[::1] p_sent,
    const uint8_t[::1] p_both,
    const float[::1] size_a,
    const float[::1] pairs_a,
    Py_ssize_t n_b,
    double min_words,
    double min_pairs,
    double sentence_share,
    double pair_share,
) -> tuple:
    """For each of a's na_sent sentences: the best b unit (sentences 0..n_b-1, then pairs of neighbouring
    sentences) and its score, as numpy's path gives them (best, best_share; 0 and -1.0 for a sentence not
    scored). Scored: the sentences of a_start (its shared words a_word[a_start[i]:a_start[i + 1]], its
    pairs likewise; shared_cells: the first MAX_SENTENCES); when min_pairs >= 1 only those holding a shared
    pair (the others score -1 everywhere, which leaves 0 and -1.0). b's postings (shared_cells): for shared
    word w, the b sentences holding it, w_sent[w_start[w]:w_start[w + 1]], and whether each is in the next b
    sentence too (w_both); the same for pairs. size_a, pairs_a: distinct content words and pairs of each a
    sentence."""
    cdef Py_ssize_t n_rows = a_start.shape[0] - 1
    cdef Py_ssize_t n_units = 2 * n_b - 1 if n_b > 1 else 1
    if n_rows < 0 or n_rows > na_sent or a_pstart.shape[0] != n_rows + 1:
        raise ValueError("one start per scored sentence, and one more")
    best_arr = np.zeros(na_sent, dtype=np.int64)
    best_share_arr = np.full(na_sent, -1.0)
    cdef int64_t[::1] best = best_arr
    cdef double[::1] best_share = best_share_arr
    cdef bint all_rows = min_pairs < 1
    counts_arr = np.zeros(4 * max(n_b, 1), dtype=np.int32)
    seen_arr = np.zeros(max(n_b, 1), dtype=np.uint8)
    touched_arr = np.empty(max(n_b, 1), dtype=np.int64)
    cdef int32_t[::1] counts = counts_arr
    cdef uint8_t[::1] seen = seen_arr
    cdef int64_t[::1] touched = touched_arr
    cdef int32_t *cw = &counts[0]
    cdef int32_t *dw = cw + n_b
    cdef int32_t *cp = dw + n_b
    cdef int32_t *dp = cp + n_b
    cdef float min_w = <float>min_words, min_p = <float>min_pairs
    cdef float s_share = <float>sentence_share, p_share = <float>pair_share
    cdef float sa, pa, score, top
    cdef Py_ssize_t i, u, k, j, at, n_touched
    cdef int64_t s
    # When a valid unit needs a shared word or pair, one without any (none counted in its sentences) scores
    # -1 or less, never above unit 0's (a share or -1): then unit 0 and the units of the sentences counted
    # are scored, no others, in any order, the best the first in unit order at equal score, as argmax keeps.
    cdef bint sparse = min_w > 0 or min_p > 0
    with nogil:
        for i in range(n_rows):
            if not all_rows and a_pstart[i + 1] == a_pstart[i]:
                continue
            n_touched = 0
            _count(a_word, a_start[i], a_start[i + 1], w_start, w_sent, w_both, cw, dw, &seen[0], &touched[0], &n_touched)
            _count(a_pword, a_pstart[i], a_pstart[i + 1], p_start, p_sent, p_both, cp, dp, &seen[0], &touched[0], &n_touched)
            sa = size_a[i]
            pa = pairs_a[i]
            top = _unit_score(0, n_b, cw, dw, cp, dp, sa, pa, min_w, min_p, s_share, p_share)
            at = 0
            if sparse:
                for k in range(n_touched):
                    s = touched[k]
                    # the sentence s, and the pairs (s - 1, s) and (s, s + 1)
                    for j in range(3):
                        u = s if j == 0 else n_b + s + j - 2
                        if j and (u < n_b or u >= n_units):  # no pair before the first, none past the last
                            continue
                        score = _unit_score(u, n_b, cw, dw, cp, dp, sa, pa, min_w, min_p, s_share, p_share)
                        if score > top or score == top and u < at:
                            top = score
                            at = u
            else:
                for u in range(1, n_units):
                    score = _unit_score(u, n_b, cw, dw, cp, dp, sa, pa, min_w, min_p, s_share, p_share)
                    if score > top:
                        top = score
                        at = u
            for k in range(n_touched):
                s = touched[k]
                cw[s] = dw[s] = cp[s] = dp[s] = 0
                seen[s] = 0
            best[i] = at
            best_share[i] = top
    return best_arr, best_share_arr


cdef Py_ssize_t _merge(
    const uint64_t[::1] x, const uint64_t[::1] y, int64_t *map_x, int64_t *map_y
) noexcept nogil:
    """One merge of two sorted unique arrays: how many values they share, and (when the maps are given)
    each shared value's index among the shared ones written into map_x and map_y."""
    cdef Py_ssize_t nx = x.shape[0], ny = y.shape[0], i = 0, j = 0, n = 0
    while i < nx and j < ny:
        if x[i] < y[j]:
            i += 1
        elif y[j] < x[i]:
            j += 1
        else:
            if map_x != NULL:
                map_x[i] = n
                map_y[j] = n
            n += 1
            i += 1
            j += 1
    return n


def shared_maps(const uint64_t[::1] x, const uint64_t[::1] y) -> tuple:
    """For two sorted unique vocabularies: how many values they share, and each value's index among the
    shared ones (-1: not shared), for x and for y; one merge (np.intersect1d sorts both again)."""
    cdef Py_ssize_t n = 0
    map_x_arr = np.full(x.shape[0], -1, dtype=np.int64)
    map_y_arr = np.full(y.shape[0], -1, dtype=np.int64)
    cdef int64_t[::1] map_x = map_x_arr
    cdef int64_t[::1] map_y = map_y_arr
    if x.shape[0] and y.shape[0]:
        with nogil:
            n = _merge(x, y, &map_x[0], &map_y[0])
    return n, map_x_arr, map_y_arr


cdef void _hits(
    const int64_t[::1] at, const uint8_t[::1] unquoted, const int64_t[::1] found, Py_ssize_t *out
) noexcept nogil:
    """A text's word 3-grams (`at`: each one's index in its vocabulary; found[at] >= 0: in the other text):
    how many touch no quoted token, how many of those are found, and the longest run of consecutive found
    ones (0 when none), in out[0:3]."""
    cdef Py_ssize_t n = at.shape[0], k
    cdef Py_ssize_t kept = 0, hits = 0, run = 0, longest = 0
    for k in range(n):
        if unquoted[k]:
            kept += 1
            if found[at[k]] >= 0:
                hits += 1
                run += 1
                if run > longest:
                    longest = run
                continue
        run = 0
    out[0] = kept
    out[1] = hits
    out[2] = longest


def verbatim(
    const uint64_t[::1] vocab_a,
    const int64_t[::1] at_a,
    const uint8_t[::1] unquoted_a,
    const uint64_t[::1] vocab_b,
    const int64_t[::1] at_b,
    const uint8_t[::1] unquoted_b,
) -> tuple:
    """Two texts' word 3-grams (each text's sorted unique ones, each 3-gram's index among them, whether it
    touches no quoted token): for each text, how many touch no quoted token, how many of those are in the
    other text, and the longest run of consecutive such ones (0 when none). One merge of the vocabularies
    (shared_maps), one pass over each text's 3-grams."""
    cdef Py_ssize_t out[6]
    cdef Py_ssize_t k
    if at_a.shape[0] != unquoted_a.shape[0] or at_b.shape[0] != unquoted_b.shape[0]:
        raise ValueError("one quoted flag per 3-gram")
    for k in range(at_a.shape[0]):
        if at_a[k] < 0 or at_a[k] >= vocab_a.shape[0]:
            raise ValueError("a 3-gram outside its vocabulary")
    for k in range(at_b.shape[0]):
        if at_b[k] < 0 or at_b[k] >= vocab_b.shape[0]:
            raise ValueError("a 3-gram outside its vocabulary")
    cdef const int64_t[::1] map_a
    cdef const int64_t[::1] map_b
    _, map_a, map_b = shared_maps(vocab_a, vocab_b)
    with nogil:
        _hits(at_a, unquoted_a, map_a, out)
        _hits(at_b, unquoted_b, map_b, out + 3)
    return out[0], out[1], out[2], out[3], out[4], out[5]


def shared_count(const uint64_t[::1] x, const uint64_t[::1] y) -> int:
    """How many values x and y share, when both are strictly increasing (a page's shingles): one merge, where
    np.intersect1d concatenates and sorts both again. -1 when either is not strictly increasing (the caller
    then asks numpy)."""
    cdef Py_ssize_t n = -1
    with nogil:
        if _increasing(x) and _increasing(y):
            n = _merge(x, y, NULL, NULL)
    return n


cdef inline bint _increasing(const uint64_t[::1] x) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(1, x.shape[0]):
        if x[i] <= x[i - 1]:
            return False
    return True


cdef inline Py_ssize_t _slot(uint64_t v, int shift) noexcept nogil:
    """A value's first slot in a table of 2^(64 - shift) (Fibonacci hashing: the top bits of v times 2^64/phi)."""
    return <Py_ssize_t>((v * 0x9E3779B97F4A7C15ULL) >> shift)


def passages_in(list paragraphs, const uint64_t[::1] other, double min_share):
    """matching.passages_found: the paragraphs (each an array of shingle hashes) with at least min_share of
    their shingles in `other`, found >= min_share * size compared in doubles as numpy does. `other` goes into
    an open-addressing table once, so each shingle is one probe or a few, not a binary search. None when
    `other` is not sorted or a paragraph is no 1-d contiguous uint64 array (the caller then asks numpy)."""
    cdef Py_ssize_t n = other.shape[0], k, i, size, found, total = 0, at, mask
    cdef int shift = 64
    cdef const uint64_t[::1] p
    cdef uint64_t v
    for k in range(1, n):
        if other[k] < other[k - 1]:
            return None
    for paragraph in paragraphs:
        if (
            not isinstance(paragraph, np.ndarray)
            or paragraph.ndim != 1
            or paragraph.dtype != np.uint64
            or not paragraph.flags.c_contiguous
        ):
            return None
        total += paragraph.shape[0]
    if n == 0 or total == 0:
        return []
    while (<Py_ssize_t>1 << (64 - shift)) < 2 * n:  # at most half full
        shift -= 1
    mask = (<Py_ssize_t>1 << (64 - shift)) - 1
    keys_arr = np.empty(mask + 1, dtype=np.uint64)
    used_arr = np.zeros(mask + 1, dtype=np.uint8)
    cdef uint64_t[::1] keys = keys_arr
    cdef uint8_t[::1] used = used_arr
    with nogil:
        for k in range(n):
            v = other[k]
            at = _slot(v, shift)
            while used[at] and keys[at] != v:
                at = (at + 1) & mask
            keys[at] = v
            used[at] = 1
    out = []
    for k in range(len(paragraphs)):
        p = paragraphs[k]
        size = p.shape[0]
        if size == 0:
            continue
        found = 0
        with nogil:
            for i in range(size):
                v = p[i]
                at = _slot(v, shift)
                while used[at]:
                    if keys[at] == v:
                        found += 1
                        break
                    at = (at + 1) & mask
        if <double>found >= min_share * <double>size:
            out.append(k)
    return out


def gram_hashes(const uint64_t[::1] tokens, const uint8_t[::1] quoted) -> tuple:
    """align._grams' 3-gram hashes (splitmix64 of the tokens' splitmix64s mixed by _P1 and _P2, wrapping as
    numpy does) and which 3-grams touch no quoted token, in one pass (at least 3 tokens)."""
    cdef Py_ssize_t n = tokens.shape[0], i
    if n < 3 or quoted.shape[0] != n:
        raise ValueError("at least 3 tokens, one quoted flag each")
    grams_arr = np.empty(n - 2, dtype=np.uint64)
    unquoted_arr = np.empty(n - 2, dtype=bool)
    cdef uint64_t[::1] grams = grams_arr
    cdef uint8_t[::1] unquoted = unquoted_arr.view(np.uint8)
    cdef uint64_t m0, m1, m2
    with nogil:
        m0 = _splitmix64(tokens[0])
        m1 = _splitmix64(tokens[1])
        for i in range(n - 2):
            m2 = _splitmix64(tokens[i + 2])
            grams[i] = _splitmix64(m0 * 0x9E3779B97F4A7C15ULL + m1 * 0xC2B2AE3D27D4EB4FULL + m2)
            unquoted[i] = not (quoted[i] or quoted[i + 1] or quoted[i + 2])
            m0 = m1
            m1 = m2
    return grams_arr, unquoted_arr


def span_runs(
    const int64_t[::1] best,
    const double[::1] best_share,
    const float[::1] qa,
    const float[::1] qb_units,
    const int64_t[::1] a_len,
    const int64_t[::1] b_len,
    const int64_t[::1] a_words,
    Py_ssize_t nb_sent,
) -> object:
    """The integer part of align._spans_and_coverage in one pass, from each a sentence's best b unit and
    score (best_units; aligned: score >= 0; a unit past nb_sent is the pair (j, j + 1)), the quoted shares
    of a's sentences and of b's units (quoted on both sides: both >= 0.5), and the sentences' characters and
    tokens (a_words). Returns None when no sentence is aligned, else the aligned sentences, their characters
    and scores; each span's first index into them (sentences that follow each other in a and in b, quoted
    alike), first and last a sentences, first and last b sentences and whether it is quoted; the aligned
    sentences not quoted; the characters of b's first nb_sent sentences covered by some unit, of the aligned
    sentences, of the quoted ones; the tokens of the unquoted ones; the characters of a and of b. (The
    floats, the spans' similarities, stay numpy's.)"""
    cdef Py_ssize_t na = best.shape[0], n = 0, i, k, m = 0, s, n_units = 2 * nb_sent - 1 if nb_sent > 1 else 1
    cdef int64_t covered_len = 0, length_sum = 0, quoted_len = 0, depth = 0, words = 0, total_a = 0, total_b = 0
    cdef int64_t u, j0, j1, prev_j1 = 0, prev_i = 0
    cdef bint q, prev_q = False, inside = True
    if best_share.shape[0] != na or qa.shape[0] != na or a_len.shape[0] != na or a_words.shape[0] != na:
        raise ValueError("one value per sentence of a")
    if nb_sent < 1 or b_len.shape[0] < nb_sent or qb_units.shape[0] < n_units:
        raise ValueError("b's sentences or units shorter than nb_sent")
    with nogil:
        for i in range(na):
            if best_share[i] >= 0:
                n += 1
                if best[i] < 0 or best[i] >= n_units:
                    inside = False
    if not inside:
        raise ValueError("a unit outside b's sentences")
    if n == 0:
        return None
    aligned_arr = np.empty(n, dtype=np.int64)
    lengths_arr = np.empty(n, dtype=np.int64)
    shares_arr = np.empty(n, dtype=np.float64)
    firsts_arr = np.empty(n, dtype=np.int64)
    a_first_arr = np.empty(n, dtype=np.int64)
    a_last_arr = np.empty(n, dtype=np.int64)
    s_j0_arr = np.empty(n, dtype=np.int64)
    s_j1_arr = np.empty(n, dtype=np.int64)
    s_quoted_arr = np.empty(n, dtype=bool)
    unquoted_arr = np.empty(n, dtype=np.int64)
    delta_arr = np.zeros(nb_sent + 1, dtype=np.int64)
    cdef int64_t[::1] aligned = aligned_arr
    cdef int64_t[::1] lengths = lengths_arr
    cdef double[::1] shares = shares_arr
    cdef int64_t[::1] firsts = firsts_arr
    cdef int64_t[::1] a_first = a_first_arr
    cdef int64_t[::1] a_last = a_last_arr
    cdef int64_t[::1] s_j0 = s_j0_arr
    cdef int64_t[::1] s_j1 = s_j1_arr
    cdef uint8_t[::1] s_quoted = s_quoted_arr.view(np.uint8)
    cdef int64_t[::1] unquoted = unquoted_arr
    cdef int64_t[::1] delta = delta_arr
    cdef Py_ssize_t n_unquoted = 0
    with nogil:
        k = 0
        for i in range(na):
            total_a += a_len[i]
            if best_share[i] < 0:
                continue
            u = best[i]
            j0 = u - nb_sent if u >= nb_sent else u
            j1 = j0 + 1 if u >= nb_sent else j0
            q = qa[i] >= 0.5 and qb_units[u] >= 0.5
            aligned[k] = i
            lengths[k] = a_len[i]
            shares[k] = best_share[i]
            length_sum += a_len[i]
            if q:
                quoted_len += a_len[i]
            else:
                unquoted[n_unquoted] = i
                n_unquoted += 1
                words += a_words[i]
            delta[j0] += 1
            delta[j1 + 1] -= 1
            if k and i - prev_i == 1 and j0 == prev_j1 + 1 and q == prev_q:
                s = m - 1  # joins the span before
                if j0 < s_j0[s]:
                    s_j0[s] = j0
                if j1 > s_j1[s]:
                    s_j1[s] = j1
                s_quoted[s] = s_quoted[s] and q
                a_last[s] = i
            else:
                firsts[m] = k
                a_first[m] = i
                a_last[m] = i
                s_j0[m] = j0
                s_j1[m] = j1
                s_quoted[m] = q
                m += 1
            prev_i, prev_j1, prev_q = i, j1, q
            k += 1
        for s in range(nb_sent):
            depth += delta[s]
            if depth > 0:
                covered_len += b_len[s]
        for s in range(b_len.shape[0]):
            total_b += b_len[s]
    return (
        aligned_arr, lengths_arr, shares_arr,
        firsts_arr[:m], a_first_arr[:m], a_last_arr[:m], s_j0_arr[:m], s_j1_arr[:m], s_quoted_arr[:m],
        unquoted_arr[:n_unquoted],
        int(covered_len), int(length_sum), int(quoted_len), int(words), int(total_a), int(total_b),
    )


def sentence_pairs(const uint64_t[::1] stems, const int32_t[::1] sent, Py_ssize_t window) -> tuple:
    """text.sentence_pairs in two passes (count, fill), in its order: by distance, then position; each pair's
    hash min(x, y) * 0x100000001B3 ^ splitmix64(max(x, y)) of the stems' splitmix64s, and its sentence."""
    cdef Py_ssize_t n = stems.shape[0], d, i, m = 0, top
    cdef uint64_t x, y
    if sent.shape[0] != n:
        raise ValueError("one sentence per stem")
    top = min(window, n - 1)
    with nogil:
        for d in range(1, top + 1):
            for i in range(n - d):
                if sent[i + d] == sent[i]:
                    m += 1
    pairs_arr = np.empty(m, dtype=np.uint64)
    psent_arr = np.empty(m, dtype=np.int32)
    if m == 0:
        return pairs_arr, psent_arr
    mixed_arr = np.empty(n, dtype=np.uint64)
    cdef uint64_t[::1] mixed = mixed_arr
    cdef uint64_t[::1] pairs = pairs_arr
    cdef int32_t[::1] psent = psent_arr
    m = 0
    with nogil:
        for i in range(n):
            mixed[i] = _splitmix64(stems[i])
        for d in range(1, top + 1):
            for i in range(n - d):
                if sent[i + d] == sent[i]:
                    x = mixed[i]
                    y = mixed[i + d]
                    if y < x:
                        x, y = y, x
                    pairs[m] = x * 0x100000001B3ULL ^ _splitmix64(y)
                    psent[m] = sent[i + d]
                    m += 1
    return pairs_arr, psent_arr


def vocabulary(const uint64_t[::1] values, const int64_t[::1] order) -> tuple:
    """np.unique(values, return_inverse=True) from a sorting permutation of values (np.argsort): the sorted
    unique values, and each value's index among them."""
    cdef Py_ssize_t n = values.shape[0], i, k = -1
    cdef int64_t at
    cdef uint64_t v, last = 0
    cdef bint sorted_ok = True
    if order.shape[0] != n:
        raise ValueError("one index per value")
    vocab_arr = np.empty(n, dtype=np.uint64)
    inverse_arr = np.empty(n, dtype=np.int64)
    cdef uint64_t[::1] vocab = vocab_arr
    cdef int64_t[::1] inverse = inverse_arr
    with nogil:
        for i in range(n):
            at = order[i]
            if at < 0 or at >= n:
                sorted_ok = False
                break
            v = values[at]
            if k < 0 or v != last:
                if k >= 0 and v < last:
                    sorted_ok = False
                    break
                k += 1
                vocab[k] = v
                last = v
            inverse[at] = k
    if not sorted_ok:
        raise ValueError("order does not sort values")
    return vocab_arr[: k + 1], inverse_arr


cdef inline void _sort_small(int64_t *x, Py_ssize_t n) noexcept nogil:
    # insertion sort: a sentence's distinct words, a few dozen
    cdef Py_ssize_t i, j
    cdef int64_t v
    for i in range(1, n):
        v = x[i]
        j = i - 1
        while j >= 0 and x[j] > v:
            x[j + 1] = x[j]
            j -= 1
        x[j + 1] = v


cdef int _compare(const void *x, const void *y) noexcept nogil:
    cdef int64_t u = (<const int64_t *>x)[0], v = (<const int64_t *>y)[0]
    return (u > v) - (u < v)


def own_cells(const int64_t[::1] inverse, const int32_t[::1] sent, Py_ssize_t vocab_size, Py_ssize_t n_sent) -> tuple:
    """align._cells_of in one pass: a text's distinct (sentence, word) cells sorted by sentence then word
    (`inverse`: each token's word, `sent`: its sentence), as sentences and words, whether each is in the
    next sentence too, and each sentence's distinct words (float32, as bincount(...).astype(np.float32))."""
    cdef Py_ssize_t n = inverse.shape[0], k, s, m = 0, lo, hi, q
    cdef int64_t w
    cdef bint valid = True
    if sent.shape[0] != n:
        raise ValueError("one sentence per word")
    with nogil:
        for k in range(n):
            if sent[k] < 0 or sent[k] >= n_sent or inverse[k] < 0 or inverse[k] >= vocab_size:
                valid = False
                break
    if not valid:
        raise ValueError("a word outside the vocabulary or a sentence outside the text")
    start_arr = np.zeros(n_sent + 1, dtype=np.int64)
    bucket_arr = np.empty(n, dtype=np.int64)
    mark_arr = np.full(vocab_size, -1, dtype=np.int64)
    rows_arr = np.empty(n, dtype=np.int64)
    words_arr = np.empty(n, dtype=np.int64)
    both_arr = np.zeros(n, dtype=bool)
    counts_arr = np.zeros(n_sent, dtype=np.float32)
    cdef int64_t[::1] start = start_arr
    cdef int64_t[::1] bucket = bucket_arr
    cdef int64_t[::1] mark = mark_arr
    cdef int64_t[::1] rows = rows_arr
    cdef int64_t[::1] words = words_arr
    cdef uint8_t[::1] both = both_arr.view(np.uint8)
    cdef float[::1] counts = counts_arr
    with nogil:
        for k in range(n):  # tokens bucketed by sentence (counting sort)
            start[sent[k] + 1] += 1
        for s in range(n_sent):
            start[s + 1] += start[s]
        for k in range(n):
            s = sent[k]
            bucket[start[s]] = inverse[k]
            start[s] += 1
        lo = 0
        for s in range(n_sent):  # start[s] is now sentence s's end
            hi = start[s]
            q = m
            for k in range(lo, hi):
                w = bucket[k]
                if mark[w] != s:
                    mark[w] = s
                    words[m] = w
                    rows[m] = s
                    m += 1
            if m - q <= 32:
                _sort_small(&words[q], m - q)
            else:
                qsort(&words[q], m - q, sizeof(int64_t), _compare)
            counts[s] = <float>(m - q)
            lo = hi
        # in the next sentence: mark[w] ends as the last sentence holding w; walk back from the end
        for k in range(vocab_size):
            mark[k] = -1
        k = m - 1
        while k >= 0:
            s = rows[k]
            q = k
            while q >= 0 and rows[q] == s:
                q -= 1
            for lo in range(q + 1, k + 1):
                both[lo] = mark[words[lo]] == s + 1
                mark[words[lo]] = s
            k = q
    return rows_arr[:m], words_arr[:m], both_arr[:m], counts_arr


def quoted_share(
    const int32_t[::1] sent, const uint8_t[::1] content, const uint8_t[::1] quoted, Py_ssize_t n_sent
) -> object:
    """align._quoted_share in one pass: per sentence, the share of its content words inside quotation marks
    (float32, divided as numpy divides float32s; 0 for a sentence without content words)."""
    cdef Py_ssize_t n = sent.shape[0], k
    cdef bint valid = True
    if content.shape[0] != n or quoted.shape[0] != n:
        raise ValueError("one flag per token")
    total_arr = np.zeros(n_sent, dtype=np.float32)
    share_arr = np.zeros(n_sent, dtype=np.float32)
    cdef float[::1] total = total_arr
    cdef float[::1] share = share_arr
    with nogil:
        for k in range(n):
            if content[k]:
                if sent[k] < 0 or sent[k] >= n_sent:
                    valid = False
                    break
                total[sent[k]] += 1
                if quoted[k]:
                    share[sent[k]] += 1
        if valid:
            for k in range(n_sent):
                if total[k] > 0:
                    share[k] = share[k] / total[k]
    if not valid:
        raise ValueError("a sentence outside the text")
    return share_arr
