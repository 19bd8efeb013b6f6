"""Score republication detection on a corpus in the provenance-dev format.

Every page of `pages.jsonl` is ingested in file order (a copy may arrive before
its original) into a fresh store; then each page's report is read and compared
with its truth. Figures: precision and recall of verdict "republished"; source
accuracy (share of true republications whose first-ranked source is one of the
true sources; for merged copies every true source must be among those found);
attribution accuracy over true republications whose truth says whether they are attributed (null
when none does); per-kind detection rates; and
the number of own posts and alternates wrongly reported as republished; the number of
pages whose truth is original (originals, own posts, alternates, independent stories)
accused; and a calibration table: for bands of `provenance.score`, the share of pages
in the band that truly are republications.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from farmwatch.analysis.decode import InputError
from farmwatch.analysis.fingerprint import overlap, shingle_hashes
from farmwatch.analysis.page import PageAnalysis, analyze_html
from farmwatch.analysis.urls import normalize_url
from farmwatch.config import FingerprintSettings, Settings
from farmwatch.forked import ForkedWorkers
from farmwatch.ingest import ingest
from farmwatch.judging import settle
from farmwatch.report import PageReport
from farmwatch.reports import page_reports
from farmwatch.services import Services
from farmwatch.store.connection import connect
from farmwatch.store.embedded import EmbeddedRedis, free_port

# Bands of provenance.score for the calibration table (the last one closed at 1.0).
CALIBRATION_BANDS = [(0.0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.0)]


def _band_of(score: float) -> int:
    for n, (_, high) in enumerate(CALIBRATION_BANDS):
        if score < high:
            return n
    return len(CALIBRATION_BANDS) - 1


def load_pages(corpus_dir: Path) -> list[dict]:
    path = corpus_dir / "pages.jsonl"
    if not path.exists():
        candidates = sorted(corpus_dir.glob("*.jsonl"))
        if len(candidates) != 1:
            raise FileNotFoundError(f"no pages.jsonl in {corpus_dir}")
        path = candidates[0]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(rows: list[dict], reports: dict[str, PageReport | None]) -> dict:
    url_of = {row["id"]: normalize_url(row["url"]) for row in rows}
    report_of = {url_of[row_id]: report for row_id, report in reports.items() if row_id in url_of}
    tp = fp = fn = 0
    source_hits = attribution_hits = attribution_known = true_republished = 0
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind → [detected, total]
    accused = originals_accused = originals = 0
    bands = [[0, 0] for _ in CALIBRATION_BANDS]  # per band of score: [true republications, pages]
    mistakes: list[dict] = []
    for row in rows:
        truth = row["truth"]
        report = reports.get(row["id"])
        provenance = report.provenance.model_dump() if report and report.provenance else {}
        said = provenance.get("verdict") == "republished"
        actual = truth["verdict"] == "republished"
        kind = truth.get("kind", "unknown")
        per_kind[kind][1] += 1
        band = _band_of(float(provenance.get("score") or 0.0))
        bands[band][0] += actual
        bands[band][1] += 1
        if not actual:
            originals += 1
            originals_accused += said
        if (said == actual and kind not in ("original",)) or (kind == "original" and not said):
            per_kind[kind][0] += 1
        if said and actual:
            tp += 1
        elif said:
            fp += 1
            if kind in ("own", "alternate"):
                accused += 1
        elif actual:
            fn += 1
        if said and not actual:  # an original accused: which page it is said to copy, and how sure
            mistakes.append(_mistake(row, kind, "accused", provenance))
        elif actual and not said:
            mistakes.append(_mistake(row, kind, "missed", provenance))
        if actual:
            true_republished += 1
            found = [normalize_url(s["url"]) for s in provenance.get("sources", [])]
            wanted = {url_of[s] for s in truth.get("sources", []) if s in url_of}
            first_ok = bool(found) and found[0] in wanted
            if kind == "merged":
                first_ok = first_ok and wanted <= set(found)
            source_hits += first_ok
            if said and not first_ok:  # found, but traced to the wrong original
                entry = _mistake(row, kind, "wrong_source", provenance)
                labelled = next((url_of[s] for s in truth.get("sources", []) if s in url_of), None)
                named = found[0] if found else None
                entry["labelled"] = labelled
                # The named source may carry the labelled one's text (an agency that ran a story twice, a paper
                # that printed it whole): how much of it, read from the two pages' main texts.
                entry["labelled_text_in_source"] = _text_held(report_of.get(named), report_of.get(labelled))
                mistakes.append(entry)
            if truth.get("attributed") is not None:  # corpora without attribution truth give null
                attribution_known += 1
                attribution_hits += bool(provenance.get("attributed")) == bool(truth["attributed"])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "source_accuracy": round(source_hits / true_republished, 4) if true_republished else None,
        "attribution_accuracy": round(attribution_hits / attribution_known, 4) if attribution_known else None,
        "own_or_alternate_accused": accused,
        "originals_accused": originals_accused,
        "originals": originals,
        "calibration": [
            {"score": f"{low:.2f}-{high:.2f}", "pages": n, "republished": round(hits / n, 4) if n else None}
            for (low, high), (hits, n) in zip(CALIBRATION_BANDS, bands, strict=True)
        ],
        "per_kind": {k: round(v[0] / v[1], 4) for k, v in sorted(per_kind.items())},
        # Every mistake, the worst first: originals accused, then copies traced to the wrong original, then
        # copies missed (each group in corpus order).
        "mistakes": sorted(mistakes, key=lambda m: _MISTAKE_ORDER[m["mistake"]]),
    }


_MISTAKE_ORDER = {"accused": 0, "wrong_source": 1, "missed": 2}


def _text_held(holder: PageReport | None, text_of: PageReport | None, n: int = 5) -> float | None:
    """The share of `text_of`'s main-text word n-grams (the service's own shingles) found in `holder`'s (None when
    either is unknown or too short to shingle)."""
    if holder is None or text_of is None or not holder.main_text or not text_of.main_text:
        return None
    wanted = shingle_hashes(text_of.main_text, n)
    return round(overlap(shingle_hashes(holder.main_text, n), wanted).containment_b, 3) if len(wanted) else None


def _mistake(row: dict, kind: str, mistake: str, provenance: dict) -> dict:
    """One line of --show-mistakes: what the report said, and for a page said republished its first source with
    what decided it: how much of the page it covers and the grade, the alignment's P(reuse) (the text
    evidence) and the direction model's P(this page copied it) (who came first)."""
    entry = {
        "id": row["id"],
        "kind": kind,
        "mistake": mistake,
        "said": provenance.get("verdict"),
        "score": provenance.get("score"),
    }
    if mistake != "missed":
        first = (provenance.get("sources") or [{}])[0]
        entry["source"] = first.get("url")
        for name in ("coverage", "reuse", "reuse_probability", "probability"):
            entry[name] = first.get(name)
    return entry


