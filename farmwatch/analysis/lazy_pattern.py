"""A regular expression compiled at its first search or match, not at import (pure: no I/O).

The credit and boilerplate-phrase patterns that few blocks reach (each wire pattern holds every agency's alias)
took ~25 ms of every process's start; a page naming no wire, or a process analysing a few pages, never needs
some of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable


class LazyPattern:
    """`search` and `match` as a compiled pattern's; `pattern` and `flags` as given."""

    __slots__ = ("flags", "match", "pattern", "search")
    search: Callable[..., re.Match[str] | None]  # the compiled pattern's own, once set
    match: Callable[..., re.Match[str] | None]

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, name: str) -> Callable[..., re.Match[str] | None]:  # only while search and match are unset
        if name not in ("search", "match"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        self.search, self.match = compiled.search, compiled.match
        return getattr(compiled, name)
