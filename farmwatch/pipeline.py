"""Ingest a page and keep every affected verdict current.

analysis (pure) → store page → find candidates (LSH + the pages it links as
source or canonical) → verify each against its stored text → store edges →
judge the page and every neighbour again (an original arriving after its copy
changes the copy's report).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from farmwatch.analysis.direction import judge_pair
from farmwatch.analysis.facts import PageFacts, facts_of
from farmwatch.analysis.fingerprint import (
    band_keys,
    estimated_overlap,
    sample_keys,
    shingle_hashes,
    signature_from_bytes,
)
from farmwatch.analysis.matching import Edge, compare, composite_parts, paragraph_shingles
from farmwatch.analysis.page import PageAnalysis, fingerprint
from farmwatch.analysis.sources import SourceFinding, rank_sources, republication_score
from farmwatch.analysis.templates import apply_site_template, template_candidates
from farmwatch.analysis.urls import host_of, normalize_url
from farmwatch.config import Settings
from farmwatch.reindex import check_layout
from farmwatch.store.lsh import LshIndex
from farmwatch.store.pages import PageStore
from farmwatch.store.review import ReviewIndex


@dataclass
class Services:
    """The storage a pipeline run needs; one per process."""

    client: redis.Redis
    settings: Settings
    pages: PageStore
    index: LshIndex

    @classmethod
    def create(cls, client: redis.Redis, settings: Settings) -> Services:
        pages = PageStore(client, settings.key_prefix, settings.fingerprint)
        index = LshIndex(client, settings.key_prefix, **settings.index.model_dump())
        check_layout(index, pages)  # an index of another layout would silently match nothing
        return cls(client, settings, pages, index)


def document_of(analysis: PageAnalysis, facts: PageFacts) -> dict:
    """The stored, client-facing part of a report that does not change after analysis."""
    meta = analysis.metadata
    return {
        "url": analysis.url,
        "site": analysis.site,
        "title": meta.title,
        "site_name": meta.site_name,
        "author": meta.author,
        "language": meta.language,
        "published_at": analysis.published_at.isoformat() if analysis.published_at else None,
        "published_from": analysis.published_from,
        "first_seen": facts.first_seen,
        "origin": facts.origin,
        "canonical": meta.canonical,
        "amphtml": meta.amphtml,
        # main_text is the paragraphs joined by newlines: PageStore.docs() rebuilds it, so the stored (and
        # compressed) record holds the article's text once, not twice.
        "paragraphs": [b.text for b in analysis.main_blocks],
        "credits": [c.as_dict() for c in analysis.credits],
        "source_links": analysis.source_links,
        "boilerplate": {
            "score": round(analysis.boilerplate_share, 4),
            "blocks": [{"kind": str(b.kind), "text": b.text} for b in analysis.boilerplate_blocks],
        },
        "warnings": analysis.warnings,
    }


def ingest(services: Services, analysis: PageAnalysis, origin: str = "client") -> int:
    """Store, match and judge one analysed page; returns its page id.

    A new page that shares text with no other page takes three round trips: its id and state, its record
    with its first verdict, and its index insert and query (one call)."""
    settings, pages, index = services.settings, services.pages, services.index
    template_keys = template_candidates(analysis.blocks)
    claimed = {*analysis.source_links, analysis.metadata.canonical or ""} - {"", analysis.url}
    page_id, state = pages.open_page(analysis.url, analysis.site, template_keys, sorted(claimed))
    new = state.first_seen is None
    # Main-text blocks the site repeats on many of its pages are its template, not this article.
    if apply_site_template(analysis.blocks, state.template_counts, state.site_pages):
        fingerprint(analysis, settings.fingerprint)
    facts = facts_of(analysis, page_id, origin, state.first_seen or time.time())
    matchable = len(analysis.shingles) >= settings.fingerprint.min_shingles
    bands = band_keys(analysis.signature, settings.fingerprint) if matchable else []
    samples = sample_keys(analysis.shingles, settings.fingerprint) if matchable else []
    buckets = bands + samples

    previous_neighbours = pages.drop_edges(page_id, state.neighbours)
    # A new page's verdict before matching (original, no edges) goes out with its record: most pages share
    # text with no other, and for them that verdict is final. It is written before the page enters the
    # index, so no other page's judgement of it can come earlier and be overwritten.
    first: list[Judgement] = []
    pages.save_page(
        facts,
        document_of(analysis, facts),
        analysis.signature.tobytes(),
        len(analysis.shingles),
        analysis.main_text if settings.store_text else None,
        buckets,
        new=new,
        template_keys=template_keys if new else None,
        also=(lambda pipe: first.append(judge(services, page_id, (facts, None, []), pipe=pipe))) if new else None,
    )
    if state.buckets and state.buckets != buckets:
        index.remove(page_id, state.buckets)

    edges: list[tuple[Edge, Edge]] = []
    if matchable:
        # Inserted and matched in one atomic call: of two copies ingested at once by two workers, the
        # second call always finds the first page (matching, then inserting, both could miss each other).
        linked = set(state.linked_ids)
        band_hits, sample_hits = index.insert_and_query(
            page_id, bands, samples, min_shared=(1, MIN_SHARED_SAMPLES), keep=linked
        )
        edges = _match(services, analysis, facts, (band_hits, sample_hits, len(bands), len(samples)), linked)
        if edges:
            pages.save_edges(page_id, edges)
    if first and not edges and not previous_neighbours:
        return page_id  # its verdict went out with its record
    # The page's own facts, verdict and edges are in hand: judging it need not read them back.
    previous = first[0].provenance if first else state.provenance
    here: Neighbourhood = (facts, previous, [mine for mine, _ in edges])
    rejudge(services, [page_id, *({e.other for e, _ in edges} | set(previous_neighbours))], {page_id: here})
    return page_id


def rejudge(
    services: Services, page_ids: list[int], known: dict[int, Neighbourhood] | None = None, limit: int = 64
) -> None:
    """Judge pages again; where a verdict flips, its neighbours' rankings may change too, so follow."""
    pending = list(dict.fromkeys(page_ids))
    seen = set(pending)
    known = known or {}
    while pending and len(seen) <= limit:
        page_id = pending.pop(0)
        judged = judge(services, page_id, known.get(page_id))
        if judged is None:
            continue
        if judged.previous and judged.previous.get("verdict") == judged.provenance["verdict"]:
            continue
        for other in judged.neighbours:
            if other not in seen:
                seen.add(other)
                pending.append(other)


