"""The figure builders as plain Python: colours, order, titles, axes and the burn-down geometry."""
import datetime as dt

import pandas as pd
import pytest

from analytics.ledger import charts
from analytics.shared import statuses
from analytics.shared.filters import Filters

AS_OF = dt.date(2026, 11, 20)

# Three 点位 types as metrics() gives them (worst first): counts per status and overdue.
BY_TYPE = pd.DataFrame({
    "point_type": ["背街小巷", "居民小区", "公园"],
    "pending": [5, 2, 0], "in_progress": [3, 1, 1], "rectified": [2, 4, 1], "closed": [0, 3, 2],
    "overdue": [4, 1, 0],
})


def _traces(fig, name):
    return [trace for trace in fig.data if trace.name == name]


def test_status_bars_one_trace_per_status_in_its_colour_worst_on_top():
    fig = charts.status_bars(BY_TYPE, "point_type", title="各点位类型", subtitle="数据截至")
    for status, column in statuses.STATUS_COLUMNS.items():
        (trace,) = _traces(fig, status)
        assert trace.marker.color == charts.STATUS_COLORS[status]
        assert list(trace.x) == BY_TYPE[column].tolist()
        assert list(trace.y) == BY_TYPE["point_type"].tolist()
    # plotly draws the first category at the bottom: the array is reversed so 背街小巷 is on top
    assert list(fig.layout.yaxis.categoryarray) == ["公园", "居民小区", "背街小巷"]
    assert fig.layout.barmode == "stack"
    assert fig.layout.yaxis.title.text == "点位类型"
    assert fig.layout.xaxis.title.text == "问题数（条）"
    labels = next(trace for trace in fig.data if trace.type == "scatter").text
    assert labels[0] == " 10（逾期4）"   # 5 + 3 + 2 + 0, 4 overdue
    assert labels[2] == " 4"             # 0 + 1 + 1 + 2, none overdue


def test_status_colours_are_distinct_and_cover_every_status():
    assert set(charts.STATUS_COLORS) == set(statuses.STATUS_COLUMNS)
    assert len(set(charts.STATUS_COLORS.values())) == len(charts.STATUS_COLORS)


@pytest.mark.parametrize("build", [
    lambda: charts.status_bars(BY_TYPE, "point_type", title="标题", subtitle="副标题"),
    lambda: charts.trend_chart(pd.DataFrame({"period_start": [AS_OF], "new": [1], "rectified": [0],
                                             "backlog": [1]}), period="day", title="标题", subtitle="副标题"),
    lambda: charts.burndown_chart(pd.DataFrame({"period_end": [AS_OF], "backlog": [3]}), as_of=AS_OF,
                                  open_now=3, test_date=AS_OF + dt.timedelta(days=10), pace=1.0,
                                  title="标题", subtitle="副标题"),
    lambda: charts.ranking_bars(pd.DataFrame({"unit": ["甲"], "rectify_rate": [0.5]}), label="unit",
                                value="rectify_rate", value_title="整改率", highlight=set(), title="标题",
                                subtitle="副标题"),
])
def test_every_figure_has_cjk_font_title_and_subtitle(build):
    fig = build()
    assert fig.layout.font.family == charts.FONT_FAMILY
    assert "Noto Sans CJK SC" in fig.layout.font.family
    assert fig.layout.title.text == "标题"
    assert fig.layout.title.subtitle.text == "副标题"


@pytest.mark.parametrize("build", [
    lambda empty: charts.status_bars(empty.assign(point_type=[]), "point_type", title="t", subtitle="s"),
    lambda empty: charts.trend_chart(empty, period="week", title="t", subtitle="s"),
    lambda empty: charts.trend_small_multiples(empty.assign(point_type=[]), "point_type", period="week",
                                               title="t", subtitle="s"),
    lambda empty: charts.ranking_bars(empty.assign(unit=[], rectify_rate=[]), label="unit",
                                      value="rectify_rate", value_title="整改率", highlight=set(),
                                      title="t", subtitle="s"),
])
def test_empty_frames_say_there_is_no_data(build):
    fig = build(pd.DataFrame())
    assert [a.text for a in fig.layout.annotations] == ["当前筛选条件下暂无数据"]


def test_trend_chart_bars_for_flows_and_backlog_on_the_second_axis():
    frame = pd.DataFrame({"period_start": pd.to_datetime(["2026-11-02", "2026-11-09"]),
                          "new": [7, 4], "rectified": [3, 6], "backlog": [10, 8]})
    fig = charts.trend_chart(frame, period="week", title="t", subtitle="s")
    (new,) = [t for t in fig.data if t.name.startswith("新增")]
    (done,) = [t for t in fig.data if t.name.startswith("整改")]
    (backlog,) = [t for t in fig.data if t.name.startswith("未整改积压")]
    assert (list(new.y), list(done.y), list(backlog.y)) == ([7, 4], [3, 6], [10, 8])
    assert new.type == done.type == "bar" and backlog.type == "scatter"
    assert backlog.yaxis == "y2"
    assert fig.layout.xaxis.title.text == "周（周一起）"
    assert fig.layout.xaxis.tickformat == "%-m月%-d日"


