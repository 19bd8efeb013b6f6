"""The browser extension's look-up reads, in one round trip on an asyncio client.

A look-up reads a URL's page id, the page's facts and verdict, its latest label and its site's cached
farm score. Through the stores that is five round trips, each dependent on the one before; here one
script does the five reads on the server (it reads the page's URL and site name from the facts, the only
facts a look-up shows). The keys are the stores' own (store/layout.py). The reads are also a Lua
function (`READ_LUA`, with `keys` and `args`), so the API's key check can run them in its own script:
key check, rate limit and reads in one round trip (service/auth.py `GateReads`). On a Redis Cluster the
keys live on different nodes: there `reader_for` gives None and callers use the stores.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import redis
import redis.asyncio
from redis.cluster import RedisCluster

from farmwatch.store.layout import KeyLayout

# The body of a Lua function of (KEYS, ARGV). KEYS: the URL map, the latest labels; ARGV: the normalised URL,
# the page key prefix, the farm-score cache prefix. Returns {} (no such URL), {id} (no facts), or
# {id, url, site, provenance, label, farm score} (url and site from the facts; label and farm score may be nil).
# The facts are JSON as orjson writes a PageFacts (id, url, site first, no spaces): url and site are read with a
# pattern when they hold no quote or backslash (their text is then the string itself), else decoded with cjson.
READ_LUA = r"""
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return {} end
local fields = redis.call('HMGET', ARGV[2] .. id, 'facts', 'prov')
if not fields[1] then return {id} end
local url, site = string.match(fields[1], '^{"id":%d+,"url":"([^"\]*)","site":"([^"\]*)"')
if not url then
  local facts = cjson.decode(fields[1])
  url, site = facts['url'], facts['site']
end
if type(url) ~= 'string' or type(site) ~= 'string' then return {id} end
return {id, url, site, fields[2], redis.call('HGET', KEYS[2], id), redis.call('GET', ARGV[3] .. site)}
"""
_READ = f"local function read(KEYS, ARGV)\n{READ_LUA}\nend\nreturn read(KEYS, ARGV)\n"


@dataclass(frozen=True, slots=True)
class LookupRow:
    url: str  # the page's own URL, as stored in its facts
    site: str
    provenance: dict
    label: dict | None
    farm_cached: bool  # whether the site's farm score is cached (farm_score is None for a site with no pages)
    farm_score: float | None


class LookupReader:
    def __init__(self, client: redis.asyncio.Redis | None, prefix: str = "fw") -> None:
        """`client` None: the reads are only run inside another script (`READ_LUA`, `keys`, `args`)."""
        layout = KeyLayout(prefix)
        self.keys = (layout.url_to_id, layout.latest_labels)
        self.page_prefix = layout.page(0).removesuffix("0")
        self.farm_prefix = layout.farm_score_cache("")
        self.script = client.register_script(_READ) if client is not None else None

    def args(self, normalized_url: str) -> tuple[str, str, str]:
        return normalized_url, self.page_prefix, self.farm_prefix

    async def read(self, normalized_url: str) -> LookupRow | None:
        """The page stored under this (normalised) URL, or None when there is none."""
        assert self.script is not None, "a reader without a client only parses replies"
        return self.row(await self.script(keys=self.keys, args=self.args(normalized_url)))

    @staticmethod
    def row(reply: list) -> LookupRow | None:
        """The row of a READ_LUA reply (None: no page, or no facts)."""
        if len(reply) < 3:
            return None
        _, url, site, prov, label, farm = reply
        return LookupRow(
            url.decode(),
            site.decode(),
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
