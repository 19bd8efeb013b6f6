# cython: language_level=3, boundscheck=False, cdivision=True
"""The extractor's hot stages, compiled: the tree walk (walk.flatten_py, with the hints and
element names it asks for) and the container scores' loops (score.score_py).

Same algorithm, same output, but nodes are visited through lexbor's C structs instead of
one Python object per node. selectolax ships no lexbor headers, so the few struct fields
read here are declared below and the accessor functions are looked up in selectolax's own
extension module with dlsym. compiled.py checks this module against the Python versions on
a probe page at import and uses it only when both agree.

Every threshold and tag table comes from thresholds.py, and the hint vocabulary from
hints.py, read when this module is imported: no number or list is written here a second
time (tables() shows what was read, for the tests).
"""

from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc, free, malloc
from cpython.unicode cimport (
    Py_UNICODE_ISSPACE, PyUnicode_4BYTE_KIND, PyUnicode_DecodeUTF8, PyUnicode_FromKindAndData,
)

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.extract import hints as _hints
from farmwatch.analysis.extract import thresholds as _t

cdef extern from *:
    """
    #include <stddef.h>
    #include <stdint.h>
    #include <dlfcn.h>
    #include <stdlib.h>
    #include <string.h>
    #ifndef RTLD_NOLOAD
    #define RTLD_NOLOAD 0
    #endif
    typedef struct fw_str { unsigned char *data; size_t length; } fw_str;
    typedef struct fw_node {
        void *events;
        uintptr_t local_name;
        uintptr_t prefix;
        uintptr_t ns;
        void *owner_document;
        struct fw_node *next;
        struct fw_node *prev;
        struct fw_node *parent;
        struct fw_node *first_child;
        struct fw_node *last_child;
        void *user;
        int type;
    } fw_node;
    typedef struct fw_chardata { fw_node node; fw_str data; } fw_chardata;
    typedef const unsigned char *(*fw_name_f)(void *, size_t *);
    typedef void *(*fw_attr_f)(void *);
    typedef struct fw_buf { unsigned char *data; size_t len; size_t cap; } fw_buf;
    static int fw_put(fw_buf *b, const unsigned char *s, size_t n) {
        if (b->len + n > b->cap) {
            size_t cap = b->cap ? b->cap : 4096;
            while (cap < b->len + n) cap *= 2;
            unsigned char *grown = (unsigned char *) realloc(b->data, cap);
            if (grown == NULL) return -1;
            b->data = grown;
            b->cap = cap;
        }
        if (n) memcpy(b->data + b->len, s, n);
        b->len += n;
        return 0;
    }
    /* One UTF-8 code point at s[i]: its byte length; invalid bytes count as one U+FFFD each. */
    static inline size_t fw_next(const unsigned char *s, size_t n, size_t i, Py_UCS4 *cp) {
        unsigned char c = s[i];
        size_t need, k;
        Py_UCS4 v;
        if (c < 0x80) { *cp = c; return 1; }
        if ((c & 0xE0) == 0xC0) { need = 1; v = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { need = 2; v = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { need = 3; v = c & 0x07; }
        else { *cp = 0xFFFD; return 1; }
        if (i + need >= n) { *cp = 0xFFFD; return 1; }
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) { *cp = 0xFFFD; return 1; }
            v = (v << 6) | (s[i + k] & 0x3F);
        }
        *cp = v;
        return need + 1;
    }
    /* " ".join(text.split()) on UTF-8, into out (cleared first). The result is never longer
       than the input, so the buffer is sized once and bytes are written directly. */
    static int fw_normalize(const unsigned char *s, size_t n, fw_buf *out) {
        size_t i = 0, step, len = 0;
        int pending = 0;
        unsigned char c, *o;
        Py_UCS4 cp;
        out->len = 0;
        if (n == 0) return 0;
        if (out->cap < n) {
            if (fw_put(out, s, n)) return -1;
            out->len = 0;
        }
        o = out->data;
        while (i < n) {
            c = s[i];
            if (c < 0x80) {
                if (Py_UNICODE_ISSPACE(c)) {
                    pending = len > 0;
                } else {
                    if (pending) { o[len++] = ' '; pending = 0; }
                    o[len++] = c;
                }
                i++;
                continue;
            }
            step = fw_next(s, n, i, &cp);
            if (Py_UNICODE_ISSPACE(cp)) {
                pending = len > 0;
            } else {
                if (pending) { o[len++] = ' '; pending = 0; }
                memcpy(o + len, s + i, step);
                len += step;
            }
            i += step;
        }
        out->len = len;
        return 0;
    }
    /* len(text.strip()) and whether text.isspace(), on UTF-8. */
    static Py_ssize_t fw_strip_len(const unsigned char *s, size_t n) {
        size_t i = 0, step;
        Py_ssize_t count = 0, upto = 0;
        int started = 0;
        Py_UCS4 cp;
        while (i < n) {
            step = fw_next(s, n, i, &cp);
            if (Py_UNICODE_ISSPACE(cp)) {
                if (started) count++;
            } else {
                count++;
                started = 1;
                upto = count;
            }
            i += step;
        }
        return upto;
    }
    static Py_ssize_t fw_length(const unsigned char *s, size_t n) {
        size_t i = 0;
        Py_ssize_t count = 0;
        Py_UCS4 cp;
        while (i < n) { i += fw_next(s, n, i, &cp); count++; }
        return count;
    }
    static int fw_attr_slot(const unsigned char *name, size_t n) {
        switch (n) {
        case 2: return memcmp(name, "id", 2) ? -1 : 4;
        case 4: return !memcmp(name, "href", 4) ? 7 : !memcmp(name, "name", 4) ? 8 : !memcmp(name, "role", 4) ? 5 : -1;
        case 5: return !memcmp(name, "class", 5) ? 3 : !memcmp(name, "style", 5) ? 2 : -1;
        case 6: return memcmp(name, "hidden", 6) ? -1 : 0;
        case 8: return memcmp(name, "itemprop", 8) ? -1 : 6;
        case 11: return memcmp(name, "aria-hidden", 11) ? -1 : 1;
        }
        return -1;
    }
    static void *fw_lookup(const char *path, const char *name) {
        void *handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
        if (handle == NULL) return NULL;
        return dlsym(handle, name);
    }
    """
    ctypedef struct fw_str:
        unsigned char *data
        size_t length
    ctypedef struct fw_node:
        uintptr_t local_name
        fw_node *next
        fw_node *parent
        fw_node *first_child
        int type
    ctypedef struct fw_chardata:
        fw_node node
        fw_str data
    ctypedef const unsigned char *(*fw_name_f)(void *, size_t *)
    ctypedef void *(*fw_attr_f)(void *)
    ctypedef struct fw_buf:
        unsigned char *data
        size_t len
        size_t cap
    int fw_put(fw_buf *b, const unsigned char *s, size_t n)
    int fw_normalize(const unsigned char *s, size_t n, fw_buf *out)
    Py_ssize_t fw_strip_len(const unsigned char *s, size_t n)
    Py_ssize_t fw_length(const unsigned char *s, size_t n)
    int fw_attr_slot(const unsigned char *name, size_t n)
    void *fw_lookup(const char *path, const char *name)


