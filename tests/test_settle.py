"""A site's record is learned over the whole graph: a pair judged before the copier's site had a record is
judged again once the record is known (judging.settle: workers run it between jobs, `farmwatch ingest` after
an import, `farmwatch settle` on demand)."""

from __future__ import annotations

import json
import random
import threading
import time

from typer.testing import CliRunner

from farmwatch.ingest import submit_html
from farmwatch.judging import settle
from farmwatch.reports import page_report
from farmwatch.services import Services
from farmwatch.store.embedded import EmbeddedRedis
from farmwatch.store.jobs import JobQueue
from workers.worker import Worker

# Made-up words the articles are drawn from (800 of them): each article a different random sequence, so two
# articles share a word here and there and no sentence, as two stories do. (From a few dozen words, any two
# sentences share most of their words: the alignment rightly reads them as rewordings of each other.)
_SYLLABLES = tuple("bakoritumesalonivedapugemotafirunezaholi"[i : i + 2] for i in range(0, 40, 2))
_WORDS = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in ("n", "r")]


def _article(seed: int) -> list[str]:
    rnd = random.Random(seed)
    return [
        " ".join(rnd.choice(_WORDS) for _ in range(18)).capitalize() + f" on day {seed * 10 + i}." for i in range(8)
    ]


def _page(title: str, paragraphs: list[str], published: str, extra: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><title>{title}</title><meta property="article:published_time" content="{published}">'
        f"</head><body><article><h1>{title}</h1>{body}{extra}</article></body></html>"
    )


def _verdict(services: Services, url: str) -> tuple[str, list[str]]:
    report = page_report(services, url)
    assert report is not None
    return report.provenance.verdict, [s.url for s in report.provenance.sources]


ORIGINAL = "https://news.example.com/2024/harbour"
EARLY_COPY = "https://farm.example.net/harbour-story"


def _farm_copies_first_then_its_record(services: Services) -> None:
    # The farm's first copy claims a time an hour before the original's and names nothing: the dates decide,
    # and the original is accused of copying it.
    submit_html(services, EARLY_COPY, _page("Harbour", _article(1), "2024-05-02T10:00:00+00:00"))
    submit_html(services, ORIGINAL, _page("Harbour", _article(1), "2024-05-02T11:00:00+00:00"))
    assert _verdict(services, ORIGINAL) == ("republished", [EARLY_COPY])
    # Then the farm shows what it is: five more copies, each naming its source.
    for n in range(2, 7):
        source = f"https://outlet{n}.example.org/story-{n}"
        submit_html(services, source, _page(f"Story {n}", _article(n), "2024-05-01T08:00:00+00:00"))
        link = f'<p>Source: <a href="{source}">outlet {n}</a></p>'
        submit_html(services, f"https://farm.example.net/story-{n}", _page("Copy", _article(n), "2024-05-03", link))
    assert _verdict(services, ORIGINAL) == ("republished", [EARLY_COPY])  # nothing has judged that pair again


def test_a_pair_judged_before_the_farm_had_a_record_is_judged_again(services: Services) -> None:
    _farm_copies_first_then_its_record(services)
    done = settle(services)
    assert done.sites >= 1 and done.changed >= 2
    assert _verdict(services, ORIGINAL) == ("original", [])
    assert _verdict(services, EARLY_COPY) == ("republished", [ORIGINAL])
    # A fixed point: nothing moves again.
    assert settle(services).judged == 0


def test_settle_with_a_budget_leaves_the_rest_for_the_next_call(services: Services) -> None:
    _farm_copies_first_then_its_record(services)
    first = settle(services, max_pages=1)
    assert first.judged >= 1
    rest = settle(services)
    assert rest.sites >= 1
    assert _verdict(services, ORIGINAL) == ("original", [])


def test_settle_from_the_command_line(services: Services, redis_server: EmbeddedRedis, monkeypatch) -> None:
    from farmwatch.cli import app

    _farm_copies_first_then_its_record(services)
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    result = CliRunner().invoke(app, ["settle"])
    assert result.exit_code == 0, result.output
    done = json.loads(result.output.strip().splitlines()[-1])
    assert done["sites"] >= 1 and done["changed"] >= 2
    assert _verdict(services, ORIGINAL) == ("original", [])


def test_an_idle_worker_settles(services: Services, queue: JobQueue) -> None:
    _farm_copies_first_then_its_record(services)
    worker, stop = Worker(services, queue), threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while _verdict(services, ORIGINAL)[0] != "original" and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert _verdict(services, ORIGINAL) == ("original", [])
    # Operators see it in the metrics: pages judged again, by whether their verdict changed.
    worker.metrics.flush()
    settled = next(m for m in worker.metrics.collect() if m.name == "farmwatch_settled_pages")
    by_change = {s.labels["changed"]: s.value for s in settled.samples if s.name.endswith("_total")}
    assert by_change.get("yes", 0) >= 2


def test_an_original_and_its_amp_version_are_not_each_others_record(services: Services) -> None:
    # A farm's copy backdated two days before the original, naming nothing, arrives first: with no records
    # yet, the dates accuse the original and its AMP version. Then the farm shows what it is (five copies
    # naming their sources). The original's site has no pages but the story and its AMP version: neither is
    # the other's evidence of a site that republishes (each accused, each would make the other's site look
    # like a farm), so the farm's record decides.
    backdated = "https://farm.example.net/harbour-story"
    amp = "https://news.example.com/2024/harbour/amp"
    submit_html(services, backdated, _page("Harbour", _article(1), "2024-04-30T10:00:00+00:00"))
    submit_html(services, ORIGINAL, _page("Harbour", _article(1), "2024-05-02T11:00:00+00:00"))
    submit_html(services, amp, _page("Harbour", _article(1), "2024-05-02T11:00:00+00:00"))
    assert _verdict(services, ORIGINAL)[0] == "republished"
    for n in range(2, 7):
        source = f"https://outlet{n}.example.org/story-{n}"
        submit_html(services, source, _page(f"Story {n}", _article(n), "2024-05-01T08:00:00+00:00"))
        link = f'<p>Source: <a href="{source}">outlet {n}</a></p>'
        submit_html(services, f"https://farm.example.net/story-{n}", _page("Copy", _article(n), "2024-05-03", link))
    settle(services)
    assert _verdict(services, ORIGINAL) == ("original", [])
    assert _verdict(services, amp) == ("original", [])
    verdict, sources = _verdict(services, backdated)
    assert verdict == "republished" and sources[0] == ORIGINAL
