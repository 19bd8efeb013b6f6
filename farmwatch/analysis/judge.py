"""A page's provenance, decided from its edges and its neighbours' facts (pure: no I/O).

The caller (farmwatch/judging.py) reads the neighbourhood from the store, calls `decide`, and writes the
result. Everything here is a function of its arguments, so a verdict can be re-derived, tested and
explained without Redis.
"""

from __future__ import annotations

from dataclasses import replace

from farmwatch.analysis.direction import PairJudgement, as_known_republisher, judge_pair
from farmwatch.analysis.facts import PageFacts
from farmwatch.analysis.matching import Edge
from farmwatch.analysis.sources import SourceFinding, rank_sources, republication_score
from farmwatch.analysis.urls import registrable_domain
from farmwatch.report import Alternate, Copy, Provenance, Source, Undecided

JUDGE_EDGES = 100  # edges weighed per judgement: a widely copied original's verdict depends on the strongest
LISTED = 50  # copies and undecided pages listed in a report

# Evidence kinds by which a page credits its source.
CREDITING_KINDS = frozenset({"canonical", "source_link", "link", "credit"})


def strongest(edges: list[Edge], limit: int = JUDGE_EDGES) -> list[Edge]:
    if len(edges) <= limit:
        return edges
    return sorted(edges, key=_share_accounted, reverse=True)[:limit]


def _share_accounted(edge: Edge) -> float:
    """The share of either page the other accounts for, aligned or verbatim (edited copies share few
    shingles, so containment alone would drop them)."""
    return max(edge.coverage, edge.other_coverage, edge.containment, edge.other_containment)


def farm_shares(
    pages: list[PageFacts], verdicts: dict[int, dict | None], site_counts: dict[str, tuple[int, int]]
) -> dict[int, float]:
    """For each page, the share of its site's pages on *other* stories judged republished: the site's record
    over the whole graph, without the verdicts of its pages here. `pages` are one neighbourhood (a page and
    the pages it shares text with): a site's pages among them carry the same story (an original and its AMP
    version, a farm's two copies of one article), judged on the same evidence, so counting them would make
    a page's own verdict its site's record (an original and its alternate, both accused by a backdated
    copy, each "from a site that republishes all its other pages")."""
    here: dict[str, list[int]] = {}  # per site: [its pages here, of them judged republished]
    for page in pages:
        seen = here.setdefault(page.site, [0, 0])
        seen[0] += 1
        seen[1] += (verdicts.get(page.id) or {}).get("verdict") == "republished"
    shares = {}
    for page in pages:
        total, republished = site_counts.get(page.site, (0, 0))
        count, judged_republished = here[page.site]
        total -= count
        republished -= judged_republished
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
    undecided: list[tuple[Edge, PageFacts, PairJudgement]] = []
    for edge in edges:
        other = others.get(edge.other)
        if other is None:
            continue
        verdict = judge_pair(facts, other, edge)
        if verdict.relation == "alternate":
            alternates.append(Alternate(url=other.url, similarity=edge.jaccard, evidence=_evidence(verdict)))
        elif verdict.relation == "copied" and edge.reuse is None:
            # The other page takes from this one's text, but too little of this page derives from it to call
            # it a republication (an independent report of the same event covers the same facts and quotes).
            undecided.append((edge, other, verdict))
        elif verdict.relation == "copied":
            findings.append(SourceFinding(other, edge, verdict, _is_copy(other, facts, other_provenance)))
        elif verdict.relation == "undecided":
            undecided.append((edge, other, verdict))
        else:
            copies.append(
                Copy(url=other.url, site=other.site, similarity=edge.jaccard, containment=edge.other_containment)
            )
    # A page that surely republishes one source is likelier to have copied the other parts of its text it
    # shares: pairs the evidence left undecided are weighed again with that prior (never for an original).
    confident = [f for f in findings if f.judgement.probability >= REPUBLISHER_CONFIDENCE]
    if confident:
        still: list[tuple[Edge, PageFacts, PairJudgement]] = []
        for edge, other, verdict in undecided:
            if edge.reuse is not None and verdict.relation == "undecided" and _elsewhere(edge, confident):
                again = as_known_republisher(verdict)
                if again.relation == "copied":
                    findings.append(SourceFinding(other, edge, again, _is_copy(other, facts, other_provenance)))
                    continue
            still.append((edge, other, verdict))
        undecided = still

    findings, undecided = _primaries_join(findings, undecided, facts, other_provenance)

    ranked = rank_sources(findings)
    sources = [source_entry(f, others) for f in ranked]
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
        undecided=[
            Undecided(
                url=other.url,
                site=other.site,
                similarity=edge.jaccard,
                containment=edge.containment,
                evidence=_evidence(verdict),
            )
            for edge, other, verdict in undecided[:LISTED]
        ],
        evidence=page_evidence(facts, ranked),
    )


