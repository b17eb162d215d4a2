"""The four lists read in the shapes offices write them (analytics/fixtures/registry writes them): a
sheet per district, the leader merged down over their points or all their points in one cell, the 小区
merged down over its 楼栋, a register with unsigned shops; a ledger, a score sheet and a roster are
never taken for a list; a list with a header and no rows is refused naming the file."""
import datetime as dt

import pytest

from analytics.fixtures import registry as fixtures
from analytics.registry.sheets import BLOCKS, LEADERS, POINTS, SHOPS, read_registry_sheet, split_names
from analytics.shared.reading.reader import FileRefused
from tests.ledger.test_parse import write_xlsx

SPOTS = [("主次干道", "长江路", "城关街道"), ("居民小区", "阳光城小区", "东关街道"), ("农贸市场", "中心集贸市场", "市市场监管局"),
         ("商业大街", "步行街", "城关街道"), ("居民小区", "锦绣花园", "城关街道"), ("背街小巷", "槐花胡同", "东关街道")]
DISTRICTS = {"城关街道": "东城区", "东关街道": "西城区"}


@pytest.fixture(scope="module")
def data():
    return fixtures.registry_set(SPOTS, DISTRICTS, ["市财政局", "市税务局"], n_leaders=3, points_per_leader=2,
                                 extra_points=3, n_shops=12)


def test_a_point_list_with_a_sheet_per_district_takes_the_district_from_the_sheet(data, tmp_path):
    sheet = read_registry_sheet(fixtures.write_point_list(data, tmp_path, per_district=True))
    assert sheet.kind == POINTS
    read = {(row.name, row.point_type, row.district, row.unit, row.grid) for row in sheet.rows.itertuples()}
    assert read == {(p.name, p.point_type, p.district, p.unit, p.grid) for p in data.points}


@pytest.mark.parametrize("one_cell", [False, True])
def test_a_leader_list_merged_down_or_in_one_cell_gives_every_leader_each_point(data, tmp_path, one_cell):
    sheet = read_registry_sheet(fixtures.write_leader_list(data, tmp_path, one_cell=one_cell))
    assert sheet.kind == LEADERS
    read = [(row.leader, row.title, row.unit, row.name) for row in sheet.rows.itertuples()]
    assert read == [(link.leader, link.title, link.unit, point) for link in data.leaders for point in link.points]


def test_a_block_list_carries_the_estate_and_community_over_its_rows_and_splits_the_buildings(data, tmp_path):
    sheet = read_registry_sheet(fixtures.write_block_list(data, tmp_path))
    assert sheet.kind == BLOCKS
    assert [(r.name, r.building, r.community, r.unit, r.person) for r in sheet.rows.itertuples()] == \
        [(b.estate, building, b.community, b.unit, b.person) for b in data.blocks for building in b.buildings]


def test_a_register_reads_its_pledge_dates_and_the_shops_without(data, tmp_path):
    sheet = read_registry_sheet(fixtures.write_shop_register(data, tmp_path))
    assert sheet.kind == SHOPS
    dates = {row.name: (None if row.pledge_date is None or row.pledge_date != row.pledge_date else row.pledge_date)
             for row in sheet.rows.itertuples()}
    assert dates == {shop.name: shop.pledge_date for shop in data.shops}
    unsigned = sum(shop.pledge_date is None for shop in data.shops)
    assert unsigned and sheet.summary().endswith(f"{unsigned}户未签责任书")


def test_several_names_in_one_cell_split_on_the_marks_offices_use():
    assert split_names("人民路、解放路，文化巷;南关后街/东关社区\n滨河社区") == \
        ["人民路", "解放路", "文化巷", "南关后街", "东关社区", "滨河社区"]


def test_two_leaders_in_one_cell_both_hold_the_point(tmp_path):
    path = write_xlsx(tmp_path / "联点清单.xlsx", [["县级领导创文联点清单"], ["领导姓名", "职务", "联系点位"],
                                               ["王建国、李明华", "县委书记", "人民路"]])
    sheet = read_registry_sheet(path)
    assert list(zip(sheet.rows["leader"], sheet.rows["name"])) == [("王建国", "人民路"), ("李明华", "人民路")]


@pytest.mark.parametrize("rows", [
    [["序号", "点位类型", "点位名称", "商户名称", "问题描述", "发现时间", "整改状态"],
     [1, "主次干道", "人民路", "老李家面馆", "门前乱堆乱放", dt.date(2026, 12, 1), "未整改"]],
    [["序号", "测评日期", "点位类型", "点位名称", "责任单位", "测评标准", "分值", "扣分"],
     [1, dt.date(2026, 11, 24), "主次干道", "人民路", "县城管局", "路面平整", 25, 2]],
    [["序号", "姓名", "性别", "出生年月", "所在科室"], [1, "武霞", "女", "1977.12", "材料组"]],
])
def test_ledgers_score_sheets_and_rosters_are_no_lists(tmp_path, rows):
    assert read_registry_sheet(write_xlsx(tmp_path / "表.xlsx", rows)) is None


def test_a_list_with_no_rows_is_refused_naming_the_file(tmp_path):
    path = write_xlsx(tmp_path / "点位清单.xlsx", [["点位名称", "点位类型", "责任单位", "责任人"]])
    with pytest.raises(FileRefused, match="点位清单.xlsx.*点位清单.*没有任何记录"):
        read_registry_sheet(path)