cdef extern from "Python.h":
    void PyObject_GC_UnTrack(void *op)

cdef enum:
    ELEMENT = 1
    TEXT = 3

cdef fw_name_f element_name = NULL  # lxb_dom_element_qualified_name
cdef fw_attr_f first_attr = NULL  # lxb_dom_element_first_attribute_noi
cdef fw_attr_f next_attr = NULL  # lxb_dom_element_next_attribute_noi
cdef fw_name_f attr_name = NULL  # lxb_dom_attr_qualified_name
cdef fw_name_f attr_value = NULL  # lxb_dom_attr_value_noi

# Tag ids below this are lexbor's predefined tags (same name in every document); larger
# ones are per-document hash entries.
cdef uintptr_t STATIC_IDS = 0x10000
cdef dict _static_names = {}

# The attributes the walk reads, by slot in an element's tuple (fw_attr_slot); the tuple's
# last item is a bit set of the slots present (an empty attribute's value is None).
cdef enum:
    A_HIDDEN = 0
    A_ARIA = 1
    A_STYLE = 2
    A_CLASS = 3
    A_ID = 4
    A_ROLE = 5
    A_ITEMPROP = 6
    A_HREF = 7
    A_NAME = 8
    N_WANTED = 9
cdef tuple _SLOT_NAMES = ("hidden", "aria-hidden", "style", "class", "id", "role", "itemprop", "href", "name")


cdef int _slots(object names) except -1:
    """The bit set of the attribute slots named (each must be one the walk reads)."""
    cdef int bits = 0
    for name in names:
        bits |= 1 << _SLOT_NAMES.index(name)
    return bits


# Attributes that can hide an element (thresholds.HIDDEN_KEYS), and those hints read.
cdef int HIDING = _slots(_t.HIDDEN_KEYS)
cdef int HINTING = HIDING | _slots(("id", "role", "itemprop"))

# The tables and thresholds, from thresholds.py and hints.py (typed copies for the C loops).
cdef frozenset SKIP = _t.SKIP, INLINE = _t.INLINE, LEAF_OK = _t.LEAF_OK, LEAFY = _t.LEAFY
cdef frozenset NOT_COLLAPSIBLE_TAGS = _t.NOT_COLLAPSIBLE_TAGS, REGION_KINDS = _t.REGION_KINDS
cdef frozenset HEADINGS = _t.HEADINGS
cdef double COLLAPSE_SHARE = _t.COLLAPSE_SHARE, LINK_DENSE = _t.LINK_DENSE
cdef Py_ssize_t SMALL_REGION = _t.SMALL_REGION, MIN_PROSE_BLOCK = _t.MIN_PROSE_BLOCK, MAX_PATH = _t.MAX_PATH
cdef double WRAPPER_SHARE = _t.WRAPPER_SHARE, FILTERED_WEIGHT = _t.FILTERED_WEIGHT
cdef double BOILERPLATE_WEIGHT = _t.BOILERPLATE_WEIGHT
cdef double DECLARED_BODY_SHARE = _t.DECLARED_BODY_SHARE, DECLARED_BODY_WRAPPER = _t.DECLARED_BODY_WRAPPER
cdef object SENTENCE_END = _t.SENTENCE_END.search, HIDDEN_STYLE = _t.HIDDEN_STYLE.search
cdef dict TAG_HINTS = _hints.TAG_HINTS
cdef object HIDDEN_HINT = _hints.HIDDEN, NEUTRAL_HINT = _hints.NEUTRAL, MAIN_HINT = _hints.MAIN_HINT
cdef object HEADER_KIND = BlockKind.HEADER
cdef object COMMENTS_KIND = BlockKind.COMMENTS

# Results of the element rules (hints, hiding, names) by their inputs, across pages:
# templates repeat, so most elements are answered from here.
cdef dict _hint_cache = {}
cdef dict _name_cache = {}
cdef dict _hidden_cache = {}
cdef Py_ssize_t MAX_CACHE = 200000


def bind(str lexbor_path) -> bool:
    """Look up lexbor's accessors in selectolax's module; False if any is missing."""
    global element_name, first_attr, next_attr, attr_name, attr_value
    cdef bytes path = lexbor_path.encode()
    element_name = <fw_name_f> fw_lookup(path, b"lxb_dom_element_qualified_name")
    first_attr = <fw_attr_f> fw_lookup(path, b"lxb_dom_element_first_attribute_noi")
    next_attr = <fw_attr_f> fw_lookup(path, b"lxb_dom_element_next_attribute_noi")
    attr_name = <fw_name_f> fw_lookup(path, b"lxb_dom_attr_qualified_name")
    attr_value = <fw_name_f> fw_lookup(path, b"lxb_dom_attr_value_noi")
    return not (element_name == NULL or first_attr == NULL or next_attr == NULL or attr_name == NULL
                or attr_value == NULL)


cdef class _Ctx:
    """What the helpers share during one walk."""
    cdef dict names  # tag id -> tag name for this document's own (non-predefined) tags
    cdef fw_buf text  # scratch buffers
    cdef fw_buf norm

    def __dealloc__(self):
        free(self.text.data)
        free(self.norm.data)


# Names of the first predefined tag ids by id: a list index instead of a dict lookup.
cdef Py_ssize_t N_LISTED = 1024
cdef list _listed_names = [None] * N_LISTED


