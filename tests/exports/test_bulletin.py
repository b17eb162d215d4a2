"""The 督查 bulletin workbook, opened again with openpyxl: its sheets, their values against the
analytics functions, frozen headers, widths, real dates, the 后三名 marked, no live formula from
ledger text, and nothing outside the filters."""
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from analytics.shared import db, schema
from analytics.ledger.behind import ranking, silent_units
from analytics.exports.bulletin import SHEETS, build_bulletin
from analytics.exports.tables import MARKED_FILL, neutralise
from analytics.shared.filters import Filters
from analytics.ledger.listing import overdue_items
from analytics.ledger.metrics import kpis, metrics
from exports_data import AS_OF, HOSTILE_DESCRIPTION, HOSTILE_POINT, HOSTILE_UNIT, TEST_DATE, export_db, export_db_ranked_by

FILTERS = Filters(as_of=AS_OF)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return export_db(tmp_path_factory)


@pytest.fixture(scope="module")
def workbook(db_path):
    with db.connect(db_path, read_only=True) as con:
        return openpyxl.load_workbook(io.BytesIO(build_bulletin(con, FILTERS)))


def body(sheet) -> list[list]:
    """The rows under the header (row 2)."""
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def header(sheet) -> list:
    return [cell.value for cell in sheet[2]]


def test_the_sheets_are_in_order_with_frozen_headers_and_set_widths(workbook):
    assert workbook.sheetnames == list(SHEETS) == ["汇总", "点位类型", "单位排名", "逾期问题清单", "未报送单位"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A3", sheet.title
        assert sheet["A1"].value and "数据截至2026年11月20日" in sheet["A1"].value
        assert sheet.column_dimensions["A"].width >= 6 and sheet.column_dimensions["B"].width >= 6


def test_the_summary_holds_the_briefing_figures(workbook, db_path):
    with db.connect(db_path, read_only=True) as con:
        k = kpis(con, FILTERS)
    figures = {row[0]: row[1] for row in body(workbook["汇总"]) if row[0]}
    assert figures["数据截至"] == dt.datetime(2026, 11, 20)
    assert figures["测评日期"] == dt.datetime.combine(TEST_DATE, dt.time())
    assert figures["距测评天数"] == (TEST_DATE - AS_OF).days
    assert (figures["累计排查问题"], figures["未整改"], figures["已整改"], figures["逾期未整改"]) == \
        (k.total, k.open, k.rectified, k.overdue)
    assert figures["整改率"] == pytest.approx(k.rectify_rate)
    sheet = workbook["汇总"]
    rate_cell = next(row[1] for row in sheet.iter_rows(min_row=3) if row[0].value == "整改率")
    assert rate_cell.number_format == "0.0%"
    assert any(isinstance(v, str) and v.startswith("截至11月20日") for row in body(sheet) for v in row)


def test_the_point_type_sheet_equals_metrics_by_point_type(workbook, db_path):
    with db.connect(db_path, read_only=True) as con:
        expected = metrics(con, FILTERS, "point_type")
    sheet = workbook["点位类型"]
    assert header(sheet)[:9] == ["点位类型", "问题总数", "待整改", "整改中", "已整改", "已销号", "未整改", "逾期", "整改率"]
    rows = body(sheet)
    assert [row[0] for row in rows] == expected["point_type"].tolist()
    assert [row[1:8] for row in rows] == expected[
        ["total", "pending", "in_progress", "rectified", "closed", "open", "overdue"]].values.tolist()
    assert [row[8] for row in rows] == pytest.approx(expected["rectify_rate"].tolist())
    assert sheet["I3"].number_format == "0.0%"


def test_the_ranking_sheet_marks_the_last_three(workbook, db_path):
    with db.connect(db_path, read_only=True) as con:
        expected = ranking(con, FILTERS, "unit")
    sheet = workbook["单位排名"]
    rows = body(sheet)
    assert [row[:3] for row in rows] == [[rank, neutralise(unit), total] for rank, unit, total
                                         in expected[["rank", "unit", "total"]].values.tolist()]
    marked = [row[1] for row in rows if row[6] == "后3名"]
    assert marked == [neutralise(u) for u in expected.loc[expected["last_n"], "unit"]] and len(marked) == 3
    filled = [sheet.cell(number, 2).value for number in range(3, sheet.max_row + 1)
              if sheet.cell(number, 2).fill.fgColor.rgb.endswith(MARKED_FILL.fgColor.rgb[-6:])]
    assert filled == marked


def test_the_overdue_list_has_real_dates_and_matches_the_listing(workbook, db_path):
    with db.connect(db_path, read_only=True) as con:
        expected = overdue_items(con, FILTERS, limit=100_000)
        k = kpis(con, FILTERS)
    sheet = workbook["逾期问题清单"]
    rows = body(sheet)
    assert len(rows) == len(expected) == k.overdue
    assert [row[1] for row in rows] == [neutralise(key) for key in expected["problem_key"]]
    assert [row[7] for row in rows] == [ts.to_pydatetime() for ts in expected["deadline"]]
    assert sheet["H3"].is_date and sheet["H3"].number_format == "yyyy-mm-dd"
    assert [row[8] for row in rows] == [(AS_OF - d.date()).days for d in expected["deadline"]]


def test_the_silent_units_sheet_lists_the_units_that_stopped_reporting(workbook, db_path):
    with db.connect(db_path, read_only=True) as con:
        expected = silent_units(con, FILTERS)
    rows = body(workbook["未报送单位"])
    assert len(expected) >= 1
    assert [row[0] for row in rows] == expected["unit"].tolist()
    assert [row[2] for row in rows] == [None if pd.isna(d) else int(d) for d in expected["days_silent"]]
    assert all(row[3] in ("从未报送台账", f"已{row[2]}天未报送") for row in rows)


def test_no_cell_holds_a_formula_and_ledger_text_is_neutralised(workbook):
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), (sheet.title, cell.coordinate, cell.value)
                    values.append(cell.value)
    for hostile in (HOSTILE_UNIT, HOSTILE_POINT, f"{HOSTILE_DESCRIPTION}1"):
        assert "'" + hostile in values


