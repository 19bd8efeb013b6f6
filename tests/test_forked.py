"""Forked worker processes (farmwatch/forked.py): results in the batches' order, and workers that leave what they
inherited from their parent out of their garbage collector's sweeps."""

from __future__ import annotations

import gc
import os

from farmwatch.forked import ForkedWorkers


def _where(batch: list[int]) -> tuple[list[int], int, bool]:
    """A batch as a worker hands it back: the numbers doubled, the worker's pid, whether its inheritance is frozen."""
    return [2 * n for n in batch], os.getpid(), gc.get_freeze_count() > 0


_started: list[str] = []


def _note_start(name: str) -> None:
    _started.append(name)


def _initialised(_batch: object) -> list[str]:
    return list(_started)


def test_workers_hand_batches_back_in_order_with_their_inheritance_left_out_of_collections() -> None:
    batches = [[n, n + 1] for n in range(0, 40, 2)]
    with ForkedWorkers(2) as workers:
        results = list(workers.in_order(_where, batches, ahead=3))
    assert [doubled for doubled, _pid, _frozen in results] == [[2 * n for n in b] for b in batches]
    assert all(pid != os.getpid() for _doubled, pid, _frozen in results)
    assert all(frozen for _doubled, _pid, frozen in results)


def test_a_workers_own_initializer_still_runs() -> None:
    with ForkedWorkers(1, initializer=_note_start, initargs=("ready",)) as workers:
        assert list(workers.in_order(_initialised, [None])) == [["ready"]]


def test_without_workers_the_batches_are_worked_here_one_at_a_time() -> None:
    seen: list[int] = []

    def work(batch: int) -> int:
        seen.append(batch)
        return batch * 3

    results = ForkedWorkers(0).in_order(work, [1, 2, 3])
    assert seen == []  # nothing worked before a result is asked for
    assert next(results) == 3 and seen == [1]
    assert list(results) == [6, 9]


def _heavy(seed: int) -> bytes:
    return bytes([seed]) * (3 << 20)  # more than the result pipe holds at once


def test_results_heavier_than_the_result_pipe_come_back_whole_and_in_order() -> None:
    with ForkedWorkers(2) as workers:
        results = list(workers.in_order(_heavy, range(6), ahead=2))
    assert [(len(r), r[0], r[-1]) for r in results] == [(3 << 20, n, n) for n in range(6)]


def test_finished_workers_still_hand_back_the_batches_they_were_given() -> None:
    workers = ForkedWorkers(1)
    results = workers.in_order(_where, [[1], [2], [3]], ahead=2)  # all three sent at this call
    workers.finish()  # no more batches: the worker exits once done with these
    assert [doubled for doubled, _pid, _frozen in results] == [[2], [4], [6]]
    workers.close()
    assert workers.pool is None
