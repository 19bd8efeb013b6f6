"""Ingest a page: analysis (pure) -> store -> find candidates -> verify -> store edges -> judge.

Matching runs in either order of arrival: a page is inserted into the index and matched against the pages
already there in one atomic call, and every neighbour is judged again (an original arriving after its copy
changes the copy's report).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from farmwatch.analysis.facts import PageFacts, facts_of
from farmwatch.analysis.fingerprint import (
    band_keys,
    estimated_overlap,
    prepared_paragraph_shingles,
    prepared_shingle_hashes,
    signature_from_bytes,
)
from farmwatch.analysis.matching import (
    Edge,
    Matched,
    MatchInput,
    graded_with_publisher,
    published_before,
    verify_all,
)
from farmwatch.analysis.page import PageAnalysis, analyze_html, fingerprint
from farmwatch.analysis.templates import apply_site_template, template_candidates
from farmwatch.analysis.text import PreparedText, prepare
from farmwatch.analysis.urls import normalize_url, registrable_domain
from farmwatch.config import FingerprintSettings
from farmwatch.errors import FetchedOriginal
from farmwatch.judging import Judgement, Neighbourhood, judge, rejudge
from farmwatch.report import PageReport, Provenance
from farmwatch.services import Services
from farmwatch.store.lsh import pack_buckets

if TYPE_CHECKING:
    from collections.abc import Callable

    import redis

    from farmwatch.store.lsh import Hits
    from farmwatch.store.pages import Candidate


@dataclass(slots=True)
class Ingested:
    page_id: int
    document: dict  # the stored, client-facing part of the report (document_of)
    provenance: Provenance | None  # as judged when ingest returned


def document_of(analysis: PageAnalysis, facts: PageFacts) -> dict:
    """The stored, client-facing part of a report that does not change after analysis."""
    meta = analysis.metadata
    paragraphs, boilerplate, share = analysis.main_and_boilerplate()  # one pass over the blocks, not three
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
        "paragraphs": paragraphs,
        "credits": [c.as_dict() for c in analysis.credits],
        "source_links": analysis.source_links,
        "boilerplate": {
            "score": round(share, 4),
            "blocks": [{"kind": str(b.kind), "text": b.text} for b in boilerplate],
        },
        "warnings": analysis.warnings,
    }


def ingest(services: Services, analysis: PageAnalysis, origin: str = "client") -> Ingested:
    """Store, match and judge one analysed page; returns its id, stored document and provenance as judged now.

    A new page that shares text with no other page takes two round trips: its id and state; its record
    with its first verdict, then its index insert and query (one call). A client-supplied page takes one
    more, its record written first on its own, only where no page the service fetched is stored under its
    URL. A page stored before, one more for its own state; its old edges and buckets go out with its
    record. A page with candidates, one more for their signatures and texts, then judging's."""
    settings, pages, index = services.settings, services.pages, services.index
    template_keys = template_candidates(analysis.blocks)
    page_id, state = pages.open_page(analysis.url, analysis.site, template_keys, claimed_urls(analysis))
    new = state.first_seen is None
    # Main-text blocks the site repeats on many of its pages are its template, not this article.
    if apply_site_template(analysis.blocks, state.template_counts, state.site_pages):
        fingerprint(analysis, settings.fingerprint)
    facts = facts_of(analysis, page_id, origin, state.first_seen or time.time())
    bands, samples = index_keys(analysis, settings.fingerprint)
    matchable = bool(bands)
    buckets = bands + samples

    document = document_of(analysis, facts)
    linked = set(state.linked_ids)
    min_shared, min_common = (1, MIN_SHARED_SAMPLES), min_common_keys(len(samples))
    # A new page's verdict before matching (original, no edges) goes out with its record: most pages share
    # text with no other, and for them that verdict is final. It is written before the page enters the
    # index, so no other page's judgement of it can come earlier and be overwritten. A page stored before
    # has its edges and its old buckets taken out in that round trip too, then every page's index insert
    # and look-up go in it (Redis runs a pipeline in order: out, then in). All after the record: a client
    # page refused there (a page the service fetched is stored under its URL) has changed nothing.
    first: list[Judgement] = []
    found_in: list[Callable[[list], Hits | None]] = []
    removed_in: list[Callable[[list], bool]] = []
    previous_neighbours: list[int] = []

    def with_record(pipe: redis.client.Pipeline) -> None:
        if new:
            first.append(judge(services, page_id, (facts, None, []), pipe=pipe))
        previous_neighbours.extend(pages.drop_edges(page_id, state.neighbours, pipe=pipe))
        # Compared as stored (48-bit ids): an unchanged page stays where it is in its buckets, ahead of the
        # pages that came after it (a bucket too common to count keeps only its earliest members).
        if state.buckets and pack_buckets(state.buckets) != pack_buckets(buckets):
            removed_in.append(index.queue_remove(pipe, page_id, state.buckets))
        if matchable:
            found_in.append(
                index.queue_insert_and_query(
                    pipe, page_id, bands, samples, min_shared=min_shared, keep=linked, min_common=min_common
                )
            )

    replies = pages.save_page(
        facts,
        document,
        analysis.signature.tobytes(),
        len(analysis.shingles),
        analysis.main_text if settings.store_text else None,
        buckets,
        new=new,
        template_keys=template_keys if new else None,
        also=with_record,
    )
    if removed_in and not removed_in[0](replies):
        # The server had lost the scripts (a restart): the old buckets out now, loading them, and the new
        # ones in again after that (below), as in one round trip.
        index.remove(page_id, state.buckets)
        found_in.clear()

    if settings.store_text and analysis.prepared is not None:
        # Its text comes back as a candidate's when a copy arrives: prepared already, it is kept for that.
        _PREPARED_TEXTS.remember(analysis.prepared)

    edges: list[tuple[Edge, Edge]] = []
    regraded: set[int] = set()  # pages given edges by this one's arrival, beside its own (its publisher's takes)
    # The edges are written with judging's first read (one round trip for both; Redis runs them in order).
    writes = services.client.pipeline(transaction=False)
    sites: dict[int, str] = {}  # the candidates' sites, as matching read them (judging reads their records)
    if matchable:
        # Inserted and matched in one atomic call: of two copies ingested at once by two workers, the
        # second call always finds the first page (matching, then inserting, both could miss each other).
        found = found_in[0](replies) if found_in else None
        if found is None:  # the server had lost the script
            found = index.insert_and_query(
                page_id, bands, samples, min_shared=min_shared, keep=linked, min_common=min_common
            )
        matching = match_page(services, analysis, facts, IndexHits.of(found, bands, samples), linked, sites)
        edges = matching.found.edges
        if matching.found.aligned:
            pages.save_aligned(matching.found.aligned, writes)
            edges, regraded = _graded_with_earlier_takes(services, matching, edges, sites, writes)
        if edges:
            pages.save_edges(page_id, edges, pipe=writes)
    if first and not edges and not previous_neighbours and not regraded:
        if len(writes):
            writes.execute()  # the pages its text aligns with in part (save_aligned)
        return Ingested(page_id, document, first[0].provenance)  # its verdict went out with its record
    # The page's own facts, verdict and edges are in hand: judging it need not read them back.
    previous = first[0].provenance.model_dump() if first else state.provenance
    here: Neighbourhood = (facts, previous, [mine for mine, _ in edges])
    neighbours = [page_id, *({e.other for e, _ in edges} | set(previous_neighbours) | regraded)]
    latest = rejudge(services, neighbours, {page_id: here}, sites=sites, writes=writes)
    if page_id not in latest:  # deleted while it was being judged: report what is stored, if anything
        stored = pages.provenances([page_id]).get(page_id)
        return Ingested(page_id, document, Provenance.model_validate(stored) if stored else None)
    return Ingested(page_id, document, latest[page_id])


