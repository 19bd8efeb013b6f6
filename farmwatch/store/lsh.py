"""A MinHash LSH index on Redis: compact, flat in cost as it grows, safe for many writers.

Why not datasketch's Redis storage: it makes one round trip per band on query, keeps b + 1 keys per
document (~10 KB), and its duplicate check is not atomic across processes (see
../shared/notes/datasketch-on-redis.md).

Layout. A bucket (a band or sample hash) is one field of a small Redis hash: its value is the packed
4-byte ids of the pages in it. The top `group_bits` of the bucket id choose a group; the next 32 bits are
the field. A group starts as one hash and grows by linear hashing: one new bucket in `load` splits the
group's next hash in two by one more bit of the field, so a group holds ~`load` buckets per hash. Every
hash stays a small listpack (~12 bytes per entry; a look-up scans it) at 10k pages as at 1B, and the index
costs no fixed memory beyond one hash per group. The group's first hash carries the group's number of
hashes (`n`) ahead of its buckets.

Every operation on a bucket is a Lua script that reads the group's state and finds the bucket's hash on
the server, so readers and writers never act on a stale layout, a split is atomic, and indexing a page
twice, even from two processes at once, leaves one entry. On one server a page's buckets go in one script
call (one round trip); on a Redis Cluster each bucket is its own call. All of a group's hashes share one
hash tag ({group}), so a group lives in one cluster slot and the groups spread over every slot.

Bucket ids are 48 bits in the page records (so a page can be taken out of the index again); the index uses
the top group_bits + 32 of them. At a billion pages ~1e11 entries share 2^46 ids: a spurious shared
bucket per query is rare, and the signature check behind the index drops it.
"""

from __future__ import annotations

import struct
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import islice

import numpy as np
import redis
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.exceptions import NoScriptError

from farmwatch.errors import IndexLayoutError  # noqa: F401  (re-exported: raised by reindex.check_layout)
from farmwatch.store.layout import KeyLayout
from farmwatch.store.scripts import queue_script

BUCKET_BITS = 48
# A sample bucket (reuse key) holding more pages than this is left out of a look-up's counts: measured on
# bench/scale.py's Zipf-vocabulary pages at 10k, candidates per look-up 2,750 -> 6.9, planted copies all found.
COMMON_KEY_PAGES = 128
# ...but its COMMON_KEY_FIRST earliest members come back (a story very many pages carry: its first publishers).
COMMON_KEY_FIRST = 16
FIELD_BITS = 32
LAYOUT_VERSION = 3  # 3: sample buckets are reuse keys (content-word pairs), not 5-word shingles

