"""`GET /v1/lookup` and `/healthz` under a compiled load generator, against bare FastAPI peers in the same run.

    python bench/lookup.py [--seconds S] [--rounds R] [--connections C] [--threads T] [--processes 1,2]
                           [--corpus DIR] [--profile]

Starts a throwaway real Redis, ingests the seed case and provenance-dev (255 pages) through the API, creates a
`lookup` key (so every look-up pays for its key check and its Redis-side rate-limit hit, as in production), and
runs, per API process count:

- ours: the farmwatch app (`service.app.create_app`) with its JSON access log written (to a file) as
  `farmwatch serve` writes it, its metrics buffered and flushed to Redis;
- peers: a bare FastAPI app with three endpoints and no middleware: a constant (`async def`, returns a dict),
  one Redis GET with `redis.asyncio`, one Redis GET with the sync client (`def`, FastAPI's thread pool).

Both are run by the same uvicorn command line (`--workers N`, `--limit-concurrency 256`, `--timeout-keep-alive
5`, uvicorn's default loop and HTTP parser: uvloop and httptools when installed), one after the other, on the
same Redis. The load comes from Debian's `wrk` (installed with apt-get when missing and running as root) at C
connections on loopback, for S seconds per target, in R rounds that alternate ours and the peers, so the
ratios compare figures measured minutes apart under the same background load. Look-ups rotate over the
indexed URLs (known), 500 unindexed URLs (unknown), and known URLs with their ETag (`If-None-Match` → 304).

After each of our runs the bench checks that nothing was skipped: the metrics counted in Redis for the route
and the access lines in the log must match the requests wrk completed, and the key's rate-limit window must
have moved.

Where the time goes, for every run: the CPU each process spent per request (the API processes, from /proc; Redis,
from INFO cpu; wrk, from its rusage), and for our runs the share of wrk's mean latency spent inside the app
(the latency histogram's mean, measured by the app's own observer, against wrk's mean: the rest is queueing
in the kernel and the event loop, and HTTP parsing and writing). `--profile` adds a py-spy profile of one API
process during a known look-up run (py-spy must be installed: `pip install py-spy`). Then, per API process
count, the look-ups per second per process. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from debian_tool import ensure  # noqa: E402  (bench/, this script's folder)

from farmwatch.store.api_keys import KeyStore  # noqa: E402
from farmwatch.store.connection import connect  # noqa: E402
from farmwatch.store.embedded import EmbeddedRedis, free_port  # noqa: E402
from farmwatch.store.layout import KeyLayout  # noqa: E402

APPS = """
import os

def farmwatch():
    from farmwatch.logs import configure
    from service.app import create_app

    configure()  # JSON lines on stderr, INFO: the access line of every request is written, as in `farmwatch serve`
    return create_app(os.environ["BENCH_REDIS_URL"])


def peers():
    import redis
    import redis.asyncio
    from fastapi import FastAPI

    app = FastAPI()
    url = os.environ["BENCH_REDIS_URL"]
    aclient = redis.asyncio.Redis.from_url(url)
    client = redis.Redis.from_url(url)

    @app.get("/const")
    async def const():
        return {"status": "ok"}

    @app.get("/redis")
    async def redis_get():
        return {"value": await aclient.get("bench:peer")}

    @app.get("/redis-sync")
    def redis_get_sync():
        return {"value": client.get("bench:peer")}

    return app
"""

ROTATE = """
local paths = {%(paths)s}
local tags = {%(tags)s}
local n = #paths
local i = 0
local auth = %(auth)s
function setup(thread)
  thread:set("start", math.random(n))
end
function init(args)
  i = start or 0
end
request = function()
  i = i %% n + 1
  local headers = {}
  if auth ~= "" then headers["Authorization"] = auth end
  if #tags > 0 then headers["If-None-Match"] = tags[i] end
  return wrk.format("GET", paths[i], headers)
