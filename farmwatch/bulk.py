"""Bulk import of originals from WARC files (Common Crawl's format), resumable after a crash.

Reader: FastWARC. Measured on a WARC of the 990 extraction-dev pages (request + response records,
gzip per record): 5,000–5,200 response records/s of CPU against 2,100–2,200 for warcio 1.8. Either
is small beside analysis (tens of ms a page), but FastWARC also filters record types natively.

Speed: every step of the pipeline is safe across processes (ids, index entries and edges are
idempotent, and a page inserted before it is matched is found by any page matched after), so with
`jobs` > 1 and a Redis URL each worker process analyses *and* ingests its pages with the same `ingest`
as the API, on its own connection; the main process only reads the WARC and keeps the progress. Without
a URL, workers analyse and this process ingests (the earlier design: analysis is most of a page's time).

Resuming: after each batch the compressed offset of the next unread record is written to Redis
(hash {prefix}:import, field = file name and size). A restarted import seeks there; the few pages of
a batch cut short by a crash are ingested again, which changes nothing (ids, index entries and
edges are idempotent).
"""

from __future__ import annotations

import logging
import multiprocessing.pool
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from fastwarc.warc import ArchiveIterator, WarcRecordType

from farmwatch.analysis.decode import InputError
from farmwatch.analysis.page import PageAnalysis, analyze_html
from farmwatch.config import FingerprintSettings, Settings
from farmwatch.errors import FetchedOriginal
from farmwatch.forked import ForkedWorkers
from farmwatch.ingest import ingest
from farmwatch.judging import settle
from farmwatch.services import Services
from farmwatch.store.layout import KeyLayout

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(slots=True)
class ImportStats:
    pages: int = 0  # HTML responses ingested
    skipped: int = 0  # responses that are not HTML or not usable pages (bad ones included)
    offset: int = 0  # where the next run would start
    done: bool = False
    bad: int = 0  # HTML responses that failed analysis (each logged with its URL and reason)
    bad_records: list[str] = field(default_factory=list)  # the first MAX_BAD_LISTED of them: "url: reason"


MAX_BAD_LISTED = 50
log = logging.getLogger("farmwatch.bulk")


@dataclass(slots=True)
class _Record:
    url: str
    body: bytes
    content_type: str | None
    offset: int


def _is_html(content_type: str | None) -> bool:
    return content_type is None or content_type.split(";")[0].strip().lower() in HTML_TYPES


def read_html_responses(path: Path, offset: int = 0) -> Iterator[_Record]:
    """HTML response records of a WARC (gzipped or not), from a compressed byte offset."""
    with path.open("rb") as stream:
        stream.seek(offset)
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
            url = record.headers.get("WARC-Target-URI")
            status = record.http_headers.status_code if record.http_headers else None
            content_type = record.http_headers.get("Content-Type") if record.http_headers else None
            if not url or status != 200:
                yield _Record(url or "", b"", "skip", record.stream_pos)
                continue
            yield _Record(url, record.reader.read(), content_type, record.stream_pos)


_SETTINGS: FingerprintSettings | None = None
_SERVICES: Services | None = None  # set in worker processes that ingest themselves


def _init(settings: FingerprintSettings, redis_url: str | None = None, full: Settings | None = None) -> None:
    global _SETTINGS, _SERVICES
    _SETTINGS = settings
    if redis_url is not None and full is not None:
        from farmwatch.store.connection import connect

        _SERVICES = Services.create(connect(redis_url), full)


def _analyse_and_ingest(record: _Record) -> bool | str:
    """In a worker process: the whole pipeline for one record; False when it is not a usable page, and
    "url: reason" when analysing it failed."""
    analysis = _analyse(record)
    if not isinstance(analysis, PageAnalysis) or _SERVICES is None:
        return analysis if isinstance(analysis, str) else False
    try:
        _ingest_archived(_SERVICES, analysis)
    except FetchedOriginal as error:
        return f"{analysis.url}: {error}"
    return True


def _analyse_batch(batch: tuple[list[_Record], int]) -> tuple[list[PageAnalysis | str | None], int]:
    """A batch's analyses (_analyse), with the offset where the next batch starts."""
    records, end = batch
    return [_analyse(record) for record in records], end


def _ingest_archived(services: Services, analysis: PageAnalysis) -> None:
    """Ingest an archived page, analysed already: FetchedOriginal where a page the service fetched is stored
    under its URL, nothing written (an archived copy never replaces it). That is the record's own check
    (ingest's save_page): a check before ingest, as the API makes before analysing, would cost a round trip
    a page and spare no work here."""
    ingest(services, analysis, origin="client")


