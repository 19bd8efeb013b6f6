"""Benchmark our main-text extractor against trafilatura on the same pages, in one run.

    python bench/extraction.py [CORPUS_DIR] [--limit N] [--rounds R]

Both extractors get the raw page bytes, so each does its own charset decoding and
parsing; ours is decode_html + lexbor parse + extract_blocks + main_text. Pages/s is timed
over the extraction calls only, in process CPU time so other load on the machine matters
less; each extractor runs over the whole corpus in turn. Quality is scored with
farmwatch.evaluation.extraction. The last line printed is one JSON object.

trafilatura is a benchmark-only dependency (pip install trafilatura); without it only our
figures are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from farmwatch.analysis.extract import WALK  # noqa: E402
from farmwatch.evaluation.extraction import (  # noqa: E402
    default_extract_text,
    fulltext_scores,
    load_corpus,
    prf,
    shingle_counts,
    snippet_counts,
)

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "extraction-dev"


def trafilatura_extractor() -> Callable[[bytes, str], str] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def extract(body: bytes, url: str) -> str:
        return trafilatura.extract(body) or ""

    return extract


class Tally:
    """Quality and time of one extractor over the corpus."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.fulltext: list[tuple[float, float, float]] = []
        self.seconds = 0.0
        self.calls = 0
        self.errors = 0

    def run(self, extract: Callable[[bytes, str], str], body: bytes, url: str) -> str:
        start = time.process_time()
        try:
            text = extract(body, url)
        except Exception:
            text = ""
            self.errors += 1
        self.seconds += time.process_time() - start
        self.calls += 1
        return text

    def score(self) -> dict[str, float]:
        if self.fulltext and not (self.tp + self.fn):
            precision, recall, f1 = fulltext_scores(self.fulltext)
        else:
            precision, recall, f1 = prf(self.tp, self.fp, self.fn)
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "pages_per_s": round(self.calls / self.seconds, 1) if self.seconds else 0.0,
            "errors": self.errors,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--rounds", type=int, default=1, help="time our extractor over R rounds (quality from round 1)")
    args = parser.parse_args(argv)

    pages = load_corpus(args.corpus)
    if args.limit:
        pages = pages[: args.limit]
    bodies = [page.html_file.read_bytes() for page in pages]
    contenders: dict[str, Callable[[bytes, str], str]] = {"farmwatch": default_extract_text}
    theirs = trafilatura_extractor()
    if theirs is None:
        print("trafilatura is not installed (pip install trafilatura): timing ours only", file=sys.stderr)
    else:
        contenders["trafilatura"] = theirs
    if WALK != "compiled":
        print(f"the compiled extractor stages are not built: timing the {WALK} ones", file=sys.stderr)
    tallies = {name: Tally() for name in contenders}

    # Each extractor runs over the whole corpus on its own (interleaving them page by page
    # would have each evict the other's caches), then the outputs are scored.
    for name, extract in contenders.items():
        tally = tallies[name]
        for round_number in range(args.rounds if name == "farmwatch" else 1):
            texts = [tally.run(extract, body, page.url) for page, body in zip(pages, bodies, strict=True)]
            if round_number:
                continue
            for page, text in zip(pages, texts, strict=True):
                if page.is_fulltext:
                    tally.fulltext.append(shingle_counts(text, page.text or ""))
                else:
                    tp, fp, fn = snippet_counts(text, page.with_, page.without)
                    tally.tp, tally.fp, tally.fn = tally.tp + tp, tally.fp + fp, tally.fn + fn

    # "python" when the compiled stages were not built: our figures are then the fallback's.
    result: dict[str, object] = {"corpus": str(args.corpus), "pages": len(pages), "walk": WALK}
    for name, tally in tallies.items():
        scores = tally.score()
        result[name] = scores
        print(
            f"{name:12} pages/s {scores['pages_per_s']:8.1f}   F1 {scores['f1']:.4f}"
            f"   precision {scores['precision']:.4f}   recall {scores['recall']:.4f}   errors {scores['errors']}"
        )
    if "trafilatura" in tallies:
        ours_speed = result["farmwatch"]["pages_per_s"]  # type: ignore[index]
        theirs_speed = result["trafilatura"]["pages_per_s"]  # type: ignore[index]
        ratio = ours_speed / theirs_speed if theirs_speed else 0.0
        result["speed_ratio"] = round(ratio, 2)
        print(f"speed ratio (farmwatch / trafilatura): {ratio:.1f}x")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
