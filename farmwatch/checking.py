"""Check a page against the index without adding it: the same analysis, matching and judgement as ingest,
and nothing written (the index, the pages, the sites' statistics and the review queue stay as they were).

The page is judged as if it had just arrived: the pages it shares text with keep their stored verdicts,
and its own verdict is decided from its edges to them, with the same evidence and model as a stored page.
"""

from __future__ import annotations

import time

from farmwatch.analysis.facts import facts_of
from farmwatch.analysis.judge import decide
from farmwatch.analysis.page import PageAnalysis
from farmwatch.ingest import (
    MIN_SHARED_SAMPLES,
    IndexHits,
    claimed_urls,
    document_of,
    index_keys,
    match_page,
    min_common_keys,
)
from farmwatch.judging import read_neighbours
from farmwatch.report import PageReport
from farmwatch.services import Services

# The page checked has no id in the store; ids there start at 1.
CHECKED_PAGE_ID = 0


def check(services: Services, analysis: PageAnalysis) -> PageReport:
    """The report the page would get if it were submitted now, from reads only."""
    pages = services.pages
    facts = facts_of(analysis, CHECKED_PAGE_ID, "client", time.time())
    linked = {page_id for page_id in pages.page_ids(claimed_urls(analysis)) if page_id is not None}
    # The checked URL may itself be stored (a client re-checking a page): it is not its own source.
    same = pages.page_id(analysis.url)
    linked.discard(same)

    edges = []
    bands, samples = index_keys(analysis, services.settings.fingerprint)
    if bands:
        found = services.index.query(
            bands, samples, min_shared=(1, MIN_SHARED_SAMPLES), keep=linked, min_common=min_common_keys(len(samples))
        )
        hits = IndexHits.of(found, bands, samples)
        if same is not None:
            for found_pages in (hits.bands, hits.samples, hits.common):
                found_pages.pop(same, None)
        edges = [mine for mine, _ in match_page(services, analysis, facts, hits, linked).found.edges]

    edges, others, other_provenance = read_neighbours(services, facts, None, edges, stored=False)
    provenance = decide(facts, edges, others, other_provenance)
    return PageReport(**document_of(analysis, facts), main_text=analysis.main_text, provenance=provenance)
