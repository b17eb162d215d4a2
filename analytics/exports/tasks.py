"""问题交办单: one workbook per 责任单位 with open problems, and those it reported done without an
after-photo (无佐证, analytics.photos.model), which the unit fills in and sends back as its ledger.

Each sheet is a ledger the importer reads as one (analytics.intake): a title, a 填报单位/填报日期 line,
the header, then one row per open problem as of the as-of day. The row shows the problem's number as
people read it (交办编号: the unit's sheet and 序号, or the round) and carries its identity in a hidden,
locked first column (系统编号, its problem_key), so the importer keys it exactly as before (a sheet
returned from before carries the key under 交办编号, which is read the same way); every other column
is written as stored (the raw deadline words where no date was read), and 整改状态 starts as the
problem's status, so a row the unit leaves alone changes nothing. The unit may change only 整改状态,
整改完成时间, 整改情况说明 and 整改后照片 (the sheet is protected, those cells are not; pictures may be
pasted), the 填报日期 cell, and blank rows at the bottom where it adds problems found since (they become
new problems). 整改后照片 says how many after-photos the problem has (无 where none): a picture pasted
there is read as the problem's after-photo when the sheet comes back, and a 无佐证 row says so under
督办事项.

The 填报日期 the unit fills in is the returned ledger's report date; left empty, the import date. No
other full date stands above the header or in the file name, so the 交办 day is never mistaken for it.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass

import duckdb
import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analytics.exports.tables import FORMULA_TRIGGERS, cell_value, printable, put_cell, workbook_bytes
from analytics.shared.theme import display_width
from analytics.shared.filters import Filters
from analytics.shared.statuses import IN_PROGRESS, PENDING, RECTIFIED
from analytics.shared.labels import month_day
from analytics.ledger.lifecycle import open_on, scoped_sql, status_on
from analytics.ledger.listing import PROBLEM_NUMBER
from analytics.photos.model import problem_pictures

ZIP_MIME = "application/zip"
FONT_NAME = "宋体"
SHEET_NAME = "交办单"
HEADER_ROW = 4
REPORT_DAY_CELL = (2, 7)   # where the unit fills in its 填报日期 (G2)
BLANK_ROWS = 30            # unlocked rows under the problems for the ones the unit adds
FILL_IN_STATUSES = (PENDING, IN_PROGRESS, RECTIFIED)   # 已销号 is 创文办's to give
# a 督办事项 long enough to be read as prose, never as a 整改后照片 header (shared.vocab.PROSE_MARGIN)
NO_EVIDENCE_TASK = "已报整改但未见整改后照片，请补充上传"
NO_PHOTO = "无"


@dataclass(frozen=True)
class TaskColumn:
    key: str
    label: str
    width: float           # Excel width units (a Chinese character takes two)
    fill_in: bool = False
    kind: str = "text"
    hidden: bool = False


COLUMNS = (
    TaskColumn("problem_key", "系统编号", 10, hidden=True),   # first: the importer keys the row by it
    TaskColumn("serial", "序号", 6, kind="int"),
    TaskColumn("problem_number", "交办编号", 20),
    TaskColumn("unit", "责任单位", 14),
    TaskColumn("district", "所属区域", 10),
    TaskColumn("point_type", "点位类型", 12),
    TaskColumn("point_name", "点位名称", 20),
    TaskColumn("description", "问题描述", 34),
    TaskColumn("category", "问题类别", 10),
    TaskColumn("source", "问题来源", 10),
    TaskColumn("found", "发现日期", 11, kind="date"),
    TaskColumn("deadline", "整改时限", 11, kind="date"),
    TaskColumn("days_overdue", "逾期天数", 8, kind="int"),
    TaskColumn("status", "整改状态", 10, fill_in=True),
    TaskColumn("rectified_date", "整改完成时间", 12, fill_in=True, kind="date"),
    TaskColumn("remark", "整改情况说明", 30, fill_in=True),
    TaskColumn("after_photos", "整改后照片", 12, fill_in=True),
    TaskColumn("supervision", "督办事项", 22),
)
FILL_IN_LABELS = tuple(column.label for column in COLUMNS if column.fill_in)

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_FILL_IN_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
DAY = "$f_as_of"


def open_tasks(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The problems open on the as-of day in the filters, then those reported done without an
    after-photo (无佐证), by unit, oldest deadline first: their key, status then, days overdue, the
    fields as stored (a date, else the words the ledger wrote), after_photos (how many) and
    no_evidence."""
    pictures = problem_pictures(con, filters).problems
    no_evidence = pictures.loc[pictures["no_evidence"], "problem_key"].tolist()
    scope, params = scoped_sql(filters)
    tasks = con.execute(f"""
        WITH {scope},
        open_now AS (
            SELECT problem_key, {status_on(DAY)} AS status,
                   CASE WHEN {open_on(DAY)} AND deadline < {DAY} THEN {DAY} - deadline END AS days_overdue,
                   NOT {open_on(DAY)} AS no_evidence
            FROM scoped WHERE {open_on(DAY)} OR list_contains($no_evidence::VARCHAR[], problem_key)
        )
        SELECT p.unit, p.problem_key, {PROBLEM_NUMBER} AS problem_number, p.district, p.point_type, p.point_name, p.description, p.category,
               p.source, coalesce(strftime(p.found_date, '%Y-%m-%d'), p.raw_found) AS found_text,
               p.found_date, coalesce(strftime(p.deadline, '%Y-%m-%d'), p.raw_deadline) AS deadline_text,
               p.deadline, o.status, o.days_overdue, o.no_evidence
        FROM open_now o JOIN problems p USING (problem_key)
        ORDER BY p.unit, o.no_evidence, p.deadline NULLS LAST, p.found_date, p.problem_key
    """, params | {"no_evidence": no_evidence}).df()
    counts = dict(zip(pictures["problem_key"], pictures["after"].map(len)))
    tasks["after_photos"] = tasks["problem_key"].map(counts).fillna(0).astype(int)
    return tasks


