"""The `farmwatch` command: serve, worker, analyze, compare, ingest, reindex, settle, eval (keys, export, import:
opscli.py).

Exit codes (sysexits.h), decided in one place, `EXIT_CODES` below, for every command:

    0   done
    1   refused by the command itself (e.g. `keys revoke` of an unknown key)
    2   usage: bad option or argument (click's own), or a refusal such as `serve` off loopback without keys
    65  EX_DATAERR      the input is unusable: not HTML, binary, not JSON lines, an export this service refuses
    66  EX_NOINPUT      an input file (or other named thing) does not exist or cannot be read
    69  EX_UNAVAILABLE  Redis cannot be reached, or a URL could not be fetched
    70  EX_SOFTWARE     any other farmwatch error
    78  EX_CONFIG       the index in Redis has another layout: run `farmwatch reindex`

An error is reported as one line on stderr, `farmwatch: error: …`, without a traceback.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from farmwatch.collector import collect_less_often
from farmwatch.config import Settings, get_settings
from farmwatch.errors import (
    FarmwatchError,
    FetchedOriginal,
    FetchError,
    ImportRefused,
    IndexLayoutError,
    InputError,
    NotFound,
    StoreUnavailable,
)
from farmwatch.opscli import export_command, import_command, keys_app

# FarmwatchError class -> exit code; the most specific class in an error's MRO wins (see the module docstring).
EXIT_CODES: dict[type[FarmwatchError], int] = {
    InputError: 65,  # EX_DATAERR
    ImportRefused: 65,  # EX_DATAERR
    FetchedOriginal: 65,  # EX_DATAERR
    NotFound: 66,  # EX_NOINPUT
    FetchError: 69,  # EX_UNAVAILABLE
    StoreUnavailable: 69,  # EX_UNAVAILABLE
    IndexLayoutError: 78,  # EX_CONFIG
    FarmwatchError: 70,  # EX_SOFTWARE
}
EPILOG = (
    "Exit codes: 0 done; 1 refused by the command; 2 usage; 65 unusable input (not HTML, refused export); "
    "66 no such input file; 69 Redis unreachable or fetch failed; 70 other error; "
    "78 index of another layout (run `farmwatch reindex`)."
)

app = typer.Typer(
    help="Content-farm and republication detector.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Score the service on a corpus with ground truth.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(keys_app, name="keys")
app.command("export")(export_command)
app.command("import")(import_command)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"farmwatch {version('farmwatch')}")
        except PackageNotFoundError:
            typer.echo("farmwatch (not installed)")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Content-farm and republication detector."""


def _logging() -> None:
    from farmwatch.logs import configure

    configure(logging.INFO)  # JSON lines with the request id (farmwatch/logs.py)


def _redis_url(start_embedded: bool) -> tuple[str, object | None]:
    settings = get_settings()
    if settings.redis_url:
        return settings.redis_url, None
    from farmwatch.store.embedded import EmbeddedRedis

    if start_embedded:
        server = EmbeddedRedis(settings.data_dir)
        url = server.start()
        typer.echo(f"embedded Redis at {url} (data in {settings.data_dir.resolve()})", err=True)
        return url, server
    from farmwatch.store.connection import redis_url

    return redis_url(settings), None


def _start_workers(url: str, count: int, stop: threading.Event) -> list[threading.Thread]:
    from farmwatch.services import Services
    from farmwatch.store.connection import connect
    from farmwatch.store.jobs import JobQueue
    from workers.worker import Worker

    settings = get_settings()
    threads = []
    for number in range(count):
        client = connect(url)
        queue = JobQueue.from_settings(client, settings.key_prefix, settings.jobs)
        worker = Worker(Services.create(client, settings), queue)
        worker.name = f"{worker.name}-{number}"
        thread = threading.Thread(target=worker.run, args=(stop,), name=f"worker-{number}", daemon=True)
        thread.start()
        threads.append(thread)
    if count:  # one webhook thread beside the fetch workers: job ends and verdict changes to the hooks
        from workers.webhooks import WebhookWorker

        hooks = WebhookWorker(connect(url), settings.key_prefix, settings.fetch)
        thread = threading.Thread(target=hooks.run, args=(stop,), name="webhooks", daemon=True)
        thread.start()
        threads.append(thread)
    return threads


