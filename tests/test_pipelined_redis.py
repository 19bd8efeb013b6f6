"""The API's pipelined asyncio Redis client (farmwatch/store/pipelined.py) against a real Redis: replies in order
under concurrency, redis-py's errors, scripts after a flush, a lost connection and a silent server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis

from farmwatch.store.embedded import EmbeddedRedis, free_port
from farmwatch.store.pipelined import PipelinedRedis, pipelined_for


def _run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def test_concurrent_commands_get_their_own_replies(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> None:
    redis_client.mset({f"k{i}": f"v{i}" for i in range(500)})

    async def go() -> list:
        client = pipelined_for(redis_client)
        assert client is not None
        try:
            return await asyncio.gather(*(client.execute("GET", f"k{i}") for i in range(500)))
        finally:
            await client.aclose()

    assert _run(go()) == [f"v{i}".encode() for i in range(500)]


def test_errors_are_redis_pys_and_the_connection_goes_on(redis_client: redis.Redis) -> None:
    async def go() -> None:
        client = pipelined_for(redis_client)
        assert client is not None
        try:
            redis_client.set("text", "x")
            with pytest.raises(redis.exceptions.ResponseError, match="WRONGTYPE"):
                await client.execute("HGET", "text", "field")
            assert await client.execute("GET", "text") == b"x"
            # Errors inside a script's reply come back as values, as in redis-py.
            reply = await client.execute("EVAL", "return {1, redis.pcall('HGET', KEYS[1], 'f')}", 1, "text")
            assert reply[0] == 1 and isinstance(reply[1], redis.exceptions.ResponseError)
        finally:
            await client.aclose()

    _run(go())


def test_scripts_are_loaded_again_after_a_flush(redis_client: redis.Redis) -> None:
    async def go() -> None:
        client = pipelined_for(redis_client)
        assert client is not None
        script = client.script("return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}")
        try:
            assert await script(keys=["a"], args=["b", 41]) == [b"a", b"b", 42]
            redis_client.script_flush()
            assert await script(keys=["a"], args=["b", 1]) == [b"a", b"b", 2]
        finally:
            await client.aclose()

    _run(go())


def test_the_sync_clients_database_and_password_are_used(tmp_path: Path) -> None:
    store = EmbeddedRedis(tmp_path / "redis", port=free_port())
    url = store.start()
    try:
        setup = redis.Redis.from_url(url)
        setup.config_set("requirepass", "s3cret")
        sync = redis.Redis.from_url(url.rsplit("/", 1)[0] + "/3", password="s3cret", client_name="fw-test")
        sync.set("where", "db3")

        async def go() -> tuple:
            client = pipelined_for(sync)
            assert client is not None and client.db == 3
            try:
                return await client.execute("GET", "where"), await client.execute("CLIENT", "GETNAME")
            finally:
                await client.aclose()

        assert _run(go()) == (b"db3", b"fw-test")
        wrong = redis.Redis.from_url(url, password="wrong")
        with pytest.raises(redis.exceptions.AuthenticationError):
            _run(pipelined_for(wrong).execute("PING"))  # type: ignore[union-attr]
        sync.config_set("requirepass", "")
    finally:
        store.stop()


def test_a_lost_connection_fails_what_it_carried_and_the_next_command_reconnects(tmp_path: Path) -> None:
    store = EmbeddedRedis(tmp_path / "redis", port=free_port())
    url = store.start()

    async def go() -> None:
        client = pipelined_for(redis.Redis.from_url(url))
        assert client is not None
        try:
            assert await client.execute("PING") == b"PONG"
            store.stop()
            with pytest.raises(redis.exceptions.ConnectionError):
                await client.execute("PING")
            with pytest.raises(redis.exceptions.ConnectionError):  # refused while down
                await client.execute("PING")
            store.start()
            assert await client.execute("PING") == b"PONG"
        finally:
            await client.aclose()

    try:
        _run(go())
    finally:
        store.stop()


def test_a_silent_server_times_out_every_pending_command() -> None:
    async def go() -> None:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(1 << 16)  # reads the commands, never answers
            await asyncio.sleep(5)
            writer.close()

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = PipelinedRedis("127.0.0.1", port, socket_timeout=0.3)
        try:
            started = asyncio.get_running_loop().time()
            results = await asyncio.gather(client.execute("PING"), client.execute("PING"), return_exceptions=True)
            assert all(isinstance(r, redis.exceptions.TimeoutError) for r in results), results
            assert asyncio.get_running_loop().time() - started < 2
        finally:
            await client.aclose()
            server.close()

    _run(go())


def test_what_it_does_not_speak_goes_to_redis_py() -> None:
    assert pipelined_for(redis.Redis(host="localhost", port=1, ssl=True)) is None
    assert pipelined_for(redis.Redis(unix_socket_path="/tmp/x.sock")) is not None
