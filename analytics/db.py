"""The DuckDB layer: where the database lives, how to open it safely, and its schema.

DuckDB lets one process hold a file read-write and then locks everyone else out, even readers.
So nobody keeps a connection open: every read and every write opens a short-lived connection,
retrying for a bounded time while another process holds the lock (see README, 架构).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "chuangwen.duckdb"
DB_ENV_VAR = "CHUANGWEN_DB"

LOCK_WAIT_SECONDS = float(os.environ.get("CHUANGWEN_LOCK_WAIT", "30"))

STATUSES = ("待整改", "整改中", "已整改", "已销号")
OPEN_STATUSES = ("待整改", "整改中")
DONE_STATUSES = ("已整改", "已销号")
# The columns of `problems` the importer places from a problem's dates and history (analytics/lifecycle.py).
LIFE_DAY_COLUMNS = ("start_day", "progress_day", "done_day", "closed_day")


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


# Columns a problem carries, shared by the current state (problems) and its history (problem_versions).
PROBLEM_COLUMNS = """
    problem_key      VARCHAR NOT NULL,   -- ledger unit + sheet + 序号, or a content key without 序号
    ledger_unit      VARCHAR NOT NULL,   -- the unit whose ledger this row came from
    unit             VARCHAR NOT NULL,   -- 责任单位 of the row (the ledger's unit when the row names none)
    district         VARCHAR,            -- 所属区县/街道 where the ledger has it
    sheet            VARCHAR NOT NULL,   -- sheet name ('' for CSV)
    source_row       INTEGER NOT NULL,   -- 1-based row number in the sheet, for messages
    serial_no        VARCHAR,
    point_type       VARCHAR,            -- canonical 点位类型, or the cleaned raw name when unknown
    point_type_raw   VARCHAR,
    point_type_known BOOLEAN NOT NULL,
    point_name       VARCHAR,
    description      VARCHAR,
    category         VARCHAR,            -- canonical 问题类别 where known, else what the unit wrote
    category_raw     VARCHAR,
    source           VARCHAR,            -- 模拟测评/日常督查/暗访/群众举报…
    found_date       DATE,
    deadline         DATE,
    status           VARCHAR NOT NULL,   -- one of STATUSES
    status_raw       VARCHAR,
    rectified_date   DATE,
    closed_date      DATE,
    remark           VARCHAR,
    raw_found        VARCHAR,            -- raw text of the date cells, kept when unreadable
    raw_deadline     VARCHAR,
    raw_rectified    VARCHAR,
    raw_closed       VARCHAR,
    flags            VARCHAR[] NOT NULL  -- reasons in Chinese why a field could not be read
"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS imports (
    import_id      INTEGER PRIMARY KEY,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    ledger_unit    VARCHAR NOT NULL,
    unit_source    VARCHAR NOT NULL,     -- 责任单位列 / 标题行 / 文件名 / 指定
    unit_option    VARCHAR,              -- the --unit given, replayed by rebuild
    report_date    DATE,                 -- 截至/填报日期 stated in the ledger
    effective_date DATE NOT NULL,        -- report_date, else the import date: orders a unit's ledgers
    imported_at    TIMESTAMP NOT NULL,
    imported_by    VARCHAR NOT NULL,
    rows_read      INTEGER NOT NULL,
    rows_new       INTEGER NOT NULL,
    rows_updated   INTEGER NOT NULL,
    rows_flagged   INTEGER NOT NULL,
    archive_path   VARCHAR NOT NULL,     -- relative to the archive folder
    undone_at      TIMESTAMP,
    undone_by      VARCHAR
);

-- The status history: every problem as each import saw it.
CREATE TABLE IF NOT EXISTS problem_versions (
    import_id INTEGER NOT NULL,
    {PROBLEM_COLUMNS}
);

-- The current state: per problem, the version from its unit's newest ledger that is not undone.
CREATE TABLE IF NOT EXISTS problems (
    {PROBLEM_COLUMNS},
    first_import_id INTEGER NOT NULL,
    last_import_id  INTEGER NOT NULL,
    first_seen      DATE NOT NULL,       -- effective date of the first ledger that had it
    as_of           DATE NOT NULL,       -- effective date of the ledger this state comes from
    -- Its life as four days, placed at import from its dates and history (analytics/lifecycle.py):
    -- the first day it existed, was at least 整改中, at least 已整改, and 已销号 (NULL: not yet).
    start_day       DATE NOT NULL,
    progress_day    DATE,
    done_day        DATE,
    closed_day      DATE
);

-- Which earlier problem each later one may be a rebound of (analytics/rebounds.py), kept with `problems`.
CREATE TABLE IF NOT EXISTS rebound_links (
    later_key   VARCHAR NOT NULL,
    earlier_key VARCHAR NOT NULL,        -- the one of its 点位 and problem rectified most recently before
    unit        VARCHAR NOT NULL,        -- 责任单位 of both
    days_after  INTEGER NOT NULL         -- from the earlier one's rectification to the later one's finding
);

CREATE TABLE IF NOT EXISTS point_type_aliases (
    alias     VARCHAR PRIMARY KEY,       -- cleaned name as units write it
    canonical VARCHAR NOT NULL,
    builtin   BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS units (
    name     VARCHAR PRIMARY KEY,
    kind     VARCHAR,                    -- 街道/镇, 社区, 市直部门…
    district VARCHAR,
    active   BOOLEAN NOT NULL DEFAULT TRUE   -- expected to report
);

CREATE TABLE IF NOT EXISTS settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Official holiday arrangements beyond what chinese-calendar knows (e.g. a year it does not cover yet).
CREATE TABLE IF NOT EXISTS calendar_overrides (
    day        DATE PRIMARY KEY,
    is_workday BOOLEAN NOT NULL,
    note       VARCHAR
);

CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL,
    actor     VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    detail    VARCHAR
);
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and seed the default dictionaries (idempotent). What a file from an
    earlier version lacks of the derived tables (the life days in `problems`, `rebound_links`) is
    derived again from the history, which holds all they know."""
    stored = {}
    for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name IN ('problems', 'rebound_links')").fetchall():
        stored.setdefault(table, set()).add(column)
    days_missing = "problems" in stored and not stored["problems"].issuperset(LIFE_DAY_COLUMNS)
    links_missing = "problems" in stored and "rebound_links" not in stored
    if days_missing or links_missing:
        from analytics.ingest.store import derive_current_state
        with transaction(con):
            if days_missing:
                con.execute("DROP TABLE problems")
            con.execute(SCHEMA)
            derive_current_state(con)
    con.execute(SCHEMA)
    if con.execute("SELECT count(*) FROM point_type_aliases").fetchone()[0] == 0:
        from analytics.vocab import default_point_type_aliases
        con.executemany(
            "INSERT INTO point_type_aliases VALUES (?, ?, TRUE)",
            list(default_point_type_aliases().items()))


def init_db(db_path: Path | str | None = None) -> Path:
    """Make sure the database file exists with its schema; returns its path."""
    path = Path(db_path) if db_path is not None else default_db_path()
    with connect(path) as con:
        ensure_schema(con)
    return path


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