def _refuse_other_index_layout(url: str, settings: Settings) -> None:
    """Stop before serving when the index in Redis has another layout (it would match nothing): raises
    IndexLayoutError, which main() reports, before any worker thread or the API starts."""
    from farmwatch.services import Services
    from farmwatch.store.connection import connect

    client = connect(url)
    try:
        Services.create(client, settings)
    finally:
        client.close()


def _read_input(path: Path) -> bytes:
    if not path.is_file():
        raise NotFound(f"no such file: {path}", code="no_such_file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise NotFound(f"cannot read {path}: {error.strerror or error}", code="unreadable_file") from error


# --- inputs of `analyze` and `compare`: files, folders, http(s) URLs and `-` (stdin), as trafilatura takes them ---
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
LOCAL_HOST = "localhost"  # the placeholder host of a local page that names no URL of its own


def _usage(message: str) -> typer.Exit:
    """A bad argument: one line on stderr, and the exit (2, click's usage code) for the caller to raise."""
    typer.echo(f"farmwatch: error: {message}", err=True)
    return typer.Exit(2)


def _web_url(value: str, what: str) -> str:
    """value if it is an absolute http(s) URL with a host, else a usage error naming `what`."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        _ = parts.port  # raises on a malformed port
    except ValueError as error:
        raise _usage(f"{what}: not a valid URL: {value!r} ({error})") from None
    if not parts.scheme:
        raise _usage(f"{what}: not an absolute http(s) URL: {value!r}")
    if parts.scheme.lower() not in ("http", "https"):
        raise _usage(f"{what}: {parts.scheme}: URLs are not supported, only http(s): {value!r}")
    if not parts.hostname:
        raise _usage(f"{what}: a URL without a host: {value!r}")
    return value.strip()


def _looks_like_url(target: str) -> bool:
    import re

    return bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", target)) or target.lower().startswith(("http:", "https:"))


def _expand_targets(targets: list[str]) -> list[str]:
    """Each target as one or more inputs: a folder becomes its HTML files (recursively, sorted); URLs are
    checked (http(s) only); `-` is stdin, once."""
    inputs: list[str] = []
    for target in targets:
        if target == "-":
            if "-" in inputs:
                raise _usage("'-' (stdin) given twice")
            inputs.append(target)
        elif _looks_like_url(target):
            inputs.append(_web_url(target, "input"))
        elif Path(target).is_dir():
            found = sorted(str(p) for p in Path(target).rglob("*") if p.suffix.lower() in HTML_SUFFIXES and p.is_file())
            if not found:
                raise NotFound(f"no HTML files (*.html, *.htm) in folder {target}", code="empty_folder")
            inputs.extend(found)
        else:
            inputs.append(target)  # a file: read (or reported missing) when its turn comes
    return inputs


def _load(target: str) -> tuple[bytes, str | None, str | None]:
    """(body, the page's URL if known, content type if fetched) of one input."""
    if target == "-":
        return sys.stdin.buffer.read(), None, None
    if _looks_like_url(target):
        from workers.fetch import Fetcher

        result = Fetcher(get_settings().fetch).fetch(target)
        return result.body, result.url, result.content_type
    return _read_input(Path(target)), None, None


def _analyse_page(body: bytes, page_url: str | None, target: str, content_type: str | None = None):
    """Analyse one page. Without a URL, the page's own canonical (or og:url) link names it when absolute;
    else a placeholder under http://localhost/ (site "localhost") stands in."""
    from farmwatch.analysis.page import analyze_html
    from farmwatch.analysis.urls import host_of

    settings = get_settings().fingerprint
    if page_url is not None:
        return analyze_html(body, page_url, content_type=content_type, settings=settings)
    name = "stdin" if target == "-" else Path(target).resolve().as_posix().lstrip("/")
    placeholder = f"http://{LOCAL_HOST}/{name}"
    analysis = analyze_html(body, placeholder, settings=settings)
    for declared in (analysis.metadata.canonical, analysis.metadata.og_url):
        if declared and declared.startswith(("http://", "https://")) and host_of(declared) != LOCAL_HOST:
            return analyze_html(body, declared, settings=settings)
    return analysis


def _is_html(body: bytes) -> bool:
    import re

    tags = rb"<(!doctype|html|head|body|p|div|article|main|section|span|br|h[1-6])\b"
    return bool(re.search(tags, body[:65536], re.I))


CSV_COLUMNS = ("input", "url", "site", "title", "published_at", "canonical", "boilerplate", "paragraphs", "credits",
               "warnings", "text")  # fmt: skip


def _csv_row(target: str, document: dict) -> list:
    credits = "; ".join(credit["name"] for credit in document["credits"])
    return [target, document["url"], document["site"], document["title"] or "", document["published_at"] or "",
            document["canonical"] or "", document["boilerplate"]["score"], len(document["paragraphs"]), credits,
            "; ".join(document["warnings"]), "\n".join(document["paragraphs"])]  # fmt: skip


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default FARMWATCH_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default FARMWATCH_PORT or 8000).")] = None,
    workers: Annotated[int | None, typer.Option(help="Fetch workers to run in this process.")] = None,
) -> None:
    """Run the HTTP API (and fetch workers) on Redis: REDIS_URL, or an embedded server in FARMWATCH_DATA_DIR."""
    import uvicorn

    from service.app import create_app
    from service.connlimit import uvicorn_config

    _logging()
    settings = get_settings()
    url, server = _redis_url(start_embedded=True)
    bind = host or settings.host
    try:
        from farmwatch.opscli import refuse_unprotected

        refuse_unprotected(url, bind)
        _refuse_other_index_layout(url, settings)
    except BaseException:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
        raise
    stop = threading.Event()
    count = settings.workers_in_process if workers is None else workers
    threads = _start_workers(url, count, stop)
    # uvicorn re-raises SIGTERM/SIGINT once it has shut down; as SystemExit they still reach the
    # `finally` below, which stops the embedded Redis (the default SIGTERM action would skip it).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    try:
        # Idle and header timeouts, a per-client connection cap and the overall cap: FARMWATCH_HTTP_*.
        config = uvicorn_config(
            create_app(url, settings, bind_host=bind),
            settings,
            host=bind,
            port=port or settings.port,
            log_level="info",
            log_config=None,  # keep the JSON logging configured above
            access_log=False,  # the API writes its own access line
        )
        web = uvicorn.Server(config)
        web.run()
        if not web.started:  # as uvicorn.run: the port is taken or the app failed to start
            sys.exit(3)
    finally:
        stop.set()
        for thread in threads:  # a worker blocks on the queue for at most a second: let it finish first,
            thread.join(timeout=10)  # or stopping Redis under it logs a spurious "worker loop error"
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Worker threads in this process.")] = 4,
) -> None:
    """Run fetch workers only (scale out by starting more of these, on any machine that reaches Redis)."""
    _logging()
    url, _ = _redis_url(start_embedded=False)
    _refuse_other_index_layout(url, get_settings())
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    collect_less_often()
    threads = _start_workers(url, concurrency, stop)
    typer.echo(f"{concurrency} workers on {url}", err=True)
    while not stop.is_set():
        stop.wait(1.0)
    for thread in threads:
        thread.join(timeout=30)


