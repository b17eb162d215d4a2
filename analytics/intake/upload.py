"""Ledgers uploaded through the dashboard, previewed: what the importer understood, before anything is
stored. The dashboard then imports them the way the command line does, in a process of its own
(analytics/intake/jobs.py); import_uploads imports them in this process, keeping their names."""
from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics.intake.jobs import save_uploads
from analytics.intake.own_unit import ledger_refusal, office_sheet_refusal
from analytics.intake import FileRefused, ImportResult, import_paths
from analytics.shared.reading.layout import column_letter
from analytics.intake.store import ImportProgress
from analytics.intake.recognise import SHEET_TYPES, parse_file
from analytics.readiness.sheets import FIELD_LABELS as READINESS_FIELD_LABELS, SURVEY, ReadinessSheet
from analytics.registry.sheets import FIELD_LABELS as REGISTRY_FIELD_LABELS, RegistrySheet
from analytics.scores.sheets import ParsedScoreSheet
from analytics.shared.office_words import OfficeWords
from analytics.shared.vocab import FIELD_LABELS

SAMPLE_ROWS = 8
SAMPLE_COLUMNS = ["sheet", "source_row", "point_type", "point_name", "description", "category", "unit",
                  "found_date", "deadline", "status"]
SCORE_SAMPLE_COLUMNS = ["sheet", "source_row", "round_name", "point_type", "point_name", "unit", "score",
                        "stated_score"]


@dataclass
class LedgerPreview:
    file_name: str
    refusal: str | None = None                # why the file would not be imported at all
    ledger_unit: str | None = None
    unit_source: str | None = None
    report_date: dt.date | None = None
    rows: int = 0
    flagged: int = 0
    warnings: list[str] = field(default_factory=list)
    mapping: pd.DataFrame | None = None       # sheet, column, header, field
    sample: pd.DataFrame | None = None        # SAMPLE_COLUMNS, the first rows as they will be stored
    flagged_rows: pd.DataFrame | None = None  # sheet, source_row, point_name, description, flag_text
    score_sheet: str | None = None            # 模拟测评得分表：第三轮，44个点位 … when it is one
    readiness_sheet: str | None = None        # 网上申报材料报送情况：20项，已通过12项… when it is one
    registry_sheet: str | None = None         # 联点清单：6位领导、20个联系点位 when it is one

    @property
    def recognised_as(self) -> str | None:
        """What the file is when it is no ledger (a score, readiness or registry sheet, described)."""
        return self.score_sheet or self.readiness_sheet or self.registry_sheet


def preview_ledger(path: Path, file_name: str, *, point_type_aliases: dict[str, str],
                   unit: str | None = None, today: dt.date | None = None,
                   words: OfficeWords | None = None, only_unit: str | None = None,
                   listed_units: frozenset[str] = frozenset()) -> LedgerPreview:
    """What importing this file would store, read exactly as the importer reads it (`words`: the
    status and source words in force); with `only_unit` (a unit's login) what the importer would refuse
    as not that unit's own ledger is refused here already (`listed_units`: the unit list's names)."""
    try:
        parsed = parse_file(Path(path), point_type_aliases=point_type_aliases, unit=unit, today=today,
                            words=words)
    except FileRefused as refusal:
        return LedgerPreview(file_name, refusal=str(refusal).replace(f"“{Path(path).name}”", f"“{file_name}”"))
    if only_unit is not None:
        refusal = (office_sheet_refusal(parsed, file_name, only_unit) if isinstance(parsed, SHEET_TYPES) else
                   ledger_refusal(parsed, zip(parsed.columns["sheet"], parsed.columns["source_row"],
                                              parsed.columns["unit"]), file_name, only_unit, listed_units))
        if refusal:
            return LedgerPreview(file_name, refusal=refusal)
    if isinstance(parsed, ParsedScoreSheet):
        return _score_sheet_preview(parsed, file_name)
    if isinstance(parsed, ReadinessSheet):
        return _readiness_preview(parsed, file_name)
    if isinstance(parsed, RegistrySheet):
        return _registry_preview(parsed, file_name)
    mapping = pd.DataFrame(
        [(layout.sheet, column_letter(index), layout.header_text.get(index, ""), FIELD_LABELS[name])
         for layout in parsed.layouts for name, index in sorted(layout.columns.items(), key=lambda c: c[1])],
        columns=["sheet", "column", "header", "field"])
    records = pd.DataFrame.from_records(parsed.records)
    flagged = records[records["flags"].str.len() > 0]
    flagged_rows = pd.DataFrame({
        "sheet": flagged["sheet"], "source_row": flagged["source_row"],
        "point_name": flagged["point_name"], "description": flagged["description"],
        "flag_text": flagged["flags"].str.join("；")}).reset_index(drop=True)
    return LedgerPreview(
        file_name, ledger_unit=parsed.ledger_unit, unit_source=parsed.unit_source,
        report_date=parsed.report_date, rows=len(parsed.records), flagged=parsed.flagged,
        warnings=list(parsed.warnings), mapping=mapping,
        sample=records[SAMPLE_COLUMNS].head(SAMPLE_ROWS).reset_index(drop=True), flagged_rows=flagged_rows)


