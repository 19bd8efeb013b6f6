"""The `farmwatch` command: serve, worker, analyze, ingest, eval.

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

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from farmwatch.config import Settings, get_settings
from farmwatch.errors import (
    FarmwatchError,
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
    threads = _start_workers(url, concurrency, stop)
    typer.echo(f"{concurrency} workers on {url}", err=True)
    while not stop.is_set():
        stop.wait(1.0)
    for thread in threads:
        thread.join(timeout=30)


@app.command()
def analyze(
    target: Annotated[str, typer.Argument(help="An HTML file or an http(s) URL.")],
    url: Annotated[str | None, typer.Option(help="The page's URL, when TARGET is a file.")] = None,
) -> None:
    """Print one page's analysis (boilerplate, credits, metadata) as JSON, without storing it."""
    from farmwatch.analysis.facts import facts_of
    from farmwatch.analysis.page import analyze_html
    from farmwatch.ingest import document_of

    settings = get_settings()
    content_type = None
    if target.startswith(("http://", "https://")):
        from workers.fetch import Fetcher

        result = Fetcher(settings.fetch).fetch(target)
        body, page_url, content_type = result.body, result.url, result.content_type
    else:
        path = Path(target)
        body, page_url = _read_input(path), url or path.resolve().as_uri().replace("file://", "http://localhost")
    analysis = analyze_html(body, page_url, content_type=content_type, settings=settings.fingerprint)
    facts = facts_of(analysis, 0, "fetched" if content_type else "client", 0.0)
    typer.echo(json.dumps(document_of(analysis, facts), ensure_ascii=False, indent=2))


@app.command("ingest")
def ingest_warc(
    files: Annotated[list[Path], typer.Argument(help="WARC files (.warc or .warc.gz, Common Crawl's format).")],
    jobs: Annotated[int | None, typer.Option(help="Analysis processes (default: one per core).")] = None,
    batch: Annotated[int, typer.Option(help="Pages per batch (progress is saved after each).")] = 64,
) -> None:
    """Index the HTML responses of WARC files as pages; an interrupted import resumes where it stopped."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from farmwatch.bulk import WarcImporter
    from farmwatch.services import Services
    from farmwatch.store.connection import connect

    settings = get_settings()
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise NotFound(f"no such file: {', '.join(missing)}", code="no_such_file")
    url, server = _redis_url(start_embedded=True)
    try:
        importer = WarcImporter(Services.create(connect(url), settings), jobs=jobs, batch=batch, redis_url=url)
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=False) as progress:
            for path in files:
                before = importer.status(path)
                task = progress.add_task(path.name, total=path.stat().st_size, completed=before.offset)
                advance = lambda offset, task=task: progress.update(task, completed=offset)  # noqa: E731
                stats = importer.run(path, on_progress=advance)
                progress.console.print(
                    f"{path.name}: {stats.pages} pages indexed, {stats.skipped} responses skipped"
                    + (f" (resumed at byte {before.offset})" if before.offset and not before.done else "")
                )
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


@app.command("reindex")
def reindex_command(
    batch: Annotated[int, typer.Option(help="Pages per pipelined batch.")] = 500,
) -> None:
    """Rebuild the LSH index from the stored pages (after an upgrade or a change of FARMWATCH_INDEX__*).

    Stop the service and its workers first: pages indexed while this runs could be lost from the index."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

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
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task("pages", total=pages.last_page_id())
            result = reindex(index, pages, batch, lambda done, _total: progress.update(task, completed=done))
        typer.echo(json.dumps({**result, "layout": index.layout}))
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


@eval_app.command("extraction")
def eval_extraction(corpus: Annotated[Path, typer.Argument(help="Corpus directory (truth.jsonl + html/).")]) -> None:
    """Main text vs boilerplate: precision, recall, F1, pages/s. Last line: one JSON object."""
    from farmwatch.evaluation.extraction import evaluate_extraction

    result = evaluate_extraction(corpus, progress=sys.stderr.isatty())
    typer.echo(json.dumps(result))


@eval_app.command("provenance")
def eval_provenance(
    corpus: Annotated[Path, typer.Argument(help="Corpus directory (pages.jsonl + html/).")],
    show_mistakes: Annotated[bool, typer.Option(help="Print the pages judged wrongly before the result.")] = False,
) -> None:
    """Republication detection: precision, recall, source and attribution accuracy. Last line: one JSON object."""
    from farmwatch.evaluation.provenance import evaluate_provenance

    result = evaluate_provenance(corpus, progress=sys.stderr.isatty())
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


if __name__ == "__main__":
    main()
