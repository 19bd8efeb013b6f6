# cython: boundscheck=False, wraparound=False, language_level=3
"""Compiled hot loops of text.prepare and text.content_pairs (optional: text.py falls back to its Python
and numpy code, which gives the same results; tests compare the two).

- sentence_breaks and clause_cuts: _BREAK's and _CLAUSE's matches read from the character classes (the
  regex engine's match objects and the bisect loop were most of _sentences' time);
- content_pair_hashes: the content-word pairs hashed in one loop (a dozen numpy calls a page); sampled_keys:
  the index keys sampled from them;
- char_scan: the character classes, the word runs and the union of the classes in one pass over the text;
- strip_and_join: the end of text._sentences (pieces stripped, pieces without a word joined to the one before);
  sentence_spans: the three steps in one call, all of text._sentences; quote_spans: text._QUOTE's matches;
- token_places: each token's sentence and whether it is quoted;
- WordTable: the word table's rows read from the words' spans in the text, no string made for each word
  (but for the words it adds); word_infos: what the table keeps of each new word;
- WordScreen: whether a text's \\w+ words meet two fixed sets, looking up only words whose length and pair of
  first and last characters (modulo 64) some word of the sets has (credits' screens)."""

import numpy as np

from cpython.list cimport PyList_GET_ITEM
from cpython.set cimport PySet_Contains
from cpython.unicode cimport (
    Py_UNICODE_ISALNUM,
    Py_UNICODE_ISDIGIT,
    PyUnicode_AsUTF8String,
    PyUnicode_4BYTE_KIND,
    PyUnicode_DATA,
    PyUnicode_KIND,
    PyUnicode_READ,
    PyUnicode_Substring,
)
from farmwatch.analysis._hashing cimport splitmix64 as _splitmix64
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t


# Character class bits of text._char_classes that the sentence breaks read (checked equal at import there).
cdef enum:
    IS_SPACE = 2
    IS_END = 16
    IS_END_ANYWHERE = 32
    IS_CLOSE = 64
    IS_CLOSE_ANYWHERE = 128
    IS_NEWLINE = 256


cdef inline Py_ssize_t _past_run(
    const unsigned short[::1] classes, Py_ssize_t j, Py_ssize_t n, unsigned short ends, unsigned short closing
) noexcept nogil:
    """The index after a run of sentence ends and then the closing marks after them, from j."""
    while j < n and classes[j] & ends:
        j += 1
    while j < n and classes[j] & closing:
        j += 1
    return j


def sentence_breaks(const unsigned short[::1] classes):
    """The spans of text._BREAK's matches (finditer) and whether each is a line break, read from the text's
    character classes: (starts, ends, at_newline). The regex engine's own steps, in one C loop: a sentence
    end (. ! ? …) with the ends and then closing marks after it, kept only before whitespace or the end; an
    end of the scripts without spaces with those after it, always; a line break."""
    cdef Py_ssize_t n = classes.shape[0], k
    starts_arr = np.empty(n, dtype=np.int64)
    ends_arr = np.empty(n, dtype=np.int64)
    newline_arr = np.zeros(n, dtype=np.bool_)
    k = _breaks(classes, starts_arr, ends_arr, newline_arr.view(np.uint8))
    return starts_arr[:k].copy(), ends_arr[:k].copy(), newline_arr[:k].copy()


cdef Py_ssize_t _breaks(
    const unsigned short[::1] classes, int64_t[::1] starts, int64_t[::1] ends, unsigned char[::1] newline
) noexcept:
    """sentence_breaks' loop, into arrays of the text's length (newline zeroed): how many breaks."""
    cdef Py_ssize_t n = classes.shape[0], i = 0, j, k = 0
    cdef unsigned short c
    while i < n:
        c = classes[i]
        if c & IS_END:
            j = _past_run(classes, i + 1, n, IS_END, IS_CLOSE)
            if j == n or classes[j] & IS_SPACE:
                starts[k] = i
                ends[k] = j
                k += 1
            # On failure every later start in the same run of ends reaches the same j and fails too, and
            # the closing marks after it start no break: the regex engine's next match starts at j or later.
            i = j
        elif c & IS_END_ANYWHERE:
            j = _past_run(classes, i + 1, n, IS_END_ANYWHERE, IS_CLOSE_ANYWHERE)
            starts[k] = i
            ends[k] = j
            k += 1
            i = j
        elif c & IS_NEWLINE:
            starts[k] = i
            ends[k] = i + 1
            newline[k] = 1
            k += 1
            i += 1
        else:
            i += 1
    return k