def claimed_urls(analysis: PageAnalysis) -> list[str]:
    """The URLs the page names as its source or canonical (other than its own)."""
    return sorted({*analysis.source_links, analysis.metadata.canonical or ""} - {"", analysis.url})


def index_keys(analysis: PageAnalysis, settings: FingerprintSettings) -> tuple[list[int], list[int]]:
    """The page's LSH band buckets and reuse keys (content-word pairs: shared by pages that share edited
    sentences, not only verbatim text); none for a page with too little text to match."""
    if len(analysis.shingles) < settings.min_shingles:
        return [], []
    samples = analysis.reuse_keys.tolist() if analysis.reuse_keys is not None else []  # Python ints, as int(k)
    return band_keys(analysis.signature, settings), samples


# A page shares a reuse key or two with many others (datelines, agency credits, common phrases): it
# takes three to be a candidate (measured: copies and edited copies share a median of 8 to 100).
MIN_SHARED_SAMPLES = 3
# ...and at least this share of the shorter page's keys (measured: edited copies 0.885-1.0 of pairs kept,
# unrelated pages of a many-language corpus 1.2 a page instead of 3).
KEY_SHARE = 0.03
# A page met among the earliest members of common reuse keys (a story that very many pages carry:
# LshIndex.Hits) must share this share of the longer page's keys, common ones included: so a look-up counts
# only pages sharing a tenth of its own keys, whatever the index holds. Measured on the dev corpora's pairs
# (share of the longer page's keys): wholly derived 0.87 reach it, partially derived 0.49, generated copies
# 0.94-1.0, short edited excerpts of long English pages 0.43-0.64; unrelated pages none (the most 0.094),
# independent reports of the same event 0.18.
COMMON_KEY_SHARE = 0.10


