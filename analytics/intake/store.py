"""Read files into the database (analytics/intake/prepare.py reads them): archived; score and
readiness sheets stored. Ledgers are written by analytics/intake/batch.py, which also rebuilds
the database from the archive, file by file; every kind of import is undone by analytics/intake/undo.py.

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

from analytics.accountability.tasks import store_round_tasks
from analytics.shared import db
import analytics.readiness.store as readiness_store
import analytics.registry.store as registry_store
import analytics.scores.store as score_store
from analytics.intake.recognise import Sheet
from analytics.readiness.sheets import ReadinessSheet
from analytics.registry.sheets import RegistrySheet
from analytics.scores.sheets import ParsedScoreSheet
from analytics.shared.office_words import office_words
from analytics.shared.settings import get_settings


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


def archive_file(path: Path, sha256: str, db_path: Path, *, move: bool = False) -> str:
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
    """A score sheet goes to the score tables, its deductions to the problems as tasks; the same file again
    changes nothing."""
    duplicate = score_store.already_imported(con, sha256, sheet.file_name)
    if duplicate:
        return ImportResult(sheet.file_name, "unchanged", f"未变化：与第{duplicate}次导入的得分表完全相同", duplicate)
    import_id, message = store_score_sheet(con, sheet, sha256=sha256, archive_path=archive_path, actor=actor,
                                           now=now)
    return ImportResult(sheet.file_name, "imported", message, import_id, rows_read=len(sheet.points),
                        rows_flagged=sheet.flagged, warnings=sheet.warnings,
                        score_sheet=sheet.describe())


def store_score_sheet(con: duckdb.DuckDBPyConnection, sheet: ParsedScoreSheet, *, sha256: str, archive_path: str,
                      actor: str, now: dt.datetime, import_id: int | None = None, audit: bool = True
                      ) -> tuple[int, str]:
    """A score sheet and the tasks its deductions make (analytics/accountability/tasks.py) in one
    transaction; (import id, the message for the import report)."""
    with db.transaction(con):
        import_id, message = score_store.write_score_sheet(con, sheet, sha256=sha256, archive_path=archive_path,
                                                           actor=actor, now=now, import_id=import_id, audit=audit)
        outcome = store_round_tasks(con, sheet, import_id, words=office_words(con),
                                    deadline_days=get_settings(con).task_deadline_days, now=now)
    return import_id, f"{message}；{outcome.describe()}"


def import_kinded_sheet(con: duckdb.DuckDBPyConnection, sheet: ReadinessSheet | RegistrySheet, *, sha256: str,
                        archive_path: str, actor: str, now: dt.datetime) -> ImportResult:
    """A readiness sheet or a list of the responsibility map goes to its capability's tables (a list
    replaces the earlier one of its kind); the same file again changes nothing."""
    is_registry = isinstance(sheet, RegistrySheet)
    sheets = registry_store.SHEETS if is_registry else readiness_store.SHEETS
    duplicate = sheets.already_imported(con, sha256, sheet.file_name)
    if duplicate:
        return ImportResult(sheet.file_name, "unchanged", f"未变化：与第{duplicate}次导入的{sheet.label}完全相同",
                            duplicate)
    import_id = sheets.store(con, sheet, sha256=sha256, archive_path=archive_path, actor=actor, now=now)
    replaced = f"（替换此前的{sheet.label}）" if is_registry else ""
    flagged = f"，标记待核{sheet.flagged}行" if sheet.flagged else ""
    summary = {"registry_sheet" if is_registry else "readiness_sheet": sheet.summary()}
    return ImportResult(sheet.file_name, "imported", f"已导入{sheet.summary()}{replaced}{flagged}", import_id,
                        report_date=sheet.report_date, rows_read=len(sheet.rows), rows_flagged=sheet.flagged,
                        warnings=sheet.warnings, **summary)


def import_sheet(con: duckdb.DuckDBPyConnection, sheet: Sheet, *, sha256: str,
                 archive_path: str, actor: str, now: dt.datetime) -> ImportResult:
    """A score, readiness or registry sheet to its own tables."""
    write = import_score_sheet if isinstance(sheet, ParsedScoreSheet) else import_kinded_sheet
    return write(con, sheet, sha256=sha256, archive_path=archive_path, actor=actor, now=now)
