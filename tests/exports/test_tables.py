"""Any table as .xlsx and as CSV (UTF-8 with BOM), with formula injection neutralised."""
import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from analytics.exports.tables import DATE_FORMAT, PERCENT_FORMAT, neutralise, sheet_title, table_csv, table_xlsx


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+86 138", "'+86 138"),
    ("-5", "'-5"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=cmd", "'\t=cmd"),
    ("\r=cmd", "'\r=cmd"),
    ("居民小区=重点", "居民小区=重点"),     # only a leading trigger counts
    ("", ""),
    (-5, -5),                                 # numbers are not text
    (None, None),
    (dt.date(2026, 11, 20), dt.date(2026, 11, 20)),
])
def test_neutralise_prefixes_a_quote_to_formula_triggers_only(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("name, expected", [
    ("点位类型", "点位类型"),
    ("落后/单位[1]", "落后_单位_1_"),
    ("很长" * 20, ("很长" * 20)[:31]),
    ("", "数据"),
])
def test_sheet_titles_are_valid_excel_names(name, expected):
    assert sheet_title(name) == expected


# Text that tries formula injection, a bell character (as an old .xls may carry; a workbook cannot
# hold it, so it is dropped), dates with and without times, missing values of every kind.
FRAME = pd.DataFrame({
    "责任单位": ["=HYPERLINK(\"http://x\")", "城关\x07街道", "\t@cmd"],
    "发现日期": pd.to_datetime(["2026-11-01", "2026-11-02", None]),
    "导入时间": pd.to_datetime(["2026-11-01 08:30", "2026-11-02 09:00", "2026-11-03 10:15"]),
    "问题总数": pd.array([3, 0, None], dtype="Int64"),
    "整改率": [0.5, 1.0, float("nan")],
    "平均整改天数": [2.5, 1.0, 3.25],
    "待核原因": [["日期无法识别", "类型未归类"], [], ["-1天"]],
    "逾期": [True, False, True],
})


def read_back(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_xlsx_keeps_types_freezes_the_header_and_writes_no_formula():
    sheet = read_back(table_xlsx(FRAME, "明细"))
    assert sheet.title == "明细"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == list(FRAME.columns)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [
        ["'=HYPERLINK(\"http://x\")", dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 1, 8, 30), 3, 0.5, 2.5,
         "日期无法识别；类型未归类", "是"],
        ["城关街道", dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 2, 9, 0), 0, 1.0, 1.0, None, "否"],
        ["'\t@cmd", None, dt.datetime(2026, 11, 3, 10, 15), None, None, 3.25, "'-1天", "是"],
    ]
    assert sheet["B2"].is_date and sheet["B2"].number_format == DATE_FORMAT
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["E2"].number_format == PERCENT_FORMAT          # a column named …率 is a percentage
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # widths follow the contents: the long hostile text makes column A wider than the date column
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width >= 10


def test_csv_has_a_bom_crlf_rows_and_neutralised_text():
    data = table_csv(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == len(FRAME) + 1
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(FRAME.columns)
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "2026-11-01", "2026-11-01 08:30:00", "3", "0.5", "2.5",
                       "日期无法识别；类型未归类", "是"]
    assert rows[3] == ["'\t@cmd", "", "2026-11-03 10:15:00", "", "", "3.25", "'-1天", "是"]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_an_empty_table_still_has_its_header():
    empty = FRAME.iloc[0:0]
    assert [c.value for c in read_back(table_xlsx(empty))[1]] == list(FRAME.columns)
    assert table_csv(empty).decode("utf-8-sig").splitlines() == [",".join(FRAME.columns)]
