"""Scores by the DOMAIN.md rules: the samples' ground truth, each shape, the line, 后三名 with ties,
change since the previous round, round replacement and undo, most-lost standards, the ledger check
and the 点位 registry."""
import datetime as dt
import json
from pathlib import Path

import pytest

from analytics.shared import db, schema
from analytics.scores import model as scores
from analytics.fixtures import scores as score_fixtures
from analytics.shared.filters import Filters
from analytics.scores import store as score_store
from analytics.scores.sheets import parse_score_sheet
from analytics.intake.undo import undo
from analytics.shared.settings import set_setting

SAMPLES = Path(__file__).parents[1] / "samples" / "scores"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
NOW = dt.datetime(2026, 11, 25, 9, 0)


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "scores.duckdb") as connection:
        schema.ensure_schema(connection)
        yield connection


def store(con, path, now=NOW):
    aliases = dict(con.execute("SELECT alias, canonical FROM point_type_aliases").fetchall())
    parsed = parse_score_sheet(Path(path), point_type_aliases=aliases, today=now.date())
    return score_store.write_score_sheet(con, parsed, sha256=path.name, archive_path=path.name, actor="测试",
                                         now=now)[0]


def spots(*rows):
    return [score_fixtures.ScoreSpot(*row) for row in rows]


def test_samples_match_their_ground_truth(con):
    for name in ("第一轮模拟测评扣分明细.xlsx", "第二轮模拟测评点位得分表.xlsx"):
        store(con, SAMPLES / name)
    for name, truth in EXPECTED.items():
        got = scores.round_summary(con, truth["round"]).as_json()
        assert got["round"] == truth["round"]
        assert got["points"] == truth["points"] and got["deductions"] == pytest.approx(truth["deductions"])
        assert got["overall"] == pytest.approx(truth["overall"], abs=0.011)
        assert got["by_point_type"] == pytest.approx(truth["by_point_type"], abs=0.006)
        assert got["by_unit"] == pytest.approx(truth["by_unit"], abs=0.006)
        assert sorted(got["below_line"]["point_types"]) == sorted(truth["below_line"]["point_types"])
        assert sorted(got["below_line"]["units"]) == sorted(truth["below_line"]["units"])
        assert got["last_three"] == truth["last_three"]
        if "change" in truth:
            assert got["change"] == pytest.approx(truth["change"], abs=0.011)
        assert all(isinstance(v, float) for v in got["by_point_type"].values())


@pytest.mark.parametrize("writer", [score_fixtures.write_deduction_detail, score_fixtures.write_point_table,
                                    score_fixtures.write_score_summary_xls])
def test_each_shape_scores_as_its_truth(con, tmp_path, writer):
    points = spots(("居民小区", "幸福里", "城关街道"), ("居民小区", "阳光花园", "东关街道"),
                   ("背街小巷", "中山路2巷", "城关街道"), ("公园", "人民公园", "市城管局"))
    round_ = score_fixtures.score_round(points, 2, dt.date(2026, 11, 2), seed=7, severity=0.6)
    suffix = ".xls" if writer is score_fixtures.write_score_summary_xls else ".xlsx"
    store(con, writer(round_, tmp_path / f"第二轮{suffix}"))
    truth = score_fixtures.expected_scores(round_)
    got = scores.round_summary(con).as_json()
    assert got["overall"] == pytest.approx(truth["overall"], abs=0.006)
    assert got["by_point_type"] == pytest.approx(truth["by_point_type"], abs=0.006)
    assert got["by_unit"] == pytest.approx(truth["by_unit"], abs=0.006)
    assert got["deductions"] == pytest.approx(truth["deductions"])


def _round_with(tmp_path, number, results, eval_date=None):
    """A round written as 得分汇总 whose 点位 score exactly `results` {(type, name, unit): score}."""
    round_ = score_fixtures.ScoreRound(number, eval_date or dt.date(2026, 10, number))
    for (point_type, name, unit), score in results.items():
        lost = 100 - score
        round_.results.append(score_fixtures.SpotResult(
            score_fixtures.ScoreSpot(point_type, name, unit), [("环境卫生", "干净", 100, float(lost), "脏")] if lost else []))
    return score_fixtures.write_score_summary_xls(round_, tmp_path / f"第{number}轮汇总.xls")