FORMATS = ("json", "text", "csv")


def _format_option(value: str) -> str:
    if value not in FORMATS:
        raise _usage(f"--format: one of {', '.join(FORMATS)}, not {value!r}")
    return value


@app.command()
def analyze(
    targets: Annotated[
        list[str],
        typer.Argument(help="HTML files, folders (their .html/.htm files), http(s) URLs, or - for stdin."),
    ],
    url: Annotated[
        str | None, typer.Option(help="The page's URL, for one file or stdin (default: its canonical link).")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="json (one object; JSON lines for several), text (main text) or csv.")
    ] = "json",
) -> None:
    """Print pages' analysis (main text, boilerplate, credits, metadata) without storing anything.

    Several inputs: each is reported in turn; one that fails is reported on stderr (one line) and the
    others still are, and the exit code is the first failure's."""
    import csv

    from farmwatch.analysis.facts import facts_of
    from farmwatch.ingest import document_of

    _format_option(format)
    inputs = _expand_targets(targets)
    if url is not None:
        url = _web_url(url, "--url")
        if len(inputs) > 1 or _looks_like_url(inputs[0]):
            raise _usage("--url names the page of one file or of stdin")
    several = len(inputs) > 1
    writer = csv.writer(sys.stdout, lineterminator="\n") if format == "csv" else None
    if writer is not None:
        writer.writerow(CSV_COLUMNS)
    failed: FarmwatchError | None = None
    for target in inputs:
        try:
            body, page_url, content_type = _load(target)
            analysis = _analyse_page(body, url or page_url, target, content_type)
        except FarmwatchError as error:
            if not several:
                raise
            typer.echo(f"farmwatch: error: {target}: {error}", err=True)
            failed = failed or error
            continue
        document = document_of(analysis, facts_of(analysis, 0, "fetched" if content_type else "client", 0.0))
        if writer is not None:
            writer.writerow(_csv_row(target, document))
        elif format == "text":
            if several:
                typer.echo(f"==> {target} <==")
            typer.echo("\n".join(document["paragraphs"]) + ("\n" if several else ""))
        elif several:
            typer.echo(json.dumps({"input": target, **document}, ensure_ascii=False))
        else:
            typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    if failed is not None:
        raise typer.Exit(exit_code(failed))


