"""The one door every file comes in by (command line, 数据导入 page, rebuild): a 模拟测评 score sheet
is recognised by its content and read as scores, a readiness sheet (测评体系分解表, 网上申报 status,
问卷调查 results) as one, a list of the responsibility map (点位清单, 联点清单, 包保一览表, 门前四包
register) as one; anything else is read as a unit's ledger."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from analytics.ledger.parse import ParsedLedger, parse_ledger
from analytics.shared.reading.reader import ReadLimits, read_grids
from analytics.readiness.sheets import ReadinessSheet, read_readiness_sheet
from analytics.registry.sheets import RegistrySheet, read_registry_sheet
from analytics.scores.sheets import ParsedScoreSheet, is_score_workbook, parse_score_workbook
from analytics.shared.office_words import OfficeWords

# What is not a ledger: each goes to its own tables, never to the problems.
SHEET_TYPES = (ParsedScoreSheet, ReadinessSheet, RegistrySheet)
Sheet = ParsedScoreSheet | ReadinessSheet | RegistrySheet


def parse_file(path: Path, *, point_type_aliases: dict[str, str], unit: str | None = None,
               today: dt.date | None = None, limits: ReadLimits = ReadLimits(),
               words: OfficeWords | None = None) -> ParsedLedger | Sheet:
    """The file read once, then as a score sheet, a readiness sheet, a list of the responsibility map or
    a ledger (with the status and source `words` in force); raises FileRefused in Chinese."""
    grids = read_grids(path, limits)
    if is_score_workbook(grids):
        return parse_score_workbook(path, grids, point_type_aliases=point_type_aliases, today=today)
    readiness_sheet = read_readiness_sheet(path, grids=grids, today=today)
    if readiness_sheet is not None:
        return readiness_sheet
    registry_sheet = read_registry_sheet(path, grids=grids, today=today)
    if registry_sheet is not None:
        return registry_sheet
    return parse_ledger(path, point_type_aliases=point_type_aliases, unit=unit, today=today, limits=limits,
                        grids=grids, words=words)
