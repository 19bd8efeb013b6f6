"""The index, the page store and the job queue on a Redis Cluster of three masters (real redis-server
processes in cluster mode on loopback, slots assigned by redis-cli --cluster create)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from redis.cluster import RedisCluster

from farmwatch.analysis.urls import normalize_url
from farmwatch.config import Settings
from farmwatch.ingest import submit_html
from farmwatch.reports import page_report
from farmwatch.services import Services
from farmwatch.store.connection import connect
from farmwatch.store.embedded import EmbeddedCluster, system_redis_server
from farmwatch.store.jobs import JobQueue
from tests.conftest import SEED, seed_case, start_api

CASE = seed_case()
ORIGINAL, REPOST = CASE["original"], CASE["repost"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedCluster]:
    with EmbeddedCluster(tmp_path_factory.mktemp("cluster"), masters=3) as running:
        yield running


@pytest.fixture()
def cluster_client(cluster: EmbeddedCluster) -> Iterator[RedisCluster]:
    client = connect(cluster.url)
    assert isinstance(client, RedisCluster)
    client.flushall(target_nodes=RedisCluster.PRIMARIES)
    yield client
    client.close()


def test_the_cluster_runs_the_systems_redis_server(cluster: EmbeddedCluster) -> None:
    if system_redis_server() is None:
        pytest.skip("no system redis-server: `./dev test` installs Debian's (run as root with apt)")
    assert cluster.binary == system_redis_server()
    assert int(cluster.version().split(".")[0]) >= 7


def _keys_per_node(cluster: EmbeddedCluster) -> list[int]:
    return [redis.Redis(port=port).dbsize() for port in cluster.ports]


def test_seed_case_through_the_api_on_a_cluster(cluster: EmbeddedCluster, cluster_client: RedisCluster) -> None:
    live = start_api(cluster.url, Settings())
    try:
        for page in (REPOST, ORIGINAL):  # the copy first: the original arriving later must flip it
            body = {"url": page["url"], "html": (SEED / page["html_file"]).read_text()}
            assert live.http.post("/v1/pages", json=body).status_code == 200
        report = live.http.get("/v1/pages", params={"url": REPOST["url"]}).json()
        original = live.http.get("/v1/pages", params={"url": ORIGINAL["url"]}).json()
    finally:
        live.stop()
    assert report["provenance"]["verdict"] == "republished"
    assert report["provenance"]["sources"][0]["url"] == REPOST["expected"]["source_url"]
    assert report["provenance"]["attributed"] is True
    assert original["provenance"]["verdict"] == "original"
    # The pages and the index are spread over the masters, not piled on one.
    assert sum(1 for n in _keys_per_node(cluster) if n > 0) == 3


def test_pipeline_and_queue_on_a_cluster(cluster_client: RedisCluster) -> None:
    services = Services.create(cluster_client, Settings())
    for page in (ORIGINAL, REPOST):
        submit_html(services, page["url"], (SEED / page["html_file"]).read_bytes())
    assert page_report(services, REPOST["url"]).provenance.verdict == "republished"
    # Indexing the same page again leaves its index entries as they were (one per bucket).
    page_id = services.pages.page_id(normalize_url(REPOST["url"]))
    assert page_id is not None
    buckets = services.pages.buckets(page_id)
    assert buckets and services.index.insert(page_id, buckets) == 0
    (band_hits,) = services.index.query(buckets[: services.settings.fingerprint.bands])
    assert band_hits[page_id] == services.settings.fingerprint.bands
    # Ingested again: its old edges and buckets out, its new buckets in, with its record (one call a bucket).
    submit_html(services, REPOST["url"], (SEED / REPOST["html_file"]).read_bytes())
    assert page_report(services, REPOST["url"]).provenance.verdict == "republished"
    assert all(members.count(page_id) == 1 for members in services.index.members(buckets))

    queue = JobQueue(cluster_client, "fw")
    job_id, created = queue.submit("https://example.com/a")
    assert created and queue.submit("https://example.com/a") == (job_id, False)
    job = queue.reserve("w1", block_ms=100)
    assert job is not None and job.id == job_id
    queue.complete(job, "https://example.com/a")
    assert queue.status(job_id)["status"] == "done"


def test_index_groups_split_on_a_cluster(cluster_client: RedisCluster) -> None:
    """A split moves buckets between hashes of one group: one hash tag, so one slot and one script call."""
    import random

    from farmwatch.store.lsh import LshIndex

    index = LshIndex(cluster_client, "fw", group_bits=4, load=4)
    rng = random.Random(9)
    pages = {page_id: [rng.getrandbits(64) for _ in range(10)] for page_id in range(1, 301)}
    index.insert_many(pages.items())
    assert all(int(cluster_client.hget(f"fw:lsh:{{{g:x}}}", "n") or 0) > 20 for g in range(16))
    for page_id in (1, 150, 300):
        (hits,) = index.query(pages[page_id])
        assert hits == {page_id: 10}
    assert index.remove(150, pages[150]) == 10
    assert index.query(pages[150]) == [{}]
