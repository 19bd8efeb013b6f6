"""The moderators' review queue: a Redis-side index of judged pages, filtered and paged in Redis.

Why an index of its own: the queue orders every judged page by its republication score and filters by
site, verdict, credit and date; scanning page hashes for that would not scale past a few thousand pages.
`judge()` calls `ReviewIndex.update` each time it stores a provenance, so the index is always current.

Keys share one hash tag, so the intersections below run on a single Redis Cluster node:
  {fw:rq}:score              zset  page id → provenance score (every judged page)
  {fw:rq}:date               zset  page id → publication time (epoch seconds; first-seen time when undated)
  {fw:rq}:verdict:{verdict}  set   page ids by verdict (republished, original)
  {fw:rq}:credited:{0|1}     set   republished page ids by whether they credit their source
  {fw:rq}:site:{host}        set   page ids of a site
  {fw:rq}:labelled           set   page ids a moderator has labelled (with a current label)
  {fw:rq}:labelled:generation  counter  bumped on every label change (results filtered by label are renewed)
  {fw:rq}:undated            set   page ids with no publication date (charted apart, not as first seen)
  {fw:rq}:order:priority     zset  score + 2 for uncredited republications, + 1 for credited ones (kept a
                                   few seconds): "uncredited first" puts the copies that need action on top
  {fw:rq}:q:{digest}         zset  a query's result, kept a few seconds so paging through it is cheap

Orders (QueueFilter.sort): "priority" (uncredited republications, then credited ones, then originals, each
by score), "score" (highest score first), "newest" (publication date, first seen when undated).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import redis

from farmwatch.analysis.facts import PageFacts
from farmwatch.store.layout import KeyLayout
from farmwatch.store.paging import Position, zrev_after, zrev_at

VERDICTS = ("republished", "original")
_CREDITED_FLAGS = ("1", "0")  # {fw:rq}:credited:{flag}: republished pages that credit their source, and not
SORTS = ("priority", "score", "newest")
RESULT_TTL_S = 10


@dataclass(frozen=True, slots=True)
class QueueFilter:
    site: str | None = None
    verdict: str | None = None
    credited: bool | None = None
    labelled: bool | None = None
    since: float | None = None  # epoch seconds, on the page's date
    until: float | None = None
    sort: str = "score"

    def digest(self) -> str:
        return hashlib.blake2b(repr(self).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class QueueWindow:
    """One page of the review queue: `rows` are (page id, score), `position` the rank of the first row,
    `next` the keyset position to resume after (None on the last page), `previous` whether a page comes
    before this one and `before` the position to resume after for it (None: from the top)."""

    total: int
    position: int
    rows: list[tuple[int, float]]
    next: Position | None
    previous: bool
    before: Position | None


def page_date(facts: PageFacts) -> float:
    return facts.published_at.timestamp() if facts.published_at else facts.first_seen


# ReviewIndex.update in one call. KEYS: score, date, undated, the verdicts' sets, the credited sets, the site's
# set; ARGV: member, score, date, dated (1: out of undated), then 1 (add) or 0 (remove) per verdict and credit set.
_UPDATE = """
local member = ARGV[1]
redis.call('ZADD', KEYS[1], ARGV[2], member)
redis.call('ZADD', KEYS[2], ARGV[3], member)
if ARGV[4] == '1' then redis.call('SREM', KEYS[3], member) else redis.call('SADD', KEYS[3], member) end
redis.call('SADD', KEYS[#KEYS], member)
for i = 4, #KEYS - 1 do
  if ARGV[i + 1] == '1' then redis.call('SADD', KEYS[i], member) else redis.call('SREM', KEYS[i], member) end
end
return 0
"""


class ReviewIndex:
    def __init__(self, client: redis.Redis, prefix: str = "fw") -> None:
        self.client = client
        self.keys = KeyLayout(prefix)
        # The keys every update writes, in _UPDATE's order, made once (an update is queued on each judgement).
        self._update_keys = (
            self.key("score"),
            self.key("date"),
            self.key("undated"),
            *(self.key("verdict", name) for name in VERDICTS),
            *(self.key("credited", flag) for flag in _CREDITED_FLAGS),
        )

    def key(self, *parts: str) -> str:
        return self.keys.review(*parts)

    # --- maintenance ---
    def update(self, facts: PageFacts, provenance: dict, pipe: redis.client.Pipeline | None = None) -> None:
        """Index (or re-index) one page's current verdict; with `pipe`, only queue the writes on it. A page
        with no main text is left out: nothing in it can be judged, so it is no original to review."""
        member = str(facts.id)
        if facts.words == 0:
            self._forget(member, facts.site, pipe or self.client.pipeline(transaction=False), run=pipe is None)
            return
        verdict = provenance.get("verdict", "original")
        attributed = provenance.get("attributed")
        run = pipe is None
        pipe = self.client.pipeline(transaction=False) if pipe is None else pipe
        dated = facts.published_at is not None
        adds = [name == verdict for name in VERDICTS]
        adds += [verdict == "republished" and bool(attributed) == (flag == "1") for flag in _CREDITED_FLAGS]
        # One script call where eight commands went (each costs the client more to send and read than the
        # server to run). EVAL, not EVALSHA: a server that lost its scripts (a restart) cannot refuse it, and
        # Redis keeps it compiled under its SHA. The numbers go as redis-py sends floats (repr).
        pipe.execute_command(
            "EVAL",
            _UPDATE,
            len(self._update_keys) + 1,
            *self._update_keys,
            self.key("site", facts.site),
            member,
            repr(float(provenance.get("score") or 0.0)),
            repr(float(page_date(facts))),
            "1" if dated else "0",
            *("1" if add else "0" for add in adds),
        )
        if run:
            pipe.execute()

    def forget(self, page_id: int, site: str) -> None:
        self._forget(str(page_id), site, self.client.pipeline(transaction=False), run=True)

    def _forget(self, member: str, site: str, pipe: redis.client.Pipeline, run: bool) -> None:
        pipe.zrem(self.key("score"), member)
        pipe.zrem(self.key("date"), member)
        pipe.srem(self.key("site", site), member)
        pipe.srem(self.key("labelled"), member)
        pipe.srem(self.key("undated"), member)
        for name in VERDICTS:
            pipe.srem(self.key("verdict", name), member)
        for flag in _CREDITED_FLAGS:
            pipe.srem(self.key("credited", flag), member)
        if run:
            pipe.execute()

    def mark_labelled(self, page_id: int, labelled: bool = True) -> None:
        pipe = self.client.pipeline(transaction=False)
        if labelled:
            pipe.sadd(self.key("labelled"), str(page_id))
        else:
            pipe.srem(self.key("labelled"), str(page_id))
        pipe.incr(self.key("labelled", "generation"))  # results kept for paging, filtered by label, are stale
        pipe.execute()

    # --- queries ---
    def size(self) -> int:
        return int(self.client.zcard(self.key("score")))

    def window(self, flt: QueueFilter, limit: int = 50, after: Position | None = None, offset: int = 0) -> QueueWindow:
        """One page of matching pages in the filter's order: after the row `after` (a keyset position, see
        store/paging.py), else from `offset`; with where the page starts and the position before the
        previous page, so a caller can page both ways."""
        source = self._result_key(flt)
        if source is None:
            return QueueWindow(0, 0, [], None, False, None)
        total = int(self.client.zcard(source))
        if after is not None:
            position, found = zrev_after(self.client, source, limit, after)
        else:
            position = offset
            found = [
                (m.decode(), float(s))
                for m, s in self.client.zrevrange(source, offset, offset + limit - 1, withscores=True)
            ]
        rows: list[tuple[int, float]] = []
        if found:
            scores = self.client.zmscore(self.key("score"), [m for m, _ in found])
            rows = [(int(m), float(s or 0.0)) for (m, _), s in zip(found, scores, strict=True)]
        last = (found[-1][1], found[-1][0]) if found and position + len(found) < total else None
        # The previous page starts `limit` rows before this one: after the row just above it, or at the top.
        before = zrev_at(self.client, source, position - limit - 1) if position > limit else None
        return QueueWindow(total, position, rows, last, position > 0, before)

    def total(self, flt: QueueFilter) -> int:
        source = self._result_key(flt)
        return 0 if source is None else int(self.client.zcard(source))

    def ids(self, flt: QueueFilter, limit: int) -> list[int]:
        """The first `limit` matching page ids, in the filter's order."""
        source = self._result_key(flt)
        return [] if source is None else [int(m) for m in self.client.zrevrange(source, 0, limit - 1)]

    def counts(self, flt: QueueFilter) -> dict[str, dict[str, int]]:
        """How many pages each choice of each filter would show, the other filters kept."""
        out: dict[str, dict[str, int]] = {"all": {"": self.total(replace(flt, sort="score"))}}
        choices: dict[str, tuple[tuple[str, object], ...]] = {
            "verdict": (("", None), ("republished", "republished"), ("original", "original")),
            "credited": (("", None), ("false", False), ("true", True)),
            "labelled": (("", None), ("false", False), ("true", True)),
        }
        for name, options in choices.items():
            out[name] = {text: self.total(replace(flt, sort="score", **{name: value})) for text, value in options}
        return out

    def _order_key(self, sort: str) -> str:
        if sort == "newest":
            return self.key("date")
        if sort != "priority":
            return self.key("score")
        key = self.key("order", "priority")
        if not self.client.exists(key):
            pipe = self.client.pipeline(transaction=False)
            weights = {self.key("score"): 1.0, self.key("credited", "0"): 2.0, self.key("credited", "1"): 1.0}
            pipe.zunionstore(key, weights, aggregate="SUM")
            pipe.expire(key, RESULT_TTL_S)
            pipe.execute()
        return key

    def _result_key(self, flt: QueueFilter) -> str | None:
        sets: list[str] = []
        if flt.site:
            sets.append(self.key("site", flt.site))
        if flt.verdict:
            if flt.verdict not in VERDICTS:
                return None
            sets.append(self.key("verdict", flt.verdict))
        if flt.credited is not None:
            sets.append(self.key("credited", str(int(flt.credited))))
        dated = flt.since is not None or flt.until is not None
        order = self._order_key(flt.sort)
        if not sets and not dated and flt.labelled is None:
            return order
        digest = flt.digest()
        if flt.labelled is not None:
            digest += "." + (self.client.get(self.key("labelled", "generation")) or b"0").decode()
        result = self.key("q", digest)
        if self.client.exists(result):
            return result
        keys, weights = [order], [1.0]
        temporary = []
        if dated:
            # The pages in the date range, then intersected like the filter sets (weight 0 keeps the order).
            window = self.key("q", digest, "date")
            low = "-inf" if flt.since is None else repr(flt.since)
            high = "+inf" if flt.until is None else repr(flt.until)
            self.client.zrangestore(window, self.key("date"), low, high, byscore=True)
            keys.append(window)
            weights.append(0.0)
            temporary.append(window)
        for name in sets:
            keys.append(name)
            weights.append(0.0)
        pipe = self.client.pipeline(transaction=False)
        pipe.zinterstore(result, dict(zip(keys, weights, strict=True)), aggregate="SUM")
        if flt.labelled is not None:
            # Redis has no set difference on sorted sets: drop (or keep only) labelled ids by a second pass.
            labelled = self.key("labelled")
            if flt.labelled:
                pipe.zinterstore(result, {result: 1.0, labelled: 0.0}, aggregate="SUM")
            else:
                # Offset far below any order value (dates are ~2e9 epoch seconds), then cut those off.
                pipe.zunionstore(result, {result: 1.0, labelled: -1e12}, aggregate="SUM")
                pipe.zremrangebyscore(result, "-inf", -1e11)
        pipe.expire(result, RESULT_TTL_S)
        for name in temporary:
            pipe.delete(name)
        pipe.execute()
        return result

    def timeline(self, site: str, max_periods: int = 120) -> dict:
        """The site's pages and republications per day, or per month or year when they span longer, gaps
        included so a chart's x axis is time; dates are publication dates, undated pages only counted."""
        dates = self.client.zinter({self.key("date"): 1.0, self.key("site", site): 0.0}, withscores=True)
        republished = set(self.client.sinter(self.key("site", site), self.key("verdict", "republished")))
        # Undated pages are counted apart: their first-seen time is no publication date.
        undated = set(self.client.sinter(self.key("site", site), self.key("undated")))
        dates = [(member, when) for member, when in dates if member not in undated]
        if not dates:
            return {"bucket": "day", "periods": [], "undated": len(undated)}
        moments = [(member, datetime.fromtimestamp(when, UTC).date()) for member, when in dates]
        first, last = min(d for _, d in moments), max(d for _, d in moments)
        if (last - first).days < max_periods:
            bucket, label = "day", date.isoformat
        elif (last.year - first.year) * 12 + last.month - first.month < max_periods:
            bucket, label = "month", lambda d: d.isoformat()[:7]
        else:
            bucket, label = "year", lambda d: str(d.year)
        total: Counter[str] = Counter()
        copied: Counter[str] = Counter()
        for member, when in moments:
            total[label(when)] += 1
            copied[label(when)] += member in republished
        periods = []
        cursor = first
        while cursor <= last:
            name = label(cursor)
            if not periods or periods[-1]["period"] != name:
                periods.append({"period": name, "pages": total[name], "republished": copied[name]})
            cursor = _next(cursor, bucket)
        return {"bucket": bucket, "periods": periods, "undated": len(undated)}


def _next(day: date, bucket: str) -> date:
    if bucket == "day":
        return day + timedelta(days=1)
    if bucket == "month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date(day.year + 1, 1, 1)
