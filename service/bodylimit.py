"""Request-body limits as pure ASGI middleware: a size cap (413) and a time cap (408).

The size is checked against Content-Length before anything is read, and counted while
the body streams in (chunked uploads have no Content-Length), so an oversized body is
refused after at most `max_bytes` have been read, never buffered whole. A body that
trickles in (slowloris) is cut off after `timeout` seconds.
"""

from __future__ import annotations

import asyncio
import codecs
import time

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _error(status: int, code: str, message: str) -> tuple[dict, dict]:
    body = orjson.dumps({"error": {"code": code, "message": message}})
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"the request body is larger than the limit of {self.max_bytes} bytes"
        framed = False  # HTTP/1.1: a request with neither header has no body (RFC 9112 §6.3), nothing to limit
        for name, value in scope["headers"]:
            if name == b"content-length":
                framed = framed or value != b"0"
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes:
                    await self._reply(send, *_error(413, "too_large", too_large))
                    return
            elif name == b"transfer-encoding":
                framed = True
        if not framed and scope.get("http_version") in ("1.0", "1.1"):
            await self.app(scope, receive, send)
            return
        received = 0
        deadline = time.monotonic() + self.timeout
        # A JSON body must be UTF-8 (RFC 8259 §8.1): checked as it streams in, so bad bytes answer the
        # documented 422 (FastAPI would answer 400 "error parsing the body").
        content_type = next((v for n, v in scope["headers"] if n == b"content-type"), b"").lower()
        utf8 = codecs.getincrementaldecoder("utf-8")() if b"json" in content_type else None
        refused: tuple[dict, dict] | None = None
        responded = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused is not None:
                return {"type": "http.disconnect"}
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                refused = _error(408, "body_timeout", f"the request body took longer than {self.timeout:g} s to send")
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = _error(413, "too_large", too_large)
                    return {"type": "http.disconnect"}
                if utf8 is not None:
                    try:
                        utf8.decode(message.get("body", b""), final=not message.get("more_body", False))
                    except UnicodeDecodeError:
                        refused = _error(422, "invalid_request", "the request body is not valid UTF-8 JSON")
                        return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal responded
            if refused is not None:
                return  # our refusal is sent below; drop whatever the app makes of the disconnect
            responded = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if refused is None:
                raise
        if refused is not None and not responded:
            await self._reply(send, *refused)

    @staticmethod
    async def _reply(send: Send, start: dict, body: dict) -> None:
        await send(start)
        await send(body)