class IndexHits(NamedTuple):
    """What the index found for a page, and how many band and reuse keys the page has."""

    bands: dict[int, int]  # page id -> band buckets shared
    samples: dict[int, int]  # page id -> reuse keys shared (common ones apart)
    common: dict[int, int]  # page id -> common reuse keys shared, for their buckets' earliest members
    band_count: int
    sample_count: int

    @classmethod
    def of(cls, found: Hits, bands: list[int], samples: list[int]) -> IndexHits:
        """From a look-up of the page's band buckets then its reuse keys."""
        return cls(found[0], found[1], found.common, len(bands), len(samples))


def min_common_keys(keys: int) -> int:
    """Keys a page met only in common buckets must share with one of `keys` keys (the index drops the rest)."""
    return max(MIN_SHARED_SAMPLES, math.ceil(COMMON_KEY_SHARE * keys))


def shares_enough_keys(shared: int, common: int, keys: int, other_keys: int) -> bool:
    """The reuse-key rule for a candidate: three keys and KEY_SHARE of the shorter page's, counting the
    rare keys; or, counting the common ones too, COMMON_KEY_SHARE of the longer page's."""
    if shared >= MIN_SHARED_SAMPLES and shared >= KEY_SHARE * min(keys, other_keys):
        return True
    total = shared + common
    return common > 0 and total >= MIN_SHARED_SAMPLES and total >= COMMON_KEY_SHARE * max(keys, other_keys)


def _candidates(
    services: Services,
    analysis: PageAnalysis,
    facts: PageFacts,
    hits: IndexHits,
    linked_ids: set[int],
) -> tuple[list[int], dict[int, Candidate]]:
    """Pages that may share text with this one: LSH band hits (resemblance), shared reuse keys (edited
    sentences, containment), or pages it names as source or canonical (linked_ids); with the stored records
    read for them."""
    settings = services.settings
    band_hits, sample_hits, common_hits, band_count, sample_count = hits
    strength: dict[int, float] = {}
    for other_id in {*band_hits, *sample_hits, *common_hits, *linked_ids} - {facts.id}:
        bands_shared, samples_shared = band_hits.get(other_id, 0), sample_hits.get(other_id, 0)
        common_shared = common_hits.get(other_id, 0)
        if (
            other_id in linked_ids
            or bands_shared
            # The other page's number of keys is read with its signature below: until then the rule is
            # bounded by this page's alone (3 rare keys, or a tenth of this page's keys in all).
            or shares_enough_keys(samples_shared, common_shared, sample_count, 0)
        ):
            strength[other_id] = (
                bands_shared / max(1, band_count)
                + (samples_shared + common_shared) / max(1, sample_count)
                + (2.0 if other_id in linked_ids else 0.0)
            )
    ranked = sorted(strength, key=strength.__getitem__, reverse=True)[: settings.match.max_candidates]
    # Cheap first cut with the stored signatures: drop candidates that cannot pass verification. Their texts
    # come in the same read (most candidates pass: ~90% on the dev corpora), unpacked only for those kept.
    records = services.pages.candidates(ranked)
    kept = []
    for other_id in ranked:
        if other_id not in records:
            continue
        record = records[other_id]
        other_keys = record.keys
        est = estimated_overlap(
            analysis.signature, len(analysis.shingles), signature_from_bytes(record.signature), record.size
        )
        # Shared reuse keys count only as a share of the shorter page's keys: a long page shares a few
        # common word pairs with many unrelated pages.
        loose = (
            other_id in linked_ids
            or shares_enough_keys(sample_hits.get(other_id, 0), common_hits.get(other_id, 0), sample_count, other_keys)
            or est.jaccard >= settings.match.min_jaccard * 0.5
            or max(est.containment_a, est.containment_b) >= settings.match.min_containment * 0.5
        )
        if loose:
            kept.append(other_id)
    return kept, records