# Shared by every script: where a bucket lives in its group, and a group's split.
_LINEAR_HASHING = """
local function hash_of(group, field, n)
  if n == 1 then return group end
  local p = 1
  while p * 2 <= n do p = p * 2 end
  local a, b, c = string.byte(field, 1, 3)
  local h = a + 256 * b + 65536 * c
  local i = h % p
  if i < n - p then i = h % (2 * p) end
  if i == 0 then return group end
  return group .. ':' .. i
end
-- The group's number of hashes (nil for a group with no bucket yet). Each distinct value read is converted
-- once a call: tonumber is a strtod (~0.4k instructions), and a call's groups have a few distinct n.
local n_of_text = {}
local function group_n(group)
  local raw = redis.call('HGET', group, 'n')
  if not raw then return nil end
  local n = n_of_text[raw]
  if not n then
    n = tonumber(raw)
    n_of_text[raw] = n
  end
  return n
end
local function split(group, n)
  local p = 1
  while p * 2 <= n do p = p * 2 end
  local s = n - p
  local from = group
  if s > 0 then from = group .. ':' .. s end
  local all = redis.call('HGETALL', from)
  local kept, moved = {}, {}
  for i = 1, #all, 2 do
    local f = all[i]
    local a, b, c = string.byte(f, 1, 3)
    if #f == 4 and (a + 256 * b + 65536 * c) % (2 * p) ~= s then
      moved[#moved + 1] = f
      moved[#moved + 1] = all[i + 1]
    else
      kept[#kept + 1] = f
      kept[#kept + 1] = all[i + 1]
    end
  end
  if #moved > 0 then
    -- Rebuilt rather than HDEL'd field by field (each HDEL scans the listpack). HGETALL lists the group's
    -- state first, so it stays at the head of the rebuilt hash.
    redis.call('DEL', from)
    if #kept > 0 then redis.call('HSET', from, unpack(kept)) end
    redis.call('HSET', group .. ':' .. (s + p), unpack(moved))
  end
  redis.call('HSET', group, 'n', n + 1)
end
"""
# Where a bucket's packed 4-byte ids hold `member` (nil if they do not): a plain find, kept where it lands on
# an id's boundary, instead of a substring made and compared per id (a bucket of 500 pages: 27 -> 0.2 us).
_MEMBER_AT = """
local function member_at(v, member)
  local at = string.find(v, member, 1, true)
  while at and at % 4 ~= 1 do at = string.find(v, member, at + 1, true) end
  return at
end
"""
# KEYS: the buckets' groups; ARGV: member, cap, split_below (256 / load), want, full, most, first, then the
# keys' fields in one MessagePack array (_msgpack_strings). Appends the member to each bucket unless present.
# Returns how many buckets were new for it, then (when `want` is 1) each bucket's members as they were before
# (false for an empty one): a match and an insert in one atomic call, so of two copies indexed at once the
# second always sees the first. Past the first `full` keys (the bands), a bucket of more than `most` pages
# comes back cut to its `first` earliest members and marked by one byte more (a length that is no multiple of
# 4): a common reuse key, which the client counts apart (Hits), so the server does not send the hundreds of
# members the client would drop.
_INSERT = (
    _LINEAR_HASHING
    + _MEMBER_AT
    + """
local member, cap, split_below, want = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local full, most, first = tonumber(ARGV[5]), 4 * tonumber(ARGV[6]), 4 * tonumber(ARGV[7])
local fields = cmsgpack.unpack(ARGV[8])
local out = {0}
for k = 1, #KEYS do
  local group, field = KEYS[k], fields[k]
  local n = group_n(group)
  -- A group's first hash holds n from its first bucket on: a group without n has no buckets.
  local key, v = group, false
  if n then
    key = hash_of(group, field, n)
    v = redis.call('HGET', key, field)
  end
  if want then
    if v and k > full and #v > most then out[k + 1] = string.sub(v, 1, first) .. '+' else out[k + 1] = v end
  end
  if not v then
    if n then
      redis.call('HSET', key, field, member)
    else
      -- A new group: its state and first bucket in one write (n first, as ever). '1' as a string: a number
      -- argument is formatted with snprintf("%.17g") by the server (~2k instructions, a new group a key).
      redis.call('HSET', group, 'n', '1', field, member)
      n = 1
    end
    out[1] = out[1] + 1
    -- One new bucket in `load` splits the group's next hash: the field's top byte is its coin (bucket
    -- ids are uniform), so no counter has to be kept up to date on every insert.
    if string.byte(field, 4) < split_below then split(group, n) end
  elseif #v / 4 < cap then
    if not member_at(v, member) then
      redis.call('HSET', key, field, v .. member)
      out[1] = out[1] + 1
    end
  end
end
return out
"""
)
# KEYS: groups; ARGV: full, most, first, then the keys' fields (one MessagePack array). The members of each
# bucket (false for an empty one; past the first `full` keys, a bucket of more than `most` pages cut and
# marked, as _INSERT).
_QUERY = (
    _LINEAR_HASHING
    + """
local full, most, first = tonumber(ARGV[1]), 4 * tonumber(ARGV[2]), 4 * tonumber(ARGV[3])
local fields = cmsgpack.unpack(ARGV[4])
local out = {}
for k = 1, #KEYS do
  local field = fields[k]
  local n = group_n(KEYS[k]) or 1
  local v = redis.call('HGET', hash_of(KEYS[k], field, n), field)
  if v and k > full and #v > most then v = string.sub(v, 1, first) .. '+' end
  out[k] = v
end
return out
"""
)
# KEYS: groups; ARGV: member, then the keys' fields (one MessagePack array). Takes the member out of each bucket.
_REMOVE = (
    _LINEAR_HASHING
    + _MEMBER_AT
    + """
local member, fields, removed = ARGV[1], cmsgpack.unpack(ARGV[2]), 0
for k = 1, #KEYS do
  local group, field = KEYS[k], fields[k]
  local n = group_n(group)
  if n then
    local key = hash_of(group, field, n)
    local v = redis.call('HGET', key, field)
    local i = v and member_at(v, member)
    if i then
      local rest = string.sub(v, 1, i - 1) .. string.sub(v, i + 4)
      if #rest == 0 then
        redis.call('HDEL', key, field)
      else
        redis.call('HSET', key, field, rest)
      end
      removed = removed + 1
    end
  end
end
return removed
"""
)


