"""Fingerprints: stable across processes, and finding copies of every kind."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np

from farmwatch.analysis.fingerprint import band_keys, minhash, overlap, shingle_hashes
from farmwatch.analysis.text import candidate_keys, prepare
from farmwatch.config import FingerprintSettings

S = FingerprintSettings()


def article(seed: int, words: int = 600) -> str:
    rng = random.Random(seed)
    vocab = [f"w{rng.randrange(5000)}" for _ in range(3000)]
    return " ".join(rng.choice(vocab) for _ in range(words))


def test_hashes_are_the_same_in_every_process() -> None:
    text = "The quick brown fox jumps over the lazy dog near the river bank today."
    here = band_keys(np.asarray(minhash(shingle_hashes(text, 5), S).hashvalues), S)
    code = (
        "import numpy as np;from farmwatch.analysis.fingerprint import *;from farmwatch.config import *;"
        f"S=FingerprintSettings();print(band_keys(np.asarray(minhash(shingle_hashes({text!r},5),S).hashvalues),S))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert str(here) == there.strip()


def test_a_third_of_an_article_shares_its_index_keys() -> None:
    original = article(1)
    third = " ".join(original.split()[:200])
    assert overlap(shingle_hashes(third, 5), shingle_hashes(original, 5)).containment_a == 1.0
    shared = set(candidate_keys(prepare(original)).tolist()) & set(candidate_keys(prepare(third)).tolist())
    assert len(shared) >= 2  # enough to make the original a candidate


def test_unrelated_articles_share_nothing() -> None:
    a, b = shingle_hashes(article(1), 5), shingle_hashes(article(2), 5)
    assert overlap(a, b).shared == 0
    assert not set(band_keys(np.asarray(minhash(a, S).hashvalues), S)) & set(
        band_keys(np.asarray(minhash(b, S).hashvalues), S)
    )


def test_empty_text_has_no_fingerprint() -> None:
    assert len(shingle_hashes("", 5)) == 0
    assert len(candidate_keys(prepare(""))) == 0


def test_signatures_are_datasketch_minhashes() -> None:
    # The page path computes signatures in numpy; they must be datasketch's, value for value.
    from farmwatch.analysis.fingerprint import minhash_values
    from tests.conftest import SEED

    texts = [(SEED / name).read_text() for name in ("original.html", "repost.html")] + [article(7), "two words", ""]
    for text in texts:
        hashes = shingle_hashes(text, 5)
        expected = np.asarray(minhash(hashes, S).hashvalues, dtype=np.uint32)
        assert np.array_equal(minhash_values(hashes, S), expected)


def test_shingles_from_prepared_tokens_are_the_texts_shingles() -> None:
    # The page path reads shingles from prepare()'s tokens; they must be shingle_hashes' on every script
    # (texts whose words the two tokenisers cut differently, Hindi or Thai here, are shingled from the text).
    from farmwatch.analysis.fingerprint import prepared_shingle_hashes
    from farmwatch.analysis.text import prepare
    from tests.conftest import SEED

    texts = [(SEED / name).read_text() for name in ("original.html", "repost.html")] + [article(3), "two words", ""]
    texts += ["我们今天去北京。他们明天回上海！", "नमस्ते दुनिया। यह एक परीक्षा है।", "สวัสดีครับ ผมชื่อสมชาย"]
    for text in texts:
        assert np.array_equal(prepared_shingle_hashes(prepare(text), 5), shingle_hashes(text, 5))


def test_paragraph_shingles_from_prepared_tokens_are_the_texts_own() -> None:
    import numpy as np

    from farmwatch.analysis.fingerprint import prepared_paragraph_shingles
    from farmwatch.analysis.matching import passages_found
    from farmwatch.analysis.text import prepare

    texts = [
        "One short line.\nThe second paragraph has rather more words in it than the first one.\n\nx\nlast words",
        "no line break at all, just one paragraph of plain words",
        "Café déjà vu\nİstanbul büyük\n北京今天宣布新的经济政策\nकुछ हिंदी शब्द यहाँ",  # texts that fall back
        "\nleading and trailing breaks\n",
        # Paragraphs of every length around n, repeated shingles within one and shared between two.
        "\n".join(" ".join(f"w{(i * 7 + j) % 5}" for j in range(i % 9)) for i in range(60)),
    ]
    for text in texts:
        for n in (1, 3, 5):
            mine = prepared_paragraph_shingles(prepare(text), n)
            theirs = [shingle_hashes(p, n) for p in text.split("\n")]
            assert len(mine) == len(theirs)
            assert all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(mine, theirs, strict=True))
    paragraphs = [shingle_hashes(p, 3) for p in texts[0].split("\n")]
    other = shingle_hashes("The second paragraph has rather more words in it than yours", 3)
    assert passages_found(paragraphs, other, 0.5) == [1]
    assert passages_found(paragraphs, np.empty(0, dtype=np.uint64), 0.5) == []


def test_names_found_with_the_substring_shortcut_as_by_the_patterns_alone() -> None:
    import re

    from farmwatch.analysis.matching import _FOLDS_TO_ASCII, _name_pattern, text_names

    # The shortcut's premise: past these characters, whatever a case-insensitive ASCII pattern matches
    # lower-cases to ASCII.
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    folds = {m.group() for m in re.finditer("[\\x00-\\x7f]", every, re.I) if not m.group().lower().isascii()}
    assert folds == set(_FOLDS_TO_ASCII)
    names = ["Reuters", " The Daily Star ", "DW", "dw.com", "NPR", "globenews24", "Straits", "İnci Haber", "Kelvin"]
    texts = [
        "Reporting by REUTERS; editing by staff.",
        "As the daily star reported on Monday",
        "DW reports: the vote is close.",
        "dw reports, in lower case",
        "Source: DW.COM and others",
        "npr.org said so",
        "Globenews24's story",
        "the \u017ftraits times (long s)",
        "ınci haber and İNCİ HABER",
        "\u212aelvin wrote it (Kelvin sign)",
        "İstanbul: nothing else named here",
        "",
    ]
    for text in texts:
        for name in names:
            pattern = _name_pattern(name)
            expected = bool(pattern is not None and pattern.search(text))
            assert text_names(text, [name]) == expected, (text, name)
        assert text_names(text, names) == any(text_names(text, [n]) for n in names)


def test_permutations_are_datasketchs_for_any_seed_and_size() -> None:
    # Signatures are made with permutations drawn here, without importing datasketch: they must be the ones
    # datasketch's MinHash draws, or stored signatures and band buckets would not match datasketch's.
    from datasketch import MinHash

    from farmwatch.analysis.fingerprint import _permutations

    for num_perm, seed in ((128, 1), (128, 42), (64, 7), (256, 0)):
        a, b = _permutations(num_perm, seed)
        theirs = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        assert a.dtype == b.dtype == np.uint32
        assert np.array_equal(a, theirs[0]) and np.array_equal(b, theirs[1])


def test_starting_the_service_path_does_not_import_scipy() -> None:
    # datasketch's package import pulls SciPy's integrate (0.4 s a process); the page path does not need it.
    code = (
        "import sys, farmwatch.ingest, farmwatch.evaluation.provenance, farmwatch.bulk, service.app;"
        "print(sorted(m for m in ('scipy', 'datasketch') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
