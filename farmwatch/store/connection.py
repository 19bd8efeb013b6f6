"""Connecting to Redis: REDIS_URL when set, else the embedded server in the data dir."""

from __future__ import annotations

import redis
from redis.cluster import RedisCluster

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


CLUSTER_SCHEME = "redis+cluster://"


def is_cluster_url(url: str) -> bool:
    """REDIS_URL=redis+cluster://host:port names any node of a Redis Cluster (the scheme `limits` uses too)."""
    return url.startswith((CLUSTER_SCHEME, "rediss+cluster://"))


def connect(url: str) -> redis.Redis:
    if is_cluster_url(url):
        plain = url.replace("+cluster", "", 1)
        # The cluster client finds every node from this one and routes each command by its key's slot.
        client: redis.Redis = RedisCluster.from_url(plain, socket_timeout=30, socket_connect_timeout=5)
    else:
        client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=5, health_check_interval=30)
    tune(client)
    return client


def tune(client: redis.Redis) -> None:
    """Keep LSH buckets compact; a managed Redis may refuse CONFIG, which is fine."""
    try:
        for key, value in SERVER_TUNING.items():
            if isinstance(client, RedisCluster):
                client.config_set(key, value, target_nodes=RedisCluster.ALL_NODES)
            else:
                client.config_set(key, value)
    except redis.RedisError:
        pass
