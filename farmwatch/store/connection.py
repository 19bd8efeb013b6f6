"""Connecting to Redis: REDIS_URL when set, else the embedded server in the data dir."""

from __future__ import annotations

import redis

from farmwatch.config import Settings
from farmwatch.store.embedded import SERVER_TUNING, EmbeddedRedis


def redis_url(settings: Settings) -> str:
    if settings.redis_url:
        return settings.redis_url
    embedded = EmbeddedRedis(settings.data_dir)
    if not embedded._alive():
        raise RuntimeError(
            f"no Redis: set REDIS_URL, or start `farmwatch serve` (embedded Redis under {settings.data_dir})"
        )
    return embedded.url


def connect(url: str) -> redis.Redis:
    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=5, health_check_interval=30)
    tune(client)
    return client


def tune(client: redis.Redis) -> None:
    """Keep LSH buckets compact; a managed Redis may refuse CONFIG, which is fine."""
    try:
        for key, value in SERVER_TUNING.items():
            client.config_set(key, value)
    except redis.RedisError:
        pass
