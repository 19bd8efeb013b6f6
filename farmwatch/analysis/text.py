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
import re
import struct
from dataclasses import dataclass, field

import numpy as np
import xxhash

# Sentence ends. "." "!" "?" end a sentence only before whitespace (or the end); the ends of scripts
# that do not put spaces after them (Urdu/Arabic ۔ ؟, CJK 。！？, Devanagari । ॥, Thai/Khmer/Myanmar
# marks) end it wherever they are. Closing quotes and brackets right after an end stay in the sentence.
_SENT_END = re.compile(
    r"""(?:[.!?…]+["'”’»)\]]*(?=\s|$)|[۔؟؛。！？｡।॥።፧၊။។៕\u06D4\u061F]+["'”’»」』)\]]*)""",
)
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

# Quoted regions: matching pairs of quotation marks within one paragraph.
_QUOTE = re.compile(
    r"“[^”\n]{1,800}[”“]"
    r"|„[^“”\n]{1,800}[“”]"
    r"|«[^»\n]{1,800}»"
    r"|»[^«\n]{1,800}«"
    r"|「[^」\n]{1,800}」"
    r"|『[^』\n]{1,800}』"
    r"|(?<!\w)‘[^’\n]{1,800}’(?!\w)"
    r'|"[^"\n]{1,800}"'
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


_CACHE: dict[str, tuple[int, int, bool]] = {}
_CACHE_MAX = 200_000


def _word_info(word: str) -> tuple[int, int, bool]:
    """(hash of the word, hash of its stem, is it a content word) of one lower-cased word."""
    h = xxhash.xxh3_64_intdigest(word.encode())
    if word.isdigit():
        info = (h, h, len(word) > 1)
    else:
        content = word not in STOPWORDS and (len(word) > 2 or bool(_ABJAD.match(word)))
        stem = word[:STEM_CHARS]
        info = (h, (xxhash.xxh3_64_intdigest(stem.encode()) if stem != word else h), content)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[word] = info
    return info


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
    # What alignment derives from the arrays (content words, their pairs), kept with the text: a stored
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


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence: paragraphs (lines) break sentences, and so do sentence ends.
    Leading and trailing whitespace is left out of each range; empty sentences are dropped."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        end_line = pos + len(line)
        pos = end_line + 1
        cut = start
        for m in _SENT_END.finditer(line):
            _push(text, cut, start + m.end(), out)
            cut = start + m.end()
        _push(text, cut, end_line, out)
    return out


# Long sentences are cut at clause marks (commas, semicolons, dashes between words) into pieces of at least
# CLAUSE_MIN words: editors reuse clauses of the long sentences of agency copy, and a clause is then the unit.
CLAUSE_WORDS = 30  # sentences of more words than this are cut
CLAUSE_MIN = 8
_CLAUSE = re.compile(r"[,،;؛、，；]|\s[-–—]\s|(?<=\w)-(?=\w{3})")


def _push(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    if CLAUSE_WORDS and end - start > 4 * CLAUSE_WORDS:
        word_ends = [m.end() for m in _WORD.finditer(text, start, end)]
        if len(word_ends) > CLAUSE_WORDS:
            cut, cut_words = start, 0
            for m in _CLAUSE.finditer(text, start, end):
                k = bisect.bisect_right(word_ends, m.start())  # words before the mark
                if k - cut_words >= CLAUSE_MIN and len(word_ends) - k >= CLAUSE_MIN:
                    _push1(text, cut, m.end(), out)
                    cut, cut_words = m.end(), k
            _push1(text, cut, end, out)
            return
    _push1(text, start, end, out)


def _push1(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        if out and not _WORD.search(text, start, end):
            # Punctuation alone (a stray closing mark) belongs to the sentence before it.
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges (quotation marks included) of text inside quotation marks."""
    return [m.span() for m in _QUOTE.finditer(text)]


def prepare(text: str) -> PreparedText:
    """Sentences, tokens, content words and quoted regions of one main text."""
    sents = split_sentences(text)
    lower = text.lower()  # str.lower keeps the length for nearly all text; checked below
    if len(lower) != len(text):
        lower = "".join(c.lower()[:1] or c for c in text)
    sa = np.array(sents, dtype=np.int32).reshape(-1, 2)
    matches = list(_WORD.finditer(lower))
    if not _NOSPACE.search(lower):
        # The common case, vectorised: one cached look-up per word.
        words = [m.group() for m in matches]
        starts = [m.start() for m in matches]
        ends = [m.end() for m in matches]
        cache = _CACHE
        infos = [cache.get(w) or _word_info(w) for w in words]
        hashes = [i[0] for i in infos]
        stems = [i[1] for i in infos]
        content = [i[2] for i in infos]
    else:
        starts, ends, sent_of, hashes, stems, content = [], [], [], [], [], []
        for m in matches:
            word = m.group()
            if _NOSPACE.search(word):
                _nospace_tokens(word, m.start(), 0, starts, ends, sent_of, hashes, stems, content)
            else:
                _plain(word, m.start(), 0, starts, ends, sent_of, hashes, stems, content)
    tok_starts = np.array(starts, dtype=np.int32)
    sent_of = np.searchsorted(sa[:, 0], tok_starts, side="right").astype(np.int32) - 1
    quotes = quoted_ranges(text)
    quoted = np.zeros(len(starts), dtype=bool)
    if quotes and len(starts):
        q = np.array(quotes, dtype=np.int32)
        idx = np.searchsorted(q[:, 0], tok_starts, side="right") - 1
        ok = idx >= 0
        quoted[ok] = tok_starts[ok] < q[idx[ok], 1]
    return PreparedText(
        text=text,
        sent_starts=sa[:, 0].copy(),
        sent_ends=sa[:, 1].copy(),
        tok_starts=tok_starts,
        tok_ends=np.array(ends, dtype=np.int32),
        tok_sent=sent_of,
        tok_hash=np.array(hashes, dtype=np.uint64),
        tok_stem=np.array(stems, dtype=np.uint64),
        tok_content=np.array(content, dtype=bool),
        tok_quoted=quoted,
        quotes=np.array(quotes, dtype=np.int32).reshape(-1, 2),
    )


def _nospace_tokens(
    word: str,
    offset: int,
    si: int,
    starts: list[int],
    ends: list[int],
    sent_of: list[int],
    hashes: list[int],
    stems: list[int],
    content: list[bool],
) -> None:
    """A word-character run containing a script without spaces: such runs become character bigrams
    (every pair of neighbouring characters), the rest of the run ordinary words."""
    pos = 0
    for m in _NOSPACE.finditer(word):
        if m.start() > pos:
            _plain(word[pos : m.start()], offset + pos, si, starts, ends, sent_of, hashes, stems, content)
        run = m.group()
        base = offset + m.start()
        grams = [run[i : i + 2] for i in range(max(1, len(run) - 1))]
        for i, g in enumerate(grams):
            h = xxhash.xxh3_64_intdigest(g.encode())
            starts.append(base + i)
            ends.append(base + i + len(g))
            sent_of.append(si)
            hashes.append(h)
            stems.append(h)
            content.append(True)
        pos = m.end()
    if pos < len(word):
        _plain(word[pos:], offset + pos, si, starts, ends, sent_of, hashes, stems, content)


def _plain(word, offset, si, starts, ends, sent_of, hashes, stems, content) -> None:  # type: ignore[no-untyped-def]
    h, st, c = _word_info(word)
    starts.append(offset)
    ends.append(offset + len(word))
    sent_of.append(si)
    hashes.append(h)
    stems.append(st)
    content.append(c)


# ---------------------------------------------------------------------------------------------------------
# Index keys

KEY_SAMPLE_RATE = 4  # content-word pairs hashed into the lowest 1/KEY_SAMPLE_RATE are kept...
KEY_MIN = 64  # ...and at least the KEY_MIN smallest (all of them on a short page)...
KEY_CAP = 128  # ...and at most KEY_CAP, smallest first: the same rule on every page
KEY_WINDOW = 2  # pairs of content words at most KEY_WINDOW content words apart, within a sentence


def _mix(values: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def content_pairs(prepared: PreparedText, window: int = KEY_WINDOW) -> np.ndarray:
    """Unique order-free hashes of pairs of content-word stems at most `window` content words apart within
    one sentence. A reworded sentence keeps most of its content words and their rough order, so it keeps
    many such pairs where it loses most word n-grams; order-free pairs survive swapped words too."""
    mask = prepared.tok_content
    stems = prepared.tok_stem[mask]
    sent = prepared.tok_sent[mask]
    if len(stems) < 2:
        return np.empty(0, dtype=np.uint64)
    mixed = _mix(stems)
    out = []
    with np.errstate(over="ignore"):
        for d in range(1, window + 1):
            if len(stems) <= d:
                break
            same = sent[d:] == sent[:-d]
            x, y = mixed[:-d][same], mixed[d:][same]
            out.append(np.minimum(x, y) * np.uint64(0x100000001B3) ^ _mix(np.maximum(x, y)))
    allp = np.concatenate(out) if out else np.empty(0, dtype=np.uint64)
    if not len(allp):
        # One content word per sentence everywhere: pairs across the whole text instead.
        x, y = mixed[:-1], mixed[1:]
        with np.errstate(over="ignore"):
            allp = np.minimum(x, y) * np.uint64(0x100000001B3) ^ _mix(np.maximum(x, y))
    return np.unique(_mix(allp))


def candidate_keys(prepared: PreparedText) -> np.ndarray:
    """Index keys (uint64): a hash-sample of the page's content-word pairs (see content_pairs).

    Kept: every pair whose hash falls in the lowest 1/KEY_SAMPLE_RATE, at least the KEY_MIN smallest, at
    most KEY_CAP. A page of up to KEY_MIN pairs (about 60 content words) gives all of its pairs, so a
    short copy shares every surviving pair with its source's sample; two pages sharing reworded sentences
    share about shared_pairs/KEY_SAMPLE_RATE keys. Two pages are candidates when they share 2 keys."""
    pairs = content_pairs(prepared)  # sorted, uniformly mixed
    if not len(pairs):
        return pairs
    limit = np.uint64((1 << 64) // KEY_SAMPLE_RATE)
    count = max(KEY_MIN, int(np.searchsorted(pairs, limit)))
    chosen = pairs[: min(count, KEY_CAP)]
    # Mixed again (a bijection) so the keys spread over the whole hash space.
    return _mix(chosen ^ np.uint64(0x5851F42D4C957F2D))
