"""Read files into the database (analytics/intake/prepare.py reads them): archived; score and
readiness sheets stored; undo. Ledgers are written by analytics/intake/batch.py, which also rebuilds
the database from the archive, file by file.

The current state of a problem is always derived from its history: the version from its unit's
newest ledger (by report date, then import order) that is not undone. So a late-arriving older
ledger never rolls statuses back, and undo is simply "mark undone, derive again".
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics.shared import db
from analytics.ledger.derive import refresh_current
import analytics.readiness.store as readiness_store
import analytics.registry.store as registry_store
import analytics.scores.store as score_store
from analytics.intake.recognise import Sheet
from analytics.readiness.sheets import ReadinessSheet
from analytics.registry.sheets import RegistrySheet
from analytics.scores.sheets import ParsedScoreSheet

# What makes a resubmitted row an update rather than the same row again.
_CHANGE_COLUMNS = ("status", "found_date", "deadline", "rectified_date", "closed_date", "point_type",
                   "point_name", "description", "category", "unit")


@dataclass(frozen=True)
class ImportProgress:
    """Where a batch is: file `number` of `total` is at `stage` (读取 → 写入 → 完成)."""
    number: int
    total: int
    file_name: str
    stage: str
    result: "ImportResult | None" = None

    STAGES = ("读取", "写入", "完成")

    @property
    def file_fraction(self) -> float:
        return (self.STAGES.index(self.stage) + 1) / len(self.STAGES)

    @property
    def overall_fraction(self) -> float:
        return (self.number - 1 + self.file_fraction) / self.total


@dataclass
class ImportResult:
    file_name: str
    outcome: str                          # imported | unchanged | refused
    message: str
    import_id: int | None = None
    ledger_unit: str | None = None
    unit_source: str | None = None
    report_date: dt.date | None = None
    rows_read: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    rows_flagged: int = 0
    warnings: list[str] = field(default_factory=list)
    score_sheet: str | None = None        # 模拟测评得分表：第三轮，44个点位 … when the file is one
    readiness_sheet: str | None = None    # 网上申报材料报送情况：20项，已通过12项… when the file is one
    registry_sheet: str | None = None     # 联点清单：6位领导、20个联系点位 when the file is one


def point_type_aliases(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT alias, canonical FROM point_type_aliases").fetchall())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _archive(path: Path, sha256: str, db_path: Path, *, move: bool = False) -> str:
    """Keep the original bytes, content-addressed, so the database can be rebuilt from them. `move`
    takes a file the caller wrote for this (on the archive's file system) instead of copying it."""
    relative = Path(sha256[:2]) / sha256 / path.name
    target = db.archive_dir(db_path) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        if move:
            os.replace(path, target)
        else:
            temporary = target.with_name(target.name + ".part")
            shutil.copyfile(path, temporary)
            os.replace(temporary, target)
    return relative.as_posix()


def import_score_sheet(con: duckdb.DuckDBPyConnection, sheet: ParsedScoreSheet, *, sha256: str,
                       archive_path: str, actor: str, now: dt.datetime) -> ImportResult:
    """A score sheet goes to the score tables, never to the problems; the same file again changes nothing."""
    duplicate = score_store.already_imported(con, sha256, sheet.file_name)
    if duplicate:
        return ImportResult(sheet.file_name, "unchanged", f"未变化：与第{duplicate}次导入的得分表完全相同", duplicate)
    import_id, message = score_store.write_score_sheet(con, sheet, sha256=sha256, archive_path=archive_path,
                                                       actor=actor, now=now)
    return ImportResult(sheet.file_name, "imported", message, import_id, rows_read=len(sheet.points),
                        rows_flagged=sheet.flagged, warnings=sheet.warnings,
                        score_sheet=sheet.describe())


def import_readiness_sheet(con: duckdb.DuckDBPyConnection, sheet: ReadinessSheet, *, sha256: str,
                           archive_path: str, actor: str, now: dt.datetime) -> ImportResult:
    """A readiness sheet goes to its own tables; the same file again changes nothing."""
    duplicate = readiness_store.already_imported(con, sha256, sheet.file_name)
    if duplicate:
        return ImportResult(sheet.file_name, "unchanged",
                            f"未变化：与第{duplicate}次导入的{sheet.label}完全相同", duplicate)
    import_id = readiness_store.store_readiness_sheet(con, sheet, sha256=sha256, archive_path=archive_path,
                                                      actor=actor, now=now)
    flagged = f"，标记待核{sheet.flagged}行" if sheet.flagged else ""
    return ImportResult(sheet.file_name, "imported", f"已导入{sheet.summary()}{flagged}", import_id,
                        report_date=sheet.report_date, rows_read=len(sheet.rows), rows_flagged=sheet.flagged,
                        warnings=sheet.warnings, readiness_sheet=sheet.summary())


def import_registry_sheet(con: duckdb.DuckDBPyConnection, sheet: RegistrySheet, *, sha256: str,
                          archive_path: str, actor: str, now: dt.datetime) -> ImportResult:
    """A list of the responsibility map replaces the earlier one of its kind; the same file again changes nothing."""
    duplicate = registry_store.already_imported(con, sha256, sheet.file_name)
    if duplicate:
        return ImportResult(sheet.file_name, "unchanged", f"未变化：与第{duplicate}次导入的{sheet.label}完全相同",
                            duplicate)
    import_id = registry_store.store_registry_sheet(con, sheet, sha256=sha256, archive_path=archive_path,
                                                    actor=actor, now=now)
    flagged = f"，标记待核{sheet.flagged}行" if sheet.flagged else ""
    return ImportResult(sheet.file_name, "imported", f"已导入{sheet.summary()}（替换此前的{sheet.label}）{flagged}",
                        import_id, report_date=sheet.report_date, rows_read=len(sheet.rows),
                        rows_flagged=sheet.flagged, warnings=sheet.warnings, registry_sheet=sheet.summary())


def import_sheet(con: duckdb.DuckDBPyConnection, sheet: Sheet, *, sha256: str,
                 archive_path: str, actor: str, now: dt.datetime) -> ImportResult:
    """A score, readiness or registry sheet to its own tables."""
    write = (import_score_sheet if isinstance(sheet, ParsedScoreSheet)
             else import_registry_sheet if isinstance(sheet, RegistrySheet) else import_readiness_sheet)
    return write(con, sheet, sha256=sha256, archive_path=archive_path, actor=actor, now=now)


def undo_import(db_path: Path | str | None, import_id: int, *, actor: str = "命令行",
                now: dt.datetime | None = None) -> str:
    """Take one import back: its rows no longer count, earlier ledgers of the unit count again."""
    db_path = Path(db_path) if db_path is not None else db.default_db_path()
    now = now or dt.datetime.now()
    with db.writing(db_path, actor=actor), db.connect(db_path) as con:
        undone_sheet = (score_store.undo_score_import(con, import_id, actor=actor, now=now)
                        or readiness_store.undo_readiness_import(con, import_id, actor=actor, now=now)
                        or registry_store.undo_registry_import(con, import_id, actor=actor, now=now))
        if undone_sheet:
            return undone_sheet
        row = con.execute("SELECT ledger_unit, file_name, undone_at FROM imports WHERE import_id = ?",
                          [import_id]).fetchone()
        if row is None:
            raise LookupError(f"没有编号为 {import_id} 的导入记录。")
        unit, file_name, undone_at = row
        if undone_at is not None:
            raise LookupError(f"第{import_id}次导入（{file_name}）已于{undone_at:%Y-%m-%d %H:%M}撤销过。")
        with db.transaction(con):
            con.execute("UPDATE imports SET undone_at = ?, undone_by = ? WHERE import_id = ?",
                        [now, actor, import_id])
            refresh_current(con, [import_id])
            con.execute("INSERT INTO audit_log VALUES (?, ?, '撤销导入', ?)",
                        [now, actor, f"#{import_id} {file_name}（{unit}）"])
    return f"已撤销第{import_id}次导入：{file_name}（{unit}）"
