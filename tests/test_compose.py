"""`docker compose up` works on first run: the commands docker-compose.yml gives its services, run here without
Docker (the YAML parsed, each `farmwatch …` command run as a process) against a loopback Redis: the API refuses
to serve on 0.0.0.0 before `init`, `init` creates an admin key once, the API then serves and is ready (the
image's HEALTHCHECK command passes), the key works, the worker runs. And the image's recipe: a build stage
with a compiler, a non-root user, a HEALTHCHECK on /readyz, a .dockerignore."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from farmwatch.store.embedded import free_port

REPO = Path(__file__).resolve().parent.parent
SECRETS = "/var/lib/farmwatch/secrets"


def compose(name: str = "docker-compose.yml") -> dict:
    return yaml.safe_load((REPO / name).read_text())


def local(command: list[str], tmp_path: Path, port: int) -> list[str]:
    """A service's command as this machine runs it: `farmwatch` from this environment, the secrets volume
    in tmp_path, the API on a free port."""
    args = [arg.replace(SECRETS, str(tmp_path / "secrets")) for arg in command]
    if args[0] == "farmwatch":
        args = [sys.executable, "-m", "farmwatch.cli", *args[1:]]
    if "--port" in args:
        args[args.index("--port") + 1] = str(port)
    return args


def env_of(service: dict, redis_url: str, tmp_path: Path) -> dict[str, str]:
    environment = {k: str(v) for k, v in (service.get("environment") or {}).items()}
    assert environment.get("REDIS_URL", "").startswith(("redis://redis:", "redis+cluster://"))
    environment["REDIS_URL"] = redis_url  # the compose network's Redis is the test's loopback Redis here
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "FARMWATCH_DATA_DIR": str(tmp_path / "data"),
            **environment}  # fmt: skip


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the API did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_first_run_of_the_compose_file(tmp_path: Path, redis_server, redis_client) -> None:
    services = compose()["services"]
    assert "--appendonly" in services["redis"]["command"]  # /readyz wants persistence on
    assert services["api"]["depends_on"]["init"] == {"condition": "service_completed_successfully"}
    assert services["worker"]["depends_on"]["init"] == {"condition": "service_completed_successfully"}
    assert services["api"]["restart"] == services["worker"]["restart"] == "unless-stopped"
    port = free_port()

    # Without init, the API off loopback refuses to start (no key exists): what `docker compose up` used to do.
    api_env = env_of(services["api"], redis_server.url, tmp_path)
    refused = subprocess.run(local(services["api"]["command"], tmp_path, port), env=api_env, cwd=REPO,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert refused.returncode == 2 and "no API keys exist" in refused.stderr

    init = services["init"]
    run = subprocess.run(local(init["command"], tmp_path, port), env=env_of(init, redis_server.url, tmp_path),
                         cwd=REPO, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr
    key_file = tmp_path / "secrets" / "admin-key"
    key = key_file.read_text().strip()
    assert key.startswith("fwk_") and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key not in run.stdout + run.stderr  # written to the volume, not to the logs
    again = subprocess.run(local(init["command"], tmp_path, port), env=env_of(init, redis_server.url, tmp_path),
                           cwd=REPO, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert again.returncode == 0 and "none created" in again.stderr and key_file.read_text().strip() == key
    assert services["key"]["command"] == ["cat", f"{SECRETS}/admin-key"]

    api = subprocess.Popen(local(services["api"]["command"], tmp_path, port), env=api_env, cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    worker_service = services["worker"]
    worker = subprocess.Popen(local(worker_service["command"], tmp_path, port), cwd=REPO,
                              env=env_of(worker_service, redis_server.url, tmp_path),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        wait_ready(port, api)
        health = healthcheck_command().replace("8000", str(port))
        checked = subprocess.run([sys.executable, "-c", health], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr  # the image's HEALTHCHECK: /readyz answers 200
        assert httpx.get(f"http://127.0.0.1:{port}/v1/feeds", timeout=5).status_code == 401
        feeds = httpx.get(f"http://127.0.0.1:{port}/v1/feeds", headers={"Authorization": f"Bearer {key}"}, timeout=5)
        assert feeds.status_code == 200
        time.sleep(1)
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
    finally:
        stop(api)
        stop(worker)


def test_the_cluster_compose_file_bootstraps_a_key_the_same_way() -> None:
    services = compose("docker-compose.cluster.yml")["services"]
    assert services["init"]["command"] == compose()["services"]["init"]["command"]
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["init"] == {"condition": "service_completed_successfully"}


def healthcheck_command() -> str:
    dockerfile = (REPO / "Dockerfile").read_text()
    found = re.search(r'HEALTHCHECK .*?CMD \["python", "-c", "(.*?)"\]', dockerfile, re.S)
    assert found, "no HEALTHCHECK running python -c"
    assert "/readyz" in found.group(1)
    return found.group(1)


def test_the_image_recipe() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", dockerfile, re.M)
    assert len(stages) == 2 and stages[0][1] == "build"  # a build stage, then the runtime image
    build, runtime = dockerfile.split("\nFROM ", 2)[1:]
    assert "gcc" in build and "setup.py" in build and "gcc" not in runtime
    # Every compiled stage setup.py builds must have been built: the build checks each one imports.
    check = re.search(r'python -c "import ([^"]+)"', build)
    assert check, "the build stage does not check that the compiled stages import"
    built = {name.strip() for name in check.group(1).split(",")}
    extensions = set(re.findall(r'Extension\("([\w.]+)"', (REPO / "setup.py").read_text()))
    assert "farmwatch.analysis.extract._walk" in extensions and extensions <= built, extensions - built
    assert "COPY --from=build" in runtime
    user = re.findall(r"^USER (\S+)", runtime, re.M)
    assert user and user[-1] not in ("root", "0")
    # setup.py's extension source is where the build stage copies it from.
    source = re.search(r'\["(farmwatch/[^"]+\.pyx)"\]', (REPO / "setup.py").read_text())
    assert source and (REPO / source.group(1)).is_file()
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", build, re.M):
        for path in copied.split():
            assert (REPO / path).exists(), path
    ignored = (REPO / ".dockerignore").read_text().split()
    for path in (".git", ".venv*", "data", "**/__pycache__", "**/*.so"):
        assert path in ignored, path


@pytest.mark.parametrize("name", ["docker-compose.yml", "docker-compose.cluster.yml"])
def test_worker_containers_do_not_run_the_apis_healthcheck(name: str) -> None:
    assert compose(name)["services"]["worker"]["healthcheck"] == {"disable": True}
