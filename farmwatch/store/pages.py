"""Pages, their match edges and sites in Redis (key names: farmwatch/store/layout.py).

Each command touches one key, so a Redis Cluster can hold them:
  page(id)        hash  facts (JSON), doc (zlib JSON), prov (JSON), text (zlib main text, optional),
                        (zlib streams written by store/zipped.py),
                        fp: what the matcher needs, packed (see pack_fingerprint): shingle count,
                        MinHash folded to 16 bits, 48-bit containment-sample buckets. The band
                        buckets are not stored: they are derived from the signature again.
  edges(id)       hash  other page id -> edge (JSON)
  url_to_id       hash  normalised URL -> page id (page_id_counter hands out ids; one hash tag)
  site_pages(s)   zset  page ids of the site, scored by first-seen time
  sites           zset  hosts, scored by pages seen
  site_stats(s)   hash  the site's count of pages judged republished, and its share when last settled
  sites_changed   set   sites whose count changed since settle last looked at them
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import redis
from redis.cluster import RedisCluster
from redis.exceptions import NoScriptError

from farmwatch.analysis.facts import PageFacts
from farmwatch.analysis.fingerprint import band_keys, compact_signature, signature_from_bytes
from farmwatch.analysis.matching import Edge
from farmwatch.config import FingerprintSettings
from farmwatch.errors import FetchedOriginal
from farmwatch.store.layout import KeyLayout
from farmwatch.store.lsh import pack_buckets, unpack_buckets
from farmwatch.store.scripts import queue_script
from farmwatch.store.zipped import pack, unpack

_GET_OR_CREATE_ID = """
local id = redis.call('HGET', KEYS[1], ARGV[1])
if id then return {tonumber(id), 0} end
id = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], id)
return {id, 1}
"""
# Count each of a page's block texts as seen once more on its site; returns how many texts the site has.
# One HMGET and one HSET per 1,000 texts rather than one HINCRBY a text: the same fields written in the same
# order (a text named twice counted twice), ~40 redis.call fewer a page (template counting on provenance-dev
# 217 -> 197 us a page of Redis time; most of the rest is scanning the site's listpack, once a field either way).
#
# Past LISTPACK_TEXTS texts the hash is made a hash table (a field whose value is longer than any listpack
# value, TABLE_MARKER bytes: Redis converts a hash holding one for good). A listpack, which a server tuned for
# the LSH index keeps up to 1,024 fields, is scanned once per field asked: a big site's counting and its
# template look-up cost ~0.3 ms of Redis time a page on provenance-dev (server CPU 1.23 -> 0.94 ms a page).
# ARGV: LISTPACK_TEXTS, TABLE_MARKER, then the texts' keys.
_COUNT_TEMPLATE = """
local seen, fields = {}, {}
for i = 3, #ARGV do
  local f = ARGV[i]
  if seen[f] then seen[f] = seen[f] + 1 else seen[f] = 1; fields[#fields + 1] = f end
end
-- Counts read and written as strings, each distinct one converted once a call: tonumber (strtod) and a number
-- argument to redis.call (snprintf "%.17g", the digits tostring gives an integer) cost ~0.5k and ~2k
-- instructions, and a page's texts have a few distinct counts.
local after = {}
local function plus(count, add)
  local row = after[add]
  if not row then
    row = {}
    after[add] = row
  end
  local new = row[count]
  if not new then
    new = tostring((tonumber(count) or 0) + add)
    row[count] = new
  end
  return new
end
for start = 1, #fields, 1000 do
  local chunk = {}
  for i = start, math.min(start + 999, #fields) do chunk[#chunk + 1] = fields[i] end
  local got = redis.call('HMGET', KEYS[1], unpack(chunk))
  local set = {}
  for i = 1, #chunk do
    set[2 * i - 1] = chunk[i]
    set[2 * i] = plus(got[i], seen[chunk[i]])
  end
  redis.call('HSET', KEYS[1], unpack(set))
end
local n = redis.call('HLEN', KEYS[1])
if n > tonumber(ARGV[1]) and redis.call('HEXISTS', KEYS[1], '') == 0 then
  redis.call('HSET', KEYS[1], '', string.rep('-', tonumber(ARGV[2])))
end
return n
"""

# A client-supplied record is written only when the stored one was not fetched by the service; checked and
# written in one script, so a fetch landing between a submission's early check and its write still wins.
# Returns 1 when written, 0 when refused.
_SAVE_UNLESS_FETCHED = """
local facts = redis.call('HGET', KEYS[1], 'facts')
if facts then
  local ok, stored = pcall(cjson.decode, facts)
  if ok and stored.origin == 'fetched' then return 0 end
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def pack_fingerprint(signature: bytes | np.ndarray, size: int, buckets: list[int], bands: int) -> bytes:
    """4-byte shingle count + 16-bit signature + 6 bytes per sample bucket (~470 bytes a page).

    buckets is the page's band buckets followed by its sample buckets; the first `bands` are left out."""
    if isinstance(signature, bytes | bytearray):
        signature = np.frombuffer(signature, dtype=np.uint32)
    sig = compact_signature(signature)
    return struct.pack("<IH", size, len(sig)) + sig + pack_buckets(buckets[bands:] if buckets else [])


def unpack_fingerprint(raw: bytes) -> tuple[int, bytes, list[int]]:
    size, sig_len = struct.unpack_from("<IH", raw)
    return size, raw[6 : 6 + sig_len], unpack_buckets(raw[6 + sig_len :])


def facts_to_json(facts: PageFacts) -> bytes:
    # orjson writes the dataclass itself (datetimes as isoformat() does): no asdict() deep copy.
    return orjson.dumps(facts)


def facts_from_json(raw: bytes) -> PageFacts:
    data = orjson.loads(raw)
    if data.get("published_at"):
        data["published_at"] = datetime.fromisoformat(data["published_at"])
    return PageFacts(**data)


@dataclass(slots=True)
class Candidate:
    """A candidate page as matching reads it (PageStore.candidates): its signature cut first, then, for the
    candidates kept, its text and facts (as signatures() then texts_and_facts() give them)."""

    signature: bytes
    size: int  # shingles
    keys: int  # reuse keys
    packed_text: bytes | None
    packed_facts: bytes | None
    packed_aligned: dict[bytes, bytes]  # its save_aligned links, as read

    def aligned(self) -> dict[int, str]:
        """The pages on other publishers its text aligns with in part (other page id -> publisher)."""
        return {int(other): publisher.decode() for other, publisher in self.packed_aligned.items()}

    def text_and_facts(self) -> tuple[str | None, PageFacts] | None:
        if not self.packed_facts:
            return None
        text = unpack(self.packed_text).decode() if self.packed_text else None
        return text, facts_from_json(self.packed_facts)


TEMPLATE_FIELDS = 50_000  # block texts counted per site before the ones seen once are forgotten
LISTPACK_TEXTS = 128  # a site's template hash is made a hash table past this many texts (_COUNT_TEMPLATE)
TABLE_MARKER = 8192  # bytes of the field (named "") that makes it one: more than any listpack value
_TABLE_ARGS = (LISTPACK_TEXTS, TABLE_MARKER)


@dataclass(slots=True)
class IngestState:
    """A page's stored state, read before it is (re)written."""

    first_seen: float | None  # None: the page is new
    provenance: dict | None  # its verdict as stored
    buckets: list[int]  # its index buckets, to take out if they change
    neighbours: list[int]  # pages it shared text with
    site_pages: int  # pages stored from its site
    template_counts: dict[int, int]  # on how many of the site's pages each of its block texts was seen
    linked_ids: list[int]  # stored pages it names as its source or canonical


class PageStore:
    def __init__(self, client: redis.Redis, prefix: str = "fw", fingerprint: FingerprintSettings | None = None) -> None:
        self.client = client
        self.prefix = prefix
        self.keys = KeyLayout(prefix)
        self.fingerprint = fingerprint or FingerprintSettings()
        # url2id and pid are one hash tag so the id script runs on one cluster node.
        self._id_script = client.register_script(_GET_OR_CREATE_ID)
        self._count_script = client.register_script(_COUNT_TEMPLATE)
        self._client_record_script = client.register_script(_SAVE_UNLESS_FETCHED)
        self._cluster = isinstance(client, RedisCluster)

    # --- keys ---
    def _page(self, page_id: int) -> str:
        return self.keys.page(page_id)

    def _edges(self, page_id: int) -> str:
        return self.keys.edges(page_id)

    def _site(self, host: str) -> str:
        return self.keys.site_pages(host)

    @property
    def _url2id(self) -> str:
        return self.keys.url_to_id

    @property
    def _pid(self) -> str:
        return self.keys.page_id_counter

    # --- ids ---
    def page_id(self, url: str, *, create: bool = False) -> int | None:
        if not create:
            raw = self.client.hget(self._url2id, url)
            return int(raw) if raw is not None else None
        page_id, _created = self._id_script(keys=[self._url2id, self._pid], args=[url])
        return int(page_id)

    def page_ids(self, urls: list[str]) -> list[int | None]:
        if not urls:
            return []
        return [int(v) if v is not None else None for v in self.client.hmget(self._url2id, urls)]

    def add_alias(self, url: str, page_id: int) -> None:
        """Let another URL (say, the one a redirect started from) find the same page."""
        self.client.hsetnx(self._url2id, url, page_id)

    def count(self) -> int:
        return int(self.client.hlen(self._url2id))

    # --- pages ---
    def save_page(
        self,
        facts: PageFacts,
        doc: dict,
        signature: bytes,
        size: int,
        text: str | None,
        buckets: list[int],
        *,
        new: bool | None = None,
        template_keys: list[int] | None = None,
        also: Callable[[redis.client.Pipeline], None] | None = None,
    ) -> list:
        """Store a page. `new` (the page was not stored before) lets the site ranking be counted in the
        same round trip; template_keys are counted as seen once more on the page's site; `also` queues
        more commands in that round trip, after the record (a new page's first verdict, its index insert).
        Returns that round trip's replies (errors other than a lost script raised), for `also`'s commands.

        A client-supplied page's record goes first, on its own, and only where no page fetched by the
        service is stored under its id: else FetchedOriginal is raised with nothing written."""
        mapping: dict[str, bytes | int] = {
            "facts": facts_to_json(facts),
            "doc": pack(_dumps(doc)),
            "fp": self._pack(signature, size, buckets),
        }
        if text is not None:
            mapping["text"] = pack(text.encode())
        pipe = self.client.pipeline(transaction=False)
        if facts.origin == "client":
            flat = [item for pair in mapping.items() for item in pair]
            if not self._client_record_script(keys=[self._page(facts.id)], args=flat):
                raise FetchedOriginal.at(facts.url)
        else:
            pipe.hset(self._page(facts.id), mapping=mapping)
        pipe.zadd(self._site(facts.site), {str(facts.id): facts.first_seen}, nx=True)
        queued = len(pipe)  # the replies before the ones read below
        if new is None:
            # Whether the page is new is unknown: a second round trip reads the site's size.
            pipe.zcard(self._site(facts.site))
            if also is not None:
                also(pipe)
            replies = pipe.execute()
            self.client.zadd(self.keys.sites, {facts.site: replies[queued]})
            return replies
        if new:
            pipe.zincrby(self.keys.sites, 1, facts.site)
        template = self._template(facts.site)
        fields = [str(k) for k in template_keys or []]
        if fields:
            # One script call, not one HINCRBY per block text (a page has dozens).
            queue_script(pipe, self._count_script, [template], [*_TABLE_ARGS, *fields], cluster=self._cluster)
        if also is not None:
            also(pipe)
        replies = pipe.execute(raise_on_error=False)
        size = replies[queued + bool(new)] if fields else 0
        if isinstance(size, NoScriptError):  # the server lost its scripts (a restart): load, count again
            self.client.script_load(self._count_script.script)
            size = self._count_script(keys=[template], args=[*_TABLE_ARGS, *fields])
        for reply in replies:
            if isinstance(reply, Exception) and not isinstance(reply, NoScriptError):
                raise reply
        if size > TEMPLATE_FIELDS:
            self._prune_template(template)
        return replies

    def replace_sample_buckets(self, keys: dict[int, list[int]]) -> None:
        """Give pages new sample (reuse-key) buckets, keeping their stored signatures, in two round trips."""
        ids = list(keys)
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hget(self._page(page_id), "fp")
        pipe_w = self.client.pipeline(transaction=False)
        for page_id, raw in zip(ids, pipe.execute(), strict=True):
            if raw is None:
                continue
            _, sig_len = struct.unpack_from("<IH", raw)
            pipe_w.hset(self._page(page_id), "fp", raw[: 6 + sig_len] + pack_buckets(keys[page_id]))
        pipe_w.execute()

    def save_fingerprints(self, rows: list[tuple[int, bytes | np.ndarray, int, list[int]]]) -> None:
        """Only what the matcher needs (signature, set size, buckets) for many pages, in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        for page_id, signature, size, buckets in rows:
            pipe.hset(self._page(page_id), "fp", self._pack(signature, size, buckets))
        pipe.execute()

    def _pack(self, signature: bytes | np.ndarray, size: int, buckets: list[int]) -> bytes:
        # Pages too short to match have no buckets at all (no band buckets to leave out either).
        return pack_fingerprint(signature, size, buckets, self.fingerprint.bands if buckets else 0)

    def open_page(self, url: str, host: str, template_keys: list[int], linked: list[str]) -> tuple[int, IngestState]:
        """The page's id (created if the URL is new) and what ingesting it needs to know before it writes.

        One round trip for a new page (its id, its site's size and template counts, the pages it links as
        its source or canonical); a page stored before takes a second one for its own record and edges.
        `linked` are the URLs the page names as its source or canonical, looked up as stored pages."""
        pipe = self.client.pipeline(transaction=False)
        queue_script(pipe, self._id_script, [self._url2id, self._pid], [url], cluster=self._cluster)
        pipe.zcard(self._site(host))
        # Nothing asked where there is nothing to ask (most pages name no other page as their source).
        if template_keys:
            pipe.hmget(self._template(host), [str(k) for k in template_keys])
        if linked:
            pipe.hmget(self._url2id, linked)
        try:
            (page_id, created), site_pages, *asked = pipe.execute()
        except NoScriptError:  # the server lost its scripts (a restart): load it, ask again
            self.client.script_load(self._id_script.script)
            return self.open_page(url, host, template_keys, linked)
        page_id = int(page_id)
        counts = asked.pop(0) if template_keys else []
        linked_ids = asked.pop(0) if linked else []
        state = IngestState(
            first_seen=None,
            provenance=None,
            buckets=[],
            neighbours=[],
            site_pages=int(site_pages),
            template_counts={k: int(v) for k, v in zip(template_keys, counts, strict=False) if v is not None},
            linked_ids=[int(v) for v in linked_ids if v is not None and int(v) != page_id],
        )
        if created:
            return page_id, state
        pipe = self.client.pipeline(transaction=False)
        pipe.hmget(self._page(page_id), ["facts", "fp", "prov"])
        pipe.hkeys(self._edges(page_id))
        (facts, fp, prov), neighbours = pipe.execute()
        state.first_seen = facts_from_json(facts).first_seen if facts else None
        state.provenance = orjson.loads(prov) if prov else None
        state.buckets = self._buckets_of(fp)
        state.neighbours = [int(k) for k in neighbours]
        return page_id, state

    def neighbourhood(
        self, ids: list[int], pipe: redis.client.Pipeline | None = None
    ) -> dict[int, tuple[PageFacts, dict | None, list[Edge]]]:
        """Facts, current provenance and edges of each page, in one round trip (what judging reads); on
        `pipe` when given, after the writes queued on it (which it sends)."""
        return self.neighbourhood_and_site_counts(ids, [], pipe)[0]

    def neighbourhood_and_site_counts(
        self, ids: list[int], sites: list[str], pipe: redis.client.Pipeline | None = None
    ) -> tuple[dict[int, tuple[PageFacts, dict | None, list[Edge]]], dict[str, tuple[int, int]]]:
        """neighbourhood(ids) and site_counts(sites) in one round trip (judging reads a page's neighbours and
        their sites' records one after the other: where it knows the sites already, it need not wait); on
        `pipe` when given, after the writes queued on it (which it sends)."""
        pipe = self.client.pipeline(transaction=False) if pipe is None else pipe
        queued = len(pipe)
        for page_id in ids:
            pipe.hmget(self._page(page_id), ["facts", "prov"])
            pipe.hgetall(self._edges(page_id))
        self._queue_site_records(pipe, sites)
        replies = pipe.execute()[queued:]
        counts = self._counts_of(sites, self._site_records_of(sites, replies[2 * len(ids) :]))
        return self._neighbourhood_of(ids, replies), counts

    def _neighbourhood_of(self, ids: list[int], replies: list) -> dict[int, tuple[PageFacts, dict | None, list[Edge]]]:
        found = {}
        for index, page_id in enumerate(ids):
            (facts, prov), edges = replies[2 * index], replies[2 * index + 1]
            if facts is None:
                continue
            found[page_id] = (
                facts_from_json(facts),
                orjson.loads(prov) if prov else None,
                [Edge(**orjson.loads(v)) for v in edges.values()],
            )
        return found

    def facts(self, ids: list[int]) -> dict[int, PageFacts]:
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hget(self._page(page_id), "facts")
        return {i: facts_from_json(raw) for i, raw in zip(ids, pipe.execute(), strict=True) if raw}

    def signatures(self, ids: list[int]) -> dict[int, tuple[bytes, int, int]]:
        """Each page's stored MinHash, shingle count and number of reuse keys, in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hget(self._page(page_id), "fp")
        out = {}
        for page_id, raw in zip(ids, pipe.execute(), strict=True):
            if raw:
                size, sig_len = struct.unpack_from("<IH", raw)
                out[page_id] = (raw[6 : 6 + sig_len], size, (len(raw) - 6 - sig_len) // 6)
        return out

    def candidates(self, ids: list[int]) -> dict[int, Candidate]:
        """What matching reads of each candidate page, in one round trip: its stored MinHash, shingle count
        and number of reuse keys, with its text, facts and save_aligned links (unpacked only for the candidates
        kept)."""
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hmget(self._page(page_id), ["fp", "text", "facts"])
            pipe.hgetall(self.keys.aligned(page_id))
        out = {}
        replies = iter(pipe.execute())
        for page_id, (raw, text, facts), aligned in zip(ids, replies, replies, strict=True):
            if raw:
                size, sig_len = struct.unpack_from("<IH", raw)
                keys = (len(raw) - 6 - sig_len) // 6
                out[page_id] = Candidate(raw[6 : 6 + sig_len], size, keys, text, facts, aligned)
        return out

    def texts_and_facts(self, ids: list[int]) -> dict[int, tuple[str | None, PageFacts]]:
        """Main text (None when not stored) and facts of each page, in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hmget(self._page(page_id), ["text", "facts"])
        return {
            page_id: (unpack(text).decode() if text else None, facts_from_json(facts))
            for page_id, (text, facts) in zip(ids, pipe.execute(), strict=True)
            if facts
        }

    def docs(self, ids: list[int]) -> dict[int, dict]:
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hmget(self._page(page_id), ["doc", "prov"])
        out = {}
        for page_id, (doc, prov) in zip(ids, pipe.execute(), strict=True):
            if doc is None:
                continue
            data = orjson.loads(unpack(doc))
            if "main_text" not in data:  # stored without it since it is the paragraphs joined
                data["main_text"] = "\n".join(data.get("paragraphs") or [])
            data["provenance"] = orjson.loads(prov) if prov else None
            out[page_id] = data
        return out

    def provenances(self, ids: list[int]) -> dict[int, dict]:
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hget(self._page(page_id), "prov")
        return {i: orjson.loads(raw) for i, raw in zip(ids, pipe.execute(), strict=True) if raw}

    def buckets(self, page_id: int) -> list[int]:
        """The page's index buckets (band buckets derived from the stored signature, then its samples)."""
        return self._buckets_of(self.client.hget(self._page(page_id), "fp"))

    def buckets_many(self, ids: list[int]) -> dict[int, list[int]]:
        """The index buckets of many pages in one round trip (pages that no longer exist are left out)."""
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hget(self._page(page_id), "fp")
        return {i: self._buckets_of(raw) for i, raw in zip(ids, pipe.execute(), strict=True) if raw is not None}

    def last_page_id(self) -> int:
        """The highest page id handed out so far (ids start at 1 and are never reused)."""
        return int(self.client.get(self._pid) or 0)

    def _buckets_of(self, raw: bytes | None) -> list[int]:
        if not raw:
            return []
        _, sig, samples = unpack_fingerprint(raw)
        if not samples:
            return []
        return band_keys(signature_from_bytes(sig), self.fingerprint) + samples

    def save_provenance(self, page_id: int, provenance: dict, pipe: redis.client.Pipeline | None = None) -> bytes:
        """Store the page's provenance; returns it as stored (a reader decodes those bytes)."""
        encoded = _dumps(provenance)
        (pipe or self.client).hset(self._page(page_id), "prov", encoded)
        return encoded

    # --- edges ---
    def save_edges(
        self, page_id: int, edges: list[tuple[Edge, Edge]], pipe: redis.client.Pipeline | None = None
    ) -> None:
        """Store each edge on both pages; edges[i] = (edge from page_id, edge from the other page). orjson
        writes the dataclasses themselves (no asdict() deep copy of their spans). On `pipe` when given: the
        caller sends it."""
        writes = self.client.pipeline(transaction=False) if pipe is None else pipe
        for mine, theirs in edges:
            writes.hset(self._edges(page_id), str(mine.other), _dumps(mine))
            writes.hset(self._edges(mine.other), str(page_id), _dumps(theirs))
        if pipe is None:
            writes.execute()

    def save_aligned(self, links: list[tuple[int, int, str]], pipe: redis.client.Pipeline) -> None:
        """(page, other page, other's publisher): the page's text aligns in part with the other's, which is no
        source of it alone (KeyLayout.aligned). On the caller's pipeline."""
        for page_id, other, publisher in links:
            pipe.hset(self.keys.aligned(page_id), str(other), publisher)

    def forget_aligned(self, page_id: int, others: list[int], pipe: redis.client.Pipeline) -> None:
        """Drop the page's save_aligned links to pages no longer stored. A deleted page's links are dropped
        where they are next read, not when it is deleted: which pages hold a link to it is not kept (a
        reverse index would cost every ingest a write for what deletion needs rarely)."""
        if others:
            pipe.hdel(self.keys.aligned(page_id), *(str(other) for other in others))

    def edges(self, page_id: int) -> list[Edge]:
        raw = self.client.hgetall(self._edges(page_id))
        return [Edge(**orjson.loads(value)) for value in raw.values()]

    def drop_edges(
        self, page_id: int, neighbours: list[int] | None = None, pipe: redis.client.Pipeline | None = None
    ) -> list[int]:
        """Forget every edge of a page, and the pages it aligns with in part (before it is re-analysed);
        returns the former neighbours. On `pipe` when given: the caller sends it."""
        if neighbours is None:
            neighbours = [int(k) for k in self.client.hkeys(self._edges(page_id))]
        writes = self.client.pipeline(transaction=False) if pipe is None else pipe
        for other in neighbours:
            writes.hdel(self._edges(other), str(page_id))
        writes.delete(self._edges(page_id))
        writes.delete(self.keys.aligned(page_id))  # one key a command: a cluster's pipeline takes no more
        if pipe is None:
            writes.execute()
        return neighbours

    # --- site templates ---
    def _template(self, host: str) -> str:
        return self.keys.site_template(host)

    def _prune_template(self, key: str) -> None:
        """Forget block texts seen once: a big site's one-off paragraphs are not its template."""
        once = [field for field, count in self.client.hscan_iter(key, count=1000) if count == b"1"]
        for start in range(0, len(once), 1000):
            self.client.hdel(key, *once[start : start + 1000])

    # --- sites ---
    def site_page_ids(self, host: str, limit: int = 10_000) -> list[int]:
        return [int(x) for x in self.client.zrevrange(self._site(host), 0, limit - 1)]

    def site_size(self, host: str) -> int:
        return int(self.client.zcard(self._site(host)))

    def sites(self, offset: int = 0, limit: int = 100) -> list[tuple[str, int]]:
        rows = self.client.zrevrange(self.keys.sites, offset, offset + limit - 1, withscores=True)
        return [(host.decode(), int(score)) for host, score in rows]

    # --- site statistics ---
    def count_verdict_change(self, site: str, was_republished: bool, now_republished: bool, pipe: Any) -> None:
        """Keep the site's count of republished pages current (queued on `pipe`)."""
        if was_republished != now_republished:
            pipe.hincrby(self.keys.site_stats(site), "republished", 1 if now_republished else -1)
            pipe.sadd(self.keys.sites_changed, site)

    def moved_sites(self, step: float, most: int = 100) -> list[tuple[str, float]]:
        """Sites whose share of republished pages moved by `step` or more since their pages were last judged
        again for it (judging.settle), with that share now. Up to `most` changed sites are taken off the
        list; the ones that moved less are measured again at their next change, against the same mark."""
        # SPOP hands the sites out in random order, and the order they are settled in can change verdicts
        # (a site's record weighs its neighbours'): sorted, the same pages give the same reports every run.
        sites = sorted(s.decode() for s in self.client.spop(self.keys.sites_changed, most) or [])
        moved = []
        for site, (total, (republished, settled)) in zip(sites, self._site_records(sites, "settled"), strict=True):
            share = int(republished or 0) / total if total else 0.0
            if abs(share - float(settled or 0.0)) >= step:
                moved.append((site, share))
        return moved

    def mark_changed(self, sites: list[str]) -> None:
        if sites:
            self.client.sadd(self.keys.sites_changed, *sites)

    def mark_settled(self, site: str, share: float) -> None:
        self.client.hset(self.keys.site_stats(site), "settled", repr(share))

    def site_pages_with_edges(self, site: str, batch: int = 500) -> list[int]:
        """The site's pages that share text with another page, oldest first."""
        ids = [int(v) for v in self.client.zrange(self._site(site), 0, -1)]
        out = []
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            pipe = self.client.pipeline(transaction=False)
            for page_id in chunk:
                pipe.exists(self._edges(page_id))
            out += [page_id for page_id, has in zip(chunk, pipe.execute(), strict=True) if has]
        return out

    def site_counts(self, sites: list[str]) -> dict[str, tuple[int, int]]:
        """(pages stored, pages judged republished) of each site, in one round trip."""
        return self._counts_of(sites, self._site_records(sites))

    @staticmethod
    def _counts_of(sites: list[str], records: list[tuple[int, list[bytes | None]]]) -> dict[str, tuple[int, int]]:
        return {
            site: (total, int(republished or 0)) for site, (total, (republished,)) in zip(sites, records, strict=True)
        }

    def _site_records(self, sites: list[str], *fields: str) -> list[tuple[int, list[bytes | None]]]:
        """Each site's pages stored, and its count of pages judged republished then `fields` of its stats, in
        one round trip (none for no sites)."""
        if not sites:
            return []
        pipe = self.client.pipeline(transaction=False)
        self._queue_site_records(pipe, sites, *fields)
        return self._site_records_of(sites, pipe.execute())

    def _queue_site_records(self, pipe: redis.client.Pipeline, sites: list[str], *fields: str) -> None:
        for site in sites:
            pipe.zcard(self._site(site))
            pipe.hmget(self.keys.site_stats(site), ["republished", *fields])

    @staticmethod
    def _site_records_of(sites: list[str], replies: list) -> list[tuple[int, list[bytes | None]]]:
        return [(int(replies[2 * i]), replies[2 * i + 1]) for i in range(len(sites))]

    def _resize_site(self, site: str) -> None:
        remaining = self.site_size(site)
        if remaining:
            self.client.zadd(self.keys.sites, {site: remaining})
        else:
            self.client.zrem(self.keys.sites, site)

    # --- removal, export and import of whole records ---
    def remove_page(self, page_id: int, urls: set[str], facts: PageFacts | None, was_republished: bool) -> None:
        """Delete a page's record and its URLs, and take it off its site (its edges and index buckets are the
        caller's: they involve other pages)."""
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(self._page(page_id))
        for url in urls:
            pipe.hdel(self._url2id, url)
        if facts is not None:
            pipe.zrem(self._site(facts.site), str(page_id))
            self.count_verdict_change(facts.site, was_republished, False, pipe)
        pipe.execute()
        if facts is not None:
            self._resize_site(facts.site)

    def url_map(self, batch: int = 500) -> Iterator[tuple[str, int]]:
        """Every (URL, page id) the store answers look-ups for: pages' own URLs and their aliases."""
        for url, raw_id in self.client.hscan_iter(self._url2id, count=batch):
            yield url.decode(), int(raw_id)

    def raw_records(self, ids: list[int]) -> list[tuple[dict[bytes, bytes], dict[bytes, bytes], dict[bytes, bytes]]]:
        """Each page's stored fields, edges and save_aligned links as Redis holds them, in one round trip (for
        export)."""
        pipe = self.client.pipeline(transaction=False)
        for page_id in ids:
            pipe.hgetall(self._page(page_id))
            pipe.hgetall(self._edges(page_id))
            pipe.hgetall(self.keys.aligned(page_id))
        replies = pipe.execute()
        return [(replies[3 * n], replies[3 * n + 1], replies[3 * n + 2]) for n in range(len(ids))]

    def restore_page(
        self,
        facts: PageFacts,
        fields: dict[str, bytes],
        edges: dict[str, bytes],
        was_republished: bool,
        aligned: dict[str, str] | None = None,
    ) -> None:
        """Write an exported record back under facts.id, replacing whatever that id held."""
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(self._page(facts.id), self._edges(facts.id))
        pipe.delete(self.keys.aligned(facts.id))
        pipe.hset(self._page(facts.id), mapping=fields)
        if edges:
            pipe.hset(self._edges(facts.id), mapping=edges)
        if aligned:
            pipe.hset(self.keys.aligned(facts.id), mapping=aligned)
        pipe.zadd(self._site(facts.site), {str(facts.id): facts.first_seen})
        now_republished = bool(fields.get("prov") and orjson.loads(fields["prov"]).get("verdict") == "republished")
        self.count_verdict_change(facts.site, was_republished, now_republished, pipe)
        pipe.execute()
        self._resize_site(facts.site)

    # --- fetch validators (conditional re-fetches) ---
    def validators(self, url: str) -> dict | None:
        raw = self.client.hget(self.keys.validators, url)
        return orjson.loads(raw) if raw else None

    def save_validators(self, url: str, validators: dict | None) -> None:
        if validators:
            self.client.hset(self.keys.validators, url, orjson.dumps(validators))
        else:
            self.client.hdel(self.keys.validators, url)

    # --- short-lived cache of a site's farm score (look-ups read it on every request) ---
    def cached_farm_score(self, site: str) -> tuple[bool, float | None]:
        """(whether it is cached, the score: None for a site with no pages)."""
        cached = self.client.get(self.keys.farm_score_cache(site))
        if cached is None:
            return False, None
        return True, None if cached == b"-" else float(cached)

    def cache_farm_score(self, site: str, score: float | None, ttl_s: int) -> None:
        self.client.set(self.keys.farm_score_cache(site), "-" if score is None else repr(score), ex=ttl_s)

    # --- URL key migration (`farmwatch reindex`, after a change of normalize_url) ---
    def add_aliases(self, rows: list[tuple[str, int]]) -> int:
        """Let each URL find its page id unless the URL already names a page; returns how many were added."""
        if not rows:
            return 0
        pipe = self.client.pipeline(transaction=False)
        for url, page_id in rows:
            pipe.hsetnx(self._url2id, url, page_id)
        return sum(bool(added) for added in pipe.execute())
