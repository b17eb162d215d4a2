"""Undo, the one path for every kind of import (a ledger, a score sheet, a readiness sheet, a registry list): mark its
row of its imports table undone and log it, in one transaction, then what the import replaced counts
again. Scores and readiness are read at query time from the imports not undone; a ledger's problems
are derived again here. Rebuild carries each replayed import's undo mark over (replay_undo_mark)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from analytics.ledger.derive import refresh_current
from analytics.photos import store as photos_store
from analytics.readiness.sheets import KIND_LABELS
from analytics.registry.sheets import KIND_LABELS as REGISTRY_KIND_LABELS
from analytics.shared import db

# Each kind of import: its imports table, the query for its file name, undo mark and what names it,
# and how that is said beside the file name in the message.
_KINDS = (
    ("imports", "SELECT file_name, undone_at, ledger_unit FROM imports WHERE import_id = ?", str),
    ("score_imports", "SELECT file_name, undone_at, rounds FROM score_imports WHERE import_id = ?",
     lambda rounds: f"模拟测评{'、'.join(rounds)}"),
    ("readiness_imports", "SELECT file_name, undone_at, kind FROM readiness_imports WHERE import_id = ?",
     KIND_LABELS.__getitem__),
    ("registry_imports", "SELECT file_name, undone_at, kind FROM registry_imports WHERE import_id = ?",
     REGISTRY_KIND_LABELS.__getitem__),
)
UNDOABLE_TABLES = tuple(table for table, _, _ in _KINDS)


def undo(con: duckdb.DuckDBPyConnection, import_id: int, *, actor: str, now: dt.datetime) -> str:
    """Take import `import_id` back, whatever its kind, and say so; LookupError when there is no such
    import or it was undone already. The caller holds the write lock (undo_import)."""
    for table, query, name in _KINDS:
        row = con.execute(query, [import_id]).fetchone()
        if row is not None:
            break
    else:
        raise LookupError(f"没有编号为 {import_id} 的导入记录。")
    file_name, undone_at, naming = row
    if undone_at is not None:
        raise LookupError(f"第{import_id}次导入（{file_name}）已于{undone_at:%Y-%m-%d %H:%M}撤销过。")
    label = name(naming)
    with db.transaction(con):
        con.execute(f"UPDATE {table} SET undone_at = ?, undone_by = ? WHERE import_id = ?", [now, actor, import_id])
        if table == "imports":
            photos_store.remove_refs(con, import_id)   # the files stay, stored by content
        if table in ("imports", "score_imports"):
            # a ledger: the unit's earlier ledgers count again; a score sheet: its tasks are withdrawn
            refresh_current(con, [import_id])
        con.execute("INSERT INTO audit_log VALUES (?, ?, '撤销导入', ?)", [now, actor, f"#{import_id} {file_name}（{label}）"])
    return f"已撤销第{import_id}次导入：{file_name}（{label}）"


def undo_import(db_path: Path | str | None, import_id: int, *, actor: str = "命令行",
                now: dt.datetime | None = None) -> str:
    """Take one import back under the write lock: its rows no longer count, what it replaced counts again."""
    db_path = Path(db_path) if db_path is not None else db.default_db_path()
    with db.writing(db_path, actor=actor), db.connect(db_path) as con:
        return undo(con, import_id, actor=actor, now=now or dt.datetime.now())


def replay_undo_mark(con: duckdb.DuckDBPyConnection, table: str, record: dict) -> bool:
    """Give a replayed import (a row of `table` as archived) the undo mark it had; True when it had one."""
    assert table in UNDOABLE_TABLES   # a table name cannot be a bound parameter
    if record["undone_at"] is None:
        return False
    con.execute(f"UPDATE {table} SET undone_at = ?, undone_by = ? WHERE import_id = ?",
                [record["undone_at"], record["undone_by"], int(record["import_id"])])
    return True