cdef inline str tag_of(_Ctx ctx, fw_node *node):
    cdef uintptr_t ident = node.local_name
    cdef size_t n = 0
    cdef const unsigned char *raw
    cdef dict cache
    if ident < <uintptr_t> N_LISTED:
        found = _listed_names[ident]
        if found is not None:
            return <str> found
    cache = _static_names if ident < STATIC_IDS else ctx.names
    found = cache.get(ident)
    if found is not None:
        return <str> found
    raw = element_name(<void *> node, &n)
    name = PyUnicode_DecodeUTF8(<const char *> raw, n, "replace") if raw != NULL else ""
    if ident < <uintptr_t> N_LISTED:
        _listed_names[ident] = name
    else:
        cache[ident] = name
    return name


cdef tuple read_attrs(fw_node *node):
    """The wanted attributes' values and which are present; None if the element has none."""
    cdef void *attr = first_attr(<void *> node)
    cdef size_t n = 0
    cdef size_t vn = 0
    cdef const unsigned char *raw
    cdef int slot
    cdef int present = 0
    cdef list values
    if attr == NULL:
        return None
    values = [None, None, None, None, None, None, None, None, None, 0]
    while attr != NULL:
        raw = attr_name(attr, &n)
        if raw != NULL:
            slot = fw_attr_slot(raw, n)
            if slot >= 0:
                present |= 1 << slot
                raw = attr_value(attr, &vn)
                if raw != NULL:
                    values[slot] = PyUnicode_DecodeUTF8(<const char *> raw, vn, "replace")
        attr = next_attr(attr)
    values[N_WANTED] = present
    return tuple(values)


cdef inline void untrack(tuple key):
    # Cache keys hold only strings, ints and None, so they can't be part of a cycle: kept out
    # of the garbage collector, they don't make every full collection walk the whole cache.
    PyObject_GC_UnTrack(<void *> key)


cdef inline bint has(tuple attrs, int slot):
    return (<int> attrs[N_WANTED]) & (1 << slot)


cdef dict as_dict(tuple attrs):
    cdef dict out = {}
    cdef int i
    for i in range(N_WANTED):
        if has(attrs, i):
            out[_SLOT_NAMES[i]] = attrs[i]
    return out


cdef bint hidden(tuple attrs):
    """hints.is_hidden, for elements holding any attribute that can hide them."""
    cdef int present = attrs[N_WANTED]
    if not present & HIDING:
        return False
    key = (present & HIDING, attrs[A_ARIA], attrs[A_STYLE], attrs[A_CLASS])
    found = _hidden_cache.get(key)
    if found is None:
        if len(_hidden_cache) > MAX_CACHE:
            _hidden_cache.clear()
        found = hidden_uncached(attrs)
        untrack(key)
        _hidden_cache[key] = found
    return found


cdef frozenset HIDDEN_CLASSES = _t.HIDDEN_CLASSES


cdef inline bint hidden_by_attributes(tuple attrs):
    """The `hidden` attribute, aria-hidden="true" or a hiding style (hints.is_hidden's first rules)."""
    if has(attrs, A_HIDDEN) or attrs[A_ARIA] == "true":
        return True
    style = attrs[A_STYLE]
    return bool(style and HIDDEN_STYLE(style))


cdef bint hidden_uncached(tuple attrs):
    """hints.is_hidden(as_dict(attrs)), without the dict and the Python call: a page new to the
    process asks it for most of its inline elements with a class."""
    cdef str name
    if hidden_by_attributes(attrs):
        return True
    classes = attrs[A_CLASS]
    if not classes:
        return False
    for name in (<str> classes).lower().split():
        if name in HIDDEN_CLASSES:
            return True
    return False


def hidden_of(dict attrs) -> bool:
    """hidden_uncached for a dict of attributes, as hints.is_hidden takes them (for tests)."""
    cdef list values = [None] * (N_WANTED + 1)
    cdef int present = 0
    for name, value in attrs.items():
        if name in _SLOT_NAMES:
            slot = _SLOT_NAMES.index(name)
            present |= 1 << slot
            values[slot] = value
    values[N_WANTED] = present
    return hidden_uncached(tuple(values))


cdef int collect_text(fw_node *root, bint spaced, fw_buf *out) except -1:
    """node.text(deep=True, separator=" " if spaced else ""), as UTF-8 into out (cleared)."""
    cdef fw_node *node = root.first_child
    cdef fw_chardata *data
    cdef bint first = True
    out.len = 0
    while node != NULL:
        if node.type == TEXT:
            data = <fw_chardata *> node
            if data.data.data != NULL:
                if spaced and not first:
                    if fw_put(out, <const unsigned char *> b" ", 1):
                        raise MemoryError()
                first = False
                if fw_put(out, data.data.data, data.data.length):
                    raise MemoryError()
        if node.first_child != NULL:
            node = node.first_child
            continue
        while node != root and node.next == NULL:
            node = node.parent
        if node == root:
            break
        node = node.next
    return 0


cdef str normalized(fw_buf *source, fw_buf *norm):
    """" ".join(text.split()) of the buffer's text ("" if it is all whitespace)."""
    if fw_normalize(source.data, source.len, norm):
        raise MemoryError()
    if norm.len == 0:
        return ""
    return PyUnicode_DecodeUTF8(<const char *> norm.data, norm.len, "replace")


cdef list flushed(fw_buf *buf, fw_buf *norm, list blocks, Py_ssize_t owner, Py_ssize_t link_chars, list links,
                  list open_links, list tag_l):
    """walk.flatten_py's flush(): the buffer's text, if any, becomes a block of `owner`; the buffer is emptied.
    Returns the links to go on with (none once a block took them)."""
    cdef str text = normalized(buf, norm)
    buf.len = 0
    if not text:
        return links
    if link_chars and not links and open_links:
        links = [open_links[len(open_links) - 1]]
    blocks.append((owner, text, min(link_chars, len(text)), links, tag_l[owner]))
    return []


cdef bint matches_not_collapsible(_Ctx ctx, fw_node *root):
    """node.css_first(thresholds.NOT_COLLAPSIBLE) is not None: the node or a descendant is one
    of those tags or has a hidden or style attribute."""
    cdef fw_node *node = root
    cdef tuple attrs
    while True:
        if node.type == ELEMENT:
            if tag_of(ctx, node) in NOT_COLLAPSIBLE_TAGS:
                return True
            attrs = read_attrs(node)
            if attrs is not None and (<int> attrs[N_WANTED]) & ((1 << A_HIDDEN) | (1 << A_STYLE)):
                return True
        if node.first_child != NULL:
            node = node.first_child
            continue
        while node != root and node.next == NULL:
            node = node.parent
        if node == root:
            return False
        node = node.next


