"""Does the alignment's sentence rule survive real rewording? Scored on sentence pairs in the format of the
Microsoft Research Paraphrase Corpus (news sentences on the same story from different outlets, labelled by
people as paraphrases or not; not shipped here, give its path):

    .venv/bin/python bench/paraphrase.py msr_paraphrase_test.txt [--embeddings]

Each pair is prepared as two one-sentence texts and aligned both ways (farmwatch.analysis.align): a pair is
accepted when either sentence aligns with the other. Printed: the share of paraphrases accepted (what a
rewrite of agency copy keeps) and of non-paraphrases (related sentences of the same story; for text reuse
many of them are still derived, so this is not a false-positive rate). --embeddings compares a static
sentence-embedding similarity (wordllama, if installed; its bundled weights only) as a rule of its own and
added to the alignment's, at several thresholds.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from farmwatch.analysis.align import align
from farmwatch.analysis.text import prepare


def read_pairs(path: Path) -> tuple[np.ndarray, list[str], list[str]]:
    """(labels, first sentences, second sentences) of a tab-separated file: quality, id, id, text, text."""
    labels, first, second = [], [], []
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)  # header
        for row in rows:
            if len(row) == 5 and row[0] in ("0", "1"):
                labels.append(int(row[0]))
                first.append(row[3])
                second.append(row[4])
    return np.array(labels), first, second


def aligned(first: list[str], second: list[str]) -> np.ndarray:
    out = []
    for a, b in zip(first, second, strict=True):
        pa, pb = prepare(a), prepare(b)
        out.append(align(pa, pb).coverage > 0 or align(pb, pa).coverage > 0)
    return np.array(out)


def line(name: str, accepted: np.ndarray, labels: np.ndarray) -> str:
    return (
        f"{name:34s} paraphrases accepted {accepted[labels == 1].mean():.3f}"
        f"   non-paraphrases accepted {accepted[labels == 0].mean():.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--embeddings", action="store_true", help="also score wordllama's cosine similarity")
    args = parser.parse_args()
    labels, first, second = read_pairs(args.pairs)
    print(f"{len(labels)} pairs, {int(labels.sum())} paraphrases")
    rule = aligned(first, second)
    print(line("alignment (either way)", rule, labels))
    if args.embeddings:
        import wordllama
        from wordllama import WordLlama

        # The weights ship inside the wheel; pointing the cache at the package keeps it from downloading.
        model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
        cosine = (model.embed(first, norm=True) * model.embed(second, norm=True)).sum(axis=1)
        for threshold in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
            by_embedding = cosine >= threshold
            print(line(f"cosine >= {threshold}", by_embedding, labels))
            print(line(f"alignment or cosine >= {threshold}", rule | by_embedding, labels))


if __name__ == "__main__":
    main()