def test_the_workbook_holds_nothing_outside_the_filters(db_path):
    with db.connect(db_path, read_only=True) as con:
        units = metrics(con, FILTERS, "unit")["unit"].tolist()
        chosen = units[1]
        only = Filters(as_of=AS_OF, units=(chosen,), date_from=dt.date(2026, 11, 1))
        book = openpyxl.load_workbook(io.BytesIO(build_bulletin(con, only)))
        expected_total = kpis(con, only).total
    texts = {cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
             if isinstance(cell, str)}
    others = {unit for unit in units if unit != chosen}
    assert not [text for text in texts for unit in others if unit in text.replace(chosen, "")]
    assert {row[0] for row in body(book["逾期问题清单"])} <= {neutralise(chosen)}
    found = [row[6] for row in body(book["逾期问题清单"])]
    assert all(day >= dt.datetime(2026, 11, 1) for day in found)
    assert sum(row[1] for row in body(book["点位类型"])) == expected_total


def test_an_empty_database_gives_every_sheet_with_its_header(tmp_path):
    path = schema.init_db(tmp_path / "empty.duckdb")
    with db.connect(path, read_only=True) as con:
        book = openpyxl.load_workbook(io.BytesIO(build_bulletin(con, FILTERS)))
    assert book.sheetnames == list(SHEETS)
    assert [header(book[name])[0] for name in SHEETS] == ["指标", "点位类型", "排名", "责任单位", "责任单位"]
    assert all(body(book[name]) == [] for name in SHEETS[1:])


def test_the_ranking_sheet_follows_the_ranking_measure(tmp_path_factory, tmp_path):
    with db.connect(export_db_ranked_by(tmp_path_factory, tmp_path, "销号率"), read_only=True) as con:
        expected = ranking(con, FILTERS, "unit")
        sheet = openpyxl.load_workbook(io.BytesIO(build_bulletin(con, FILTERS)))["单位排名"]
    assert sheet.cell(1, 1).value.startswith("责任单位销号率排名")
    assert header(sheet) == ["排名", "责任单位", "问题总数", "未整改", "逾期", "整改率", "销号率", "标记"]
    rows = body(sheet)
    assert [row[1] for row in rows] == [neutralise(unit) for unit in expected["unit"]]
    assert [row[6] for row in rows] == pytest.approx(expected["measure"].tolist())