def text_length(object root_node) -> int:
    """len(node.text(deep=True)) without building the text."""
    cdef fw_node *root = <fw_node *> <uintptr_t> root_node.mem_id
    cdef fw_node *node = root.first_child
    cdef fw_chardata *data
    cdef Py_ssize_t total = 0
    cdef size_t i
    while node != NULL:
        if node.type == TEXT:
            data = <fw_chardata *> node
            if data.data.data != NULL:
                for i in range(data.data.length):
                    # Count code points: every byte but UTF-8 continuation bytes.
                    total += (data.data.data[i] & 0xC0) != 0x80
        if node.first_child != NULL:
            node = node.first_child
            continue
        while node != root and node.next == NULL:
            node = node.parent
        if node == root:
            break
        node = node.next
    return total


# hints.hint_for, compiled: on a page new to the process most elements are new too (ids and
# class lists vary by site), and this is a fifth of such a page's walk in Python. Same rules
# as hints.py, whose tables and patterns it reads at import; tests compare the two.
cdef tuple _h_no_hint = _hints._NO_HINT
cdef frozenset _h_hidden_classes = _t.HIDDEN_CLASSES, _h_state_words = _hints._STATE_WORDS
cdef tuple _h_taxonomy = _hints._TAXONOMY_PREFIXES, _h_builders = _hints._BUILDER_PREFIXES
cdef dict _h_word_rank = _hints._WORD_RANK, _h_stem_rank = _hints._STEM_RANK
cdef dict _h_role = _hints._ROLE_HINTS, _h_itemprop = _hints._ITEMPROP_HINTS
cdef object _h_word_findall = _hints._WORD.findall, _h_word_finditer = _hints._WORD.finditer
cdef object _h_stems_search = _hints._STEMS.search, _h_stems_finditer = _hints._STEMS.finditer
cdef Py_ssize_t _h_short_stem = _t.SHORT_STEM
cdef dict _token_cache = {}
cdef dict _classes_cache = {}


cdef frozenset heads(tuple prefixes):
    """The first two characters of the prefixes: a name starting otherwise has none of them.
    None if a prefix is shorter (every name then takes the full test)."""
    if any(len(prefix) < 2 for prefix in prefixes):
        return None
    return frozenset(prefix[:2] for prefix in prefixes)


cdef frozenset _h_taxonomy_heads = heads(_h_taxonomy), _h_builder_heads = heads(_h_builders)


# hints._STEMS is a trie of the stems as a regular expression: its branches start with distinct
# characters and its optional tails are greedy, so at a position it matches the longest stem that
# starts there, and finditer takes the leftmost such match, then goes on after it. The same walk
# over a table of the trie (ASCII: every stem is) costs a fraction of the regex, and a new page
# asks it for most of its class names. _h_trie_ok is False if the stems don't fit the table:
# the regex is used then.
cdef short *_h_trie = NULL  # state * 128 + character -> next state, or -1
cdef char *_h_final = NULL  # whether a state ends a stem
cdef bint _h_trie_ok = False


cdef bint build_trie(list stems):
    global _h_trie, _h_final
    cdef dict states = {"": 0}
    cdef str stem, prefix
    cdef Py_ssize_t k, n_states
    for stem in stems:
        if not stem or not stem.isascii():
            return False
        for k in range(1, len(stem) + 1):
            if stem[:k] not in states:
                states[stem[:k]] = len(states)
    n_states = len(states)
    if n_states >= 32767:
        return False
    _h_trie = <short *> malloc(n_states * 128 * sizeof(short))
    _h_final = <char *> calloc(n_states, 1)
    if _h_trie == NULL or _h_final == NULL:
        return False
    for k in range(n_states * 128):
        _h_trie[k] = -1
    for prefix, k in states.items():
        if prefix:
            _h_trie[(<Py_ssize_t> states[prefix[:-1]]) * 128 + ord(prefix[-1])] = <short> k
    for stem in stems:
        _h_final[<Py_ssize_t> states[stem]] = 1
    return True


_h_trie_ok = build_trie(list(_h_stem_rank))


cdef Py_ssize_t stem_at(str text, Py_ssize_t start):
    """The end of the longest stem starting at `start`, or -1 (what _STEMS matches there)."""
    cdef Py_ssize_t n = len(text), q = start, last = -1
    cdef int state = 0
    cdef Py_UCS4 char
    while q < n:
        char = text[q]
        if <Py_ssize_t> char >= 128:
            break
        state = _h_trie[state * 128 + <Py_ssize_t> char]
        if state < 0:
            break
        q += 1
        if _h_final[state]:
            last = q
    return last


def stem_spans(str text) -> list:
    """[(start, end)] of _STEMS.finditer(text), from the table: the longest stem at the leftmost position,
    then on after it."""
    cdef Py_ssize_t pos = 0, end
    cdef list out = []
    while pos < len(text):
        end = stem_at(text, pos)
        if end > pos:
            out.append((pos, end))
            pos = end
        else:
            pos += 1
    return out


cdef list ascii_words(str text):
    """hints._WORD.findall(text): the runs of a-z."""
    cdef list out = []
    cdef Py_ssize_t i, n = len(text), start = -1
    cdef Py_UCS4 char
    for i in range(n):
        char = text[i]
        if u"a" <= char <= u"z":
            if start < 0:
                start = i
        elif start >= 0:
            out.append(text[start:i])
            start = -1
    if start >= 0:
        out.append(text[start:n])
    return out


def ascii_words_of(str text) -> list:
    """ascii_words, for tests."""
    return ascii_words(text)


