"""Files to grids of cells: .xlsx/.xlsm/.xls via python-calamine, CSV in UTF-8, UTF-8 with BOM or GBK.

Nothing here knows what a ledger is; it only refuses, with a Chinese message, what cannot be read
within bounded time and memory.
"""
from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt")
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES + CSV_SUFFIXES
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def _env_number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class ReadLimits:
    """Bounds that keep one bad file from taking the server down (README, 可靠性与安全)."""
    max_file_mb: float = _env_number("CHUANGWEN_MAX_FILE_MB", 50)
    max_unzipped_mb: float = _env_number("CHUANGWEN_MAX_UNZIPPED_MB", 300)
    max_rows_per_sheet: int = int(_env_number("CHUANGWEN_MAX_ROWS", 200_000))
    # Formatting can declare a million empty rows below the data; stop after this many blank ones.
    max_trailing_blank_rows: int = 2_000


def _is_reader_failure(error: BaseException) -> bool:
    """calamine reports broken files with assorted exception types, and some (found by fuzzing: a
    mutated .xls) as a Rust panic, which pyo3 raises as a BaseException subclass."""
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


class FileRefused(Exception):
    """A file that is not imported at all; the message is Chinese and names the file."""


@dataclass
class Grid:
    sheet: str
    rows: list[list[object]]


def _refuse(path: Path, reason: str) -> FileRefused:
    return FileRefused(f"文件“{path.name}”未导入：{reason}")


def read_grids(path: Path, limits: ReadLimits = ReadLimits()) -> list[Grid]:
    """Every sheet of the file as rows of cell values (str, float, date, datetime …)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _refuse(path, f"不支持的文件类型“{suffix or '无扩展名'}”，请提交 .xlsx、.xls 或 .csv 格式的台账。")
    size_mb = path.stat().st_size / 1_048_576
    if size_mb > limits.max_file_mb:
        raise _refuse(path, f"文件大小 {size_mb:.0f} MB，超过上限 {limits.max_file_mb:.0f} MB"
                            "（可用环境变量 CHUANGWEN_MAX_FILE_MB 调整）。")
    if size_mb == 0:
        raise _refuse(path, "文件是空的。")
    if suffix in CSV_SUFFIXES:
        return [Grid("", _read_csv(path, limits))]
    return _read_workbook(path, limits)


def _read_csv(path: Path, limits: ReadLimits) -> list[list[object]]:
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(path, "无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030）。请在 Excel 中“另存为”"
                            " .xlsx，或另存为“CSV UTF-8”后重新提交。")
    if "\x00" in text:
        raise _refuse(path, "文件内容不是文本表格（含有二进制数据），请确认提交的是台账 CSV 文件。")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)   # lines end in \n, \r\n or a bare \r
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > limits.max_rows_per_sheet:
                raise _refuse(path, f"行数超过上限 {limits.max_rows_per_sheet} 行（CHUANGWEN_MAX_ROWS）。")
    except csv.Error as error:
        raise _refuse(path, f"第{reader.line_num}行不是有效的 CSV（{error}），请用 Excel/WPS 打开确认后"
                            "另存为 .xlsx 再提交。") from None
    return rows


def _check_zip(path: Path, limits: ReadLimits) -> None:
    """An .xlsx is a zip: refuse a bomb by its declared sizes before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse(path, "文件已损坏或不是真正的 Excel 文件（可能是改了扩展名的其他文件），"
                            "请用 Excel/WPS 打开确认后另存为 .xlsx 再提交。") from None
    if unzipped / 1_048_576 > limits.max_unzipped_mb:
        raise _refuse(path, f"解压后内容达 {unzipped / 1_048_576:.0f} MB，超过上限 "
                            f"{limits.max_unzipped_mb:.0f} MB（CHUANGWEN_MAX_UNZIPPED_MB），疑似异常文件。")


def _read_workbook(path: Path, limits: ReadLimits) -> list[Grid]:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xlsb", ".ods"):
        _check_zip(path, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise _refuse(path, "工作簿设有打开密码，请取消密码后重新提交。") from None
    except BaseException as error:
        if not _is_reader_failure(error):
            raise
        raise _refuse(path, f"文件已损坏或格式无法识别（{type(error).__name__}），"
                            "请用 Excel/WPS 打开确认后另存为 .xlsx 再提交。") from None
    grids = []
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            grids.append(Grid(meta.name, _sheet_rows(path, workbook.get_sheet_by_name(meta.name), limits)))
    except FileRefused:
        raise
    except BaseException as error:
        if not _is_reader_failure(error):
            raise
        raise _refuse(path, f"读取工作表时出错（{type(error).__name__}），文件可能已损坏或被截断。") from None
    finally:
        workbook.close()
    return grids


def _sheet_rows(path: Path, sheet: python_calamine.CalamineSheet, limits: ReadLimits) -> list[list[object]]:
    rows: list[list[object]] = []
    blank_run = 0
    for row in sheet.iter_rows():   # a new list per row
        if row.count("") < len(row):
            blank_run = 0
        else:
            blank_run += 1
            if blank_run > limits.max_trailing_blank_rows:
                break
        rows.append(row)
        if len(rows) > limits.max_rows_per_sheet:
            raise _refuse(path, f"工作表“{sheet.name}”的行数超过上限 {limits.max_rows_per_sheet} 行"
                                "（CHUANGWEN_MAX_ROWS）。")
    while rows and rows[-1].count("") == len(rows[-1]):
        rows.pop()
    return rows
