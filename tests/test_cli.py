"""The `farmwatch` command as a trafilatura user would use it: stdin, several files or a folder, --format,
--version, `compare`, a local page's URL from its canonical link, one-line errors with their exit codes,
`export` refusing a data dir with no store, and progress bars only on a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from farmwatch.config import Settings
from farmwatch.ingest import submit_html
from farmwatch.services import Services
from tests.conftest import SEED, seed_case

REPO = Path(__file__).resolve().parent.parent
ORIGINAL = SEED / "original.html"
REPOST = SEED / "repost.html"
ARTICLE = "".join(
    f"<p>Paragraph {n} of the council's budget story, with enough words in it to be the article's text.</p>"
    for n in range(6)
)


def farmwatch(*args: str, tmp_path: Path, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "FARMWATCH_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
        **env,
    }
    command = [sys.executable, "-m", "farmwatch.cli", *args]
    result = subprocess.run(command, env=environment, cwd=REPO, input=stdin, capture_output=True, timeout=90)
    result.stdout, result.stderr = result.stdout.decode(), result.stderr.decode()
    return result


def error_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("{")]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and lines[0].startswith("farmwatch: error: "), result.stderr
    return lines[0]


def page(canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"<html><head><title>Budget</title>{link}</head><body><article>{ARTICLE}</article></body></html>".encode()


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("analyze", "http://[::1"), 2, "not a valid URL"),
        (("analyze", "ftp://example.com/a.html"), 2, "ftp: URLs are not supported, only http(s)"),
        (("analyze", "file:///etc/hostname"), 2, "only http(s)"),
        (("analyze", str(ORIGINAL), "--url", "notaurl"), 2, "--url: not an absolute http(s) URL"),
        (("analyze", str(ORIGINAL), "--url", "http://"), 2, "without a host"),
        (("analyze", str(ORIGINAL), str(REPOST), "--url", "https://a.example/"), 2, "one file or of stdin"),
        (("analyze", str(ORIGINAL), "--format", "xml"), 2, "--format: one of json, text, csv"),
        (("analyze", "-", "-"), 2, "given twice"),
        (("analyze", "/no/such/page.html"), 66, "no such file: /no/such/page.html"),
        (("compare", str(ORIGINAL), str(SEED)), 2, "not a folder"),
        (("compare", "-", "-"), 2, "only one of A and B"),
        (("compare", str(ORIGINAL), "/no/such.html"), 66, "no such file"),
    ],
)
def test_bad_arguments_get_one_line_and_an_exit_code(args, code, says, tmp_path: Path) -> None:
    result = farmwatch(*args, tmp_path=tmp_path, stdin=b"")
    assert result.returncode == code, result.stderr
    assert says in error_line(result)
    assert result.stdout == ""


def test_an_empty_folder_and_a_stdin_that_is_not_html(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = farmwatch("analyze", str(tmp_path / "empty"), tmp_path=tmp_path)
    assert result.returncode == 66 and "no HTML files" in error_line(result)
    result = farmwatch("analyze", "-", tmp_path=tmp_path, stdin=b"\x00\x01\x02binary")
    assert result.returncode == 65 and "no HTML markup" in error_line(result)


def test_version(tmp_path: Path) -> None:
    result = farmwatch("--version", tmp_path=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("farmwatch 0.")


@pytest.mark.parametrize(("given", "used"), [(None, "1"), ("3", "3")])
def test_openblas_threads_default_to_one_unless_set(given: str | None, used: str) -> None:
    # The default is set when the command loads, before numpy (and OpenBLAS with it) is first imported.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    code = "import os, sys, farmwatch.cli; print('numpy' in sys.modules, os.environ['OPENBLAS_NUM_THREADS'])"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", used]


def test_collection_is_as_it_was_after_an_evaluation_loads() -> None:
    import gc

    from farmwatch.cli import _imports_uncollected

    for was in (True, False):
        (gc.enable if was else gc.disable)()
        try:
            with pytest.raises(ImportError), _imports_uncollected():
                assert not gc.isenabled()
                import farmwatch.no_such_module  # noqa: F401
            assert gc.isenabled() is was
        finally:
            gc.enable()


def test_stdin_and_a_local_page_named_by_its_canonical_link(tmp_path: Path) -> None:
    result = farmwatch("analyze", "-", tmp_path=tmp_path, stdin=ORIGINAL.read_bytes())
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["site"] == "theepochtimes.com" and doc["url"] == doc["canonical"]

    declared = tmp_path / "declared.html"
    declared.write_bytes(page("https://news.example/budget"))
    plain = tmp_path / "plain.html"
    plain.write_bytes(page())
    relative = tmp_path / "relative.html"
    relative.write_bytes(page("/budget"))
    docs = [json.loads(farmwatch("analyze", str(p), tmp_path=tmp_path).stdout) for p in (declared, plain, relative)]
    assert (docs[0]["url"], docs[0]["site"]) == ("https://news.example/budget", "news.example")
    assert docs[1]["site"] == docs[2]["site"] == "localhost"  # a page that names no absolute URL of its own
    given = farmwatch("analyze", str(declared), "--url", "https://other.example/x", tmp_path=tmp_path)
    assert json.loads(given.stdout)["url"] == "https://other.example/x"  # --url wins


def test_a_folder_in_each_format(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_bytes(page("https://news.example/a"))
    (folder / "sub" / "b.htm").write_bytes(page("https://news.example/b"))
    (folder / "notes.txt").write_text("not a page")

    lines = farmwatch("analyze", str(folder), tmp_path=tmp_path).stdout.splitlines()
    docs = [json.loads(line) for line in lines]
    assert [d["url"] for d in docs] == ["https://news.example/a", "https://news.example/b"]
    assert docs[0]["input"].endswith("a.html")

    rows = list(csv.DictReader(io.StringIO(farmwatch("analyze", "-f", "csv", str(folder), tmp_path=tmp_path).stdout)))
    assert [r["url"] for r in rows] == ["https://news.example/a", "https://news.example/b"]
    assert rows[0]["paragraphs"] == "6" and rows[0]["text"].startswith("Paragraph 0")

    text = farmwatch("analyze", "--format", "text", str(folder / "a.html"), tmp_path=tmp_path).stdout
    assert text.splitlines()[0].startswith("Paragraph 0") and len(text.splitlines()) == 6


def test_several_inputs_go_on_past_a_failure(tmp_path: Path) -> None:
    result = farmwatch("analyze", str(ORIGINAL), "/no/such.html", str(REPOST), tmp_path=tmp_path)
    assert result.returncode == 66  # the failure's code, after the others were printed
    assert len(result.stdout.splitlines()) == 2
    assert "farmwatch: error: /no/such.html: no such file" in result.stderr


def test_compare_two_pages_gives_the_reports_spans(tmp_path: Path) -> None:
    result = farmwatch("compare", str(REPOST), str(ORIGINAL), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["coverage"] > 0.9 and report["reuse"] == "wholly"
    assert report["b"]["url"].startswith("https://www.theepochtimes.com/")
    span = report["spans"][0]
    assert set(span) >= {"start", "end", "source_start", "source_end", "similarity", "quoted"}
    assert span["text"] and span["end"] - span["start"] == len(span["text"])

    text = farmwatch("compare", "-f", "text", "-", str(ORIGINAL), tmp_path=tmp_path, stdin=REPOST.read_bytes())
    assert text.stdout.startswith("coverage 0.9") and len(text.stdout.splitlines()) == 1 + len(report["spans"])
    rows = list(
        csv.reader(io.StringIO(farmwatch("compare", "-f", "csv", str(REPOST), str(ORIGINAL), tmp_path=tmp_path).stdout))
    )
    assert rows[0][:2] == ["start", "end"] and len(rows) == 1 + len(report["spans"])


def test_compare_plain_texts(tmp_path: Path) -> None:
    story = [
        "The council approved the budget on Tuesday after a long debate about road repairs in the north.",
        "Members said the money for schools would rise by four percent, the largest increase in ten years.",
        "The mayor thanked residents who had written to the council about the state of the bridges.",
    ]
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n\n".join(story[:2]))
    b.write_text("\n\n".join(["An unrelated opening paragraph about the weather this weekend in the hills.", *story]))
    report = json.loads(farmwatch("compare", str(a), str(b), tmp_path=tmp_path).stdout)
    assert report["coverage"] > 0.9 and report["spans"]
    assert report["spans"][0]["text"].startswith("The council approved")
    unrelated = tmp_path / "c.txt"
    unrelated.write_text("Completely different words about gardening, tomatoes and the care of roses in dry summers.")
    assert json.loads(farmwatch("compare", str(unrelated), str(b), tmp_path=tmp_path).stdout)["spans"] == []


def test_export_refuses_a_data_dir_with_no_store(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    result = farmwatch("export", str(tmp_path / "out.jsonl"), tmp_path=tmp_path, FARMWATCH_DATA_DIR=str(wrong))
    assert result.returncode == 66 and "no store in" in error_line(result)
    assert not wrong.exists() and not (tmp_path / "out.jsonl").exists()


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the command with stderr on a pseudo-terminal; returns what was drawn there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "farmwatch.cli", *args],
        cwd=REPO,
        env={**env, "TERM": "xterm", "COLUMNS": "100"},
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        drawn += chunk
    assert process.wait(timeout=60) == 0, drawn.decode(errors="replace")
    os.close(leader)
    return drawn.decode(errors="replace")


def test_progress_bars_only_on_a_terminal(tmp_path: Path, redis_server, redis_client) -> None:
    services = Services.create(redis_client, Settings())
    case = seed_case()
    for item in (case["original"], case["repost"]):
        submit_html(services, item["url"], (SEED / item["html_file"]).read_bytes())
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "REDIS_URL": redis_server.url}
    for command in (["reindex"], ["export", str(tmp_path / "out.jsonl")]):
        drawn = _on_a_terminal(command, env)
        assert "━" in drawn and "2/2" in drawn, (command, drawn)
        piped = farmwatch(*command, tmp_path=tmp_path, **env)
        assert piped.returncode == 0 and "━" not in piped.stderr and "━" not in piped.stdout
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) >= 3