def bucket_id(value: int) -> int:
    """The 48-bit bucket id of a 64-bit band or sample hash."""
    return value >> (64 - BUCKET_BITS)


def pack_buckets(buckets: list[int]) -> bytes:
    """6 bytes per bucket (for the page record, so a page can be taken out of the index again): each bucket
    id's low 6 bytes, little-endian (numpy: 28 -> 12 us for a page's ~114)."""
    ids = np.array(buckets, dtype=np.uint64) >> np.uint64(64 - BUCKET_BITS)
    return ids.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :6].tobytes()


def _msgpack_strings(fields: np.ndarray) -> bytes:
    """4-byte fields as one MessagePack array of 4-byte strings (fixstr each), which a script reads with one
    cmsgpack.unpack: one argument, not one a key, for the client to format (hiredis formats each argument's
    length with sprintf) and the server to parse, and one C call in the script rather than one string.sub a
    key. On provenance-dev's ingest: client instructions -3.4%, server -1.9%."""
    out = np.empty((len(fields), 5), dtype=np.uint8)
    out[:, 0] = 0xA4
    out[:, 1:] = fields.view(np.uint8).reshape(-1, 4)
    head = struct.pack(">BH", 0xDC, len(fields)) if len(fields) < 1 << 16 else struct.pack(">BI", 0xDD, len(fields))
    return head + out.tobytes()


def unpack_buckets(raw: bytes) -> list[int]:
    return [int.from_bytes(raw[i : i + 6], "little") << (64 - BUCKET_BITS) for i in range(0, len(raw), 6)]