def _analyse_row(corpus_dir: Path, row: dict, settings: FingerprintSettings) -> PageAnalysis | None:
    """A corpus page's analysis, as POST /v1/pages makes it (None when it is no usable HTML page)."""
    body = (corpus_dir / row["html_file"]).read_bytes()
    try:
        return analyze_html(body, row["url"], published_hint=row.get("published_at"), settings=settings)
    except InputError:
        return None


def _analyse_rows(corpus_dir: Path, rows: list[dict], settings: FingerprintSettings) -> list[PageAnalysis | None]:
    return [_analyse_row(corpus_dir, row, settings) for row in rows]


class PageAnalysers(ForkedWorkers):
    """Analyses a corpus's pages in `jobs` worker processes (0: in this one), handing them back in file order,
    while this process stores and judges the ones before: analysis is pure, so where it runs changes no
    report, and the store still sees the pages one at a time in file order. Provenance-dev's run on two
    cores: 2.36-2.52 -> 1.85-2.08 s (one worker; a second changes nothing: storing is then the slower side).

    The workers are forked when this is made (farmwatch.forked): before any thread starts."""

    BATCH = 16  # pages sent to a worker at once
    AHEAD = 4  # batches analysed ahead of the one being stored, at most (memory stays flat on big corpora)

    def __init__(self, settings: FingerprintSettings, jobs: int) -> None:
        self.settings = settings
        super().__init__(jobs)

    def analysed(self, corpus_dir: Path, rows: list[dict]) -> Iterator[PageAnalysis | None]:
        """The pages' analyses in file order; the workers start on them at this call."""
        # The first batches are small, so this process starts storing while the workers go on (a page's analysis
        # and its storing take about as long: a first batch of BATCH pages left this one idle ~60 ms).
        chunks, start, size = [], 0, 1
        while start < len(rows):
            chunks.append(rows[start : start + size])
            start, size = start + size, min(self.BATCH, 2 * size)
        work = partial(_analyse_rows, corpus_dir, settings=self.settings)
        # The first `for` of a generator expression runs at once: the workers get the first batches at this call.
        return (page for analysed in self.in_order(work, chunks, ahead=self.AHEAD) for page in analysed)