end
"""


def lua_list(items: list[str]) -> str:
    return ",".join(json.dumps(item) for item in items)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(wrk: str, url: str, script: Path, seconds: float, connections: int, threads: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict = {
        "per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "mean_ms": round(_ms(re.search(r"Latency\s+(\S+)", out).group(1)), 3),  # type: ignore[union-attr]
        "wrk_cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3),
    }
    for pct in ("50", "99"):
        result[f"p{pct}_ms"] = round(_ms(re.search(rf"\s{pct}%\s+(\S+)", out).group(1)), 2)  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    result["bad_responses"] = int(bad.group(1)) if bad else 0
    if errors:
        result["socket_errors"] = errors.group(1).strip()
    return result


class Server:
    """`uvicorn --factory` with N worker processes; the same command line for ours and the peers."""

    def __init__(self, factory: str, redis_url: str, processes: int, apps_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(REPO), BENCH_REDIS_URL=redis_url)
        command = [
            sys.executable, "-m", "uvicorn", "--factory", f"bench_apps:{factory}", "--app-dir", str(apps_dir),
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(processes),
            "--limit-concurrency", "256", "--timeout-keep-alive", "5", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        self.log = log
        self.process = subprocess.Popen(command, env=env, cwd=REPO, stderr=log.open("ab"), stdout=subprocess.DEVNULL)

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + path, timeout=2).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start; see {self.log}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)

    def cpu_seconds(self) -> float:
        """CPU time the server's processes (uvicorn and its workers) have used so far (Linux: /proc)."""
        return sum(_cpu_of(pid) for pid in _descendants(self.process.pid))

    def workers(self) -> list[int]:
        """The processes that answer requests: the workers, or uvicorn itself with one process."""
        tree = _descendants(self.process.pid)
        return tree[1:] if len(tree) > 1 else tree


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields from the state on (the command name may hold spaces)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_of(pid: int) -> float:
    try:
        fields = _stat(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except OSError:
                continue
    found, queue = [], [root]
    while queue:
        pid = queue.pop(0)
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def redis_cpu_seconds(client) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def app_seconds(client, route: str) -> float:
    """Seconds the API processes have measured inside the app (the latency histogram's sum) for `route`."""
    raw = client.hget(KeyLayout("fw").metric("farmwatch_http_request_duration_seconds:sum"), json.dumps([route]))
    return float(raw or 0.0)


def ingest(http: httpx.Client, corpus: Path) -> list[str]:
    urls = []
    case = json.loads((corpus / "seed" / "case.json").read_text())
    for name in ("original", "repost"):
        page = case[name]
        body = {"url": page["url"], "html": (corpus / "seed" / page["html_file"]).read_text()}
        urls.append(http.post("/v1/pages", json=body).raise_for_status().json()["url"])
    dev = corpus / "provenance-dev"
    for line in (dev / "pages.jsonl").read_text().splitlines():
        row = json.loads(line)
        html = (dev / row["html_file"]).read_bytes().decode("utf-8", "replace")
        body = {"url": row["url"], "html": html, "published_at": row.get("published_at")}
        urls.append(http.post("/v1/pages", json=body).raise_for_status().json()["url"])
    return urls


def lookup_path(url: str) -> str:
    return "/v1/lookup?url=" + quote(url, safe="")


def counted(client, route: str) -> float:
    """Requests to `route` the API processes have counted in Redis (every status)."""
    raw = client.hgetall(KeyLayout("fw").metric("farmwatch_http_requests"))
    return sum(float(v) for k, v in raw.items() if json.loads(k)[0] == route)


def access_lines(log: Path, route: str) -> int:
    needle = f'"route":"{route}"'
    with log.open(errors="replace") as lines:
        return sum(1 for line in lines if '"msg":"request"' in line and needle in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per target and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--processes", default="1,2", help="API process counts to measure, comma-separated")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--profile", action="store_true", help="py-spy profile of one API process (known look-ups)")
    args = parser.parse_args()
    wrk = ensure("wrk", "bench/lookup.py")
    loop = "uvloop" if _importable("uvloop") else "asyncio"
    parser_name = "httptools" if _importable("httptools") else "h11"
    print(f"uvicorn loop {loop}, http {parser_name}; wrk -t{args.threads} -c{args.connections}; {os.cpu_count()} cpus")

    summary: dict = {"connections": args.connections, "cpus": os.cpu_count(), "loop": loop, "http": parser_name}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "bench_apps.py").write_text(APPS)
        redis_server = EmbeddedRedis(tmp / "redis", port=free_port())
        (tmp / "redis").mkdir()
        redis_server.start()
        client = connect(redis_server.url)
        client.set("bench:peer", "x" * 64)
        try:
            server = Server("farmwatch", redis_server.url, 1, tmp, tmp / "ingest.log")
            server.wait("/healthz")
            with httpx.Client(base_url=server.base, timeout=120) as http:
                urls = ingest(http, args.corpus)
            server.stop()
            token, _ = KeyStore(client, "fw").create("lookup", "bench", rate="100000000/minute")
            auth = json.dumps(f"Bearer {token}")
            known = [lookup_path(u) for u in urls]
            unknown = [lookup_path(f"https://unseen-{i}.example/story/{i}") for i in range(500)]
            scripts = {}

            def script(name: str, paths: list[str], tags: list[str], with_key: bool) -> Path:
                path = tmp / f"{name}.lua"
                path.write_text(
                    ROTATE % {"paths": lua_list(paths), "tags": lua_list(tags), "auth": auth if with_key else '""'}
                )
                return path

            scripts["peer_const"] = script("const", ["/const"], [], False)
            scripts["peer_redis"] = script("redis", ["/redis"], [], False)
            scripts["peer_redis_sync"] = script("redis_sync", ["/redis-sync"], [], False)
            scripts["healthz"] = script("healthz", ["/healthz"], [], False)
            scripts["lookup_known"] = script("known", known, [], True)
            scripts["lookup_unknown"] = script("unknown", unknown, [], True)
            for count in [int(p) for p in args.processes.split(",")]:
                summary[f"processes_{count}"] = measure(
                    wrk, args, count, redis_server.url, client, tmp, scripts, known, token, script
                )
            print("\nlook-ups per API process (known URLs, median of the rounds):")
            for count in [int(p) for p in args.processes.split(",")]:
                report = summary[f"processes_{count}"]
                rate = statistics.median(r["per_second"] for r in report["runs"]["lookup_known"])
                report["lookups_per_process"] = rate / count
                plural = "es" if count > 1 else "  "
                print(f"  {count} process{plural}: {rate:,.0f}/s in all, {rate / count:,.0f}/s each")
        finally:
            client.close()
            redis_server.stop()
    summary["pages"] = len(urls)
    print(json.dumps(summary))


