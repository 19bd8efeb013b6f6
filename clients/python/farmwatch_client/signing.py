"""Checking a webhook delivery's signature, for receivers."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Farmwatch-Signature"


def verify_signature(secret: str, header: str, body: bytes, tolerance: float = 300.0) -> bool:
    """Whether `X-Farmwatch-Signature: t=…,v1=…` is this raw body's, made with the hook's secret, at most
    `tolerance` seconds ago. Check it on the raw bytes, before parsing the JSON."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))