def test_the_line_and_last_three_with_ties(con, tmp_path):
    # 东关 and 西关 tie at 80 (two decimals); 西关's worst 点位 (70) is lower than 东关's (80), so
    # 西关 ranks below 东关; 南关 and 北关 tie at 84 with the same worst 点位: by name.
    store(con, _round_with(tmp_path, 1, {
        ("居民小区", "甲", "西关街道"): 70, ("背街小巷", "乙", "西关街道"): 90,
        ("居民小区", "丙", "东关街道"): 80, ("背街小巷", "丁", "东关街道"): 80,
        ("居民小区", "戊", "南关街道"): 84, ("居民小区", "己", "北关街道"): 84,
        ("居民小区", "庚", "城关街道"): 85, ("背街小巷", "辛", "城关街道"): 96}))
    summary = scores.round_summary(con)
    assert summary.last_n == ["西关街道", "东关街道", "北关街道"]        # 北 sorts before 南
    assert summary.below_line_units == sorted(["西关街道", "东关街道", "北关街道", "南关街道"])
    assert "城关街道" not in summary.below_line_units                   # 90.5: at or above 85 is not below
    assert summary.by_point_type == pytest.approx({"居民小区": 80.6, "背街小巷": 88.6666667})
    assert summary.below_line_types == ["居民小区"]
    set_setting(con, "score_line", "81")
    set_setting(con, "last_n", "2")
    summary = scores.round_summary(con)
    assert summary.below_line_units == ["东关街道", "西关街道"] and summary.last_n == ["西关街道", "东关街道"]
    assert summary.below_line_types == ["居民小区"]
    assert scores.round_summary(con, line=85, last_n=5).last_n == []      # five units: no 后五名 to name


def test_last_three_needs_more_units_than_three(con, tmp_path):
    store(con, _round_with(tmp_path, 1, {("居民小区", "甲", "西关街道"): 70, ("居民小区", "乙", "东关街道"): 60}))
    assert scores.round_summary(con).last_n == []


def test_change_since_the_previous_round_and_round_order(con, tmp_path):
    # imported out of order: rounds are ordered by their number, not by arrival
    store(con, _round_with(tmp_path, 3, {("居民小区", "甲", "西关街道"): 90, ("公园", "乙", "东关街道"): 70}))
    store(con, _round_with(tmp_path, 1, {("居民小区", "甲", "西关街道"): 80}))
    store(con, _round_with(tmp_path, 2, {("居民小区", "甲", "西关街道"): 85, ("公园", "乙", "东关街道"): 75}))
    assert list(scores.list_rounds(con)["round_name"]) == ["第一轮", "第二轮", "第三轮"]
    latest = scores.round_summary(con)
    assert latest.round == "第三轮" and latest.previous_round == "第二轮"
    assert latest.change == pytest.approx({"居民小区": 5.0, "公园": -5.0})
    assert latest.unit_change == pytest.approx({"西关街道": 5.0, "东关街道": -5.0})
    second = scores.round_summary(con, "第2轮")
    assert second.change["居民小区"] == pytest.approx(5.0) and second.change["公园"] is None   # 公园 new in round 2
    assert scores.round_summary(con, "第一轮").change == {}
    with pytest.raises(LookupError, match="第九轮"):
        scores.round_summary(con, "第九轮")


def test_reimporting_a_round_replaces_it_and_undo_brings_it_back(con, tmp_path):
    first = store(con, _round_with(tmp_path, 1, {("居民小区", "甲", "西关街道"): 80, ("公园", "乙", "东关街道"): 60}))
    (tmp_path / "更正").mkdir()
    corrected = _round_with(tmp_path / "更正", 1, {("居民小区", "甲", "西关街道"): 90, ("公园", "乙", "东关街道"): 70})
    second = store(con, corrected)
    assert second > first
    summary = scores.round_summary(con)
    assert summary.points == 2 and summary.by_unit == pytest.approx({"西关街道": 90, "东关街道": 70})
    message = undo(con, second, actor="测试", now=NOW)
    assert f"已撤销第{second}次导入" in message
    assert scores.round_summary(con).by_unit == pytest.approx({"西关街道": 80, "东关街道": 60})
    with pytest.raises(LookupError, match="已于"):
        undo(con, second, actor="测试", now=NOW)
    with pytest.raises(LookupError, match="没有编号为 999"):
        undo(con, 999, actor="测试", now=NOW)
    undo(con, first, actor="测试", now=NOW)
    assert scores.round_summary(con) is None
    actions = [a for a, in con.execute("SELECT action FROM audit_log ORDER BY logged_at").fetchall()]
    assert actions.count("导入得分表") == 2 and actions.count("撤销导入") == 2