REPUBLISHER_CONFIDENCE = 0.9  # P(copied) of a source that makes the page a known republisher


def _evidence(verdict: PairJudgement) -> list[dict]:
    """The evidence as the data of EvidenceItems: the model that holds them validates each (in pydantic's
    compiled core, where one Python call per item costs more than the validation)."""
    return [e.as_dict() for e in verdict.evidence]


def _is_copy(other: PageFacts, page: PageFacts, other_provenance: dict[int, dict | None]) -> bool:
    """Whether the source is itself judged a copy of something else (not of this page)."""
    return any(s.get("url") != page.url for s in (other_provenance.get(other.id) or {}).get("sources", []))


def _primaries_join(
    findings: list[SourceFinding],
    undecided: list[tuple[Edge, PageFacts, PairJudgement]],
    facts: PageFacts,
    other_provenance: dict[int, dict | None],
) -> tuple[list[SourceFinding], list[tuple[Edge, PageFacts, PairJudgement]]]:
    """A publisher's AMP or print version and its primary page are one publication: when the page copied the
    alternate (a finding) and shares text with the primary, left undecided on its own (an extra line in one
    version breaks a verbatim run), the primary is a source too, on the alternate's judgement and grade, and
    rank_sources puts it first. An alternate alone never makes a source."""
    by_url = {f.facts.url: f for f in findings}
    versions: dict[str, SourceFinding] = {}  # a found page's other version (its canonical, its og:url) -> finding
    for finding in findings:
        alternate = finding.facts
        for url in (alternate.canonical, alternate.og_url):
            if url and url != alternate.url:
                versions.setdefault(url, finding)
    still = []
    for edge, other, verdict in undecided:
        found = versions.get(other.url) or by_url.get(other.amphtml or "")
        if (
            found is None
            or verdict.relation == "copied_by"
            or registrable_domain(other.site) != registrable_domain(found.facts.site)
        ):
            still.append((edge, other, verdict))
            continue
        same = replace(edge, reuse=edge.reuse or found.edge.reuse)
        findings.append(SourceFinding(other, same, found.judgement, _is_copy(other, facts, other_provenance)))
    return findings, still


def _elsewhere(edge: Edge, confident: list[SourceFinding], most: float = 0.5) -> bool:
    """Whether the text this edge aligns lies mostly outside what the confident sources account for."""
    taken = [(s[0], s[1]) for f in confident for s in f.edge.spans]
    mine = [(s[0], s[1]) for s in edge.spans]
    total = sum(end - start for start, end in mine)
    if not total:
        return False
    shared = sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in mine for s2, e2 in taken)
    return shared <= most * total


def source_entry(finding: SourceFinding, others: dict[int, PageFacts] | None = None) -> Source:
    """The report's entry for a source; `others` (page id -> facts) names the pages it was graded with."""
    facts, edge, verdict = finding.facts, finding.edge, finding.judgement
    together = [others[i].url for i in edge.graded_with if i in others] if others and edge.graded_with else []
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
        reuse_probability=edge.reuse_probability,
        spans=[  # validated into Spans by Source, as _evidence's items are
            {"start": a, "end": b, "source_start": c, "source_end": d, "similarity": sim, "quoted": quoted}
            for a, b, c, d, sim, quoted in edge.spans
        ],
        passages=edge.passages,
        graded_with=together,
        probability=round(getattr(verdict, "probability", 0.5), 4),
        margin=round(verdict.margin, 2),
        evidence=_evidence(verdict),
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
