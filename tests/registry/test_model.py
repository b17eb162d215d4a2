"""The responsibility map on the county sample (tests/samples/responsibility, its figures in
expected.json): the lists and ledgers imported in the sample's order through the ordinary import, the
map as `python -m analytics responsibility --json --as-of` prints it; a resent 门前四包 register
replaces the earlier one and undo brings it back; a roster with no list's or ledger's columns is
refused and changes nothing."""
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from analytics.cli import main
from analytics_data import write_ledger
from analytics.intake import import_paths, undo_import
from analytics.registry.model import frontage, is_unvisited, leader_summary, load_map, point_status, responsibility
from analytics.shared import db
from analytics.shared.filters import Filters

SAMPLES = Path(__file__).parents[1] / "samples" / "responsibility"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
AS_OF = dt.date.fromisoformat(EXPECTED["as_of"])
NOW = dt.datetime(2026, 12, 4, 18)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("county") / "t.duckdb"
    results = import_paths(db_path, [SAMPLES / step["file"] for step in EXPECTED["steps"]], now=NOW)
    assert [r.outcome for r in results] == ["imported"] * len(EXPECTED["steps"])
    return db_path


def the_map(db_path, as_of=AS_OF) -> dict:
    with db.connect(db_path, read_only=True) as con:
        return responsibility(con, Filters(as_of=as_of))


def test_the_lists_are_recognised_by_their_columns_and_never_become_problems(county):
    with db.connect(county, read_only=True) as con:
        kinds = con.execute("SELECT kind FROM registry_imports ORDER BY import_id").fetchall()
        problems = con.execute("SELECT count(*) FROM problems").fetchone()[0]
    assert [kind for (kind,) in kinds] == ["points", "leaders", "blocks", "shops"]
    assert problems == EXPECTED["ledger_problems"] + EXPECTED["deduction_tasks"]   # the 扣分明细 adds its tasks


def test_the_map_has_the_samples_figures(county):
    assert the_map(county) == EXPECTED["truth_with_tasks"]


