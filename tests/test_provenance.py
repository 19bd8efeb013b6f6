"""Who copied whom, decided from evidence: the pure judgement, case by case."""

from __future__ import annotations

from datetime import UTC, datetime

from farmwatch.analysis.direction import judge_pair
from farmwatch.analysis.facts import PageFacts
from farmwatch.analysis.matching import Edge
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


def test_copy_arriving_first_without_a_date_never_makes_the_dated_original_its_copy() -> None:
    copy = page(1, COPY)  # seen first, no date
    original = page(2, ORIGINAL, published_at=DAY1)
    verdict = judge_pair(copy, original, edge(2))
    assert verdict.probability > 0.5 and verdict.relation != "copied_by"
    # With the site's record as well, it is decided.
    copy.farm_share = 0.9
    assert judge_pair(copy, original, edge(2)).relation == "copied"


def test_shared_text_naming_the_publisher_points_to_it() -> None:
    copy = page(1, COPY, published_at=DAY2)
    original = page(2, ORIGINAL, site_name="The Example Gazette", published_at=DAY2)
    named = judge_pair(copy, original, edge(2, names_other=True))
    plain = judge_pair(copy, original, edge(2))
    assert named.probability > plain.probability == 0.5
    assert any(e.kind == "publisher_named" and e.favours == "other" for e in named.evidence)


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


def test_an_original_that_copies_each_took_a_part_of_is_not_their_composite() -> None:
    # Two copies each took a different half of the original: from the original's side, it looks stitched
    # together from them (and composite_of may still say so). That is no evidence that it copied them.
    original = page(1, ORIGINAL, published_at=DAY1, composite_of=[2, 3])
    half_a = page(2, COPY, published_at=DAY2, farm_share=0.8)
    half_b = page(3, "https://other.example.org/b", published_at=DAY2)
    for other in (half_a, half_b):
        verdict = judge_pair(original, other, edge(other.id, containment=0.5, other_containment=0.95))
        assert verdict.relation == "copied_by", other.url
        assert all(e.kind != "composite" for e in verdict.evidence)


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
    assert ranked[0] == 1  # the primary original first
    assert ranked[1] == 3  # then another site's page (a copy itself), before a second version of the primary
    assert ranked[2] == 2


def test_arrival_order_alone_accuses_no_one_and_a_sites_record_outweighs_it() -> None:
    first = page(1, COPY, published_at=DAY1)
    second = page(2, ORIGINAL, published_at=DAY1)
    assert judge_pair(second, first, edge(1)).relation == "undecided"  # same day, nothing else: arrival order
    # The site whose other pages are almost all copies is the copy, though its page arrived first.
    first.farm_share = 0.9
    verdict = judge_pair(second, first, edge(1))
    assert verdict.relation == "copied_by"
    assert any(e.kind == "farm_site" and e.favours == "page" for e in verdict.evidence)


def test_a_credit_naming_a_short_publisher_as_written_is_a_credit() -> None:
    from farmwatch.analysis.direction import _credits_name

    copy = page(2, "https://farm.example.net/colonial")
    original = page(1, "https://www.dw.com/en/colonial-history/a-1")
    copy.credits = [{"name": "DW", "text": "This article first appeared on DW.COM.", "kind": "appeared_first"}]
    assert _credits_name(copy, original) == "This article first appeared on DW.COM."
    # In lower case, a two-letter name is an ordinary word.
    copy.credits = [{"name": "dw", "text": "first appeared on the dw show", "kind": "appeared_first"}]
    assert _credits_name(copy, original) is None


def test_a_credit_naming_the_sources_domain_is_a_credit() -> None:
    from farmwatch.analysis.direction import _credits_name

    copy = page(2, "https://farm.example.net/investment")
    original = page(1, "https://jis.gov.jm/investment-plan")
    copy.credits = [{"name": "jis.gov.jm", "text": "Source link: jis.gov.jm", "kind": "source_named"}]
    assert _credits_name(copy, original) == "Source link: jis.gov.jm"


def test_an_agencys_takes_graded_together_rank_by_what_they_cover_together() -> None:
    story = page(9, COPY, published_at=DAY2)
    take_1 = page(1, ORIGINAL + "/take-1", published_at=DAY1)
    take_2 = page(2, ORIGINAL + "/take-2", published_at=DAY1)
    paper = page(3, "https://paper.example.org/x", published_at=DAY1)
    takes = [
        (take_1, edge(1, coverage=0.45, containment=0.1, reuse="wholly", graded_with=[2])),
        (take_2, edge(2, coverage=0.4, containment=0.1, reuse="wholly", graded_with=[1])),
    ]
    findings = [
        SourceFinding(paper, edge(3, coverage=0.6, containment=0.3), judge_pair(story, paper, edge(3)), False),
        *(SourceFinding(take, e, judge_pair(story, take, e), False) for take, e in takes),
    ]
    # Each take covers less of the story than the other paper's page; together they cover more.
    assert [f.facts.id for f in rank_sources(findings)][:2] == [1, 2]