SOCKET_PATH_MAX = 107  # bytes of a unix socket's path (sun_path less its final NUL)


def _throwaway_server(folder: Path) -> EmbeddedRedis:
    """A Redis server for one evaluation, on a unix socket in `folder`: the run's thousands of round trips cost less
    than over TCP loopback (~7% of provenance-dev's whole run). On a loopback port when the folder's path is too
    long for a socket's."""
    extra = {"appendonly": "no", "save": ""}
    server = EmbeddedRedis(folder, extra=extra)
    if len(os.fsencode(server.socket_path)) > SOCKET_PATH_MAX:
        server = EmbeddedRedis(folder, port=free_port(), extra=extra)
    return server


@contextmanager
def _collections_skip_what_is_alive() -> Iterator[None]:
    """The objects alive on entry (the modules, the services) are left out of the garbage collector's sweeps until
    exit: the many objects each page makes set off collections, and every full one walked them all again."""
    caller_froze = gc.get_freeze_count() > 0  # then theirs stay frozen on exit, as they were
    gc.freeze()
    try:
        yield
    finally:
        if not caller_froze:
            gc.unfreeze()


def evaluate_provenance(
    corpus_dir: Path,
    settings: Settings | None = None,
    redis_url: str | None = None,
    progress: bool | Callable[[int, int], None] = False,
    analysers: PageAnalysers | None = None,
) -> dict:
    """`analysers`: where the pages are analysed (default: in this process); they take no more work after it."""
    settings = settings or Settings()
    analysers = analysers or PageAnalysers(settings.fingerprint, jobs=0)
    rows = load_pages(corpus_dir)
    # The workers start on the first pages now, while this process starts Redis (it waited 14-37 ms for the
    # first page otherwise).
    analysed = analysers.analysed(corpus_dir, rows)
    with tempfile.TemporaryDirectory(prefix="farmwatch-eval-") as tmp:
        server = None
        if redis_url is None:
            server = _throwaway_server(Path(tmp))
            redis_url = server.start()
        try:
            client = connect(redis_url)
            client.flushdb()
            services = Services.create(client, settings)
            with _collections_skip_what_is_alive():
                started = time.perf_counter()
                errors = 0
                # Client-supplied pages, as the API's POST /v1/pages takes them (its check against a fetched
                # original can never refuse one here: the store is fresh and nothing in it was fetched).
                for number, analysis in enumerate(analysed, 1):
                    if analysis is None:
                        errors += 1
                    else:
                        ingest(services, analysis, "client")
                    if callable(progress):
                        progress(number, len(rows))
                    elif progress and number % 50 == 0:
                        print(f"  {number}/{len(rows)} pages", file=sys.stderr)
                # Every page is analysed: the workers exit while this process settles and scores (waiting for
                # them at the end took 6 ms).
                analysers.finish()
                # What the service's workers do between jobs: pages judged again where sites' records moved.
                settle(services, max_pages=len(rows) * 10)
                elapsed = time.perf_counter() - started
                read = page_reports(services, [row["url"] for row in rows])
                reports = {row["id"]: report for row, report in zip(rows, read, strict=True)}
            client.close()
        finally:
            if server is not None:
                server.stop()
    result = score(rows, reports)
    result.update(
        {
            "pages": len(rows),
            "pages_per_s": round(len(rows) / elapsed, 1) if elapsed else None,
            "unusable_pages": errors,
        }
    )
    return result