cdef tuple token_hint_uncached(str token):
    """hints._token_hint."""
    cdef str lowered = token.lower(), prefix, stem, word, head
    cdef Py_ssize_t cut, end, start
    cdef tuple best, found
    cdef list words
    cdef object edges, match
    if lowered in _h_hidden_classes:
        return (-1, HIDDEN_HINT)
    # The prefixes' first two characters screen the prefix tests (a tuple's startswith tries each).
    head = lowered[:2]
    if (_h_taxonomy_heads is None or head in _h_taxonomy_heads) and lowered.startswith(_h_taxonomy):
        return _h_no_hint
    if (_h_builder_heads is None or head in _h_builder_heads) and lowered.startswith(_h_builders):
        for prefix in _h_builders:
            if lowered.startswith(prefix):
                break
        cut = len(prefix)
        token, lowered = token[cut:], lowered[cut:]
        if not lowered:
            return _h_no_hint
    best = _h_no_hint
    words = ascii_words(lowered)
    if not _h_state_words.isdisjoint(words):
        for match in _h_word_finditer(lowered):
            end = match.end()
            if match.group() in _h_state_words and (end == len(lowered) or lowered[end] in "-_"):
                start = match.start()
                token = token[:start]
                lowered = lowered[:start]
                words = ascii_words(lowered)
                break
    for word in words:
        found = _h_word_rank.get(word)
        if found is not None and <Py_ssize_t> found[0] < <Py_ssize_t> best[0]:
            best = found
    squashed = lowered.replace("-", "").replace("_", "")
    edges = None
    if not _h_trie_ok:
        first = _h_stems_search(squashed)
        if first is None:
            return best
        for match in _h_stems_finditer(squashed, first.start()):
            best, edges = stem_rule(token, match.group(), match.start(), match.end(), best, edges)
        return best
    for start, end in stem_spans(squashed):
        best, edges = stem_rule(token, squashed[start:end], start, end, best, edges)
    return best


cdef tuple stem_rule(str token, str stem, Py_ssize_t start, Py_ssize_t end, tuple best, object edges):
    """One stem found in the squashed token: (the better hint, the token's word edges if computed)."""
    cdef tuple found = _h_stem_rank[stem]
    if <Py_ssize_t> found[0] >= <Py_ssize_t> best[0]:
        return best, edges
    if len(stem) <= _h_short_stem:
        # Short stems hide inside unrelated words: they must touch a word edge.
        if edges is None:
            edges = word_edges(token)
        if start not in edges[0] and end not in edges[1]:
            return best, edges
    return found, edges


cdef inline tuple token_hint(str token):
    found = _token_cache.get(token)
    if found is None:
        if len(_token_cache) > MAX_CACHE:
            _token_cache.clear()
        found = token_hint_uncached(token)
        _token_cache[token] = found
    return <tuple> found


cdef tuple classes_hint(str classes):
    """hints._class_hint."""
    found = _classes_cache.get(classes)
    if found is not None:
        return <tuple> found
    cdef tuple best = _h_no_hint, one
    cdef str token
    for token in classes.split():
        one = token_hint(token)
        if <Py_ssize_t> one[0] < <Py_ssize_t> best[0]:
            best = one
    if len(_classes_cache) > MAX_CACHE:
        _classes_cache.clear()
    _classes_cache[classes] = best
    return best


cdef object element_hint(str tag, tuple attrs):
    """hints.hint_for(tag, as_dict(attrs))."""
    cdef tuple best, found
    cdef str value
    if hidden_by_attributes(attrs):
        return HIDDEN_HINT
    classes = attrs[A_CLASS]
    best = classes_hint(classes) if classes else _h_no_hint
    ident = attrs[A_ID]
    if ident:
        found = token_hint(ident)
        if <Py_ssize_t> found[0] < <Py_ssize_t> best[0]:
            best = found
    hint = best[1]
    if hint is HIDDEN_HINT:
        return HIDDEN_HINT
    role = attrs[A_ROLE]
    if role:
        value = role
        by_role = _h_role.get(value.strip().lower())
        if by_role is not None:
            return by_role
    itemprop = attrs[A_ITEMPROP]
    if itemprop:
        value = itemprop
        by_prop = _h_itemprop.get(value.strip().lower())
        if by_prop is not None:
            return by_prop
    if hint is not None:
        return hint
    return TAG_HINTS.get(tag)


def hint_for(str tag, dict attrs):
    """element_hint for a dict of attributes, as hints.hint_for takes them (for tests)."""
    cdef list values = [None] * (N_WANTED + 1)
    cdef int present = 0, i
    for i in range(N_WANTED):
        if _SLOT_NAMES[i] in attrs:
            present |= 1 << i
            values[i] = attrs[_SLOT_NAMES[i]]
    values[N_WANTED] = present
    return element_hint(tag, tuple(values))


cdef tuple word_edges(str token):
    """hints._word_edges: where words start and end in the squashed token."""
    cdef set starts = set(), ends = set()
    cdef Py_ssize_t pos = 0
    cdef Py_UCS4 char, previous = 0  # NUL: neither alphabetic nor lower case, as "" is
    for char in token:
        if char == u"-" or char == u"_" or char == u" ":
            if pos:
                ends.add(pos)
            previous = char
            continue
        if pos == 0 or not previous.isalpha() or (char.isupper() and previous.islower()):
            starts.add(pos)
            if pos:
                ends.add(pos)
        previous = char
        pos += 1
    ends.add(pos)
    return starts, ends


def word_edges_of(str token) -> tuple:
    """word_edges, for tests."""
    return word_edges(token)


# walk.element_name, compiled: like hints, asked for most elements of a page new to the
# process (ids and class lists are the key), a few percent of such a page's walk in Python.


cdef str element_name_of(str tag, object ident, object classes):
    """walk.element_name: "tag#id.class1.class2.class3" without ASCII digits, written in one
    pass into a buffer (strip, split, join and translate made a string each, for most elements
    of a page new to the process)."""
    cdef Py_ssize_t size = len(tag) + 3, n = 0, i, length, taken
    cdef Py_UCS4 char
    cdef Py_UCS4 *out
    cdef str text
    cdef bint spaced
    if ident:
        size += len(<str> ident)
    if classes:
        size += len(<str> classes)
    out = <Py_UCS4 *> malloc(size * sizeof(Py_UCS4))
    if out == NULL:
        raise MemoryError()
    try:
        for char in tag:
            if not (u"0" <= char <= u"9"):
                out[n] = char
                n += 1
        if ident:
            # ident.strip(): from its first to its last non-space character.
            text = <str> ident
            out[n] = u"#"
            n += 1
            i, length = 0, len(text)
            while i < length and Py_UNICODE_ISSPACE(text[i]):
                i += 1
            while length > i and Py_UNICODE_ISSPACE(text[length - 1]):
                length -= 1
            while i < length:
                char = text[i]
                if not (u"0" <= char <= u"9"):
                    out[n] = char
                    n += 1
                i += 1
        if classes:
            # ".".join(classes.split(None, 3)[:3]): the first three whitespace-separated names.
            text = <str> classes
            out[n] = u"."
            n += 1
            taken = 0
            spaced = True  # before the first name
            for char in text:
                if Py_UNICODE_ISSPACE(char):
                    spaced = True
                    continue
                if spaced:
                    if taken == 3:
                        break
                    if taken:
                        out[n] = u"."
                        n += 1
                    taken += 1
                    spaced = False
                if not (u"0" <= char <= u"9"):
                    out[n] = char
                    n += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, n)
    finally:
        free(out)


