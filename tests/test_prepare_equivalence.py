"""prepare(), content_pairs() and the page's shingles are computed the fast way (one pass, arrays, a word
table); this file keeps the straightforward way (the implementation they replaced, loop by loop) and checks
that both give the same arrays on every main text of provenance-dev and reuse-dev and on awkward inputs."""

from __future__ import annotations

import bisect
import json
import re

import numpy as np
import pytest
import xxhash

from farmwatch.analysis import text as T
from farmwatch.analysis.decode import InputError
from farmwatch.analysis.fingerprint import minhash_values, prepared_shingle_hashes, shingle_hashes
from farmwatch.analysis.page import analyze_html, fingerprint
from farmwatch.config import FingerprintSettings
from tests.conftest import CORPORA

S = FingerprintSettings()

# ---------------------------------------------------------------------------------------------------------
# The reference: prepare() as it was written before it was made fast (regular expressions as they were).

_SENT_END = re.compile(
    r"""(?:[.!?…]+["'”’»)\]]*(?=\s|$)|[۔؟؛。！？｡।॥።፧၊။។៕\u06D4\u061F]+["'”’»」』)\]]*)""",
)
_QUOTE = re.compile(
    r"“[^“”\n]{1,800}(?:[”“]|(?=\n\s*“))"  # a quotation going on in the next paragraph ends at this one's end
    r"|„[^„“”\n]{1,800}[“”]"
    r"|«[^«»\n]{1,800}»"
    r"|»[^»«\n]{1,800}«"
    r"|「[^「」\n]{1,800}」"
    r"|『[^『』\n]{1,800}』"
    r"|‘‘[^‘’\n]{1,800}’’"
    r"|’’[^‘’\n]{1,800}‘‘"  # Urdu opens a quotation with ’’ (logical order)
    r"|(?<![\w‘’])‘(?:[^‘’\n]|(?<=\w)’(?=\w)){1,800}(?:’(?!\w)|(?=\n\s*‘))"
    r'|"[^"\n]{1,800}(?:"|(?=\n\s*"))'
    r"|(?<![\w'’])'(?=[^\s'])(?:[^'\n]|(?<=\w)'(?=\w)){1,800}(?:'(?!\w)|(?=\n\s*'))"  # straight single quotes
)
_CLAUSE = re.compile(r"[,،;؛、，；]|\s[-–—]\s|(?<=\w)-(?=\w{3})")
_WORD, _NOSPACE = T._WORD, T._NOSPACE


def ref_split_sentences(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        end_line = pos + len(line)
        pos = end_line + 1
        cut = start
        for m in _SENT_END.finditer(line):
            _ref_push(text, cut, start + m.end(), out)
            cut = start + m.end()
        _ref_push(text, cut, end_line, out)
    return out


def _ref_push(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    if T.CLAUSE_WORDS and end - start > 4 * T.CLAUSE_WORDS:
        word_ends = [m.end() for m in _WORD.finditer(text, start, end)]
        if len(word_ends) > T.CLAUSE_WORDS:
            cut, cut_words = start, 0
            for m in _CLAUSE.finditer(text, start, end):
                k = bisect.bisect_right(word_ends, m.start())
                if k - cut_words >= T.CLAUSE_MIN and len(word_ends) - k >= T.CLAUSE_MIN:
                    _ref_push1(text, cut, m.end(), out)
                    cut, cut_words = m.end(), k
            _ref_push1(text, cut, end, out)
            return
    _ref_push1(text, start, end, out)


def _ref_push1(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        if out and not _WORD.search(text, start, end):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))


def _ref_word_info(word: str) -> tuple[int, int, bool]:
    h = xxhash.xxh3_64_intdigest(word.encode())
    if word.isdigit():
        return h, h, len(word) > 1
    content = word not in T.STOPWORDS and (len(word) > 2 or bool(T._ABJAD.match(word)))
    stem = word[: T.STEM_CHARS]
    return h, (xxhash.xxh3_64_intdigest(stem.encode()) if stem != word else h), content


def ref_prepare(text: str) -> T.PreparedText:
    sents = ref_split_sentences(text)
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c.lower()[:1] or c for c in text)
    sa = np.array(sents, dtype=np.int32).reshape(-1, 2)
    starts: list[int] = []
    ends: list[int] = []
    infos: list[tuple[int, int, bool]] = []

    def plain(word: str, offset: int) -> None:
        starts.append(offset)
        ends.append(offset + len(word))
        infos.append(_ref_word_info(word))

    for m in _WORD.finditer(lower):
        word, offset = m.group(), m.start()
        if not _NOSPACE.search(word):
            plain(word, offset)
            continue
        pos = 0
        for run in _NOSPACE.finditer(word):
            if run.start() > pos:
                plain(word[pos : run.start()], offset + pos)
            chars = run.group()
            for i in range(max(1, len(chars) - 1)):
                g = chars[i : i + 2]
                h = xxhash.xxh3_64_intdigest(g.encode())
                starts.append(offset + run.start() + i)
                ends.append(offset + run.start() + i + len(g))
                infos.append((h, h, True))
            pos = run.end()
        if pos < len(word):
            plain(word[pos:], offset + pos)
    tok_starts = np.array(starts, dtype=np.int32)
    sent_of = np.searchsorted(sa[:, 0], tok_starts, side="right").astype(np.int32) - 1
    quotes = [m.span() for m in _QUOTE.finditer(text)]
    quoted = np.zeros(len(starts), dtype=bool)
    if quotes and len(starts):
        q = np.array(quotes, dtype=np.int32)
        idx = np.searchsorted(q[:, 0], tok_starts, side="right") - 1
        ok = idx >= 0
        quoted[ok] = tok_starts[ok] < q[idx[ok], 1]
    return T.PreparedText(
        text=text,
        sent_starts=sa[:, 0].copy(),
        sent_ends=sa[:, 1].copy(),
        tok_starts=tok_starts,
        tok_ends=np.array(ends, dtype=np.int32),
        tok_sent=sent_of,
        tok_hash=np.array([i[0] for i in infos], dtype=np.uint64),
        tok_stem=np.array([i[1] for i in infos], dtype=np.uint64),
        tok_content=np.array([i[2] for i in infos], dtype=bool),
        tok_quoted=quoted,
        quotes=np.array(quotes, dtype=np.int32).reshape(-1, 2),
    )


