"""Marking an import of a score, readiness or registry sheet undone: one row of its imports table and one line of
the audit log, in one transaction (what the import replaced then counts again); rebuild carries the
mark of any import, a ledger's included, over to the replayed import."""
from __future__ import annotations

import datetime as dt

import duckdb

from analytics.shared import db

UNDOABLE_TABLES = ("score_imports", "readiness_imports", "registry_imports")


def mark_undone(con: duckdb.DuckDBPyConnection, table: str, import_id: int, *, file_name: str,
                undone_at: dt.datetime | None, label: str, actor: str, now: dt.datetime) -> str:
    """Mark `import_id` of `table` undone and say so; LookupError when it already was."""
    assert table in UNDOABLE_TABLES   # a table name cannot be a bound parameter
    if undone_at is not None:
        raise LookupError(f"第{import_id}次导入（{file_name}）已于{undone_at:%Y-%m-%d %H:%M}撤销过。")
    with db.transaction(con):
        con.execute(f"UPDATE {table} SET undone_at = ?, undone_by = ? WHERE import_id = ?", [now, actor, import_id])
        con.execute("INSERT INTO audit_log VALUES (?, ?, '撤销导入', ?)",
                    [now, actor, f"#{import_id} {file_name}（{label}）"])
    return f"已撤销第{import_id}次导入：{file_name}（{label}）"


def replay_undo_mark(con: duckdb.DuckDBPyConnection, table: str, record: dict) -> bool:
    """Give a replayed import (a row of `table` as archived: a sheet's, or `imports` for a ledger) the
    undo mark it had; True when it had one."""
    assert table in (*UNDOABLE_TABLES, "imports")   # a table name cannot be a bound parameter
    if record["undone_at"] is None:
        return False
    con.execute(f"UPDATE {table} SET undone_at = ?, undone_by = ? WHERE import_id = ?",
                [record["undone_at"], record["undone_by"], int(record["import_id"])])
    return True
