"""The DuckDB layer: where the database lives, how to open it safely, transactions, and the two
locks beside the file.

DuckDB lets one process hold a file read-write and then locks everyone else out, even readers.
So nobody keeps a connection open: every read and every write opens a short-lived connection,
retrying for a bounded time while another process holds the lock (see README, 架构). Writers
first queue on a lock of their own (`writing`): a rebuild, an upload from the dashboard and a cron
import never interleave, each holds DuckDB's lock only for its short transaction, and the day's
first write makes the daily backup. A second lock gives a waiting writer its turn before new
readers (`_writers_turn`).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
from filelock import FileLock, Timeout

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "chuangwen.duckdb"
DB_ENV_VAR = "CHUANGWEN_DB"

LOCK_WAIT_SECONDS = float(os.environ.get("CHUANGWEN_LOCK_WAIT", "30"))
WRITE_WAIT_SECONDS = float(os.environ.get("CHUANGWEN_WRITE_WAIT", "120"))
BACKUPS_KEPT = int(os.environ.get("CHUANGWEN_BACKUPS_KEPT", "14"))

STATUSES = ("待整改", "整改中", "已整改", "已销号")
OPEN_STATUSES = ("待整改", "整改中")
DONE_STATUSES = ("已整改", "已销号")


class DatabaseBusy(RuntimeError):
    """Another process held the database for longer than we are willing to wait."""


def default_db_path() -> Path:
    """The database the dashboard and every command use unless told otherwise."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH)


def archive_dir(db_path: Path) -> Path:
    """Original ledgers are kept beside the database they were imported into."""
    return Path(db_path).parent / "archive"


def _is_lock_error(error: Exception) -> bool:
    text = str(error)
    # Within one process (the dashboard's sessions are threads) a read-only and a read-write
    # connection to the same file cannot coexist either: DuckDB says "different configuration",
    # or, when both are being opened at the same moment, "Unique file handle conflict".
    return ("lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)) or \
        "different configuration than existing connections" in text or "Unique file handle conflict" in text


def _busy(path: Path, waited: float) -> DatabaseBusy:
    return DatabaseBusy(f"数据库“{path.name}”正被其他程序（可能是正在进行的导入）占用，已等待"
                        f"{waited:.0f}秒仍未释放，请稍后重试。")


@contextlib.contextmanager
def _writers_turn(path: Path, read_only: bool, deadline: float, waited: float) -> Iterator[None]:
    """Writers first. A writer holds this side lock exclusively while it is connected; a reader
    passes through it (shared) before opening. A stream of short reads from many dashboard
    sessions therefore cannot starve an import: once a writer is waiting, new readers queue."""
    try:
        handle = open(path.with_name(path.name + ".turn.lock"), "a+")
    except OSError:  # a read-only folder: nobody can write here anyway
        yield
        return
    with handle:
        mode = fcntl.LOCK_SH if read_only else fcntl.LOCK_EX
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy(path, waited) from None
                time.sleep(0.005)
        if read_only:
            fcntl.flock(handle, fcntl.LOCK_UN)
            yield
            return
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def connect(db_path: Path | str | None = None, *, read_only: bool = False,
            wait_seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a short-lived connection, waiting (bounded) while another process holds the file."""
    path = Path(db_path) if db_path is not None else default_db_path()
    waited = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + waited
    delay = 0.01
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    with _writers_turn(path, read_only, deadline, waited):
        while True:
            try:
                con = duckdb.connect(str(path), read_only=read_only)
                break
            except duckdb.Error as error:
                if not _is_lock_error(error):
                    raise
                if time.monotonic() >= deadline:
                    raise _busy(path, waited) from error
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        try:
            yield con
        finally:
            con.close()


class SlicedConnection:
    """A read-write connection held in short slices: a batch of writes reuses it (opening one costs
    ~15 ms) but lets it go once it has been held for `slice_seconds`, so readers waiting on DuckDB's
    lock get in between the files of a long batch."""

    def __init__(self, db_path: Path | str, slice_seconds: float = 0.25):
        self.db_path, self.slice_seconds = Path(db_path), slice_seconds
        self._stack: contextlib.ExitStack | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened_at = 0.0

    def get(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._stack = contextlib.ExitStack()
            self._con = self._stack.enter_context(connect(self.db_path))
            self._opened_at = time.monotonic()
        return self._con

    def release_if_due(self) -> None:
        if self._con is not None and time.monotonic() - self._opened_at >= self.slice_seconds:
            self.close()

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()
        self._stack = self._con = None

    def __enter__(self) -> "SlicedConnection":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def backup_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def daily_backup(db_path: Path, today: dt.date | None = None, keep: int = BACKUPS_KEPT) -> Path | None:
    """Copy the database once a day before it is first written; keep the newest `keep` copies."""
    db_path = Path(db_path)
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    today = today or dt.date.today()
    folder = backup_dir(db_path)
    target = folder / f"{db_path.stem}-{today:%Y%m%d}{db_path.suffix}"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # read-only open makes sure no half-written transaction is copied: it waits for the writer
        with connect(db_path, read_only=True):
            temporary = target.with_name(target.name + ".part")
            shutil.copyfile(db_path, temporary)
            os.replace(temporary, target)
    for old in sorted(folder.glob(f"{db_path.stem}-*{db_path.suffix}"))[:-keep or None]:
        old.unlink()
    return target


@contextlib.contextmanager
def writing(db_path: Path, *, actor: str, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the writer lock of this database (bounded wait), after making today's backup."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(db_path.with_name(db_path.name + ".write.lock"),
                    timeout=WRITE_WAIT_SECONDS if wait_seconds is None else wait_seconds)
    try:
        lock.acquire()
    except Timeout:
        raise DatabaseBusy(f"另一项写入（导入、撤销或重建）仍在进行，{actor}的操作已等待"
                           f"{WRITE_WAIT_SECONDS:.0f}秒，请稍后重试。") from None
    try:
        daily_backup(db_path)
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: readers see the state before or after, never between."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> pd.DataFrame:
    """A query's rows as a DataFrame by way of Arrow: for results of thousands of rows about twice as
    fast as .df(), which builds the text columns value by value. Dates come as datetime64, as from .df()."""
    return con.sql(sql, params=params).to_arrow_table().to_pandas(date_as_object=False)


def data_version(db_path: Path | str | None = None) -> tuple[int, int]:
    """Changes whenever the database file is written: a cheap cache key, no connection needed."""
    path = Path(db_path) if db_path is not None else default_db_path()
    stamps = []
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            stat = candidate.stat()
            stamps.append((stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            stamps.append((0, 0))
    return (hash(tuple(stamps)), stamps[0][1])