def ref_content_pairs(prepared: T.PreparedText, window: int = T.KEY_WINDOW) -> np.ndarray:
    mask = prepared.tok_content
    stems = prepared.tok_stem[mask]
    sent = prepared.tok_sent[mask]
    if len(stems) < 2:
        return np.empty(0, dtype=np.uint64)
    mixed = T.splitmix64(stems)
    out = []
    with np.errstate(over="ignore"):
        for d in range(1, window + 1):
            if len(stems) <= d:
                break
            same = sent[d:] == sent[:-d]
            x, y = mixed[:-d][same], mixed[d:][same]
            out.append(np.minimum(x, y) * np.uint64(0x100000001B3) ^ T.splitmix64(np.maximum(x, y)))
    allp = np.concatenate(out) if out else np.empty(0, dtype=np.uint64)
    if not len(allp):
        x, y = mixed[:-1], mixed[1:]
        with np.errstate(over="ignore"):
            allp = np.minimum(x, y) * np.uint64(0x100000001B3) ^ T.splitmix64(np.maximum(x, y))
    return np.unique(T.splitmix64(allp))


# ---------------------------------------------------------------------------------------------------------

ARRAYS = ("sent_starts", "sent_ends", "tok_starts", "tok_ends", "tok_sent", "tok_hash", "tok_stem", "tok_content")
ARRAYS += ("tok_quoted", "quotes")


def assert_same(text: str) -> None:
    got, want = T.prepare(text), ref_prepare(text)
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.shape == b.shape, (name, text[:80])
        assert np.array_equal(a, b), (name, text[:80])
    assert T.split_sentences(text) == ref_split_sentences(text)
    assert T.quoted_ranges(text) == [m.span() for m in _QUOTE.finditer(text)]
    assert np.array_equal(T.content_pairs(got), ref_content_pairs(want))
    for window in (1, 3):
        assert np.array_equal(T.content_pairs(got, window), ref_content_pairs(want, window))
    assert np.array_equal(prepared_shingle_hashes(got, S.shingle_words), shingle_hashes(text, S.shingle_words))


