"""Worker processes forked with every module imported, for the pages' analysis (bulk import, evaluation).

Forked, not spawned: a spawned worker imports every module again (~0.5 s of CPU each, before its first page).
Make them before the caller starts any thread (a progress bar's): a fork copies the locks other threads hold.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import multiprocessing
import multiprocessing.pool
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, Self, TypeVar

Batch = TypeVar("Batch")
Result = TypeVar("Result")

# The pipe that carries the workers' results, in bytes: 1 MiB, Linux's cap for a process without privileges
# (/proc/sys/fs/pipe-max-size), against the default 64 KiB. 16 provenance-dev pages' analyses weigh 1.1-1.7 MB
# pickled: through 64 KiB the worker waited at every 64 KiB for this process's result thread, and that thread
# for the interpreter lock the storing thread held. The worker's sends: 123-157 ms -> 70-72 ms in all, of which
# ~55 ms is pickling; the store's waits for it 162-192 -> 128-141 ms (five runs each).
RESULT_PIPE_BYTES = 1 << 20


def _start_worker(initializer: Callable[..., None] | None, *initargs: Any) -> None:
    """A worker's first step: the objects it inherited (every module, the parent's state) are left out of its
    garbage collector's sweeps, as gc.freeze's documentation advises for a fork without exec. Else each full
    collection walks them all, and writing their headers copies the parent's memory pages: provenance-dev's
    analysis worker spent 72-186 ms in the collector, 30-40 ms with them left out (its first full collection,
    31-43 ms, came while the store waited for its first pages)."""
    gc.freeze()
    if initializer is not None:
        initializer(*initargs)


def _widen_result_pipe(pool: multiprocessing.pool.Pool) -> None:
    """RESULT_PIPE_BYTES for the pool's result pipe, where the system allows it (Linux; else it stays as it is).
    Pool has no option for it: set through its result queue's reading end (the size is the pipe's, both ends')."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    reader = getattr(getattr(pool, "_outqueue", None), "_reader", None)
    if set_size is None or reader is None:
        return
    with contextlib.suppress(OSError):  # above a lowered cap: the default size, as before
        fcntl.fcntl(reader.fileno(), set_size, RESULT_PIPE_BYTES)


class ForkedWorkers:
    """A pool of `jobs` forked worker processes (none when jobs is 0), stopped by close() or at the end of a
    `with` block; they stop with this process otherwise."""

    def __init__(
        self, jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
    ) -> None:
        self.pool: multiprocessing.pool.Pool | None = None
        if jobs > 0:
            start_args = (initializer, *initargs)
            self.pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_start_worker, initargs=start_args)
            _widen_result_pipe(self.pool)

    def in_order(self, work: Callable[[Batch], Result], batches: Iterable[Batch], ahead: int = 1) -> Iterator[Result]:
        """work(batch) of each batch, handed back in the batches' order while the workers run up to `ahead`
        batches beyond the one handed back (so the caller stores one while the next are analysed); in this
        process, one batch at a time, when there are no workers. `work` is pickled: a module's function.

        The first batches go to the workers at this call, not at the first result asked for: they start while
        the caller gets ready for the results (`eval provenance` starts its Redis server)."""
        if self.pool is None:
            return (work(batch) for batch in batches)
        pool, remaining = self.pool, iter(batches)
        pending = deque(pool.apply_async(work, (batch,)) for batch in islice(remaining, ahead + 1))

        def handed_back() -> Iterator[Result]:
            while pending:
                yield pending.popleft().get()
                pending.extend(pool.apply_async(work, (batch,)) for batch in islice(remaining, 1))

        return handed_back()

    def finish(self) -> None:
        """No more batches: the workers exit once done with theirs, while the caller goes on; close() waits for them."""
        if self.pool is not None:
            self.pool.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