# A page shares one sampled shingle with many others (common phrases): it takes two to be a candidate.
MIN_SHARED_SAMPLES = 2

# What the index found for a page: pages sharing its band buckets and its sample buckets (id -> how many),
# and how many band and sample buckets it has.
IndexHits = tuple[dict[int, int], dict[int, int], int, int]


def _candidates(
    services: Services,
    analysis: PageAnalysis,
    facts: PageFacts,
    hits: IndexHits,
    linked_ids: set[int],
) -> list[int]:
    """Pages that may share text with this one: LSH band hits (resemblance), at least two shared
    sampled shingles (containment), or pages it names as source or canonical (linked_ids)."""
    settings = services.settings
    band_hits, sample_hits, band_count, sample_count = hits
    strength: dict[int, float] = {}
    for other_id in {*band_hits, *sample_hits, *linked_ids} - {facts.id}:
        bands_shared, samples_shared = band_hits.get(other_id, 0), sample_hits.get(other_id, 0)
        if other_id in linked_ids or bands_shared or samples_shared >= MIN_SHARED_SAMPLES:
            strength[other_id] = (
                bands_shared / max(1, band_count)
                + samples_shared / max(1, sample_count)
                + (2.0 if other_id in linked_ids else 0.0)
            )
    ranked = sorted(strength, key=strength.__getitem__, reverse=True)[: settings.match.max_candidates]
    # Cheap first cut with the stored signatures: drop candidates that cannot pass verification.
    signatures = services.pages.signatures(ranked)
    kept = []
    for other_id in ranked:
        if other_id not in signatures:
            continue
        sig, size = signatures[other_id]
        est = estimated_overlap(analysis.signature, len(analysis.shingles), signature_from_bytes(sig), size)
        loose = (
            other_id in linked_ids
            or sample_hits.get(other_id, 0) >= 2
            or est.jaccard >= settings.match.min_jaccard * 0.5
            or max(est.containment_a, est.containment_b) >= settings.match.min_containment * 0.5
        )
        if loose:
            kept.append(other_id)
    return kept