def name_of(str tag, object ident, object classes) -> str:
    """element_name_of, for tests."""
    return element_name_of(tag, ident, classes)


def flatten(object root_node, object page):
    """Fill `page` (walk.Page) from the subtree at `root_node` (a LexborNode), as
    walk.flatten_py does."""
    cdef double collapse_limit = COLLAPSE_SHARE * text_length(root_node) if COLLAPSE_SHARE else 0.0
    cdef _Ctx ctx = _Ctx()
    ctx.names = {}
    cdef fw_buf *buf = &ctx.text  # the open block's text
    cdef fw_buf *norm = &ctx.norm
    cdef fw_buf scratch  # region and anchor texts
    scratch.data = NULL
    scratch.len = scratch.cap = 0

    cdef fw_node *root = <fw_node *> <uintptr_t> root_node.mem_id
    cdef list parent_l = page.parent, tag_l = page.tag, hint_l = page.hint, paths_l = page.paths
    cdef list end_l = page.end, bp_l = page.bp, blocks = page.blocks
    cdef bint have_parts = False
    cdef bint broken = False  # the last thing in the current block is a <br> (whitespace after it aside)
    cdef Py_ssize_t link_chars = 0
    cdef list links = []
    cdef list open_links = []
    cdef Py_ssize_t owner, idx, lc, code, n
    cdef int in_article = 0
    cdef list frames = []  # per open element: (code, previous owner, is_article)
    cdef fw_node *node
    cdef fw_node *current = root
    cdef fw_node *inner
    cdef fw_chardata *data
    cdef str tag, text, inner_tag, href, name, path
    cdef tuple attrs, inner_attrs, frame
    cdef object hint, found
    cdef bint is_article, leaf
    cdef list anchors, hrefs
    cdef int present

    try:
        root_tag = tag_of(ctx, root) if root.type == ELEMENT else ""
        parent_l.append(-1)
        tag_l.append(root_tag)
        hint_l.append(None)
        paths_l.append(root_tag)
        end_l.append(0)
        bp_l.append(-1)
        owner = 0
        frames.append((0, -1, False))
        node = root.first_child

        while True:
            if node == NULL:
                # The innermost open element is done.
                frame = <tuple> frames.pop()
                code = frame[0]
                if code >= 0:
                    if have_parts:
                        links = flushed(buf, norm, blocks, owner, link_chars, links, open_links, tag_l)
                        have_parts = False
                        link_chars = 0
                    elif links:
                        links = []
                    end_l[code] = len(parent_l) - 1
                    owner = frame[1]
                    if frame[2]:
                        in_article -= 1
                elif code == -1:
                    open_links.pop()
                if current == root:
                    break
                node = current.next
                current = current.parent
                continue

            if node.type == TEXT:
                data = <fw_chardata *> node
                # Whitespace before a block's first word is layout, not text.
                if data.data.data != NULL and data.data.length:
                    n = fw_strip_len(data.data.data, data.data.length)
                    if have_parts or n:
                        if fw_put(buf, data.data.data, data.data.length):
                            raise MemoryError()
                        have_parts = True
                        if open_links:
                            link_chars += n
                        if broken and n:
                            broken = False
                node = node.next
                continue
            if node.type != ELEMENT:
                node = node.next
                continue
            tag = tag_of(ctx, node)
            if tag in SKIP or not tag or tag[0] == "-":
                node = node.next
                continue
            if tag == "br" or tag == "hr":
                # Two line breaks in a row end a paragraph (walk.flatten_py).
                if broken and tag == "br":
                    if have_parts:
                        links = flushed(buf, norm, blocks, owner, link_chars, links, open_links, tag_l)
                        have_parts = False
                    link_chars = 0
                    broken = False
                else:
                    if fw_put(buf, <const unsigned char *> b" ", 1):
                        raise MemoryError()
                    have_parts = True
                    broken = tag == "br"
                node = node.next
                continue
            broken = False
            attrs = read_attrs(node)
            if tag in INLINE:
                if attrs is not None and hidden(attrs):
                    node = node.next
                    continue
                if tag == "a" and (attrs is None or has(attrs, A_HREF) or not has(attrs, A_NAME)):
                    href = (attrs[A_HREF] or "") if attrs is not None else ""
                    open_links.append(href)
                    if href:
                        links.append(href)
                    frames.append((-1, owner, False))
                else:
                    frames.append((-3, owner, False))
                current = node
                node = node.first_child
                continue

            if attrs is not None:
                present = attrs[N_WANTED]
                key = (tag, present & HINTING, attrs[A_ARIA], attrs[A_STYLE], attrs[A_CLASS], attrs[A_ID],
                       attrs[A_ROLE], attrs[A_ITEMPROP])
                hint = _hint_cache.get(key, _hint_cache)
                if hint is _hint_cache:
                    if len(_hint_cache) > MAX_CACHE:
                        _hint_cache.clear()
                    hint = element_hint(tag, attrs)
                    untrack(key)
                    _hint_cache[key] = hint
            else:
                hint = TAG_HINTS.get(tag)
            if hint is HIDDEN_HINT:
                node = node.next
                continue
            if hint is NEUTRAL_HINT:
                hint = None
            elif tag == "header" and hint is None and not in_article:
                hint = HEADER_KIND
            elif hint is HEADER_KIND and in_article:
                hint = None
            if have_parts:
                links = flushed(buf, norm, blocks, owner, link_chars, links, open_links, tag_l)
                have_parts = False
                link_chars = 0
            elif links:
                links = []
            idx = len(parent_l)
            parent_l.append(owner)
            tag_l.append(tag)
            hint_l.append(hint)
            if attrs is not None:
                # As in flatten_py: any attribute sends the tag through element_name(_of), which drops digits.
                key = (tag, attrs[A_ID], attrs[A_CLASS])
                found = _name_cache.get(key)
                if found is None:
                    if len(_name_cache) > MAX_CACHE:
                        _name_cache.clear()
                    found = element_name_of(tag, attrs[A_ID], attrs[A_CLASS])
                    untrack(key)
                    _name_cache[key] = found
                name = <str> found
            else:
                name = tag
            path = (<str> paths_l[owner]) + "/" + name
            if len(path) > MAX_PATH:
                path = path[path.find("/", len(path) - MAX_PATH) + 1 :]
            paths_l.append(path)
            end_l.append(idx)
            is_article = hint is MAIN_HINT
            if hint is None:
                bp_l.append(bp_l[owner])
            elif is_article:
                bp_l.append(bp_l[owner])
                in_article += 1
            else:
                bp_l.append(idx)

            if collapse_limit and hint in REGION_KINDS and tag not in LEAFY and not open_links:
                # A small link-heavy region that names itself: one block (see flatten_py).
                collect_text(node, True, &scratch)
                if fw_length(scratch.data, scratch.len) < collapse_limit and not matches_not_collapsible(ctx, node):
                    text = normalized(&scratch, norm)
                    hrefs = []
                    lc = 0
                    inner = node.first_child
                    while inner != NULL:
                        if inner.type == ELEMENT and tag_of(ctx, inner) == "a":
                            inner_attrs = read_attrs(inner)
                            if inner_attrs is not None and inner_attrs[A_HREF]:
                                hrefs.append(inner_attrs[A_HREF])
                            if inner_attrs is None or has(inner_attrs, A_HREF) or not has(inner_attrs, A_NAME):
                                collect_text(inner, True, &scratch)
                                if fw_normalize(scratch.data, scratch.len, norm):
                                    raise MemoryError()
                                lc += fw_length(norm.data, norm.len)
                        if inner.first_child != NULL:
                            inner = inner.first_child
                            continue
                        while inner != node and inner.next == NULL:
                            inner = inner.parent
                        if inner == node:
                            break
                        inner = inner.next
                    if lc >= LINK_DENSE * len(text) or len(text) < SMALL_REGION:
                        if text:
                            blocks.append((idx, text, min(lc, len(text)), hrefs, tag))
                        node = node.next
                        continue

            # A leaf (only inline content, nothing hidden): its text in one go.
            anchors = None
            leaf = tag in LEAFY
            if leaf:
                inner = node.first_child
                while inner != NULL:
                    if inner.type != TEXT:
                        if inner.type != ELEMENT:
                            leaf = False
                            break
                        inner_tag = tag_of(ctx, inner)
                        if inner_tag not in LEAF_OK:
                            leaf = False
                            break
                        inner_attrs = read_attrs(inner)
                        if inner_attrs is not None:
                            if hidden(inner_attrs):
                                leaf = False
                                break
                            if inner_tag == "a":
                                if anchors is None:
                                    anchors = []
                                anchors.append(inner_attrs)
                                anchors.append(<uintptr_t> inner)
                    if inner.first_child != NULL:
                        inner = inner.first_child
                        continue
                    while inner != node and inner.next == NULL:
                        inner = inner.parent
                    if inner == node:
                        break
                    inner = inner.next
            if leaf:
                if is_article:
                    in_article -= 1
                collect_text(node, False, &scratch)
                text = normalized(&scratch, norm)
                if text:
                    if open_links:
                        # The whole block sits inside a link (a teaser card).
                        href = open_links[len(open_links) - 1]
                        blocks.append((idx, text, len(text), [href] if href else [], tag))
                    elif anchors is None:
                        blocks.append((idx, text, 0, [], tag))
                    else:
                        hrefs = []
                        lc = 0
                        for i in range(0, len(anchors), 2):
                            inner_attrs = anchors[i]
                            if inner_attrs[A_HREF]:
                                hrefs.append(inner_attrs[A_HREF])
                            if has(inner_attrs, A_HREF) or not has(inner_attrs, A_NAME):
                                collect_text(<fw_node *> <uintptr_t> anchors[i + 1], False, &scratch)
                                lc += fw_strip_len(scratch.data, scratch.len)
                        blocks.append((idx, text, min(lc, len(text)), hrefs, tag))
                node = node.next
                continue
            frames.append((idx, owner, is_article))
            owner = idx
            current = node
            node = node.first_child
    finally:
        free(scratch.data)
    return page



