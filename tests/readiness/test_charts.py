"""Readiness figures as plain Python: what each draws, the line, the empty state."""
import dataclasses

import pandas as pd

from analytics.readiness import charts as rc
from analytics.readiness.model import Readiness

RESULT = Readiness(field=84.3, online=60.7, survey=83.4, projected=74.7, best_case=80.5, online_best=75.3,
                   weights={"field": 40.0, "online": 40.0, "survey": 20.0}, field_round="第二轮",
                   survey_round="第二轮", online_standards=20, online_by_status={}, online_returned={},
                   online_missing=1, online_overdue=0, lost_by_unit={}, missing_parts=())


def test_parts_chart_draws_the_projection_its_parts_the_best_case_and_the_line():
    fig = rc.parts_chart(RESULT, line=85, title="若今日测评", subtitle="数据截至")
    best, now = fig.data
    assert list(now.y) == ["预计得分", "实地考察（权重40）", "网上申报（权重40）", "问卷调查（权重20）"]
    assert list(now.x) == [74.7, 84.3, 60.7, 83.4]
    assert list(best.x) == [80.5, None, 75.3, None]   # only where pending materials would add
    assert fig.layout.shapes[0].x0 == 85


def test_parts_chart_says_which_part_has_no_data():
    missing = dataclasses.replace(RESULT, field=None, projected=None, best_case=None)
    fig = rc.parts_chart(missing, line=85, title="t", subtitle="s")
    assert list(fig.data[-1].text)[:2] == ["暂无数据", "暂无数据"]


def test_open_materials_and_survey_charts():
    by_unit = pd.DataFrame({"unit": ["市文明办", "市教育局"], "returned": [2, 1], "missing": [0, 0],
                            "pending": [0, 1], "overdue": [2, 0], "open": [2, 2]})
    fig = rc.open_materials_chart(by_unit, title="t", subtitle="s")
    assert [trace.name for trace in fig.data[:3]] == ["被退回", "未报送", "待审核"]
    assert list(fig.data[3].text) == [" 2<br> 逾期2", " 2"]
    rates = pd.DataFrame({"round": ["第一轮", "第一轮", "第二轮", "第二轮"], "round_order": [1, 1, 2, 2],
                          "area": ["东城区", "西城区", "东城区", "西城区"], "indicator": ["满意度"] * 4,
                          "rate": [0.8, 0.9, 0.84, 0.92], "target": [0.85] * 4,
                          "below_target": [True, False, True, False]})
    latest = rc.survey_area_chart(rates[rates["round_order"] == 2], title="t", subtitle="s")
    assert list(latest.data[0].text) == ["84.0▼", "92.0"] and list(latest.data[1].y) == [85.0, 85.0]
    rounds = rc.survey_rounds_chart(rates, title="t", subtitle="s")
    assert list(rounds.data[0].x) == ["第一轮", "第二轮"]
    assert [round(y, 1) for y in rounds.data[0].y] == [85.0, 88.0]
    empty = rc.survey_rounds_chart(rates.iloc[0:0], title="t", subtitle="s")
    assert empty.layout.annotations[0].text == "当前筛选条件下暂无数据"