cdef enum:
    IS_WORD = 1
    IS_WORD_ONLY = 8
    IS_CLAUSE_MARK = 512
    IS_DASH = 1024
    IS_HYPHEN = 2048


cdef inline bint _backslash_w(unsigned short c) noexcept nogil:
    # \w: a word character of text._WORD that is not one of the marks only _WORD reads as word characters
    return (c & IS_WORD) != 0 and (c & IS_WORD_ONLY) == 0


cdef enum:
    IS_QUOTE = 4096


def quote_spans(str text, const unsigned short[::1] classes, match):
    """text._QUOTE's matches' spans (finditer), `match` its match method tried only at the marks a quotation
    begins with (IS_QUOTE: every branch of _QUOTE begins with one, so a match starts at one) and not where a
    branch's own first test fails: a straight ' after a \\w character, ' or ’ (its look-behind), a ’ not doubled
    (its only branch is ’’). As finditer, the next match is looked for from the end of the last."""
    cdef Py_ssize_t n = len(text), p = 0
    cdef Py_UCS4 ch, near
    cdef list spans = []
    if classes.shape[0] != n:
        raise ValueError("the classes are not the text's")
    while p < n:
        if classes[p] & IS_QUOTE:
            ch = text[p]
            if ch == u"'" and p > 0:
                near = text[p - 1]
                if _backslash_w(classes[p - 1]) or near == u"'" or near == u"’":
                    p += 1
                    continue
            elif ch == u"’" and (p + 1 == n or text[p + 1] != u"’"):
                p += 1
                continue
            found = match(text, p)
            if found is not None:
                span = found.span()
                spans.append(span)
                p = span[1]
                continue
        p += 1
    return spans


def clause_cuts(
    const unsigned short[::1] classes,
    const int64_t[:] seg_starts,
    const int64_t[:] seg_ends,
    const Py_ssize_t[:] long,
    const Py_ssize_t[:] first,
    const Py_ssize_t[:] last,
    const int64_t[:] run_ends,
    Py_ssize_t clause_min,
):
    """text._clauses' cuts of the long pieces (indices `long`): (starts, ends) of the pieces they are cut
    into, in order. The clause marks are text._CLAUSE's matches within each piece (finditer(text, start,
    end): its look-ahead stops at the piece's end, its look-behind does not stop at its start), read from
    the character classes; the cuts are chosen as _clauses chooses them."""
    cdef Py_ssize_t total = 0, longest = 0, size, x, i, k = 0
    for x in range(long.shape[0]):
        size = seg_ends[long[x]] - seg_starts[long[x]]
        total += size + 1
        longest = size if size > longest else longest
    starts_arr = np.empty(total, dtype=np.int64)
    ends_arr = np.empty(total, dtype=np.int64)
    before_arr = np.empty(longest + 1, dtype=np.intp)
    mark_ends_arr = np.empty(longest + 1, dtype=np.intp)
    for x in range(long.shape[0]):
        i = long[x]
        k = _cut(
            classes, seg_starts[i], seg_ends[i], first[i], last[i], run_ends, clause_min,
            before_arr, mark_ends_arr, starts_arr, ends_arr, k,
        )
    return starts_arr[:k].copy(), ends_arr[:k].copy()


