"""Every setting in one place, read from the environment (FARMWATCH_* and REDIS_URL)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FingerprintSettings(BaseModel):
    """Shingling and LSH. Changing any of these needs a fresh index."""

    shingle_words: int = 5
    num_perm: int = 128
    seed: int = 1
    # 42 bands of 3 rows: a pair with resemblance 0.35 becomes a candidate 85% of
    # the time, 0.5 with 99.6%; unrelated pages almost never do.
    bands: int = 42
    rows: int = 3
    min_shingles: int = 8  # pages with less main text than this are not matched at all


class IndexSettings(BaseModel):
    """How the LSH index lays its buckets out in Redis (farmwatch/store/lsh.py). The index can be
    rebuilt from the page records under new values with `farmwatch reindex`."""

    # Buckets fall into 2^group_bits groups (a group lives in one cluster slot); a group starts as one
    # Redis hash and splits one hash at a time as it fills, so the cost of a look-up stays flat.
    group_bits: int = Field(default=14, ge=4, le=16)
    # A group splits one more hash for every `load` new buckets (rounded to 256/k): each hash stays a
    # small listpack (a look-up scans it) whatever the size of the index.
    load: int = Field(default=48, ge=4, le=256)
    # A bucket shared by more pages than this says nothing (boilerplate-only texts): it stops growing.
    max_bucket: int = Field(default=500, ge=2)


class MatchSettings(BaseModel):
    """When two texts count as the same story."""

    min_jaccard: float = 0.3
    min_containment: float = 0.5  # share of the smaller text found in the other
    min_shared_shingles: int = 12
    # A long verbatim passage counts too (half of a long article merged into another):
    passage_shingles: int = 40
    passage_containment: float = 0.2
    passage_min_share: float = 0.5  # a paragraph is "found in the source" above this share
    max_candidates: int = 200
    # Candidates verified by alignment, strongest first (index hits, stored signatures): alignment is the
    # costly step, and a page sharing common phrases with many others must not align with all of them.
    max_aligned: int = 40


class FetchSettings(BaseModel):
    user_agent: str = "farmwatch/0.1 (+https://github.com/farmwatch/farmwatch)"
    robots_agent: str = "farmwatch"  # the product token matched against robots.txt User-agent lines
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_body_bytes: int = 5 * 1024 * 1024  # raw and decompressed
    max_redirects: int = 5
    # Hosts or networks (CIDR) that may be fetched although private or loopback;
    # for tests and intranets. Empty means only public addresses. Cloud metadata
    # addresses are refused whatever this says.
    allow_private: list[str] = Field(default_factory=list)
    only_allowed: bool = False  # refuse every host not in allow_private, before resolving it (test sandboxes)
    robots_ttl: float = 3600.0  # seconds a host's robots.txt is cached (RFC 9309: at most 24 h)
    host_min_interval: float = 1.0  # seconds between two requests to one host, across all workers
    host_concurrency: int = 2  # requests in flight to one host, across all workers
    max_crawl_delay: float = 60.0  # a robots.txt Crawl-delay above this is capped
    host_max_wait: float = 10.0  # a job that would wait longer for its host goes back to the queue
    max_retry_after: float = 3600.0  # a server's Retry-After above this is capped
    discover_links: int = 5  # source links / cross-site canonicals of a fetched page queued for fetching
    feed_interval: float = 900.0  # seconds between two polls of a registered feed or sitemap
    feed_max_items: int = 100  # new article URLs queued per poll of one feed


class JobSettings(BaseModel):
    max_attempts: int = 4
    claim_idle: float = 60.0  # seconds without a heartbeat before a job is taken from a dead worker
    backoff_base: float = 2.0  # retry n waits base**n seconds (capped at backoff_max), plus jitter
    backoff_max: float = 600.0


class RateSettings(BaseModel):
    """Default per-key request rates by role (a key may carry its own); `limits` notation, kept in Redis."""

    admin: str = "600/minute"
    ingest: str = "600/minute"
    moderator: str = "1200/minute"
    lookup: str = "1200/minute"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FARMWATCH_", env_nested_delimiter="__", extra="ignore")

    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    data_dir: Path = Path("./data")
    key_prefix: str = "fw"
    host: str = "127.0.0.1"
    port: int = 8000
    workers_in_process: int = 1  # fetch workers that `farmwatch serve` runs beside the API
    store_text: bool = True  # keep main text for exact verification and passage evidence
    max_request_bytes: int = 12 * 1024 * 1024
    body_timeout: float = 30.0  # seconds a client may take to send its request body
    queue_stuck_after: float = 300.0  # /readyz fails when jobs wait this long and no worker reads the queue
    # Connections to `farmwatch serve` (service/connlimit.py): a connection idle between requests is closed
    # after http_idle_timeout s; a request's headers must be complete within http_header_timeout s of its
    # first byte (or of the connection opening); at most http_client_connections connections from one
    # address (0: no cap, behind a reverse proxy) and http_max_connections in all (more: 503).
    http_idle_timeout: float = 5.0
    http_header_timeout: float = 10.0
    http_client_connections: int = 32
    http_max_connections: int = 1024
    # Browser origins allowed to call the API (CORS): browser extensions by default.
    cors_origin_regex: str = r"^(chrome-extension|moz-extension|safari-web-extension)://[A-Za-z0-9._-]+$"

    fingerprint: FingerprintSettings = Field(default_factory=FingerprintSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    match: MatchSettings = Field(default_factory=MatchSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    rate: RateSettings = Field(default_factory=RateSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
