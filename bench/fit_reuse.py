"""Fit and evaluate the text-reuse core (farmwatch.analysis.text / align) with grouped cross-validation.

    .venv/bin/python bench/fit_reuse.py [--reuse ../shared/corpora/reuse-dev] \
        [--provenance ../shared/corpora/provenance-dev] [--extraction ../shared/corpora/extraction-dev] [--write]

Pairs: each republished page with its true source(s) (reuse-dev: wholly/partially derived; provenance-dev:
exact, truncated, spun, merged, syndicated); each independent page with the agency story of its event (the
same story, NOT reuse); unrelated pairs (a page with random other stories); provenance-dev's "own" and
"original" pages with random originals. English check (not fitted): pages of extraction-dev cut, lightly and
heavily reworded, each against its source, and each page against the most similar other English page.

Thresholds are fitted on the training folds (reuse-dev split by agency story number, provenance-dev by
source id) and scored on the held-out fold; --write stores the thresholds fitted on everything in
farmwatch/analysis/align_thresholds.json. Main texts are cached under /tmp.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import pickle
import random
import re
import time
from pathlib import Path

import numpy as np

from farmwatch.analysis.align import _THRESHOLDS_FILE, ReuseThresholds, align, reuse_grade
from farmwatch.analysis.text import candidate_keys, prepare

ROOT = Path(__file__).resolve().parents[1]
GRID_SENTENCE = (0.4, 0.5, 0.6)
GRID_PAIR = (0.0, 0.2)
GRID_PASSAGE = (0, 100, 150, 200, 300)  # 0: no long-passage rule
TARGET_INDEPENDENT = 0.02  # independent stories accused on the training folds, at most
REUSE_KINDS = ("wholly_derived", "partially_derived")
COPY_KINDS = ("exact", "truncated", "spun", "merged", "syndicated")
EN_KINDS = ("en_cut", "en_light", "en_heavy")
NEGATIVE = ("independent", "unrelated", "own_original", "en_independent")


def load_texts(corpus: Path, cache: Path) -> dict[str, str]:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from farmwatch.analysis.page import analyze_html
    from farmwatch.config import FingerprintSettings

    out = {}
    truth = corpus / ("pages.jsonl" if (corpus / "pages.jsonl").exists() else "truth.jsonl")
    for line in truth.open():
        row = json.loads(line)
        body = (corpus / row["html_file"]).read_bytes()
        url = row["url"] if row["url"].startswith("http") else f"https://example.org/{row['id']}"
        try:
            out[row["id"]] = analyze_html(body, url, settings=FingerprintSettings()).main_text
        except Exception:  # a page that does not parse has no text
            out[row["id"]] = ""
    cache.write_bytes(pickle.dumps(out))
    return out


def rows_of(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in (corpus / "pages.jsonl").open()]


# --- the English check: edits made from real English pages -------------------------------------------------

_EN_STOP = {"the", "and", "of", "to", "a", "in", "is", "that", "for", "it", "with", "as", "was", "on"}


def english_pages(texts: dict[str, str]) -> dict[str, str]:
    out = {}
    for pid, text in texts.items():
        words = re.findall(r"\w+", text.lower())
        if len(words) < 120 or sum(w in _EN_STOP for w in words) / len(words) < 0.15:
            continue
        if sum(c.isascii() for c in text) / len(text) < 0.97:
            continue
        out[pid] = text
    return out


def _edit(sentence: str, rate: float, vocab: list[str], rnd: random.Random) -> str:
    """Substitute a share of the longer words (as a synonym would), drop some short ones."""
    out = []
    for w in sentence.split():
        if len(w) > 3 and rnd.random() < rate:
            out.append(rnd.choice(vocab))
        elif len(w) <= 3 and rnd.random() < rate / 2:
            continue
        else:
            out.append(w)
    return " ".join(out)


def english_edits(pages: dict[str, str], seed: int = 7) -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    """Cut / light / heavy rewrites of 35-150 words (as short answers rewrite an article), and
    similar-topic independent pairs. Returns (new texts, [(a, b, kind, group)])."""
    rnd = random.Random(seed)
    ids = sorted(pages)
    vocab = sorted({w for t in pages.values() for w in re.findall(r"[A-Za-z]{5,}", t)})
    made: dict[str, str] = {}
    pairs = []
    for pid in ids:
        sents = [s for s in re.split(r"(?<=[.!?])\s+|\n", pages[pid]) if len(s.split()) >= 6]
        if len(sents) < 6:
            continue
        start = rnd.randrange(0, max(1, len(sents) - 6))
        chosen = sents[start : start + rnd.randint(3, 6)]
        while sum(len(s.split()) for s in chosen) > 150 and len(chosen) > 2:
            chosen.pop()
        made[f"{pid}#cut"] = " ".join(_edit(s, 0.03, vocab, rnd) for s in chosen)
        light = [_edit(s, 0.15, vocab, rnd) for s in chosen]
        if len(light) > 2:
            i = rnd.randrange(len(light) - 1)
            light[i], light[i + 1] = light[i + 1], light[i]
        made[f"{pid}#light"] = " ".join(light)
        heavy = [_edit(s, 0.35, vocab, rnd) for s in chosen if rnd.random() > 0.2]
        rnd.shuffle(heavy)
        other = pages[rnd.choice(ids)].split()
        pos = rnd.randrange(0, max(1, len(other) - 30))
        heavy.insert(rnd.randrange(len(heavy) + 1), " ".join(other[pos : pos + 25]))
        made[f"{pid}#heavy"] = " ".join(heavy)
        for kind in ("cut", "light", "heavy"):
            pairs.append((f"{pid}#{kind}", pid, f"en_{kind}", pid))
    # Similar topic, written independently: each page against the other page sharing most of its words.
    sets = {pid: set(re.findall(r"[a-z]{5,}", pages[pid].lower())) for pid in ids}
    for pid in ids:
        best = max(
            (q for q in ids if q != pid), key=lambda q: len(sets[pid] & sets[q]) / (len(sets[q] | sets[pid]) or 1)
        )
        pairs.append((pid, best, "en_independent", pid))
    return made, pairs


# --- pairs ---------------------------------------------------------------------------------------------------


def build(args: argparse.Namespace) -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    rnd = random.Random(1)
    texts: dict[str, str] = {}
    pairs: list[tuple[str, str, str, str]] = []  # (a, b, kind, cv group)
    reuse = load_texts(args.reuse, Path(args.cache_dir) / "fit_reuse_reuse.pkl")
    texts.update({f"r:{k}": v for k, v in reuse.items()})
    rows = rows_of(args.reuse)
    agencies = [r["id"] for r in rows if r["truth"]["kind"] == "original"]
    for r in rows:
        kind = r["truth"]["kind"]
        if kind == "original":
            continue
        number = r["id"].rsplit("-", 1)[-1]
        agency = next(a for a in agencies if a.endswith(number))
        group = f"r{number}"
        pairs.append((f"r:{r['id']}", f"r:{agency}", kind, group))
        for other in rnd.sample(agencies, 2):
            if other != agency:
                pairs.append((f"r:{r['id']}", f"r:{other}", "unrelated", group))
    prov = load_texts(args.provenance, Path(args.cache_dir) / "fit_reuse_provenance.pkl")
    texts.update({f"p:{k}": v for k, v in prov.items()})
    rows = rows_of(args.provenance)
    originals = [r["id"] for r in rows if r["truth"]["kind"] == "original"]
    for r in rows:
        kind, sources = r["truth"]["kind"], r["truth"]["sources"]
        if kind in COPY_KINDS:
            for s in sources:
                pairs.append((f"p:{r['id']}", f"p:{s}", kind, f"p{sources[0]}"))
        elif kind in ("own", "original"):
            for other in rnd.sample(originals, 3):
                if other != r["id"]:
                    pairs.append((f"p:{r['id']}", f"p:{other}", "own_original", f"p{r['id']}"))
    extraction = load_texts(args.extraction, Path(args.cache_dir) / "fit_reuse_extraction.pkl")
    english = english_pages(extraction)
    made, en_pairs = english_edits(english)
    texts.update({f"e:{k}": v for k, v in english.items()})
    texts.update({f"e:{k}": v for k, v in made.items()})
    pairs += [(f"e:{a}", f"e:{b}", k, f"e{g}") for a, b, k, g in en_pairs]
    return texts, pairs


# --- fitting ------------------------------------------------------------------------------------------------


def evidence_table(prepared, pairs, thresholds: ReuseThresholds) -> tuple[np.ndarray, np.ndarray, list]:
    alignments = [align(prepared[a], prepared[b], thresholds) for a, b, _, _ in pairs]
    ev = np.array([al.evidence(thresholds) if al.aligned_sentences else 0.0 for al in alignments])
    words = np.array([al.aligned_words for al in alignments])
    return ev, words, alignments


def fit(train: np.ndarray, kinds: np.ndarray, tables: dict) -> ReuseThresholds:
    """Alignment thresholds, the long-passage rule and the reuse threshold with the best mean recall (wholly,
    partially, copies) among those accusing at most TARGET_INDEPENDENT of the training folds' independent
    stories."""
    best, best_score = None, -1.0
    ind = train & (kinds == "independent")
    for (ss, ps), (ev, words, _) in tables.items():
        for passage in GRID_PASSAGE:
            by_passage = (words >= passage) if passage else np.zeros(len(ev), dtype=bool)
            budget = int(np.floor(TARGET_INDEPENDENT * ind.sum())) - int((ind & by_passage).sum())
            if budget < 0:
                continue
            values = np.sort(ev[ind & ~by_passage])
            partially = max(0.1, float(values[len(values) - 1 - budget]) + 1e-6) if len(values) > budget else 0.1
            found = (ev >= partially) | by_passage
            recalls = [np.mean(found[train & (kinds == kd)]) for kd in (*REUSE_KINDS, "copies")]
            score = float(np.mean(recalls))
            if score <= best_score:
                continue
            # The wholly/partially boundary: the most accurate among found reuse pairs.
            sel = train & np.isin(kinds, REUSE_KINDS) & found
            wholly_best, acc_best = 0.6, -1.0
            for w in np.arange(max(partially, 0.3), 1.0001, 0.05):
                acc = np.mean((ev[sel] >= w) == (kinds[sel] == "wholly_derived")) if sel.any() else 0.0
                if acc > acc_best:
                    wholly_best, acc_best = float(w), acc
            best = ReuseThresholds(
                sentence_share=ss,
                pair_share=ps,
                partially=round(partially, 4),
                wholly=round(wholly_best, 4),
                passage_words=passage,
            )
            best_score = score
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", type=Path, default=ROOT.parent / "shared/corpora/reuse-dev")
    parser.add_argument("--provenance", type=Path, default=ROOT.parent / "shared/corpora/provenance-dev")
    parser.add_argument("--extraction", type=Path, default=ROOT.parent / "shared/corpora/extraction-dev")
    parser.add_argument("--cache-dir", default="/tmp")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="store the thresholds fitted on all pairs")
    args = parser.parse_args()

    texts, pairs = build(args)
    ids = sorted(texts)
    t0 = time.perf_counter()
    prepared = {pid: prepare(texts[pid]) for pid in ids}
    t1 = time.perf_counter()
    keys = {pid: candidate_keys(prepared[pid]) for pid in ids}
    t2 = time.perf_counter()
    n_words = np.mean([p.n_tokens for p in prepared.values()])
    print(f"pages {len(ids)} (mean {n_words:.0f} tokens); pairs {len(pairs)}")
    print(
        f"prepare {(t1 - t0) / len(ids) * 1e3:.3f} ms/page; keys {(t2 - t1) / len(ids) * 1e3:.3f} ms/page; "
        f"keys per page mean {np.mean([len(k) for k in keys.values()]):.1f}, max {max(len(k) for k in keys.values())}"
    )

    # Candidate keys: true pairs sharing >= 2 keys, and how many unrelated page pairs would.
    kinds_all = collections.defaultdict(list)
    for a, b, kind, _ in pairs:
        kinds_all[kind].append(len(np.intersect1d(keys[a], keys[b])))
    print("candidate recall (>= 2 shared keys) per kind:")
    for kind, shared in sorted(kinds_all.items()):
        shared = np.array(shared)
        print(
            f"  {kind:18s} n={len(shared):4d}  >=2 keys {np.mean(shared >= 2):.3f}  >=1 key {np.mean(shared >= 1):.3f}"
        )
    related = {(a, b) for a, b, kind, _ in pairs if kind not in ("unrelated", "own_original")}
    related |= {(b, a) for a, b in related}
    for prefix, label in (("r:", "reuse-dev"), ("p:", "provenance-dev"), ("e:", "extraction-dev English")):
        group = [pid for pid in ids if pid.startswith(prefix) and "#" not in pid]
        inverted = collections.defaultdict(list)
        for i, pid in enumerate(group):
            for k in keys[pid].tolist():
                inverted[k].append(i)
        counts = collections.Counter()
        for members in inverted.values():
            if len(members) > 1:
                for x, y in itertools.combinations(members, 2):
                    counts[(x, y)] += 1
        unrelated = sum(1 for (x, y), c in counts.items() if c >= 2 and (group[x], group[y]) not in related)
        total = len(group) * (len(group) - 1) // 2
        print(
            f"  {label}: page pairs not known as related sharing >= 2 keys: {unrelated} of {total} "
            f"({unrelated / max(1, total):.2e}; {2 * unrelated / max(1, len(group)):.2f} per page)"
        )

    kinds = np.array(["copies" if k in COPY_KINDS else k for _, _, k, _ in pairs])
    fine_kinds = np.array([k for _, _, k, _ in pairs])
    groups = np.array([g for _, _, _, g in pairs])
    tables = {}
    t3 = time.perf_counter()
    for ss, ps in itertools.product(GRID_SENTENCE, GRID_PAIR):
        tables[(ss, ps)] = evidence_table(prepared, pairs, ReuseThresholds(sentence_share=ss, pair_share=ps))
    t4 = time.perf_counter()
    print(f"align {(t4 - t3) / (len(pairs) * len(tables)) * 1e3:.3f} ms/pair (mean over {len(pairs)} pairs)")

    unique_groups = sorted(set(groups.tolist()))
    rnd = random.Random(3)
    rnd.shuffle(unique_groups)
    fold_of = {g: i % args.folds for i, g in enumerate(unique_groups)}
    folds = np.array([fold_of[g] for g in groups])
    held_found = np.zeros(len(pairs), dtype=bool)
    held_grade: list[str | None] = [None] * len(pairs)
    print("folds (fitted on the others):")
    for f in range(args.folds):
        train, test = folds != f, folds == f
        th = fit(train & ~np.char.startswith(fine_kinds, "en_"), kinds, tables)
        _, _, als = tables[(th.sentence_share, th.pair_share)]
        for i in np.flatnonzero(test):
            grade = reuse_grade(als[i], th)
            held_found[i] = grade is not None
            held_grade[i] = grade
        print(f"  fold {f}: {th}")
    print("held-out figures (share found as reuse; for negatives: share accused):")
    for kind in (*REUSE_KINDS, *COPY_KINDS, *EN_KINDS, *NEGATIVE):
        sel = fine_kinds == kind
        if sel.any():
            print(f"  {kind:18s} n={int(sel.sum()):4d}  {np.mean(held_found[sel]):.3f}")
    found_reuse = [i for i in range(len(pairs)) if fine_kinds[i] in REUSE_KINDS and held_grade[i]]
    if found_reuse:
        agree = np.mean([(held_grade[i] == "wholly") == (fine_kinds[i] == "wholly_derived") for i in found_reuse])
        print(f"  grade (wholly/partially) agrees with the journalists on {agree:.3f} of found reuse pairs")

    final = fit(~np.char.startswith(fine_kinds, "en_"), kinds, tables)
    print(f"fitted on all: {final}")
    if args.write:
        _THRESHOLDS_FILE.write_text(final.to_json())
        print(f"written {_THRESHOLDS_FILE}")


if __name__ == "__main__":
    main()
