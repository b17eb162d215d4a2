"""Any table as an .xlsx workbook or a CSV file Excel on Windows opens (UTF-8 with BOM), with every
text cell neutralised against formula injection; and the sheet writer the bulletin shares.

Formula injection (OWASP “CSV Injection”): a cell whose text starts with =, +, -, @, a tab or a
carriage return is run as a formula by Excel/WPS when the file is opened (CSV) or the cell edited.
Ledgers are typed by other people, so every text cell from data is passed through `neutralise`:
it gets a leading single quote, and in .xlsx it is written as a string cell, never a formula.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analytics.shared import theme
from analytics.shared.labels import percent

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"

FONT_NAME = theme.OFFICE_FONT
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"

HEADER_FONT = Font(name=FONT_NAME, bold=True, color=theme.hex_digits(theme.WHITE))
HEADER_FILL = PatternFill("solid", fgColor=theme.hex_digits(theme.BAND))
BODY_FONT = Font(name=FONT_NAME)
MARKED_FONT = Font(name=FONT_NAME, bold=True, color=theme.hex_digits(theme.MARK_INK))
MARKED_FILL = PatternFill("solid", fgColor=theme.hex_digits(theme.MARK_FILL))
_THIN = Side(style="thin", color=theme.hex_digits(theme.RULE))
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

_MIN_WIDTH, _MAX_WIDTH, _WRAP_WIDTH = 6, 60, 40
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would take for a formula gets a leading single quote (OWASP); any
    other value is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def printable(text: str) -> str:
    """`text` without the control characters a workbook or a chart's XML cannot hold (a ledger
    cell may carry one); tabs and line breaks stay."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


@dataclass(frozen=True)
class Column:
    """One column of a written table: the frame's column, its header and how to show it.
    kind: text, int, decimal, percent, date, datetime."""
    key: object                   # the frame's column name
    label: str
    kind: str = "text"
    width: float | None = None    # None: from the longest value


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_value(value: object) -> object:
    """A frame value as a spreadsheet cell value: missing → empty, lists joined with “；”, booleans
    as 是/否, numpy scalars as Python numbers, timestamps as dates (times kept only when set), text
    printable and neutralised."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return neutralise(printable("；".join(str(item) for item in value if not _is_missing(item))))
    if _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() and value.tzinfo is None else value.replace(tzinfo=None)
    if isinstance(value, str):
        return neutralise(printable(value))
    return value


def _infer_kind(frame: pd.DataFrame, key: str) -> str:
    series = frame[key]
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(series):
        times = series.dropna()
        return "date" if (times == times.dt.normalize()).all() else "datetime"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        name = str(key)
        return "percent" if name.endswith(("率", "占比", "rate", "share")) else "decimal"
    if series.dtype == object and len(series.dropna()):
        first = series.dropna().iloc[0]
        if isinstance(first, dt.date):
            return "datetime" if isinstance(first, dt.datetime) else "date"
    return "text"


def infer_columns(frame: pd.DataFrame) -> list[Column]:
    """Columns for a frame written as it is: headers are its column names; a float column whose
    name ends in 率/占比 (or rate/share) is a percentage."""
    return [Column(key, str(key), _infer_kind(frame, key)) for key in frame.columns]


_NUMBER_FORMATS = {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT, "percent": PERCENT_FORMAT,
                   "decimal": DECIMAL_FORMAT, "int": "0"}


def _shown_text(value: object, kind: str) -> str:
    if value is None:
        return ""
    if kind == "percent" and isinstance(value, (int, float)):
        return percent(value)
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def put_cell(cell: Cell, value: object, kind: str = "text") -> None:
    """Store an already converted value (see cell_value): text always as a string cell, numbers
    and dates with the number format of `kind`."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"   # never a formula, whatever the text
        return
    number_format = _NUMBER_FORMATS.get(kind)
    if isinstance(value, dt.date) and kind not in ("date", "datetime"):
        number_format = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
    if number_format and value is not None:
        cell.number_format = number_format


def write_table(sheet: Worksheet, frame: pd.DataFrame, columns: Sequence[Column] | None = None, *,
                first_row: int = 1, marked_rows: Iterable[int] = (), freeze: bool = True) -> int:
    """Write `frame` with a styled header at `first_row`, frozen above the data, an autofilter,
    column widths from the contents and real dates; rows whose position is in `marked_rows` are
    highlighted. Returns the last row written."""
    columns = list(columns) if columns is not None else infer_columns(frame)
    marked = set(marked_rows)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(first_row, index, neutralise(column.label))
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [theme.display_width(column.label) for column in columns]
    for position, row in enumerate(frame[[c.key for c in columns]].itertuples(index=False, name=None)):
        row_number = first_row + 1 + position
        for index, (column, raw) in enumerate(zip(columns, row), start=1):
            value = cell_value(raw)
            cell = sheet.cell(row_number, index)
            put_cell(cell, value, column.kind)
            cell.border = BORDER
            cell.font = MARKED_FONT if position in marked else BODY_FONT
            if position in marked:
                cell.fill = MARKED_FILL
            text = _shown_text(value, column.kind)
            widths[index - 1] = max(widths[index - 1], theme.display_width(text))
            if theme.display_width(text) > _WRAP_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, (column, width) in enumerate(zip(columns, widths), start=1):
        chosen = column.width or min(_MAX_WIDTH, max(_MIN_WIDTH, width + 2))
        sheet.column_dimensions[get_column_letter(index)].width = chosen
    last_row = first_row + len(frame)
    if freeze:
        sheet.freeze_panes = sheet.cell(first_row + 1, 1)
    if columns:
        sheet.auto_filter.ref = f"A{first_row}:{get_column_letter(len(columns))}{max(last_row, first_row)}"
    return last_row


def sheet_title(name: str) -> str:
    """A valid sheet name: Excel forbids []:*?/\\ and more than 31 characters."""
    return (_BAD_SHEET_CHARS.sub("_", name).strip("'") or "数据")[:31]


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_xlsx(frame: pd.DataFrame, sheet_name: str = "数据",
               columns: Sequence[Column] | None = None) -> bytes:
    """The table as an .xlsx workbook of one sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(sheet_name)
    write_table(sheet, frame, columns)
    return workbook_bytes(workbook)


def _csv_text(value: object) -> str:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_csv(frame: pd.DataFrame, columns: Sequence[Column] | None = None) -> bytes:
    """The table as CSV in UTF-8 with a BOM (Excel on Windows then reads the Chinese right)."""
    columns = list(columns) if columns is not None else infer_columns(frame)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(column.label) for column in columns])
    for row in frame[[c.key for c in columns]].itertuples(index=False, name=None):
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
