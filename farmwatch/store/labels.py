"""Moderator labels: a moderator confirms or dismisses a page's verdict, with a reason and a note.

Keys:
  fw:labels                 stream  every label ever given, in order (its entry id is the label id)
  fw:labels:latest          hash    page id → the page's newest current label (JSON)
  fw:labels:page:{id}       list    the page's labels, oldest first (JSON): its history
  fw:labels:deleted         hash    label id → when and by whom it was deleted (JSON)

A stream keeps the full history for export and paging by id; the hash answers "what did a moderator say
about this page" in one read for the queue, the page view and the extension's look-up.

One current label per page and moderator: a moderator's newer label supersedes their older one (pressing
dismiss, then confirm, leaves "confirm" current), and deleting (or undoing) a label brings back the one it
superseded. Nothing is erased: superseded and deleted labels stay in the history and the export.
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
Reason = Literal["farm_copy", "licensed_syndication", "false_match", "other"]
# farm_copy: the verdict is right and the page should be acted on; licensed_syndication: the verdict is right
# but the reuse is allowed (no action); false_match: the verdict is wrong; other: explained in the note.
REASONS = ("farm_copy", "licensed_syndication", "false_match", "other")


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
        *,
        reason: str | None = None,
    ) -> dict:
        """Store a label with the verdict it was given on (the verdict may change later); it becomes the
        moderator's current label for the page."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}")
        if reason is not None and reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}")
        sources = (provenance or {}).get("sources") or []
        label = {
            "page_id": page_id,
            "url": url,
            "decision": decision,
            "reason": reason,
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

    def get(self, label_id: str) -> dict | None:
        rows = self.client.xrange(self.stream, min=label_id, max=label_id, count=1)
        if not rows:
            return None
        return self._with_deleted([self._decode(*rows[0])])[0]

    def delete(self, label_id: str, by: str | None = None) -> dict | None:
        """Delete a label (undo): it leaves the page's current labels, stays in the history. Returns it
        (with deleted_at), or None for an unknown id."""
        label = self.get(label_id)
        if label is None:
            return None
        if label.get("deleted_at") is None:
            mark = {"deleted_at": time.time(), "deleted_by": by}
            self.client.hset(self.keys.deleted_labels, label_id, orjson.dumps(mark))
            label.update(mark)
            self._refresh_latest(label["page_id"])
        return label

    def _refresh_latest(self, page_id: int) -> None:
        current = self.current(page_id)
        if current:
            self.client.hset(self._latest, str(page_id), orjson.dumps(current[-1]))
        else:
            self.client.hdel(self._latest, str(page_id))

    def for_page(self, page_id: int) -> list[dict]:
        """The page's labels, oldest first, each marked `current` (its moderator's newest label not
        deleted) or not, with `deleted_at` when deleted."""
        labels = self._with_deleted([orjson.loads(raw) for raw in self.client.lrange(self._page(page_id), 0, -1)])
        newest: dict[str | None, int] = {}
        for i, label in enumerate(labels):
            label.setdefault("reason", None)
            if label.get("deleted_at") is None:
                newest[label.get("moderator")] = i
        chosen = set(newest.values())
        for i, label in enumerate(labels):
            label["current"] = i in chosen
        return labels

    def current(self, page_id: int) -> list[dict]:
        """One label per moderator (their newest, not deleted), oldest first."""
        return [label for label in self.for_page(page_id) if label["current"]]

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
        return self._with_deleted([self._decode(entry_id, fields) for entry_id, fields in rows])

    def export(self, batch: int = 500) -> Iterator[dict]:
        """Every label, oldest first (deleted ones with deleted_at), read in batches so a large history
        never sits in memory."""
        low = "-"
        while True:
            rows = self.client.xrange(self.stream, min=low, max="+", count=batch)
            if not rows:
                return
            yield from self._with_deleted([self._decode(entry_id, fields) for entry_id, fields in rows])
            last = rows[-1][0]
            low = "(" + (last.decode() if isinstance(last, bytes) else last)

    def _with_deleted(self, labels: list[dict]) -> list[dict]:
        if not labels:
            return labels
        marks = self.client.hmget(self.keys.deleted_labels, [label["id"] for label in labels])
        for label, mark in zip(labels, marks, strict=True):
            label.setdefault("reason", None)
            found = orjson.loads(mark) if mark else {}
            label["deleted_at"] = found.get("deleted_at")
            label["deleted_by"] = found.get("deleted_by")
        return labels

    @staticmethod
    def _decode(entry_id: bytes | str, fields: dict) -> dict:
        label = orjson.loads(fields[b"label"] if b"label" in fields else fields["label"])
        label["id"] = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        return label
