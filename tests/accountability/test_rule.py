"""后三名且不足85分 and 谁丢分: the sample county's figures (counted by hand in expected.json) and rounds
built so each condition of the rule holds or fails alone; expectations come from the rule's words."""
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.accountability.rule import accountability
from analytics.fixtures import scores as score_fixtures
from analytics.intake import import_paths
from analytics.ledger.briefing import briefing, briefing_text
from analytics.shared import db, schema
from analytics.shared.filters import Filters

SAMPLES = Path(__file__).parents[1] / "samples" / "accountability"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
NOW = dt.datetime(2026, 11, 28, 9, 0)
ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("county") / "county.duckdb"
    schema.init_db(path)
    results = import_paths(path, [SAMPLES / EXPECTED["round1"]["file"], SAMPLES / EXPECTED["ledger"]["file"],
                                  SAMPLES / EXPECTED["round2"]["file"]], now=NOW)
    assert all(result.outcome == "imported" for result in results)
    return path


def _subset(got: dict, expected: dict) -> dict:
    return {key: got[key] for key in expected}


@pytest.mark.parametrize("round_key", ["round1", "round2"])
def test_the_command_line_reproduces_the_sample(county, round_key):
    expected = EXPECTED[round_key]["accountability"]
    completed = subprocess.run(
        [sys.executable, "-m", "analytics", "accountability", "--json", "--round", EXPECTED[round_key]["round"]],
        capture_output=True, text=True, cwd=ROOT, env={"CHUANGWEN_DB": str(county), "PATH": "/usr/bin:/bin",
                                                       "PYTHONPATH": str(ROOT)}, check=True)
    got = json.loads(completed.stdout)
    assert _subset(got, {"round": 0, "line": 0, "last_n": 0}) == _subset(expected, {"round": 0, "line": 0, "last_n": 0})
    assert [_subset(item, want) for item, want in zip(got["items"], expected["items"])] == expected["items"]
    assert [_subset(unit, want) for unit, want in zip(got["units"], expected["units"])] == expected["units"]
    assert len(got["items"]) == len(expected["items"]) and len(got["units"]) == len(expected["units"])
    assert ([_subset(entry, want) for entry, want in zip(got["called_to_account"], expected["called_to_account"])]
            == expected["called_to_account"])
    assert len(got["called_to_account"]) == len(expected["called_to_account"])
    # every reason in plain Chinese with the figures
    for entry in got["called_to_account"]:
        assert len(entry["reasons"]) == (entry["unit_rule"] is not None) + len(entry["items"])
        for item in entry["items"]:
            assert (f"{item['name']}得分{round(item['score'], 2):g}分，列倒数第{item['place']}，低于85分；"
                    f"本单位在该项丢分{item['lost']:.1f}分") in entry["reasons"]


def test_the_briefing_names_the_units_under_the_line_and_those_called(county):
    with db.connect(county, read_only=True) as con:
        text = briefing_text(briefing(con, Filters(as_of=dt.date.fromisoformat(EXPECTED["briefing"]["as_of"]))))
    below = EXPECTED["briefing"]
    line = next(line for line in text.splitlines() if line.startswith(below["round"] + "模拟测评"))
    assert "无" not in line.split("单位：")[1].split("；")[0]
    assert all(unit in line.split("单位：")[1] for unit in below["units_below"])
    called = next(line for line in text.splitlines() if "被问责" in line)
    assert {name for name in called.rstrip("。").split("：")[-1].split("、")} == set(below["called"])


def _spot(point_type: str, name: str, unit: str) -> score_fixtures.ScoreSpot:
    return score_fixtures.ScoreSpot(point_type, name, unit)


def _lose(spot, *points: float) -> score_fixtures.SpotResult:
    return score_fixtures.SpotResult(spot, [("市容秩序", f"标准{i}", 30, float(p), f"问题{i}")
                                            for i, p in enumerate(points, start=1)])


def _county_of(tmp_path: Path, results: list) -> Path:
    round_ = score_fixtures.ScoreRound(1, dt.date(2026, 11, 12))
    round_.results.extend(results)
    path = tmp_path / "c.duckdb"
    schema.init_db(path)
    sheet = score_fixtures.write_deduction_detail(round_, tmp_path / "第一轮模拟测评扣分明细.xlsx")
    [result] = import_paths(path, [sheet], now=NOW)
    assert result.outcome == "imported", result.message
    return path


