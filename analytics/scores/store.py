"""Score sheets into the database, beside the ledgers: the same import numbers, archive, audit log,
undo and rebuild, in tables of their own (its deductions become problems as tasks: analytics/accountability/tasks.py).

A round's scores for a 点位类型 come from the newest import of that round holding that type that is
not undone: re-importing a round replaces it, a round sent one type per file is put together, and
undoing the newer import brings the earlier one back (analytics/scores/model.py reads it that way).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics.shared import db
from analytics.shared.sheet_imports import next_import_id
from analytics.scores.sheets import ParsedScoreSheet, parse_score_sheet

# Their tables are in analytics/shared/schema.py (score_imports, score_points, score_deductions).
_POINT_TYPES = {"point_no": pa.int32(), "round_no": pa.int32(), "eval_date": pa.date32(),
                "source_row": pa.int32(), "point_type_known": pa.bool_(), "stated_score": pa.float64(),
                "deducted": pa.float64(), "flags": pa.list_(pa.string())}
_DEDUCTION_TYPES = {"point_no": pa.int32(), "source_row": pa.int32(), "max_points": pa.float64(),
                    "deduction": pa.float64(), "flags": pa.list_(pa.string())}
POINT_COLUMNS = ["point_no", "round_name", "round_no", "eval_date", "sheet", "source_row", "point_type",
                 "point_type_raw", "point_type_known", "point_name", "unit", "stated_score", "deducted", "flags"]
DEDUCTION_COLUMNS = ["point_no", "sheet", "source_row", "source_column", "item", "standard", "max_points",
                     "deduction", "reason", "raw_deduction", "flags"]


def _tables(sheet: ParsedScoreSheet) -> tuple[pa.Table, pa.Table]:
    points, deductions = [], []
    for number, point in enumerate(sheet.points, start=1):
        points.append({"point_no": number, **{name: getattr(point, name) for name in POINT_COLUMNS[1:]}})
        deductions.extend({"point_no": number, **deduction} for deduction in point.deductions)
    point_table = pa.table({name: pa.array([row[name] for row in points], _POINT_TYPES.get(name, pa.string()))
                            for name in POINT_COLUMNS})
    deduction_table = pa.table({name: pa.array([row[name] for row in deductions],
                                               _DEDUCTION_TYPES.get(name, pa.string()))
                                for name in DEDUCTION_COLUMNS})
    return point_table, deduction_table


def already_imported(con: duckdb.DuckDBPyConnection, sha256: str, file_name: str) -> int | None:
    """The same score sheet again (same bytes, same name, in force): nothing to do."""
    row = con.execute("SELECT import_id FROM score_imports WHERE sha256 = ? AND file_name = ? "
                      "AND undone_at IS NULL ORDER BY import_id LIMIT 1", [sha256, file_name]).fetchone()
    return row[0] if row else None


def write_score_sheet(con: duckdb.DuckDBPyConnection, sheet: ParsedScoreSheet, *, sha256: str,
                      archive_path: str, actor: str, now: dt.datetime, import_id: int | None = None,
                      audit: bool = True) -> tuple[int, str]:
    """Store one parsed score sheet in one transaction; (import id, the message for the import report)."""
    points, deductions = _tables(sheet)
    with db.transaction(con):
        if import_id is None:
            import_id = next_import_id(con)
        replaced = con.execute("""
            SELECT DISTINCT i.import_id FROM score_imports i JOIN score_points p USING (import_id)
            WHERE i.undone_at IS NULL AND list_contains(?, p.round_name)""", [sheet.rounds]).fetchall()
        con.execute("INSERT INTO score_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                    [import_id, sheet.file_name, sha256, sheet.shape, sheet.rounds, now, actor,
                     len(sheet.points), deductions.num_rows, sheet.flagged, archive_path])
        con.register("incoming_points", points)
        con.register("incoming_deductions", deductions)
        try:
            con.execute("INSERT INTO score_points SELECT $id, * FROM incoming_points", {"id": import_id})
            con.execute("INSERT INTO score_deductions SELECT $id, * FROM incoming_deductions", {"id": import_id})
        finally:
            con.unregister("incoming_points")
            con.unregister("incoming_deductions")
        if audit:
            con.execute("INSERT INTO audit_log VALUES (?, ?, '导入得分表', ?)",
                        [now, actor, f"#{import_id} {sheet.file_name}（{'、'.join(sheet.rounds)}，"
                                     f"{len(sheet.points)}个点位）"])
    note = f"，替换此前的第{'、'.join(str(r) for r, in replaced)}次导入中的同轮同类点位" if replaced else ""
    flagged = f"，标记待核{sheet.flagged}个点位" if sheet.flagged else ""
    return import_id, f"已导入{sheet.describe().split('（')[0]}，扣分{deductions.num_rows}项{flagged}{note}"


def score_imports_for_rebuild(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every score import in order, for rebuild to replay from the archive."""
    return db.fetch_records(con, "SELECT * FROM score_imports ORDER BY import_id")


def read_archived(record: dict, archive: Path, aliases: dict[str, str]) -> ParsedScoreSheet:
    """An archived score sheet read again as it was imported (for rebuild, which stores it under its
    import id, time and undo mark)."""
    sheet = parse_score_sheet(archive / record["archive_path"], point_type_aliases=aliases,
                              today=record["imported_at"].date())
    sheet.file_name = record["file_name"]
    return sheet


def integrity_problems(con: duckdb.DuckDBPyConnection, archive: Path, sha256_of) -> tuple[int, list[str]]:
    """(score imports checked, what disagrees): each original archived with its checksum and as many
    点位 stored as were read."""
    rows = con.execute("""
        WITH stored AS (SELECT import_id, count(*) AS points FROM score_points GROUP BY import_id)
        SELECT i.import_id, i.file_name, i.sha256, i.archive_path, i.points, coalesce(s.points, 0)
        FROM score_imports i LEFT JOIN stored s USING (import_id) ORDER BY i.import_id""").fetchall()
    problems = []
    for import_id, file_name, sha256, archive_path, points, stored in rows:
        original = archive / archive_path
        if not original.exists():
            problems.append(f"第{import_id}次导入“{file_name}”的原始文件不在归档中（{archive_path}）")
        elif sha256_of(original) != sha256:
            problems.append(f"第{import_id}次导入“{file_name}”的归档文件已被改动（校验和不符）")
        if stored != points:
            problems.append(f"第{import_id}次导入“{file_name}”读取{points}个点位，库中却有{stored}个")
    return len(rows), problems
