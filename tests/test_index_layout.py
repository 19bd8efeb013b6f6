"""The LSH index's stored layout is fixed: a store written by an earlier version reads the same without
`farmwatch reindex`, and how the client sends its buckets to the server leaves no trace in what is stored."""

from __future__ import annotations

import struct

import redis

from farmwatch.store.lsh import LshIndex


def _bucket(group: int, field: int, low: int = 0) -> int:
    """A 64-bit bucket hash of group_bits=4: the group's 4 bits, the field's 32, then bits the index ignores."""
    return (group << 60) | (field << 28) | low


# Fields of bytes a binary-unsafe encoding could trip on: zeros, high bytes, '\r\n', '$', '*'. None has a top
# byte of 0, which splits a group at this load (the field's top byte is the split's coin).
FIELDS = [0x01000000, 0xFFFFFFFF, 0x0A0D0A0D, 0x2A24A4DC, 0x10000001, 0x80000000]


def test_buckets_are_stored_as_four_byte_fields_holding_packed_page_ids(redis_client: redis.Redis) -> None:
    index = LshIndex(redis_client, "fw", group_bits=4, load=1000)
    buckets = [_bucket(g, f, low=g) for g, f in enumerate(FIELDS)]
    assert index.insert(7, buckets) == len(buckets)
    assert index.insert(9, buckets[:2]) == 2
    for g, field in enumerate(FIELDS):
        stored = redis_client.hgetall(f"fw:lsh:{{{g:x}}}")
        members = struct.pack("<I", 7) + (struct.pack("<I", 9) if g < 2 else b"")
        assert stored == {b"n": b"1", struct.pack("<I", field): members}


def test_an_index_written_field_by_field_reads_and_updates_as_before(redis_client: redis.Redis) -> None:
    # A store as an earlier version left it: hashes written by hand in the documented layout.
    for g, field in enumerate(FIELDS):
        redis_client.hset(f"fw:lsh:{{{g:x}}}", mapping={"n": 1, struct.pack("<I", field): struct.pack("<I", 3)})
    index = LshIndex(redis_client, "fw", group_bits=4, load=1000)
    buckets = [_bucket(g, f) for g, f in enumerate(FIELDS)]
    assert index.members(buckets) == [[3]] * len(FIELDS)
    (hits,) = index.insert_and_query(5, buckets)
    assert hits == {3: len(FIELDS)}
    assert index.members(buckets) == [[3, 5]] * len(FIELDS)
    assert index.remove(3, buckets) == len(FIELDS)
    assert index.members(buckets) == [[5]] * len(FIELDS)