def _match(
    services: Services,
    analysis: PageAnalysis,
    facts: PageFacts,
    hits: IndexHits,
    linked_ids: set[int],
) -> list[tuple[Edge, Edge]]:
    settings = services.settings
    candidate_ids = _candidates(services, analysis, facts, hits, linked_ids)
    if not candidate_ids:
        return []
    stored = services.pages.texts_and_facts(candidate_ids)
    texts = {i: text for i, (text, _) in stored.items() if text is not None}
    others = {i: other for i, (_, other) in stored.items()}
    text = analysis.main_text
    n = settings.fingerprint.shingle_words
    # Shingled once for every candidate: passages_found reads them for each edge.
    paragraphs = paragraph_shingles([b.text for b in analysis.main_blocks], n)
    edges = []
    for other_id in candidate_ids:
        if other_id not in others:
            continue
        other_text = texts.get(other_id)
        if other_text is None:
            continue  # stored without text (FARMWATCH_STORE_TEXT=false): the signature cut above is all we have
        other_shingles = shingle_hashes(other_text, n)
        pair = compare(
            analysis.shingles,
            paragraphs,
            text,
            facts,
            other_shingles,
            other_text.split("\n"),
            other_text,
            others[other_id],
            n,
            settings.match,
        )
        if pair is not None:
            edges.append(pair)
    return edges


JUDGE_EDGES = 100  # edges weighed per judgement
COMPOSITE_EDGES = 24  # edges searched for a stitched-together page (pairs: quadratic)


@dataclass(slots=True)
class Judgement:
    previous: dict | None  # the provenance stored before
    provenance: dict  # the provenance stored now
    neighbours: list[int]  # every page that shares text with this one


Neighbourhood = tuple[PageFacts, dict | None, list[Edge]]  # a page's facts, stored provenance and edges


def judge(
    services: Services,
    page_id: int,
    known: Neighbourhood | None = None,
    pipe: redis.client.Pipeline | None = None,
) -> Judgement | None:
    """Re-derive a page's provenance from its edges and store it.

    At most four round trips whatever the neighbourhood: the page (skipped when the caller `known`s
    it); its neighbours (facts, verdicts, edges); the sites' records; the writes. A page that shares
    text with no other page needs only the writes, which go on `pipe` when one is given (the caller
    executes it)."""
    pages = services.pages
    own = known or pages.neighbourhood([page_id]).get(page_id)
    if own is None:
        return None
    facts, previous, all_edges = own
    # A widely copied original has hundreds of edges; its verdict and ranking depend on the strongest.
    edges = strongest(all_edges, JUDGE_EDGES)
    around = pages.neighbourhood([e.other for e in edges]) if edges else {}
    others = {other_id: item[0] for other_id, item in around.items()}
    other_provenance = {other_id: item[1] for other_id, item in around.items()}
    shares = (
        site_farm_shares(services, [facts, *others.values()], {page_id: previous, **other_provenance})
        if others
        else {page_id: 0.0}  # the sites' records only weigh between pages that share text
    )
    facts.farm_share = shares[page_id]
    facts.composite_of = composite_parts(strongest(edges, COMPOSITE_EDGES))
    for other_id, (_, _, other_edges) in around.items():
        others[other_id].farm_share = shares[other_id]
        others[other_id].composite_of = composite_parts(strongest(other_edges, COMPOSITE_EDGES))

    findings: list[SourceFinding] = []
    copies: list[dict] = []
    alternates: list[dict] = []
    undecided: list[dict] = []
    for edge in edges:
        other = others.get(edge.other)
        if other is None:
            continue
        verdict = judge_pair(facts, other, edge)
        if verdict.relation == "alternate":
            alternates.append(
                {"url": other.url, "similarity": edge.jaccard, "evidence": [e.as_dict() for e in verdict.evidence]}
            )
        elif verdict.relation == "copied":
            other_is_copy = any(
                s.get("url") != facts.url for s in (other_provenance.get(other.id) or {}).get("sources", [])
            )
            findings.append(SourceFinding(other, edge, verdict, other_is_copy))
        elif verdict.relation == "undecided":
            undecided.append(
                {
                    "url": other.url,
                    "site": other.site,
                    "similarity": edge.jaccard,
                    "containment": edge.containment,
                    "evidence": [e.as_dict() for e in verdict.evidence],
                }
            )
        else:
            copies.append(
                {
                    "url": other.url,
                    "site": other.site,
                    "similarity": edge.jaccard,
                    "containment": edge.other_containment,
                }
            )

    ranked = rank_sources(findings)
    sources = [_source_entry(f) for f in ranked]
    attributed = any(s["credited"] for s in sources)
    provenance = {
        "verdict": "republished" if sources else "original",
        "score": republication_score(findings),
        "sources": sources,
        "credits": facts.credits,
        "source_links": facts.source_links,
        "canonical": facts.canonical,
        "attributed": attributed if sources else None,
        "alternates": alternates,
        "copies": sorted(copies, key=lambda c: -c["containment"])[:50],
        "undecided": undecided[:50],
        "evidence": _page_evidence(facts, ranked),
    }
    writes = services.client.pipeline(transaction=False) if pipe is None else pipe
    pages.save_provenance(page_id, provenance, pipe=writes)
    _count_verdict_change(services, facts.site, previous, provenance, writes)
    ReviewIndex(services.client, services.settings.key_prefix).update(facts, provenance, pipe=writes)
    if pipe is None:
        writes.execute()
    return Judgement(previous, provenance, [e.other for e in all_edges])


