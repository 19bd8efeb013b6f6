"""The whole path (extract, fingerprint, match, store) against the naive composition, in one run.
(CORPUS_DIR: extraction-dev by default; a corpus with pages.jsonl, as provenance-dev, is read too.)

    python bench/pipeline.py [CORPUS_DIR] [--limit N] [--jobs J] [--one-process]
    python bench/pipeline.py --stages     # only ours, one page at a time: where its time goes
    python bench/pipeline.py --fingerprint  # only analysis.page.fingerprint, over the pages' analyses
    python bench/pipeline.py PROVENANCE_CORPUS --whole [--rounds R]  # each whole evaluation as one process

Naive composition, as the libraries' docs suggest (../shared/notes/naive-pipeline.md):
trafilatura.extract(html) → lower-cased word 5-gram shingles → datasketch MinHash(num_perm=128)
.update_batch (sha1) → datasketch MinHashLSH(threshold=0.5, Redis storage): query, then insert, one page
at a time.

Ours, two ways, on the same embedded Redis server (other database numbers):
  per page   analyze_html + farmwatch.ingest.ingest, one page at a time (the API's path);
  bulk       the WARC importer (farmwatch ingest) over a WARC of the same pages, analysis in J worker
             processes overlapping the store (J defaults to the number of cores).
The two per-page paths each run in a process of their own, as each would in use (a process holding both
stacks makes both pay for the other's heap in garbage collection), taking turns ten pages at a time (the
order swapped every turn) so both see the same machine load; --one-process runs them in this process,
interleaved page by page. Times are wall clock, Redis included. Pages that one side cannot use are still counted for it
(the time was spent). The last line printed is one JSON object.

--stages runs only our per-page path and times its steps (each wrapped in a timer, which adds a little),
with the Redis server's CPU time per page (INFO cpu).

--whole times each side's whole evaluation of a corpus in provenance-dev's format (pages.jsonl with truth) as a
process of its own, start-up included, the sides taking turns R times (the order rotated every round): ours is
`farmwatch eval provenance CORPUS` (starts its own Redis server, ingests page by page in file order, settles
sites' records, reads every report, scores), as it runs by default (pages analysed in one worker process per
core but one, while it stores them) and with `--jobs 0` (analysis in the same process, one process as the naive
side is; the bench checks both print the same figures); the naive side is this script's --naive-eval (starts its
own Redis server the same way, then trafilatura → MinHash → LSH query then insert, page by page, a page with an
earlier candidate called a copy of it, scored by precision and recall). Each side's figures are printed beside
the times: a ratio of speed means little without what each finds.

--fingerprint analyses the pages once, then times fingerprint() alone over all of them, pass by pass: the
first pass meets every word for the first time (the word table of text.py is empty, as in a fresh worker),
the later ones only known words; and the parts of the last pass (prepare, shingles, signature, keys).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from farmwatch import collector  # noqa: E402
from farmwatch.analysis.decode import InputError  # noqa: E402
from farmwatch.analysis.page import analyze_html  # noqa: E402
from farmwatch.bulk import WarcImporter  # noqa: E402
from farmwatch.config import Settings  # noqa: E402
from farmwatch.ingest import ingest  # noqa: E402
from farmwatch.services import Services  # noqa: E402
from farmwatch.store.connection import connect  # noqa: E402
from farmwatch.store.embedded import EmbeddedRedis, free_port  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "extraction-dev"
_WORD = re.compile(r"\w+")


class Naive:
    def __init__(self, port: int, db: int) -> None:
        from datasketch import MinHash, MinHashLSH
        from trafilatura import extract

        self.extract, self.minhash = extract, MinHash
        self.lsh = MinHashLSH(
            threshold=0.5,
            num_perm=128,
            storage_config={
                "type": "redis",
                "basename": b"naive",
                "redis": {"host": "127.0.0.1", "port": port, "db": db},
            },
        )
        self.matches = 0

    def page(self, key: str, html: bytes) -> None:
        self.source_of(key, html)

    def source_of(self, key: str, html: bytes) -> str | None:
        """Index the page; answer an earlier page LSH gives as a candidate, the lowest id (the naive "source")."""
        text = self.extract(html) or ""
        words = _WORD.findall(text.lower())
        shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(0, len(words) - 4))}
        signature = self.minhash(num_perm=128)
        signature.update_batch(list(shingles))
        found = self.lsh.query(signature)
        self.matches += bool(found)
        self.lsh.insert(key, signature)
        return min(found) if found else None


class Ours:
    def __init__(self, url: str, settings: Settings) -> None:
        self.services = Services.create(connect(url), settings)
        self.settings = settings

    def as_the_api_process(self) -> None:
        """The collector as the API's process sets it once started (service.app's lifespan)."""
        collector.started()

    def page(self, url: str, html: bytes) -> None:
        try:
            analysis = analyze_html(html, url, settings=self.settings.fingerprint)
        except InputError:
            return
        ingest(self.services, analysis)


def load(corpus: Path, limit: int | None) -> list[tuple[str, bytes]]:
    listing = corpus / "truth.jsonl" if (corpus / "truth.jsonl").exists() else corpus / "pages.jsonl"
    rows = [json.loads(line) for line in listing.read_text().splitlines()]
    pages = []
    for number, row in enumerate(rows[:limit]):
        url = row["url"] if row["url"].startswith("http") else f"https://site{number % 97}.example/{number}"
        pages.append((url, (corpus / row["html_file"]).read_bytes()))
    return pages


def write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, body in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)


def stages(pages: list[tuple[str, bytes]], settings: Settings) -> dict:
    """Our per-page path alone, with each step timed (ms per page, over all pages)."""
    from collections import defaultdict

    import farmwatch.analysis.page as page_module
    import farmwatch.ingest as pipeline_module
    import farmwatch.judging as judging_module
    from farmwatch.store.lsh import LshIndex
    from farmwatch.store.pages import PageStore

    steps: list[tuple[object, list[str]]] = [
        (
            page_module,
            [
                "decode_for_parser",
                "LexborHTMLParser",
                "extract_metadata",
                "extract_blocks",
                "find_credits",
                "fingerprint",
                "find_date_fallback",
            ],
        ),
        (pipeline_module, ["template_candidates", "facts_of", "document_of", "match_page", "rejudge"]),
        (judging_module, ["judge"]),
        (PageStore, ["open_page", "save_page"]),
        (LshIndex, ["insert", "query"]),
    ]
    spent: dict[str, float] = defaultdict(float)

    def timed(owner: object, name: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    for owner, names in steps:
        for name in names:
            timed(owner, name)
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp), port=free_port(), extra={"appendonly": "no", "save": ""})
        server.start()
        try:
            services = Services.create(connect(server.url), settings)
            cpu_before = services.client.info("cpu")
            analysis_time = 0.0
            started = time.perf_counter()
            for url, html in pages:
                began = time.perf_counter()
                try:
                    analysis = page_module.analyze_html(html, url, settings=settings.fingerprint)
                except InputError:
                    continue
                analysis_time += time.perf_counter() - began
                pipeline_module.ingest(services, analysis)
            total = time.perf_counter() - started
            cpu_after = services.client.info("cpu")
            server_cpu = sum(cpu_after[k] - cpu_before[k] for k in ("used_cpu_user", "used_cpu_sys"))
        finally:
            server.stop()
    ms = 1000 / len(pages)
    return {
        "pages": len(pages),
        "pages_per_s": round(len(pages) / total, 1),
        "ms_per_page": round(total * ms, 3),
        "analysis_ms": round(analysis_time * ms, 3),
        "ingest_ms": round((total - analysis_time) * ms, 3),
        "redis_server_cpu_ms": round(server_cpu * ms, 3),  # on the other core, while this process waits
        "stages_ms": {name: round(value * ms, 3) for name, value in sorted(spent.items(), key=lambda kv: -kv[1])},
    }


def fingerprint_only(pages: list[tuple[str, bytes]], settings: Settings, passes: int = 4) -> dict:
    """ms per page of analysis.page.fingerprint alone, first (cold) pass and later passes, and its parts."""
    import farmwatch.analysis.page as page_module
    from farmwatch.analysis import fingerprint as fp
    from farmwatch.analysis import text

    analyses = []
    for url, html in pages:
        try:
            analyses.append(page_module.analyze_html(html, url, settings=settings.fingerprint))
        except InputError:
            continue
    text._VOCABULARY.clear()  # as in a fresh process: the first pass meets every word for the first time
    ms = 1000 / len(analyses)
    rounds = []
    for _ in range(passes):
        started = time.perf_counter()
        for analysis in analyses:
            page_module.fingerprint(analysis, settings.fingerprint)
        rounds.append(round((time.perf_counter() - started) * ms, 3))
    parts = {"main_text": 0.0, "prepare": 0.0, "shingles": 0.0, "signature": 0.0, "reuse_keys": 0.0}
    for analysis in analyses:
        t0 = time.perf_counter()
        main_text = analysis.main_text
        t1 = time.perf_counter()
        prepared = text.prepare(main_text)
        t2 = time.perf_counter()
        shingles = fp.prepared_shingle_hashes(prepared, settings.fingerprint.shingle_words)
        t3 = time.perf_counter()
        fp.minhash_values(shingles, settings.fingerprint)
        t4 = time.perf_counter()
        text.candidate_keys(prepared)
        t5 = time.perf_counter()
        for name, spent in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            parts[name] += spent
    return {
        "pages": len(analyses),
        "avg_main_text_chars": round(sum(len(a.main_text) for a in analyses) / len(analyses)),
        "fingerprint_ms_first_pass": rounds[0],
        "fingerprint_ms_later_passes": rounds[1:],
        "parts_ms": {name: round(value * ms, 3) for name, value in parts.items()},
    }


def _side(name: str, redis_url: str, port: int, conn: Connection) -> None:
    """One per-page path in a process of its own: runs the batches it is sent, answers the time spent."""
    side = Naive(port, db=1) if name == "naive" else Ours(redis_url, Settings())
    if isinstance(side, Ours):
        side.as_the_api_process()
    while (batch := conn.recv()) is not None:
        spent = 0.0
        for url, html in batch:
            started = time.perf_counter()
            side.page(url, html)
            spent += time.perf_counter() - started
        conn.send(spent)
    conn.send(getattr(side, "matches", 0))


def per_page_in_processes(pages: list[tuple[str, bytes]], server: EmbeddedRedis, turn: int = 10) -> tuple[dict, int]:
    context = multiprocessing.get_context("spawn")
    conns, procs = {}, []
    for name in ("ours", "naive"):
        mine, theirs = context.Pipe()
        proc = context.Process(target=_side, args=(name, server.url, server.port or 0, theirs))
        proc.start()
        theirs.close()  # only the child holds its end now: a side that dies is an EOFError here, not a hang
        conns[name], procs = mine, [*procs, proc]
    spent = {"ours": 0.0, "naive": 0.0}
    try:
        for number, start in enumerate(range(0, len(pages), turn)):
            batch = pages[start : start + turn]
            for name in ("ours", "naive") if number % 2 == 0 else ("naive", "ours"):
                conns[name].send(batch)
                spent[name] += conns[name].recv()
            if (start + turn) % 100 == 0:
                print(f"{start + turn} pages", file=sys.stderr, flush=True)
        for conn in conns.values():
            conn.send(None)
        naive_matches = conns["naive"].recv()
        conns["ours"].recv()
    finally:
        for proc in procs:
            proc.join(timeout=30)
    return spent, naive_matches


def per_page_in_one_process(pages: list[tuple[str, bytes]], server: EmbeddedRedis) -> tuple[dict, int]:
    naive, ours = Naive(server.port or 0, db=1), Ours(server.url, Settings())
    spent = {"ours": 0.0, "naive": 0.0}
    for number, (url, html) in enumerate(pages):
        sides = [("ours", ours.page), ("naive", naive.page)]
        for name, run in sides if number % 2 == 0 else reversed(sides):
            started = time.perf_counter()
            run(url, html)
            spent[name] += time.perf_counter() - started
        if (number + 1) % 100 == 0:
            print(f"{number + 1} pages", file=sys.stderr, flush=True)
    return spent, naive.matches


def naive_eval(corpus: Path) -> dict:
    """The naive composition's whole evaluation (one process: its own Redis server, then page by page)."""
    rows = [json.loads(line) for line in (corpus / "pages.jsonl").read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp), port=free_port(), extra={"appendonly": "no", "save": ""})
        server.start()
        try:
            naive = Naive(server.port or 0, db=0)
            said: dict[str, str | None] = {}
            for row in rows:
                said[row["id"]] = naive.source_of(row["id"], (corpus / row["html_file"]).read_bytes())
        finally:
            server.stop()
    tp = sum(1 for r in rows if said[r["id"]] and r["truth"]["verdict"] == "republished")
    fp = sum(1 for r in rows if said[r["id"]] and r["truth"]["verdict"] != "republished")
    fn = sum(1 for r in rows if not said[r["id"]] and r["truth"]["verdict"] == "republished")
    right = sum(1 for r in rows if said[r["id"]] and said[r["id"]] in r["truth"].get("sources", []))
    return {
        "precision": round(tp / max(1, tp + fp), 4),
        "recall": round(tp / max(1, tp + fn), 4),
        "source_accuracy": round(right / max(1, tp), 4),
        "pages": len(rows),
    }


