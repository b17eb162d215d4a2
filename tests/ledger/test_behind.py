"""Falling-behind flags and silent units on the hand-built campaign (overall 整改率 6/12 = 50%)."""
import datetime as dt

import pytest

from analytics.shared import db
from analytics.ledger.behind import BEHIND_COLUMNS, RANKING_COLUMNS, behind, ranking, silent_units
from analytics.shared.filters import Filters
from analytics.fixtures import scores as score_fixtures
from analytics.scores import store as score_store
from analytics.scores.sheets import parse_score_sheet
from analytics.ledger.rankings import measure_text
from analytics.shared.settings import set_setting
from analytics_data import AS_OF, empty_database


@pytest.fixture(name="con")
def writable_con(writable_campaign):
    """These tests change settings: each gets its own copy of the campaign."""
    return writable_campaign


def _reasons(table, by):
    return {row[by]: row["reasons"] for _, row in table.iterrows()}


def test_point_types_with_the_default_thresholds(con):
    """Groups under 5 problems are not compared by rate, rank or rebounds: growth and overdue remain."""
    table = behind(con, Filters(as_of=AS_OF), "point_type")
    assert list(table.columns) == ["point_type", *BEHIND_COLUMNS]
    assert table["point_type"].tolist() == ["居民小区", "主要交通路口", "农贸市场"]
    assert _reasons(table, "point_type") == {
        "居民小区": ["未整改问题较上周增加1条，由1条增至2条", "逾期未整改2条"],
        "主要交通路口": ["逾期未整改1条"],
        "农贸市场": ["未整改问题较上周增加2条，由0条增至2条"],
    }
    assert table.iloc[0]["reason_text"] == "未整改问题较上周增加1条，由1条增至2条；逾期未整改2条"


def test_point_types_when_every_group_counts(con):
    set_setting(con, "min_group_size", 1)
    table = behind(con, Filters(as_of=AS_OF), "point_type")
    # ranked by 整改率: 农贸市场 0 (2 open), 主要交通路口 0 (1 open), 居民小区 50%, 主次干道 67%, 公共广场 100%
    assert _reasons(table, "point_type") == {
        "居民小区": ["整改率倒数第3，列后3名", "未整改问题较上周增加1条，由1条增至2条", "逾期未整改2条",
                 "反弹率50.0%，已整改2条中1条反弹"],
        "主要交通路口": ["整改率0.0%，低于总体50.0%达50.0个百分点", "整改率倒数第2，列后3名", "逾期未整改1条"],
        "农贸市场": ["整改率0.0%，低于总体50.0%达50.0个百分点", "整改率倒数第1，列后3名",
                 "未整改问题较上周增加2条，由0条增至2条"],
        "主次干道": ["反弹率50.0%，已整改2条中1条反弹"],
    }
    assert table["point_type"].tolist() == ["居民小区", "主要交通路口", "农贸市场", "主次干道"]


@pytest.mark.parametrize("key, value, still_flagged", [
    ("rate_gap_pct", 60, ["居民小区", "主要交通路口", "农贸市场", "主次干道"]),   # no rate reason left
    ("rebound_rate_pct", 60, ["居民小区", "主要交通路口", "农贸市场"]),           # 50% is under 60%
    ("backlog_growth", 2, ["居民小区", "主要交通路口", "农贸市场", "主次干道"]),
    ("overdue_min", 3, ["居民小区", "主要交通路口", "农贸市场", "主次干道"]),
    ("last_n", 5, ["居民小区", "主要交通路口", "农贸市场", "主次干道"]),          # only 5 groups: no ranking
])
def test_thresholds_are_settings(con, key, value, still_flagged):
    set_setting(con, "min_group_size", 1)
    set_setting(con, key, value)
    table = behind(con, Filters(as_of=AS_OF), "point_type")
    assert sorted(table["point_type"]) == sorted(still_flagged)
    words = {"rate_gap_pct": "低于总体", "rebound_rate_pct": "反弹率", "backlog_growth": "较上周增加1条",
             "overdue_min": "逾期未整改1条", "last_n": "列后"}[key]
    assert not any(words in reason for reasons in table["reasons"] for reason in reasons)