def test_both_conditions_at_once(tmp_path):
    # five units, one 点位 each in its own type; scores 70, 80, 86, 84, 95 → lowest first: 70, 80, 84, 86, 95
    scores = {"甲": 70.0, "乙": 80.0, "丙": 86.0, "丁": 84.0, "戊": 95.0}
    path = _county_of(tmp_path, [_lose(_spot(kind, f"{unit}点", f"{unit}街道"), 100 - score)
                                 for (unit, score), kind in zip(scores.items(),
                                                                ("背街小巷", "居民小区", "农贸市场", "公园", "医院"))])
    with db.connect(path, read_only=True) as con:
        result = accountability(con)
    places = {row.unit: row.place for row in result.units.itertuples()}
    assert places == {"甲街道": 1, "乙街道": 2, "丁街道": 3, "丙街道": 4, "戊街道": 5}
    called = {row.unit for row in result.units.itertuples() if row.called}
    # 丁 is third from last and under 85: called; 丙 at 86 is fourth: not
    assert called == {"甲街道", "乙街道", "丁街道"}
    assert set(result.called_names()) == called


def test_among_the_last_three_at_the_line_is_not_called(tmp_path):
    # six units: the third from last scores exactly 85.0
    scores = {"甲": 60.0, "乙": 70.0, "丙": 85.0, "丁": 86.0, "戊": 90.0, "己": 99.0}
    path = _county_of(tmp_path, [_lose(_spot("背街小巷", f"{unit}巷", f"{unit}街道"), 100 - score)
                                 for unit, score in scores.items()])
    with db.connect(path, read_only=True) as con:
        result = accountability(con)
    by_unit = {row.unit: row for row in result.units.itertuples()}
    assert by_unit["丙街道"].place == 3 and not by_unit["丙街道"].called       # at 85.0: not under the line
    assert {row.unit for row in result.units.itertuples() if row.called} == {"甲街道", "乙街道"}


def test_a_unit_under_the_line_outside_the_last_three_is_not_called(tmp_path):
    # each unit one 点位 in a type of its own, beside three perfect 点位 of 戊 in each type: the types
    # score 90 and more (none called), the units 60, 70, 75, 80 and 100
    scores = {"甲": 60.0, "乙": 70.0, "丙": 75.0, "丁": 80.0}
    kinds = ("背街小巷", "居民小区", "农贸市场", "公园")
    spots = [_lose(_spot(kind, f"{unit}点", f"{unit}街道"), 100 - score) for (unit, score), kind in zip(scores.items(), kinds)]
    spots += [_lose(_spot(kind, f"戊{kind}{n}", "戊街道")) for kind in kinds for n in range(3)]
    path = _county_of(tmp_path, spots)
    with db.connect(path, read_only=True) as con:
        result = accountability(con)
    by_unit = {row.unit: row for row in result.units.itertuples()}
    assert by_unit["丁街道"].score < 85 and by_unit["丁街道"].place == 4 and not by_unit["丁街道"].called
    assert not result.items["called"].any()
    assert result.called_names() == ["甲街道", "乙街道", "丙街道"]


def test_an_item_called_names_who_lost_its_points_most_first(tmp_path):
    # 背街小巷: 甲 loses 20 and 10 on two 点位, 乙 loses 25: the type scores (80 + 90 + 75) / 3 = 81.67
    spots = [_lose(_spot("背街小巷", "甲一巷", "甲街道"), 20), _lose(_spot("背街小巷", "甲二巷", "甲街道"), 10),
             _lose(_spot("背街小巷", "乙巷", "乙街道"), 25), _lose(_spot("公园", "丙园", "丙局"), 2),
             _lose(_spot("医院", "丁院", "丁局"), 1), _lose(_spot("居民小区", "戊苑", "戊街道"), 3)]
    path = _county_of(tmp_path, spots)
    with db.connect(path, read_only=True) as con:
        result = accountability(con)
    [called_item] = result.items[result.items["called"]].itertuples()
    assert called_item.name == "背街小巷" and called_item.place == 1
    assert called_item.score == pytest.approx((80 + 90 + 75) / 3)
    assert called_item.units == [("甲街道", 30.0), ("乙街道", 25.0)]
    total = 20 + 10 + 25 + 2 + 1 + 3
    shares = {row.unit: row.share for row in result.units.itertuples()}
    assert shares["甲街道"] == pytest.approx(30 / total)
    reasons = {entry.unit: entry.reasons for entry in result.called}
    assert any("本单位在该项丢分30.0分" in reason for reason in reasons["甲街道"])


def test_fewer_units_than_last_n_are_all_among_the_last(tmp_path):
    path = _county_of(tmp_path, [_lose(_spot("背街小巷", "甲巷", "甲街道"), 30),
                                 _lose(_spot("居民小区", "乙苑", "乙街道"), 20)])
    with db.connect(path, read_only=True) as con:
        result = accountability(con)
    assert result.few_units and result.few_items
    assert set(result.called_names()) == {"甲街道", "乙街道"}