class LshIndex:
    def __init__(
        self, client: redis.Redis, prefix: str, group_bits: int = 14, load: int = 48, max_bucket: int = 500
    ) -> None:
        if not 4 <= group_bits <= BUCKET_BITS - FIELD_BITS:
            raise ValueError(f"group_bits must be 4..{BUCKET_BITS - FIELD_BITS}")
        self.client = client
        self.prefix = prefix
        self.group_bits = group_bits
        self.load = load
        # A bucket shared by more pages than this says nothing (boilerplate-only texts): stop growing it.
        self.max_bucket = max_bucket
        self._field_shift = 64 - group_bits - FIELD_BITS
        self._group_keys: list[str] = []  # see _group_table
        self.cluster = isinstance(client, RedisCluster)
        self._insert = client.register_script(_INSERT)
        self._query = client.register_script(_QUERY)
        self._remove = client.register_script(_REMOVE)

    # --- layout ---
    @property
    def layout_key(self) -> str:
        return KeyLayout(self.prefix).index_layout

    @property
    def layout(self) -> str:
        """What the index's layout marker must say for this index to read it."""
        return f"v{LAYOUT_VERSION} group_bits={self.group_bits}"

    def stored_layout(self) -> str | None:
        raw = self.client.get(self.layout_key)
        return raw.decode() if raw is not None else None

    def mark_layout(self) -> None:
        self.client.set(self.layout_key, self.layout)

    def clear(self) -> int:
        """Delete every key of the index (any layout); returns how many were deleted."""
        deleted = 0
        batch: list[bytes] = []
        for key in self.client.scan_iter(match=KeyLayout(self.prefix).index_pattern, count=1000):
            batch.append(key)
            if len(batch) >= 500:
                deleted += self._delete(batch)
                batch = []
        return deleted + self._delete(batch)

    def _delete(self, keys: list[bytes]) -> int:
        if not keys:
            return 0
        pipe = self._pipeline()
        for key in keys:
            pipe.unlink(key)  # one key per command: the keys lie in many cluster slots
        return sum(pipe.execute())

    def memory_usage(self, sample: int = 64) -> float:
        """Bytes the index holds in Redis, estimated from `sample` groups (MEMORY USAGE of their hashes)."""
        table = self._group_table()
        groups = [table[g] for g in np.linspace(0, len(table) - 1, sample, dtype=int)]
        pipe = self._pipeline()
        for group in groups:
            pipe.hget(group, "n")
        sizes = [int(n) if n is not None else 0 for n in pipe.execute()]
        pipe = self._pipeline()
        for group, n in zip(groups, sizes, strict=True):
            for i in range(n):
                pipe.memory_usage(group if i == 0 else f"{group}:{i}")
        used = sum(u or 0 for u in pipe.execute()) if any(sizes) else 0
        return used / sample * 2**self.group_bits

    # --- buckets ---
    def _group_table(self) -> list[str]:
        """Group number -> the key of its first hash (made on first use; read on every query and insert)."""
        if not self._group_keys:
            keys = KeyLayout(self.prefix)
            self._group_keys = [keys.index_group(g) for g in range(1 << self.group_bits)]
        return self._group_keys

    def _locate(self, buckets: list[int]) -> tuple[list[str], np.ndarray]:
        """The buckets' group keys and their 4-byte fields (as uint32; on every query and insert: kept cheap,
        numpy: 15 -> 9 us for a page's ~114 buckets)."""
        ids = np.array(buckets, dtype=np.uint64)
        keys = self._group_table()
        groups = (ids >> np.uint64(64 - self.group_bits)).tolist()
        # The field: the 32 bits below the group's, little-endian (astype keeps the low 32).
        return [keys[g] for g in groups], (ids >> np.uint64(self._field_shift)).astype("<u4")

    def _pipeline(self) -> redis.client.Pipeline:
        return self.client.pipeline(transaction=False)

    def _calls(
        self, script: Script, buckets: list[int], head: list, pipe: redis.client.Pipeline, full_at: int | None = None
    ) -> None:
        """One call for all the buckets on one server; one per bucket on a cluster (their own slots). When
        head[full_at] says how many leading buckets are returned in full, a cluster's call for bucket i says
        1 or 0 (it holds that one bucket only)."""
        if not buckets:
            return
        keys, fields = self._locate(buckets)
        if self.cluster:
            for i, key in enumerate(keys):
                mine = head
                if full_at is not None:
                    mine = [*head]
                    mine[full_at] = 1 if i < head[full_at] else 0
                queue_script(pipe, script, [key], [*mine, _msgpack_strings(fields[i : i + 1])], cluster=True)
        else:
            queue_script(pipe, script, keys, [*head, _msgpack_strings(fields)], cluster=False)

    def _run(self, build: Callable[[redis.client.Pipeline], None]) -> list:
        """Build and execute a pipeline of script calls, loading the scripts once if the server lacks them."""
        pipe = self._pipeline()
        build(pipe)
        try:
            return pipe.execute()
        except NoScriptError:
            for script in (self._insert, self._query, self._remove):
                self.client.script_load(script.script)
            pipe = self._pipeline()
            build(pipe)
            return pipe.execute()

    def insert(self, page_id: int, buckets: list[int]) -> int:
        """Add the page to each bucket; returns how many buckets were new for it."""
        return self.insert_many([(page_id, buckets)])

    def insert_many(self, items: Iterable[tuple[int, list[int]]]) -> int:
        """Index many pages in one pipelined round trip (bulk import); returns the new entries."""
        items = list(items)

        def build(pipe: redis.client.Pipeline) -> None:
            for page_id, buckets in items:
                self._calls(self._insert, buckets, self._insert_head(page_id, want=False, full=len(buckets)), pipe)

        return sum(reply[0] for reply in self._run(build))

    def insert_and_query(
        self,
        page_id: int,
        *groups: list[int],
        min_shared: tuple[int, ...] = (),
        keep: Iterable[int] = (),
        min_common: int = 1,
    ) -> Hits:
        """Index the page in all its buckets and, in the same call, find the other pages in them (as
        `query`, the page itself left out): one round trip and one look-up per bucket instead of two."""
        read: list[Callable[[list], Hits | None]] = []

        def build(pipe: redis.client.Pipeline) -> None:
            queued = self.queue_insert_and_query(
                pipe, page_id, *groups, min_shared=min_shared, keep=keep, min_common=min_common
            )
            read[:] = [queued]

        replies = self._run(build)  # raises on errors, a lost script loaded and the call made again
        hits = read[0](replies)
        return hits if hits is not None else Hits()

    def queue_insert_and_query(
        self,
        pipe: redis.client.Pipeline,
        page_id: int,
        *groups: list[int],
        min_shared: tuple[int, ...] = (),
        keep: Iterable[int] = (),
        min_common: int = 1,
    ) -> Callable[[list], Hits | None]:
        """insert_and_query queued on the caller's pipeline, after what is queued on it already (Redis runs a
        pipeline in order), so a page's record and its index entry go in one round trip. Returns what reads
        the Hits from the pipeline's replies (executed with raise_on_error=False): None where the server had
        lost the script, and the caller calls insert_and_query (which loads it)."""
        buckets = [b for bucket_group in groups for b in bucket_group]
        head = self._insert_head(page_id, want=True, full=len(groups[0]) if groups else 0)
        start = len(pipe)
        self._calls(self._insert, buckets, head, pipe, full_at=4)
        end = len(pipe)

        def hits(replies: list) -> Hits | None:
            mine = replies[start:end]
            if any(isinstance(reply, NoScriptError) for reply in mine):
                return None
            values = [v for reply in mine for v in reply[1:]]
            return _count(list(groups), values, min_shared, keep, exclude=page_id, min_common=min_common)

        return hits

    def _insert_head(self, page_id: int, want: bool, full: int) -> list:
        """The insert script's arguments before the fields; `full`: how many leading buckets (the bands)
        come back whatever their size (see _INSERT)."""
        split_below = max(1, round(256 / self.load))
        return [
            struct.pack("<I", page_id),
            self.max_bucket,
            split_below,
            1 if want else 0,
            full,
            COMMON_KEY_PAGES,
            COMMON_KEY_FIRST,
        ]

    def remove(self, page_id: int, buckets: list[int]) -> int:
        """Take the page out of its buckets; returns how many held it."""
        return sum(self._run(lambda pipe: self.queue_remove(pipe, page_id, buckets)))

    def queue_remove(self, pipe: redis.client.Pipeline, page_id: int, buckets: list[int]) -> Callable[[list], bool]:
        """remove queued on the caller's pipeline, after what is queued on it already (a re-analysed page's old
        buckets go out in the round trip that writes its record). Returns what tells from the pipeline's
        replies (executed with raise_on_error=False) whether it ran: False where the server had lost the
        script, and the caller calls remove (which loads it)."""
        start = len(pipe)
        self._calls(self._remove, buckets, [struct.pack("<I", page_id)], pipe)
        end = len(pipe)
        return lambda replies: not any(isinstance(reply, NoScriptError) for reply in replies[start:end])

    def members(self, buckets: list[int]) -> list[list[int]]:
        """The page ids in each bucket, as stored (for checks and debugging)."""

        def build(pipe: redis.client.Pipeline) -> None:
            self._calls(self._query, buckets, [len(buckets), COMMON_KEY_PAGES, COMMON_KEY_FIRST], pipe)

        values = [v for reply in self._run(build) for v in reply]
        return [[m for (m,) in struct.iter_unpack("<I", v)] if v else [] for v in values]

    def query(
        self, *groups: list[int], min_shared: tuple[int, ...] = (), keep: Iterable[int] = (), min_common: int = 1
    ) -> Hits:
        """For each group of buckets, the pages sharing at least one of them, with how many they share; all
        groups read in one round trip.

        min_shared[g] > 1 leaves out of group g the pages sharing fewer of its buckets, unless they are in
        `keep` or were found by an earlier group: buckets of common shingles hold many pages that share
        one bucket and nothing else, and counting them all would make a look-up slower as the index grows.
        The earliest members of common reuse keys come back apart (Hits.common), those sharing fewer than
        `min_common` keys in all left out."""

        head = [len(groups[0]) if groups else 0, COMMON_KEY_PAGES, COMMON_KEY_FIRST]

        def build(pipe: redis.client.Pipeline) -> None:
            self._calls(self._query, [b for buckets in groups for b in buckets], head, pipe, full_at=0)

        values = [v for reply in self._run(build) for v in reply]
        return _count(list(groups), values, min_shared, keep, min_common=min_common)


