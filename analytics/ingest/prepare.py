"""A file read into what the writer stores: a ledger's rows as an Arrow table, a score or readiness
sheet as read; for a batch, in worker processes ahead of the writes.

This side imports no pandas and no openpyxl, so the server the workers are forked from starts in a
fraction of a second; the command line starts it before it imports the writer (start_parse_workers).
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import gc
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import forkserver
from pathlib import Path

import pyarrow as pa

from analytics.derive import VERSION_COLUMNS
from analytics.ingest.parse import ParsedLedger, parse_ledger
from analytics.ingest.reader import FileRefused
from analytics.ingest.readiness_sheets import ReadinessSheet
from analytics.ingest.recognise import parse_file
from analytics.ingest.scoresheet import ParsedScoreSheet

# Arrow types of the version columns that are not text.
_VERSION_TYPES = {"source_row": pa.int32(), "point_type_known": pa.bool_(), "found_date": pa.date32(),
                  "deadline": pa.date32(), "rectified_date": pa.date32(), "closed_date": pa.date32(),
                  "flags": pa.list_(pa.string())}


@dataclass
class PreparedLedger:
    """A parsed ledger ready to store: its rows as an Arrow table in the column order of
    problem_versions (but import_id). It is made where the file was parsed, so a worker process
    takes that work off the writer too; the ledger's columns are dropped once tabled."""
    ledger: ParsedLedger
    versions: pa.Table
    rows: int
    flagged: int


def prepare_ledger(path: Path, **parse_options) -> PreparedLedger:
    """parse_ledger, then the rows as an Arrow table (several times faster than a DataFrame of objects)."""
    return _tabled(parse_ledger(path, **parse_options))


def prepare_file(path: Path, **parse_options) -> PreparedLedger | ParsedScoreSheet | ReadinessSheet:
    """Any file as it comes in: a score sheet (recognised by its content) as read, a ledger tabled."""
    parsed = parse_file(path, **parse_options)
    return parsed if isinstance(parsed, (ParsedScoreSheet, ReadinessSheet)) else _tabled(parsed)


def _tabled(ledger: ParsedLedger) -> PreparedLedger:
    versions = pa.table({name: pa.array(ledger.columns[name], _VERSION_TYPES.get(name, pa.string()))
                         for name in VERSION_COLUMNS})
    return PreparedLedger(dataclasses.replace(ledger, columns={}), versions, versions.num_rows, ledger.flagged)


# A batch of at least this many files may be parsed in worker processes, ahead of the writes: parsing
# is pure Python (about two thirds of an import), and processes of their own let it run beside DuckDB.
PARSE_AHEAD_MIN_FILES = 3


def parse_workers_for_command_line() -> int:
    """Worker processes for an import run from the command line: one per core. Inside the dashboard
    imports parse in its own process: Streamlit runs app.py as __main__, which every new Python
    process started by multiprocessing would run again."""
    return os.cpu_count() or 1


FILES_AHEAD_PER_WORKER = 4
# Parsing gives way to the dashboard: page views stay quick while a long import runs, which then takes
# the cores nobody is using.
PARSE_WORKER_NICENESS = 5


def _forkserver_context() -> multiprocessing.context.ForkServerContext:
    # forkserver, not fork: the dashboard's process has threads (Streamlit, DuckDB) a fork would copy
    # mid-step. The server imports this module once; each worker starts as a fork of it. pyarrow
    # imports pandas at its first conversion of a list, so the server imports it too, once for all.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "pandas"])
    return context


def start_parse_workers() -> None:
    """Start the server the parser workers fork from now, so it has imported the parser by the time
    the caller has imported the writer and opened the database (it does not wait for it)."""
    _forkserver_context()
    forkserver.ensure_running()


class ParseAhead:
    """The batch's files parsed in order, `workers` worker processes reading up to FILES_AHEAD_PER_WORKER
    files each ahead of the one being taken (in this process when workers is 0): while a batch is
    written, they go on with the next. A worker that dies takes
    only its own file with it: files caught in the broken pool are parsed again, each suspect alone,
    and the one that kills a worker by itself is refused."""

    def __init__(self, paths: list[Path], parse: Callable[[Path], PreparedLedger | ParsedScoreSheet | ReadinessSheet], workers: int):
        self.paths, self.parse, self.workers = paths, parse, workers
        self._pool: ProcessPoolExecutor | None = None
        self._pending: collections.deque[tuple[Path, Future]] = collections.deque()
        self._upcoming = iter(paths)

    def __enter__(self) -> "ParseAhead":
        return self

    def __exit__(self, *exc_info) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        self._pool = None

    def _submit(self, path: Path) -> Future:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_forkserver_context(),
                                             initializer=_start_worker, initargs=(self.parse,))
        return self._pool.submit(_parse_in_worker, path)

    def __iter__(self) -> Iterator[tuple[Path, Callable[[], PreparedLedger]]]:
        """(path, a function returning what `parse` gives for it or raising what it raises), in order."""
        if self.workers == 0:
            for path in self.paths:
                yield path, functools.partial(self.parse, path)
            return
        for path in itertools.islice(self._upcoming, self.workers * FILES_AHEAD_PER_WORKER):
            self._pending.append((path, self._submit(path)))
        while self._pending:
            path, future = self._pending.popleft()
            if _broke(future):
                future = self._again_alone(path)
            yield path, future.result
            following = next(self._upcoming, None)
            if following is not None:
                self._pending.append((following, self._submit(following)))

    def _again_alone(self, path: Path) -> Future:
        """After a worker died: parse `path` by itself in a fresh pool, then resubmit the files behind it."""
        waiting = [queued for queued, _ in self._pending]
        self._pending.clear()
        self._shutdown()
        future = self._submit(path)
        if _broke(future):
            self._shutdown()
            future = Future()
            future.set_exception(FileRefused(f"文件“{path.name}”未导入：读取时解析进程意外退出，文件可能已损坏，"
                                             "请用 Excel/WPS 打开确认后另存为 .xlsx 再提交。"))
        self._pending.extend((queued, self._submit(queued)) for queued in waiting)
        return future


# The worker's parse function (with the aliases and words in force), sent once per worker rather than
# with every file: the words' caches then last from one file to the next.
_worker_parse: Callable[[Path], PreparedLedger | ParsedScoreSheet | ReadinessSheet] | None = None


def _start_worker(parse: Callable[[Path], PreparedLedger | ParsedScoreSheet | ReadinessSheet]) -> None:
    global _worker_parse
    _worker_parse = parse
    os.nice(PARSE_WORKER_NICENESS)
    # What the server imported lives as long as the worker: the collector need not walk it again and
    # again while a morning's ledgers make and drop millions of objects (parsing is ~10% faster).
    gc.freeze()


def _parse_in_worker(path: Path) -> PreparedLedger | ParsedScoreSheet | ReadinessSheet:
    return _worker_parse(path)


def _broke(future: Future) -> bool:
    """Wait for `future`; True when its worker process died (its own errors are the caller's)."""
    return isinstance(future.exception(), BrokenProcessPool)
