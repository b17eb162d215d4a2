"""The unit list (name, kind, district, whether it is expected to report) behind the reporting
checks and the district of problems whose ledger does not say it.

Writers call these inside `analytics.shared.db.writing(db_path, actor=…)` on a read-write
connection.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.shared import db
from analytics.shared.vocab import clean_text

UNIT_KINDS = ("街道", "镇", "社区", "市直部门", "区县", "其他")


def list_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Columns name, kind, district, active; by district, then name."""
    return con.execute("SELECT name, kind, district, active FROM units "
                       "ORDER BY district NULLS LAST, name").df()


def _audit(con: duckdb.DuckDBPyConnection, actor: str, action: str, detail: str,
           now: dt.datetime | None) -> None:
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?)", [now or dt.datetime.now(), actor, action, detail])


def _clean_row(name: object, kind: object, district: object) -> tuple[str, str | None, str | None]:
    name = clean_text(name)
    if not name:
        raise ValueError("单位名称不能为空。")
    return name, clean_text(kind) or None, clean_text(district) or None


def _describe(name: str, kind: str | None, district: str | None, active: bool) -> str:
    return f"{name}（{kind or '未填类别'}，{district or '未填区域'}，{'需报送' if active else '无需报送'}）"


def upsert_unit(con: duckdb.DuckDBPyConnection, name: str, *, kind: str | None = None,
                district: str | None = None, active: bool = True, actor: str,
                now: dt.datetime | None = None) -> None:
    """Add a unit or change its kind, district and whether it must report."""
    name, kind, district = _clean_row(name, kind, district)
    with db.transaction(con):
        con.execute("INSERT OR REPLACE INTO units VALUES (?, ?, ?, ?)", [name, kind, district, bool(active)])
        _audit(con, actor, "修改单位", _describe(name, kind, district, active), now)


def delete_unit(con: duckdb.DuckDBPyConnection, name: str, *, actor: str,
                now: dt.datetime | None = None) -> None:
    """Remove a unit from the list (its problems stay; it is simply no longer expected to report)."""
    with db.transaction(con):
        if not con.execute("DELETE FROM units WHERE name = ?", [name]).fetchone()[0]:
            raise LookupError(f"单位列表中没有“{name}”。")
        _audit(con, actor, "删除单位", name, now)


@dataclass(frozen=True)
class UnitChanges:
    added: int
    changed: int
    removed: int


def replace_units(con: duckdb.DuckDBPyConnection, edited: pd.DataFrame, *, actor: str,
                  now: dt.datetime | None = None) -> UnitChanges:
    """Make the list equal to `edited` (an edited table of name, kind, district, active), all or nothing: rows whose
    name is blank are ignored, a name given twice is refused. Each change is audited."""
    rows = {}
    for record in edited.to_dict("records"):
        # An edited table marks empty cells as None or NaN (new rows, cleared cells).
        record = {key: None if pd.isna(value) else value for key, value in record.items()}
        if not clean_text(record.get("name")):
            continue
        name, kind, district = _clean_row(record["name"], record.get("kind"), record.get("district"))
        if name in rows:
            raise ValueError(f"单位“{name}”填写了两次，请合并后再保存。")
        active = record.get("active")
        rows[name] = (kind, district, True if active is None else bool(active))
    before = {name: (kind, district, bool(active))
              for name, kind, district, active in con.execute("SELECT * FROM units").fetchall()}
    added = [name for name in rows if name not in before]
    changed = [name for name in rows if name in before and rows[name] != before[name]]
    removed = [name for name in before if name not in rows]
    with db.transaction(con):
        for name in removed:
            con.execute("DELETE FROM units WHERE name = ?", [name])
            _audit(con, actor, "删除单位", name, now)
        for name in added + changed:
            con.execute("INSERT OR REPLACE INTO units VALUES (?, ?, ?, ?)", [name, *rows[name]])
            _audit(con, actor, "修改单位", _describe(name, *rows[name]), now)
    return UnitChanges(len(added), len(changed), len(removed))


def add_units_from_ledgers(con: duckdb.DuckDBPyConnection, *, actor: str,
                           now: dt.datetime | None = None) -> int:
    """Add every unit that has sent a ledger (not undone) but is not in the list yet; returns how many."""
    with db.transaction(con):
        added = con.execute("""
            INSERT INTO units (name, active)
            SELECT DISTINCT ledger_unit, TRUE FROM imports
            WHERE undone_at IS NULL AND ledger_unit NOT IN (SELECT name FROM units)
        """).fetchone()[0]
        if added:
            _audit(con, actor, "添加单位", f"从已导入台账添加{added}个单位", now)
    return added
