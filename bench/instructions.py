"""Instructions the ingest path (or the analysis) executes, counted by callgrind: what a busy machine does not blur.

    python bench/instructions.py [CORPUS_DIR] [--against OTHER_CHECKOUT] [--limit N] [--analysis]

One pass of `farmwatch.ingest.ingest` over a corpus's pages (provenance-dev by default, in file order, as
`farmwatch eval provenance` stores them), each page analysed beforehand and outside the count, against a fresh
embedded Redis server: callgrind counts the instructions of this client process inside the pass only (Redis runs
apart and is not counted), with a fixed hash seed, so a run gives the same count to about 0.1% however loaded
the machine is. With --analysis the pass counted is the pages' analysis (`analyze_html`, the files read
beforehand) instead, and nothing is stored. Wall-clock timings on a shared two-core machine cannot separate
changes of a few percent; this can. Alongside, the Redis server's own time per page from INFO commandstats (wall
time on the server, noisier).

--against runs the same pass with another checkout's `farmwatch` (for instance `git worktree add /tmp/base
<commit>`, with its compiled extensions built or copied in) in the same run and prints the ratio. Needs
valgrind (installed with apt-get when missing and running as root). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from debian_tool import ensure  # bench/, this script's folder

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "provenance-dev"
MARK = "functools.reduce"  # the pass runs inside one reduce call: callgrind collects only there


def child(corpus: Path, limit: int | None, analysis_only: bool) -> None:
    """The pass itself, in a process whose `farmwatch` is the checkout on PYTHONPATH."""
    import functools

    import farmwatch
    from farmwatch.analysis.decode import InputError
    from farmwatch.analysis.page import analyze_html
    from farmwatch.config import Settings
    from farmwatch.evaluation.provenance import load_pages
    from farmwatch.ingest import ingest
    from farmwatch.services import Services
    from farmwatch.store.connection import connect
    from farmwatch.store.embedded import EmbeddedRedis, free_port

    settings = Settings()
    rows = load_pages(corpus)[:limit]
    bodies = [(corpus / row["html_file"]).read_bytes() for row in rows]

    def analysed(done: list, page: tuple[dict, bytes]) -> list:
        row, body = page
        with contextlib.suppress(InputError):  # not an HTML page: nothing to analyse
            done.append(
                analyze_html(body, row["url"], published_hint=row.get("published_at"), settings=settings.fingerprint)
            )
        return done

    if analysis_only:
        analyses = functools.reduce(analysed, zip(rows, bodies, strict=True), [])
        print(json.dumps({"farmwatch": str(Path(farmwatch.__file__).parent), "pages": len(analyses)}))
        return
    analyses = [analysis for page in zip(rows, bodies, strict=True) for analysis in analysed([], page)]
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp), port=free_port(), extra={"appendonly": "no", "save": ""})
        server.start()
        try:
            services = Services.create(connect(server.url), settings)
            services.client.config_resetstat()
            functools.reduce(lambda _, analysis: ingest(services, analysis), analyses, None)
            stats = services.client.info("commandstats")
        finally:
            server.stop()
    server_us = sum(value["usec"] for value in stats.values())
    print(
        json.dumps(
            {
                "farmwatch": str(Path(farmwatch.__file__).parent),
                "pages": len(analyses),
                "redis_server_us_per_page": round(server_us / max(1, len(analyses)), 1),
            }
        )
    )


def count(valgrind: str, checkout: Path, corpus: Path, limit: int | None, analysis_only: bool) -> dict:
    """Run the pass under callgrind with `checkout`'s farmwatch; its instructions and the child's figures."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={tmp}/callgrind.out",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            sys.executable,
            str(Path(__file__).resolve()),
            str(corpus),
            "--child",
        ]
        if limit:
            command += ["--limit", str(limit)]
        if analysis_only:
            command.append("--analysis")
        env = os.environ | {"PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=checkout, check=False)
    if done.returncode != 0:
        sys.exit(f"the pass failed in {checkout}:\n{done.stderr[-3000:]}")
    collected = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if collected is None:
        sys.exit(f"callgrind reported no count for {checkout}:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if not figures["farmwatch"].startswith(str(checkout)):
        sys.exit(f"{checkout}: the pass imported farmwatch from {figures['farmwatch']}")
    instructions = int(collected.group(1))
    figures |= {
        "instructions": instructions,
        "instructions_per_page": round(instructions / max(1, figures["pages"])),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--against", type=Path, help="another checkout, counted in the same run")
    parser.add_argument("--limit", type=int, help="the first N pages only")
    parser.add_argument("--analysis", action="store_true", help="count the pages' analysis instead of ingest")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if args.child:
        child(corpus, args.limit, args.analysis)
        return
    valgrind = ensure("valgrind", "bench/instructions.py")
    result: dict = {"corpus": str(corpus), "pass": "analysis" if args.analysis else "ingest"}
    result["this"] = count(valgrind, REPO, corpus, args.limit, args.analysis)
    print(f"this checkout: {result['this']}", file=sys.stderr)
    if args.against:
        result["against"] = count(valgrind, args.against.resolve(), corpus, args.limit, args.analysis)
        print(f"against: {result['against']}", file=sys.stderr)
        result["ratio"] = round(result["this"]["instructions"] / result["against"]["instructions"], 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