class Hits(list[dict[int, int]]):
    """What a look-up found: per group of buckets, page id -> buckets shared; and `common`, page id -> common
    reuse keys shared, for the pages among the earliest members of those keys' buckets.

    A reuse key (group 1 on: a word pair) that more than COMMON_KEY_PAGES pages share is a common phrase, or
    a story very many pages carry. Like a word of low inverse document frequency it is weak evidence, so it
    is not counted with the others; but its earliest members (the story's first publishers, likely its
    source) come back, so an edited copy of a story already copied hundreds of times still finds them when it
    shares many such keys with them (the caller's rule). The bands, group 0, are never cut."""

    common: dict[int, int]

    def __init__(self, groups: Iterable[dict[int, int]] = (), common: dict[int, int] | None = None) -> None:
        super().__init__(groups)
        self.common = common or {}


# Up to this many bytes of members (512 page ids) a group's counts are tallied in Python: numpy's fixed cost
# a call is more than the whole count of a typical look-up's few dozen members (measured on the dev corpora's
# look-ups: 64 -> 16 us a page); past it, numpy's vector counting is the faster.
_SMALL_TALLY = 2048
_LITTLE_ENDIAN = sys.byteorder == "little"


def _ids(raw: bytes) -> Iterable[int]:
    """Packed little-endian 4-byte page ids (as the index stores them) as ints."""
    if _LITTLE_ENDIAN:
        return memoryview(raw).cast("I")  # no copy
    return np.frombuffer(raw, dtype="<u4").tolist()