def _importable(name: str) -> bool:
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def measure(wrk, args, processes, redis_url, client, tmp, scripts, known, token, script) -> dict:
    """R rounds of: peers (const, Redis GET async and sync), then ours (healthz, known, unknown, 304)."""
    runs: dict[str, list[dict]] = {}
    log = tmp / f"api-{processes}.log"
    log.write_bytes(b"")
    checks: list[str] = []
    for round_no in range(args.rounds):
        peers = Server("peers", redis_url, processes, tmp, tmp / "peers.log")
        peers.wait("/const")
        for name in ("peer_const", "peer_redis", "peer_redis_sync"):
            if round_no == 0:
                run_wrk(wrk, peers.base + "/", scripts[name], 1, args.connections, args.threads)  # warm-up
            runs.setdefault(name, []).append(timed_run(wrk, args, peers, client, peers.base + "/", scripts[name]))
        peers.stop()
        ours = Server("farmwatch", redis_url, processes, tmp, log)
        ours.wait("/healthz")
        headers = {"Authorization": f"Bearer {token}"}
        if "lookup_304" not in scripts:
            tags = [httpx.get(ours.base + p, headers=headers).headers["etag"] for p in known]
            scripts["lookup_304"] = script("revalidate", known, tags, True)
        for name in ("healthz", "lookup_known", "lookup_unknown", "lookup_304"):
            route = "/healthz" if name == "healthz" else "/v1/lookup"
            if round_no == 0:
                run_wrk(wrk, ours.base + "/", scripts[name], 1, args.connections, args.threads)  # warm-up
            time.sleep(1.2)  # the metrics buffers flush once a second
            before_metrics, before_log = counted(client, route), access_lines(log, route)
            before_app = app_seconds(client, route)
            window_before = _window(client)
            result = timed_run(wrk, args, ours, client, ours.base + "/", scripts[name])
            time.sleep(1.5)
            metrics_delta = counted(client, route) - before_metrics
            if metrics_delta:
                result["in_app_ms"] = round((app_seconds(client, route) - before_app) / metrics_delta * 1000, 3)
            log_delta = access_lines(log, route) - before_log
            # wrk counts requests answered; the ones still in flight when it stops are answered (and counted) too.
            slack = args.connections * processes
            ok = result["requests"] <= metrics_delta <= result["requests"] + slack
            ok = ok and result["requests"] <= log_delta <= result["requests"] + slack
            if route == "/v1/lookup":
                ok = ok and _window(client) != window_before
            if not ok or result["bad_responses"]:
                checks.append(
                    f"{name} round {round_no}: wrk {result['requests']} requests ({result['bad_responses']} bad), "
                    f"metrics {metrics_delta:.0f}, access lines {log_delta}"
                )
            result.update(metrics_counted=int(metrics_delta), access_lines=log_delta)
            runs.setdefault(name, []).append(result)
        ours.stop()
    profile = None
    if args.profile and processes == 1:
        profile = profiled(wrk, args, redis_url, tmp, scripts["lookup_known"])
    report: dict = {"runs": runs, "checks_failed": checks}
    print(f"\n{processes} API process{'es' if processes > 1 else ''}, {args.rounds} rounds of {args.seconds:g} s each:")
    for name, results in runs.items():
        rates = [r["per_second"] for r in results]
        p99 = [r["p99_ms"] for r in results]
        p50 = [r["p50_ms"] for r in results]
        latency = f"p50 {_range(p50, '{:.1f}')} ms   p99 {_range(p99, '{:.1f}')} ms"
        print(f"  {name:16s} {_range(rates, '{:,.0f}')}/s   {latency}")
        cpu = "   ".join(
            f"{who} {statistics.median(r[f'{who}_us'] for r in results):,.0f}" for who in ("api", "redis", "wrk")
        )
        inside = [r["in_app_ms"] / r["mean_ms"] for r in results if r.get("in_app_ms") and r["mean_ms"]]
        share = f";  in the app {statistics.median(inside):.0%} of wrk's mean latency" if inside else ""
        print(f"  {'':16s} CPU µs per request: {cpu}{share}")
    ratios = {}
    for ours_name, peer_name in (
        ("lookup_known", "peer_redis"),
        ("lookup_known", "peer_redis_sync"),
        ("lookup_unknown", "peer_redis"),
        ("lookup_304", "peer_redis"),
        ("healthz", "peer_const"),
    ):
        per_round = [a["per_second"] / b["per_second"] for a, b in zip(runs[ours_name], runs[peer_name], strict=True)]
        ratios[f"{ours_name}/{peer_name}"] = per_round
        print(f"  ratio {ours_name}/{peer_name}: {_range(per_round, '{:.2f}')} (per round)")
    report["ratios"] = ratios
    print(
        "  checks: "
        + ("metrics, access lines and rate-limit windows match every run" if not checks else "; ".join(checks))
    )
    if profile is not None:
        _print_profile(profile)
        report["profile"] = profile
    return report


