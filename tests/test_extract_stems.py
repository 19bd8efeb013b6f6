"""The compiled walk finds class-name stems with a table of hints._STEMS' trie and words with a
plain scan, not the regular expressions: the same spans, words and hints as hints.py, on the
stems themselves, their joins and near misses, and on every class name and id of extraction-dev."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.decode import decode_html
from farmwatch.analysis.extract import hints

_walk = pytest.importorskip("farmwatch.analysis.extract._walk")

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "extraction-dev"


def _same(token: str) -> None:
    for text in (token, token.lower(), token.lower().replace("-", "").replace("_", "")):
        assert _walk.stem_spans(text) == [m.span() for m in hints._STEMS.finditer(text)], text
        assert _walk.ascii_words_of(text) == hints._WORD.findall(text), text
    for attrs in ({"class": token}, {"id": token}):
        assert _walk.hint_for("div", attrs) == hints.hint_for("div", attrs), attrs


def test_stems_joins_and_near_misses() -> None:
    stems = sorted(hints._STEM_RANK)
    tricky = ["", "-", "__", "İstanbul", "ÉTÉ-related", "MC4WP-form", "a2a", "ｍenu", "ſhare", "shareﬁ", "x\u0130"]
    for stem in stems:
        _same(stem)
        _same(stem[:-1])  # a prefix that is no stem
        _same("x" + stem + "s")
        _same(stem.upper() + "-Box")
    for a, b in itertools.islice(itertools.product(stems[::7], stems[::5]), 4000):
        _same(a + b)
        _same(a + "-" + b)
    for token in tricky:
        _same(token)


def test_every_class_name_of_the_corpus() -> None:
    if not CORPUS.exists():
        pytest.skip("extraction-dev not available")
    seen: set[str] = set()
    for line in (CORPUS / "truth.jsonl").read_text().splitlines()[:300]:
        page = json.loads(line)
        tree = LexborHTMLParser(decode_html((CORPUS / page["html_file"]).read_bytes()))
        for node in tree.root.traverse() if tree.root is not None else ():
            attrs = node.attributes
            for value in (attrs.get("class"), attrs.get("id")):
                for token in (value or "").split():
                    if token not in seen:
                        seen.add(token)
                        _same(token)
    assert len(seen) > 1000


def test_compiled_hiding_matches_hints_py() -> None:
    cases: list[dict[str, str | None]] = [
        {}, {"hidden": None}, {"hidden": ""}, {"aria-hidden": "true"}, {"aria-hidden": "True"}, {"aria-hidden": None},
        {"style": "color: red; display : none"}, {"style": "VISIBILITY:hidden"}, {"style": None}, {"style": ""},
        {"class": "x SR-ONLY"}, {"class": "screen-reader-text"}, {"class": "shadow"}, {"class": None}, {"class": ""},
        {"class": "x\u00a0hidden"}, {"class": "İnvisible"}, {"class": "hide", "href": "/a"}, {"id": "hidden"},
    ]  # fmt: skip
    for attrs in cases:
        assert _walk.hidden_of(attrs) == hints.is_hidden(attrs), attrs


def test_compiled_element_names_match_walk_py() -> None:
    from farmwatch.analysis.extract.walk import element_name

    cases = [
        ("div", " x1 ", "a1 b2 c3 d4"), ("h1", None, "   "), ("h2", "  ", None), ("", None, None),
        ("p", "\u00a0id\u3000", "\u2003a\u00a0b c\td\ne"), ("x9", "\u06634", "\uff11\uff12 a"), ("div", "", ""),
        ("div", None, "123 456 789 abc"), ("div", "\u0130", "\U0001d518 \U0001d519"), ("li", "post-48213", "a  b   c"),
    ]  # fmt: skip
    for tag, ident, classes in cases:
        assert _walk.name_of(tag, ident, classes) == element_name(tag, ident, classes), (tag, ident, classes)
