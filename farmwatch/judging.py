"""Judge a page again and store the result: read its neighbourhood, decide (pure), write.

At most four round trips whatever the neighbourhood: the page (skipped when the caller knows it); its
neighbours (facts, verdicts, edges); the sites' records; the writes. A page that shares text with no other
page needs only the writes, which go on the caller's pipeline when one is given. In a run of judgements
(rejudge) a page read as an earlier page's neighbour is not read again, the sites' records come with the
neighbours where their sites are known, and a page whose neighbours and sites' records the run holds already
(read, or written by the run) reads nothing: a page and its copy judged after an ingest take two round trips
(the copy's neighbourhood with its sites' records, then both verdicts), not seven.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import orjson
import redis

from farmwatch.analysis.facts import PageFacts
from farmwatch.analysis.judge import decide, farm_shares, strongest
from farmwatch.analysis.matching import Edge
from farmwatch.report import Provenance
from farmwatch.services import Services
from farmwatch.store.layout import KeyLayout
from farmwatch.store.pages import facts_from_json, facts_to_json
from farmwatch.store.webhooks import queue_event, verdict_event

Neighbourhood = tuple[PageFacts, dict | None, list[Edge]]  # a page's facts, stored provenance and edges


@dataclass(slots=True)
class Judgement:
    previous: dict | None  # the provenance stored before
    provenance: Provenance  # the provenance stored now
    neighbours: list[int]  # every page that shares text with this one

    @property
    def verdict_changed(self) -> bool:
        """The verdict differs from the one stored before (a page judged for the first time: changed)."""
        return (self.previous or {}).get("verdict") != self.provenance.verdict


def judge(
    services: Services,
    page_id: int,
    known: Neighbourhood | None = None,
    pipe: redis.client.Pipeline | None = None,
    read: Reads | None = None,
) -> Judgement | None:
    """Re-derive a page's provenance from its edges and store it (on `pipe` when given: the caller
    executes it). `read`: what the caller's earlier judgements read, and their writes not sent yet, which
    go out with this judgement's first read and take this one's (see Reads)."""
    pages = services.pages
    pending = read.writes if read is not None else None
    own = known or pages.neighbourhood([page_id], pipe=pending).get(page_id)
    if own is None:
        return None
    facts, previous, all_edges = own
    edges, others, other_provenance = read_neighbours(services, facts, previous, all_edges, read=read)
    provenance = decide(facts, edges, others, other_provenance)
    stored = provenance.model_dump()
    writes = pipe if pipe is not None else pending
    if writes is None:
        writes = services.client.pipeline(transaction=False)
    encoded = pages.save_provenance(page_id, stored, pipe=writes)
    was = bool(previous and previous.get("verdict") == "republished")
    now = provenance.verdict == "republished"
    pages.count_verdict_change(facts.site, was, now, writes)
    if read is not None:
        read.wrote(page_id, facts, encoded, all_edges, was, now)
    services.review.update(facts, stored, pipe=writes)
    verdict_was = previous.get("verdict") if previous else None
    if verdict_was != provenance.verdict and (verdict_was is not None or provenance.verdict == "republished"):
        # A webhook event, on the same pipeline (no round trip): a new page judged original is no change.
        event = verdict_event(facts.url, facts.site, verdict_was, stored)
        queue_event(writes, KeyLayout(services.settings.key_prefix), "page.verdict_changed", event)
    if pipe is None and pending is None:
        writes.execute()
    return Judgement(previous, provenance, [e.other for e in all_edges])


def read_neighbours(
    services: Services,
    facts: PageFacts,
    previous: dict | None,
    all_edges: list[Edge],
    stored: bool = True,
    read: Reads | None = None,
) -> tuple[list[Edge], dict[int, PageFacts], dict[int, dict | None]]:
    """The strongest edges, the neighbours' facts (with their sites' farm shares set, and the page's own)
    and the neighbours' stored provenance, in at most two round trips; in one where `read` knows every
    neighbour's site. `stored=False`: the page is not in the store (a check), so its site's counts do not
    include it yet."""
    edges = strongest(all_edges)
    ids = [e.other for e in edges]
    known_sites: list[str] = []
    if edges and read is not None:
        read.sites[facts.id] = facts.site
        known_sites = list(dict.fromkeys([facts.site, *(read.sites[i] for i in ids if i in read.sites)]))
    pending = read.writes if read is not None else None
    held = read.stored if read is not None else {}
    # A neighbour the run holds already (read, or written by it) is not read again; when every one is, and
    # every site's record, nothing is read.
    local = read.around(ids, facts.site) if edges and read is not None else None
    if local is not None:
        around, counts = local
    elif edges:
        unknown = [i for i in ids if i not in held]
        fresh, counts = services.pages.neighbourhood_and_site_counts(unknown, known_sites, pipe=pending)
        around = {i: item for i in ids if (item := fresh.get(i) or held.get(i)) is not None}
    else:
        around, counts = {}, {}
    if read is not None:
        read.keep(around)
    others = {other_id: item[0] for other_id, item in around.items()}
    other_provenance = {other_id: item[1] for other_id, item in around.items()}
    facts.farm_share = 0.0  # the sites' records only weigh between pages that share text
    if others:
        everyone = [facts, *others.values()]
        sites = list(dict.fromkeys(p.site for p in everyone))
        missing = [site for site in sites if site not in counts]
        if missing and read is not None:  # records the run holds (read, with its own changes since)
            counts.update({site: read.counts[site] for site in missing if site in read.counts})
            missing = [site for site in missing if site not in counts]
        if missing:
            counts.update(services.pages.site_counts(missing))
        counts = {site: counts[site] for site in sites}
        if read is not None and local is None:
            read.counts.update(counts)
        if not stored:
            total, republished = counts.get(facts.site, (0, 0))
            counts[facts.site] = (total + 1, republished)  # one more page of its site, not republished
        shares = farm_shares(everyone, {facts.id: previous, **other_provenance}, counts)
        for page in everyone:
            page.farm_share = shares[page.id]
    return edges, others, other_provenance


class Reads:
    """What judging a run of pages has read, for the later ones (rejudge): each neighbour's own facts,
    provenance and edges, which are what judging that neighbour reads first (judging a page writes only its
    own provenance, so they are unchanged until the neighbour is judged itself), and the sites of the pages
    met, so a neighbourhood and its sites' records are read in one round trip. A page's neighbourhood is
    taken once: a page is judged once a run. `writes`: the run's writes not sent yet; the next read sends
    them first (Redis runs a pipeline in order, so it reads what they wrote) instead of a round trip each.

    `stored`: what the store holds now of each page the run read or judged (its facts, its provenance as
    the run last wrote it, decoded as a read decodes it, and its edges), and `counts`: each site's record as
    last read, with the run's own verdict changes since. A judgement whose neighbours and sites are all
    there reads nothing (a page's copy judged after the page itself, the page being known). As with `own`,
    only this run writes them in the meantime: a page is judged once a run, its site's record moves only
    by the verdicts the run changes."""

    __slots__ = ("counts", "own", "sites", "stored", "writes")

    def __init__(self, sites: dict[int, str] | None = None, writes: redis.client.Pipeline | None = None) -> None:
        self.own: dict[int, Neighbourhood] = {}
        self.sites: dict[int, str] = dict(sites or {})
        self.writes = writes
        self.stored: dict[int, Neighbourhood] = {}
        self.counts: dict[str, tuple[int, int]] = {}

    def keep(self, around: dict[int, Neighbourhood]) -> None:
        for page_id, item in around.items():
            self.own.setdefault(page_id, item)
            self.stored.setdefault(page_id, item)
            self.sites[page_id] = item[0].site

    def wrote(self, page_id: int, facts: PageFacts, provenance: bytes, edges: list[Edge], was: bool, now: bool) -> None:
        """A judgement's writes: the page's provenance (as stored), and its site's count when the verdict
        changed."""
        known = self.stored.get(page_id)
        if known is None or known[0] is not facts:
            # Facts the caller had in hand (a page just stored): as a read would decode what it stored.
            facts = facts_from_json(facts_to_json(facts))
        self.stored[page_id] = (facts, orjson.loads(provenance), edges)
        if was != now and facts.site in self.counts:
            total, republished = self.counts[facts.site]
            self.counts[facts.site] = (total, republished + (1 if now else -1))

    def around(self, ids: list[int], site: str) -> tuple[dict[int, Neighbourhood], dict[str, tuple[int, int]]] | None:
        """The neighbours' state and their sites' records as a read would give them, when all are known."""
        if site not in self.counts or any(i not in self.stored for i in ids):
            return None
        around = {i: self.stored[i] for i in ids}
        counts = {site: self.counts[site]}
        for facts, _, _ in around.values():
            if facts.site not in self.counts:
                return None
            counts[facts.site] = self.counts[facts.site]
        return around, counts

    def take(self, page_id: int) -> Neighbourhood | None:
        return self.own.pop(page_id, None)

    def prefetch(self, services: Services, ids: list[int]) -> None:
        """Read the pages of `ids` the run holds not, then their sites' records it holds not, a round trip
        each (per PREFETCH pages), after the run's writes: judging pages next to them then reads nothing.
        Read now or when a judgement would, a page not judged yet is the same (see the class)."""
        unknown = [i for i in dict.fromkeys(ids) if i not in self.stored]
        for start in range(0, len(unknown), PREFETCH):
            self.keep(services.pages.neighbourhood(unknown[start : start + PREFETCH], pipe=self.writes))
        missing = [
            site for site in dict.fromkeys(item[0].site for item in self.stored.values()) if site not in self.counts
        ]
        if missing:
            self.counts.update(services.pages.neighbourhood_and_site_counts([], missing, pipe=self.writes)[1])


def rejudge(
    services: Services,
    page_ids: list[int],
    known: dict[int, Neighbourhood] | None = None,
    limit: int = 64,
    sites: dict[int, str] | None = None,
    writes: redis.client.Pipeline | None = None,
) -> dict[int, Provenance]:
    """Judge pages again; where a verdict flips, its neighbours' rankings may change too, so follow.
    Returns each judged page's latest provenance, every write sent. `sites`: page id -> site, where the
    caller knows them; `writes`: the caller's writes not sent yet (they go first, with the first read)."""
    pending = list(dict.fromkeys(page_ids))
    seen = set(pending)
    known = known or {}
    unsent = writes if writes is not None else services.client.pipeline(transaction=False)
    read = Reads(sites, unsent)
    latest: dict[int, Provenance] = {}
    try:
        while pending and len(seen) <= limit:
            page_id = pending.pop(0)
            own = read.take(page_id)
            judged = judge(services, page_id, known.get(page_id) or own, read=read)
            if judged is None:
                continue
            latest[page_id] = judged.provenance
            if not judged.verdict_changed:
                continue
            for other in judged.neighbours:
                if other not in seen:
                    seen.add(other)
                    pending.append(other)
    finally:  # the last judgement's writes (and any a failure left queued) are sent whatever happens
        if len(unsent):
            unsent.execute()
    return latest


# A site's share of republished pages weighs in every pair one of its pages is in (the farm-site evidence).
# A pair judged while the site had no record yet (its first pages) keeps that verdict until something
# judges it again: settle() judges again the pages of every site whose share moved by SETTLE_STEP since
# its pages were last judged for it, and their neighbours, until no site moves (a fixed point). A site of
# N pages moves by SETTLE_STEP after SETTLE_STEP * N verdict changes, so this costs about 1 / SETTLE_STEP
# judgements per verdict change, whatever the site's size.
SETTLE_STEP = 0.1
PREFETCH = 500  # a site's pages read per round trip when settling it


@dataclass(slots=True)
class Settled:
    sites: int = 0  # sites whose pages were judged again
    judged: int = 0  # pages judged again
    changed: int = 0  # of them, pages whose verdict changed


def settle(services: Services, max_pages: int = 10_000) -> Settled:
    """Judge again the pages that sites' changed records weigh on (see SETTLE_STEP), at most about
    `max_pages` of them; the sites left over stay on the list for the next call."""
    pages = services.pages
    done = Settled()
    while done.judged < max_pages:
        moved = pages.moved_sites(SETTLE_STEP)
        if not moved:
            break
        for number, (site, share) in enumerate(moved):
            if done.judged >= max_pages:  # out of budget: the rest wait for the next call
                pages.mark_changed([site for site, _ in moved[number:]])
                break
            own = pages.site_pages_with_edges(site)
            # One run of judgements (as rejudge's): the site's pages are read in one round trip, a page
            # read as another's neighbour is not read again, and the writes go out with the next read.
            # Each page is judged once in it (own and others are apart), as Reads requires.
            read = Reads({page_id: site for page_id in own}, services.client.pipeline(transaction=False))
            try:
                read.prefetch(services, own)
                read.prefetch(services, _nearest(read, own))
                neighbours: set[int] = set()
                for page_id in own:
                    judged = judge(services, page_id, read.take(page_id), read=read)
                    if judged is not None:
                        neighbours.update(judged.neighbours)
                        done.changed += judged.verdict_changed
                # Their neighbours on other sites weigh this site's record in the same pairs.
                others = neighbours.difference(own)
                read.prefetch(services, _nearest(read, others))
                for page_id in others:
                    judged = judge(services, page_id, read.take(page_id), read=read)
                    done.changed += judged is not None and judged.verdict_changed
            finally:
                if len(read.writes):
                    read.writes.execute()
            pages.mark_settled(site, share)
            done.sites += 1
            done.judged += len(own) + len(others)
    return done


def _nearest(read: Reads, ids: Iterable[int]) -> list[int]:
    """The neighbours judging these pages weighs (their strongest edges'), where the run holds the pages."""
    return [e.other for i in ids if (item := read.own.get(i)) is not None for e in strongest(item[2])]