def timed_run(wrk: str, args, server: Server, client, url: str, script: Path) -> dict:
    """One wrk run, with the CPU the API processes, Redis and wrk spent on it, in µs per request."""
    api_before, redis_before = server.cpu_seconds(), redis_cpu_seconds(client)
    result = run_wrk(wrk, url, script, args.seconds, args.connections, args.threads)
    api, redis_used = server.cpu_seconds() - api_before, redis_cpu_seconds(client) - redis_before
    per_request = 1e6 / max(1, result["requests"])
    result.update(
        api_us=round(api * per_request, 1),
        redis_us=round(redis_used * per_request, 1),
        wrk_us=round(result["wrk_cpu_s"] * per_request, 1),
    )
    return result


def profiled(wrk: str, args, redis_url: str, tmp: Path, script: Path) -> dict | None:
    """py-spy on one API process during a run of known look-ups: its time by part of the request, the functions
    with the most time of their own."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("  (--profile: py-spy not found; pip install py-spy)")
        return None
    ours = Server("farmwatch", redis_url, 1, tmp, tmp / "profile.log")
    ours.wait("/healthz")
    try:
        run_wrk(wrk, ours.base + "/", script, 1, args.connections, args.threads)  # warm-up
        raw = tmp / "profile.txt"
        recorder = subprocess.Popen(
            [spy, "record", "-r", "250", "-f", "raw", "-o", str(raw), "-d", f"{args.seconds:g}", "-p",
             str(ours.workers()[0])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)
        run_wrk(wrk, ours.base + "/", script, args.seconds, args.connections, args.threads)
        recorder.wait(timeout=args.seconds + 30)
    finally:
        ours.stop()
    if not raw.exists():
        print("  (--profile: py-spy recorded nothing; it needs ptrace rights)")
        return None
    own, parts, samples = Counter(), Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if any("threading.py" in f for f in frames):
            continue  # the metrics flusher's thread, asleep between its flushes
        samples += int(count)
        own[_frame(frames[-1])] += int(count)
        parts[_part(frames)] += int(count)
    return {"samples": samples, "parts": parts.most_common(), "own": own.most_common(10)}


# Where a sample's time goes: the first of these that its stack names, from the innermost frame out.
_PARTS = (
    ("HTTP: uvicorn parsing requests, writing responses", ("uvicorn/protocols",)),
    ("the access line: logging, JSON, the write", ("logging/", "JsonFormatter")),
    ("metrics", ("metrics.py",)),
    ("Redis client: commands out, replies in", ("pipelined.py", "redis/")),
    ("key check: token hash, record cache, gate call", ("auth.py", "api_keys.py")),
    ("the answer: reads parsed, body, JSON, ETag", ("lookups.py", "reports.py", "routers/lookup.py")),
    ("the request: query, URL checked and normalised", ("FastPaths.match", "_lookup_params")),
    ("request id, observer, CORS, fast-path glue", ("observe.py", "fastpath.py", "app.py", "logs.py", "starlette/")),
)


def _part(frames: list[str]) -> str:
    if frames[-1].startswith("Runner.run "):
        return "event loop: polling sockets, running callbacks (uvloop)"
    for frame in reversed(frames):
        for name, markers in _PARTS:
            if any(marker in frame for marker in markers):
                return name
    return "other"


def _print_profile(profile: dict) -> None:
    samples = profile["samples"]
    print(f"  where one API process's time goes (py-spy, {samples} samples during known look-ups):")
    for name, count in profile["parts"]:
        print(f"    {count / samples:5.1%}  {name}")
    print("    the functions with the most time of their own:")
    for frame, count in profile["own"]:
        print(f"      {count / samples:5.1%}  {frame}")


def _frame(text: str) -> str:
    """`function (path:line)` as py-spy writes it, as `function path` relative to the repo or site-packages."""
    match = re.fullmatch(r"(.*) \((.*?)(?::\d+)?\)", text)
    if not match:
        return text
    function, path = match.groups()
    for marker in ("site-packages/", str(REPO) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{function} {path}"


def _window(client) -> bytes | None:
    keys = sorted(client.scan_iter(match="*LIMITER*"))
    return b"|".join(k + b"=" + (client.get(k) or b"") for k in keys) if keys else None


def _range(values: list[float], fmt: str) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{fmt.format(mid)} [{fmt.format(low)}–{fmt.format(high)}]"


if __name__ == "__main__":
    main()
