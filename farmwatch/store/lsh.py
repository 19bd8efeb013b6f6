"""A MinHash LSH index on Redis, compact and safe for many writers.

Why not datasketch's Redis storage: it makes one round trip per band on query,
keeps b + 1 keys per document (~10 KB), and its duplicate check is not atomic
across processes (see ../shared/notes/datasketch-on-redis.md). Here every band
bucket is one field of a small Redis hash (listpack-encoded, a few bytes per
entry), bucket members are packed 4-byte page ids, inserts are one Lua script
per bucket (atomic and idempotent: indexing a page twice, even from two
processes at once, leaves one entry), and a query reads all bands in one
pipelined round trip. Each command touches one key, so the layout works on a
Redis Cluster unchanged.
"""

from __future__ import annotations

import struct

import redis

_INSERT = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
for i = 1, #v, 4 do if string.sub(v, i, i + 3) == ARGV[2] then return 0 end end
if #v / 4 >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], v .. ARGV[2])
return 1
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


class LshIndex:
    def __init__(self, client: redis.Redis, prefix: str, key_bits: int = 16, max_bucket: int = 500) -> None:
        self.client = client
        self.prefix = prefix
        self.key_bits = key_bits
        # A bucket shared by more pages than this says nothing (boilerplate-only texts): stop growing it.
        self.max_bucket = max_bucket
        self._insert = client.register_script(_INSERT)
        self._remove = client.register_script(_REMOVE)

    def _locate(self, bucket: int) -> tuple[str, bytes]:
        key = f"{self.prefix}:lsh:{bucket >> (64 - self.key_bits):x}"
        field = (bucket & ((1 << (64 - self.key_bits)) - 1)).to_bytes(8, "little").rstrip(b"\x00") or b"\x00"
        return key, field

    def insert(self, page_id: int, buckets: list[int]) -> int:
        """Add the page to each band bucket; returns how many buckets were new for it."""
        member = struct.pack("<I", page_id)
        pipe = self.client.pipeline(transaction=False)
        for bucket in buckets:
            key, field = self._locate(bucket)
            self._insert(keys=[key], args=[field, member, self.max_bucket], client=pipe)
        return sum(1 for r in pipe.execute() if r == 1)

    def remove(self, page_id: int, buckets: list[int]) -> None:
        member = struct.pack("<I", page_id)
        pipe = self.client.pipeline(transaction=False)
        for bucket in buckets:
            key, field = self._locate(bucket)
            self._remove(keys=[key], args=[field, member], client=pipe)
        pipe.execute()

    def query(self, *groups: list[int]) -> list[dict[int, int]]:
        """For each group of buckets, the pages sharing at least one of them, with how many they share.

        All groups are read in one pipelined round trip."""
        pipe = self.client.pipeline(transaction=False)
        for buckets in groups:
            for bucket in buckets:
                key, field = self._locate(bucket)
                pipe.hget(key, field)
        values = iter(pipe.execute())
        results: list[dict[int, int]] = []
        for buckets in groups:
            hits: dict[int, int] = {}
            for _ in buckets:
                value = next(values)
                if value:
                    for (page_id,) in struct.iter_unpack("<I", value):
                        hits[page_id] = hits.get(page_id, 0) + 1
            results.append(hits)
        return results
