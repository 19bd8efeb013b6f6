"""Every error farmwatch raises on purpose, in one tree under `FarmwatchError`.

    FarmwatchError                 base; `code` is a stable machine string, `str(error)` the human message
    ├── InputError                 a page (or file) that cannot be analysed as HTML   (also a ValueError)
    ├── FetchError                 fetching a URL failed: `kind`, `retryable`, `retry_after`
    ├── ImportRefused              an export file this service will not load
    ├── IndexLayoutError           the LSH index in Redis has another layout          (also a RuntimeError)
    ├── NotFound                   a named page, site, job, key or input file does not exist
    ├── StoreUnavailable           Redis cannot be reached
    └── ApiError                   a refusal by the HTTP API itself
        ├── InvalidRequest         a request the API cannot act on (bad URL, bad parameter)
        ├── Unauthorized           no API key, or an unknown or revoked one
        ├── Forbidden              the key's role may not do this
        └── RateLimited            the key's rate limit is spent

What each error becomes is decided in one place per surface: the HTTP status in `service/errors.py`
(`STATUS`), the exit code of the `farmwatch` command in `farmwatch/cli.py` (`EXIT_CODES`). Code that raises
these never picks a status or an exit code; catch `FarmwatchError` to handle them all.

`code` goes into the API's error envelope `{"error": {"code", "message"}}`: each class has a default and
an instance may be more precise (`NotFound(..., code="unknown_page")`). `retry_after`, when set, is the
number of seconds after which trying again may succeed (the API sends it as `Retry-After`).
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "FarmwatchError",
    "FetchError",
    "Forbidden",
    "ImportRefused",
    "IndexLayoutError",
    "InputError",
    "InvalidRequest",
    "NotFound",
    "RateLimited",
    "StoreUnavailable",
    "Unauthorized",
]


class FarmwatchError(Exception):
    """Base of every error farmwatch raises on purpose (anything else is a bug)."""

    code: str = "farmwatch_error"
    retry_after: float | None = None

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InputError(FarmwatchError, ValueError):
    """The input is not something we can analyse as an HTML page: empty, too large, binary, no markup.

    Raised by `decode_html` / `analyze_html` (so by `POST /v1/pages` with `html`, workers, `farmwatch analyze`,
    WARC ingest). Also a `ValueError`, as it always was."""

    code = "unusable_page"


class FetchError(FarmwatchError):
    """A fetch that failed; `kind` says how (`dns`, `http_status`, `forbidden_address`, …), `retryable`
    whether trying again later may help, `retry_after` when the server said how long to wait.

    Raised by `workers.fetch.Fetcher` (workers, feed discovery, `farmwatch analyze URL`)."""

    code = "fetch_failed"

    def __init__(self, kind: str, message: str, *, retryable: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after


class ImportRefused(FarmwatchError):
    """An export this service will not load: not a farmwatch export, another format version, or made under
    other fingerprint settings (its index would not match). Raised by `farmwatch import` before any write."""

    code = "import_refused"


class FetchedOriginal(FarmwatchError):
    """Client-supplied HTML under the URL of a page the service fetched itself: refused, since only a fetch
    confirms what a URL serves (submit the URL alone to have it fetched again)."""

    code = "fetched_original"

    @classmethod
    def at(cls, url: str) -> FetchedOriginal:
        return cls(
            f"{url} was fetched by the service itself; client-supplied HTML does not replace it "
            "(submit the URL without HTML to have it fetched again)"
        )


class IndexLayoutError(FarmwatchError, RuntimeError):
    """The index in Redis was built under another layout (an older farmwatch, other FARMWATCH_INDEX__*):
    `farmwatch reindex` rebuilds it. Raised when a process opens the store (`Services.create`)."""

    code = "index_layout"


class NotFound(FarmwatchError):
    """A page, site, job, key or input file named by the caller does not exist (or cannot be read)."""

    code = "not_found"


class StoreUnavailable(FarmwatchError):
    """Redis cannot be reached (down, restarting, unreachable); trying again later may succeed.

    The API and the CLI also treat redis-py's ConnectionError and TimeoutError as this."""

    code = "store_unavailable"
    retry_after = 5.0

    def __init__(self, message: str = "the store (Redis) cannot be reached; try again shortly", **kwargs) -> None:
        super().__init__(message, **kwargs)


class ApiError(FarmwatchError):
    """A refusal by the HTTP API itself (authentication, roles, rate limits, request checks).

    The subclasses below carry their status in `service/errors.py`'s table. The older form
    `ApiError(status, code, message, headers)` still works and answers with its own status."""

    code = "bad_request"

    def __init__(self, *args: object, code: str | None = None, headers: dict[str, str] | None = None) -> None:
        status: int | None = None
        if len(args) >= 3 and isinstance(args[0], int):  # the older form: (status, code, message[, headers])
            status, code, message = args[0], str(args[1]), str(args[2])
            headers = args[3] if len(args) > 3 else headers  # type: ignore[assignment]
        elif len(args) == 1:
            message = str(args[0])
        else:
            raise TypeError("ApiError(message, *, code=, headers=) or ApiError(status, code, message, headers=)")
        super().__init__(message, code=code)
        self.status = status  # only for the older form; else the table in service/errors.py decides
        self.headers = dict(headers) if headers else {}


class InvalidRequest(ApiError):
    """A request the API cannot act on although it parsed: a URL that is not absolute http(s), a bad value."""

    code = "invalid_request"


class Unauthorized(ApiError):
    """No API key, a malformed Authorization header, or an unknown or revoked key."""

    code = "unauthorized"

    def __init__(self, message: str, *, code: str | None = None, challenge: str = "Bearer") -> None:
        super().__init__(message, code=code, headers={"WWW-Authenticate": challenge})


class Forbidden(ApiError):
    """The key is valid but its role may not do this."""

    code = "forbidden"


class RateLimited(ApiError):
    """The key's rate limit is spent; `retry_after` says when the window frees up."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
