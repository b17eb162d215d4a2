"""The 督查 bulletin workbook (.xlsx): the figures a 督查通报 is written from.

Sheets: 汇总 (the briefing figures and paragraph), 点位类型, 单位排名 (后N名 marked), 逾期问题清单,
未报送单位. Each sheet has a caption in row 1 (what it is, the data date, the filters) and its header
in row 2, frozen; widths follow the contents; dates are real dates; every text cell from the data is
neutralised against formula injection (analytics.exports.tables.neutralise).
"""
from __future__ import annotations

import duckdb
import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from analytics.exports.content import BriefingContent, gather
from analytics.exports.tables import (BODY_FONT,
    BORDER,
    FONT_NAME,
    HEADER_FILL,
    HEADER_FONT,
    Column,
    cell_value,
    neutralise,
    put_cell,
    workbook_bytes,
    write_table)
from analytics.shared.filters import Filters
from analytics.shared.statuses import CLOSED, IN_PROGRESS, PENDING, RECTIFIED, STATUS_COLUMNS
from analytics.ledger.rankings import MEASURES

SHEETS = ("汇总", "点位类型", "单位排名", "逾期问题清单", "未报送单位")
CAPTION_FONT = Font(name=FONT_NAME, bold=True, size=13)
HEADER_ROW = 2

POINT_TYPE_COLUMNS = [
    Column("point_type", "点位类型"), Column("total", "问题总数", "int"),
    *(Column(column, status, "int") for status, column in STATUS_COLUMNS.items()),
    Column("open", "未整改", "int"), Column("overdue", "逾期", "int"),
    Column("rectify_rate", "整改率", "percent"), Column("close_rate", "销号率", "percent"),
    Column("share", "占比", "percent"), Column("avg_days_to_rectify", "平均整改天数", "decimal"),
    Column("delta_total_day", "较昨日新增", "int"), Column("delta_open_day", "未整改较昨日", "int"),
    Column("delta_overdue_day", "逾期较昨日", "int"), Column("delta_total_week", "较上周新增", "int"),
    Column("delta_open_week", "未整改较上周", "int"),
]
RANKING_COLUMNS = [
    Column("rank", "排名", "int"), Column("unit", "责任单位"), Column("total", "问题总数", "int"),
    Column("open", "未整改", "int"), Column("overdue", "逾期", "int"),
    Column("rectify_rate", "整改率", "percent"), Column("mark", "标记"),
]
OVERDUE_COLUMNS = [
    Column("unit", "责任单位"), Column("problem_key", "问题编号"), Column("point_type", "点位类型"),
    Column("point_name", "点位名称"), Column("description", "问题描述", width=50),
    Column("category", "问题类别"), Column("found_date", "发现日期", "date"),
    Column("deadline", "整改时限", "date"), Column("days_overdue", "逾期天数", "int"),
]
SILENT_COLUMNS = [
    Column("unit", "责任单位"), Column("last_report", "最近报送日期", "date"),
    Column("days_silent", "未报送天数", "int"), Column("note", "情况"),
]


def _caption(sheet: Worksheet, text: str) -> None:
    cell = sheet.cell(1, 1, neutralise(text))
    cell.data_type = "s"
    cell.font = CAPTION_FONT


def summary_rows(content: BriefingContent) -> list[tuple[str, object, str, str]]:
    """(指标, value, kind, 说明) rows of the 汇总 sheet, from the briefing's figures."""
    k, clock = content.briefing.kpis, content.briefing.countdown
    return [
        ("数据截至", content.as_of, "date", ""),
        ("测评日期", clock.test_date if clock.test_date else "未设置", "date", ""),
        ("距测评天数", clock.days_left, "int", "日历天，含当天"),
        ("距测评工作日", clock.working_days_left, "int", clock.calendar_note),
        ("累计排查问题", k.total, "int", ""),
        ("未整改", k.open, "int", "待整改 + 整改中"),
        (PENDING, k.pending, "int", ""),
        (IN_PROGRESS, k.in_progress, "int", ""),
        (RECTIFIED, k.rectified, "int", "含已销号"),
        (CLOSED, k.closed, "int", ""),
        ("整改率", k.rectify_rate, "percent", "（已整改 + 已销号）/ 累计"),
        ("销号率", k.close_rate, "percent", "已销号 / 累计"),
        ("逾期未整改", k.overdue, "int", "超过整改时限仍未整改"),
        ("较昨日新增", k.new_today, "int", ""),
        ("今日整改", k.rectified_today, "int", ""),
        ("未整改较昨日", k.delta_open, "int", ""),
        ("逾期较昨日", k.delta_overdue, "int", ""),
        ("近7日新增", k.new_week, "int", ""),
        ("近7日整改", k.rectified_week, "int", ""),
        ("近7日日均整改", clock.pace, "decimal", ""),
        ("测评日预计未整改", clock.projected_backlog, "int", "按近7日整改进度"),
        ("清零需日均整改", clock.needed_per_day, "decimal", ""),
        ("未报送单位", len(content.silent), "int", f"{content.settings.silent_days}天及以上未报送台账"),
    ]