def _put(cell, value: object, kind: str = "text") -> None:
    """A value as tables.put_cell stores it, but text that starts like a formula keeps its first
    character and is marked as text the way Excel marks a typed leading quote (quotePrefix): the
    importer then reads back exactly what was written, the unit's name and the key included."""
    if isinstance(value, str):
        text = printable(value)
        put_cell(cell, text)
        cell.quotePrefix = text.startswith(FORMULA_TRIGGERS)
        return
    put_cell(cell, cell_value(value), kind)


def _header_cell(sheet: Worksheet, row: int, column: int, text: str) -> None:
    cell = sheet.cell(row, column, text)
    cell.font = Font(name=FONT_NAME, bold=True, size=11)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.border, cell.fill = _BORDER, _HEADER_FILL


def _lines(text: object, width: float) -> int:
    """Lines a wrapped cell takes: CJK characters count two width units."""
    shown = "" if text is None else str(text)
    return max(1, math.ceil(display_width(shown) / max(width - 1, 1)))


def _value(row: pd.Series, column: TaskColumn, serial: int) -> object:
    if column.key == "serial":
        return serial
    if column.key in ("found", "deadline"):
        day = row["found_date" if column.key == "found" else "deadline"]
        return day if pd.notna(day) else row[f"{column.key}_text"]
    if column.key in ("rectified_date", "remark"):
        return None
    if column.key == "after_photos":
        return f"{row['after_photos']}张" if row["after_photos"] else NO_PHOTO
    if column.key == "supervision":
        return NO_EVIDENCE_TASK if row["no_evidence"] else None
    return row[column.key]


