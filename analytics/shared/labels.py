"""Display words and formats, in one place: what the product calls each dimension and each column
of an analytics frame, and how it writes dates and rates. Pages, charts, the deck, the workbook and
the command line take them from here, so a word or a format changes everywhere at once."""
from __future__ import annotations

import datetime as dt

from analytics.shared.statuses import STATUS_COLUMNS

# The dimensions a figure can be broken down by: column of the scoped relation -> Chinese label.
DIMENSIONS = {
    "point_type": "点位类型",
    "category": "问题类别",
    "unit": "责任单位",
    "district": "区县/街道",
    "source": "问题来源",
}
# The dimensions the falling-behind flags are worked out for (briefing, deck, 督查 page).
BEHIND_DIMENSIONS = {by: DIMENSIONS[by] for by in ("point_type", "category", "unit")}

# Column names of analytics frames -> what tables show (the pages' tables and their downloads).
COLUMN_LABELS = {
    "group": "组", "cell": "单元格", "refused": "未采用原因", "before_thumbnail": "整改前照片", "after_thumbnail": "整改后照片", "no_evidence": "无佐证",
    "early": "照片早于发现", "before_count": "整改前照片数", "after_count": "整改后照片数",
    # accountability on a round (analytics/accountability/rule.py)
    "work_item": "单项工作", "place": "倒数名次", "called": "问责", "lost_by_unit": "丢分单位（谁丢分、谁领责）",
    "called_reasons": "问责理由", "lost_standards": "丢分最多的测评标准", "points_lost": "丢分",
    "point_type": "点位类型", "category": "问题类别", "unit": "责任单位", "district": "区县/街道",
    "source": "问题来源", "total": "问题总数", **{column: status for status, column in STATUS_COLUMNS.items()},
    "open": "未整改", "overdue": "逾期", "flagged": "待核",
    "rectify_rate": "整改率", "close_rate": "销号率", "share": "占比", "avg_days_to_rectify": "平均整改天数",
    "delta_total_day": "较昨日新增", "delta_open_day": "未整改较昨日", "delta_overdue_day": "逾期较昨日",
    "delta_total_week": "较上周新增", "delta_open_week": "未整改较上周", "delta_overdue_week": "逾期较上周",
    "problem_key": "内部编号", "problem_number": "问题编号", "status": "整改状态", "point_name": "点位名称", "description": "问题描述",
    "found_date": "发现日期", "deadline": "整改时限", "rectified_date": "整改完成日期",
    "closed_date": "销号日期", "status_raw": "台账原文状态", "remark": "备注", "flags": "待核原因",
    "ledger_unit": "报送单位", "sheet": "工作表", "source_row": "行号", "first_import_id": "首次导入",
    "last_import_id": "最近导入", "import_id": "导入编号", "file_name": "文件名", "unit_source": "单位来自",
    "report_date": "台账截至", "effective_date": "生效日期", "imported_at": "导入时间",
    "imported_by": "导入人", "rows_read": "读取行数", "rows_new": "新增", "rows_updated": "更新",
    "rows_flagged": "待核", "undone_at": "撤销时间", "undone_by": "撤销人",
    "reasons": "落后原因", "rank": "排名", "days_overdue": "逾期天数",
    "last_report": "最近报送", "days_silent": "未报送天数", "kind": "类别", "active": "需报送",
    "rebound_rate": "反弹率", "rebounds": "反弹数", "rebounded": "被反弹问题", "done": "已整改数",
    "found_day": "发现日期", "days_after": "整改后天数", "earlier_key": "原问题编号",
    "alias": "别名", "canonical": "点位类型（标准）", "builtin": "内置", "raw_names": "台账写法",
    "problems": "问题数", "units": "单位数", "unit_names": "责任单位", "period_start": "起始日", "period_end": "截止日",
    "new": "新增", "backlog": "未整改积压", "backlog_before": "期初积压",
    "new_ma7": "新增7日均", "rectified_ma7": "整改7日均", "closed_ma7": "销号7日均",
    # 模拟测评 scores
    "score": "得分", "points": "点位数", "lowest": "最低点位得分", "deducted": "扣分合计",
    "change": "较上轮", "rank_from_last": "倒数名次", "below_line": "低于合格线", "item": "测评项目",
    "standard": "测评标准", "max_points": "分值", "deduction": "扣分", "reason": "存在问题",
    "ledger_state": "台账现状", "ledger_problems": "台账问题数", "ledger_open": "其中未整改", "lost": "扣分合计",
    "deductions": "扣分项数", "rounds": "被测评轮数", "last_score": "最近得分", "round_name": "测评轮次",
    "stated_score": "表中得分",
    "done_ever": "曾报已整改或经复测", "rework_rate": "返工率", "reopened_week": "近7天返工",
    "reopened_day": "返工日期", "repeated": "其中复测反复",
    "evidence_text": "依据", "evidence": "依据", "reopened": "返工数", "rate_change": "整改率变化",
}
PERCENT_COLUMNS = {"rectify_rate", "close_rate", "share", "rebound_rate", "rework_rate", "rate_change"}
DECIMAL_COLUMNS = {"avg_days_to_rectify", "new_ma7", "rectified_ma7", "closed_ma7", "score", "change",
                   "lowest", "last_score", "points_lost"}
TIME_COLUMNS = {"imported_at", "undone_at"}


def chinese_date(day: dt.date) -> str:
    """2026年11月5日: a full date in titles and notes."""
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(day: dt.date) -> str:
    """11月5日: how dates are said in briefings and reasons."""
    return f"{day.month}月{day.day}日"


def window_text(first: dt.date, last: dt.date | None) -> str:
    """12月18日至22日 (12月30日至1月3日 across a month); a single day as 12月18日."""
    if last is None or last == first:
        return month_day(first)
    return f"{month_day(first)}至{f'{last.day}日' if last.month == first.month else month_day(last)}"


def percent(rate: float) -> str:
    """50.0%: a rate to one decimal."""
    return f"{rate:.1%}"
