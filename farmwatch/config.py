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


class MatchSettings(BaseModel):
    """When two texts count as the same story."""

    min_jaccard: float = 0.3
    min_containment: float = 0.5  # share of the smaller text found in the other
    min_shared_shingles: int = 12
    passage_min_share: float = 0.5  # a paragraph is "found in the source" above this share
    max_candidates: int = 200


class FetchSettings(BaseModel):
    user_agent: str = "farmwatch/0.1 (+https://github.com/farmwatch/farmwatch)"
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_body_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    # Hosts or networks (CIDR) that may be fetched although private or loopback;
    # for tests and intranets. Empty means only public addresses.
    allow_private: list[str] = Field(default_factory=list)


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

    fingerprint: FingerprintSettings = Field(default_factory=FingerprintSettings)
    match: MatchSettings = Field(default_factory=MatchSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
