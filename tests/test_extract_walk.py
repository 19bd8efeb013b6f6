"""The compiled hot stages (farmwatch/analysis/extract/_walk.pyx: the tree walk and the container
scores) and the pure-Python ones read pages identically; the compiled ones are what the extractor
uses once installed, and they decide by the same thresholds, read from thresholds.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis import extract
from farmwatch.analysis.decode import decode_html
from farmwatch.analysis.extract import compiled, hints, thresholds
from farmwatch.analysis.extract.score import score_py
from farmwatch.analysis.extract.walk import Page, flatten_py

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "extraction-dev"


def test_the_installed_extractor_uses_the_compiled_walk() -> None:
    # `pip install .` builds it (gcc and Python headers are on every machine we run on);
    # the pure-Python stages are only the fallback for a machine without a compiler.
    assert extract.WALK == compiled.WALK == "compiled"
    assert compiled.flatten is compiled.flatten_compiled
    assert compiled.score is compiled.score_compiled


def _same_page(html: str) -> None:
    root = LexborHTMLParser(html).body
    assert root is not None
    ours, python = compiled.flatten_compiled(root), flatten_py(root)
    for name in Page.__slots__:
        assert getattr(ours, name) == getattr(python, name), name
    if python.blocks:  # and the compiled scoring loops score them alike
        assert compiled.score_compiled(ours) == score_py(python)


# Class, id, role and itemprop values whose hints take the rules' corner cases (builder
# prefixes, state words, camelCase edges, taxonomy classes, hiding): the compiled walk asks
# hints.py for them, and must register what the Python walk does.
_HINTED = [
    ("div", 'class="mc4wp-form"'), ("div", 'class="elementor-widget-nav-menu"'),
    ("div", 'class="elementor-widget-text-editor"'), ("div", 'class="o-section--has-ads"'),
    ("div", 'class="APageRoot pager"'), ("div", 'id="post-48213" class="category-social-media post"'),
    ("div", 'class="sr-only"'), ("div", "hidden"), ("div", 'aria-hidden="true"'), ("div", 'aria-hidden="false"'),
    ("div", 'style="Display : NONE"'), ("div", 'class="x" role=" Navigation "'), ("section", 'itemprop="articleBody"'),
    ("nav", 'class="plain"'), ("header", 'class="entry-header"'), ("div", 'class="enable-pin-share relatedPosts"'),
    ("div", 'class="elementor-"'), ("aside", ""), ("div", 'class="shadow header" id="tdi_42"'),
    ("p", 'class="wp-caption-text"'), ("div", 'id=" main " class=""'), ("div", 'id="x\u0661\u0662" class="a1 b2"'),
    ("div", 'class="  spaced   out  classes here "'), ("span", 'class="Sr-Only x"'), ("em", 'style="color: red"'),
]  # fmt: skip


def test_both_walks_read_tricky_markup_alike() -> None:
    _same_page(compiled.PROBE)
    _same_page("<body>  \u00a0 <p>\u2003 Spaces\u00a0 everywhere \u3000</p>  <br> tail <a>no href</a></body>")
    _same_page("<body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body>")
    _same_page("<body></body>")
    words = "Words of the article, long enough to count as prose here. "
    _same_page(
        "<body><article>"
        + "".join(
            f"<{tag} {attrs}><p>{words}<a href='/l'>link</a></p><span {attrs}>x</span></{tag}>"
            for tag, attrs in _HINTED
        )
        + "</article></body>"
    )


def test_the_compiled_stages_decide_by_the_thresholds_table() -> None:
    # One table: the compiled module holds no numbers or tag lists of its own, only what it
    # read from thresholds.py (and the attributes that can hide an element, as hints.py has them).
    from farmwatch.analysis.extract import _walk

    for name, value in _walk.tables().items():
        assert value == getattr(thresholds, name), name
    assert hints.TAG_HINTS["article"] is hints.MAIN_HINT


def test_both_implementations_give_the_same_blocks_on_real_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    truth = CORPUS / "truth.jsonl"
    if not truth.exists():
        pytest.skip("shared corpora not available")
    rows = [json.loads(line) for line in truth.open(encoding="utf-8")][::10]  # a sample across sites
    trees = [(row["id"], LexborHTMLParser(decode_html((CORPUS / row["html_file"]).read_bytes()))) for row in rows]
    for page_id, tree in trees:
        root = tree.body or tree.root
        ours, python = compiled.flatten_compiled(root), flatten_py(root)
        for name in Page.__slots__:
            assert getattr(ours, name) == getattr(python, name), (page_id, name)
        if python.blocks:
            assert compiled.score_compiled(ours) == score_py(python), page_id
    with_compiled = [extract.extract_blocks(tree) for _id, tree in trees]
    monkeypatch.setattr(compiled, "flatten", flatten_py)
    monkeypatch.setattr(compiled, "score", score_py)
    for (page_id, tree), blocks in zip(trees, with_compiled, strict=True):
        assert extract.extract_blocks(tree) == blocks, page_id


def test_without_the_extension_the_python_walk_is_used() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['farmwatch.analysis.extract._walk'] = None\n"  # as if it was never built
        "from selectolax.lexbor import LexborHTMLParser\n"
        "from farmwatch.analysis import extract\n"
        "blocks = extract.extract_blocks(LexborHTMLParser('<body><article><p>' + 'Words of the article. ' * 9"
        " + '</p></article></body>'))\n"
        "print(extract.WALK, blocks[0].kind)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["python", "main"]


def test_compiled_hints_match_hints_py() -> None:
    from farmwatch.analysis.extract import _walk

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
        assert _walk.hint_for(tag, attrs) == hints.hint_for(tag, attrs), (tag, attrs)


def test_compiled_names_and_word_edges_match_the_python_ones() -> None:
    from farmwatch.analysis.extract import _walk
    from farmwatch.analysis.extract.walk import element_name

    for token in ["APageRoot", "relatedPosts", "Été-À_x", "a--b__c", "x y", "", "MC4WP", "İstanbul", "post-48213"]:
        assert _walk.word_edges_of(token) == hints._word_edges(token), token
    for ident, classes in [
        (None, None), ("post-48213", "post type-post category-7 x y"), (" main ", ""), ("x\u0661\u0662", "a1 b2"),
        (None, "  spaced   out  classes here "), ("", "c"),
    ]:  # fmt: skip
        assert _walk.name_of("div", ident, classes) == element_name("div", ident, classes), (ident, classes)