def test_the_command_line_prints_the_same_object(county, capsys):
    assert main(["responsibility", "--db", str(county), "--json", "--as-of", EXPECTED["as_of"]]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED["truth_with_tasks"]
    assert main(["responsibility", "--db", str(county), "--as-of", EXPECTED["as_of"]]) == 0
    line = capsys.readouterr().out
    assert f"登记点位{EXPECTED['truth']['points']['registered']}个" in line


def test_a_point_two_leaders_list_is_each_ones_and_a_point_nobody_holds_says_so(county):
    with db.connect(county, read_only=True) as con:
        registry = load_map(con)
        points = point_status(con, Filters(as_of=AS_OF), registry).set_index("point")
    assert points.loc["人民路", "leaders"] == "王建国、陈志刚"
    assert points.loc["人民公园公厕", "leaders"] == "（无联点领导）"
    # names differing by spaces, brackets, dots and dashes land on their registry point
    assert registry.matches["人民公园 公厕"] == "人民公园公厕"
    assert registry.matches["锦绣江南小区"] == "锦绣·江南小区"
    assert registry.matches["人民路-解放路交叉口"] == "人民路—解放路交叉口"
    assert registry.matches["城东农贸市场(东区)"] == "城东农贸市场（东区）"


def test_the_days_unvisited_count_from_the_last_finding_or_scoring(county):
    with db.connect(county, read_only=True) as con:
        points = point_status(con, Filters(as_of=AS_OF)).set_index("point")
    # 清源大道: last found 11-14, never scored
    assert points.loc["清源大道", "days_unvisited"] == (AS_OF - dt.date(2026, 11, 14)).days
    assert pd.isna(points.loc["文化巷", "days_unvisited"]) and not points.loc["文化巷", "sampled"]
    assert set(points.index[is_unvisited(points, 14)]) == set(EXPECTED["truth_with_tasks"]["points"]["unvisited"])
    # a day later the round of 11-24 is still within 14 days; 17 days on it is not
    later = AS_OF + dt.timedelta(days=17)
    assert set(the_map(county, later)["points"]["unvisited"]) > set(EXPECTED["truth_with_tasks"]["points"]["unvisited"])


def test_what_to_do_first_is_the_open_problem_due_first_and_on_a_shared_deadline_the_one_found_first(tmp_path):
    """Across every name a point is written under; a rectified problem with an earlier deadline is done."""
    ledger = write_ledger(tmp_path, "县城管局_台账_20261201.csv", [
        ["1", "主次干道", "人民路", "井盖缺失", "基础设施", "2026/11/20", "县城管局", "2026/12/10", "待整改", "", ""],
        ["2", "主次干道", "人民 路", "垃圾满溢", "环境卫生", "2026/11/15", "县城管局", "2026/12/05", "整改中", "", ""],
        ["3", "主次干道", "人民路", "占道经营", "市容秩序", "2026/11/10", "县城管局", "2026/12/05", "待整改", "", ""],
        ["4", "主次干道", "人民路", "路面破损", "基础设施", "2026/11/01", "县城管局", "2026/11/30", "已整改",
         "2026/11/25", ""]])
    db_path = tmp_path / "t.duckdb"
    assert {r.outcome for r in import_paths(db_path, [SAMPLES / EXPECTED["steps"][0]["file"], ledger], now=NOW)} \
        == {"imported"}
    with db.connect(db_path, read_only=True) as con:
        point = point_status(con, Filters(as_of=dt.date(2026, 12, 4))).set_index("point").loc["人民路"]
    assert (point["problems"], point["open"], point["first_task"]) == (4, 3, "占道经营")
    assert point["first_deadline"] == pd.Timestamp("2026-12-05")


def test_before_the_round_the_leaders_have_no_score(county):
    before = the_map(county, dt.date(2026, 11, 23))
    assert all(leader["score"] is None for leader in before["leaders"])


def test_a_unit_filter_keeps_only_its_problems(county):
    with db.connect(county, read_only=True) as con:
        leaders = leader_summary(con, Filters(as_of=AS_OF, units=("县市场监管局",))).set_index("leader")
    # 王建国's 城东农贸市场（东区） holds the 市场监管局's two open ledger problems and the 第一轮's deduction
    # there (a task since 11-24, due 11-27), overdue all three
    assert (leaders.loc["王建国", "open"], leaders.loc["王建国", "overdue"]) == (3, 3)
    assert leaders.loc["张卫东", "open"] == 0


def test_frontage_counts_shops_by_road_too(county):
    with db.connect(county, read_only=True) as con:
        shops = frontage(con, Filters(as_of=AS_OF))
    roads = shops.by_road.set_index("road")["count"].to_dict()
    assert roads == {"人民路": 6, "解放路": 2, "老街步行街": 1}
    assert shops.shops.set_index("shop").loc["老李家面馆", "recent"] == 3


def test_a_resent_register_replaces_the_earlier_and_undo_brings_it_back(county, tmp_path):
    db_path = tmp_path / "t.duckdb"
    db_path.write_bytes(county.read_bytes())
    resend = EXPECTED["resend"]
    result, = import_paths(db_path, [SAMPLES / resend["file"]], now=NOW)
    assert result.outcome == "imported" and "替换" in result.message
    after = the_map(db_path)
    # the resend's figures are the ledgers' alone: the 门前四包 part is what the register changes
    assert after["frontage"] == resend["truth"]["frontage"]
    assert {k: v for k, v in after.items() if k != "frontage"} == \
        {k: v for k, v in EXPECTED["truth_with_tasks"].items() if k != "frontage"}
    undo_import(db_path, result.import_id)
    assert the_map(db_path) == EXPECTED["truth_with_tasks"]


def test_a_file_with_no_columns_of_any_list_or_ledger_is_refused_and_changes_nothing(county, tmp_path):
    db_path = tmp_path / "t.duckdb"
    db_path.write_bytes(county.read_bytes())
    result, = import_paths(db_path, [SAMPLES / EXPECTED["refused"]["file"]], now=NOW)
    assert result.outcome == "refused"
    assert EXPECTED["refused"]["file"] in result.message and "点位清单" in result.message
    assert the_map(db_path) == EXPECTED["truth_with_tasks"]


def test_blind_spots_list_the_unvisited_and_never_sampled_points_with_each_types_share(county):
    from analytics.registry.model import blind_spots

    with db.connect(county, read_only=True) as con:
        spots = blind_spots(con, Filters(as_of=AS_OF))
    listed = set(spots.points["point"])
    assert set(EXPECTED["truth_with_tasks"]["points"]["unvisited"]) <= listed
    assert "文化巷" in listed and "人民路" not in listed   # 人民路 was scored on 11-24
    by_type = spots.by_type.set_index("point_type")
    # 居民小区: 幸福家园小区, 锦绣·江南小区 and 粮食局家属院 (老旧小区), all three scored
    assert (by_type.loc["居民小区", "registered"], by_type.loc["居民小区", "share_sampled"]) == (3, 1.0)
    assert by_type.loc["主次干道", "registered"] == 3 and by_type.loc["主次干道", "sampled"] == 2
    assert spots.by_district["registered"].sum() == EXPECTED["truth_with_tasks"]["points"]["registered"]


def test_the_daily_plan_ranks_by_its_stated_score(county):
    from analytics.registry.model import PLAN_WEIGHTS, daily_plan

    with db.connect(county, read_only=True) as con:
        plan = daily_plan(con, Filters(as_of=AS_OF), limit=50)
    assert len(plan) == EXPECTED["truth_with_tasks"]["points"]["registered"]
    assert list(plan["plan_score"]) == sorted(plan["plan_score"], reverse=True)
    top = plan.iloc[0]
    days = min(top["days_unvisited"], PLAN_WEIGHTS["max_days"])
    assert top["plan_score"] == round(3 * top["overdue"] + (top["open"] - top["overdue"]) + days / 7
                                      + 10 * top["type_share"], 2)
    never = plan.set_index("point").loc["文化巷"]
    assert never["why"] == "从未检查" and never["who"] == "石明"
