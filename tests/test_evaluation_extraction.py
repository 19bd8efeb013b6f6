"""Scoring an extractor on a corpus: the numbers must mean what the corpus README says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from farmwatch.evaluation.extraction import (
    evaluate_extraction,
    fulltext_scores,
    load_corpus,
    prf,
    shingle_counts,
    shingles,
    snippet_counts,
)


def write_corpus(root: Path, pages: list[tuple[dict, str]]) -> Path:
    (root / "html").mkdir(parents=True)
    with (root / "truth.jsonl").open("w", encoding="utf-8") as out:
        for number, (row, html) in enumerate(pages):
            name = f"html/page{number}.html"
            (root / name).write_text(html, encoding="utf-8")
            out.write(
                json.dumps({"id": f"p{number}", "url": f"https://example.org/{number}", "html_file": name, **row})
            )
            out.write("\n")
    return root


# --- snippets -----------------------------------------------------------------------------


def test_snippets_found_missing_and_unwanted() -> None:
    extracted = "The cat sat\non the   mat.\nShare this"
    tp, fp, fn = snippet_counts(extracted, ["cat sat on the mat", "the dog barked"], ["Share this", "Leave a reply"])
    assert (tp, fp, fn) == (1, 1, 1)


def test_snippet_matching_normalises_whitespace_on_both_sides() -> None:
    assert snippet_counts("a  b\tc\n\nd", ["a b c d"], []) == (1, 0, 0)
    assert snippet_counts("a b c d", ["  a\n b  c d "], []) == (1, 0, 0)
    assert snippet_counts("abc", ["ABC"], []) == (0, 0, 1)  # case matters


def test_prf_over_counts() -> None:
    assert prf(3, 1, 0) == pytest.approx((0.75, 1.0, 2 * 0.75 / 1.75))
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)


# --- full text ----------------------------------------------------------------------------


def test_shingles_are_lowercased_word_4grams_counted_as_multisets() -> None:
    got = shingles("A b, c d a B c d!")
    assert got[("a", "b", "c", "d")] == 2
    assert sum(got.values()) == 5
    assert shingles("only three words") == {("only", "three", "words"): 1}
    assert not shingles("  ... ")


def test_identical_text_is_perfect_and_disjoint_text_is_zero() -> None:
    text = "one two three four five six"
    assert shingle_counts(text, text) == (1.0, 0.0, 0.0)
    assert shingle_counts("alpha beta gamma delta", text) == (0.0, 0.25, 0.75)  # 1 shingle vs 3


def test_page_counts_are_normalised_so_long_pages_weigh_the_same() -> None:
    long_truth = " ".join(f"w{i}" for i in range(1003))  # 1000 shingles
    tp, fp, fn = shingle_counts(" ".join(f"w{i}" for i in range(503)), long_truth)  # half of it
    assert (tp, fp, fn) == pytest.approx((0.5, 0.0, 0.5))
    assert tp + fp + fn == pytest.approx(1.0)


def test_precision_and_recall_are_averaged_over_pages() -> None:
    pages = [(1.0, 0.0, 0.0), (0.5, 0.5, 0.0), (0.0, 0.0, 1.0)]  # the last extracted nothing
    precision, recall, f1 = fulltext_scores(pages)
    assert precision == pytest.approx((1.0 + 0.5) / 2)  # an empty extraction has no precision
    assert recall == pytest.approx((1.0 + 1.0 + 0.0) / 3)
    assert f1 == pytest.approx(2 * precision * recall / (precision + recall))


def test_empty_truth_and_empty_extraction_is_a_perfect_page() -> None:
    assert shingle_counts("", "") == (0.0, 0.0, 0.0)
    assert fulltext_scores([(0.0, 0.0, 0.0)]) == (1.0, 1.0, 1.0)
    assert fulltext_scores([]) == (0.0, 0.0, 0.0)


# --- whole corpora ------------------------------------------------------------------------

ARTICLE_HTML = """<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><p>The harbour reopened on Monday after three weeks of repairs to the old sea wall.</p>
<p>Fishing boats were the first to return, followed by the ferry to the islands.</p></article>
<footer><p>Copyright 2024 Harbour Times. All rights reserved.</p></footer></body></html>"""


def test_snippet_corpus_with_a_custom_extractor(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "c",
        [
            ({"with": ["hello world", "second"], "without": ["menu"]}, "<p>x</p>"),
            ({"with": ["third"], "without": ["footer", "menu"]}, "<p>y</p>"),
        ],
    )
    outputs = {b"<p>x</p>": "hello  world and menu", b"<p>y</p>": "third"}
    calls: list[str] = []

    def extract(body: bytes, url: str) -> str:
        calls.append(url)
        return outputs[body]

    result = evaluate_extraction(corpus, extract)
    assert calls == ["https://example.org/0", "https://example.org/1"]
    assert result["format"] == "snippets"
    assert result["pages"] == 2
    assert (result["tp"], result["fp"], result["fn"]) == (2, 1, 1)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(2 / 3)
    assert result["f1"] == pytest.approx(2 / 3)
    assert result["pages_per_s"] > 0


def test_fulltext_corpus(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "c",
        [
            ({"text": "one two three four five"}, "<p>a</p>"),
            ({"text": "six seven eight nine"}, "<p>b</p>"),
        ],
    )
    outputs = {b"<p>a</p>": "one two three four five", b"<p>b</p>": ""}
    result = evaluate_extraction(corpus, lambda body, url: outputs[body])
    assert result["format"] == "fulltext"
    assert result["precision"] == pytest.approx(1.0)
    assert result["recall"] == pytest.approx(0.5)
    assert result["f1"] == pytest.approx(2 / 3)


def test_a_crashing_extractor_scores_empty_and_is_counted(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", [({"with": ["a"], "without": []}, "<p>a</p>")])

    def broken(body: bytes, url: str) -> str:
        raise RuntimeError("boom")

    result = evaluate_extraction(corpus, broken)
    assert result["errors"] == 1
    assert result["recall"] == 0.0


def test_mixed_corpus_reports_both_formats(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "c",
        [
            ({"with": ["a b"], "without": []}, "<p>1</p>"),
            ({"text": "a b c d"}, "<p>2</p>"),
            ({"text": "a b c d"}, "<p>3</p>"),
        ],
    )
    result = evaluate_extraction(corpus, lambda body, url: "a b c d")
    assert result["format"] == "fulltext"
    assert result["snippets"]["pages"] == 1
    assert result["fulltext"]["pages"] == 2
    assert result["f1"] == pytest.approx(1.0)


def test_default_extractor_on_a_small_corpus(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "c",
        [
            (
                {
                    "with": ["The harbour reopened on Monday", "followed by the ferry to the islands"],
                    "without": ["All rights reserved", "News"],
                },
                ARTICLE_HTML,
            ),
            ({"with": [], "without": ["anything"]}, ""),  # an empty page is an empty extraction
        ],
    )
    result = evaluate_extraction(corpus)
    assert result["errors"] == 0
    assert (result["tp"], result["fp"], result["fn"]) == (2, 0, 0)
    assert result["f1"] == 1.0


def test_load_corpus_reads_rows_in_order(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "c",
        [({"with": ["x"], "without": ["y"]}, "<p>a</p>"), ({"text": "t"}, "<p>b</p>")],
    )
    pages = load_corpus(corpus)
    assert [p.id for p in pages] == ["p0", "p1"]
    assert pages[0].with_ == ["x"] and pages[0].without == ["y"] and not pages[0].is_fulltext
    assert pages[1].is_fulltext and pages[1].text == "t"
    assert pages[1].html_file.read_bytes() == b"<p>b</p>"


def test_missing_truth_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_corpus(tmp_path)