def test_a_round_sent_one_type_per_file_is_put_together(con, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    store(con, _round_with(tmp_path / "a", 1, {("居民小区", "甲", "西关街道"): 80}))
    store(con, _round_with(tmp_path / "b", 1, {("公园", "乙", "东关街道"): 60}))
    assert scores.round_summary(con).by_point_type == pytest.approx({"居民小区": 80, "公园": 60})


def test_import_numbers_are_shared_with_ledgers(con, tmp_path):
    con.execute("INSERT INTO imports VALUES (7, 'x.xlsx', 'h', '城关街道', '文件名', NULL, NULL, DATE '2026-11-01', "
                "TIMESTAMP '2026-11-01 08:00', '测试', 0, 0, 0, 0, 'x', NULL, NULL)")
    assert store(con, _round_with(tmp_path, 1, {("居民小区", "甲", "西关街道"): 80})) == 8


def test_filters_and_most_lost(con):
    store(con, SAMPLES / "第一轮模拟测评扣分明细.xlsx")
    only = scores.round_summary(con, filters=Filters(units=["市文旅局", "市住建局"]))
    assert set(only.by_unit) == {"市文旅局", "市住建局"} and only.points == 6
    standards = scores.most_lost(con, "第一轮")
    top = standards.iloc[0]
    assert (top["point_type"], top["name"], top["lost"]) == ("景区景点", "垃圾箱设置合理、无垃圾", 105)
    items = scores.most_lost(con, "第一轮", by="item", limit=100)
    assert items["lost"].sum() == 770 and items.iloc[0]["name"] == "公益广告"


def test_each_deduction_with_what_the_ledger_says_now(con):
    store(con, SAMPLES / "第一轮模拟测评扣分明细.xlsx")
    base = {"ledger_unit": "市住建局", "unit": "市住建局", "sheet": "", "source_row": 2, "point_type": "建筑工地",
            "point_type_known": True, "point_name": "长安路1号地块工地", "first_import_id": 1, "last_import_id": 1,
            "first_seen": dt.date(2026, 10, 16), "as_of": dt.date(2026, 11, 1), "start_day": dt.date(2026, 10, 16),
            "flags": []}
    for key, status, found in (("a", "已销号", dt.date(2026, 10, 16)), ("b", "已整改", dt.date(2026, 10, 17))):
        row = {**base, "problem_key": key, "status": status, "found_date": found}
        names = ", ".join(row)
        con.execute(f"INSERT INTO problems ({names}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
    early = dt.date(2026, 10, 1)
    for row in ({**base, "problem_key": "c", "status": "待整改", "found_date": dt.date(2026, 10, 20),
                 "point_name": "中山路2号地块工地"},
                # open on the round's day, rectified since: it counts
                {**base, "problem_key": "d", "status": "已整改", "found_date": early, "start_day": early,
                 "done_day": dt.date(2026, 10, 18)},
                # rectified before the round: not what the round saw
                {**base, "problem_key": "e", "status": "已整改", "found_date": early, "start_day": early,
                 "done_day": dt.date(2026, 10, 10), "point_name": "青年路3号地块工地"}):
        con.execute(f"INSERT INTO problems ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                    list(row.values()))
    table = scores.deductions_with_ledger(con, "第一轮", Filters(units=["市住建局"]))
    state = dict(zip(table["point_name"], table["ledger_state"]))
    assert state == {"长安路1号地块工地": "已整改", "中山路2号地块工地": "整改中", "青年路3号地块工地": "台账未见"}
    assert len(table) == 6
    one = scores.deductions_with_ledger(con, "第一轮", point_name="长安路1号地块工地")
    assert list(one["deduction"]) == [18, 15, 4] and set(one["ledger_problems"]) == {3}


def test_registry_grows_from_scores_and_ledgers(con, tmp_path):
    store(con, _round_with(tmp_path, 1, {("居民小区", "甲", "西关街道"): 80}))
    con.execute("""INSERT INTO problems (problem_key, ledger_unit, unit, sheet, source_row, point_type,
                   point_type_known, point_name, status, flags, first_import_id, last_import_id, first_seen,
                   as_of, start_day)
                   VALUES ('k', '东关街道', '东关街道', '', 2, '公园', TRUE, '人民公园', '待整改', [], 1, 1,
                           DATE '2026-10-01', DATE '2026-10-01', DATE '2026-10-01')""")
    registry = scores.point_registry(con)
    rows = {(r.point_type, r.point_name): (r.unit, r.rounds, r.problems) for r in registry.itertuples()}
    assert rows == {("居民小区", "甲"): ("西关街道", 1, 0), ("公园", "人民公园"): ("东关街道", 0, 1)}
