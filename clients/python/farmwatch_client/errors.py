"""One exception per error code of the API's envelope `{"error": {"code", "message"}}`."""

from __future__ import annotations


class FarmwatchError(Exception):
    """Any error answered by the API (or a transport failure after the retries)."""

    code = "farmwatch_error"

    def __init__(
        self, message: str, *, status: int | None = None, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        if code is not None:
            self.code = code


class BadRequest(FarmwatchError):
    code = "bad_request"


class InvalidRequest(BadRequest):
    """422: malformed JSON, fields or parameters."""

    code = "invalid_request"


class InvalidCursor(InvalidRequest):
    code = "invalid_cursor"


class InvalidWebhookUrl(InvalidRequest):
    """The callback URL is not https, or points at a refused address."""

    code = "invalid_webhook_url"


class TooManyWebhooks(InvalidRequest):
    code = "too_many_webhooks"


class UnusablePage(FarmwatchError):
    """422: the page or text cannot be analysed (empty, binary, no markup)."""

    code = "unusable_page"


class Unauthorized(FarmwatchError):
    """401: no key."""

    code = "unauthorized"


class InvalidKey(Unauthorized):
    """401: an unknown or revoked key."""

    code = "invalid_key"


class Forbidden(FarmwatchError):
    """403: the key's role may not do this."""

    code = "forbidden"


class NotFound(FarmwatchError):
    """404."""

    code = "not_found"


class UnknownPage(NotFound):
    code = "unknown_page"


class UnknownJob(NotFound):
    code = "unknown_job"


class UnknownSite(NotFound):
    code = "unknown_site"


class UnknownLabel(NotFound):
    code = "unknown_label"


class UnknownWebhook(NotFound):
    code = "unknown_webhook"


class MethodNotAllowed(FarmwatchError):
    code = "method_not_allowed"


class BodyTimeout(FarmwatchError):
    """408: the request body took too long to send."""

    code = "body_timeout"


class ImportRefused(FarmwatchError):
    code = "import_refused"


class TooLarge(FarmwatchError):
    """413: the request body is over the service's cap."""

    code = "too_large"


class RateLimited(FarmwatchError):
    """429: the key's rate limit is spent (`retry_after` seconds)."""

    code = "rate_limited"


class FetchFailed(FarmwatchError):
    """502: the page's server failed the service's fetch."""

    code = "fetch_failed"


class StoreUnavailable(FarmwatchError):
    """503: Redis cannot be reached (`retry_after`)."""

    code = "store_unavailable"


class IndexLayout(FarmwatchError):
    """503: the index needs `farmwatch reindex`."""

    code = "index_layout"


class InternalError(FarmwatchError):
    code = "internal_error"


class HttpError(FarmwatchError):
    """Any other HTTP error status."""

    code = "http_error"


class TransportError(FarmwatchError):
    """The service could not be reached (after the retries)."""

    code = "transport_error"


class JobFailed(FarmwatchError):
    """A job waited for ended in `failed` (its error in `message`)."""

    code = "job_failed"


class WaitTimeout(FarmwatchError):
    """A job waited for did not end in time."""

    code = "wait_timeout"


def _subclasses(cls: type[FarmwatchError]) -> list[type[FarmwatchError]]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


BY_CODE: dict[str, type[FarmwatchError]] = {cls.code: cls for cls in _subclasses(FarmwatchError)}
BY_STATUS: dict[int, type[FarmwatchError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    408: BodyTimeout,
    409: ImportRefused,
    413: TooLarge,
    422: InvalidRequest,
    429: RateLimited,
    502: FetchFailed,
    503: StoreUnavailable,
    500: InternalError,
}


def error_for(status: int, code: str | None, message: str, retry_after: float | None) -> FarmwatchError:
    cls = BY_CODE.get(code or "") or BY_STATUS.get(status, HttpError)
    return cls(message, status=status, code=code, retry_after=retry_after)
