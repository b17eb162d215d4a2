"""One writer at a time across processes, and a daily backup before the day's first write.

DuckDB's own file lock is all-or-nothing (a writer shuts readers out), so writers first queue on a
separate lock file: a rebuild, an upload from the dashboard and a cron import never interleave, and
each holds DuckDB's lock only for its short transaction.
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

from analytics import db

BACKUPS_KEPT = int(os.environ.get("CHUANGWEN_BACKUPS_KEPT", "14"))
WRITE_WAIT_SECONDS = float(os.environ.get("CHUANGWEN_WRITE_WAIT", "120"))


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
        with db.connect(db_path, read_only=True):
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
    lock_path = db_path.with_name(db_path.name + ".write.lock")
    deadline = time.monotonic() + (WRITE_WAIT_SECONDS if wait_seconds is None else wait_seconds)
    with open(lock_path, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise db.DatabaseBusy(f"另一项写入（导入、撤销或重建）仍在进行，{actor}的操作已等待"
                                          f"{WRITE_WAIT_SECONDS:.0f}秒，请稍后重试。") from None
                time.sleep(0.05)
        try:
            daily_backup(db_path)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