cdef Py_ssize_t _cut(
    const unsigned short[::1] classes,
    Py_ssize_t start,
    Py_ssize_t end,
    Py_ssize_t lo,
    Py_ssize_t hi,
    const int64_t[:] run_ends,
    Py_ssize_t clause_min,
    Py_ssize_t[::1] before,
    Py_ssize_t[::1] mark_ends,
    int64_t[::1] out_starts,
    int64_t[::1] out_ends,
    Py_ssize_t k,
) noexcept:
    """clause_cuts of one long piece [start, end) holding the word runs lo to hi: its pieces written from
    out_*[k] on (before and mark_ends: room for end - start + 1 marks); answers the next k."""
    cdef Py_ssize_t p, ms, me, n_marks = 0, w = lo, n_words = hi - lo, usable, j, cut, cut_words
    cdef unsigned short c
    # The marks, in order, with the words ending at or before each one's start.
    p = start
    while p < end:
        c = classes[p]
        if c & IS_CLAUSE_MARK:
            ms, me = p, p + 1
        elif (
            c & IS_SPACE and p + 2 < end and classes[p + 1] & IS_DASH and classes[p + 2] & IS_SPACE
        ):
            ms, me = p, p + 3
        elif (
            c & IS_HYPHEN
            and p >= 1
            and _backslash_w(classes[p - 1])
            and p + 3 < end
            and _backslash_w(classes[p + 1])
            and _backslash_w(classes[p + 2])
            and _backslash_w(classes[p + 3])
        ):
            ms, me = p, p + 1
        else:
            p += 1
            continue
        while w < hi and run_ends[w] <= ms:
            w += 1
        before[n_marks] = w - lo
        mark_ends[n_marks] = me
        n_marks += 1
        p = me
    # Marks after which fewer than clause_min words follow cannot cut (words before marks ascend).
    usable = 0
    while usable < n_marks and before[usable] <= n_words - clause_min:
        usable += 1
    # Greedily, the first usable mark clause_min words past the last cut.
    cut, cut_words, j = start, 0, 0
    while True:
        while j < usable and before[j] < cut_words + clause_min:
            j += 1
        if j >= usable:
            break
        out_starts[k] = cut
        out_ends[k] = mark_ends[j]
        k += 1
        cut, cut_words = mark_ends[j], before[j]
        j += 1
    out_starts[k] = cut
    out_ends[k] = end
    return k + 1


cdef inline uint64_t _pair_hash(uint64_t x, uint64_t y) noexcept nogil:
    # text._pair_hash of one pair of mixed stems
    if x < y:
        return x * 0x100000001B3ULL ^ _splitmix64(y)
    return y * 0x100000001B3ULL ^ _splitmix64(x)


def content_pair_hashes(
    const uint64_t[:] stems, const int32_t[:] sent, const unsigned char[:] content, Py_ssize_t window
):
    """splitmix64 of the pair hashes text.content_pairs makes unique and sorts, in some order: the pairs of
    content-word stems at most `window` content words apart within a sentence, or, where no sentence holds
    two, every neighbouring pair across the text. Empty for fewer than two content words."""
    cdef Py_ssize_t n_tokens = stems.shape[0], n = 0, i, d, k = 0
    mixed_arr = np.empty(n_tokens, dtype=np.uint64)
    sents_arr = np.empty(n_tokens, dtype=np.int32)
    cdef uint64_t[::1] mixed = mixed_arr
    cdef int32_t[::1] sents = sents_arr
    for i in range(n_tokens):
        if content[i]:
            mixed[n] = _splitmix64(stems[i])
            sents[n] = sent[i]
            n += 1
    if n < 2:
        return np.empty(0, dtype=np.uint64)
    window = min(window, n - 1)
    out_arr = np.empty(n * window if window > 0 else 0, dtype=np.uint64)
    cdef uint64_t[::1] out = out_arr
    for d in range(1, window + 1):
        for i in range(n - d):
            if sents[i] == sents[i + d]:
                out[k] = _splitmix64(_pair_hash(mixed[i], mixed[i + d]))
                k += 1
    if k == 0:
        out_arr = np.empty(n - 1, dtype=np.uint64)
        out = out_arr
        for i in range(n - 1):
            out[i] = _splitmix64(_pair_hash(mixed[i], mixed[i + 1]))
        return out_arr
    return out_arr[:k]


