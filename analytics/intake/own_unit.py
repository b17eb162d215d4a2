"""What a unit's login may send: its own ledger only. A file another unit's ledger is recognised as, or
with a row handing a problem to another unit of the unit list, is refused; so is any file that is no
ledger (score sheets, readiness sheets, the lists of the responsibility map): those are the office's,
they hold every unit's rows. Rows naming a 社区 or 科室 of the unit's own (names not on the unit list)
are its own ledger's business and pass."""
from __future__ import annotations

from collections.abc import Collection, Iterable

from analytics.intake.recognise import Sheet
from analytics.ledger.parse import ParsedLedger
from analytics.readiness.sheets import ReadinessSheet
from analytics.registry.sheets import RegistrySheet
from analytics.scores.sheets import ParsedScoreSheet
from analytics.shared.reading.layout import column_letter

OFFICE_SHEETS = {ParsedScoreSheet: "模拟测评得分表", ReadinessSheet: "测评准备表", RegistrySheet: "责任地图清单"}


def office_sheet_refusal(sheet: Sheet, file_name: str, own_unit: str) -> str:
    kind = next(label for kind, label in OFFICE_SHEETS.items() if isinstance(sheet, kind))
    return (f"文件“{file_name}”未导入：本账号只能报送{own_unit}自己的台账；这是{kind}，"
            f"含各单位的数据，由督查室导入。")


def ledger_refusal(ledger: ParsedLedger, rows: Iterable[tuple[str, int, str | None]], file_name: str,
                   own_unit: str, listed_units: Collection[str]) -> str | None:
    """Why `own_unit`'s login may not send this ledger, or None. `rows`: each row's sheet, source row
    and 责任单位 as read."""
    if ledger.ledger_unit != own_unit:
        return (f"文件“{file_name}”未导入：本账号只能报送{own_unit}自己的台账，这份台账识别为"
                f"{ledger.ledger_unit}的（单位来自{ledger.unit_source}）。")
    unit_columns = {layout.sheet: layout.columns.get("unit") for layout in ledger.layouts}
    for sheet, source_row, unit in rows:
        if unit and unit != own_unit and unit in listed_units:
            column = unit_columns.get(sheet)
            where = f"工作表“{sheet}”第{source_row}行" + (f"{column_letter(column)}列" if column is not None else "")
            return (f"文件“{file_name}”未导入：本账号只能报送{own_unit}自己的台账，{where}的责任单位是{unit}"
                    f"（另一个单位）。请删去该行，或交督查室导入。")
    return None
