"""The 楼栋（片区）包保一览表 in the map (docs/domain.md, 责任地图), on lists the fixture builder writes: its
小区/片区 are matched to registry points as problems' names are (a space, a trailing 小区 the registry lacks);
an estate on no registry point is listed, never dropped or guessed; a point keeps the 点位清单's 责任单位
and 责任人 and gains every 包保单位 the list gives it; the 作战图's who is the 包保责任人 who left a phone,
else the 点位清单's 责任人, else a 包保责任人 with no phone, else the 联点领导; a 包保单位's view holds the
points it 包保s with its own problems only, and no other unit's name; a 联点领导 choice keeps what has no point
(silence, 台账质量) of its points' 包保单位 too."""
import datetime as dt

import pandas as pd
import pytest

from analytics.fixtures import registry as fixtures
from analytics.intake import import_paths
from analytics.ledger.behind import silent_units
from analytics.ledger.quality import ledger_quality
from analytics.registry.model import (daily_plan, load_map, people, point_status, points_of, resolve_registry_filters,
                                      responsibility)
from analytics.registry.sheets import read_registry_sheet
from analytics.shared import db
from analytics.shared.filters import Filters
from analytics_data import write_ledger

AS_OF = dt.date(2026, 12, 4)
NOW = dt.datetime(2026, 12, 4, 18)
POINTS = (
    fixtures.RegistryPoint("阳光城小区", "居民小区", "东城区", "东关街道", "王一", "13900000001", ""),
    fixtures.RegistryPoint("锦绣花园", "居民小区", "东城区", "东关街道", "钱六", "13900000006", ""),
    fixtures.RegistryPoint("槐花胡同", "背街小巷", "东城区", "东关街道", "", "", ""),
    fixtures.RegistryPoint("长江路", "主次干道", "东城区", "市城管局", "", "", ""),
)
LEADERS = (fixtures.LeaderLink("李建国", "市委书记", "市委办公室", ("长江路", "锦绣花园")),)
BLOCKS = (
    # one estate, two 包保单位 (one 包保责任人 left no phone), the 楼栋 several in a cell, 所属社区 merged down
    fixtures.BlockLink("阳光城 小区", "阳光城小区", ("1号楼", "2号楼", "3号楼"), "东关社区", "市财政局", "张三",
                       "13800000003"),
    fixtures.BlockLink("阳光城 小区", "阳光城小区", ("4号楼",), "东关社区", "市税务局", "李四", ""),
    # the registry writes it without the trailing 小区
    fixtures.BlockLink("锦绣花园小区", "锦绣花园", ("全部楼栋",), "东关社区", "市税务局", "赵五", ""),
    fixtures.BlockLink("槐花胡同", "槐花胡同", ("片区",), "东关社区", "市税务局", "孙七", ""),
    fixtures.BlockLink("金色家园", None, ("1号楼", "2号楼"), "西关社区", "市财政局", "周八", "13800000008"),
)
LISTS = fixtures.RegistrySet(POINTS, LEADERS, BLOCKS, ())
LEDGER = ["序号", "点位类型", "点位名称", "问题描述", "问题类别", "发现时间", "责任单位", "整改时限", "整改状态",
          "完成时间", "备注"]


def _imported(folder, ledgers: list) -> str:
    """The lists, then the `ledgers` written into `folder`, through the ordinary import."""
    lists = [fixtures.write_point_list(LISTS, folder, per_district=False, as_of=AS_OF),
             fixtures.write_leader_list(LISTS, folder, as_of=AS_OF), fixtures.write_block_list(LISTS, folder, as_of=AS_OF)]
    db_path = folder / "t.duckdb"
    assert {r.outcome for r in import_paths(db_path, [*lists, *ledgers], now=NOW)} == {"imported"}
    return db_path


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blocks")
    return _imported(folder, [
        write_ledger(folder, "东关街道_台账_20261203.csv", [
            ["1", "居民小区", "阳光城小区", "垃圾堆放", "环境卫生", "2026/11/20", "东关街道", "2026/11/25", "待整改", "", ""],
            ["2", "居民小区", "阳光城小区", "飞线充电", "消防安全", "2026/12/01", "东关街道", "2026/12/10", "整改中", "", ""]]),
        write_ledger(folder, "市财政局_台账_20261203.csv", [
            ["1", "居民小区", "阳光城小区", "公益广告破损", "公益广告", "2026/12/02", "市财政局", "2026/12/09", "待整改", "",
             ""]]),
    ])


def test_the_fixture_list_holds_a_merged_community_and_several_buildings_in_a_cell(tmp_path):
    rows = read_registry_sheet(fixtures.write_block_list(LISTS, tmp_path)).rows
    assert list(rows["building"]) == [building for block in BLOCKS for building in block.buildings]
    assert list(rows["community"]) == [block.community for block in BLOCKS for _ in block.buildings]


