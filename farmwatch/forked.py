"""Worker processes forked with every module imported, for the pages' analysis (bulk import, evaluation).

Forked, not spawned: a spawned worker imports every module again (~0.5 s of CPU each, before its first page).
Make them before the caller starts any thread (a progress bar's): a fork copies the locks other threads hold.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from collections.abc import Callable
from typing import Any, Self


class ForkedWorkers:
    """A pool of `jobs` forked worker processes (none when jobs is 0), stopped by close() or at the end of a
    `with` block; they stop with this process otherwise."""

    def __init__(
        self, jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
    ) -> None:
        self.pool: multiprocessing.pool.Pool | None = None
        if jobs > 0:
            self.pool = multiprocessing.get_context("fork").Pool(jobs, initializer=initializer, initargs=initargs)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
