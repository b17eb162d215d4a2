"""The score figures: bars lowest first in three colours with the pass line, a line per type across
rounds, the most-lost standards; an empty frame says so."""
import pandas as pd

from analytics.scores import charts as score_charts

TYPES = pd.DataFrame({"name": ["居民小区", "农贸市场", "公园"], "score": [84.99, 70.0, 92.5]})


def test_score_bars_colour_by_last_n_and_line():
    figure = score_charts.score_bars(TYPES, line=85, last_n={"农贸市场"}, title="t", subtitle="s")
    groups = {bar.name: list(bar.y) for bar in figure.data}
    assert groups == {"后三名": ["农贸市场"], "低于85分": ["居民小区"], "达标": ["公园"]}
    assert list(figure.layout.yaxis.categoryarray) == ["公园", "居民小区", "农贸市场"]   # lowest on top
    assert [shape.x0 for shape in figure.layout.shapes] == [85]


def test_score_trend_has_a_line_per_type_and_gaps_where_a_round_missed_it():
    frame = pd.DataFrame({"round_name": ["第一轮", "第一轮", "第二轮"], "name": ["公园", "居民小区", "公园"],
                          "score": [80.0, 70.0, 90.0]})
    figure = score_charts.score_trend(frame, line=85, title="t", subtitle="s")
    lines = {trace.name: list(trace.y) for trace in figure.data}
    assert lines["公园"] == [80.0, 90.0] and lines["居民小区"][0] == 70.0 and pd.isna(lines["居民小区"][1])
    assert [shape.y0 for shape in figure.layout.shapes] == [85]


def test_lost_bars_and_empty_frames():
    lost = pd.DataFrame({"point_type": ["公园"], "name": ["无垃圾"], "lost": [12.0], "deductions": [3], "points": [2]})
    assert list(score_charts.lost_bars(lost, title="t", subtitle="s").data[0].y) == ["公园｜无垃圾"]
    empty = score_charts.score_bars(TYPES.iloc[0:0], line=85, title="t", subtitle="s")
    assert empty.layout.annotations[0].text == "当前筛选条件下暂无数据"