def _score_sheet_preview(parsed: ParsedScoreSheet, file_name: str) -> LedgerPreview:
    """A score sheet's preview: its rounds and 点位, the first 点位 as they will be scored, and the
    flagged ones (a 得分 that disagrees with the deductions, a deduction above its 分值)."""
    points = pd.DataFrame([{
        "sheet": p.sheet, "source_row": p.source_row, "round_name": p.round_name, "point_type": p.point_type,
        "point_name": p.point_name, "unit": p.unit, "stated_score": p.stated_score,
        "score": None if p.deducted is None else max(100 - p.deducted, 0),
        "flag_text": "；".join(p.flags + [f for d in p.deductions for f in d["flags"]])} for p in parsed.points])
    flagged = points[points["flag_text"] != ""]
    return LedgerPreview(
        file_name, rows=len(parsed.points), flagged=parsed.flagged, warnings=list(parsed.warnings),
        sample=points[SCORE_SAMPLE_COLUMNS].head(SAMPLE_ROWS),
        flagged_rows=pd.DataFrame({"sheet": flagged["sheet"], "source_row": flagged["source_row"],
                                   "point_name": flagged["point_name"], "description": flagged["unit"],
                                   "flag_text": flagged["flag_text"]}).reset_index(drop=True),
        score_sheet=parsed.describe())


READINESS_RAW_LABELS = {"status_raw": "报送状态原文", "raw_deadline": "截止时间原文", "method_raw": "测评方式原文",
                        "round_no": "轮次序号", "rate": "比率", "raw": "原文"}


def _sheet_preview(sheet: ReadinessSheet | RegistrySheet, file_name: str, labels: dict[str, str],
                   named: str) -> LedgerPreview:
    """A readiness or registry sheet's preview: how its headers were read, its first rows as they will
    be stored (columns under `labels`; a list's columns its kind leaves empty dropped) and the flagged
    ones (each by its `named` column)."""
    mapping = pd.DataFrame(
        [(layout.sheet, column_letter(index), layout.header_text.get(index, ""), labels.get(name, name))
         for layout in sheet.layouts for name, index in sorted(layout.columns.items(), key=lambda c: c[1])],
        columns=["sheet", "column", "header", "field"])
    rows = sheet.rows
    flagged = rows[rows["flags"].map(len) > 0]
    shown = rows.drop(columns=["flags", "standard_key"], errors="ignore")
    if isinstance(sheet, RegistrySheet):
        shown = shown.dropna(axis=1, how="all")
    return LedgerPreview(
        file_name, report_date=sheet.report_date, rows=len(rows), flagged=sheet.flagged,
        warnings=list(sheet.warnings), mapping=mapping,
        sample=shown.head(SAMPLE_ROWS).rename(columns=labels),
        flagged_rows=pd.DataFrame({"sheet": flagged["sheet"], "source_row": flagged["source_row"],
                                   "point_name": flagged[named], "description": None,
                                   "flag_text": flagged["flags"].str.join("；")}).reset_index(drop=True))


def _readiness_preview(sheet: ReadinessSheet, file_name: str) -> LedgerPreview:
    preview = _sheet_preview(sheet, file_name, READINESS_FIELD_LABELS | READINESS_RAW_LABELS,
                             "area" if sheet.kind == SURVEY else "standard")
    preview.readiness_sheet = sheet.summary()
    return preview


REGISTRY_COLUMN_LABELS = {"name": "名称", "leader": "联点领导", "raw_pledge": "签订日期原文"}


def _registry_preview(sheet: RegistrySheet, file_name: str) -> LedgerPreview:
    preview = _sheet_preview(sheet, file_name, REGISTRY_FIELD_LABELS | REGISTRY_COLUMN_LABELS, "name")
    preview.registry_sheet = sheet.summary()
    return preview


def previews_table(previews: Iterable[LedgerPreview]) -> pd.DataFrame:
    """One row per uploaded file, for the batch at a glance (Chinese headers: shown as is)."""
    return pd.DataFrame([{
        "文件名": p.file_name, "识别单位": p.ledger_unit or (p.recognised_as or "").split("：")[0] or None,
        "单位来自": p.unit_source, "台账截至": p.report_date, "问题条数": p.rows, "待核条数": p.flagged,
        "结果": "无法导入：" + p.refusal if p.refusal else (
            f"可导入{p.recognised_as or ''}" + "（有提示）" * bool(p.warnings)),
    } for p in previews])


def import_uploads(db_path: Path | str, uploads: Iterable[tuple[str, bytes]], *, actor: str,
                   unit: str | None = None, only_unit: str | None = None,
                   progress: Callable[[ImportProgress], None] | None = None) -> list[ImportResult]:
    """Import uploaded files (ledgers in batches, each one transaction), keeping their names;
    `unit` is used for a file that names no unit anywhere; with `only_unit` only that unit's own
    ledgers are taken."""
    with tempfile.TemporaryDirectory(prefix="chuangwen-upload-") as folder:
        saved = save_uploads(uploads, Path(folder))
        return import_paths(db_path, list(saved), unit=unit, actor=actor, progress=progress,
                            display_names=saved, only_unit=only_unit)