def test_small_multiples_one_panel_per_value_in_frame_order():
    frame = pd.DataFrame({"period_start": [AS_OF] * 4, "point_type": ["公园", "小区", "公园", "广场"],
                          "new": [1, 2, 3, 4], "backlog": [1, 2, 3, 4]})
    fig = charts.trend_small_multiples(frame, "point_type", period="day", title="t", subtitle="s", columns=2)
    panel_titles = [a.text for a in fig.layout.annotations][:3]
    assert panel_titles == ["公园", "小区", "广场"]
    assert sum(1 for t in fig.data if t.showlegend) == 2   # 新增 and 积压 in the legend once


@pytest.mark.parametrize(("open_now", "pace", "days_left", "ends_at_day", "ends_at_value"), [
    (30, 0.0, 10, 10, 30),     # no pace: the whole backlog is still there on the 测评 day
    (30, 2.0, 10, 10, 10),     # 30 − 2 × 10 = 10 left
    (30, 5.0, 10, 6, 0),       # cleared after ⌈30 / 5⌉ = 6 days, before the 测评
    (31, 5.0, 10, 7, 0),       # ⌈31 / 5⌉ = 7
])
def test_burndown_projection_follows_the_pace(open_now, pace, days_left, ends_at_day, ends_at_value):
    test_date = AS_OF + dt.timedelta(days=days_left)
    history = pd.DataFrame({"period_end": [AS_OF - dt.timedelta(days=1), AS_OF], "backlog": [open_now + 1, open_now]})
    fig = charts.burndown_chart(history, as_of=AS_OF, open_now=open_now, test_date=test_date, pace=pace,
                                title="t", subtitle="s")
    (actual,) = _traces(fig, "实际未整改")
    assert list(actual.y) == [open_now + 1, open_now]
    (path,) = _traces(fig, "清零路径")
    assert list(path.x) == [AS_OF, test_date] and list(path.y) == [open_now, 0]
    (projection,) = [t for t in fig.data if t.name.startswith("按近7日进度预测")]
    assert projection.x[0] == AS_OF and projection.y[0] == open_now
    assert projection.x[-1] == AS_OF + dt.timedelta(days=ends_at_day)
    assert projection.y[-1] == ends_at_value
    assert any("测评日" in a.text for a in fig.layout.annotations)


def test_burndown_without_test_date_shows_only_the_actual_backlog():
    history = pd.DataFrame({"period_end": [AS_OF], "backlog": [4]})
    fig = charts.burndown_chart(history, as_of=AS_OF, open_now=4, test_date=None, pace=1.0, title="t", subtitle="s")
    assert [t.name for t in fig.data] == ["实际未整改"]


def test_ranking_marks_the_highlighted_names_in_red():
    frame = pd.DataFrame({"unit": ["甲", "乙", "丙", "丁"], "rectify_rate": [0.9, 0.8, 0.5, 0.4]})
    fig = charts.ranking_bars(frame, label="unit", value="rectify_rate", value_title="整改率",
                              highlight={"丙", "丁"}, title="t", subtitle="s", highlight_name="后2名")
    (marked,) = _traces(fig, "后2名")
    (others,) = _traces(fig, "其他单位")
    assert list(marked.y) == ["丙", "丁"] and marked.marker.color == charts.SERIES_COLORS["后几名"]
    assert list(others.y) == ["甲", "乙"]
    assert list(marked.text) == ["50.0%", "40.0%"]
    assert list(fig.layout.yaxis.categoryarray) == ["丁", "丙", "乙", "甲"]   # 甲 (first) on top
    assert fig.layout.xaxis.tickformat == ".0%"


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(as_of=AS_OF), "数据截至2026年11月20日"),
    (Filters(as_of=AS_OF, date_from=dt.date(2026, 10, 1)), "数据截至2026年11月20日｜发现于2026年10月1日至今"),
    (Filters(as_of=AS_OF, units=("城关街道",), point_types=("公园", "广场")),
     "数据截至2026年11月20日｜单位：城关街道｜点位类型：公园、广场"),
    (Filters(as_of=AS_OF, categories=("甲", "乙", "丙", "丁")), "数据截至2026年11月20日｜问题类别：甲、乙、丙等4个"),
])
def test_scope_note_states_date_and_filters(filters, expected):
    assert charts.scope_note(filters) == expected
