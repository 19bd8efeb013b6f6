"""The stored document of a page: its paragraphs and its boilerplate as the analysis found them."""

from __future__ import annotations

from farmwatch.analysis.facts import facts_of
from farmwatch.analysis.page import analyze_html
from farmwatch.ingest import document_of, submit_html
from farmwatch.services import Services

PAGE = """<html><head><title>Harbour plan approved</title></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<article><h1>Harbour plan approved</h1>
<p>The city council approved the harbour plan on Tuesday after three years of hearings and two public votes.</p>
<p>Work on the new quay starts in spring, and the first ships are expected to dock there within two years.</p>
</article>
<aside><h3>Related</h3><ul><li><a href="/a">Bridge repairs delayed again this winter</a></li>
<li><a href="/b">Ferry fares rise for the third year running</a></li></ul></aside>
<footer><p>Copyright 2024 Example Harbour News. All rights reserved. Contact us for licensing.</p></footer>
</body></html>"""


def test_document_holds_the_paragraphs_and_the_boilerplate_with_its_share(services: Services) -> None:
    analysis = analyze_html(PAGE, "https://harbour.example/plan")
    report = submit_html(services, "https://harbour.example/plan", PAGE)
    assert report.paragraphs == [b.text for b in analysis.main_blocks]
    assert report.main_text == analysis.main_text
    blocks = analysis.boilerplate_blocks
    assert blocks, "the page has template text"
    assert [(b.kind, b.text) for b in report.boilerplate.blocks] == [(str(b.kind), b.text) for b in blocks]
    assert report.boilerplate.score == round(analysis.boilerplate_share, 4) > 0


def test_a_page_without_text_has_no_boilerplate_share() -> None:
    analysis = analyze_html("<html><body></body></html>", "https://empty.example/")
    document = document_of(analysis, facts_of(analysis, 1, "client", 0.0))
    assert document["boilerplate"] == {"score": 0.0, "blocks": []}
    assert document["paragraphs"] == []