cdef Py_ssize_t _unique_in_place(uint64_t[::1] values) noexcept:
    # the sorted values kept where they differ from the one before, moved to the front: how many are left
    cdef Py_ssize_t n = values.shape[0], i, k = 1
    if n == 0:
        return 0
    for i in range(1, n):
        if values[i] != values[k - 1]:
            values[k] = values[i]
            k += 1
    return k


def sampled_keys(
    const uint64_t[:] stems,
    const int32_t[:] sent,
    const unsigned char[:] content,
    Py_ssize_t window,
    uint64_t limit,
    Py_ssize_t key_min,
    Py_ssize_t key_cap,
    uint64_t mix,
):
    """text.candidate_keys from the prepared arrays: content_pair_hashes' pairs made unique and sorted, those
    below `limit` kept (at least key_min, at most key_cap, smallest first), mixed again with `mix`. Only the
    pairs below limit (a quarter) are sorted when key_min of them differ, else all: the same keys, a smaller
    sort and no numpy calls on the few hundred keys."""
    pairs = content_pair_hashes(stems, sent, content, window)
    cdef uint64_t[::1] values = pairs
    cdef Py_ssize_t n = values.shape[0], i, below = 0, count
    cdef uint64_t v
    for i in range(n):  # the pairs below limit moved to the front
        v = values[i]
        if v < limit:
            values[i] = values[below]
            values[below] = v
            below += 1
    front = pairs[:below]
    front.sort()
    count = _unique_in_place(front)
    if count < key_min:
        pairs.sort()
        count = min(key_min, _unique_in_place(pairs))
    count = min(count, key_cap)
    keys_arr = np.empty(count, dtype=np.uint64)
    cdef uint64_t[::1] keys = keys_arr
    for i in range(count):  # front is pairs' start: the smallest either way
        keys[i] = _splitmix64(values[i] ^ mix)
    return keys_arr


cdef enum:
    _SCREENED_LONGEST = 31  # longer words are looked up unscreened


cdef inline bint _has_bit(const uint64_t* mask, uint32_t ch) noexcept nogil:
    return (mask[ch >> 6] >> (ch & 63)) & 1


cdef uint64_t _ASCII_WORD[2]
_ASCII_WORD[0] = 0x03FF000000000000ULL  # 0-9
_ASCII_WORD[1] = 0x07FFFFFE87FFFFFEULL  # A-Z, _, a-z


cdef inline bint _word_char(Py_UCS4 ch) noexcept:
    """What \\w reads as a word character: ASCII ones from a mask (Py_UNICODE_ISALNUM is up to four calls)."""
    if ch < 128:
        return _has_bit(_ASCII_WORD, <uint32_t>ch)
    return Py_UNICODE_ISALNUM(ch)


