"""How the pages show things: every chart (with the slide-sized camera and the page's zip of
pictures), every table (under Chinese column names, with its downloads), the briefing's files."""
from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import charts, db
from analytics.exports import images
from analytics.exports.files import EXPORT_KINDS, export_bytes, export_file_name
from analytics.exports.tables import CSV_MIME, XLSX_MIME, table_csv, table_xlsx
from analytics.filters import Filters
from dashboard.data import database_path
from dashboard.sidebar import filters

# The charts drawn in this session's current page run, offered together after the page.
_drawn = threading.local()


@contextlib.contextmanager
def offering_page_charts() -> Iterator[None]:
    """Around a page run: the charts it drew are then offered as one zip of slide-sized pictures."""
    _drawn.title, _drawn.charts = "", []
    yield
    if _drawn.charts:
        _charts_download(_drawn.title, _drawn.charts)


def name_page_charts(title: str) -> None:
    """The page's title names its zip of pictures."""
    _drawn.title = title


def chart_config(file_name: str) -> dict:
    """The modebar camera saves a slide-sized PNG (1920×1080) under a Chinese file name, laid out
    at 1280×720 and drawn at 1.5× like the server-side pictures, so text reads on a slide."""
    return {"toImageButtonOptions": {"format": "png", "filename": file_name,
                                     "width": charts.SLIDE_LAYOUT_WIDTH, "height": charts.SLIDE_LAYOUT_HEIGHT,
                                     "scale": charts.EXPORT_WIDTH / charts.SLIDE_LAYOUT_WIDTH},
            "displaylogo": False}


def show_chart(fig, file_name: str, **kwargs):
    """Every chart goes through here: drawn with the slide-sized camera, and kept for the page's
    zip of pictures."""
    _drawn.charts.append((file_name, fig))
    return st.plotly_chart(fig, width="stretch", theme=None, config=chart_config(file_name), **kwargs)


@st.cache_resource(show_spinner=False)
def _chart_images_unavailable() -> str | None:
    """Why the server cannot render chart pictures, or None (checked once per process: installing
    Chromium or fonts means restarting the dashboard anyway)."""
    return images.unavailable_reason()


def _charts_download(title: str, named_figures: list) -> None:
    reason = _chart_images_unavailable()
    if reason:
        st.caption(reason)
        return
    # Rendered (kaleido + Chromium, a few seconds) only when clicked.
    st.download_button("下载本页全部图表（PNG图片，幻灯片尺寸）", functools.partial(images.charts_zip, named_figures),
                       file_name=images.zip_file_name(title, filters()), mime=images.ZIP_MIME,
                       on_click="ignore", icon=":material/photo_library:", key="page_charts_zip")


def _export_file(path: Path, kind: str, current: Filters) -> bytes:
    with db.connect(path, read_only=True) as con:
        return export_bytes(con, kind, current)


def briefing_downloads(current: Filters) -> None:
    """The briefing deck (.pptx), the 督查 bulletin workbook (.xlsx) and the briefing's charts (zip of
    PNG) for the current filters, each made only when its button is clicked."""
    reason = _chart_images_unavailable()
    with st.container(horizontal=True, gap="small"):
        for kind, export in EXPORT_KINDS.items():
            st.download_button(f"下载{export.label}", functools.partial(_export_file, database_path(), kind, current),
                               file_name=export_file_name(kind, current), mime=export.mime, on_click="ignore",
                               disabled=kind == "png" and bool(reason), help=reason if kind == "png" else None,
                               icon=":material/download:", key=f"export_{kind}")


# Column names of analytics frames -> what the tables show.
COLUMN_LABELS = {
    "point_type": "点位类型", "category": "问题类别", "unit": "责任单位", "district": "区县/街道",
    "source": "问题来源", "total": "问题总数", "pending": "待整改", "in_progress": "整改中",
    "rectified": "已整改", "closed": "已销号", "open": "未整改", "overdue": "逾期", "flagged": "待核",
    "rectify_rate": "整改率", "close_rate": "销号率", "share": "占比", "avg_days_to_rectify": "平均整改天数",
    "delta_total_day": "较昨日新增", "delta_open_day": "未整改较昨日", "delta_overdue_day": "逾期较昨日",
    "delta_total_week": "较上周新增", "delta_open_week": "未整改较上周", "delta_overdue_week": "逾期较上周",
    "problem_key": "问题编号", "status": "整改状态", "point_name": "点位名称", "description": "问题描述",
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
}
_PERCENT_COLUMNS = {"rectify_rate", "close_rate", "share", "rebound_rate"}
_DECIMAL_COLUMNS = {"avg_days_to_rectify", "new_ma7", "rectified_ma7", "closed_ma7", "score", "change",
                    "lowest", "last_score"}
_TIME_COLUMNS = {"imported_at", "undone_at"}


def _column_formats(frame: pd.DataFrame) -> dict:
    """Rates as percentages, averages to one decimal, days as dates (times only where they matter)."""
    config = {}
    for column in frame.columns:
        label = COLUMN_LABELS.get(column, column)
        if column in _PERCENT_COLUMNS:
            config[label] = st.column_config.NumberColumn(format="percent")
        elif column in _DECIMAL_COLUMNS:
            config[label] = st.column_config.NumberColumn(format="%.1f")
        elif column in _TIME_COLUMNS:
            config[label] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        elif pd.api.types.is_datetime64_any_dtype(frame[column]):
            config[label] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return config


def show_table(frame: pd.DataFrame, name: str, *, column_config: dict | None = None, **kwargs):
    """Every table goes through here, under Chinese column names, with .xlsx and CSV (UTF-8 with
    BOM) downloads of exactly what is shown. `name` names the files (unique on a page); extra
    keyword arguments go to st.dataframe (selection, height…)."""
    shown = frame.rename(columns=COLUMN_LABELS)
    config = _column_formats(frame) | (column_config or {})
    drawn = st.dataframe(shown, hide_index=True, column_config=config, placeholder="", **kwargs)
    _download_buttons(shown, name)
    return drawn


def _download_buttons(shown: pd.DataFrame, name: str) -> None:
    stem = f"{name}_{filters().as_of_date:%Y%m%d}"
    with st.container(horizontal=True, gap="small"):
        # The files are made only when clicked (the callables), so drawing a page stays cheap.
        st.download_button("下载Excel", lambda: table_xlsx(shown, name), file_name=f"{stem}.xlsx", mime=XLSX_MIME,
                           on_click="ignore", type="tertiary", icon=":material/download:", key=f"xlsx_{name}")
        st.download_button("下载CSV", lambda: table_csv(shown), file_name=f"{stem}.csv", mime=CSV_MIME,
                           on_click="ignore", type="tertiary", icon=":material/download:", key=f"csv_{name}")
