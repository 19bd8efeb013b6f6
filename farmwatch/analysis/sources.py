"""A page's sources, ranked, and the confidence that it is a republication (pure, no I/O)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from farmwatch.analysis.align import MODEL as REUSE_MODEL
from farmwatch.analysis.direction import PairJudgement, is_alternate_url, load_model, sigmoid
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
        # One site's different articles are not alternates: the one this page takes most from comes first.
        covered = (-round(max(f.edge.coverage, f.edge.containment), 1), -round(f.edge.containment, 2))
        return (is_alternate_url(f.facts.url), canonical_elsewhere, *covered, f.facts.first_seen)

    by_site: dict[str, list[SourceFinding]] = {}
    for finding in findings:
        by_site.setdefault(registrable_domain(finding.facts.site), []).append(finding)
    ordered: list[SourceFinding] = []
    for group in by_site.values():
        ordered.extend(sorted(group, key=rank))
    return ordered


def covered_together(findings: list[SourceFinding]) -> dict[int, float]:
    """For each source, the share of the page it covers with the sources it was graded with (Edge.graded_with:
    one publisher's takes of a story, as one source; alone, its own share), aligned or word for word."""
    covered = {f.facts.id: max(f.edge.coverage, f.edge.containment) for f in findings}
    return {
        f.facts.id: min(1.0, covered[f.facts.id] + sum(covered.get(i, 0.0) for i in f.edge.graded_with))
        for f in findings
    }


def rank_sources(findings: list[SourceFinding]) -> list[SourceFinding]:
    """Best source first: true originals before copies, then by how much of the page they cover,
    then by how sure the judge is that the page copied it."""
    primaries = _primary_among_alternates(findings)
    # Pages graded together (a publisher's takes of one story) are ranked by what they cover as one source
    # (each covers its share), against a single source covering more than any one take.
    together = covered_together(findings)
    seen_sites: dict[str, int] = {}
    ranked = []
    for f in primaries:
        site = registrable_domain(f.facts.site)
        seen_sites[site] = seen_sites.get(site, 0) + 1
        # A second page of one site goes after other sites (an AMP version), unless graded with the first.
        ranked.append((f, seen_sites[site] > 1 and not f.edge.graded_with))
    ranked.sort(
        key=lambda item: (
            item[1],
            item[0].other_is_copy,
            -round(together[item[0].facts.id], 1),
            -round(item[0].edge.containment, 2),  # of two sources covering as much, the one copied word for word
            -item[0].judgement.probability,
            item[0].facts.first_seen,
        )
    )
    return [f for f, _ in ranked]


# What the score's reuse term reads from an edge, in the order of its fitted weights (direction_model.json, "reuse").
REUSE_FEATURES = ("coverage", "log_shared", "alignment_logit")
_LOGIT_MOST = 8.0  # |log-odds| of the alignment's P(reuse) read at most (P 0.9997): beyond, no more is learnt


def reuse_features(edge: Edge) -> np.ndarray:
    """How much of the page the source accounts for, as the reuse term reads it: the share of the page
    aligned to the source or found in it word for word, whichever is larger (matching.verify sets
    `coverage` so; an edge made by `compare` alone, as bench/fit_direction.py makes them, or stored before
    alignment, has only the verbatim shares); the shingles shared; and how sure the reuse model is, from the
    alignment alone, that the page's text derives from the source's (its log-odds)."""
    return np.array(_reuse_values(edge))


def _reuse_values(edge: Edge) -> tuple[float, float, float]:
    """reuse_features as Python floats (the same values: a small array costs more to make than the
    term it feeds, once per source per judgement)."""
    coverage = max(edge.coverage, edge.containment, edge.jaccard)
    return float(coverage), math.log1p(edge.shared) / math.log1p(1000), _alignment_logit(edge)


def _alignment_logit(edge: Edge) -> float:
    """The log-odds of the alignment's P(reuse). A grade the reuse model did not give (below its threshold:
    a verbatim passage, the verbatim overlap of shingles, a credit) rests on evidence the model does not
    weigh, and reads as sure, as the grade takes it: a farm page holding a whole source inside far more text
    aligns little of itself (P 0.04-0.42 on provenance-dev's exact copies) yet is surely a copy. An edge
    stored before the probability was kept reads as sure too (the term it had then was flat, ~1)."""
    p = edge.reuse_probability
    if p is None or p >= 1.0 or (edge.reuse is not None and p < REUSE_MODEL.threshold):
        return _LOGIT_MOST
    if p <= 0.0:
        return -_LOGIT_MOST
    return max(-_LOGIT_MOST, min(_LOGIT_MOST, math.log(p / (1.0 - p))))


def reuse_probability(edge: Edge) -> float:
    """P that the text this page shares with the source makes it a republication (given the direction)."""
    reuse = load_model().meta.get("reuse") or {}
    if not reuse:
        return 1.0
    z = float(reuse["intercept"]) + sum(  # a term the model was fitted without weighs nothing
        float(reuse.get(name, 0.0)) * value for name, value in zip(REUSE_FEATURES, _reuse_values(edge), strict=True)
    )
    return sigmoid(z)


def republication_score(findings: list[SourceFinding]) -> float:
    """P that the page is a republication: over its sources, the best of P(it copied that source)
    (the direction model) times P(what it shares with it is reuse) (how much of the page it covers).

    Both are fitted on the dev corpora (bench/fit_direction.py), so the score reads as a probability:
    of pages scored 0.9, about nine in ten are republications."""
    if not findings:
        return 0.0
    best = max(f.judgement.probability * reuse_probability(f.edge) for f in findings)
    return round(best, 3)