def _compare_input(target: str, url: str | None, kind: str):
    """One side of `compare`: a page (HTML) or a plain text, from a file, stdin or a URL."""
    from farmwatch.analysis.plain import analyze_text

    body, page_url, content_type = _load(target)
    if kind == "html" or (kind == "auto" and (content_type is not None or _is_html(body))):
        return _analyse_page(body, url or page_url, target, content_type)
    from farmwatch.analysis.decode import decode_html

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = decode_html(body)  # its charset detection, for a text in another encoding
    return analyze_text(text, url or page_url, settings=get_settings().fingerprint)


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="This page or text: a file, an http(s) URL, or - for stdin.")],
    b: Annotated[str, typer.Argument(help="The other (the possible source): a file or an http(s) URL.")],
    as_: Annotated[
        str, typer.Option("--as", help="auto (HTML when it has markup), html, or text (paragraphs: blank lines).")
    ] = "auto",
    format: Annotated[
        str, typer.Option("--format", "-f", help="json (the report's spans), text (one line a span) or csv.")
    ] = "json",
) -> None:
    """The passages of A found in B, as the report's spans: character offsets into each main text, with
    similarity, coverage (share of A aligned) and source coverage (share of B). Nothing is stored."""
    import csv

    from farmwatch.analysis.align import align, reuse_grade

    _format_option(format)
    if as_ not in ("auto", "html", "text"):
        raise _usage(f"--as: one of auto, html, text, not {as_!r}")
    if a == "-" and b == "-":
        raise _usage("only one of A and B can be - (stdin)")
    for target in (a, b):  # both checked before either is read or fetched
        if _looks_like_url(target):
            _web_url(target, "input")
        elif target != "-" and Path(target).is_dir():
            raise _usage(f"compare takes two pages or texts, not a folder: {target}")
    first, second = (_compare_input(target, None, as_) for target in (a, b))
    if first.prepared is None or second.prepared is None:
        raise InputError("no main text to compare", code="no_text")
    alignment = align(first.prepared, second.prepared)
    text_a, text_b = first.main_text, second.main_text
    spans = [
        {"start": sp.start, "end": sp.end, "source_start": sp.source_start, "source_end": sp.source_end,
         "similarity": round(sp.similarity, 3), "quoted": sp.quoted,
         "text": text_a[sp.start : sp.end], "source_text": text_b[sp.source_start : sp.source_end]}
        for sp in alignment.spans
    ]  # fmt: skip
    if format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["start", "end", "source_start", "source_end", "similarity", "quoted", "text", "source_text"])
        for span in spans:
            writer.writerow(list(span.values()))
        return
    if format == "text":
        typer.echo(f"coverage {alignment.coverage:.3f} of A, {alignment.source_coverage:.3f} of B; {len(spans)} spans")
        for span in spans:
            snippet = " ".join(span["text"].split())
            typer.echo(
                f"A {span['start']}-{span['end']}  B {span['source_start']}-{span['source_end']}  "
                f"{span['similarity']:.2f}{' quoted' if span['quoted'] else ''}  {snippet[:100]}"
            )
        return
    result = {
        "a": {"input": a, "url": first.url, "title": first.metadata.title, "chars": len(text_a)},
        "b": {"input": b, "url": second.url, "title": second.metadata.title, "chars": len(text_b)},
        "coverage": round(alignment.coverage, 4),
        "source_coverage": round(alignment.source_coverage, 4),
        "similarity": round(alignment.similarity, 4),
        "containment": round(alignment.containment, 4),
        "reuse": reuse_grade(alignment) if alignment.spans else None,
        "spans": spans,
    }
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@app.command("ingest")
def ingest_warc(
    files: Annotated[list[Path], typer.Argument(help="WARC files (.warc or .warc.gz, Common Crawl's format).")],
    jobs: Annotated[int | None, typer.Option(help="Analysis processes (default: one per core).")] = None,
    batch: Annotated[int, typer.Option(help="Pages per batch (progress is saved after each).")] = 64,
) -> None:
    """Index the HTML responses of WARC files as pages; an interrupted import resumes where it stopped."""
    from rich.progress import BarColumn, DownloadColumn, TextColumn, TimeRemainingColumn

    from farmwatch.bulk import WarcImporter
    from farmwatch.opscli import progress_bar
    from farmwatch.services import Services
    from farmwatch.store.connection import connect

    settings = get_settings()
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise NotFound(f"no such file: {', '.join(missing)}", code="no_such_file")
    url, server = _redis_url(start_embedded=True)
    try:
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
        # The importer forks its workers as it is made, before the progress bar's thread starts; they stop
        # with the block, before the embedded server does.
        collect_less_often()  # here and in the import's workers, set before they fork
        importer = WarcImporter(Services.create(connect(url), settings), jobs=jobs, batch=batch, redis_url=url)
        with importer, progress_bar(*columns) as progress:
            for path in files:
                before = importer.status(path)
                task = progress.add_task(path.name, total=path.stat().st_size, completed=before.offset)
                advance = lambda offset, task=task: progress.update(task, completed=offset)  # noqa: E731
                stats = importer.run(path, on_progress=advance)
                typer.echo(
                    f"{path.name}: {stats.pages} pages indexed, {stats.skipped} responses skipped"
                    + (f", {stats.bad} bad records" if stats.bad else "")
                    + (f" (resumed at byte {before.offset})" if before.offset and not before.done else "")
                )
                for reason in stats.bad_records:  # the first of them, each on its own line
                    typer.echo(f"farmwatch: bad record: {reason}", err=True)
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


