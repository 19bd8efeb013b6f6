"""The one pagination convention of every list the API serves.

Every list operation takes `limit` and `cursor`, and answers with an object holding `items` and
`next_cursor` (null on the last page): pass `next_cursor` back as `cursor` for the next page. Lists a
dashboard pages backwards also carry `prev_cursor`.

A cursor is opaque to clients: the URL-safe base64 (unpadded) of the JSON `[list, position]`, where `list`
names the list it came from and `position` is where the next page resumes, a keyset position wherever the
list allows one (the last item's sort key and id), so items added or removed meanwhile neither repeat nor
skip the items after it. A cursor that does not decode, or comes from another list, is refused with a
422 `invalid_cursor`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Query

from farmwatch.errors import InvalidRequest

T = TypeVar("T")
K = TypeVar("K")

MAX_CURSOR = 2048
_B64 = re.compile(r"^[A-Za-z0-9_-]+$")

CURSOR_HELP = (
    "`next_cursor` (or `prev_cursor`) of a previous page of this list; omit it for the first page. Opaque: "
    "pass it back as it came. A malformed cursor, or one from another list, is refused: 422 `invalid_cursor`."
)
PAGING = (
    "\n\n**Paging.** Pass `limit`, then the answer's `next_cursor` as `cursor` for the next page, until "
    "`next_cursor` is null. A cursor resumes after the last item shown: items added or removed meanwhile make "
    "no other item repeat or go missing (an item whose place in the order changes may cross the cursor)."
)


def paged(text: str, backwards: bool = False) -> str:
    """An operation's description with how to page it."""
    extra = " `prev_cursor`, when not null, gives the page before." if backwards else ""
    return text.strip() + PAGING + extra


CursorQ = Annotated[str | None, Query(description=CURSOR_HELP)]


def limit_query(default: int, maximum: int) -> Any:
    return Query(ge=1, le=maximum, description=f"Items per page (at most {maximum}).")


def encode_cursor(kind: str, position: Any) -> str:
    """An opaque cursor for a position in the list `kind`."""
    return base64.urlsafe_b64encode(orjson.dumps([kind, position])).rstrip(b"=").decode()


def decode_cursor(kind: str, cursor: str | None, parse: Callable[[Any], T]) -> T | None:
    """The position in a cursor of the list `kind` (None without a cursor), checked by `parse` (which raises
    ValueError, TypeError, KeyError or IndexError on a position it cannot use)."""
    if cursor is None or cursor == "":
        return None
    try:
        if len(cursor) > MAX_CURSOR or not _B64.match(cursor):
            raise ValueError("not base64")
        name, position = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if name != kind:
            raise ValueError("another list's cursor")
        return parse(position)
    except (ValueError, TypeError, KeyError, IndexError, binascii.Error, orjson.JSONDecodeError) as error:
        raise InvalidRequest(
            "cursor: not a cursor from this list (pass back `next_cursor` as it came)", code="invalid_cursor"
        ) from error


def start_cursor(kind: str) -> str:
    """A cursor for the first page (a `prev_cursor` on the second page)."""
    return encode_cursor(kind, None)


# --- positions -------------------------------------------------------------------------------------------
def score_member(position: Any) -> tuple[float, str] | None:
    """A sorted set's keyset position: [score, member]; null is the top."""
    if position is None:
        return None
    score, member = position
    if isinstance(score, bool) or not isinstance(score, int | float) or not isinstance(member, str):
        raise TypeError("[score, member]")
    if not member or len(member) > 1024:
        raise ValueError("member")
    return float(score), member


def count(position: Any) -> int:
    """A position that is a count of items (an index into a list that only grows)."""
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 2**63:
        raise ValueError("a count")
    return position


def stream_id(position: Any) -> str:
    """A Redis stream entry id ("<ms>-<seq>", both below 2**64, not 0-0)."""
    if not isinstance(position, str) or not re.fullmatch(r"\d{1,20}-\d{1,20}", position):
        raise ValueError("a stream id")
    millis, seq = (int(x) for x in position.split("-"))
    if (millis, seq) == (0, 0) or millis >= 2**64 or seq >= 2**64:
        raise ValueError("a stream id")
    return position


def sort_key(position: Any) -> tuple[float, str]:
    """A keyset position in a list sorted by (number, id): [number, id]."""
    number, ident = position
    if isinstance(number, bool) or not isinstance(number, int | float) or not isinstance(ident, str):
        raise TypeError("[number, id]")
    return float(number), ident


def after_key(items: Sequence[T], key: Callable[[T], K], after: K | None, limit: int) -> tuple[list[T], K | None]:
    """A page of `items` (sorted by `key`, ascending): the first `limit` whose key is above `after`, and
    the key to resume after (None on the last page). For short lists kept whole (hooks, feeds)."""
    rest = [item for item in items if after is None or key(item) > after]  # type: ignore[operator]
    page = rest[:limit]
    return page, (key(page[-1]) if len(rest) > limit else None)
