"""A page's sources, ranked, and the confidence that it is a republication (pure, no I/O)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from farmwatch.analysis.direction import PairJudgement, is_alternate_url
from farmwatch.analysis.facts import PageFacts
from farmwatch.analysis.matching import Edge
from farmwatch.analysis.urls import registrable_domain


@dataclass(slots=True)
class SourceFinding:
    facts: PageFacts
    edge: Edge
    judgement: PairJudgement
    other_is_copy: bool  # the source is itself judged a copy of something else


def _primary_among_alternates(findings: list[SourceFinding]) -> list[SourceFinding]:
    """Of one publisher's alternates (AMP, print), keep the primary version first."""

    def rank(f: SourceFinding) -> tuple:
        canonical_elsewhere = bool(f.facts.canonical and f.facts.canonical != f.facts.url)
        return (is_alternate_url(f.facts.url), canonical_elsewhere, f.facts.first_seen)

    by_site: dict[str, list[SourceFinding]] = {}
    for finding in findings:
        by_site.setdefault(registrable_domain(finding.facts.site), []).append(finding)
    ordered: list[SourceFinding] = []
    for group in by_site.values():
        ordered.extend(sorted(group, key=rank))
    return ordered


def rank_sources(findings: list[SourceFinding]) -> list[SourceFinding]:
    """Best source first: true originals before copies, then by how much of the page they cover."""
    primaries = _primary_among_alternates(findings)
    seen_sites: dict[str, int] = {}
    ranked = []
    for f in primaries:
        site = registrable_domain(f.facts.site)
        seen_sites[site] = seen_sites.get(site, 0) + 1
        ranked.append((f, seen_sites[site] > 1))
    ranked.sort(
        key=lambda item: (
            item[1],
            item[0].other_is_copy,
            -round(item[0].edge.containment, 1),
            -item[0].judgement.margin,
            item[0].facts.first_seen,
        )
    )
    return [f for f, _ in ranked]


def republication_score(findings: list[SourceFinding]) -> float:
    """Confidence in 0..1 that the page is a republication, from its strongest source.

    It grows with the weight of evidence on the direction (a date alone: ~0.45; a date and a
    source link: ~0.85) and with how much of the page the source covers, so a moderator's
    queue puts whole, well-evidenced copies before partial or doubtful ones."""
    if not findings:
        return 0.0
    best = 0.0
    for finding in findings:
        direction = 1.0 - math.exp(-max(0.0, finding.judgement.margin) / 4.0)
        coverage = min(1.0, max(finding.edge.containment, finding.edge.jaccard) / 0.8)
        best = max(best, direction * (0.5 + 0.5 * coverage))
    return round(best, 3)