def whole(corpus: Path, rounds: int) -> dict:
    """The whole evaluations as processes of their own, start-up included, taking turns: ours as it runs by
    default (pages analysed in worker processes while it stores them in order) and with --jobs 0 (one process,
    as the naive side is)."""
    ours = [sys.executable, "-m", "farmwatch.cli", "eval", "provenance", str(corpus)]
    sides = {
        "ours": ours,
        "ours_one_process": [*ours, "--jobs", "0"],
        "naive": [sys.executable, str(Path(__file__).resolve()), str(corpus), "--naive-eval"],
    }
    names = list(sides)
    times: dict[str, list[float]] = {name: [] for name in names}
    figures: dict[str, dict] = {}
    for number in range(rounds):
        for name in names[number % 3 :] + names[: number % 3]:
            started = time.perf_counter()
            done = subprocess.run(sides[name], capture_output=True, text=True, check=True, cwd=REPO)
            times[name].append(time.perf_counter() - started)
            figures[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"round {number + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in names), file=sys.stderr)
    keep = ("precision", "recall", "source_accuracy", "originals_accused", "per_kind")
    result: dict = {"pages": figures["naive"]["pages"]}
    result |= {f"{name}_s": [round(t, 2) for t in times[name]] for name in names}
    for name, label in (("ours", "ratio_whole"), ("ours_one_process", "ratio_whole_one_process")):
        ratios = [n / o for o, n in zip(times[name], times["naive"], strict=True)]
        result[label] = round(statistics.median(ratios), 2)
        result[f"{label}_range"] = [round(min(ratios), 2), round(max(ratios), 2)]
    assert figures["ours"] == {**figures["ours_one_process"], "pages_per_s": figures["ours"]["pages_per_s"]}
    result["ours"] = {k: figures["ours"][k] for k in keep if k in figures["ours"]}
    result["naive"] = {k: figures["naive"][k] for k in keep if k in figures["naive"]}
    return result


def _require_naive_side() -> None:
    import importlib.util

    missing = [name for name in ("trafilatura", "datasketch") if importlib.util.find_spec(name) is None]
    if missing:
        sys.exit(f"the naive side needs {', '.join(missing)}: pip install -e '.[bench]' (in .venv)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stages", action="store_true", help="only our per-page path, timed step by step")
    parser.add_argument("--one-process", action="store_true", help="both per-page paths in this process")
    parser.add_argument("--fingerprint", action="store_true", help="only analysis.page.fingerprint, pass by pass")
    parser.add_argument("--whole", action="store_true", help="each whole evaluation as one process, taking turns")
    parser.add_argument("--rounds", type=int, default=3, help="with --whole: turns each side takes")
    parser.add_argument("--naive-eval", action="store_true", help=argparse.SUPPRESS)  # --whole's naive side
    args = parser.parse_args()
    if not (args.stages or args.fingerprint):
        _require_naive_side()
    if args.naive_eval:
        print(json.dumps(naive_eval(args.corpus)))
        return
    if args.whole:
        print(json.dumps(whole(args.corpus, args.rounds)))
        return
    pages = load(args.corpus, args.limit)
    settings = Settings()
    if args.stages:
        print(json.dumps(stages(pages, settings)))
        return
    if args.fingerprint:
        print(json.dumps(fingerprint_only(pages, settings)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp), port=free_port(), extra={"appendonly": "no", "save": ""})
        server.start()
        try:
            if args.one_process:
                spent, naive_matches = per_page_in_one_process(pages, server)
            else:
                spent, naive_matches = per_page_in_processes(pages, server)
            warc = Path(tmp) / "pages.warc.gz"
            write_warc(warc, pages)
            bulk_url = server.url.rsplit("/", 1)[0] + "/2"
            bulk_services = Services.create(connect(bulk_url), settings)
            collector.collect_less_often()  # as `farmwatch ingest` sets it, before its workers fork
            started = time.perf_counter()  # the workers' start and stop are the import's time too
            with WarcImporter(bulk_services, jobs=args.jobs, batch=64, redis_url=bulk_url) as importer:
                stats = importer.run(warc)
            bulk_time = time.perf_counter() - started
        finally:
            server.stop()
    naive_rate = len(pages) / spent["naive"]
    ours_rate = len(pages) / spent["ours"]
    bulk_rate = len(pages) / bulk_time
    print(
        json.dumps(
            {
                "pages": len(pages),
                "naive_pages_per_s": round(naive_rate, 1),
                "ours_per_page_pages_per_s": round(ours_rate, 1),
                "ours_bulk_pages_per_s": round(bulk_rate, 1),
                "bulk_jobs": args.jobs,
                "ratio_per_page": round(ours_rate / naive_rate, 2),
                "ratio_bulk": round(bulk_rate / naive_rate, 2),
                "bulk_pages_indexed": stats.pages,
                "naive_pages_with_a_candidate": naive_matches,
                "per_page_sides": "one process" if args.one_process else "a process each",
            }
        )
    )


if __name__ == "__main__":
    main()