def score(object page):
    """score.score_py, compiled: the per-element loops over C arrays, same results in the
    same order of float operations."""
    cdef list parent_l = page.parent, hints = page.hint, bp_l = page.bp, raw = page.blocks
    cdef Py_ssize_t n_el = len(parent_l), n_bl = len(raw)
    cdef Py_ssize_t i, idx, p, up, outer, h, n, lc, owner, best = 0
    cdef Py_ssize_t total_prose
    cdef double limit, g, sc, best_score = float("-inf")
    cdef tuple b
    cdef str text
    cdef list lengths = [0] * n_bl, prose_l = [0] * n_bl, hinted_l = [0] * n_bl
    cdef list active_l, good_l, bad_l
    cdef Py_ssize_t *parent = <Py_ssize_t *> malloc(n_el * sizeof(Py_ssize_t) + 1)
    cdef Py_ssize_t *bp = <Py_ssize_t *> malloc(n_el * sizeof(Py_ssize_t) + 1)
    cdef Py_ssize_t *raw_prose = <Py_ssize_t *> calloc(n_el + 1, sizeof(Py_ssize_t))
    cdef char *active = <char *> malloc(n_el + 1)
    cdef char *is_main = <char *> malloc(n_el + 1)
    cdef char *declared = <char *> malloc(n_el + 1)
    cdef Py_ssize_t *own_prose = <Py_ssize_t *> calloc(n_el + 1, sizeof(Py_ssize_t))
    cdef Py_ssize_t *around = <Py_ssize_t *> malloc(n_el * sizeof(Py_ssize_t) + 1)
    cdef double *good = <double *> calloc(n_el + 1, sizeof(double))
    cdef double *bad = <double *> calloc(n_el + 1, sizeof(double))
    cdef Py_ssize_t *owners = <Py_ssize_t *> malloc(n_bl * sizeof(Py_ssize_t) + 1)
    cdef Py_ssize_t *links = <Py_ssize_t *> malloc(n_bl * sizeof(Py_ssize_t) + 1)
    cdef Py_ssize_t *lens = <Py_ssize_t *> malloc(n_bl * sizeof(Py_ssize_t) + 1)
    cdef Py_ssize_t *prose = <Py_ssize_t *> malloc(n_bl * sizeof(Py_ssize_t) + 1)
    try:
        if (parent == NULL or bp == NULL or raw_prose == NULL or active == NULL or is_main == NULL or good == NULL
                or declared == NULL or own_prose == NULL or around == NULL or bad == NULL or owners == NULL or links == NULL
                or lens == NULL or prose == NULL):
            raise MemoryError()
        for idx in range(n_el):
            parent[idx] = <Py_ssize_t> parent_l[idx]
            bp[idx] = <Py_ssize_t> bp_l[idx]
            hint = hints[idx]
            is_main[idx] = hint is MAIN_HINT
            active[idx] = hint is not None and hint is not MAIN_HINT

        # Per block: length, link density, and whether it reads as prose.
        for i in range(n_bl):
            b = <tuple> raw[i]
            owner = <Py_ssize_t> b[0]
            text = <str> b[1]
            lc = <Py_ssize_t> b[2]
            n = len(text)
            owners[i] = owner
            links[i] = lc
            lens[i] = n
            lengths[i] = n
            prose[i] = 0
            if (lc <= LINK_DENSE * n and (n >= MIN_PROSE_BLOCK or SENTENCE_END(text) is not None)
                    and b[4] not in HEADINGS):
                prose[i] = n - lc
                prose_l[i] = n - lc

        # Raw prose per element (ignoring hints) to spot layout wrappers; and the same outside the
        # comment sections inside it (a post's comments never make it the article).
        for i in range(n_bl):
            raw_prose[owners[i]] += prose[i]
            own_prose[owners[i]] += prose[i]
        for idx in range(n_el - 1, 0, -1):
            p = parent[idx]
            if p >= 0:
                raw_prose[p] += raw_prose[idx]
                if hints[idx] is not COMMENTS_KIND:
                    own_prose[p] += own_prose[idx]
        total_prose = raw_prose[0] if n_el else 0
        if total_prose:
            limit = WRAPPER_SHARE * total_prose
            for idx in range(n_el):
                if active[idx] and raw_prose[idx] >= limit:
                    active[idx] = 0

        # A hint around one declared article body names its style, not its role (a declared
        # body: DECLARED_BODY_SHARE of the page's prose, or most of a declared body around it;
        # an element's prose: outside the comment sections inside it).
        for idx in range(n_el):
            declared[idx] = 0
            around[idx] = -1
            up = parent[idx]
            if up >= 0:
                around[idx] = up if declared[up] else around[up]
            if not is_main[idx]:
                continue
            if raw_prose[idx] >= DECLARED_BODY_SHARE * total_prose:
                declared[idx] = 1
            elif around[idx] >= 0 and raw_prose[idx] >= DECLARED_BODY_WRAPPER * own_prose[around[idx]]:
                declared[idx] = 1
        for idx in range(n_el):
            if declared[idx]:
                up = parent[idx]
                while up >= 0:
                    outer = bp[up]
                    if outer < 0:
                        break
                    if active[outer] and raw_prose[idx] >= DECLARED_BODY_WRAPPER * own_prose[outer]:
                        active[outer] = 0
                    up = parent[outer]

        for i in range(n_bl):
            h = bp[owners[i]]
            while h >= 0 and not active[h]:
                p = parent[h]
                h = bp[p] if p >= 0 else -1
            hinted_l[i] = h
            # Prose and boilerplate per element.
            owner = owners[i]
            if h >= 0 or links[i] > LINK_DENSE * lens[i]:
                bad[owner] += FILTERED_WEIGHT * lens[i]
            elif prose[i]:
                good[owner] += prose[i]
            else:
                bad[owner] += lens[i]
        for idx in range(n_el - 1, 0, -1):
            p = parent[idx]
            if p >= 0:
                good[p] += good[idx]
                bad[p] += bad[idx]

        for idx in range(n_el):
            g = good[idx]
            if g <= 0:
                continue
            sc = g - BOILERPLATE_WEIGHT * bad[idx]
            if sc > best_score or (sc == best_score and is_main[idx]):
                best = idx
                best_score = sc

        active_l = [active[idx] != 0 for idx in range(n_el)]
        good_l = [good[idx] for idx in range(n_el)]
        bad_l = [bad[idx] for idx in range(n_el)]
    finally:
        free(parent)
        free(bp)
        free(raw_prose)
        free(active)
        free(is_main)
        free(declared)
        free(own_prose)
        free(around)
        free(good)
        free(bad)
        free(owners)
        free(links)
        free(lens)
        free(prose)
    return lengths, prose_l, active_l, hinted_l, good_l, bad_l, best


