"""Who copied whom, decided from evidence: the pure judgement, case by case."""

from __future__ import annotations

from datetime import UTC, datetime

from farmwatch.analysis.direction import judge_pair
from farmwatch.analysis.facts import PageFacts
from farmwatch.analysis.matching import Edge, composite_parts
from farmwatch.analysis.sources import SourceFinding, rank_sources


def page(id: int, url: str, **kw) -> PageFacts:
    from farmwatch.analysis.urls import host_of

    return PageFacts(id=id, url=url, site=host_of(url), first_seen=float(id), **kw)


def edge(other: int, **kw) -> Edge:
    defaults = dict(shared=300, size=320, other_size=330, jaccard=0.9, containment=0.95, other_containment=0.92)
    defaults.update(kw)
    return Edge(other=other, **defaults)


ORIGINAL = "https://news.example.com/2024/story"
COPY = "https://farm.example.net/story"
DAY1 = datetime(2024, 2, 14, 9, 0, tzinfo=UTC)
DAY2 = datetime(2024, 2, 15, 16, 0, tzinfo=UTC)


def test_later_copy_is_the_copy() -> None:
    copy = page(2, COPY, published_at=DAY2)
    original = page(1, ORIGINAL, published_at=DAY1)
    verdict = judge_pair(copy, original, edge(1))
    assert verdict.relation == "copied"
    assert any(e.kind == "earlier" and e.favours == "other" for e in verdict.evidence)
    assert judge_pair(original, copy, edge(2)).relation == "copied_by"


def test_backdated_copy_loses_to_its_own_source_link() -> None:
    copy = page(2, COPY, published_at=datetime(2020, 1, 1, tzinfo=UTC), source_links=[ORIGINAL])
    original = page(1, ORIGINAL, published_at=DAY1)
    verdict = judge_pair(copy, original, edge(1))
    assert verdict.relation == "copied"
    kinds = {(e.kind, e.favours) for e in verdict.evidence}
    assert ("earlier", "page") in kinds and ("source_link", "other") in kinds  # the conflict is reported


def test_copy_arriving_first_without_a_date_loses_to_the_dated_original() -> None:
    copy = page(1, COPY)  # seen first, no date
    original = page(2, ORIGINAL, published_at=DAY1)
    assert judge_pair(copy, original, edge(2)).relation == "copied"


def test_shared_text_naming_the_publisher_points_to_it() -> None:
    copy = page(1, COPY)
    original = page(2, ORIGINAL, site_name="The Example Gazette")
    verdict = judge_pair(copy, original, edge(2, names_other=True))
    assert verdict.relation == "copied"


def test_same_publisher_versions_are_alternates_not_copies() -> None:
    amp = page(2, ORIGINAL + "/amp", canonical=ORIGINAL, published_at=DAY1)
    main = page(1, ORIGINAL, amphtml=ORIGINAL + "/amp", published_at=DAY1)
    verdict = judge_pair(amp, main, edge(1))
    assert verdict.relation == "alternate"
    assert "amphtml" in verdict.evidence[0].detail


def test_syndication_by_canonical_link() -> None:
    partner = page(1, "https://partner.example.org/story", canonical=ORIGINAL, published_at=DAY1)
    original = page(2, ORIGINAL, published_at=DAY1)
    verdict = judge_pair(partner, original, edge(2))
    assert verdict.relation == "copied"
    assert any(e.kind == "canonical" for e in verdict.evidence)


def test_a_page_stitched_from_two_sources_is_a_composite() -> None:
    # Paragraphs 0-4 come from page 2, paragraphs 5-9 from page 3; each source is only half found.
    edges = [
        edge(2, containment=0.5, other_containment=0.45, passages=[0, 1, 2, 3, 4]),
        edge(3, containment=0.45, other_containment=0.5, passages=[5, 6, 7, 8, 9]),
    ]
    assert composite_parts(edges) == [2, 3]
    # Two spins of one story cover the same paragraphs: not a composite.
    same = [edge(2, passages=[0, 1, 2]), edge(3, passages=[0, 1, 2])]
    assert composite_parts(same) == []


def test_composite_evidence_beats_a_date_copied_from_one_source() -> None:
    # The merged page carries the first source's (early) date; against the second source it looks earlier.
    merged = page(1, COPY, published_at=DAY1, composite_of=[2, 3])
    second = page(3, "https://other.example.org/b", published_at=DAY2)
    assert judge_pair(merged, second, edge(3)).relation == "copied"


def test_ranking_prefers_the_primary_version_and_true_originals() -> None:
    copy = page(9, COPY, published_at=DAY2)
    primary = page(1, ORIGINAL, published_at=DAY1)
    amp = page(2, ORIGINAL + "/amp", canonical=ORIGINAL, published_at=DAY1)
    other_copy = page(3, "https://farm2.example.org/x", published_at=DAY1)
    findings = [
        SourceFinding(amp, edge(2), judge_pair(copy, amp, edge(2)), False),
        SourceFinding(other_copy, edge(3), judge_pair(copy, other_copy, edge(3)), True),
        SourceFinding(primary, edge(1, containment=0.9), judge_pair(copy, primary, edge(1)), False),
    ]
    ranked = [f.facts.id for f in rank_sources(findings)]
    assert ranked[0] == 1
    assert ranked.index(2) > 0 and ranked[-1] in (2, 3)


def test_weak_signals_that_disagree_accuse_no_one() -> None:
    # Same day, no links, no credits: only arrival order (this page) against the site's record (the other).
    first = page(1, COPY, published_at=DAY1, farm_share=0.9)
    second = page(2, ORIGINAL, published_at=DAY1)
    verdict = judge_pair(second, first, edge(1))
    assert verdict.relation == "undecided"
    # When they agree (the farm's page also arrived later), they decide.
    later = page(3, COPY, published_at=DAY1, farm_share=0.9)
    assert judge_pair(later, second, edge(2)).relation == "copied"
