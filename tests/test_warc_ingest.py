"""`farmwatch ingest` on a WARC the test writes itself (warcio): HTML responses become pages, the rest is
skipped, and a run killed mid-file resumes where it stopped without indexing anything twice."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from farmwatch.analysis.urls import normalize_url
from farmwatch.config import Settings
from farmwatch.reports import page_report
from farmwatch.services import Services
from farmwatch.store.embedded import EmbeddedRedis
from farmwatch.store.layout import KeyLayout
from tests.conftest import CORPORA, SEED, seed_case

CASE = seed_case()
PROVENANCE = CORPORA / "provenance-dev"


def _write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, body in pages:
            request = io.BytesIO(f"GET {url} HTTP/1.1\r\n\r\n".encode())
            writer.write_record(writer.create_warc_record(url, "request", payload=request))
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )
        # Not HTML, and not a 200: both skipped.
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/a.png", "response", payload=io.BytesIO(b"\x89PNG"), http_headers=image
            )
        )
        gone = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/gone", "response", payload=io.BytesIO(b"<p>no</p>"), http_headers=gone
            )
        )


def _ingest(redis_url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REDIS_URL": redis_url}
    return subprocess.Popen(
        [sys.executable, "-m", "farmwatch.cli", "ingest", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_seed_pages_from_a_warc(tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis) -> None:
    warc = tmp_path / "seed.warc.gz"
    _write_warc(warc, [(p["url"], (SEED / p["html_file"]).read_bytes()) for p in (CASE["repost"], CASE["original"])])
    run = _ingest(redis_server.url, str(warc), "--jobs", "2")
    out, err = run.communicate(timeout=90)
    assert run.returncode == 0, err.decode()
    assert "2 pages indexed, 2 responses skipped" in out.decode()
    services = Services.create(redis_client, Settings())
    report = page_report(services, CASE["repost"]["url"])
    assert report.provenance.verdict == "republished"
    assert report.provenance.sources[0].url == CASE["repost"]["expected"]["source_url"]
    # A second run over a finished file does nothing.
    again = _ingest(redis_server.url, str(warc), "--jobs", "1")
    out, _ = again.communicate(timeout=60)
    assert again.returncode == 0 and services.pages.count() == 2


def test_a_killed_import_resumes_where_it_stopped(
    tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    rows = [json.loads(line) for line in (PROVENANCE / "pages.jsonl").read_text().splitlines()[:30]]
    warc = tmp_path / "crawl.warc.gz"
    _write_warc(warc, [(r["url"], (PROVENANCE / r["html_file"]).read_bytes()) for r in rows])
    run = _ingest(redis_server.url, str(warc), "--jobs", "1", "--batch", "2")
    field = f"{warc.name}:{warc.stat().st_size}"
    deadline = time.monotonic() + 60
    progress = None
    while time.monotonic() < deadline:  # kill it once it has saved some progress, mid-file
        raw = redis_client.hget("fw:import", field)
        progress = json.loads(raw) if raw else None
        if progress and progress["pages"] >= 4:
            run.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    run.wait(timeout=30)
    assert progress and not progress["done"], "the import finished before it could be killed"
    assert run.returncode == -signal.SIGKILL
    first_count = int(redis_client.hlen("{fw:ids}:url2id"))
    assert 4 <= first_count < len(rows)

    resumed = _ingest(redis_server.url, str(warc), "--jobs", "1", "--batch", "2")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err.decode()
    assert "resumed at byte" in out.decode()
    final = json.loads(redis_client.hget("fw:import", field))
    assert final["done"] and final["pages"] == len(rows) and final["skipped"] == 2
    services = Services.create(redis_client, Settings())
    ids = services.pages.page_ids(sorted({normalize_url(r["url"]) for r in rows}))
    assert None not in ids and services.pages.count() == len(set(ids))


def test_an_archived_copy_never_replaces_a_page_the_service_fetched(tmp_path: Path, services: Services) -> None:
    from farmwatch.bulk import WarcImporter
    from farmwatch.ingest import submit_html

    original, repost = CASE["original"], CASE["repost"]
    submit_html(services, original["url"], (SEED / original["html_file"]).read_bytes(), origin="fetched")
    page_id = services.pages.page_id(normalize_url(original["url"]))
    assert page_id is not None
    record = ("facts", "doc", "text", "fp")  # what the page is (its verdict and edges move as copies arrive)
    stored = services.client.hmget(KeyLayout().page(page_id), record)
    # The archive holds other HTML under the fetched page's URL, and a page of its own.
    warc = tmp_path / "archive.warc.gz"
    other = (SEED / repost["html_file"]).read_bytes()
    _write_warc(warc, [(original["url"], other), (repost["url"], other)])
    stats = WarcImporter(services, jobs=1).run(warc)
    assert (stats.pages, stats.bad) == (1, 1)
    assert stats.bad_records[0].startswith(normalize_url(original["url"]))
    assert "was fetched by the service itself" in stats.bad_records[0]
    assert services.client.hmget(KeyLayout().page(page_id), record) == stored  # nothing written over it
    assert services.pages.count() == 2


@pytest.mark.parametrize("workers_ingest", [True, False])
def test_worker_processes_import_several_files_and_refuse_archived_copies(
    tmp_path: Path, redis_server: EmbeddedRedis, services: Services, workers_ingest: bool
) -> None:
    """One importer with two worker processes (ingesting themselves, or analysing while this process stores in
    order) runs two files in turn: every page of each is indexed, and the archived copy under a fetched page's
    URL is a bad record with its message."""
    from farmwatch.bulk import WarcImporter
    from farmwatch.ingest import submit_html

    original, repost = CASE["original"], CASE["repost"]
    submit_html(services, original["url"], (SEED / original["html_file"]).read_bytes(), origin="fetched")
    rows = [json.loads(line) for line in (PROVENANCE / "pages.jsonl").read_text().splitlines()[:12]]
    first, second = tmp_path / "first.warc.gz", tmp_path / "second.warc.gz"
    _write_warc(first, [(r["url"], (PROVENANCE / r["html_file"]).read_bytes()) for r in rows[:6]])
    other = (SEED / repost["html_file"]).read_bytes()
    pages = [(r["url"], (PROVENANCE / r["html_file"]).read_bytes()) for r in rows[6:]]
    _write_warc(second, [*pages, (original["url"], other), (repost["url"], other)])
    redis_url = redis_server.url if workers_ingest else None
    with WarcImporter(services, jobs=2, batch=4, redis_url=redis_url) as importer:
        done = [importer.run(first), importer.run(second)]
    assert [(s.pages, s.bad, s.skipped, s.done) for s in done] == [(6, 0, 2, True), (7, 1, 3, True)]
    assert "was fetched by the service itself" in done[1].bad_records[0]
    assert services.pages.count() == 1 + 12 + 1
