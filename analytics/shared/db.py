"""The DuckDB layer: where the database lives, how to open it safely, transactions, and the two
locks beside the file.

DuckDB lets one process hold a file read-write and then locks everyone else out, even readers.
So nobody keeps a connection open: every read and every write opens a short-lived connection,
retrying for a bounded time while another process holds the lock (see README, 架构). Writers
first queue on a lock of their own (`writing`): a rebuild, an upload from the dashboard and a cron
import never interleave, each holds DuckDB's lock only for its short transaction, and the day's
first write makes the daily backup. A second lock gives a waiting writer its turn before new
readers (`_writers_turn`). The dashboard's readers do not open the file at all: they read the copy
the last writer published (`read_connection`), so they never wait for a writer.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from filelock import FileLock, Timeout

if TYPE_CHECKING:   # the parser's worker processes import this module, and need no pandas
    import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "chuangwen.duckdb"
DB_ENV_VAR = "CHUANGWEN_DB"

LOCK_WAIT_SECONDS = float(os.environ.get("CHUANGWEN_LOCK_WAIT", "30"))
WRITE_WAIT_SECONDS = float(os.environ.get("CHUANGWEN_WRITE_WAIT", "120"))
BACKUPS_KEPT = int(os.environ.get("CHUANGWEN_BACKUPS_KEPT", "14"))


class DatabaseBusy(RuntimeError):
    """Another process held the database for longer than we are willing to wait."""


def default_db_path() -> Path:
    """The database the dashboard and every command use unless told otherwise."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH)


def archive_dir(db_path: Path) -> Path:
    """Original ledgers are kept beside the database they were imported into."""
    return Path(db_path).parent / "archive"


def photos_dir(db_path: Path | str) -> Path:
    """The pictures (analytics.photos.store) are kept beside the database, as the archive is."""
    return Path(db_path).parent / "photos"


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


def backup_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def _copy_whole(source: Path, target: Path) -> None:
    """`source` copied to `target` whole or not at all: a reader or a crash never sees half a file."""
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def _keep_pictures(source: Path, target: Path) -> int:
    """The pictures under `source` (photos/ab/<sha256>.<ext>) under `target` too; how many were not
    there. Stored by content and never changed or deleted once written, so a hard link is a copy that
    costs no space and outlives the original's loss; a plain copy where no link can be made."""
    added = 0
    for picture in source.glob("??/*"):
        kept = target / picture.relative_to(source)
        if kept.exists():
            continue
        kept.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(picture, kept)
        except OSError:
            shutil.copyfile(picture, kept)
        added += 1
    return added


def daily_backup(db_path: Path, today: dt.date | None = None, keep: int = BACKUPS_KEPT) -> Path | None:
    """Copy the database once a day before it is first written, with its pictures (into the backups'
    one picture folder: one file however many backups hold it); keep the newest `keep` copies."""
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
            _copy_whole(db_path, target)
        _keep_pictures(photos_dir(db_path), photos_dir(target))
    for old in sorted(folder.glob(f"{db_path.stem}-*{db_path.suffix}"))[:-keep or None]:
        old.unlink()
    return target


def restore_backup(db_path: Path, backup: Path, *, actor: str, now: dt.datetime | None = None) -> str:
    """Put a backup (daily_backup's) in place of the database and bring back the pictures it refers to
    that the data folder has lost; the database it replaces is kept in the backups folder first.
    Returns what was done, in Chinese."""
    db_path, backup = Path(db_path), Path(backup)
    if not backup.is_file():
        raise FileNotFoundError(f"没有找到备份文件“{backup}”。")
    now = now or dt.datetime.now()
    with writing(db_path, actor=actor):
        # named to sort among the daily backups by its date, so it is let go with them
        replaced = backup_dir(db_path) / f"{db_path.stem}-{now:%Y%m%d-%H%M%S}-before-restore{db_path.suffix}"
        if db_path.exists():
            with connect(db_path, read_only=True):   # no half-written transaction is kept
                shutil.copyfile(db_path, replaced)
        _copy_whole(backup, db_path)
        pictures = _keep_pictures(photos_dir(backup), photos_dir(db_path))
        with connect(db_path) as con:
            con.execute("INSERT INTO audit_log VALUES (?, ?, '恢复备份', ?)", [now, actor, backup.name])
    kept = f"，恢复前的数据库另存为“{replaced.name}”" if replaced.exists() else ""
    return f"已从备份“{backup.name}”恢复数据库{kept}，补回照片文件{pictures}张。"


