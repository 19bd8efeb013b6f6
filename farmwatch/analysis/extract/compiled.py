"""Which implementation of the hot stages runs: the compiled one (_walk.pyx) when it is
built and reads a probe page exactly as the Python one does, else the Python one.

What stays compiled is what profiling the extraction-dev corpus (990 pages) showed to be hot:

- the walk (walk.flatten_py): two thirds of extract_blocks' time, 0.65 s compiled against
  1.9 s in Python. Within it, the class/id hints (hints.hint_for) and element names
  (walk.element_name) for elements the process has not seen before: on new pages that is
  most of them, 0.45 s against 0.7 s for the corpus' 120,000 distinct elements;
- the container scores' loops (score.score_py): 0.04 s against 0.15 s.

Labelling (label.py: 0.12 s compiled against 0.14 s, most of it phrase patterns both
call) and the context rules are Python only; element paths are built during the walk.
Every threshold and table comes from thresholds.py and hints.py, in both implementations.
(Those figures predate the third session of 2026-11-30, which moved the class-name stems, the hiding
attributes and the element names' writing into the walk itself: a class name new to the process 3.0 ->
1.8 us, an element name 1.28 -> 0.60 us; extract_blocks 1.58 -> 1.41 ms a page on provenance-dev.)
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from farmwatch.analysis.extract.score import Scores, score_py
from farmwatch.analysis.extract.walk import Page, flatten_py

try:
    from selectolax import lexbor as _lexbor_module

    from farmwatch.analysis.extract import _walk  # type: ignore[attr-defined]
except ImportError:  # not built (no compiler at install): the Python stages give the same blocks
    _walk = None


def flatten_compiled(root: LexborNode) -> Page:
    """flatten_py's walk in the compiled module: same blocks."""
    page = Page()
    _walk.flatten(root, page)
    return page


def score_compiled(page: Page) -> Scores:
    """score_py's loops in the compiled module: same results."""
    return _walk.score(page)


# A page exercising every branch of the walk: the compiled walk is used only if it reads
# this exactly as the Python one does (it reads lexbor's structs, whose layout could change).
PROBE = """<html><head><title>t</title><style>p{}</style></head><body>
<header class="site-header"><a href="/">Home</a> <a href="/a">About us</a></header>
<nav class="menu"><ul><li><a href="/x">Section X</a></li><li><a href="/y">Section Y</a></li></ul></nav>
<article class="post"><header><h1>A headline, with <em>emphasis</em></h1></header>
<div class="entry-content"><p>First paragraph with a <a href="https://src.example/a">source link</a> and
<b>bold</b>, caf\u00e9 \u00fcber \u65e5\u672c\u00a0text.</p><p>Second<br>line <span class="sr-only">hidden</span>
<a name="x">named anchor</a> <span style="display:none">gone</span></p>
<div>Loose text <a href="/in">in a link</a><div>nested <i>block</i></div> tail</div>
<a href="/card"><div><p>Teaser card text</p></div></a><!-- a comment --><p>With <!-- c --> comment</p>
<o:p>custom tag</o:p><my-widget data-x="1">custom element</my-widget>
<ul class="share-buttons"><li><a href="https://fb.example/s">Facebook</a></li><li><a href="#">Mail</a></li></ul>
<div class="related-posts" style="color:red"><h3>Related</h3><a href="/r1">One</a></div>
<div hidden>hidden div</div><div aria-hidden="true">aria hidden</div><script>var x = 1;</script>
<table><tr><td><a href="/t">cell link</a></td><td>cell</td></tr></table></div></article>
<aside class="sidebar"><h2>Popular</h2><ol><li><a href="/p1">Popular one</a></li></ol><svg><text>s</text></svg></aside>
<footer id="colophon"><p>\u00a9 2024 Example</p>  <p>   </p><hr></footer></body></html>"""


def compiled_agrees() -> bool:
    try:
        root = LexborHTMLParser(PROBE).body
        assert root is not None
        ours, theirs = flatten_compiled(root), flatten_py(root)
        if not all(getattr(ours, name) == getattr(theirs, name) for name in Page.__slots__):
            return False
        return score_compiled(ours) == score_py(theirs)
    except Exception:
        return False


WALK = "python"
flatten = flatten_py
score = score_py
if _walk is not None and _walk.bind(_lexbor_module.__file__) and compiled_agrees():
    WALK = "compiled"
    flatten = flatten_compiled
    score = score_compiled
