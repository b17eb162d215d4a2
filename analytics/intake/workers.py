"""The parser's worker processes: a batch's files read ahead of the writes, in order, one worker per
core, each worker forked from a server that has imported the parser once.

The command line starts that server first thing (start_parse_workers), so the parser is imported
while the command imports the writer and opens the database. This module imports only the standard
library, so starting the server waits for nothing.
"""
from __future__ import annotations

import collections
import functools
import gc
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from pathlib import Path

from analytics.shared.reading.reader import FileRefused

# A batch of at least this many files may be parsed in worker processes, ahead of the writes: parsing
# is pure Python (about two thirds of an import), and processes of their own let it run beside DuckDB.
PARSE_AHEAD_MIN_FILES = 3


def parse_workers_for_command_line() -> int:
    """Worker processes for an import run from the command line: one per core. Inside the dashboard
    imports parse in its own process: Streamlit runs app.py as __main__, which every new Python
    process started by multiprocessing would run again."""
    return os.cpu_count() or 1


# Enough that the workers go on parsing while a batch (about 40 ledgers) is written: with 4 they ran
# out of files within a tenth of a second and waited out the rest of each write.
FILES_AHEAD_PER_WORKER = 16
# Parsing gives way to the dashboard: page views stay quick while a long import runs, which then takes
# the cores nobody is using.
PARSE_WORKER_NICENESS = 5


# What the workers run (prepare_file), and pandas, which pyarrow imports at its first conversion of a list.
_SERVER_IMPORTS = ("analytics.intake.prepare", "pandas")


def _forkserver_context() -> multiprocessing.context.ForkServerContext:
    # forkserver, not fork: the dashboard's process has threads (Streamlit, DuckDB) a fork would copy
    # mid-step. The server imports the parser once; each worker starts as a fork of it.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(_SERVER_IMPORTS))
    return context


def process_pool(workers: int, **options) -> ProcessPoolExecutor:
    """`workers` processes forked from the parser's server (started if it is not running yet)."""
    return ProcessPoolExecutor(workers, mp_context=_forkserver_context(), **options)


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

    def __init__(self, paths: list[Path], parse: Callable[[Path], object], workers: int):
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
            self._pool = process_pool(self.workers, initializer=_start_worker, initargs=(self.parse,))
        return self._pool.submit(_parse_in_worker, path)

    def __iter__(self) -> Iterator[tuple[Path, Callable[[], object]]]:
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
_worker_parse: Callable[[Path], object] | None = None


def _start_worker(parse: Callable[[Path], object]) -> None:
    global _worker_parse
    _worker_parse = parse
    os.nice(PARSE_WORKER_NICENESS)
    # What the server imported lives as long as the worker: the collector need not walk it again and
    # again while a morning's ledgers make and drop millions of objects (parsing is ~10% faster).
    gc.freeze()


def _parse_in_worker(path: Path) -> object:
    return _worker_parse(path)


def _broke(future: Future) -> bool:
    """Wait for `future`; True when its worker process died (its own errors are the caller's)."""
    return isinstance(future.exception(), BrokenProcessPool)