def _summary_sheet(sheet: Worksheet, content: BriefingContent) -> None:
    _caption(sheet, f"创文督查通报数据汇总（{content.scope}）")
    for index, label in enumerate(("指标", "数值", "说明"), start=1):
        cell = sheet.cell(HEADER_ROW, index, label)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center")
    row = HEADER_ROW
    for row, (label, value, kind, note) in enumerate(summary_rows(content), start=HEADER_ROW + 1):
        for column, (item, item_kind) in enumerate(((label, "text"), (value, kind), (note, "text")), start=1):
            cell = sheet.cell(row, column)
            put_cell(cell, cell_value(item), item_kind)
            cell.font, cell.border = BODY_FONT, BORDER
    paragraph_row = row + 2
    sheet.cell(paragraph_row, 1, "晨报").font = CAPTION_FONT
    text = sheet.cell(paragraph_row + 1, 1)
    put_cell(text, cell_value(content.text))
    text.font = BODY_FONT
    text.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=paragraph_row + 1, start_column=1, end_row=paragraph_row + 1, end_column=3)
    widths = (20, 16, 50)
    for letter, width in zip("ABC", widths):
        sheet.column_dimensions[letter].width = width
    # Excel does not grow a merged cell's row: about one Chinese character per two width units,
    # 15 points a line, one line spare.
    lines = len(content.text) // (sum(widths) // 2) + 2
    sheet.row_dimensions[paragraph_row + 1].height = 15 * lines
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)


def _ranking_columns(measure: str) -> list[Column]:
    """The ranking sheet's columns: 整改率 always, and the figure ranked by when it is another."""
    if MEASURES[measure].column == "rectify_rate":
        return RANKING_COLUMNS
    ranked_by = Column("measure", measure, "percent" if MEASURES[measure].is_rate else "decimal")
    return [*RANKING_COLUMNS[:-1], ranked_by, RANKING_COLUMNS[-1]]


def _ranking_frame(content: BriefingContent) -> pd.DataFrame:
    mark = f"后{content.settings.last_n}名"
    frame = content.ranking.copy()
    frame["mark"] = frame["last_n"].map({True: mark, False: ""})
    return frame


def _silent_frame(content: BriefingContent) -> pd.DataFrame:
    frame = content.silent.copy()
    frame["note"] = ["从未报送台账" if pd.isna(days) else f"已{days}天未报送"
                     for days in frame["days_silent"]]
    return frame


def _overdue_cut_note(content: BriefingContent) -> str:
    listed, overdue = len(content.overdue_items), content.briefing.kpis.overdue
    return f"，共{overdue}条，仅列出前{listed}条" if listed < overdue else ""


def bulletin_from_content(content: BriefingContent) -> bytes:
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = SHEETS[0]
    _summary_sheet(summary, content)
    settings = content.settings
    ranking = _ranking_frame(content)
    tables = (
        ("点位类型", "按点位类型统计，最落后的在前", content.by_point_type, POINT_TYPE_COLUMNS, ()),
        ("单位排名", f"责任单位{settings.ranking_measure}排名：问题不少于{settings.min_group_size}条的单位参加，"
                     f"红色为后{settings.last_n}名", ranking, _ranking_columns(settings.ranking_measure),
         [i for i, last in enumerate(ranking["last_n"]) if last]),
        ("逾期问题清单", "逾期未整改问题，按单位、整改时限最早在前" + _overdue_cut_note(content),
         content.overdue_items, OVERDUE_COLUMNS, ()),
        ("未报送单位", f"{settings.silent_days}天及以上未报送台账的单位", _silent_frame(content), SILENT_COLUMNS, ()),
    )
    for name, caption, frame, columns, marked in tables:
        sheet = workbook.create_sheet(name)
        _caption(sheet, f"{caption}（{content.scope}）")
        write_table(sheet, frame, columns, first_row=HEADER_ROW, marked_rows=marked)
    return workbook_bytes(workbook)


def build_bulletin(con: duckdb.DuckDBPyConnection, filters: Filters) -> bytes:
    """The 督查 bulletin workbook for the filters and their as-of day, as .xlsx bytes."""
    return bulletin_from_content(gather(con, filters))


def bulletin_file_name(filters: Filters) -> str:
    return f"督查通报数据_{filters.as_of_date:%Y%m%d}.xlsx"