def tables() -> dict:
    """The thresholds and tables this module read at import, for the test that they are
    thresholds.py's and hints.py's own."""
    return {
        "SKIP": SKIP, "INLINE": INLINE, "LEAF_OK": LEAF_OK, "LEAFY": LEAFY,
        "NOT_COLLAPSIBLE_TAGS": NOT_COLLAPSIBLE_TAGS, "REGION_KINDS": REGION_KINDS, "HEADINGS": HEADINGS,
        "COLLAPSE_SHARE": COLLAPSE_SHARE, "LINK_DENSE": LINK_DENSE, "SMALL_REGION": SMALL_REGION,
        "MIN_PROSE_BLOCK": MIN_PROSE_BLOCK, "WRAPPER_SHARE": WRAPPER_SHARE, "FILTERED_WEIGHT": FILTERED_WEIGHT,
        "BOILERPLATE_WEIGHT": BOILERPLATE_WEIGHT, "DECLARED_BODY_SHARE": DECLARED_BODY_SHARE,
        "DECLARED_BODY_WRAPPER": DECLARED_BODY_WRAPPER, "MAX_PATH": MAX_PATH, "HIDDEN_CLASSES": HIDDEN_CLASSES,
        "HIDDEN_KEYS": frozenset(
            _SLOT_NAMES[i] for i in range(N_WANTED) if HIDING & (1 << i)),
    }