cdef class WordScreen:
    """Whether a word of a text (re.findall(r"\\w+", text): runs of what the regex engine reads as \\w,
    str.isalnum and "_") is in `first`, and whether one is in `second`, two sets fixed once (copied as
    frozensets), without the list of words and with a screen: a word of the text is looked up only if a word
    of the sets has its length and the same first and last characters modulo 64 (a bit per pair of them and
    length; words in any script). Of credits' screens' words about 1 in 25 passes (1 in 4 when the first and
    the last characters were screened apart, and any non-ASCII one let the word through), so few are cut out
    of the text as strings to be hashed (most of the time otherwise)."""

    cdef readonly frozenset first, second
    cdef bint unscreened  # a set holds something not a str (equal to no word, but looked for all the same)
    cdef uint64_t pairs[_SCREENED_LONGEST + 1][64]  # by length and first character: the last characters' bits

    def __init__(self, first, second):
        cdef Py_ssize_t n
        cdef uint32_t head, tail
        self.first, self.second = frozenset(first), frozenset(second)
        self.unscreened = False
        for word in self.first | self.second:
            if type(word) is not str:
                self.unscreened = True
                continue
            n = len(word)
            if n == 0 or n > _SCREENED_LONGEST:
                continue  # no \w+ word is empty; longer words are never screened
            head, tail = ord(word[0]), ord(word[n - 1])
            self.pairs[n][head & 63] |= (<uint64_t>1) << (tail & 63)

    def meet(self, str text):
        """(whether a word of the text is in first, whether one is in second)."""
        cdef Py_ssize_t n = len(text), i = 0, j, size
        cdef bint in_first = False, in_second = False
        cdef uint32_t head, tail
        cdef object word
        # The characters read from the string's own array: text[i] finds its kind and data again at every index.
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        while i < n:
            if not _word_char(PyUnicode_READ(kind, data, i)):
                i += 1
                continue
            j = i + 1
            while j < n and _word_char(PyUnicode_READ(kind, data, j)):
                j += 1
            size = j - i
            head, tail = PyUnicode_READ(kind, data, i), PyUnicode_READ(kind, data, j - 1)
            if self.unscreened or size > _SCREENED_LONGEST or (self.pairs[size][head & 63] >> (tail & 63)) & 1:
                word = PyUnicode_Substring(text, i, j)
                if not in_first and PySet_Contains(self.first, word):
                    in_first = True
                if not in_second and PySet_Contains(self.second, word):
                    in_second = True
                if in_first and in_second:
                    break
            i = j
        return in_first, in_second