def test_units_including_silent_ones(con):
    set_setting(con, "min_group_size", 1)
    table = behind(con, Filters(as_of=AS_OF), "unit")
    assert table["unit"].tolist() == ["甲街道", "丙局", "乙街道", "丁社区"]
    assert _reasons(table, "unit") == {
        "甲街道": ["未整改问题较上周增加1条，由2条增至3条", "逾期未整改2条", "反弹率33.3%，已整改3条中1条反弹"],
        "丙局": ["整改率0.0%，低于总体50.0%达50.0个百分点", "逾期未整改1条",
               "已15天未报送台账，最近一次为11月5日"],
        "乙街道": ["未整改问题较上周增加2条，由0条增至2条", "反弹率33.3%，已整改3条中1条反弹"],
        "丁社区": ["从未报送台账"],   # in the unit list, no problems, no ledger; 戊社区 is not expected to report
    }


@pytest.mark.parametrize("by, min_group_size, expected", [
    # best first; 后3名 only when more than 3 groups are ranked
    ("point_type", 1, [("公共广场", 1, False), ("主次干道", 2, False), ("居民小区", 3, True),
                       ("主要交通路口", 4, True), ("农贸市场", 5, True)]),
    ("unit", 1, [("乙街道", 1, False), ("甲街道", 2, False), ("丙局", 3, False)]),
    ("unit", 5, [("乙街道", 1, False), ("甲街道", 2, False)]),   # 丙局 has 1 problem: not ranked
])
def test_ranking_agrees_with_the_flags(con, by, min_group_size, expected):
    set_setting(con, "min_group_size", min_group_size)
    table = ranking(con, Filters(as_of=AS_OF), by)
    assert list(table.columns) == [by, *RANKING_COLUMNS]
    assert list(zip(table[by], table["rank"], table["last_n"])) == expected
    flagged = behind(con, Filters(as_of=AS_OF), by)
    last = {name for name, reasons in zip(flagged[by], flagged["reasons"]) if any("列后" in r for r in reasons)}
    assert last == set(table.loc[table["last_n"], by])


def test_silent_units(con):
    table = silent_units(con, Filters(as_of=AS_OF))
    assert table["unit"].tolist() == ["丁社区", "丙局"]
    assert table["last_report"].isna().tolist() == [True, False]
    assert table["days_silent"].iloc[1] == 15
    set_setting(con, "silent_days", 16)
    assert silent_units(con, Filters(as_of=AS_OF))["unit"].tolist() == ["丁社区"]


@pytest.mark.parametrize("filters, units", [
    (Filters(as_of=AS_OF, units=("丙局",)), ["丙局"]),
    (Filters(as_of=AS_OF, districts=("东区",)), ["丁社区"]),
    # on 11-12 the 甲 and 乙 ledgers had not come yet, and 丙局's was 7 days old
    (Filters(as_of=dt.date(2026, 11, 12)), ["丁社区", "乙街道", "甲街道", "丙局"]),
    (Filters(as_of=dt.date(2026, 11, 11)), ["丁社区", "乙街道", "甲街道"]),
])
def test_silent_units_follow_the_filters_and_the_day(con, filters, units):
    assert silent_units(con, filters)["unit"].tolist() == units


def test_the_empty_database_answers(tmp_path):
    with db.connect(empty_database(tmp_path), read_only=True) as con:
        for by in ("point_type", "category", "unit"):
            assert behind(con, Filters(as_of=AS_OF), by).empty
        assert silent_units(con, Filters(as_of=AS_OF)).empty


def test_ranking_best_first_with_the_last_three_marked_as_behind_marks_them(con):
    set_setting(con, "min_group_size", 1)
    table = ranking(con, Filters(as_of=AS_OF), "point_type")
    assert list(table.columns) == ["point_type", *RANKING_COLUMNS]
    # 公共广场 100%, 主次干道 67%, 居民小区 50%, 主要交通路口 0% (1 open), 农贸市场 0% (2 open)
    assert table["point_type"].tolist() == ["公共广场", "主次干道", "居民小区", "主要交通路口", "农贸市场"]
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert table.loc[table["last_n"], "point_type"].tolist() == ["居民小区", "主要交通路口", "农贸市场"]


