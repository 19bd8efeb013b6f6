"""A page's provenance, decided from its edges and its neighbours' facts (pure: no I/O).

The caller (farmwatch/judging.py) reads the neighbourhood from the store, calls `decide`, and writes the
result. Everything here is a function of its arguments, so a verdict can be re-derived, tested and
explained without Redis.
"""

from __future__ import annotations

from farmwatch.analysis.direction import judge_pair
from farmwatch.analysis.facts import PageFacts
from farmwatch.analysis.matching import Edge
from farmwatch.analysis.sources import SourceFinding, rank_sources, republication_score
from farmwatch.report import Alternate, Copy, EvidenceItem, Provenance, Source, Span, Undecided

JUDGE_EDGES = 100  # edges weighed per judgement: a widely copied original's verdict depends on the strongest
LISTED = 50  # copies and undecided pages listed in a report

# Evidence kinds by which a page credits its source.
CREDITING_KINDS = frozenset({"canonical", "source_link", "link", "credit"})


def strongest(edges: list[Edge], limit: int = JUDGE_EDGES) -> list[Edge]:
    if len(edges) <= limit:
        return edges
    return sorted(edges, key=lambda e: max(e.containment, e.other_containment), reverse=True)[:limit]


def farm_shares(
    pages: list[PageFacts], verdicts: dict[int, dict | None], site_counts: dict[str, tuple[int, int]]
) -> dict[int, float]:
    """For each page, the share of its site's *other* pages judged republished (the site's record over the
    whole graph, without this page's own verdict in it)."""
    shares = {}
    for page in pages:
        total, republished = site_counts.get(page.site, (0, 0))
        own = verdicts.get(page.id)
        total -= 1
        if own and own.get("verdict") == "republished":
            republished -= 1
        shares[page.id] = max(0, republished) / total if total > 0 else 0.0
    return shares


def decide(
    facts: PageFacts,
    edges: list[Edge],
    others: dict[int, PageFacts],
    other_provenance: dict[int, dict | None],
) -> Provenance:
    """The page's provenance from its (strongest) edges; `others` holds the neighbours' facts."""
    findings: list[SourceFinding] = []
    copies: list[Copy] = []
    alternates: list[Alternate] = []
    undecided: list[Undecided] = []
    for edge in edges:
        other = others.get(edge.other)
        if other is None:
            continue
        verdict = judge_pair(facts, other, edge)
        evidence = [EvidenceItem(**e.as_dict()) for e in verdict.evidence]
        if verdict.relation == "alternate":
            alternates.append(Alternate(url=other.url, similarity=edge.jaccard, evidence=evidence))
        elif verdict.relation == "copied" and edge.reuse is None:
            # The other page takes from this one's text, but too little of this page derives from it to call
            # it a republication (an independent report of the same event covers the same facts and quotes).
            undecided.append(
                Undecided(
                    url=other.url,
                    site=other.site,
                    similarity=edge.jaccard,
                    containment=edge.containment,
                    evidence=evidence,
                )
            )
        elif verdict.relation == "copied":
            other_is_copy = any(
                s.get("url") != facts.url for s in (other_provenance.get(other.id) or {}).get("sources", [])
            )
            findings.append(SourceFinding(other, edge, verdict, other_is_copy))
        elif verdict.relation == "undecided":
            undecided.append(
                Undecided(
                    url=other.url,
                    site=other.site,
                    similarity=edge.jaccard,
                    containment=edge.containment,
                    evidence=evidence,
                )
            )
        else:
            copies.append(
                Copy(url=other.url, site=other.site, similarity=edge.jaccard, containment=edge.other_containment)
            )

    ranked = rank_sources(findings)
    sources = [source_entry(f) for f in ranked]
    return Provenance(
        verdict="republished" if sources else "original",
        score=republication_score(findings),
        sources=sources,
        credits=facts.credits,
        source_links=facts.source_links,
        canonical=facts.canonical,
        attributed=any(s.credited for s in sources) if sources else None,
        alternates=alternates,
        copies=sorted(copies, key=lambda c: -c.containment)[:LISTED],
        undecided=undecided[:LISTED],
        evidence=page_evidence(facts, ranked),
    )


def source_entry(finding: SourceFinding) -> Source:
    facts, edge, verdict = finding.facts, finding.edge, finding.judgement
    return Source(
        url=facts.url,
        site=facts.site,
        similarity=edge.jaccard,
        containment=edge.containment,
        source_containment=edge.other_containment,
        published_at=facts.published_at.isoformat() if facts.published_at else None,
        origin=facts.origin,  # "fetched": the service fetched it itself; "client": supplied, unverified
        credited=any(e.kind in CREDITING_KINDS and e.favours == "other" for e in verdict.evidence),
        coverage=edge.coverage,
        source_coverage=edge.other_coverage,
        reuse=edge.reuse,
        spans=[
            Span(start=a, end=b, source_start=c, source_end=d, similarity=sim, quoted=quoted)
            for a, b, c, d, sim, quoted in edge.spans
        ],
        passages=edge.passages,
        probability=round(getattr(verdict, "probability", 0.5), 4),
        margin=round(verdict.margin, 2),
        evidence=[EvidenceItem(**e.as_dict()) for e in verdict.evidence],
    )


def page_evidence(facts: PageFacts, ranked: list[SourceFinding]) -> list[str]:
    lines = []
    if facts.published_at:
        lines.append(f"published {facts.published_at.isoformat()}")
    else:
        lines.append("no publication date found")
    if facts.canonical and facts.canonical != facts.url:
        lines.append(f"canonical link: {facts.canonical}")
    for link in facts.source_links:
        lines.append(f"source link: {link}")
    for credit in facts.credits:
        lines.append(f"credit ({credit['kind']}): {credit['text'][:160]}")
    if ranked:
        best = ranked[0]
        lines.append(f"{best.edge.containment:.0%} of this page's text found in {best.facts.url}")
    return lines
