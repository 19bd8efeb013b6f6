"""The browser extension's look-up reads, in one round trip on an asyncio client.

A look-up reads a URL's page id, the page's facts and verdict, its latest label and its site's cached
farm score. Through the stores that is five round trips, each dependent on the one before; here one
script does the five reads on the server (it decodes the facts for the site name). The keys are the
stores' own (store/layout.py). On a Redis Cluster the keys live on different nodes: there `reader_for`
gives None and callers use the stores.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import redis
import redis.asyncio
from redis.cluster import RedisCluster

from farmwatch.analysis.facts import PageFacts
from farmwatch.store.layout import KeyLayout
from farmwatch.store.pages import facts_from_json

_READ = """
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return {} end
local fields = redis.call('HMGET', ARGV[2] .. id, 'facts', 'prov')
if not fields[1] then return {id} end
local site = cjson.decode(fields[1])['site']
local farm = false
if type(site) == 'string' then farm = redis.call('GET', ARGV[3] .. site) end
return {id, fields[1], fields[2], redis.call('HGET', KEYS[2], id), farm}
"""


@dataclass(frozen=True, slots=True)
class LookupRow:
    facts: PageFacts
    provenance: dict
    label: dict | None
    farm_cached: bool  # whether the site's farm score is cached (farm_score is None for a site with no pages)
    farm_score: float | None


class LookupReader:
    def __init__(self, client: redis.asyncio.Redis, prefix: str = "fw") -> None:
        keys = KeyLayout(prefix)
        self.keys = [keys.url_to_id, keys.latest_labels]
        self.page_prefix = keys.page(0).removesuffix("0")
        self.farm_prefix = keys.farm_score_cache("")
        self.script = client.register_script(_READ)

    async def read(self, normalized_url: str) -> LookupRow | None:
        """The page stored under this (normalised) URL, or None when there is none."""
        reply = await self.script(keys=self.keys, args=[normalized_url, self.page_prefix, self.farm_prefix])
        if len(reply) < 2 or not reply[1]:
            return None
        _, facts, prov, label, farm = reply
        return LookupRow(
            facts_from_json(facts),
            orjson.loads(prov) if prov else {},
            orjson.loads(label) if label else None,
            farm is not None,
            None if farm is None or farm == b"-" else float(farm),
        )


def reader_for(client: redis.Redis, aclient: redis.asyncio.Redis | None, prefix: str) -> LookupReader | None:
    """A one-round-trip reader on `aclient`, or None on a cluster (or without an asyncio client)."""
    if aclient is None or isinstance(client, RedisCluster):
        return None
    return LookupReader(aclient, prefix)
