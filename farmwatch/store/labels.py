"""Moderator labels: a moderator confirms or dismisses a page's verdict, with a note.

Keys:
  fw:labels                 stream  every label ever given, in order (its entry id is the label id)
  fw:labels:latest          hash    page id → the page's latest label (JSON)
  fw:labels:page:{id}       list    the page's labels, oldest first (JSON)

A stream keeps the full history for export and paging by id; the hash answers "what did a moderator say
about this page" in one read for the queue, the page view and the extension's look-up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Literal

import orjson
import redis

from farmwatch.store.layout import KeyLayout

Decision = Literal["confirm", "dismiss"]
DECISIONS = ("confirm", "dismiss")


class LabelStore:
    def __init__(self, client: redis.Redis, prefix: str = "fw") -> None:
        self.client = client
        self.prefix = prefix
        self.keys = KeyLayout(prefix)
        self.stream = self.keys.labels

    def _page(self, page_id: int) -> str:
        return self.keys.page_labels(page_id)

    @property
    def _latest(self) -> str:
        return self.keys.latest_labels

    def add(
        self,
        page_id: int,
        url: str,
        decision: Decision,
        note: str,
        provenance: dict | None,
        moderator: str | None = None,
        created_at: float | None = None,
    ) -> dict:
        """Store a label with the verdict it was given on (the verdict may change later)."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}")
        sources = (provenance or {}).get("sources") or []
        label = {
            "page_id": page_id,
            "url": url,
            "decision": decision,
            "note": note,
            "verdict": (provenance or {}).get("verdict"),
            "score": (provenance or {}).get("score"),
            "source_url": sources[0]["url"] if sources else None,
            "moderator": moderator,
            "created_at": created_at if created_at is not None else time.time(),
        }
        entry_id = self.client.xadd(self.stream, {"label": orjson.dumps(label)})
        label["id"] = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        raw = orjson.dumps(label)
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(self._latest, str(page_id), raw)
        pipe.rpush(self._page(page_id), raw)
        pipe.execute()
        return label

    def for_page(self, page_id: int) -> list[dict]:
        return [orjson.loads(raw) for raw in self.client.lrange(self._page(page_id), 0, -1)]

    def latest(self, page_ids: list[int]) -> dict[int, dict]:
        if not page_ids:
            return {}
        raw = self.client.hmget(self._latest, [str(i) for i in page_ids])
        return {i: orjson.loads(value) for i, value in zip(page_ids, raw, strict=True) if value}

    def count(self) -> int:
        return int(self.client.xlen(self.stream))

    def recent(self, limit: int = 50, before: str | None = None) -> list[dict]:
        """Newest first; `before` is the id of the last label of the previous page of results."""
        high = f"({before}" if before else "+"
        rows = self.client.xrevrange(self.stream, max=high, min="-", count=limit)
        return [self._decode(entry_id, fields) for entry_id, fields in rows]

    def export(self, batch: int = 500) -> Iterator[dict]:
        """Every label, oldest first, read in batches so a large history never sits in memory."""
        low = "-"
        while True:
            rows = self.client.xrange(self.stream, min=low, max="+", count=batch)
            if not rows:
                return
            for entry_id, fields in rows:
                yield self._decode(entry_id, fields)
            last = rows[-1][0]
            low = "(" + (last.decode() if isinstance(last, bytes) else last)

    @staticmethod
    def _decode(entry_id: bytes | str, fields: dict) -> dict:
        label = orjson.loads(fields[b"label"] if b"label" in fields else fields["label"])
        label["id"] = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        return label