def _tally(
    rare_raw: bytes, common_raw: bytes, need: int, need_common: int, kept: set[int]
) -> tuple[dict[int, int], Iterable[tuple[int, int]]]:
    """One group's counts: page id -> rare buckets shared, for the pages sharing `need` buckets in all (or
    kept); and (page id, common buckets shared) for those met in common buckets sharing `need_common` in all
    (or kept). Both in ascending page id."""
    if len(rare_raw) + len(common_raw) > _SMALL_TALLY:
        # Counted with numpy: common shingles' buckets hold hundreds of pages.
        rare = np.frombuffer(rare_raw, dtype="<u4")
        common = np.frombuffer(common_raw, dtype="<u4")
        ids, inverse = np.unique(np.concatenate([rare, common]), return_inverse=True)
        rare_counts = np.bincount(inverse[: len(rare)], minlength=len(ids))
        common_counts = np.bincount(inverse[len(rare) :], minlength=len(ids))
        total = rare_counts + common_counts
        in_rare = (rare_counts > 0) & (total >= need)
        in_common = (common_counts > 0) & (total >= need_common)
        if kept and len(ids):
            known = np.isin(ids, np.fromiter(kept, dtype=np.uint32, count=len(kept)))
            in_rare |= known & (rare_counts > 0)
            in_common |= known & (common_counts > 0)
        counted = dict(zip(ids[in_rare].tolist(), rare_counts[in_rare].tolist(), strict=True))
        return counted, zip(ids[in_common].tolist(), common_counts[in_common].tolist(), strict=True)
    rare_counts = Counter(_ids(rare_raw))
    common_counts = Counter(_ids(common_raw))
    counted: dict[int, int] = {}
    met = []
    for i in sorted(rare_counts.keys() | common_counts.keys()):
        r, c = rare_counts.get(i, 0), common_counts.get(i, 0)
        if r and (r + c >= need or i in kept):
            counted[i] = r
        if c and (r + c >= need_common or i in kept):
            met.append((i, c))
    return counted, met


def _count(
    groups: list[list[int]],
    values: list,
    min_shared: tuple[int, ...],
    keep: Iterable[int],
    exclude: int | None = None,
    min_common: int = 1,
) -> Hits:
    """Bucket values (in bucket order) into, per group of buckets, page id -> buckets shared, and the common
    reuse keys' earliest members apart (Hits.common), kept when they share min_common keys in all."""
    stream = iter(values)
    kept = set(keep)
    results = Hits()
    for number, buckets in enumerate(groups):
        found = [v for v in islice(stream, len(buckets)) if v]
        # A common bucket comes cut to its earliest members, one marker byte after them (never in group 0).
        rare_raw = b"".join(v for v in found if len(v) % 4 == 0)
        common_raw = b"".join(v[:-1] for v in found if len(v) % 4)
        need = min_shared[number] if number < len(min_shared) else 1
        # Pages counted by their rare keys (need, in all); pages met in common buckets, by min_common in all:
        # the earliest members of common buckets are many, and few of them share enough to matter.
        counted, met = _tally(rare_raw, common_raw, need, max(need, min_common), kept)
        for i, c in met:
            results.common[i] = results.common.get(i, 0) + c
        if number + 1 < len(groups):
            kept.update(counted)
        if exclude is not None:
            counted.pop(exclude, None)
        results.append(counted)
    if exclude is not None:
        results.common.pop(exclude, None)
    return results
