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
