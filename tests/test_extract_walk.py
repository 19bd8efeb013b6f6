"""The compiled tree walk and labelling loops (farmwatch/analysis/_walk.pyx) and the pure-Python
ones read pages identically; the compiled one is what the extractor uses once installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis import extract
from farmwatch.analysis.decode import decode_html

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "extraction-dev"


def test_the_installed_extractor_uses_the_compiled_walk() -> None:
    # `pip install .` builds it (gcc and Python headers are on every machine we run on);
    # the pure-Python walk is only the fallback for a machine without a compiler.
    assert extract.WALK == "compiled"
    assert extract._flatten is extract._flatten_compiled
    assert extract._score is extract._score_compiled
    assert extract._paths is extract._paths_compiled
    assert extract._label is extract._label_compiled


def _same_page(html: str) -> None:
    root = LexborHTMLParser(html).body
    assert root is not None
    compiled, python = extract._flatten_compiled(root), extract._flatten_py(root)
    for name in extract._Page.__slots__:
        assert getattr(compiled, name) == getattr(python, name), name
    if python.blocks:  # and the compiled labelling loops score them alike
        assert extract._score_compiled(compiled) == extract._score_py(python)
    assert extract._paths_compiled(compiled) == extract._paths_py(python)  # deep pages: cut paths


def test_both_walks_read_tricky_markup_alike() -> None:
    _same_page(extract._PROBE)
    _same_page("<body>  \u00a0 <p>\u2003 Spaces\u00a0 everywhere \u3000</p>  <br> tail <a>no href</a></body>")
    _same_page("<body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body>")
    _same_page("<body></body>")


def test_both_walks_give_the_same_blocks_on_real_pages() -> None:
    truth = CORPUS / "truth.jsonl"
    if not truth.exists():
        pytest.skip("shared corpora not available")
    rows = [json.loads(line) for line in truth.open(encoding="utf-8")][::10]  # a sample across sites
    for row in rows:
        tree = LexborHTMLParser(decode_html((CORPUS / row["html_file"]).read_bytes()))
        root = tree.body or tree.root
        compiled, python = extract._flatten_compiled(root), extract._flatten_py(root)
        for name in extract._Page.__slots__:
            assert getattr(compiled, name) == getattr(python, name), (row["id"], name)
        if python.blocks:
            assert extract._score_compiled(compiled) == extract._score_py(python), row["id"]
        assert extract._paths_compiled(compiled) == extract._paths_py(python), row["id"]
        if python.blocks:  # block kinds, with the article anywhere and the whole page as headline scope
            lengths, _prose, active, hinted_by, _good, _bad, _best = extract._score_py(python)
            n = len(python.parent)
            for in_main in ([True] * n, [False] * n, [i % 3 == 0 for i in range(n)]):
                args = (hinted_by, active, lengths, in_main, 0, n - 1, extract._declared_titles(tree))
                assert extract._label_compiled(compiled, *args) == extract._label_py(python, *args), row["id"]


def test_without_the_extension_the_python_walk_is_used() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['farmwatch.analysis._walk'] = None\n"  # as if it was never built
        "from selectolax.lexbor import LexborHTMLParser\n"
        "from farmwatch.analysis import extract\n"
        "blocks = extract.extract_blocks(LexborHTMLParser('<body><article><p>' + 'Words of the article. ' * 9"
        " + '</p></article></body>'))\n"
        "print(extract.WALK, blocks[0].kind)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["python", "main"]


def test_compiled_hints_match_extract_hints() -> None:
    from farmwatch.analysis import _walk, extract_hints

    cases = [
        ("div", {"class": "mc4wp-form"}), ("div", {"class": "elementor-widget-nav-menu"}),
        ("div", {"class": "elementor-widget-text-editor"}), ("div", {"class": "o-section--has-ads"}),
        ("div", {"class": "APageRoot pager"}), ("div", {"id": "post-48213", "class": "category-social-media post"}),
        ("div", {"class": "sr-only"}), ("div", {"hidden": None}), ("div", {"aria-hidden": "true"}),
        ("div", {"style": "display: none"}), ("div", {"class": "x", "role": " Navigation "}),
        ("span", {"itemprop": "articleBody"}), ("nav", {"class": "plain"}), ("header", {"class": "entry-header"}),
        ("div", {"class": "enable-pin-share relatedPosts"}), ("div", {"class": "elementor-"}), ("aside", {}),
        ("div", {"class": "shadow header", "id": "tdi_42"}), ("p", {"class": "wp-caption-text"}),
    ]  # fmt: skip
    for tag, attrs in cases:
        assert _walk.hint_for(tag, attrs) == extract_hints.hint_for(tag, attrs), (tag, attrs)


def test_compiled_names_hiding_and_word_edges_match_the_python_ones() -> None:
    from farmwatch.analysis import _walk, extract_hints

    for token in ["APageRoot", "relatedPosts", "Été-À_x", "a--b__c", "x y", "", "MC4WP", "İstanbul", "post-48213"]:
        assert _walk.word_edges_of(token) == extract_hints._word_edges(token), token
    for ident, classes in [
        (None, None), ("post-48213", "post type-post category-7 x y"), (" main ", ""), ("x\u0661\u0662", "a1 b2"),
        (None, "  spaced   out  classes here "), ("", "c"),
    ]:  # fmt: skip
        assert _walk.name_of("div", ident, classes) == extract._name("div", ident, classes), (ident, classes)
    for attrs in [
        {}, {"hidden": None}, {"aria-hidden": "true"}, {"aria-hidden": "false"}, {"style": "Display : NONE"},
        {"style": "color: red"}, {"class": "Sr-Only x"}, {"class": "shown"}, {"class": None},
    ]:  # fmt: skip
        assert _walk.is_hidden_of(attrs) == extract._is_hidden(attrs), attrs
