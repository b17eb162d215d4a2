"""Plotly figures for the pages and the exports: pure functions from analytics frames to figures.

Every figure states what it shows and the data date in its title (a chart pasted into a slide still
tells its story), uses Chinese axis titles, a CJK font family, and the same colour for a status
everywhere. No Streamlit here: the exports render these figures with kaleido and the tests inspect
them as plain Python.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.shared.figures import bar_height, end_label_room, end_labels, layout, no_data
from analytics.shared.statuses import PENDING, STATUS_COLUMNS
from analytics.shared.theme import LABEL, SERIES_COLORS, STATUS_COLORS
from analytics.shared.filters import Filters
from analytics.shared.labels import DIMENSIONS, chinese_date
from analytics.shared.labels import percent as percent_text

# The modebar camera and the server-side export make slide-sized pictures (16:9): laid out at
# 1280×720 and drawn at 1.5×, so the text is as large on a slide as on the page.
EXPORT_WIDTH, EXPORT_HEIGHT = 1920, 1080
SLIDE_LAYOUT_WIDTH, SLIDE_LAYOUT_HEIGHT = 1280, 720


def _short_list(values: tuple[str, ...], limit: int = 3) -> str:
    shown = "、".join(values[:limit])
    return shown + (f"等{len(values)}个" if len(values) > limit else "")


def scope_note(filters: Filters) -> str:
    """The data date and the filters in force, for a chart's subtitle."""
    parts = [f"数据截至{chinese_date(filters.as_of_date)}"]
    if filters.date_from or filters.date_to:
        start = chinese_date(filters.date_from) if filters.date_from else "最早"
        end = chinese_date(filters.date_to) if filters.date_to else "今"
        parts.append(f"发现于{start}至{end}")
    for label, values in (("单位", filters.units), ("区域", filters.districts),
                          ("点位类型", filters.point_types), ("问题类别", filters.categories),
                          ("来源", filters.sources), ("联点领导", filters.leaders), ("网格", filters.grids)):
        if values:
            parts.append(f"{label}：{_short_list(values)}")
    return "｜".join(parts)


def _date_axes(fig: go.Figure) -> None:
    """Chinese dates on the time axes (plotly's own ticks are English month names)."""
    fig.update_xaxes(tickformat="%-m月%-d日", hoverformat="%Y年%-m月%-d日")


def status_bars(frame: pd.DataFrame, by: str, *, title: str, subtitle: str) -> go.Figure:
    """Horizontal bars stacked by status, one per value of `by`, the first row of `frame` on top
    (metrics() sorts worst first)."""
    label = DIMENSIONS[by]
    fig = go.Figure()
    if frame.empty:
        return no_data(layout(fig, title, subtitle))
    names = frame[by].astype(str).tolist()
    for status, column in STATUS_COLUMNS.items():
        fig.add_bar(y=names, x=frame[column].tolist(), name=status, orientation="h",
                    marker_color=STATUS_COLORS[status],
                    hovertemplate=f"%{{y}}<br>{status}：%{{x}}条<extra></extra>")
    totals = (frame[list(STATUS_COLUMNS.values())].sum(axis=1)).tolist()
    overdue = frame["overdue"].tolist() if "overdue" in frame else [0] * len(names)
    ends = end_labels(totals, overdue)
    fig.add_scatter(y=names, x=totals, mode="text", showlegend=False, hoverinfo="skip", text=ends,
                    textposition="middle right", textfont=dict(size=12, color=LABEL), cliponaxis=False)
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_yaxes(title_text=label, categoryorder="array", categoryarray=names[::-1], automargin=True)
    fig.update_xaxes(title_text="问题数（条）", range=[0, max(totals + [1]) * 1.02])
    return layout(fig, title, subtitle, height=bar_height(len(names)), right_labels=end_label_room(ends), label_size=12)


