"""Structured JSON logs (stdlib logging, one JSON object per line) carrying the request id.

The request id is set by the API for each request (from `X-Request-ID` when the client
sends a sane one, else a new one), stored with any job the request queues, and set again
by the worker while it runs that job, so one id follows a submission from the API into
its job and the worker. Log calls pass fields with `extra={...}`; only fields that are
safe are ever passed: URLs, ids, statuses, key ids (the public half), never a key or a
page body.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from contextvars import ContextVar

import orjson

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
job_id_var: ContextVar[str | None] = ContextVar("job_id", default=None)

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Attributes every LogRecord has; anything else came from `extra=` and is logged as a field.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def new_request_id(offered: str | None = None) -> str:
    """The client's id when sane, else 32 random hex digits (what uuid4().hex gave, at a fifth of the cost)."""
    return offered if offered and _SANE_ID.match(offered) else os.urandom(16).hex()


class JsonFormatter(logging.Formatter):
    _second: int = -1
    _stamp: str = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # one strftime a second, not one a line
            self._second, self._stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        entry: dict = {
            "ts": round(record.created, 3),
            "time": f"{self._stamp}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id, job_id = request_id_var.get(), job_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        if job_id:
            entry["job_id"] = job_id
        for key, value in record.__dict__.items():  # in the order the call passed them
            if key not in _STANDARD and key[0] != "_":
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure(level: int = logging.INFO) -> None:
    """JSON lines on stderr for every logger, uvicorn's included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # No line carries the process, thread or process name: skip looking them up for every record.
    logging.logProcesses = logging.logThreads = logging.logMultiprocessing = False
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # The API writes its own access line (route template, status, duration, key id, request id).
    logging.getLogger("uvicorn.access").disabled = True
