"""A MinHash LSH index on Redis, compact and safe for many writers.

Why not datasketch's Redis storage: it makes one round trip per band on query,
keeps b + 1 keys per document (~10 KB), and its duplicate check is not atomic
across processes (see ../shared/notes/datasketch-on-redis.md). Here every
bucket is one field of one of 2^key_bits small Redis hashes (listpack-encoded:
~12 bytes per entry), bucket members are packed 4-byte page ids, inserts are
one Lua script per bucket (atomic and idempotent: indexing a page twice, even
from two processes at once, leaves one entry), and a query reads all buckets in
one pipelined round trip. Each command touches one key, so the layout works on
a Redis Cluster unchanged (the keys spread over every slot).

A bucket id is 48 bits: the top key_bits choose the hash, the next 48 - key_bits
bits are the field (fixed width, so every entry has the same small size). At a
billion pages ~1e11 entries share 2^48 ids: a spurious shared bucket per query
is rare and the signature check behind the index drops it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable

import numpy as np
import redis
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.exceptions import NoScriptError

BUCKET_BITS = 48

# One bucket: append the member unless present (atomic, so concurrent writers never duplicate it).
_INSERT = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
for i = 1, #v, 4 do if string.sub(v, i, i + 3) == ARGV[2] then return 0 end end
if #v / 4 >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], v .. ARGV[2])
return 1
"""
# All of a page's buckets in one call (single server only: the keys lie in many cluster slots).
_INSERT_PAGE = """
local member, cap, added = ARGV[1], tonumber(ARGV[2]), 0
for k = 1, #KEYS do
  local field = ARGV[k + 2]
  local v = redis.call('HGET', KEYS[k], field)
  if not v then
    redis.call('HSET', KEYS[k], field, member)
    added = added + 1
  elseif #v / 4 < cap then
    local found = false
    for i = 1, #v, 4 do if string.sub(v, i, i + 3) == member then found = true break end end
    if not found then
      redis.call('HSET', KEYS[k], field, v .. member)
      added = added + 1
    end
  end
end
return added
"""
_QUERY = """
local out = {}
for k = 1, #KEYS do out[k] = redis.call('HGET', KEYS[k], ARGV[k]) end
return out
"""
_REMOVE = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
for i = 1, #v, 4 do
  if string.sub(v, i, i + 3) == ARGV[2] then
    local rest = string.sub(v, 1, i - 1) .. string.sub(v, i + 4)
    if #rest == 0 then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], rest) end
    return 1
  end
end
return 0
"""


def bucket_id(value: int) -> int:
    """The 48-bit bucket id of a 64-bit band or sample hash."""
    return value >> (64 - BUCKET_BITS)


def pack_buckets(buckets: list[int]) -> bytes:
    """6 bytes per bucket (for the page record, so a page can be taken out of the index again)."""
    return b"".join(bucket_id(b).to_bytes(6, "little") for b in buckets)


def unpack_buckets(raw: bytes) -> list[int]:
    return [int.from_bytes(raw[i : i + 6], "little") << (64 - BUCKET_BITS) for i in range(0, len(raw), 6)]


class LshIndex:
    def __init__(self, client: redis.Redis, prefix: str, key_bits: int = 19, max_bucket: int = 500) -> None:
        self.client = client
        self.prefix = prefix
        self.key_bits = key_bits
        self._field_bytes = (BUCKET_BITS - key_bits + 7) // 8
        # A bucket shared by more pages than this says nothing (boilerplate-only texts): stop growing it.
        self.max_bucket = max_bucket
        # On one server a page's buckets go in one script call (Python packs 1 command, not ~80); on a
        # cluster each bucket is its own call, routed to its slot's node by the cluster pipeline.
        self.cluster = isinstance(client, RedisCluster)
        self._insert = client.register_script(_INSERT)
        self._insert_page = client.register_script(_INSERT_PAGE)
        self._query = client.register_script(_QUERY)
        self._remove = client.register_script(_REMOVE)

    def _locate(self, bucket: int) -> tuple[str, bytes]:
        value = bucket_id(bucket)
        low_bits = BUCKET_BITS - self.key_bits
        key = f"{self.prefix}:lsh:{value >> low_bits:x}"
        return key, (value & ((1 << low_bits) - 1)).to_bytes(self._field_bytes, "little")

    def _pipeline(self) -> redis.client.Pipeline:
        return self.client.pipeline(transaction=False)

    def _call(self, script: Script, keys: list[str] | tuple, args: list, pipe: redis.client.Pipeline) -> None:
        if self.cluster:
            # redis-py's cluster pipeline refuses EVALSHA (a node may not have the script); EVAL sends the body.
            pipe.execute_command("EVAL", script.script, len(keys), *keys, *args)
        else:
            # EVALSHA queued by hand: a registered Script in a pipeline costs a SCRIPT EXISTS round trip on
            # every execute. A server that lost its scripts (restart) answers NOSCRIPT; _run loads and retries.
            pipe.evalsha(script.sha, len(keys), *keys, *args)

    def _run(self, build: Callable[[redis.client.Pipeline], None]) -> list:
        """Build and execute a pipeline of script calls, loading the scripts once if the server lacks them."""
        pipe = self._pipeline()
        build(pipe)
        try:
            return pipe.execute()
        except NoScriptError:
            for script in (self._insert, self._insert_page, self._query, self._remove):
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
                member = struct.pack("<I", page_id)
                located = [self._locate(bucket) for bucket in buckets]
                if self.cluster:
                    for key, field in located:
                        self._call(self._insert, [key], [field, member, self.max_bucket], pipe)
                elif located:
                    keys, fields = zip(*located, strict=True)
                    self._call(self._insert_page, keys, [member, self.max_bucket, *fields], pipe)

        return sum(r for r in self._run(build) if r > 0)

    def remove(self, page_id: int, buckets: list[int]) -> None:
        member = struct.pack("<I", page_id)

        def build(pipe: redis.client.Pipeline) -> None:
            for bucket in buckets:
                key, field = self._locate(bucket)
                self._call(self._remove, [key], [field, member], pipe)

        self._run(build)

    def query(self, *groups: list[int]) -> list[dict[int, int]]:
        """For each group of buckets, the pages sharing at least one of them, with how many they share.

        All groups are read in one pipelined round trip."""
        return self.query_many([list(groups)])[0]

    def query_many(self, queries: list[list[list[int]]]) -> list[list[dict[int, int]]]:
        """Many queries (each a list of bucket groups) in one pipelined round trip."""

        def build(pipe: redis.client.Pipeline) -> None:
            for groups in queries:
                located = [self._locate(bucket) for buckets in groups for bucket in buckets]
                if self.cluster:
                    for key, field in located:
                        pipe.hget(key, field)
                elif located:
                    keys, fields = zip(*located, strict=True)
                    self._call(self._query, keys, list(fields), pipe)

        replies = self._run(build)
        values = iter(replies if self.cluster else [v for reply in replies for v in reply])
        out: list[list[dict[int, int]]] = []
        for groups in queries:
            results: list[dict[int, int]] = []
            for buckets in groups:
                found = b"".join(v for v in (next(values) for _ in buckets) if v)
                # Common shingles fill buckets to max_bucket members: count with numpy, not a Python loop.
                ids, counts = np.unique(np.frombuffer(found, dtype="<u4"), return_counts=True)
                results.append(dict(zip(ids.tolist(), counts.tolist(), strict=True)))
            out.append(results)
        return out