def test_estates_match_registry_points_as_problems_do_and_one_on_none_is_listed(mapped):
    with db.connect(mapped, read_only=True) as con:
        blocks = load_map(con).blocks
        summary = responsibility(con, Filters(as_of=AS_OF))
    matched = dict(zip(blocks["estate"], blocks["point"]))
    assert {estate: matched[estate] for estate in ("阳光城 小区", "锦绣花园小区", "槐花胡同")} == \
        {"阳光城 小区": "阳光城小区", "锦绣花园小区": "锦绣花园", "槐花胡同": "槐花胡同"}
    assert pd.isna(matched["金色家园"])
    assert summary["blocks"] == {"estates": 4, "unmatched": ["金色家园"]}
    # the 包保 list names no problem: the counts are the ledgers'
    assert summary["points"]["matched_problems"] == 3


def test_a_point_keeps_its_responsible_unit_and_holds_every_guarantor(mapped):
    with db.connect(mapped, read_only=True) as con:
        point = point_status(con, Filters(as_of=AS_OF)).set_index("point").loc["阳光城小区"]
        offered = people(con).units
    assert (point["unit"], point["person"], point["phone"]) == ("东关街道", "王一", "13900000001")
    assert point["block_units"] == "市财政局、市税务局"
    assert point["block_people"] == "张三 13800000003、李四"
    assert point["block_holders"] == "市财政局：张三 13800000003；市税务局：李四"
    assert (point["open"], point["overdue"]) == (3, 1)
    assert offered == ["东关街道", "市城管局", "市税务局", "市财政局"]


def test_the_plans_who_is_the_guarantor_with_a_phone_then_the_lists_person_then_any_guarantor_then_the_leader(
        mapped):
    with db.connect(mapped, read_only=True) as con:
        plan = daily_plan(con, Filters(as_of=AS_OF)).set_index("point")
    who = {point: (plan.loc[point, "who"], None if pd.isna(plan.loc[point, "phone"]) else plan.loc[point, "phone"])
           for point in plan.index}
    assert who == {"阳光城小区": ("张三", "13800000003"), "锦绣花园": ("钱六", "13900000006"),
                   "槐花胡同": ("孙七", None), "长江路": ("李建国", None)}
    assert plan.loc["锦绣花园", "block_units"] == "市税务局"


def test_a_guarantors_view_holds_the_points_it_guards_with_its_own_problems_and_no_other_unit(mapped):
    with db.connect(mapped, read_only=True) as con:
        guarded = points_of(con, Filters(as_of=AS_OF), unit="市财政局")
        answering = points_of(con, Filters(as_of=AS_OF), unit="东关街道").set_index("point")
        summary = responsibility(con, Filters(as_of=AS_OF, units=("市财政局",)))
        plan = daily_plan(con, Filters(as_of=AS_OF, units=("市财政局",)))
    assert list(guarded["point"]) == ["阳光城小区"]
    point = guarded.iloc[0]
    # its own problem there, not the 东关街道's two; the 责任单位, its contact and the other 包保单位 unseen
    assert (point["problems"], point["open"]) == (1, 1)
    assert point[["unit", "person", "phone"]].isna().all()
    assert (point["block_units"], point["block_people"]) == ("市财政局", "张三 13800000003")
    assert point["block_holders"] == "市财政局：张三 13800000003"
    assert summary["blocks"] == {"estates": 2, "unmatched": ["金色家园"]}
    assert list(plan["point"]) == ["阳光城小区"] and list(plan["who"]) == ["张三"]
    # the 责任单位 sees its points with its own problems, and no 包保单位 of another unit
    assert set(answering.index) == {"阳光城小区", "锦绣花园", "槐花胡同"}
    assert answering.loc["阳光城小区", "open"] == 2 and answering["block_units"].isna().all()


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """The lists, and a ledger a month before the day from 东关街道 (the 责任单位 of 李建国's 锦绣花园), 市税务局
    (its 包保单位, neither a 责任单位 nor a 包联单位; one row with a found date no one can read) and 市财政局
    (包保单位 of 阳光城小区 only, no point of 李建国's)."""
    folder = tmp_path_factory.mktemp("reported")
    sent = AS_OF - dt.timedelta(days=30)
    rows = {"东关街道": ("锦绣花园", "2026/11/01"), "市税务局": ("锦绣花园", "待定"), "市财政局": ("阳光城小区", "2026/11/01")}
    return _imported(folder, [
        write_ledger(folder, f"{unit}_台账_{sent:%Y%m%d}.csv", [
            ["1", "居民小区", point, "楼道堆物", "环境卫生", found, unit, "2026/11/10", "待整改", "", ""]])
        for unit, (point, found) in rows.items()])


def test_a_leaders_choice_keeps_the_silence_and_ledger_quality_of_the_units_guarding_their_points(reported):
    """What has no point is narrowed to the units answering for the chosen points: their 包保单位 too."""
    with db.connect(reported, read_only=True) as con:
        chosen = resolve_registry_filters(con, Filters(as_of=AS_OF, leaders=("李建国",)))
        silent = silent_units(con, chosen)
        quality = ledger_quality(con, chosen).set_index("unit")
    assert set(chosen.unit_choice()) == {"东关街道", "市城管局", "市委办公室", "市税务局"}
    assert list(silent["unit"]) == ["东关街道", "市税务局"]
    assert set(quality.index) == {"东关街道", "市税务局"}
    assert (quality.loc["市税务局", "flagged"], quality.loc["市税务局", "reporting"]) == (1, "30天未报送")