def char_scan(str text, const unsigned short[::1] table):
    """text._classes and text._word_runs of a text in one pass, and the union (bitwise or) of its characters'
    classes: (classes, run_starts, run_ends, union). None for a text holding a character past the Basic
    Multilingual Plane (table covers the BMP only; text.py classifies those as it did). Replaces the UTF-32
    copy, the table look-up, the diff of the word mask and the two scans of the classes that prepare made."""
    cdef int kind = PyUnicode_KIND(text)
    if kind == PyUnicode_4BYTE_KIND:
        return None
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = len(text), i, k = 0
    classes_arr = np.empty(n, dtype=np.uint16)
    starts_arr = np.empty(n // 2 + 1, dtype=np.intp)
    ends_arr = np.empty(n // 2 + 1, dtype=np.intp)
    cdef unsigned short[::1] classes = classes_arr
    cdef Py_ssize_t[::1] starts = starts_arr
    cdef Py_ssize_t[::1] ends = ends_arr
    cdef unsigned short c, union = 0
    cdef bint in_word = False
    for i in range(n):
        c = table[PyUnicode_READ(kind, data, i)]
        classes[i] = c
        union |= c
        if c & IS_WORD:
            if not in_word:
                starts[k] = i
                in_word = True
        elif in_word:
            ends[k] = i
            k += 1
            in_word = False
    if in_word:
        ends[k] = n
        k += 1
    return classes_arr, starts_arr[:k].copy(), ends_arr[:k].copy(), union


def strip_and_join(const unsigned short[::1] classes, const int64_t[:] seg_starts, const int64_t[:] seg_ends):
    """The tail of text._sentences, from the character classes: each piece [seg_starts[i], seg_ends[i]) stripped
    of whitespace and dropped when nothing is left, then a piece without a word character joined to the one
    before it (unless it is the first). (starts, ends) as int32. Stripping and the word test read the
    characters themselves: the same answers as the searches of the non-space characters and the word runs."""
    cdef Py_ssize_t n = seg_starts.shape[0], i, k = 0
    starts_arr = np.empty(n, dtype=np.int32)
    ends_arr = np.empty(n, dtype=np.int32)
    for i in range(n):
        k = _strip_and_join(classes, seg_starts[i], seg_ends[i], starts_arr, ends_arr, k)
    return starts_arr[:k].copy(), ends_arr[:k].copy()


cdef Py_ssize_t _strip_and_join(
    const unsigned short[::1] classes, Py_ssize_t lo, Py_ssize_t hi, int32_t[::1] starts, int32_t[::1] ends, Py_ssize_t k
) noexcept:
    """strip_and_join of the piece [lo, hi) after k sentences: answers how many there are then."""
    cdef Py_ssize_t p
    cdef bint worded
    while lo < hi and classes[lo] & IS_SPACE:
        lo += 1
    while hi > lo and classes[hi - 1] & IS_SPACE:
        hi -= 1
    if lo == hi:
        return k
    worded = k == 0
    p = lo
    while not worded and p < hi:
        worded = (classes[p] & IS_WORD) != 0
        p += 1
    if worded:
        starts[k] = lo
        ends[k] = hi
        return k + 1
    ends[k - 1] = hi
    return k


def sentence_spans(
    const unsigned short[::1] classes,
    const int64_t[:] run_starts,
    const int64_t[:] run_ends,
    Py_ssize_t clause_words,
    Py_ssize_t clause_min,
):
    """text._sentences from the character classes and the word runs, in one call: the breaks (sentence_breaks)
    make the pieces, a long one (more than 4 * clause_words characters and clause_words words; none when
    clause_words is 0) is cut at clause marks (clause_cuts), and each piece is stripped and joined
    (strip_and_join), in order. (starts, ends) as int32. The two dozen numpy calls between those steps were
    most of _sentences' time."""
    cdef Py_ssize_t n = classes.shape[0], n_breaks, b, k = 0, start, end, first = 0, last = 0, n_runs, c, cuts
    n_runs = run_starts.shape[0]
    room_arr = np.empty((4, n + 1), dtype=np.int64)
    marks_arr = np.empty((2, n + 1), dtype=np.intp)
    cdef int64_t[:, ::1] room = room_arr
    cdef Py_ssize_t[:, ::1] marks = marks_arr
    newline_arr = np.zeros(n + 1, dtype=np.uint8)
    cdef unsigned char[::1] newline = newline_arr
    starts_arr = np.empty(n + 1, dtype=np.int32)
    ends_arr = np.empty(n + 1, dtype=np.int32)
    cdef int32_t[::1] starts = starts_arr
    cdef int32_t[::1] ends = ends_arr
    # Rows of room: the breaks' starts and ends, a long piece's cuts' starts and ends; of marks: the clause marks'
    # words before them and their ends.
    n_breaks = _breaks(classes, room[0], room[1], newline)
    start = 0
    for b in range(n_breaks + 1):
        end = n if b == n_breaks else (room[0, b] if newline[b] else room[1, b])
        if end > start:
            if clause_words:
                # The word runs starting before the piece and before its end (the pieces ascend).
                while first < n_runs and run_starts[first] < start:
                    first += 1
                while last < n_runs and run_starts[last] < end:
                    last += 1
            if clause_words and end - start > 4 * clause_words and last - first > clause_words:
                cuts = _cut(
                    classes, start, end, first, last, run_ends, clause_min, marks[0], marks[1], room[2], room[3], 0
                )
                for c in range(cuts):
                    k = _strip_and_join(classes, room[2, c], room[3, c], starts, ends, k)
            else:
                k = _strip_and_join(classes, start, end, starts, ends, k)
        if b < n_breaks:
            start = room[1, b]
    return starts_arr[:k].copy(), ends_arr[:k].copy()


cdef inline uint64_t _word_hash(int kind, void* data, Py_ssize_t start, Py_ssize_t end) noexcept:
    # FNV-1a over the code points, then splitmix64: any word's whatever the string's storage kind
    cdef uint64_t h = 0xCBF29CE484222325ULL
    cdef Py_ssize_t i
    for i in range(start, end):
        h = (h ^ <uint64_t><uint32_t>PyUnicode_READ(kind, data, i)) * 0x100000001B3ULL
    return _splitmix64(h)


cdef class WordTable:
    """A word -> row table read from spans of a text without cutting the words out (a dict needs a string
    made of each word and hashed): open addressing on a hash of the code points, each hit
    checked against the word itself, so the rows are the dict's. text._Vocabulary keeps it beside its dict."""

    cdef int64_t[::1] slot_rows  # -1: empty
    cdef uint64_t[::1] slot_hashes
    cdef Py_ssize_t mask, count
    cdef list words  # row -> word

    def __init__(self):
        self.clear()

    def clear(self):
        self.slot_rows = np.full(1 << 12, -1, dtype=np.int64)
        self.slot_hashes = np.zeros(1 << 12, dtype=np.uint64)
        self.mask = (1 << 12) - 1
        self.count = 0
        self.words = []

    def __len__(self):
        return self.count

    def add(self, list words):
        """Add the words (new ones, none in the table yet), the next rows in order."""
        cdef str word
        for word in words:
            if 2 * (self.count + 1) > self.mask + 1:
                self._grow()
            self.words.append(word)
            self._put(_word_hash(PyUnicode_KIND(word), PyUnicode_DATA(word), 0, len(word)), self.count)
            self.count += 1

    cdef void _put(self, uint64_t h, int64_t row) noexcept:
        cdef Py_ssize_t slot = <Py_ssize_t>(h & <uint64_t>self.mask)
        while self.slot_rows[slot] >= 0:
            slot = (slot + 1) & self.mask
        self.slot_rows[slot] = row
        self.slot_hashes[slot] = h

    cdef void _grow(self):
        old_rows, old_hashes = self.slot_rows, self.slot_hashes
        cdef Py_ssize_t size = 2 * (self.mask + 1), i
        self.slot_rows = np.full(size, -1, dtype=np.int64)
        self.slot_hashes = np.zeros(size, dtype=np.uint64)
        self.mask = size - 1
        cdef int64_t[::1] rows = old_rows
        cdef uint64_t[::1] hashes = old_hashes
        for i in range(rows.shape[0]):
            if rows[i] >= 0:
                self._put(hashes[i], rows[i])

    cdef int64_t _find(self, uint64_t h, int kind, void* data, Py_ssize_t s, Py_ssize_t e) noexcept:
        """The row of the word data[s:e] (hash h), -1 when it is not in the table."""
        cdef Py_ssize_t slot = <Py_ssize_t>(h & <uint64_t>self.mask), length, c
        cdef int64_t row
        cdef int wkind
        cdef void* wdata
        cdef object word
        while True:
            row = self.slot_rows[slot]
            if row < 0:
                return -1
            if self.slot_hashes[slot] == h:
                word = <object>PyList_GET_ITEM(self.words, row)
                length = len(<str>word)
                if length == e - s:
                    wkind = PyUnicode_KIND(word)
                    wdata = PyUnicode_DATA(word)
                    c = 0
                    while c < length and PyUnicode_READ(wkind, wdata, c) == PyUnicode_READ(kind, data, s + c):
                        c += 1
                    if c == length:
                        return row
            slot = (slot + 1) & self.mask

    def rows(self, str text, const Py_ssize_t[:] starts, const Py_ssize_t[:] ends, bint adding=False):
        """The row of each word text[starts[i]:ends[i]], -1 for a word not in the table; with `adding`, a word
        not in the table is added as it is met (the next row) and the words added are answered too:
        (rows, added words in order), what the vocabulary adds to its dict (no second pass over the unknown
        words to cut them out, dedupe them and look them up again)."""
        cdef Py_ssize_t n = starts.shape[0], i, s, e
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef uint64_t h
        cdef int64_t row
        cdef list added = []
        out = np.empty(n, dtype=np.intp)
        cdef Py_ssize_t[::1] found = out
        if ends.shape[0] != n:
            raise ValueError("starts and ends differ in length")
        for i in range(n):
            s, e = starts[i], ends[i]
            if s < 0 or e < s or e > len(text):
                raise IndexError("a word's span is outside the text")
            h = _word_hash(kind, data, s, e)
            row = self._find(h, kind, data, s, e)
            if row < 0 and adding:
                if 2 * (self.count + 1) > self.mask + 1:
                    self._grow()
                word = PyUnicode_Substring(text, s, e)
                self.words.append(word)
                added.append(word)
                row = self.count
                self._put(h, row)
                self.count += 1
            found[i] = row
        return (out, added) if adding else out


cdef inline bint _is_digits(str word) noexcept:
    # str.isdigit of a non-empty word (the same test of each character)
    cdef Py_ssize_t i
    for i in range(len(word)):
        if not Py_UNICODE_ISDIGIT(word[i]):
            return False
    return len(word) > 0


def word_infos(list words, digest, frozenset stopwords, Py_ssize_t stem_chars, abjad_match):
    """text._word_infos of the words as arrays (hashes and stem hashes uint64, content flags bool), in one loop:
    `digest` hashes bytes (xxhash's), `abjad_match` is text._ABJAD.match. New words are met by the hundred a
    page on a first pass over a corpus, and three comprehensions and three lists made into arrays cost more than
    the hashing."""
    cdef Py_ssize_t n = len(words), i, size
    cdef str word
    cdef bint digits
    hashes_arr = np.empty(n, dtype=np.uint64)
    stems_arr = np.empty(n, dtype=np.uint64)
    content_arr = np.empty(n, dtype=np.bool_)
    cdef uint64_t[::1] hashes = hashes_arr
    cdef uint64_t[::1] stems = stems_arr
    cdef unsigned char[::1] content = content_arr.view(np.uint8)
    for i in range(n):
        word = <str>PyList_GET_ITEM(words, i)
        size = len(word)
        digits = _is_digits(word)
        hashes[i] = digest(PyUnicode_AsUTF8String(word))
        if size > stem_chars and not digits:
            stems[i] = digest(PyUnicode_AsUTF8String(PyUnicode_Substring(word, 0, stem_chars)))
        else:
            stems[i] = hashes[i]
        if digits:
            content[i] = size > 1
        else:
            content[i] = word not in stopwords and (size > 2 or abjad_match(word) is not None)
    return hashes_arr, stems_arr, content_arr


cdef inline Py_ssize_t _after(const int32_t[:] starts, Py_ssize_t j, int32_t at) noexcept:
    # searchsorted(starts, at, side="right") of ascending starts, from the answer j for the position before
    while j < starts.shape[0] and starts[j] <= at:
        j += 1
    while j > 0 and starts[j - 1] > at:
        j -= 1
    return j


def token_places(const int32_t[:] tok_starts, const int32_t[:] sent_starts, list quotes):
    """text.prepare's tok_sent, tok_quoted and quotes array: each token's sentence (the last one starting at or
    before it, -1 before the first), whether it starts inside a quoted range (the last range starting at or before
    it ends after it), and the ranges as an (n, 2) int32 array. A merge of the ascending starts (a token before
    the one before it is searched for backwards, so any order gives searchsorted's answers)."""
    cdef Py_ssize_t n = tok_starts.shape[0], n_quotes = len(quotes), i, s = 0, q = 0
    cdef int32_t at
    quotes_arr = np.empty((n_quotes, 2), dtype=np.int32)
    cdef int32_t[:, ::1] ranges = quotes_arr
    for i in range(n_quotes):
        ranges[i, 0], ranges[i, 1] = quotes[i]
    cdef const int32_t[:] quote_starts = ranges[:, 0]
    sent_arr = np.empty(n, dtype=np.int32)
    quoted_arr = np.zeros(n, dtype=np.bool_)
    cdef int32_t[::1] sent = sent_arr
    cdef unsigned char[::1] quoted = quoted_arr.view(np.uint8)
    for i in range(n):
        at = tok_starts[i]
        s = _after(sent_starts, s, at)
        sent[i] = s - 1
        if n_quotes:
            q = _after(quote_starts, q, at)
            quoted[i] = q > 0 and at < ranges[q - 1, 1]
    return sent_arr, quoted_arr, quotes_arr
