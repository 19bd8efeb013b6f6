"""Script-aware text preparation for text-reuse detection (pure: no I/O).

A page's main text is prepared once: its sentences (character offsets into the text), its tokens
(lower-cased words; character bigrams for scripts written without spaces), which tokens are content
words (function words dropped, words stemmed by prefix truncation), and which character ranges are
inside quotation marks. The prepared form is what align.py compares and what candidate_keys() puts in
the index; it serialises to a few numpy arrays (to_bytes / from_bytes) so a stored page is prepared once.

Everything here is language-agnostic: sentence ends of the major scripts, Unicode word characters,
a small built-in list of function words for major languages plus a length rule (words of one or two
letters in alphabetic scripts are function words in nearly every language), and prefix truncation as
the stemmer (a word's first letters carry its stem in most inflecting languages; measured against no
stemming in bench/fit_reuse.py).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import xxhash

try:  # the compiled word look-up and sentence breaks (setup.py); without them the Python below, the same
    from farmwatch.analysis._text import WordTable as _WordTable  # type: ignore[import-not-found]
    from farmwatch.analysis._text import char_scan as _compiled_scan  # type: ignore[import-not-found]
    from farmwatch.analysis._text import clause_cuts as _compiled_clauses  # type: ignore[import-not-found]
    from farmwatch.analysis._text import content_pair_hashes as _compiled_pairs  # type: ignore[import-not-found]
    from farmwatch.analysis._text import quote_spans as _compiled_quotes  # type: ignore[import-not-found]
    from farmwatch.analysis._text import sampled_keys as _compiled_keys  # type: ignore[import-not-found]
    from farmwatch.analysis._text import sentence_breaks as _compiled_breaks  # type: ignore[import-not-found]
    from farmwatch.analysis._text import sentence_spans as _compiled_sentences  # type: ignore[import-not-found]
    from farmwatch.analysis._text import strip_and_join as _compiled_strip  # type: ignore[import-not-found]
    from farmwatch.analysis._text import token_places as _compiled_places  # type: ignore[import-not-found]
    from farmwatch.analysis._text import word_infos as _compiled_word_infos  # type: ignore[import-not-found]
except ImportError:
    _WordTable = None
    _compiled_breaks = _compiled_clauses = _compiled_keys = _compiled_pairs = _compiled_scan = _compiled_strip = None
    _compiled_places = _compiled_quotes = _compiled_sentences = _compiled_word_infos = None

# Sentence ends. "." "!" "?" end a sentence only before whitespace (or the end); the ends of scripts
# that do not put spaces after them (Urdu/Arabic ۔ ؟, CJK 。！？, Devanagari । ॥, Thai/Khmer/Myanmar
# marks) end it wherever they are. Closing quotes and brackets right after an end stay in the sentence.
_ENDS, _CLOSE = ".!?…", "\"'”’»)\\]"
_ENDS_ANYWHERE, _CLOSE_ANYWHERE = "۔؟؛。！？｡।॥።፧၊။។៕", "\"'”’»」』)\\]"
_SENT_END = re.compile(f"(?:[{_ENDS}]+[{_CLOSE}]*(?=\\s|$)|[{_ENDS_ANYWHERE}]+[{_CLOSE_ANYWHERE}]*)")
# Words: runs of word characters and the combining marks of Indic, Thai and other scripts (Python's \w
# leaves vowel signs out and would cut those words apart); an apostrophe or hyphen splits a word.
_WORD = re.compile(
    r"[\w\u0300-\u036f\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0963\u0966-\u0dff"
    r"\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u1049\u104c-\u109f\u1780-\u17d3\u17d7-\u17ff]+"
)
# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar.
_NOSPACE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f]+"
)
NOSPACE = _NOSPACE  # shared with fingerprint.tokens: the same scripts are cut into bigrams there
WORD = _WORD  # shared with fingerprint: its shingles are read from prepared tokens where they agree

# Quoted regions: matching pairs of quotation marks within one paragraph; a quotation that goes on in the next
# paragraph (which opens with the mark again, as papers print a long quotation) ends at its paragraph's end.
# (Every branch begins with its quotation mark, look-behinds after it: the regex engine then skips to the
# next mark. No branch reads past another opening mark of its kind, so each character is read by one
# candidate quotation at most and the search stays linear: "‘x ‘x ‘x …" took seconds a megabyte before.)
_QUOTE = re.compile(
    r"“[^“”\n]{1,800}(?:[”“]|(?=\n\s*“))"
    r"|„[^„“”\n]{1,800}[“”]"
    r"|«[^«»\n]{1,800}»"
    r"|»[^»«\n]{1,800}«"
    r"|「[^「」\n]{1,800}」"
    r"|『[^『』\n]{1,800}』"
    r"|‘‘[^‘’\n]{1,800}’’"
    r"|’’[^‘’\n]{1,800}‘‘"
    r"|‘(?<![\w‘’]‘)(?:[^‘’\n]|(?<=\w)’(?=\w)){1,800}(?:’(?!\w)|(?=\n\s*‘))"
    r'|"[^"\n]{1,800}(?:"|(?=\n\s*"))'
    # Straight single quotes, as British papers and plain-text copy quote people: an opening ' not inside a
    # word, then text in which a ' is an apostrophe only inside a word (don't), up to a ' after none.
    r"|'(?<![\w'’]')(?=[^\s'])(?:[^'\n]|(?<=\w)'(?=\w)){1,800}(?:'(?!\w)|(?=\n\s*'))"
)

# Function words of major languages (the commonest ones only: the length rule covers most of the rest).
_STOP_TEXT = """
the and for that with this from have has had was were are been being not but they their them there
which who whom whose what when where while will would can could should shall may might must about
into over after before than then also its his her him she our your you any all more most some such
said says say one two new other out only just very upon because between during under again further
these those each both few own same too now here why how ever even still being does did done doing
les des une est pas que qui dans pour par sur avec son ses aux ces mais ont été sont être leur cette
der die das und den dem des ein eine einer eines ist nicht mit sich auf für von sie wir ihr auch als
wird werden wurde hat haben noch nach bei aus oder wie zum zur dass sind war
los las del una por con para como más pero sus fue son está han sobre este esta entre sin también
della delle degli dei che non per con una sono gli nel alla come più anche
dos das uma com não para por mais pelo pela foi são
het een van dat niet zijn voor met aan ook als maar werd door
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до
это этот для при
في من على إلى عن مع هذا هذه التي الذي ما لا أن إن كان قد كل بين وقد ذلك هو هي
کے کی کا کو نے سے میں ہے ہیں اور پر یہ وہ تھا تھی تھے گیا گئی گئے کہ بھی ہو کر جو اس ان ایک لیے
لئے کیا کرنے کیلئے دیا ہوئے ہوئی رہا رہی رہے والے والی تک نہیں جس جن بعد ساتھ طرف کہا گا گی
और के की का को में से है हैं पर यह वह था थी थे कि भी ने लिए एक इस उस
"""
STOPWORDS = frozenset(_STOP_TEXT.split())

# Scripts whose words carry their vowels (alphabets): there a word of one or two letters is a function word.
# Abjads (Arabic, Urdu, Hebrew) and abugidas write short content words, so the rule is not applied to them.
_ABJAD = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u0900-\u0dff]")

STEM_CHARS = 5  # prefix truncation: the stem of a word is its first STEM_CHARS characters
_MASK64 = (1 << 64) - 1


class _Vocabulary(dict):
    """Word -> row of the word tables (its hash, its stem's hash, is it a content word): words recur from
    page to page, so each is looked up once per process (in C, through map) rather than hashed again."""

    MAX = 200_000  # the tables are emptied past this many words (checked between pages, never within one)

    def __init__(self) -> None:
        super().__init__()
        self.table = None  # the compiled WordTable of the same words and rows, made when first asked (_rows)
        self.hash = np.zeros(0, dtype=np.uint64)
        self.stem = np.zeros(0, dtype=np.uint64)
        self.content = np.zeros(0, dtype=bool)

    def lookup(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(hashes, stem hashes, content flags) of the words, in order."""
        return self._lookup(
            lambda: np.fromiter(map(self.get, words, itertools.repeat(-1)), dtype=np.intp, count=len(words)),
            lambda at: [words[i] for i in at.tolist()],
        )

    def lookup_spans(
        self, text: str, starts: np.ndarray, ends: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """lookup([text[s:e] for s, e in zip(starts, ends)]), the words cut out and looked up in compiled code
        when it is built (starts and ends: intp arrays)."""
        if _WordTable is None:
            return self.lookup([text[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)])
        return self._lookup(lambda: self._rows(text, starts, ends))  # no row unknown: _rows adds the words

    def _rows(self, text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The words' rows in compiled code: read by the WordTable kept beside the dict, which hashes each
        word's characters where they are (a string made of each word for the dict took 0.088 ms a page, this
        0.037), and adds the words it does not hold as it meets them (the dict then takes them in the same
        order). The table is (re)built from the dict, whose order is the rows', whenever it is missing or
        holds another number of words."""
        if self.table is None or len(self.table) != len(self):
            self.table = _WordTable()
            self.table.add(list(self))
        rows, added = self.table.rows(text, starts, ends, True)
        if added:
            self._add(added, in_table=True)
        return rows

    def clear(self) -> None:
        super().clear()
        self.table = None

    def _lookup(
        self, find_rows: Callable[[], np.ndarray], words_at: Callable[[np.ndarray], list[str]] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The tables' values at the words' rows (`find_rows`: -1 for a word not in the table yet), the
        unknown words (`words_at` their places) added first; the table emptied past MAX beforehand."""
        with _VOCABULARY_LOCK:
            if len(self) >= self.MAX:
                self.clear()
            rows = find_rows()
            if words_at is not None and len(unknown := np.flatnonzero(rows < 0)):
                missing = words_at(unknown)
                self._add(list(dict.fromkeys(missing)))
                rows[unknown] = np.fromiter(map(self.__getitem__, missing), dtype=np.intp, count=len(missing))
            return self.hash[rows], self.stem[rows], self.content[rows]

    def _add(self, new: list[str], in_table: bool = False) -> None:
        """The new words (none known yet, in order) take the next rows; `in_table`: the WordTable has them."""
        first = len(self)
        size = first + len(new)
        if size > len(self.hash):
            grown = max(4096, 2 * size)
            for name in ("hash", "stem", "content"):
                old = getattr(self, name)
                table = np.zeros(grown, dtype=old.dtype)
                table[:first] = old[:first]
                setattr(self, name, table)
        if _compiled_word_infos is not None:
            infos = _compiled_word_infos(new, xxhash.xxh3_64_intdigest, STOPWORDS, STEM_CHARS, _ABJAD.match)
        else:
            infos = _word_infos(new)
        self.hash[first:size], self.stem[first:size], self.content[first:size] = infos
        self.update(zip(new, range(first, size), strict=True))
        if self.table is not None and not in_table:
            if len(self.table) == first:
                self.table.add(new)
            else:
                self.table = None  # rebuilt when next asked


def _word_infos(words: list[str]) -> tuple[list[int], list[int], list[bool]]:
    """The hashes of lower-cased words, the hashes of their stems (a number is its own stem), and which are
    content words (numbers of two digits or more; words not function words, of three letters or more
    unless written in an abjad)."""
    digest = xxhash.xxh3_64_intdigest
    hashes = [digest(w.encode()) for w in words]
    stems = [
        digest(w[:STEM_CHARS].encode()) if len(w) > STEM_CHARS and not w.isdigit() else h
        for w, h in zip(words, hashes, strict=True)
    ]
    content = [
        len(w) > 1 if w.isdigit() else w not in STOPWORDS and (len(w) > 2 or bool(_ABJAD.match(w))) for w in words
    ]
    return hashes, stems, content


_VOCABULARY = _Vocabulary()
_VOCABULARY_LOCK = threading.Lock()


@dataclass(slots=True)
class PreparedText:
    """A text ready for alignment. Offsets are character offsets into `text`.

    sent_starts/sent_ends: one entry per sentence. tok_*: one entry per token (word, or character
    bigram in scripts without spaces), in text order; tok_sent is the token's sentence; tok_hash the
    hash of the lower-cased token, tok_stem of its stem; tok_content marks content words; tok_quoted
    tokens inside quotation marks. quotes: (n, 2) character ranges of quoted regions."""

    text: str
    sent_starts: np.ndarray  # int32
    sent_ends: np.ndarray  # int32
    tok_starts: np.ndarray  # int32
    tok_ends: np.ndarray  # int32
    tok_sent: np.ndarray  # int32
    tok_hash: np.ndarray  # uint64
    tok_stem: np.ndarray  # uint64
    tok_content: np.ndarray  # bool
    tok_quoted: np.ndarray  # bool
    quotes: np.ndarray  # int32, shape (n, 2)
    # What alignment derives from the arrays (content words, their pairs), and matching and fingerprints
    # (paragraph shingles, whether the tokens are shingle_hashes' words), kept with the text: a stored
    # page is aligned with many new pages while it is in the cache of prepared texts.
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def sentences(self) -> list[str]:
        return [self.text[s:e] for s, e in zip(self.sent_starts.tolist(), self.sent_ends.tolist(), strict=True)]

    @property
    def n_tokens(self) -> int:
        return len(self.tok_hash)

    def to_bytes(self) -> bytes:
        """Compact serialisation: the text (UTF-8) and the arrays, without pickling."""
        text = self.text.encode("utf-8")
        parts = [
            self.sent_starts.astype(np.int32),
            self.sent_ends.astype(np.int32),
            self.tok_starts.astype(np.int32),
            self.tok_ends.astype(np.int32),
            self.tok_sent.astype(np.int32),
            self.tok_hash.astype(np.uint64),
            self.tok_stem.astype(np.uint64),
            np.packbits(self.tok_content),
            np.packbits(self.tok_quoted),
            self.quotes.astype(np.int32).reshape(-1),
        ]
        header = struct.pack("<IIII", len(text), len(self.sent_starts), len(self.tok_hash), len(self.quotes))
        return b"".join([header, text, *(p.tobytes() for p in parts)])

    @classmethod
    def from_bytes(cls, data: bytes) -> PreparedText:
        n_text, n_sent, n_tok, n_quotes = struct.unpack_from("<IIII", data, 0)
        pos = 16
        text = data[pos : pos + n_text].decode("utf-8")
        pos += n_text

        def take(dtype: type, count: int) -> np.ndarray:
            nonlocal pos
            arr = np.frombuffer(data, dtype=dtype, count=count, offset=pos)
            pos += arr.nbytes
            return arr

        sent_starts, sent_ends = take(np.int32, n_sent), take(np.int32, n_sent)
        tok_starts, tok_ends, tok_sent = take(np.int32, n_tok), take(np.int32, n_tok), take(np.int32, n_tok)
        tok_hash, tok_stem = take(np.uint64, n_tok), take(np.uint64, n_tok)
        nbits = (n_tok + 7) // 8
        tok_content = np.unpackbits(take(np.uint8, nbits), count=n_tok).astype(bool)
        tok_quoted = np.unpackbits(take(np.uint8, nbits), count=n_tok).astype(bool)
        quotes = take(np.int32, 2 * n_quotes).reshape(-1, 2)
        return cls(
            text, sent_starts, sent_ends, tok_starts, tok_ends, tok_sent, tok_hash, tok_stem, tok_content,
            tok_quoted, quotes,
        )  # fmt: skip


# Long sentences are cut at clause marks (commas, semicolons, dashes between words) into pieces of at least
# CLAUSE_MIN words: editors reuse clauses of the long sentences of agency copy, and a clause is then the unit.
CLAUSE_WORDS = 30  # sentences of more words than this are cut
CLAUSE_MIN = 8
# (The hyphen's look-behind comes after the hyphen: twice as fast as before it, the same matches.)
_CLAUSE = re.compile(r"[,،;؛、，；]|\s[-–—]\s|-(?<=\w-)(?=\w{3})")
# What ends a sentence: a sentence end (_SENT_END) or a line break (paragraphs break sentences). Neither
# holds a word character, so no word runs across a break (split_sentences relies on it). Written to begin
# with one character class, which the regex engine skips ahead by (three times faster than the alternation).
_BREAK = re.compile(
    f"[{_ENDS}{_ENDS_ANYWHERE}\n]"
    f"(?:(?<=[{_ENDS}])[{_ENDS}]*[{_CLOSE}]*(?=\\s|$)"
    f"|(?<=[{_ENDS_ANYWHERE}])[{_ENDS_ANYWHERE}]*[{_CLOSE_ANYWHERE}]*"
    "|(?<=\n))"
)
_IS_WORD, _IS_SPACE, _IS_NOSPACE = 1, 2, 4
# A word character \w is not (a combining mark of Indic, Thai, Latin or Arabic script): where a text holds one,
# the words of fingerprint.shingle_hashes (\w+) differ from prepare()'s tokens. All are in the BMP.
_IS_WORD_ONLY = 8
# What _BREAK reads, for the compiled sentence breaks (_text.sentence_breaks): its classes of sentence ends
# and closing marks, and the line break.
_IS_END, _IS_END_ANYWHERE, _IS_CLOSE, _IS_CLOSE_ANYWHERE, _IS_NEWLINE = 16, 32, 64, 128, 256
# And what _CLAUSE reads, for the compiled clause cuts (_text.clause_cuts): its marks, dashes and the hyphen.
_IS_CLAUSE_MARK, _IS_DASH, _IS_HYPHEN = 512, 1024, 2048
_CLAUSE_CLASSES = ((_IS_CLAUSE_MARK, "[,،;؛、，；]"), (_IS_DASH, "[-–—]"), (_IS_HYPHEN, "-"))
# The marks a quotation of _QUOTE begins with, for the compiled search (_text.quote_spans): it tries _QUOTE only
# where one of them is.
_IS_QUOTE = 4096
_QUOTE_OPENERS = "“„«»「『‘’\"'"


@functools.cache
def _char_classes() -> np.ndarray:
    """_IS_WORD (a character _WORD matches), _IS_SPACE (str.isspace) and _IS_NOSPACE (_NOSPACE) of every
    character of the Basic Multilingual Plane; characters past it are classified as they occur (_classes).
    Lower-casing keeps every character's classes (checked in tests/test_prepare_equivalence.py)."""
    table = np.zeros(0x10000, dtype=np.uint16)
    # Every BMP code point in order, decoded in one call (joining 65,536 chr()s cost 10 ms a process).
    bmp = np.arange(0x10000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    for m in _WORD.finditer(bmp):
        table[m.start() : m.end()] = _IS_WORD
    for m in _NOSPACE.finditer(bmp):  # no character past the BMP is in _NOSPACE
        table[m.start() : m.end()] |= _IS_NOSPACE
    # No character past the BMP is whitespace. \s is str.isspace's set (both read Py_UNICODE_ISSPACE; a test
    # checks every character): one scan, where calling isspace on each character cost 13 ms a process.
    for m in re.finditer(r"\s+", bmp):
        table[m.start() : m.end()] |= _IS_SPACE
    backslash_w = np.zeros(0x10000, dtype=bool)
    for m in re.finditer(r"\w+", bmp):
        backslash_w[m.start() : m.end()] = True
    table[((table & _IS_WORD) != 0) & ~backslash_w] |= _IS_WORD_ONLY
    # The character classes exactly as _BREAK writes them (the backslash in _CLOSE escapes its "]").
    for chars, bit in (
        (_ENDS, _IS_END),
        (_ENDS_ANYWHERE, _IS_END_ANYWHERE),
        (_CLOSE, _IS_CLOSE),
        (_CLOSE_ANYWHERE, _IS_CLOSE_ANYWHERE),
    ):
        for m in re.finditer(f"[{chars}]+", bmp):  # none of them is past the BMP
            table[m.start() : m.end()] |= bit
    table[ord("\n")] |= _IS_NEWLINE
    table[[ord(c) for c in _QUOTE_OPENERS]] |= _IS_QUOTE
    for bit, chars in _CLAUSE_CLASSES:
        for m in re.finditer(chars, bmp):
            table[m.start() : m.end()] |= bit
    return table


def _classes(text: str) -> np.ndarray:
    """The character classes (_IS_WORD, _IS_SPACE, _IS_NOSPACE, _IS_WORD_ONLY bits) of every character of the text."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _char_classes()
    astral = codes > 0xFFFF
    if not astral.any():
        return table[codes]
    out = table[np.where(astral, 0, codes)]
    # Not np.unique: it imports numpy.ma at its first call (~5 ms of a process), for the few codes of a page.
    for code in sorted(set(codes[astral].tolist())):
        if _WORD.match(chr(code)):
            out[codes == code] = _IS_WORD
    return out


def _word_runs(classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of word characters: the spans of _WORD's matches."""
    word = np.zeros(len(classes) + 2, dtype=np.int8)
    word[1:-1] = classes & _IS_WORD
    edges = np.flatnonzero(np.diff(word))
    return edges[0::2], edges[1::2]


def _scan(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(classes, run_starts, run_ends, union): _classes, _word_runs and the bitwise or of every character's
    classes. In one compiled pass when it is built (a text past the BMP excepted): the numpy calls over the
    whole text (a UTF-32 copy, the look-up, the word mask's diff, two scans of the classes) were 0.06 ms a page."""
    if _compiled_scan is not None:
        found = _compiled_scan(text, _char_classes())
        if found is not None:
            return found
    classes = _classes(text)
    run_starts, run_ends = _word_runs(classes)
    return classes, run_starts, run_ends, int(np.bitwise_or.reduce(classes)) if len(classes) else 0


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence: paragraphs (lines) break sentences, and so do sentence ends.
    Leading and trailing whitespace is left out of each range; empty sentences are dropped."""
    classes, run_starts, run_ends, _ = _scan(text)
    starts, ends = _sentences(text, classes, run_starts, run_ends)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _sentences(
    text: str, classes: np.ndarray, run_starts: np.ndarray, run_ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """split_sentences as arrays, from the text's character classes and word runs (computed once a page).

    Pieces are cut at the breaks (and long ones at clause marks, _clauses), stripped of whitespace,
    dropped when empty; a piece without a word character (a stray closing mark) joins the sentence before
    it, unless it is the first."""
    if _compiled_sentences is not None and run_starts.dtype == run_ends.dtype == np.int64:
        # All of it in one compiled call (the steps below are two dozen numpy calls a page between them).
        return _compiled_sentences(classes, run_starts, run_ends, CLAUSE_WORDS, CLAUSE_MIN)
    break_starts, break_ends, at_newline = _breaks(text, classes)
    seg_starts = np.concatenate([[0], break_ends])
    seg_ends = np.concatenate([np.where(at_newline, break_starts, break_ends), [len(text)]])
    keep = seg_ends > seg_starts
    seg_starts, seg_ends = seg_starts[keep], seg_ends[keep]
    if CLAUSE_WORDS:
        first = np.searchsorted(run_starts, seg_starts)
        last = np.searchsorted(run_starts, seg_ends)
        long = np.flatnonzero((seg_ends - seg_starts > 4 * CLAUSE_WORDS) & (last - first > CLAUSE_WORDS))
        if len(long):
            seg_starts, seg_ends = _clauses(text, classes, seg_starts, seg_ends, long, first, last, run_ends)
    if _compiled_strip is not None and seg_starts.dtype == seg_ends.dtype == np.int64:
        # The rest in one compiled loop over the pieces (a dozen numpy calls, two over the whole text: 0.04 ms).
        return _compiled_strip(classes, seg_starts, seg_ends)
    # Whitespace stripped: the first and the last non-space character of each piece.
    solid = np.flatnonzero((classes & _IS_SPACE) == 0)
    lo = np.searchsorted(solid, seg_starts)
    hi = np.searchsorted(solid, seg_ends) - 1
    keep = hi >= lo
    starts, ends = solid[lo[keep]], solid[hi[keep]] + 1
    if not len(starts):
        return starts.astype(np.int32), ends.astype(np.int32)
    # A word character inside [start, end): the first word run ending after start begins before end.
    nxt = np.searchsorted(run_ends, starts, side="right")
    worded = nxt < len(run_starts)
    worded[worded] = run_starts[nxt[worded]] < ends[worded]
    worded[0] = True
    heads = np.flatnonzero(worded)
    tails = np.append(heads[1:], len(starts)) - 1
    return starts[heads].astype(np.int32), ends[tails].astype(np.int32)


def _breaks(text: str, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, at_newline) of _BREAK's matches: in compiled code from the character classes when it
    is built (a third of _sentences' time was the regex's match objects), else from the regex."""
    if _compiled_breaks is not None:
        return _compiled_breaks(classes)
    breaks = np.array([m.span() for m in _BREAK.finditer(text)], dtype=np.int64).reshape(-1, 2)
    at_newline = np.array([text[i] == "\n" for i in breaks[:, 0].tolist()], dtype=bool)
    return breaks[:, 0], breaks[:, 1], at_newline


def _clauses(
    text: str,
    classes: np.ndarray,
    seg_starts: np.ndarray,
    seg_ends: np.ndarray,
    long: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    run_ends: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The pieces with the long sentences (indices `long`) cut at clause marks into pieces of at least
    CLAUSE_MIN words on both sides of every cut. In compiled code from the character classes when it is
    built (_text.clause_cuts: the same marks and cuts), else with _CLAUSE."""
    if _compiled_clauses is not None:
        cut_starts, cut_ends = _compiled_clauses(classes, seg_starts, seg_ends, long, first, last, run_ends, CLAUSE_MIN)
    else:
        cut_starts, cut_ends = _python_clause_cuts(text, seg_starts, seg_ends, long, first, last, run_ends)
    short = np.ones(len(seg_starts), dtype=bool)
    short[long] = False
    starts = np.concatenate([seg_starts[short], cut_starts])
    ends = np.concatenate([seg_ends[short], cut_ends])
    order = np.argsort(starts, kind="stable")
    return starts[order], ends[order]


def _python_clause_cuts(
    text: str,
    seg_starts: np.ndarray,
    seg_ends: np.ndarray,
    long: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    run_ends: np.ndarray,
) -> tuple[list[int], list[int]]:
    """(starts, ends) of the pieces the long sentences are cut into, in order, with _CLAUSE."""
    cut_starts: list[int] = []
    cut_ends: list[int] = []
    for i in long.tolist():
        start, end = int(seg_starts[i]), int(seg_ends[i])
        marks = [m.span() for m in _CLAUSE.finditer(text, start, end)]
        cut = start
        if marks:
            n_words = int(last[i] - first[i])
            spans = np.array(marks, dtype=np.int64)
            # Words before each mark; a mark can cut while CLAUSE_MIN words follow it.
            before = np.searchsorted(run_ends[first[i] : last[i]], spans[:, 0], side="right").tolist()
            usable = bisect.bisect_right(before, n_words - CLAUSE_MIN)
            mark_ends = spans[:usable, 1].tolist()
            j, cut_words = 0, 0
            # Greedily, the first usable mark CLAUSE_MIN words past the last cut (words before marks ascend).
            while (j := bisect.bisect_left(before, cut_words + CLAUSE_MIN, j, usable)) < usable:
                cut_starts.append(cut)
                cut_ends.append(mark_ends[j])
                cut, cut_words = mark_ends[j], before[j]
                j += 1
        cut_starts.append(cut)
        cut_ends.append(end)
    return cut_starts, cut_ends


def quoted_ranges(text: str, classes: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Character ranges (quotation marks included) of text inside quotation marks. With the text's character
    classes (_scan) and the compiled module, _QUOTE is tried only at its opening marks: the regex engine's own
    scan for them tested a set of a dozen marks at every character (1% of a page's analysis)."""
    if _compiled_quotes is not None and classes is not None:
        return _compiled_quotes(text, classes, _QUOTE.match)
    return [m.span() for m in _QUOTE.finditer(text)]


def prepare(text: str) -> PreparedText:
    """Sentences, tokens, content words and quoted regions of one main text."""
    classes, run_starts, run_ends, union = _scan(text)
    sent_starts, sent_ends = _sentences(text, classes, run_starts, run_ends)
    lower = text.lower()  # str.lower keeps the length for nearly all text; checked below
    # Whether fingerprint's shingles can be read from these tokens (fingerprint._same_tokens), known here
    # at no cost: fingerprint asked it of the text again (a scan and a lower-cased copy).
    same_tokens = len(lower) == len(text) and not union & _IS_WORD_ONLY
    if len(lower) != len(text):
        lower = "".join(c.lower()[:1] or c for c in text)
    # Lower-casing keeps every character's class (a word character stays one; checked for every character
    # in tests/test_prepare_equivalence.py): the runs are lower's words, _WORD.findall(lower), cut out
    # directly (a third faster than matching the text again).
    if not union & _IS_NOSPACE:
        # The common case, vectorised: one table look-up per word.
        tok_starts = run_starts.astype(np.int32)
        tok_ends = run_ends.astype(np.int32)
        hashes, stems, content = _VOCABULARY.lookup_spans(lower, run_starts, run_ends)
    else:
        words = [lower[start:end] for start, end in zip(run_starts.tolist(), run_ends.tolist(), strict=True)]
        tok_starts, tok_ends, hashes, stems, content = _nospace_tokens(words, run_starts.tolist())
    quotes = quoted_ranges(text, classes)
    if _compiled_places is not None:
        # The same, by one merge of the ascending starts (two binary searches a token and a dozen numpy calls).
        sent_of, quoted, quote_array = _compiled_places(tok_starts, sent_starts, quotes)
    else:
        sent_of = np.searchsorted(sent_starts, tok_starts, side="right").astype(np.int32) - 1
        quote_array = np.array(quotes, dtype=np.int32).reshape(-1, 2)
        quoted = np.zeros(len(tok_starts), dtype=bool)
        if quotes and len(tok_starts):
            idx = np.searchsorted(quote_array[:, 0], tok_starts, side="right") - 1
            ok = idx >= 0
            quoted[ok] = tok_starts[ok] < quote_array[idx[ok], 1]
    return PreparedText(
        text=text,
        sent_starts=sent_starts,
        sent_ends=sent_ends,
        tok_starts=tok_starts,
        tok_ends=tok_ends,
        tok_sent=sent_of,
        tok_hash=hashes,
        tok_stem=stems,
        tok_content=content,
        tok_quoted=quoted,
        quotes=quote_array,
        derived={"same_tokens": same_tokens},
    )


def _nospace_tokens(
    words: list[str], offsets: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tokens of a text holding a script without spaces: word-character runs of such scripts become
    character bigrams (every pair of neighbouring characters), the rest of each run ordinary words.
    Answers (starts, ends, hashes, stem hashes, content flags)."""
    starts: list[int] = []
    ends: list[int] = []
    toks: list[str] = []
    gram: list[bool] = []
    for word, offset in zip(words, offsets, strict=True):
        if not _NOSPACE.search(word):
            starts.append(offset)
            ends.append(offset + len(word))
            toks.append(word)
            gram.append(False)
            continue
        pos = 0
        for m in _NOSPACE.finditer(word):
            if m.start() > pos:
                starts.append(offset + pos)
                ends.append(offset + m.start())
                toks.append(word[pos : m.start()])
                gram.append(False)
            run = m.group()
            base = offset + m.start()
            for i in range(max(1, len(run) - 1)):
                g = run[i : i + 2]
                starts.append(base + i)
                ends.append(base + i + len(g))
                toks.append(g)
                gram.append(True)
            pos = m.end()
        if pos < len(word):
            starts.append(offset + pos)
            ends.append(offset + len(word))
            toks.append(word[pos:])
            gram.append(False)
    is_gram = np.array(gram, dtype=bool)
    n = len(toks)
    hashes = np.empty(n, dtype=np.uint64)
    stems = np.empty(n, dtype=np.uint64)
    content = np.ones(n, dtype=bool)  # a bigram is a content word, its own stem
    grams = [t for t, g in zip(toks, gram, strict=True) if g]
    digest = xxhash.xxh3_64_intdigest
    hashes[is_gram] = stems[is_gram] = np.fromiter((digest(g.encode()) for g in grams), np.uint64, len(grams))
    plain = ~is_gram
    words = [t for t, g in zip(toks, gram, strict=True) if not g]
    hashes[plain], stems[plain], content[plain] = _VOCABULARY.lookup(words)
    return np.array(starts, dtype=np.int32), np.array(ends, dtype=np.int32), hashes, stems, content


# ---------------------------------------------------------------------------------------------------------
# Index keys

KEY_SAMPLE_RATE = 4  # content-word pairs hashed into the lowest 1/KEY_SAMPLE_RATE are kept...
KEY_MIN = 64  # ...and at least the KEY_MIN smallest (all of them on a short page)...
KEY_CAP = 128  # ...and at most KEY_CAP, smallest first: the same rule on every page
KEY_WINDOW = 2  # pairs of content words at most KEY_WINDOW content words apart, within a sentence
_KEY_MIX = 0x5851F42D4C957F2D  # the kept pairs are mixed again with it (a bijection): the keys spread over 64 bits


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique(values) for a 1-d array: sorted, then kept where it differs from its neighbour. numpy 2's
    np.unique hashes before it sorts, 3-4 times slower on the hundreds to thousands of hashes a page has."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def splitmix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, element-wise: spreads hashes (and small integers) uniformly over 64 bits."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def content_pairs(prepared: PreparedText, window: int = KEY_WINDOW) -> np.ndarray:
    """Unique order-free hashes of pairs of content-word stems at most `window` content words apart within
    one sentence. A reworded sentence keeps most of its content words and their rough order, so it keeps
    many such pairs where it loses most word n-grams; order-free pairs survive swapped words too."""
    if _compiled_pairs is not None and _compiled_dtypes(prepared):
        # The same pairs hashed in one compiled loop (a dozen numpy calls a page otherwise).
        content = prepared.tok_content.view(np.uint8)
        return unique_sorted(_compiled_pairs(prepared.tok_stem, prepared.tok_sent, content, window))
    mask = prepared.tok_content
    stems = prepared.tok_stem[mask]
    if len(stems) < 2:
        return np.empty(0, dtype=np.uint64)
    allp, _ = sentence_pairs(stems, prepared.tok_sent[mask], window)
    if not len(allp):
        # One content word per sentence everywhere: pairs across the whole text instead.
        mixed = splitmix64(stems)
        allp = _pair_hash(mixed[:-1], mixed[1:])
    return unique_sorted(splitmix64(allp))


def _compiled_dtypes(prepared: PreparedText) -> bool:
    """Whether the compiled pairs can read the prepared arrays as they are."""
    return (
        prepared.tok_stem.dtype == np.uint64
        and prepared.tok_sent.dtype == np.int32
        and prepared.tok_content.dtype == bool
    )


def sentence_pairs(stems: np.ndarray, sent: np.ndarray, window: int = KEY_WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """Order-free hashes of the pairs of content-word stems at most `window` apart within a sentence, and
    each pair's sentence: what the reuse keys sample and what alignment compares sentence by sentence."""
    if len(stems) < 2:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int32)
    mixed = splitmix64(stems)
    lefts, rights, sentences = [], [], []
    for d in range(1, min(window, len(stems) - 1) + 1):
        same = sent[d:] == sent[:-d]
        lefts.append(mixed[:-d][same])
        rights.append(mixed[d:][same])
        sentences.append(sent[d:][same])
    return _pair_hash(np.concatenate(lefts), np.concatenate(rights)), np.concatenate(sentences)


def _pair_hash(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """One hash per pair of mixed stems, the same whichever comes first."""
    with np.errstate(over="ignore"):
        return np.minimum(x, y) * np.uint64(0x100000001B3) ^ splitmix64(np.maximum(x, y))


def candidate_keys(prepared: PreparedText) -> np.ndarray:
    """Index keys (uint64): a hash-sample of the page's content-word pairs (see content_pairs).

    Kept: every pair whose hash falls in the lowest 1/KEY_SAMPLE_RATE, at least the KEY_MIN smallest, at
    most KEY_CAP. A page of up to KEY_MIN pairs (about 60 content words) gives all of its pairs, so a
    short copy shares every surviving pair with its source's sample; two pages sharing reworded sentences
    share about shared_pairs/KEY_SAMPLE_RATE keys. Two pages are candidates when they share 2 keys."""
    limit = np.uint64((1 << 64) // KEY_SAMPLE_RATE)
    if _compiled_keys is not None and _compiled_dtypes(prepared):
        # The pairs, the sample and the mixing in one compiled call, which sorts only the pairs it may keep.
        content = prepared.tok_content.view(np.uint8)
        return _compiled_keys(
            prepared.tok_stem, prepared.tok_sent, content, KEY_WINDOW, limit, KEY_MIN, KEY_CAP, _KEY_MIX
        )
    pairs = content_pairs(prepared)  # sorted, uniformly mixed
    if not len(pairs):
        return pairs
    count = max(KEY_MIN, int(np.searchsorted(pairs, limit)))
    chosen = pairs[: min(count, KEY_CAP)]
    return splitmix64(chosen ^ np.uint64(_KEY_MIX))