def _source_entry(finding: SourceFinding) -> dict:
    facts, edge, verdict = finding.facts, finding.edge, finding.judgement
    credited_kinds = {"canonical", "source_link", "link", "credit"}
    credited = any(e.kind in credited_kinds and e.favours == "other" for e in verdict.evidence)
    return {
        "url": facts.url,
        "site": facts.site,
        "similarity": edge.jaccard,
        "containment": edge.containment,
        "source_containment": edge.other_containment,
        "published_at": facts.published_at.isoformat() if facts.published_at else None,
        "origin": facts.origin,  # "fetched": the service fetched it itself; "client": supplied, unverified
        "credited": credited,
        "passages": edge.passages,
        "margin": round(verdict.margin, 2),
        "evidence": [e.as_dict() for e in verdict.evidence],
    }


def _page_evidence(facts: PageFacts, ranked: list[SourceFinding]) -> list[str]:
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


def _stats_key(services: Services, site: str) -> str:
    return f"{services.settings.key_prefix}:sitestats:{site}"


def _count_verdict_change(
    services: Services, site: str, before: dict | None, after: dict, pipe: redis.client.Pipeline
) -> None:
    was = bool(before and before.get("verdict") == "republished")
    now = after["verdict"] == "republished"
    if was != now:
        pipe.hincrby(_stats_key(services, site), "republished", 1 if now else -1)


def site_farm_shares(services: Services, pages: list[PageFacts], verdicts: dict[int, dict | None]) -> dict[int, float]:
    """For each page, the share of its site's *other* pages judged republished, in one round trip."""
    sites = list(dict.fromkeys(p.site for p in pages))
    pipe = services.client.pipeline(transaction=False)
    for site in sites:
        pipe.zcard(services.pages._site(site))
        pipe.hget(_stats_key(services, site), "republished")
    replies = pipe.execute()
    counts = {site: (int(replies[2 * i]), int(replies[2 * i + 1] or 0)) for i, site in enumerate(sites)}
    shares = {}
    for page in pages:
        total, republished = counts[page.site]
        own = verdicts.get(page.id)
        total -= 1
        if own and own.get("verdict") == "republished":
            republished -= 1
        shares[page.id] = max(0, republished) / total if total > 0 else 0.0
    return shares


def strongest(edges: list[Edge], limit: int) -> list[Edge]:
    if len(edges) <= limit:
        return edges
    return sorted(edges, key=lambda e: max(e.containment, e.other_containment), reverse=True)[:limit]


def page_report(services: Services, url: str) -> dict | None:
    page_id = services.pages.page_id(normalize_url(url))
    if page_id is None:
        return None
    return services.pages.docs([page_id]).get(page_id)


def submit_html(
    services: Services,
    url: str,
    body: bytes | str,
    *,
    origin: str = "client",
    content_type: str | None = None,
    published_hint: str | None = None,
) -> dict:
    """Analyse, store and judge a page; returns its report. Raises InputError for non-HTML input."""
    from farmwatch.analysis.page import analyze_html

    analysis = analyze_html(
        body, url, content_type=content_type, published_hint=published_hint, settings=services.settings.fingerprint
    )
    page_id = ingest(services, analysis, origin)
    report = services.pages.docs([page_id])[page_id]
    return report


def site_report(services: Services, host: str, sample: int = 2000) -> dict | None:
    from farmwatch.sites import site_summary

    host = host_of(f"http://{host}") or host.lower()
    total = services.pages.site_size(host)
    if not total:
        return None
    ids = services.pages.site_page_ids(host, limit=sample)
    reports = list(services.pages.docs(ids).values())
    return site_summary(host, reports, total)