def trend_chart(frame: pd.DataFrame, *, period: str, title: str, subtitle: str) -> go.Figure:
    """New and rectified per period as bars, the open backlog at the end of each period as a line."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if frame.empty:
        return no_data(layout(fig, title, subtitle))
    x = frame["period_start"]
    unit_word = "日" if period == "day" else "周"
    fig.add_bar(x=x, y=frame["new"], name=f"新增（条/{unit_word}）", marker_color=SERIES_COLORS["新增"],
                secondary_y=False)
    fig.add_bar(x=x, y=frame["rectified"], name=f"整改（条/{unit_word}）", marker_color=SERIES_COLORS["整改"],
                secondary_y=False)
    fig.add_scatter(x=x, y=frame["backlog"], name="未整改积压（条）", mode="lines+markers",
                    line=dict(color=SERIES_COLORS["积压"], width=3), marker=dict(size=5), secondary_y=True)
    fig.update_layout(barmode="group", bargap=0.2)
    _date_axes(fig)
    fig.update_xaxes(title_text="日期" if period == "day" else "周（周一起）")
    fig.update_yaxes(title_text=f"每{unit_word}问题数（条）", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="未整改积压（条）", rangemode="tozero", showgrid=False, secondary_y=True)
    return layout(fig, title, subtitle, height=480)


def trend_small_multiples(frame: pd.DataFrame, by: str, *, period: str, title: str, subtitle: str,
                          columns: int = 3) -> go.Figure:
    """One small panel per value of `by` (in the order they first appear in `frame`): the backlog
    line over new problems as bars, on a shared time axis."""
    keys = list(dict.fromkeys(frame[by].astype(str))) if not frame.empty else []
    if not keys:
        return no_data(layout(go.Figure(), title, subtitle))
    rows = math.ceil(len(keys) / columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=keys, shared_xaxes=True,
                        vertical_spacing=min(0.12, 0.5 / rows), horizontal_spacing=0.06)
    for index, key in enumerate(keys):
        part = frame[frame[by].astype(str) == key]
        row, col = divmod(index, columns)
        first = index == 0
        fig.add_bar(x=part["period_start"], y=part["new"], name="新增", marker_color=SERIES_COLORS["新增"],
                    opacity=0.55, showlegend=first, legendgroup="new", row=row + 1, col=col + 1)
        fig.add_scatter(x=part["period_start"], y=part["backlog"], name="未整改积压", mode="lines",
                        line=dict(color=SERIES_COLORS["积压"], width=2), showlegend=first,
                        legendgroup="backlog", row=row + 1, col=col + 1)
    fig.update_yaxes(rangemode="tozero")
    _date_axes(fig)
    fig.update_annotations(font_size=14)
    fig.add_annotation(text="问题数（条）", textangle=-90, showarrow=False, xref="paper", yref="paper",
                       x=-0.05, y=0.5, font=dict(size=13))
    fig.add_annotation(text="日期" if period == "day" else "周（周一起）", showarrow=False,
                       xref="paper", yref="paper", x=0.5, y=-0.08, font=dict(size=13))
    layout(fig, title, subtitle, height=max(360, 200 * rows + 140))
    # room on the left and below for the shared axis titles (the legend is under them)
    fig.update_layout(margin=dict(l=70, b=100))
    return fig


def burndown_chart(backlog: pd.DataFrame, *, as_of: dt.date, open_now: int, test_date: dt.date | None,
                   pace: float, title: str, subtitle: str) -> go.Figure:
    """The actual open backlog per day (`backlog`: period_end, backlog), the straight path from today's
    backlog to zero on the 测评 day, and where the current pace (problems leaving per day) leads."""
    fig = go.Figure()
    if not backlog.empty:
        fig.add_scatter(x=backlog["period_end"], y=backlog["backlog"], name="实际未整改", mode="lines",
                        line=dict(color=SERIES_COLORS["积压"], width=3))
    if test_date is not None and test_date > as_of:
        fig.add_scatter(x=[as_of, test_date], y=[open_now, 0], name="清零路径", mode="lines",
                        line=dict(color=SERIES_COLORS["清零路径"], width=2, dash="dash"))
        days = (test_date - as_of).days
        if pace > 0 and open_now / pace < days:
            zero_day = as_of + dt.timedelta(days=math.ceil(open_now / pace))
            xs, ys = [as_of, zero_day], [open_now, 0]
        else:
            xs, ys = [as_of, test_date], [open_now, max(0.0, open_now - pace * days)]
        fig.add_scatter(x=xs, y=ys, name=f"按近7日进度预测（日均净{'减少' if pace >= 0 else '增加'}{abs(pace):.1f}条）", mode="lines",
                        line=dict(color=SERIES_COLORS["预测"], width=2, dash="dot"))
    if test_date is not None:
        fig.add_shape(type="line", x0=test_date, x1=test_date, y0=0, y1=1, yref="paper",
                      line=dict(color=STATUS_COLORS[PENDING], width=2))
        fig.add_annotation(x=test_date, y=0.9, yref="paper", text=f"测评日<br>{test_date.month}月{test_date.day}日",
                           showarrow=False, xanchor="right", align="right",
                           font=dict(color=STATUS_COLORS[PENDING]))
    if not fig.data:
        return no_data(layout(fig, title, subtitle))
    _date_axes(fig)
    fig.update_xaxes(title_text="日期")
    fig.update_yaxes(title_text="未整改问题（条）", rangemode="tozero")
    return layout(fig, title, subtitle, height=440)


def ranking_bars(frame: pd.DataFrame, *, label: str, value: str, value_title: str, highlight: set[str],
                 title: str, subtitle: str, percent: bool = True, highlight_name: str = "后三名") -> go.Figure:
    """Horizontal bars of `value` per `label` in the frame's order (first on top), the names in
    `highlight` in red."""
    fig = go.Figure()
    if frame.empty:
        return no_data(layout(fig, title, subtitle))
    names = frame[label].astype(str).tolist()
    values = frame[value].astype(float).tolist()
    marked = [name in highlight for name in names]
    text = [(percent_text(v) if percent else f"{v:g}") if not math.isnan(v) else "" for v in values]
    for flag, series in ((False, "其他"), (True, "后几名")):
        picked = [i for i, m in enumerate(marked) if m == flag]
        if not picked:
            continue
        fig.add_bar(y=[names[i] for i in picked], x=[values[i] for i in picked], orientation="h",
                    name=highlight_name if flag else "其他单位", marker_color=SERIES_COLORS[series],
                    text=[text[i] for i in picked], textposition="outside", cliponaxis=False,
                    hovertemplate=f"%{{y}}<br>{value_title}：%{{text}}<extra></extra>")
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1], automargin=True)
    fig.update_xaxes(title_text=value_title, rangemode="tozero",
                     tickformat=".0%" if percent else None)
    fig.update_layout(barmode="overlay", bargap=0.25)
    return layout(fig, title, subtitle, height=bar_height(len(names)), right_labels=text)
