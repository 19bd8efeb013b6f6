"""Score a main-text extractor against a corpus with ground truth.

Two corpus formats are accepted (see shared/corpora/README.md), one JSON object a line in
`truth.jsonl` (or the directory's only `*.jsonl`):

* snippets: ``{"id", "url", "html_file", "with": [...], "without": [...]}``. Each `with`
  snippet found in the extracted text (whitespace-normalised) is a true positive, each one
  missing a false negative; each `without` snippet found is a false positive. Precision,
  recall and F1 are computed over all snippets of the corpus.
* full text: ``{"id", "url", "html_file", "text"}``. Lower-cased ``\\w+`` tokens, 4-token
  shingles counted as multisets; per page TP/FP/FN are normalised to sum to 1 so long
  pages weigh no more than short ones; precision and recall are averaged over the pages
  where they are defined, and F1 comes from the two averages.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.decode import InputError, decode_for_parser
from farmwatch.analysis.extract import extract_blocks, main_text

ExtractText = Callable[[bytes, str], str]

_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


@dataclass(slots=True)
class Page:
    id: str
    url: str
    html_file: Path
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    text: str | None = None  # full-text truth; None for snippet truth

    @property
    def is_fulltext(self) -> bool:
        return self.text is not None


def default_extract_text(body: bytes, url: str) -> str:
    """Our extractor as the service runs it: decode, parse with lexbor, extract."""
    try:
        _html, markup = decode_for_parser(body)
    except InputError:
        return ""
    tree = LexborHTMLParser(markup)
    return main_text(extract_blocks(tree, url))


def truth_file(corpus_dir: Path) -> Path:
    preferred = corpus_dir / "truth.jsonl"
    if preferred.is_file():
        return preferred
    candidates = sorted(corpus_dir.glob("*.jsonl"))
    if len(candidates) != 1:
        raise FileNotFoundError(f"{corpus_dir}: expected truth.jsonl or exactly one *.jsonl file")
    return candidates[0]


def load_corpus(corpus_dir: Path) -> list[Page]:
    corpus_dir = Path(corpus_dir)
    pages = []
    with truth_file(corpus_dir).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            text = row.get("text")
            pages.append(
                Page(
                    id=str(row.get("id", number)),
                    url=row.get("url") or "",
                    html_file=corpus_dir / row["html_file"],
                    with_=list(row.get("with") or []),
                    without=list(row.get("without") or []),
                    text=text if isinstance(text, str) else None,
                )
            )
    return pages


def normalise_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


# --- snippet scoring ---------------------------------------------------------------------


def snippet_counts(extracted: str, with_: Iterable[str], without: Iterable[str]) -> tuple[int, int, int]:
    """(tp, fp, fn) of one page: `with` snippets found/missing, `without` snippets found."""
    haystack = normalise_space(extracted)
    tp = fn = fp = 0
    for snippet in with_:
        if normalise_space(snippet) in haystack:
            tp += 1
        else:
            fn += 1
    for snippet in without:
        if normalise_space(snippet) in haystack:
            fp += 1
    return tp, fp, fn


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --- full-text scoring -------------------------------------------------------------------


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of `size`-token shingles; a text shorter than `size` is one short shingle."""
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def shingle_counts(extracted: str, truth: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page over shingles, normalised to sum to 1 (all 0 if both are empty)."""
    got, want = shingles(extracted), shingles(truth)
    tp = sum((got & want).values())
    fp = sum(got.values()) - tp
    fn = sum(want.values()) - tp
    total = tp + fp + fn
    if not total:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def page_precision(tp: float, fp: float, fn: float) -> float | None:
    if tp + fp == 0:
        return None  # nothing extracted: precision is undefined, not counted
    return tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float | None:
    if tp + fn == 0:
        return None  # nothing to find
    return tp / (tp + fn)


def fulltext_scores(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Precision and recall averaged over pages (where defined); F1 from the two averages."""
    precisions = [p for c in counts if (p := page_precision(*c)) is not None]
    recalls = [r for c in counts if (r := page_recall(*c)) is not None]
    if not counts:
        return 0.0, 0.0, 0.0
    # Pages where both truth and extraction are empty were extracted perfectly.
    perfect = sum(1 for c in counts if c == (0.0, 0.0, 0.0))
    precision = (sum(precisions) + perfect) / (len(precisions) + perfect) if precisions or perfect else 0.0
    recall = (sum(recalls) + perfect) / (len(recalls) + perfect) if recalls or perfect else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --- driver -------------------------------------------------------------------------------


def evaluate_extraction(
    corpus_dir: Path,
    extract_text: ExtractText | None = None,
    progress: bool | Callable[[int, int], None] = False,
) -> dict[str, Any]:
    """Run `extract_text(raw_bytes, url)` on every page of the corpus and score it.

    Returns precision, recall, f1, pages and pages_per_s (timed over the extraction calls
    only, so decoding and parsing count, reading files and scoring don't). For snippet
    corpora tp/fp/fn are the snippet counts; a corpus mixing both formats also reports
    each format separately under "snippets" and "fulltext".
    """
    extract = extract_text or default_extract_text
    pages = load_corpus(Path(corpus_dir))
    snippet_tp = snippet_fp = snippet_fn = 0
    fulltext: list[tuple[float, float, float]] = []
    elapsed = 0.0
    errors = 0
    for number, page in enumerate(pages, 1):
        body = page.html_file.read_bytes()
        start = time.perf_counter()
        try:
            extracted = extract(body, page.url)
        except Exception:
            extracted = ""
            errors += 1
        elapsed += time.perf_counter() - start
        if page.is_fulltext:
            fulltext.append(shingle_counts(extracted, page.text or ""))
        else:
            tp, fp, fn = snippet_counts(extracted, page.with_, page.without)
            snippet_tp, snippet_fp, snippet_fn = snippet_tp + tp, snippet_fp + fp, snippet_fn + fn
        if callable(progress):
            progress(number, len(pages))
        elif progress and number % 50 == 0:
            print(f"{number}/{len(pages)} pages", file=sys.stderr)

    snippet_pages = len(pages) - len(fulltext)
    parts: dict[str, dict[str, Any]] = {}
    if snippet_pages:
        precision, recall, f1 = prf(snippet_tp, snippet_fp, snippet_fn)
        parts["snippets"] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "pages": snippet_pages,
            "tp": snippet_tp,
            "fp": snippet_fp,
            "fn": snippet_fn,
        }
    if fulltext:
        precision, recall, f1 = fulltext_scores(fulltext)
        parts["fulltext"] = {"precision": precision, "recall": recall, "f1": f1, "pages": len(fulltext)}

    main_format = "fulltext" if len(fulltext) > snippet_pages else "snippets"
    result: dict[str, Any] = dict(parts.get(main_format, {"precision": 0.0, "recall": 0.0, "f1": 0.0}))
    result["format"] = main_format
    result["pages"] = len(pages)
    result["pages_per_s"] = len(pages) / elapsed if elapsed > 0 else 0.0
    result["errors"] = errors
    if len(parts) > 1:
        result.update(parts)
    return result
