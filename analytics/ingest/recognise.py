"""The one door every file comes in by (command line, 数据导入 page, rebuild): a 模拟测评 score sheet
is recognised by its content and read as scores; anything else is read as a unit's ledger."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from analytics.ingest.parse import ParsedLedger, parse_ledger
from analytics.ingest.reader import ReadLimits, read_grids
from analytics.ingest.scoresheet import ParsedScoreSheet, is_score_workbook, parse_score_workbook


def parse_file(path: Path, *, point_type_aliases: dict[str, str], unit: str | None = None,
               today: dt.date | None = None, limits: ReadLimits = ReadLimits()) -> ParsedLedger | ParsedScoreSheet:
    """The file read once, then as a score sheet or as a ledger; raises FileRefused in Chinese."""
    grids = read_grids(path, limits)
    if is_score_workbook(grids):
        return parse_score_workbook(path, grids, point_type_aliases=point_type_aliases, today=today)
    return parse_ledger(path, point_type_aliases=point_type_aliases, unit=unit, today=today, limits=limits,
                        grids=grids)
