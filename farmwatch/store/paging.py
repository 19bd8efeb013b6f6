"""Keyset paging over Redis sorted sets, for the API's cursors.

A sorted set read highest first is ordered by score, then by member (bytes, descending) among equal
scores. A page resumes after the last row the caller saw, `(score, member)`, not after an offset: rows
added, removed or re-scored before that point neither repeat nor skip the rows after it, and a result kept
for a few seconds (the review queue's filtered results) may be rebuilt between two pages.
"""

from __future__ import annotations

import redis

Position = tuple[float, str]  # (score, member) of the last row a page showed


def _rows(raw: list) -> list[tuple[str, float]]:
    return [(member.decode() if isinstance(member, bytes) else member, float(score)) for member, score in raw]


def zrev_after(
    client: redis.Redis, key: str, limit: int, after: Position | None
) -> tuple[int, list[tuple[str, float]]]:
    """Up to `limit` rows `(member, score)`, highest first, after `after` (from the first row without it),
    and the rank of the first of them."""
    if after is None:
        return 0, _rows(client.zrevrange(key, 0, limit - 1, withscores=True))
    score, member = after
    pipe = client.pipeline(transaction=True)
    pipe.zscore(key, member)
    pipe.zrevrank(key, member)
    current, rank = pipe.execute()
    if current is not None and rank is not None and float(current) == score:
        start = int(rank) + 1
        return start, _rows(client.zrevrange(key, start, start + limit - 1, withscores=True))
    # The last row seen moved or left: resume among the rows at or below its score, past those that came
    # before it (equal score, member not below it).
    start = int(client.zcount(key, f"({score!r}", "+inf"))
    skipped, out, offset = 0, [], 0
    while len(out) < limit:
        batch = _rows(client.zrevrangebyscore(key, repr(score), "-inf", start=offset, num=limit + 64, withscores=True))
        if not batch:
            break
        offset += len(batch)
        for name, value in batch:
            if not out and value == score and name >= member:
                skipped += 1
                continue
            out.append((name, value))
            if len(out) == limit:
                break
    return start + skipped, out


def zrev_at(client: redis.Redis, key: str, rank: int) -> Position | None:
    """The `(score, member)` of the row at this rank, highest first."""
    rows = _rows(client.zrevrange(key, rank, rank, withscores=True))
    return (rows[0][1], rows[0][0]) if rows else None