@contextlib.contextmanager
def writing(db_path: Path, *, actor: str, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the writer lock of this database (bounded wait), after making today's backup; when the
    writes are done, publish the database for readers (read_connection)."""
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
        if db_path.exists() and not _fresh(db_path, _read_pointer(db_path)):
            # readers get the state before this write first: a long write keeps its file open
            _publish_whole(db_path)
        yield
        if db_path.exists():
            publish(db_path)   # readers move on to what was just written
    finally:
        lock.release()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: readers see the state before or after, never between. Within a transaction
    of the same connection it is part of that one (the demo stores sheets inside its one transaction)."""
    if id(con) in _IN_TRANSACTION:
        yield con
        return
    _IN_TRANSACTION.add(id(con))
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        _IN_TRANSACTION.discard(id(con))


# Connections (by id) inside db.transaction now.
_IN_TRANSACTION: set[int] = set()


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> pd.DataFrame:
    """A query's rows as a DataFrame by way of Arrow: for results of thousands of rows about twice as
    fast as .df(), which builds the text columns value by value. Dates come as datetime64, as from .df()."""
    return con.sql(sql, params=params).to_arrow_table().to_pandas(date_as_object=False)


def fetch_records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    """A query's rows as dicts of Python values (None for NULL), for code that goes through them one by
    one, such as rebuild's replay: no pandas on the command line's way to its first write."""
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def data_version(db_path: Path | str | None = None) -> list[int]:
    """Changes whenever the database file is written (the file and its write-ahead log): a cheap
    check, no connection needed."""
    path = Path(db_path) if db_path is not None else default_db_path()
    stamp = []
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            stat = candidate.stat()
            stamp += [stat.st_mtime_ns, stat.st_size]
        except FileNotFoundError:
            stamp += [0, 0]
    return stamp


# ---- readers read a published copy ---------------------------------------------------------------
# DuckDB lets a process that writes a file lock everyone else out of it, readers included. So the
# writer, once it has committed (an import: every few seconds and at its end), copies the file
# (nobody else writes it: the writer holds the write lock) to a new generation beside it and points
# readers at that copy by atomically replacing a small pointer file. Readers open the generation the
# pointer names, read-only and without any lock: a copy is never written again, so they see the last
# whole state however long the writer works. Each generation has its own file name, so a process
# still holding a connection to an older one (DuckDB shares one open database per path within a
# process) never serves it under the new name.
# A reader that finds no copy, or one older than the file while no writer is at work (a file written
# by an earlier version, or by a tool that bypassed the write lock), publishes one first.

GENERATIONS_KEPT = 3   # the newest, and older ones a reader that has just read the pointer may still open


def copies_dir(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".published")


def _pointer(db_path: Path) -> Path:
    return copies_dir(db_path) / "current.json"


def _read_pointer(db_path: Path) -> tuple[int, Path, list[int]] | None:
    try:
        pointed = json.loads(_pointer(db_path).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return pointed["generation"], copies_dir(db_path) / pointed["file"], pointed["source"]


def publish(db_path: Path | str) -> Path:
    """Copy the database as the readers' new generation. The caller holds the write lock and has
    committed, and closed its connection or checkpointed it, so the file is whole."""
    db_path = Path(db_path)
    folder = copies_dir(db_path)
    folder.mkdir(exist_ok=True)
    previous = _read_pointer(db_path)
    generation = previous[0] + 1 if previous else 1
    target = folder / f"{generation:08d}.duckdb"
    stamp = data_version(db_path)
    _copy_whole(db_path, target)
    pointer = _pointer(db_path)
    pending = pointer.with_name(pointer.name + ".part")
    pending.write_text(json.dumps({"generation": generation, "file": target.name, "source": stamp}))
    os.replace(pending, pointer)
    for old in sorted(folder.glob("*.duckdb"))[:-GENERATIONS_KEPT]:
        old.unlink(missing_ok=True)
    return target


def _fresh(db_path: Path, pointed: tuple[int, Path, list[int]] | None) -> bool:
    return bool(pointed) and pointed[2] == data_version(db_path) and pointed[1].exists()


def current_copy(db_path: Path | str | None = None) -> Path:
    """The file readers should open now: the published copy, published again first when it is
    missing or stale and no writer is at work. With no copy at all while a writer works, the file
    itself (the reader then waits for the writer, as before any copy existed)."""
    db_path = Path(db_path) if db_path is not None else default_db_path()
    pointed = _read_pointer(db_path)
    if _fresh(db_path, pointed):
        return pointed[1]
    lock = FileLock(db_path.with_name(db_path.name + ".write.lock"))
    try:
        lock.acquire(timeout=0)
    except (Timeout, OSError):   # a writer is at work (or the folder is read-only)
        return pointed[1] if pointed and pointed[1].exists() else db_path
    try:
        pointed = _read_pointer(db_path)   # someone may have published meanwhile
        if _fresh(db_path, pointed) or not db_path.exists():
            return pointed[1] if pointed else db_path
        return _publish_whole(db_path)
    finally:
        lock.release()


def _publish_whole(db_path: Path) -> Path:
    with connect(db_path) as con:
        con.execute("CHECKPOINT")   # a log left by a stopped writer goes into the file first
    return publish(db_path)


@contextlib.contextmanager
def read_connection(db_path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the last whole state, never waiting for a writer."""
    db_path = Path(db_path) if db_path is not None else default_db_path()
    for attempt in range(5):
        copy = current_copy(db_path)
        if copy == db_path:
            with connect(db_path, read_only=True) as con:
                yield con
            return
        try:
            con = duckdb.connect(str(copy), read_only=True)
            break
        except duckdb.IOException:
            if attempt == 4:   # pruned between reading the pointer and opening: a newer one is out
                raise
            time.sleep(0.01)
    try:
        yield con
    finally:
        con.close()
