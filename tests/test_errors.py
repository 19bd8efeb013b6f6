"""One error tree: every deliberate error is a FarmwatchError, the API answers each with its documented status
and the JSON envelope, and the CLI exits with its sysexits code and one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

import farmwatch.errors as errors
from farmwatch.config import IndexSettings, Settings
from farmwatch.errors import (
    ApiError,
    FarmwatchError,
    FetchError,
    Forbidden,
    ImportRefused,
    IndexLayoutError,
    InputError,
    InvalidRequest,
    NotFound,
    RateLimited,
    StoreUnavailable,
    Unauthorized,
)
from farmwatch.store.embedded import EmbeddedRedis, free_port
from tests.conftest import SEED, seed_case, serve

REPO = Path(__file__).resolve().parents[1]
SUBCLASSES = [getattr(errors, name) for name in errors.__all__ if name != "FarmwatchError"]


# --- the tree ---


@pytest.mark.parametrize("cls", SUBCLASSES, ids=lambda cls: cls.__name__)
def test_every_error_is_a_farmwatch_error_with_a_code_and_a_docstring(cls: type) -> None:
    assert issubclass(cls, FarmwatchError)
    assert cls.code and cls.code != FarmwatchError.code and cls.code.isidentifier()
    assert cls.__doc__ and cls.__doc__ != FarmwatchError.__doc__


def test_the_old_names_are_the_same_classes() -> None:
    from farmwatch.analysis.decode import InputError as decode_input_error
    from farmwatch.reindex import IndexLayoutError as reindex_layout_error
    from service.errors import ApiError as service_api_error
    from workers.fetch import FetchError as fetch_fetch_error

    assert decode_input_error is InputError and fetch_fetch_error is FetchError
    assert reindex_layout_error is IndexLayoutError and service_api_error is ApiError
    assert issubclass(InputError, ValueError) and issubclass(IndexLayoutError, RuntimeError)  # as they were


def test_fetch_error_keeps_its_constructor_and_attributes() -> None:
    error = FetchError("http_status", "https://a.example/ answered 503", retryable=True, retry_after=30)
    assert (error.kind, error.retryable, error.retry_after, str(error)) == (
        "http_status",
        True,
        30,
        "https://a.example/ answered 503",
    )
    assert FetchError("dns", "no address").retryable is False


def test_api_error_keeps_its_older_form() -> None:
    error = ApiError(404, "unknown_page", "no page", {"X-A": "b"})
    assert (error.status, error.code, error.message, error.headers) == (404, "unknown_page", "no page", {"X-A": "b"})
    assert NotFound("gone", code="unknown_job").code == "unknown_job" and NotFound("gone").code == "not_found"


def test_the_layout_check_raises_the_shared_class(redis_client: redis.Redis) -> None:
    from farmwatch.ingest import submit_html
    from farmwatch.services import Services

    page = seed_case()["original"]
    submit_html(Services.create(redis_client, Settings()), page["url"], (SEED / page["html_file"]).read_bytes())
    with pytest.raises(FarmwatchError) as caught:
        Services.create(redis_client, Settings(index=IndexSettings(group_bits=6, load=8)))
    assert isinstance(caught.value, IndexLayoutError) and caught.value.code == "index_layout"


# --- the API: one table, one handler ---

# name -> (the error a route raises, status, code, headers the answer must carry)
WAIT5 = {"retry-after": "5"}
RAISED: dict[str, tuple[Exception, int, str, dict[str, str]]] = {
    "input": (InputError("page is binary, not HTML"), 422, "unusable_page", {}),
    "not_found": (NotFound("no report for x", code="unknown_page"), 404, "unknown_page", {}),
    "import_refused": (ImportRefused("export format version 9 is not 1"), 409, "import_refused", {}),
    "layout": (IndexLayoutError("run `farmwatch reindex`"), 503, "index_layout", {}),
    "store": (StoreUnavailable(), 503, "store_unavailable", WAIT5),
    "redis_down": (redis.exceptions.ConnectionError("Connection refused"), 503, "store_unavailable", WAIT5),
    "redis_slow": (redis.exceptions.TimeoutError("Timeout reading"), 503, "store_unavailable", WAIT5),
    "fetch": (FetchError("http_status", "500", retry_after=29.5), 502, "fetch_failed", {"retry-after": "30"}),
    "fetch_refused": (FetchError("forbidden_address", "10.0.0.1 is private"), 422, "fetch_failed", {}),
    "invalid": (InvalidRequest("url must be absolute"), 422, "invalid_request", {}),
    "unauthorized": (Unauthorized("send a key"), 401, "unauthorized", {"www-authenticate": "Bearer"}),
    "forbidden": (Forbidden("a reader key may not do this"), 403, "forbidden", {}),
    "rate_limited": (RateLimited("too many requests", retry_after=2.2), 429, "rate_limited", {"retry-after": "3"}),
    "older_form": (ApiError(418, "teapot", "short and stout", {"X-Teapot": "yes"}), 418, "teapot", {"x-teapot": "yes"}),
    "base": (FarmwatchError("something odd"), 500, "farmwatch_error", {}),
}  # fmt: skip


@pytest.fixture()
def raising_api(redis_server: EmbeddedRedis, redis_client: redis.Redis, settings: Settings) -> Iterator[httpx.Client]:
    """The real app over real HTTP, plus one route that raises the error it is named for (no try/except)."""
    from service.app import create_app

    app = create_app(redis_server.url, settings)

    @app.get("/test-raise/{name}")
    def raise_it(name: str) -> None:
        raise RAISED[name][0]

    live = serve(app)
    yield live.http
    live.stop()


def test_each_error_gets_its_status_and_the_envelope(raising_api: httpx.Client) -> None:
    for name, (error, status, code, headers) in RAISED.items():
        response = raising_api.get(f"/test-raise/{name}")
        assert response.status_code == status, name
        message = str(error) if isinstance(error, FarmwatchError) else StoreUnavailable().message
        assert response.json() == {"error": {"code": code, "message": message}}, name
        for header, value in headers.items():
            assert response.headers.get(header) == value, (name, header)
        if "retry-after" not in headers:
            assert "retry-after" not in response.headers, name


def test_every_class_of_the_tree_has_its_own_status() -> None:
    from service.errors import STATUS, status_of

    for cls in SUBCLASSES:
        assert cls in STATUS, cls.__name__
    assert status_of(InputError("x")) == 422 and status_of(NotFound("x")) == 404  # as README.md documents
    assert status_of(StoreUnavailable()) == 503 and status_of(FarmwatchError("x")) == 500


def test_real_routes_answer_through_the_same_handler(api: httpx.Client) -> None:
    unknown = api.get("/v1/pages", params={"url": "https://nowhere.example/a"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_page"
    words = api.post("/v1/pages", json={"url": "https://a.example/x", "html": "just some words, no markup"})
    assert words.status_code == 422
    assert words.json() == {"error": {"code": "unusable_page", "message": "page has no HTML markup"}}


def test_redis_going_away_is_a_503_with_retry_after(tmp_path: Path, settings: Settings) -> None:
    from service.app import create_app

    store = EmbeddedRedis(tmp_path / "redis", port=free_port())
    live = None
    try:
        live = serve(create_app(store.start(), settings))
        assert live.http.get("/v1/pages", params={"url": "https://nowhere.example/a"}).status_code == 404
        store.stop()
        response = live.http.get("/v1/pages", params={"url": "https://nowhere.example/a"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "store_unavailable"
        assert response.headers["retry-after"] == "5"
        assert "Traceback" not in response.text
    finally:
        if live is not None:
            live.stop()
        store.stop()


# --- the CLI: one table in main() ---


def _farmwatch(*args: str, tmp_path: Path, redis_url: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "FARMWATCH_DATA_DIR": str(tmp_path / "data"),
        **({"REDIS_URL": redis_url} if redis_url else {}),
        **env,
    }
    command = [sys.executable, "-m", "farmwatch.cli", *args]
    return subprocess.run(command, env=environment, cwd=REPO, capture_output=True, text=True, timeout=60)


def _one_line(result: subprocess.CompletedProcess) -> str:
    """The error line, which must be the only line on stderr that is not a JSON log line."""
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("{")]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and lines[0].startswith("farmwatch: error: "), result.stderr
    return lines[0]


def test_cli_missing_input_file_is_ex_noinput(tmp_path: Path) -> None:
    result = _farmwatch("analyze", str(tmp_path / "nope.html"), tmp_path=tmp_path)
    assert result.returncode == 66
    assert "no such file" in _one_line(result)
    (tmp_path / "a_dir.html").mkdir()
    assert _farmwatch("analyze", str(tmp_path / "a_dir.html"), tmp_path=tmp_path).returncode == 66
    ingest = _farmwatch("ingest", str(tmp_path / "nope.warc.gz"), tmp_path=tmp_path)
    assert ingest.returncode == 66 and "nope.warc.gz" in _one_line(ingest)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_cli_unreadable_input_file_is_ex_noinput(tmp_path: Path) -> None:
    page = tmp_path / "locked.html"
    page.write_text("<html><body><p>text</p></body></html>")
    page.chmod(0)
    result = _farmwatch("analyze", str(page), tmp_path=tmp_path)
    assert result.returncode == 66 and "cannot read" in _one_line(result)


def test_cli_unusable_input_is_ex_dataerr(tmp_path: Path) -> None:
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    result = _farmwatch("analyze", str(binary), tmp_path=tmp_path)
    assert result.returncode == 65
    assert _one_line(result) == "farmwatch: error: page is binary, not HTML"
    not_json = tmp_path / "backup.jsonl"
    not_json.write_text("this is not json\n")
    result = _farmwatch("import", str(not_json), tmp_path=tmp_path)
    assert result.returncode == 65 and "not JSON lines" in _one_line(result)


def test_cli_refused_import_is_ex_dataerr(tmp_path: Path, redis_server: EmbeddedRedis, redis_client) -> None:
    export = tmp_path / "other.jsonl"
    export.write_text('{"type": "page", "url": "https://a.example/"}\n')
    result = _farmwatch("import", str(export), tmp_path=tmp_path, redis_url=redis_server.url)
    assert result.returncode == 65 and "not a farmwatch export" in _one_line(result)


def test_cli_index_of_another_layout_is_ex_config(
    tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    from farmwatch.ingest import submit_html
    from farmwatch.services import Services

    page = seed_case()["original"]
    submit_html(Services.create(redis_client, Settings()), page["url"], (SEED / page["html_file"]).read_bytes())
    other = {"FARMWATCH_INDEX__GROUP_BITS": "6", "FARMWATCH_INDEX__LOAD": "8"}
    result = _farmwatch("worker", tmp_path=tmp_path, redis_url=redis_server.url, **other)
    assert result.returncode == 78
    assert "farmwatch reindex" in _one_line(result)


def test_cli_unreachable_redis_is_ex_unavailable(tmp_path: Path) -> None:
    result = _farmwatch("keys", "list", tmp_path=tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}")
    assert result.returncode == 69
    assert "cannot reach Redis" in _one_line(result)


def test_cli_help_documents_the_exit_codes(tmp_path: Path) -> None:
    from farmwatch.cli import EXIT_CODES, exit_code

    for cls in SUBCLASSES:
        if not issubclass(cls, ApiError):  # the API's own refusals are never raised by a command
            assert exit_code(cls.__new__(cls)) != 70 or cls is FarmwatchError, cls.__name__
    help_text = _farmwatch("--help", tmp_path=tmp_path, COLUMNS="200").stdout
    for code in set(EXIT_CODES.values()):
        assert str(code) in help_text, code