def task_sheet(unit: str, tasks: pd.DataFrame, as_of: dt.date) -> bytes:
    """The 交办单 of one unit (its rows of open_tasks) as .xlsx bytes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    last_column = get_column_letter(len(COLUMNS))
    sheet.merge_cells(f"B1:{last_column}1")
    title = sheet.cell(1, 2)
    _put(title, f"{unit}创建全国文明城市问题交办单")
    title.font = Font(name="方正小标宋简体", size=18)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 32
    # from column B: column A is the hidden 系统编号
    put_cell(sheet.cell(2, 2), "填报单位：")
    _put(sheet.cell(2, 3), unit)
    sheet.merge_cells("C2:E2")
    put_cell(sheet.cell(2, 6), "填报日期：")
    report_day = sheet.cell(*REPORT_DAY_CELL)
    report_day.number_format = "yyyy-mm-dd"
    report_day.protection, report_day.fill, report_day.border = _UNLOCKED, _FILL_IN_FILL, _BORDER
    # the 交办 day without its year: a full date here would be read as the report date
    unproved = int(tasks["no_evidence"].sum())
    put_cell(sheet.cell(3, 2), f"{month_day(as_of)}交办，共{len(tasks)}条"
                               + (f"（其中{unproved}条已报整改但无整改后照片，请在“整改后照片”栏贴上照片）"
                                  if unproved else "")
                               + f"。请在黄色栏内填写整改情况（整改状态只填{'、'.join(FILL_IN_STATUSES)}），"
                               f"新发现的问题填在表格下方空行，交办编号请勿改动。")
    sheet.merge_cells(f"B3:{last_column}3")
    sheet.cell(3, 2).alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[3].height = 30
    for row in (2, 3):
        for cell in sheet[row]:
            if cell.font.name != FONT_NAME:
                cell.font = Font(name=FONT_NAME, size=11)
    for index, column in enumerate(COLUMNS, start=1):
        _header_cell(sheet, HEADER_ROW, index, column.label)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.column_dimensions[get_column_letter(index)].hidden = column.hidden
    body_font = Font(name=FONT_NAME, size=11)
    for position, (_, task) in enumerate(tasks.iterrows(), start=1):
        row_number = HEADER_ROW + position
        lines = 1
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row_number, index)
            value = _value(task, column, position)
            _put(cell, value, column.kind)
            cell.font, cell.border = body_font, _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if column.fill_in:
                cell.protection, cell.fill = _UNLOCKED, _FILL_IN_FILL
            lines = max(lines, _lines(value, column.width))
        sheet.row_dimensions[row_number].height = 15 * lines + 4
    first_blank = HEADER_ROW + len(tasks) + 1
    for row_number in range(first_blank, first_blank + BLANK_ROWS):
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row_number, index)
            cell.protection, cell.border, cell.font = _UNLOCKED, _BORDER, body_font
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if column.kind == "date":
                cell.number_format = "yyyy-mm-dd"
    last_row = first_blank + BLANK_ROWS - 1
    status_column = get_column_letter(1 + [c.key for c in COLUMNS].index("status"))
    done_column = get_column_letter(1 + [c.key for c in COLUMNS].index("rectified_date"))
    choices = DataValidation(type="list", formula1=f'"{",".join(FILL_IN_STATUSES)}"', allow_blank=True,
                             showErrorMessage=True, errorTitle="整改状态",
                             error=f"整改状态请填写：{'、'.join(FILL_IN_STATUSES)}")
    choices.add(f"{status_column}{HEADER_ROW + 1}:{status_column}{last_row}")
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                           showErrorMessage=True, errorTitle="整改完成时间", error="请填写日期，如 2026-11-25")
    dates.add(f"{done_column}{HEADER_ROW + 1}:{done_column}{last_row}")
    dates.add(report_day.coordinate)
    sheet.add_data_validation(choices)
    sheet.add_data_validation(dates)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1 + [c.key for c in COLUMNS].index("problem_number") + 1)
    _print_setup(sheet, last_row)
    sheet.protection.sheet = True
    # the unit may still size and hide columns and rows to print; it may not insert or delete them
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    sheet.protection.formatCells = True
    return workbook_bytes(workbook)


def _print_setup(sheet: Worksheet, last_row: int) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def task_file_name(unit: str) -> str:
    """城关街道_交办单.xlsx: the unit's name (characters a file name cannot hold replaced) and no date,
    so the importer finds neither a report date nor another unit in it."""
    return f"{_BAD_FILE_CHARS.sub('_', unit).strip(' .') or '未命名单位'}_{SHEET_NAME}.xlsx"


def task_sheets(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, bytes]:
    """File name → 交办单 bytes, one per unit with open or 无佐证 problems in the filters."""
    tasks = open_tasks(con, filters)
    return {task_file_name(unit): task_sheet(unit, group.reset_index(drop=True), filters.as_of_date)
            for unit, group in tasks.groupby("unit", sort=True)}


def tasks_zip(sheets: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sheets.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tasks_zip_name(filters: Filters) -> str:
    return f"问题交办单_{filters.as_of_date:%Y%m%d}.zip"