def test_ranking_leaves_out_small_groups_and_marks_nobody_when_too_few_take_part(con):
    table = ranking(con, Filters(as_of=AS_OF), "unit")
    # 丙局 has one problem (< 5); 乙街道 3/5 = 60% before 甲街道 3/6 = 50%; two units: no 后三名
    assert table["unit"].tolist() == ["乙街道", "甲街道"]
    assert not table["last_n"].any()


def test_ranking_by_the_close_rate_when_that_is_the_measure(con):
    set_setting(con, "min_group_size", 1)
    set_setting(con, "ranking_measure", "销号率")
    table = ranking(con, Filters(as_of=AS_OF), "point_type")
    # 主次干道 1/3, 居民小区 1/4, then 0%: 公共广场 (nothing open), 主要交通路口 (1 open), 农贸市场 (2 open)
    assert table["point_type"].tolist() == ["主次干道", "居民小区", "公共广场", "主要交通路口", "农贸市场"]
    assert table["measure"].tolist() == pytest.approx([1 / 3, 1 / 4, 0, 0, 0])
    # 公共广场 is among the last three but has nothing open: not named
    assert table.loc[table["last_n"], "point_type"].tolist() == ["主要交通路口", "农贸市场"]
    flagged = behind(con, Filters(as_of=AS_OF), "point_type")
    assert any(r.startswith("销号率倒数第") for r in _reasons(flagged, "point_type")["农贸市场"])


def test_a_measure_nobody_knows_is_refused(con):
    with pytest.raises(ValueError, match="整改率、销号率、模拟测评得分之一"):
        set_setting(con, "ranking_measure", "得分")


@pytest.mark.parametrize("test_date, as_of, silent", [
    (None, dt.date(2026, 11, 22), ["丁社区", "丙局"]),                       # 甲, 乙 two days silent: fine
    ("2026-12-01", dt.date(2026, 11, 21), ["丁社区", "丙局"]),               # in the sprint, one day: fine
    ("2026-12-01", dt.date(2026, 11, 22), ["丁社区", "丙局", "乙街道", "甲街道"]),  # more than one day
    ("2026-12-07", dt.date(2026, 11, 22), ["丁社区", "丙局"]),               # 15 days before: not yet
    ("2026-12-06", dt.date(2026, 11, 22), ["丁社区", "丙局", "乙街道", "甲街道"]),  # 14 days before
])
def test_in_the_last_two_weeks_a_unit_silent_for_more_than_a_day_is_not_reporting(con, test_date, as_of, silent):
    set_setting(con, "test_date", test_date)
    assert silent_units(con, Filters(as_of=as_of))["unit"].tolist() == silent


def test_ranking_by_the_latest_mock_evaluation_score(con, tmp_path):
    """Units ranked by their latest 模拟测评 score; a unit no round scored, and every 问题类别, take no part."""
    round_ = score_fixtures.ScoreRound(1, dt.date(2026, 11, 10))
    for point_name, unit, lost in (("甲小区", "甲街道", 20.0), ("乙小区", "乙街道", 5.0), ("乙小巷", "乙街道", 15.0)):
        round_.results.append(score_fixtures.SpotResult(
            score_fixtures.ScoreSpot("居民小区", point_name, unit), [("环境卫生", "干净", 100, lost, "脏")]))
    sheet = score_fixtures.write_score_summary_xls(round_, tmp_path / "第一轮模拟测评得分汇总.xls")
    parsed = parse_score_sheet(sheet, point_type_aliases={}, today=AS_OF)
    score_store.write_score_sheet(con, parsed, sha256="s", archive_path=sheet.name, actor="测试",
                                  now=dt.datetime(2026, 11, 10, 20))
    set_setting(con, "min_group_size", 1)
    set_setting(con, "ranking_measure", "模拟测评得分")
    table = ranking(con, Filters(as_of=AS_OF), "unit")
    assert table["unit"].tolist() == ["乙街道", "甲街道"]               # 90 before 80; 丙局, 丁社区 unscored
    assert table["measure"].tolist() == pytest.approx([90.0, 80.0])
    assert ranking(con, Filters(as_of=AS_OF), "category").empty
    assert [measure_text("模拟测评得分", v) for v in table["measure"]] == ["90.0分", "80.0分"]
    assert measure_text("整改率", 0.5) == "50.0%" and measure_text("销号率", float("nan")) == "—"
