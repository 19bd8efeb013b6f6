"""API keys in Redis, stored only as hashes.

A key is `fwk_<id>_<secret>`: the id (public, 8 hex digits) names the key in listings
and logs, the secret is 256 random bits. Only SHA-256 of the whole token is stored:
the secret is random and long, so a slow password hash would add latency to every
request without making a stolen hash any easier to reverse.

Keys (prefix "fw" by default):
  {fw:apikeys}      hash  sha256(token) hex → record (JSON: id, name, role, created, rate)
  {fw:apikeys}:ids  hash  key id → sha256(token) hex (for listing and revoking by id)
(one hash tag, so the two-key transactions below run on one Redis Cluster node)

Every request reads its key's record from Redis (see bench/auth_overhead.py), so a revoked
key is refused by every process at once. The API keeps records it has parsed, but only to
skip parsing: its check script (service/auth.py) compares the stored record on the server
with the one parsed, in the same call that counts the request's rate limit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass

import orjson
import redis

from farmwatch.store.layout import KeyLayout

ROLES = ("admin", "ingest", "moderator", "lookup")
TOKEN_PREFIX = "fwk_"


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    role: str
    created: float
    rate: str | None = None  # a `limits` rate string such as "600/minute"; None means the role's default


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def key_id_of(token: str) -> str | None:
    """The public id inside a token (for logs), or None when it is not shaped like one of ours."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    parts = token[len(TOKEN_PREFIX) :].split("_", 1)
    return parts[0] if len(parts) == 2 and len(parts[0]) == 8 else None


class KeyStore:
    def __init__(self, client: redis.Redis, prefix: str = "fw") -> None:
        self.client = client
        keys = KeyLayout(prefix)
        self.by_hash = keys.api_keys
        self.by_id = keys.api_key_ids

    def create(self, role: str, name: str = "", rate: str | None = None) -> tuple[str, ApiKey]:
        """A new key; returns (token, record). The token is shown once and never stored."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
        key_id = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        record = ApiKey(key_id, name, role, time.time(), rate)
        digest = hash_token(token)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self.by_hash, digest, orjson.dumps(asdict(record)))
        pipe.hset(self.by_id, key_id, digest)
        pipe.execute()
        return token, record

    def lookup(self, token: str) -> ApiKey | None:
        raw = self.client.hget(self.by_hash, hash_token(token))
        return None if raw is None else self.parse(token, raw)

    @staticmethod
    def parse(token: str, raw: bytes) -> ApiKey | None:
        """The record stored for `token`, or None when the id inside the token is not the record's."""
        record = ApiKey(**orjson.loads(raw))
        # The id inside the token must match the record's (a constant-time check, cheap insurance).
        return record if hmac.compare_digest(key_id_of(token) or "", record.id) else None

    def list(self) -> list[ApiKey]:
        records = [ApiKey(**orjson.loads(raw)) for raw in self.client.hvals(self.by_hash)]
        return sorted(records, key=lambda r: r.created)

    def revoke(self, key_id: str) -> bool:
        digest = self.client.hget(self.by_id, key_id)
        if digest is None:
            return False
        pipe = self.client.pipeline(transaction=True)
        pipe.hdel(self.by_hash, digest)
        pipe.hdel(self.by_id, key_id)
        pipe.execute()
        return True

    def count(self) -> int:
        return int(self.client.hlen(self.by_hash))

    # Records written by `import` or a later version must not lose keys: export them by hash only.
    def export_rows(self) -> list[dict]:
        return [{"hash": h.decode(), **orjson.loads(raw)} for h, raw in self.client.hgetall(self.by_hash).items()]

    def import_row(self, row: dict) -> None:
        digest = row.pop("hash")
        record = ApiKey(**{k: row[k] for k in ("id", "name", "role", "created", "rate") if k in row})
        self.client.hset(self.by_hash, digest, orjson.dumps(asdict(record)))
        self.client.hset(self.by_id, record.id, digest)