LONG = (
    "The minister, speaking to reporters outside parliament on Tuesday afternoon, said that the government "
    "would - after long consultation with unions, employers and regional councils - raise the minimum wage "
    "by nine percent; critics called the well-known plan half-hearted, state-run media praised it, and "
    "markets barely moved, although analysts in London, Paris and Frankfurt expect further rises next year"
)
AWKWARD = [
    "",
    " ",
    "\n\n\n",
    "...",
    "” .\n!",
    "Hello",
    "Hello world.",
    "  leading and trailing spaces.  \n  next line  ",
    "“Quoted.” ” Then a stray mark.\n” \n”",
    "A.B. Smith said 3.5 percent!? Really… yes. (Indeed.) [Sure.]",
    LONG,
    LONG + ".\n" + LONG.replace(",", ";") + "\n- " + LONG,
    LONG.replace(" - ", "\n- "),
    "word-" + LONG + " -abc x-yz well-kno",
    "İstanbul'da İzmir ve İSTANBUL. Ünlü şehirler; Straße, ΣΊΣΥΦΟΣ ΚΑΛΌΣ.",
    "Cafe\u0301 de\u0301ja\u0300 vu, nai\u0308ve.",  # decomposed accents: combining marks
    "Emoji 😀 and 𝐛𝐨𝐥𝐝 𝕕𝕠𝕦𝕓𝕝𝕖 and 𠀀𠀁 rare Han.",
    "lone \ud800 surrogate",
    "我们今天去北京。他们明天回上海！abc北京def 东京\n日本語のテキストです。カタカナ",
    "สวัสดีครับ ผมชื่อสมชาย ๑๒๓",
    "नमस्ते दुनिया। यह एक परीक्षा है॥ और 123",
    "وزیر اعظم نے اجلاس کی صدارت کی۔ انہوں نے کہا کہ معیشت بہتر ہو رہی ہے؟\nدوسرا پیراگراف یہاں ہے",
    "قالَ الرئيسُ إنَّ الاقتصادَ «سيتحسن» قريباً؛ وأضافَ: ‘نعم’.",
    "Президент сказал, что «экономика растёт». Министр — против; «нет» — ответил он.",
    "„Das ist gut“, sagte er. »Wirklich?« fragte sie. ‘Yes’ isn’t ‘no’ x‘y’.",
    "「これは」『テスト』です。",
    "tab\tseparated\x0bvertical\x0cform\x1cfile\x85next\u2028line\u2029para\u3000ideographic space.",
    ("x " * 200) + ".",
    ", , , " * 30 + "end of commas, and words after them, many words, to reach the clause rule finally here.",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_texts_prepare_as_the_reference_does(text: str) -> None:
    assert_same(text)


def test_random_texts_prepare_as_the_reference_does() -> None:
    rng = np.random.default_rng(7)
    alphabet = [*'abc xyz.!?,;-—\n“”"‘’«»İé\u0301我们ไทยकि।۔؟ 😀', "the ", "and ", "well-known ", " - "]
    for _ in range(300):
        parts = rng.choice(len(alphabet), size=int(rng.integers(0, 400)))
        assert_same("".join(alphabet[i] for i in parts))


def _main_texts() -> list[str]:
    texts = []
    for corpus in ("provenance-dev", "reuse-dev"):
        for row in map(json.loads, (CORPORA / corpus / "pages.jsonl").read_text().splitlines()):
            try:
                texts.append(analyze_html((CORPORA / corpus / row["html_file"]).read_bytes(), row["url"]).main_text)
            except InputError:
                continue
    return texts


@pytest.mark.skipif(not (CORPORA / "reuse-dev").exists(), reason="shared corpora not present")
def test_every_corpus_page_prepares_as_the_reference_does() -> None:
    texts = _main_texts()
    assert len(texts) > 1400
    for text in texts:
        assert_same(text)


def test_character_classes_survive_lower_casing() -> None:
    # prepare() classifies the text's characters once and reads the lower-cased text's words by them.
    for code in range(0x110000):
        c = chr(code)
        low = c.lower()[:1] or c
        assert bool(_WORD.match(c)) == bool(_WORD.match(low)), hex(code)
        assert bool(_NOSPACE.match(c)) == bool(_NOSPACE.match(low)), hex(code)
    ends = T._ENDS + T._ENDS_ANYWHERE + T._CLOSE + T._CLOSE_ANYWHERE
    assert not any(_WORD.match(c) for c in ends)  # no word runs across a sentence end


def test_the_shingle_shortcut_knows_every_character_where_the_tokenisers_differ() -> None:
    from farmwatch.analysis.fingerprint import _WORD_ONLY

    word = re.compile(r"\w")
    for code in range(0x110000):
        c = chr(code)
        assert bool(_WORD.match(c) and not word.match(c)) == bool(_WORD_ONLY.match(c)), hex(code)


def test_latin_cyrillic_arabic_and_urdu_pages_keep_their_shingles_and_signatures() -> None:
    texts = [
        LONG + "\n" + LONG.upper(),
        "Президент сказал, что «экономика растёт». Министр — против; «нет» — ответил он. " * 5,
        "قال الرئيس إن الاقتصاد «سيتحسن» قريباً؛ وأضاف: نعم. " * 5,
        "قالَ الرئيسُ إنَّ الاقتصادَ سيتحسن قريباً. " * 5,  # with vowel marks: shingled from the text
        "وزیر اعظم نے اجلاس کی صدارت کی۔ انہوں نے کہا کہ معیشت بہتر ہو رہی ہے؟\nدوسرا پیراگراف یہاں ہے " * 5,
        "İstanbul'da İzmir ve İSTANBUL ünlü şehirler " * 5,
    ]

    class Page:
        main_text: str

    for text in texts:
        page = Page()
        page.main_text = text
        fingerprint(page, S)  # type: ignore[arg-type]
        expected = shingle_hashes(text, S.shingle_words)
        assert len(expected) > 5
        assert np.array_equal(page.shingles, expected)
        assert np.array_equal(page.signature, minhash_values(expected, S))


def test_prepared_token_hashes_are_the_shingle_token_hashes() -> None:
    from farmwatch.analysis.fingerprint import _token_hashes, tokens

    for text in (LONG, "我们今天去北京。abc北京def", "Президент сказал", "وزیر اعظم نے اجلاس"):
        assert np.array_equal(T.prepare(text).tok_hash, _token_hashes(tokens(text)))
