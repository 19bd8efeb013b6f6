"""The LSH index grows by splitting its hashes: every bucket stays findable, hashes stay small, removals
and concurrent writers stay exact, and an index of another layout is refused until `farmwatch reindex`."""

from __future__ import annotations

import multiprocessing
import random
import subprocess
import sys

import pytest
import redis

from farmwatch.config import IndexSettings, Settings
from farmwatch.ingest import submit_html
from farmwatch.reports import page_report
from farmwatch.services import Services
from farmwatch.store.connection import connect
from farmwatch.store.embedded import EmbeddedRedis
from farmwatch.store.lsh import IndexLayoutError, LshIndex
from tests.conftest import SEED, seed_case

# Small groups and a low load, so a few thousand pages make every group split many times.
SMALL = {"group_bits": 4, "load": 4, "max_bucket": 500}


def _random_pages(count: int, buckets: int, seed: int) -> dict[int, list[int]]:
    rng = random.Random(seed)
    return {page_id: [rng.getrandbits(64) for _ in range(buckets)] for page_id in range(1, count + 1)}


def _hash_sizes(client: redis.Redis, prefix: str) -> list[int]:
    return [client.hlen(key) for key in client.scan_iter(match=f"{prefix}:lsh:{{*", count=1000)]


def test_every_bucket_stays_findable_as_groups_split(redis_client: redis.Redis) -> None:
    index = LshIndex(redis_client, "fw", **SMALL)
    pages = _random_pages(1500, 20, seed=1)
    shared = random.Random(2).getrandbits(64)  # one bucket every tenth page has
    for page_id in pages:
        if page_id % 10 == 0:
            pages[page_id].append(shared)
    items = list(pages.items())
    for start in range(0, len(items), 100):
        index.insert_many(items[start : start + 100])

    # Each of the 16 groups split into many hashes, and no hash grew far past the load.
    states = [redis_client.hget(f"fw:lsh:{{{g:x}}}", "n") for g in range(16)]
    assert all(n is not None and int(n) > 100 for n in states)
    sizes = _hash_sizes(redis_client, "fw")
    assert max(sizes) <= 6 * SMALL["load"]
    assert sum(sizes) / len(sizes) <= 2 * SMALL["load"]

    # Every page is found through every one of its buckets, once.
    for page_id in (1, 10, 777, 1500):
        (hits,) = index.query(pages[page_id])
        assert hits[page_id] == len(pages[page_id])
    assert sorted(index.members([shared])[0]) == list(range(10, 1501, 10))
    # A bucket no page has holds nothing.
    (none,) = index.query([random.Random(3).getrandbits(64) for _ in range(50)])
    assert none == {}


def test_indexing_twice_and_removing_are_exact_after_splits(redis_client: redis.Redis) -> None:
    index = LshIndex(redis_client, "fw", **SMALL)
    pages = _random_pages(800, 15, seed=4)
    index.insert_many(pages.items())
    assert index.insert_many(pages.items()) == 0  # nothing new the second time
    for page_id in range(1, 801, 2):
        assert index.remove(page_id, pages[page_id]) == 15
    for page_id in (1, 2, 799, 800):
        (hits,) = index.query(pages[page_id])
        assert hits == ({} if page_id % 2 else {page_id: 15})
    # Removed pages leave no empty bucket behind.
    for group in range(16):
        key = f"fw:lsh:{{{group:x}}}"
        for i in range(int(redis_client.hget(key, "n"))):
            values = redis_client.hvals(key if i == 0 else f"{key}:{i}")
            assert all(values)


def _insert_all(url: str, pages: dict[int, list[int]], order: int) -> None:
    index = LshIndex(connect(url), "fw", **SMALL)
    items = list(pages.items())
    for page_id, buckets in items if order % 2 == 0 else reversed(items):
        index.insert(page_id, buckets)