class PageMatching(NamedTuple):
    """What match_page found, with the texts it compared (the page's and its candidates'), prepared."""

    found: Matched
    page: MatchInput | None  # None when the page has no candidate (its paragraphs are not shingled then)
    others: dict[int, MatchInput]
    aligned: dict[int, dict[int, str]]  # each candidate's save_aligned links, as read with it


def match_page(
    services: Services,
    analysis: PageAnalysis,
    facts: PageFacts,
    hits: IndexHits,
    linked_ids: set[int],
    sites: dict[int, str] | None = None,
) -> PageMatching:
    """The page's edges with the candidates that share a story with it (`found.edges`), and what else
    matching found (`found.aligned`); `sites` gets the site of each candidate read (page id -> site)."""
    settings = services.settings
    kept, records = _candidates(services, analysis, facts, hits, linked_ids)
    candidate_ids = kept[: settings.match.max_aligned]
    if not candidate_ids:
        return PageMatching(Matched([], []), None, {}, {})
    n = settings.fingerprint.shingle_words
    prepared = analysis.prepared or prepare(analysis.main_text)
    # Shingled once for every candidate (passages_found reads them for each edge), from the prepared tokens.
    page = MatchInput(facts, analysis.main_text, analysis.shingles, prepared, paragraph_shingles_kept(prepared, n))
    stored = {i: found for i in candidate_ids if (found := records[i].text_and_facts()) is not None}
    others: dict[int, MatchInput] = {}
    for other_id in candidate_ids:
        other_text, other_facts = stored.get(other_id, (None, None))
        if other_facts is not None and sites is not None:
            sites[other_id] = other_facts.site
        if other_text is None or other_facts is None:
            continue  # stored without text (FARMWATCH_STORE_TEXT=false): the signature cut is all we have
        others[other_id] = MatchInput(other_facts, other_text, *stored_text_features(other_text, n))
    aligned = {i: records[i].aligned() for i in others if records[i].packed_aligned}
    return PageMatching(verify_all(page, list(others.values()), n, settings.match), page, others, aligned)


REGRADED_MOST = 16  # pages graded again with one page's earlier takes, at most (each aligned with a few)
EARLIER_READ_MOST = 16  # of a page's earlier pages on one publisher, the ones read to grade it with, at most


def _graded_with_earlier_takes(
    services: Services,
    matching: PageMatching,
    edges: list[tuple[Edge, Edge]],
    sites: dict[int, str],
    writes: redis.client.Pipeline,
) -> tuple[list[tuple[Edge, Edge]], set[int]]:
    """A page of a publisher arriving after a page on another publisher that takes from several of its
    pages (its takes of one story, the paper's story derived from them all): that page, graded with the
    publisher's pages it aligns with in part (KeyLayout.aligned, read with the candidates) and this one
    together, as verify_all grades it when it arrives last. Returns the page's edges with this one's in place,
    and the pages given edges. A round trip only where such earlier pages are found."""
    page, others = matching.page, matching.others
    if page is None:
        return edges, set()
    publisher = registrable_domain(page.facts.site)
    takers = [
        held
        for held, other, _ in matching.found.aligned
        if other == page.facts.id and held in others and published_before(page.facts, others[held].facts)
    ][:REGRADED_MOST]
    if not takers:
        return edges, set()
    pages, settings = services.pages, services.settings
    links = matching.aligned
    earlier = {  # the latest to arrive first (a live story's many updates: the read stays bounded)
        taker: sorted(
            (o for o, p in links.get(taker, {}).items() if p == publisher and o not in (page.facts.id, taker)),
            reverse=True,
        )[:EARLIER_READ_MOST]
        for taker in takers
    }
    wanted = sorted({o for found in earlier.values() for o in found} - set(others))
    if not any(earlier.values()):
        return edges, set()
    n = settings.fingerprint.shingle_words
    read = pages.texts_and_facts(wanted) if wanted else {}
    gone = set(wanted) - set(read)  # deleted since they were linked: the links go (they held read slots)
    for taker in takers if gone else ():
        pages.forget_aligned(taker, [o for o in earlier[taker] if o in gone], writes)
    inputs = {i: MatchInput(f, t, *stored_text_features(t, n)) for i, (t, f) in read.items() if t} | others
    sites.update({i: m.facts.site for i, m in inputs.items()})
    mine = {e.other: i for i, (e, _) in enumerate(edges)}
    edges = list(edges)
    regraded: set[int] = set()
    for taker in takers:
        members = [page, *(inputs[o] for o in earlier[taker] if o in inputs)]
        if len(members) < 2:
            continue
        found = graded_with_publisher(others[taker], members, n, settings.match)
        for theirs, ours in found:  # from the taker's side: (taker -> member, member -> taker)
            if theirs.other == page.facts.id:
                if taker in mine:
                    edges[mine[taker]] = (ours, theirs)
                else:
                    edges.append((ours, theirs))
            else:
                pages.save_edges(taker, [(theirs, ours)], pipe=writes)
                regraded.add(theirs.other)
        if found:
            regraded.add(taker)
    return edges, regraded


