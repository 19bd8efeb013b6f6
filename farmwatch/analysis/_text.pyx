# cython: boundscheck=False, wraparound=False, language_level=3
"""Compiled look-up of a text's words in text.py's word table (optional: text.py falls back to Python).

The words are cut out of the text and looked up in one C loop: the Python loop built a list of the words
and mapped dict.get over it, two thirds of prepare()'s word handling (measured on provenance-dev)."""

import numpy as np

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_Substring


def vocabulary_rows(str text, const Py_ssize_t[:] starts, const Py_ssize_t[:] ends, object table):
    """table's value (a row number) for each word text[starts[i]:ends[i]], -1 for a word not in it (table: a dict, or a subclass of dict)."""
    cdef Py_ssize_t n = starts.shape[0], i
    out = np.empty(n, dtype=np.intp)
    cdef Py_ssize_t[::1] rows = out
    cdef PyObject* found
    cdef object word
    for i in range(n):
        word = PyUnicode_Substring(text, starts[i], ends[i])
        found = PyDict_GetItem(table, word)
        rows[i] = -1 if found is NULL else <Py_ssize_t>(<object>found)
    return out


# Character class bits of text._char_classes that the sentence breaks read (checked equal at import there).
cdef enum:
    IS_SPACE = 2
    IS_END = 16
    IS_END_ANYWHERE = 32
    IS_CLOSE = 64
    IS_CLOSE_ANYWHERE = 128
    IS_NEWLINE = 256


def sentence_breaks(const unsigned short[::1] classes):
    """The spans of text._BREAK's matches (finditer) and whether each is a line break, read from the text's
    character classes: (starts, ends, at_newline). The regex engine's own steps, in one C loop: a sentence
    end (. ! ? …) with the ends and then closing marks after it, kept only before whitespace or the end; an
    end of the scripts without spaces with those after it, always; a line break."""
    cdef Py_ssize_t n = classes.shape[0], i = 0, j, k = 0
    starts_arr = np.empty(n, dtype=np.int64)
    ends_arr = np.empty(n, dtype=np.int64)
    newline_arr = np.zeros(n, dtype=np.bool_)
    cdef long long[::1] starts = starts_arr
    cdef long long[::1] ends = ends_arr
    cdef unsigned char[::1] newline = newline_arr.view(np.uint8)
    cdef unsigned short c
    while i < n:
        c = classes[i]
        if c & IS_END:
            j = i + 1
            while j < n and classes[j] & IS_END:
                j += 1
            while j < n and classes[j] & IS_CLOSE:
                j += 1
            if j == n or classes[j] & IS_SPACE:
                starts[k] = i
                ends[k] = j
                k += 1
            # On failure every later start in the same run of ends reaches the same j and fails too, and
            # the closing marks after it start no break: the regex engine's next match starts at j or later.
            i = j
        elif c & IS_END_ANYWHERE:
            j = i + 1
            while j < n and classes[j] & IS_END_ANYWHERE:
                j += 1
            while j < n and classes[j] & IS_CLOSE_ANYWHERE:
                j += 1
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
    return starts_arr[:k].copy(), ends_arr[:k].copy(), newline_arr[:k].copy()
