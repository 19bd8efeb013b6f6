"""A page's verdict from its edges (analysis/judge.py, pure): only text that derives from a source makes a
republication, and a page that surely copies one source is weighed as a copier for the other parts of its
text, while an original is never affected by that."""

from __future__ import annotations

from datetime import UTC, datetime

from farmwatch.analysis.judge import decide
from tests.test_provenance import edge, page

FARM = "https://farm.example.net/merged"
FIRST = "https://first.example.com/a"
SECOND = "https://second.example.org/b"
EARLY = datetime(2019, 5, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2023, 6, 1, 9, 0, tzinfo=UTC)


def _merged(first_reuse: str | None = "partially", second_reuse: str | None = "partially"):
    # The farm page took the first half of FIRST (its date copied along) and half of SECOND, years later.
    farm = page(3, FARM, published_at=EARLY, farm_share=0.3)
    first = page(1, FIRST, published_at=EARLY.replace(hour=8))
    second = page(2, SECOND, published_at=LATER)
    to_first = edge(1, coverage=0.5, reuse=first_reuse, spans=[[0, 500, 0, 500, 0.9, False]])
    to_second = edge(2, coverage=0.5, reuse=second_reuse, spans=[[500, 1000, 100, 600, 0.9, False]])
    return farm, {1: first, 2: second}, [to_first, to_second]


def test_a_page_that_surely_copies_one_source_is_weighed_as_a_copier_for_its_other_part() -> None:
    farm, others, edges = _merged()
    farm.source_links = [FIRST]  # it names its first source: a confident republication
    provenance = decide(farm, edges, others, {})
    assert provenance.verdict == "republished"
    assert {s.url for s in provenance.sources} == {FIRST, SECOND}
    second = next(s for s in provenance.sources if s.url == SECOND)
    assert any(e.kind == "republisher" for e in second.evidence)


def test_without_a_confident_source_the_undecided_part_stays_undecided() -> None:
    farm, others, edges = _merged()  # no link, no credit: the first source is not sure enough
    provenance = decide(farm, edges, others, {})
    assert SECOND not in {s.url for s in provenance.sources}
    assert SECOND in {u.url for u in provenance.undecided}


def test_text_that_does_not_derive_from_the_other_page_is_no_republication() -> None:
    # The other page took this page's text (it is later), but this page's own text does not derive from it:
    # an independent report covering the same facts is not a copy.
    report = page(1, FIRST, published_at=LATER)
    agency = page(2, SECOND, published_at=EARLY)
    provenance = decide(report, [edge(2, coverage=0.2, reuse=None)], {2: agency}, {})
    assert provenance.verdict == "original"
    assert [u.url for u in provenance.undecided] == [SECOND]
    graded = decide(report, [edge(2, coverage=0.7, reuse="wholly")], {2: agency}, {})
    assert graded.verdict == "republished" and graded.sources[0].reuse == "wholly"


def test_an_original_is_never_made_a_copy_by_the_republisher_prior() -> None:
    original = page(1, FIRST, published_at=EARLY)
    copies = {2: page(2, SECOND, published_at=LATER, farm_share=0.8), 3: page(3, FARM, published_at=LATER)}
    edges = [
        edge(2, coverage=0.4, reuse="partially", spans=[[0, 400, 0, 400, 0.9, False]]),
        edge(3, coverage=0.4, reuse="partially", spans=[[400, 800, 0, 400, 0.9, False]]),
    ]
    provenance = decide(original, edges, copies, {})
    assert provenance.verdict == "original" and provenance.sources == []


def test_the_strongest_edges_kept_are_ranked_by_aligned_share_too() -> None:
    from farmwatch.analysis.judge import strongest

    verbatim = [edge(n, containment=0.3, other_containment=0.3, coverage=0.3) for n in range(10, 13)]
    reworded = edge(2, containment=0.01, other_containment=0.01, coverage=0.9, other_coverage=0.8)
    assert [e.other for e in strongest([*verbatim, reworded], limit=1)] == [2]


def test_a_copy_found_through_an_amp_version_names_the_primary_version_first() -> None:
    # The copy aligns well enough with the publisher's AMP page to be graded reuse, but an inserted line breaks
    # its verbatim run with the primary page, left undecided alone; both are one publication.
    primary_url, amp_url = "https://news.example.com/2024/story", "https://news.example.com/amp/2024/story"
    copy = page(3, FARM, published_at=LATER, farm_share=0.9)
    primary = page(1, primary_url, published_at=EARLY, amphtml=amp_url)
    amp = page(2, amp_url, published_at=EARLY, canonical=primary_url)
    spans = [[0, 400, 0, 400, 0.95, False]]
    edges = [edge(1, coverage=0.3, reuse=None, spans=spans), edge(2, coverage=0.3, reuse="partially", spans=spans)]
    provenance = decide(copy, edges, {1: primary, 2: amp}, {})
    assert provenance.verdict == "republished"
    assert [s.url for s in provenance.sources] == [primary_url, amp_url]
    assert provenance.sources[0].reuse == "partially" and provenance.undecided == []
    # An alternate is never made a source by itself: with no finding on the AMP page, both stay undecided.
    edges[1].reuse = None
    provenance = decide(copy, edges, {1: primary, 2: amp}, {})
    assert provenance.verdict == "original" and len(provenance.undecided) == 2