@app.command("reindex")
def reindex_command(
    batch: Annotated[int, typer.Option(help="Pages per pipelined batch.")] = 500,
) -> None:
    """Rebuild the LSH index from the stored pages (after an upgrade or a change of FARMWATCH_INDEX__*).

    Stop the service and its workers first: pages indexed while this runs could be lost from the index."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

    from farmwatch.opscli import progress_bar
    from farmwatch.reindex import reindex
    from farmwatch.store.connection import connect
    from farmwatch.store.lsh import LshIndex
    from farmwatch.store.pages import PageStore

    settings = get_settings()
    url, server = _redis_url(start_embedded=True)
    try:
        client = connect(url)
        pages = PageStore(client, settings.key_prefix, settings.fingerprint)
        index = LshIndex(client, settings.key_prefix, **settings.index.model_dump())
        columns = (TextColumn("reindex"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with progress_bar(*columns) as progress:
            task = progress.add_task("pages", total=pages.last_page_id())
            result = reindex(index, pages, batch, lambda done, _total: progress.update(task, completed=done))
        typer.echo(json.dumps({**result, "layout": index.layout}))
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


@app.command("settle")
def settle_command(
    max_pages: Annotated[int, typer.Option(help="Pages judged again at most.")] = 1_000_000,
) -> None:
    """Judge again the pages whose sites' records moved since they were judged (workers do this between
    jobs, and `farmwatch ingest` after an import); prints how many sites and pages, and verdicts changed."""
    import dataclasses

    from farmwatch.judging import settle
    from farmwatch.services import Services
    from farmwatch.store.connection import connect

    settings = get_settings()
    url, server = _redis_url(start_embedded=True)
    try:
        typer.echo(json.dumps(dataclasses.asdict(settle(Services.create(connect(url), settings), max_pages))))
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


@contextmanager
def _imports_uncollected() -> Iterator[None]:
    """No garbage collection while an evaluation's modules load: they make many objects that live to the end and
    next to no garbage, so the collections their allocations set off only walked them."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def _eval_progress(name: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar for an evaluation when stderr is a terminal (else none): yields its update callback."""
    if not sys.stderr.isatty():  # before importing rich (~25 ms): piped and CI runs draw nothing
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

    from farmwatch.opscli import progress_bar

    columns = (TextColumn(f"eval {name}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with progress_bar(*columns) as bar:
        task = bar.add_task("pages", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@eval_app.command("extraction")
def eval_extraction(corpus: Annotated[Path, typer.Argument(help="Corpus directory (truth.jsonl + html/).")]) -> None:
    """Main text vs boilerplate: precision, recall, F1, pages/s. Last line: one JSON object."""
    with _imports_uncollected():
        from farmwatch.evaluation.extraction import evaluate_extraction

    with _eval_progress("extraction") as advance:
        result = evaluate_extraction(corpus, progress=advance)
    typer.echo(json.dumps(result))


@eval_app.command("provenance")
def eval_provenance(
    corpus: Annotated[Path, typer.Argument(help="Corpus directory (pages.jsonl + html/).")],
    show_mistakes: Annotated[
        bool,
        typer.Option(
            help="Print every page judged wrongly before the result, one JSON line each: originals accused"
            " (with the page they are said to copy), copies traced to the wrong original, copies missed."
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            help="Processes analysing pages while this one stores them in file order (default: one per core"
            " but one; 0: analyse here too). The figures are the same whatever the number.",
            min=0,
        ),
    ] = None,
) -> None:
    """Republication detection: precision, recall, source and attribution accuracy. Last line: one JSON object."""
    with _imports_uncollected():
        from farmwatch.config import Settings
        from farmwatch.evaluation.provenance import PageAnalysers, evaluate_provenance

    settings = Settings()
    workers = jobs if jobs is not None else (os.cpu_count() or 1) - 1
    collect_less_often()  # here and in the workers, set before they fork
    # The workers are forked before the progress bar's thread starts.
    with PageAnalysers(settings.fingerprint, workers) as analysers, _eval_progress("provenance") as advance:
        result = evaluate_provenance(corpus, settings=settings, progress=advance, analysers=analysers)
    mistakes = result.pop("mistakes")
    if show_mistakes:
        for mistake in mistakes:
            typer.echo(json.dumps(mistake))
    typer.echo(json.dumps(result))


def exit_code(error: FarmwatchError) -> int:
    return next(EXIT_CODES[cls] for cls in type(error).__mro__ if cls in EXIT_CODES)


def main() -> None:
    """Run the command; any FarmwatchError (or Redis out of reach) ends it with one line and its exit code."""
    import redis

    try:
        app()
    except FarmwatchError as error:
        typer.echo(f"farmwatch: error: {error}", err=True)
        sys.exit(exit_code(error))
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
        down = StoreUnavailable(f"cannot reach Redis: {error}")
        typer.echo(f"farmwatch: error: {down}", err=True)
        sys.exit(exit_code(down))
    finally:
        # The command is done (its files closed, its Redis stopped): the interpreter's exit need not sweep every
        # object the imports made for cycles, ~70 ms of a one-page `eval provenance`.
        gc.freeze()


if __name__ == "__main__":
    main()