class _PreparedTexts:
    """Stored pages' texts prepared for alignment, keyed by the text itself (an edited page is prepared anew),
    the least recently used dropped past `size`; each with its shingles and paragraph shingles, per shingle
    length, made when first asked for. The pages of one story meet again and again as its copies arrive, and
    a page this process ingested is here already (`remember`): its copies need not prepare it again."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._texts: OrderedDict[str, tuple[PreparedText, dict[int, tuple[np.ndarray, list[np.ndarray]]]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def remember(self, prepared: PreparedText) -> None:
        """Keep a text prepared elsewhere (prepare() of the same text gives the same arrays)."""
        with self._lock:
            if prepared.text in self._texts:
                self._texts.move_to_end(prepared.text)
            else:
                self._put(prepared.text, (prepared, {}))

    def features(self, text: str, shingle_words: int) -> tuple[np.ndarray, PreparedText, list[np.ndarray]]:
        with self._lock:
            found = self._texts.get(text)
            if found is not None:
                self._texts.move_to_end(text)
        if found is None:
            found = (prepare(text), {})
            with self._lock:
                self._put(text, found)
        prepared, shingled = found
        made = shingled.get(shingle_words)
        if made is None:
            made = shingled[shingle_words] = (
                prepared_shingle_hashes(prepared, shingle_words),
                paragraph_shingles_kept(prepared, shingle_words),
            )
        return made[0], prepared, made[1]

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()

    def _put(self, text: str, entry: tuple[PreparedText, dict[int, tuple[np.ndarray, list[np.ndarray]]]]) -> None:
        self._texts[text] = entry
        while len(self._texts) > self.size:
            self._texts.popitem(last=False)


_PREPARED_TEXTS = _PreparedTexts(2048)


def paragraph_shingles_kept(prepared: PreparedText, shingle_words: int) -> list[np.ndarray]:
    """prepared_paragraph_shingles, kept with the prepared text: a page's are made when it is matched, and
    its text, kept prepared (_PREPARED_TEXTS.remember), is a candidate's when its copies arrive."""
    key = ("paragraph_shingles", shingle_words)
    found = prepared.derived.get(key)
    if found is None:
        found = prepared.derived[key] = prepared_paragraph_shingles(prepared, shingle_words)
    return found


def stored_text_features(text: str, shingle_words: int) -> tuple[np.ndarray, PreparedText, list[np.ndarray]]:
    """A stored page's shingles, its text prepared for alignment and its paragraphs' shingles (cached)."""
    return _PREPARED_TEXTS.features(text, shingle_words)


def refuse_fetched_original(services: Services, url: str) -> None:
    """Raise FetchedOriginal when the page stored under url (or a URL that redirected to it) was fetched by
    the service itself: client-supplied content never replaces it (the API and bulk import alike)."""
    stored_id = services.pages.page_id(normalize_url(url))
    stored = services.pages.facts([stored_id]).get(stored_id) if stored_id is not None else None
    if stored is not None and stored.origin == "fetched":
        raise FetchedOriginal.at(url)


def submit_html(
    services: Services,
    url: str,
    body: bytes | str,
    *,
    origin: str = "client",
    content_type: str | None = None,
    published_hint: str | None = None,
) -> PageReport:
    """Analyse, store and judge a page; returns its report as built (nothing is read back).
    Raises InputError for non-HTML input.

    Client-supplied HTML (`origin="client"`) never replaces a page the service fetched itself under the
    same URL (or a URL that redirected to it): it is refused with 409 `fetched_original`, before any work.
    Refused rather than kept apart: a page is stored once per URL and every report, edge and look-up reads
    that one record, so a second, unverified version beside it would have to be threaded through all of
    them to be shown, and the fetched page is already what the service can vouch for. A client that
    believes the page changed submits the URL alone, and the service fetches it again."""
    if origin != "fetched":
        refuse_fetched_original(services, url)
    analysis = analyze_html(
        body, url, content_type=content_type, published_hint=published_hint, settings=services.settings.fingerprint
    )
    done = ingest(services, analysis, origin)
    return PageReport(**done.document, main_text=analysis.main_text, provenance=done.provenance)
