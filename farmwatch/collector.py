"""The garbage collector's setting for the service's long-lived processes: the API, `farmwatch worker`,
`farmwatch ingest` and `eval provenance` (with the workers they fork).

A page's analysis and ingest make many short-lived objects that their reference counts free; the cyclic
collector, run every 700 allocations by default, mostly walks live ones. Over provenance-dev's evaluation it
found ~1,000 objects to free in the storing process and 5 in its worker.
"""

from __future__ import annotations

import gc

# A young collection every this many allocations, not 700. Measured: the evaluation's time in the collector 31-40
# -> 17-25 ms in the storing process, 12-14 -> 3 ms in its worker, the same peak memory (155 MB); the API's
# per-page path (bench/pipeline.py, extraction-dev, two runs side by side) 4.52-4.53x -> 4.61-4.69x the naive peer;
# the bulk import there 7.06-7.20x -> 7.35-7.60x.
YOUNG_COLLECTION_EVERY = 10_000


def collect_less_often() -> tuple[int, int, int]:
    """Young collections every YOUNG_COLLECTION_EVERY allocations (older generations' settings kept). Set before
    forking, the workers inherit it. Returns the thresholds it replaced."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *before[1:])
    return before


def started() -> tuple[int, int, int]:
    """What a serving process does once started: what it built by then lives as long as it does, so it is left out
    of the collector's sight (a full collection then scans only what requests create: it scanned everything, ~100k
    objects after the API's start-up, in 20-60 ms, every request on the event loop waiting: the look-ups' p99), and
    young collections run less often. Returns the thresholds replaced, to give back with gc.unfreeze()."""
    gc.collect()
    gc.freeze()
    return collect_less_often()
