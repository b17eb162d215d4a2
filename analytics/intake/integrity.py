"""Does the database agree with the archive of original ledgers? (`python -m analytics check`)"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics.shared import db
from analytics.ledger.derive import current_state_sql, stored_links_sql
import analytics.photos.store as photos_store
import analytics.readiness.store as readiness_store
import analytics.registry.store as registry_store
import analytics.scores.store as score_store
from analytics.intake.store import file_sha256


@dataclass
class IntegrityReport:
    imports_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        if self.ok:
            return f"一致：{self.imports_checked}次导入的原始文件齐全、校验和相符，问题表与导入历史一致。"
        return "发现不一致：\n" + "\n".join(f"- {problem}" for problem in self.problems)


def differences(con: duckdb.DuckDBPyConnection, table: str, derived_sql: str) -> tuple[int, int]:
    """(rows the history derives that `table` lacks, rows `table` has that the history does not derive)."""
    missing, = con.execute(f"SELECT count(*) FROM (SELECT * FROM ({derived_sql}) EXCEPT ALL "
                           f"SELECT * FROM {table})").fetchone()
    extra, = con.execute(f"SELECT count(*) FROM (SELECT * FROM {table} EXCEPT ALL "
                         f"SELECT * FROM ({derived_sql}))").fetchone()
    return missing, extra


def check_integrity(db_path: Path | str | None = None) -> IntegrityReport:
    """Every import's original is archived with its checksum, holds as many rows as it read, and the
    current problems are exactly what the history derives."""
    db_path = Path(db_path) if db_path is not None else db.default_db_path()
    archive = db.archive_dir(db_path)
    report = IntegrityReport()
    with db.connect(db_path, read_only=True) as con:
        imports = con.execute("""
            SELECT i.import_id, i.file_name, i.sha256, i.archive_path, i.rows_read,
                   (SELECT count(*) FROM problem_versions v WHERE v.import_id = i.import_id)
            FROM imports i ORDER BY i.import_id""").fetchall()
        missing, extra = differences(con, "problems", current_state_sql())
        links_differ = sum(differences(con, "rebound_links", stored_links_sql()))
        scores_checked, score_problems = score_store.integrity_problems(con, archive, file_sha256)
        sheet_rows = [*readiness_store.integrity_rows(con), *registry_store.integrity_rows(con)]
        missing_pictures = photos_store.missing_files(con, db_path)
    for import_id, file_name, sha256, archive_path, rows_read, stored in [*imports, *sheet_rows]:
        report.imports_checked += 1
        original = archive / archive_path
        if not original.exists():
            report.problems.append(f"第{import_id}次导入“{file_name}”的原始文件不在归档中（{archive_path}）")
        elif file_sha256(original) != sha256:
            report.problems.append(f"第{import_id}次导入“{file_name}”的归档文件已被改动（校验和不符）")
        if stored != rows_read:
            report.problems.append(f"第{import_id}次导入“{file_name}”读取{rows_read}行，库中却有{stored}行")
    report.imports_checked += scores_checked
    report.problems.extend(score_problems)
    if missing_pictures:
        report.problems.append(f"{len(missing_pictures)}张照片的文件不在数据文件夹中（如{missing_pictures[0]}，"
                               "可运行 rebuild 从归档恢复）")
    if missing or extra or links_differ:
        report.problems.append(f"问题表与导入历史不一致：问题缺少{missing}条、多出{extra}条，反弹关联有{links_differ}条不符"
                               "（可运行 rebuild 重建）")
    return report