def _analyse(record: _Record) -> PageAnalysis | str | None:
    """The record's analysis; None when it is no usable page, "url: reason" when analysis failed on it.
    One bad record (a charset label naming no text codec, markup that breaks a parser) never stops the
    import: every other record of the file is imported, the bad ones are counted and reported."""
    if record.content_type == "skip" or not _is_html(record.content_type):
        return None
    try:
        return analyze_html(record.body, record.url, content_type=record.content_type, settings=_SETTINGS)
    except (InputError, ValueError):
        return None
    except Exception as error:  # a bug on this record's input: report it and go on
        return f"{record.url}: {type(error).__name__}: {error}"[:500]


class WarcImporter(ForkedWorkers):
    def __init__(
        self, services: Services, jobs: int | None = None, batch: int = 64, redis_url: str | None = None
    ) -> None:
        self.services = services
        self.redis_url = redis_url  # lets worker processes ingest on their own connections
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.batch = batch
        self.progress_key = KeyLayout(services.settings.key_prefix).import_progress
        # Forked here, before the caller starts threads (the CLI's progress bar): the pool serves every file this
        # importer runs, until close() (provenance-dev's 253 pages: 2.07-2.32 -> 1.48-1.78 s against spawning
        # workers for each file).
        initargs = (services.settings.fingerprint, redis_url, services.settings)
        super().__init__(self.jobs if self.jobs > 1 else 0, initializer=_init, initargs=initargs)

    @staticmethod
    def file_key(path: Path) -> str:
        return f"{path.name}:{path.stat().st_size}"

    def status(self, path: Path) -> ImportStats:
        raw = self.services.client.hget(self.progress_key, self.file_key(path))
        return ImportStats(**orjson.loads(raw)) if raw else ImportStats()

    def _save(self, path: Path, stats: ImportStats) -> None:
        data = {"pages": stats.pages, "skipped": stats.skipped, "offset": stats.offset, "done": stats.done}
        if stats.bad:
            data.update(bad=stats.bad, bad_records=stats.bad_records)
        self.services.client.hset(self.progress_key, self.file_key(path), orjson.dumps(data))

    def _batches(self, path: Path, offset: int) -> Iterator[tuple[list[_Record], int]]:
        """Batches of records, each with the offset where the next batch starts (the file's end at last)."""
        batch: list[_Record] = []
        for record in read_html_responses(path, offset):
            if len(batch) >= self.batch:
                yield batch, record.offset
                batch = []
            batch.append(record)
        yield batch, path.stat().st_size

    def run(self, path: Path, on_progress: Callable[[int], None] | None = None) -> ImportStats:
        """Import one file (or its rest, after a crash); on_progress gets the compressed offset reached."""
        stats = self.status(path)
        if stats.done:
            return stats
        _init(self.services.settings.fingerprint)
        pool = self.pool
        if pool is not None and self.redis_url is not None:
            self._run_parallel(path, stats, pool, on_progress)
        else:
            # The workers analyse the next batches while this process stores and judges this one.
            for analysed, end in self.in_order(_analyse_batch, self._batches(path, stats.offset), ahead=self.jobs):
                self._finish(path, stats, analysed, end, on_progress)
        # Pages judged before their sites had a record are judged again (judging.settle).
        settle(self.services)
        stats.done = True
        self._save(path, stats)
        return stats

    def _run_parallel(
        self,
        path: Path,
        stats: ImportStats,
        pool: multiprocessing.pool.Pool,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        """Workers ingest whole batches; the next batch is queued before this one is awaited."""
        pending: tuple[multiprocessing.pool.AsyncResult, int] | None = None
        for records, end in self._batches(path, stats.offset):
            future = pool.map_async(_analyse_and_ingest, records, chunksize=4)
            if pending is not None:
                self._count(path, stats, pending[0].get(), pending[1], on_progress)
            pending = (future, end)
        if pending is not None:
            self._count(path, stats, pending[0].get(), pending[1], on_progress)

    @staticmethod
    def _bad(stats: ImportStats, reason: str) -> None:
        stats.bad += 1
        stats.skipped += 1
        if len(stats.bad_records) < MAX_BAD_LISTED:
            stats.bad_records.append(reason)
        log.warning("WARC record not imported: %s", reason)

    def _count(
        self,
        path: Path,
        stats: ImportStats,
        done: list[bool | str],
        end: int,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        for outcome in done:
            if isinstance(outcome, str):
                self._bad(stats, outcome)
            elif outcome:
                stats.pages += 1
            else:
                stats.skipped += 1
        stats.offset = end
        self._save(path, stats)
        if on_progress:
            on_progress(end)

    def _finish(
        self,
        path: Path,
        stats: ImportStats,
        analysed: list[PageAnalysis | str | None],
        end: int,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        for analysis in analysed:
            if isinstance(analysis, str):
                self._bad(stats, analysis)
                continue
            if analysis is None:
                stats.skipped += 1
                continue
            try:
                _ingest_archived(self.services, analysis)
            except FetchedOriginal as error:
                self._bad(stats, f"{analysis.url}: {error}")
                continue
            stats.pages += 1
        stats.offset = end
        self._save(path, stats)
        if on_progress:
            on_progress(end)