def test_processes_splitting_the_same_groups_leave_one_entry_per_page(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    pages = _random_pages(400, 12, seed=5)
    context = multiprocessing.get_context("spawn")  # fork from a process holding threads can deadlock
    workers = [context.Process(target=_insert_all, args=(redis_server.url, pages, n)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    index = LshIndex(redis_client, "fw", **SMALL)
    for page_id, buckets in pages.items():
        assert index.members(buckets) == [[page_id]] * len(buckets)


def test_a_process_refuses_an_index_of_another_layout_until_reindexed(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path
) -> None:
    case = seed_case()
    services = Services.create(redis_client, Settings())
    for page in (case["original"], case["repost"]):
        submit_html(services, page["url"], (SEED / page["html_file"]).read_bytes())

    other = Settings(index=IndexSettings(group_bits=6, load=8))
    with pytest.raises(IndexLayoutError, match="farmwatch reindex"):
        Services.create(redis_client, other)
    # Pages but no marker at all: an index built by a farmwatch from before the marker.
    marker = redis_client.get("fw:lsh:layout")
    redis_client.delete("fw:lsh:layout")
    with pytest.raises(IndexLayoutError, match="older farmwatch"):
        Services.create(redis_client, Settings())
    redis_client.set("fw:lsh:layout", marker)

    env = {
        "REDIS_URL": redis_server.url,
        "FARMWATCH_INDEX__GROUP_BITS": "6",
        "FARMWATCH_INDEX__LOAD": "8",
        "PATH": "/usr/bin:/bin",
        "FARMWATCH_DATA_DIR": str(tmp_path),
    }

    def farmwatch(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "farmwatch.cli", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    refused = farmwatch("worker")  # a worker under the other settings does not start
    assert refused.returncode == 78 and "farmwatch reindex" in refused.stderr and "Traceback" not in refused.stderr
    done = farmwatch("reindex")
    assert done.returncode == 0, done.stderr
    assert '"pages_indexed": 2' in done.stdout

    # The rebuilt index serves the new layout: a re-submitted copy still finds its original.
    services = Services.create(redis_client, other)
    submit_html(services, case["repost"]["url"], (SEED / case["repost"]["html_file"]).read_bytes())
    report = page_report(services, case["repost"]["url"])
    assert report.provenance.verdict == "republished"
    with pytest.raises(IndexLayoutError):
        Services.create(redis_client, Settings())  # and the old layout is refused in turn


def test_insert_and_query_finds_the_pages_indexed_before_and_not_itself(redis_client: redis.Redis) -> None:
    index = LshIndex(redis_client, "fw", **SMALL)
    pages = _random_pages(300, 10, seed=6)
    index.insert_many(pages.items())
    copy = pages[42][:6] + [random.Random(7).getrandbits(64) for _ in range(4)]  # shares 6 buckets with 42
    assert index.insert_and_query(1001, copy[:3], copy[3:]) == [{42: 3}, {42: 3}]
    # Indexed now: a later page with the same buckets finds both; doing it again changes nothing.
    assert index.insert_and_query(1002, copy) == [{42: 6, 1001: 10}]
    assert index.insert_and_query(1002, copy) == [{42: 6, 1001: 10}]
    assert index.members(copy[6:7]) == [[1001, 1002]]


def test_a_page_sharing_one_common_sampled_shingle_is_not_counted(redis_client: redis.Redis) -> None:
    index = LshIndex(redis_client, "fw")
    rng = random.Random(8)
    common, rare = rng.getrandbits(64), [rng.getrandbits(64) for _ in range(3)]
    band = rng.getrandbits(64)
    for page_id in range(1, 51):  # fifty pages share one common sampled shingle and nothing else
        index.insert(page_id, [common])
    index.insert(60, [common, *rare])  # one shares three
    index.insert(70, [band, common])  # one shares a band and the common shingle
    hits = index.query([band], [common, *rare], min_shared=(1, 2))
    assert hits == [{70: 1}, {60: 4, 70: 1}]
    assert index.query([band], [common, *rare], min_shared=(1, 2), keep=[7]) == [{70: 1}, {7: 1, 60: 4, 70: 1}]
    assert len(index.query([band], [common, *rare])[1]) == 52  # without min_shared, all of them


def test_a_reuse_key_that_very_many_pages_share_is_left_out_of_the_counts(redis_client: redis.Redis) -> None:
    from farmwatch.store.lsh import COMMON_KEY_FIRST, COMMON_KEY_PAGES

    index = LshIndex(redis_client, "fw", **SMALL)
    rng = random.Random(9)
    phrase = [rng.getrandbits(64) for _ in range(3)]  # three word pairs of a common phrase
    story = [rng.getrandbits(64) for _ in range(3)]  # three of one story's own
    for page in range(1, COMMON_KEY_PAGES + 2):
        index.insert(page, [rng.getrandbits(64), *phrase])
    for page in range(500, 505):
        index.insert(page, [rng.getrandbits(64), *story])
    band = [rng.getrandbits(64)]
    # The phrase's buckets hold more pages than COMMON_KEY_PAGES: they are not counted with the others; the
    # story's are. The common buckets' earliest members come back apart, with the common keys they share.
    found = index.query(band, phrase, min_shared=(1, 3))
    assert found == [{}, {}]
    assert found.common == {page: 3 for page in range(1, COMMON_KEY_FIRST + 1)}
    assert index.query(band, story, min_shared=(1, 3)) == [{}, {page: 3 for page in range(500, 505)}]
    # Inserting a page with the phrase: the same look-up, in the same call; the buckets still take it in.
    assert index.insert_and_query(900, band, [*phrase, *story], min_shared=(1, 3)) == [
        {},
        {page: 3 for page in range(500, 505)},
    ]
    # A bucket is common as reuse key only: as a band (a whole look-up's first group) it still counts...
    assert len(index.query(phrase[:1])[0]) == COMMON_KEY_PAGES + 2
    # ...and members() reads every bucket whole.
    assert len(index.members(phrase[:1])[0]) == COMMON_KEY_PAGES + 2


def test_a_look_up_counts_alike_in_python_and_in_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small look-ups are tallied in Python, large ones with numpy: both give the same pages and counts.
    import numpy as np

    from farmwatch.store import lsh

    rng = random.Random(3)

    def packed(count: int) -> bytes:
        pool = rng.choice([5, 50, 5000])
        return np.array([rng.randrange(1, pool) for _ in range(count)], dtype="<u4").tobytes()

    cases = []
    for _ in range(5000):
        rare, common = packed(rng.randint(0, 60)), packed(rng.choice([0, 0, rng.randint(0, 60)]))
        need = rng.randint(1, 4)
        kept = set(rng.sample(range(1, 60), rng.randint(0, 5)))
        cases.append((rare, common, need, max(need, rng.randint(1, 4)), kept))
    small = [lsh._tally(*case) for case in cases]
    monkeypatch.setattr(lsh, "_SMALL_TALLY", -1)  # every look-up counted with numpy
    for (counted, met), case in zip(small, cases, strict=True):
        numpy_counted, numpy_met = lsh._tally(*case)
        assert counted == numpy_counted and list(met) == list(numpy_met)
