"""Lua scripts queued in pipelines, the same way on one server and on a Redis Cluster."""

from __future__ import annotations

import redis
from redis.commands.core import Script


def queue_script(
    pipe: redis.client.Pipeline, script: Script, keys: list[str] | tuple, args: list, *, cluster: bool
) -> None:
    """Queue one call of a registered script on a pipeline.

    On one server: EVALSHA queued by hand (a registered Script in a pipeline costs a SCRIPT EXISTS round
    trip on every execute); a server that lost its scripts (a restart) answers NOSCRIPT, and the caller
    loads them and retries. On a cluster: EVAL with the body, since redis-py's cluster pipeline refuses
    EVALSHA (a node may not have the script)."""
    if cluster:
        pipe.execute_command("EVAL", script.script, len(keys), *keys, *args)
    else:
        pipe.evalsha(script.sha, len(keys), *keys, *args)
