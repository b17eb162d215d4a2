"""Where the ledger is in a grid: which rows under the header are problems, and column names as a
spreadsheet shows them."""
import pytest
from openpyxl.utils import get_column_letter

from analytics.shared.reading.layout import CarryDown, column_letter, find_layout, problem_rows


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (7, "H"), (25, "Z"), (26, "AA"), (51, "AZ"),
                                                (52, "BA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")])
def test_a_column_is_named_as_the_spreadsheet_shows_it(index, letters):
    assert column_letter(index) == letters


def test_every_column_of_a_sheet_is_named_as_openpyxl_names_it():
    assert [column_letter(index) for index in range(16384)] == [get_column_letter(n) for n in range(1, 16385)]


HEADER = ["序号", "点位类型", "点位名称", "问题描述", "整改状态", "责任单位"]


def _kept(body: list[list[object]]) -> list[int]:
    rows = [HEADER, *body]
    layout = find_layout("Sheet1", rows)
    return [row.row_number for row in problem_rows(layout, rows)]


@pytest.mark.parametrize(("body", "kept"), [
    # a unit's name reads like a header cell (城关街道 ~ 街道) in every row: the rows are problems
    ([[1, "农贸市场", "北门菜市场", "污水横流", "待整改", "城关街道"]] * 3, [2, 3, 4]),
    # the header repeated on a new printed page is skipped, whatever its spacing
    ([[1, "农贸市场", "北门菜市场", "污水横流", "待整改", "城关街道"], [" 序号", "点位类型 ", "点位名称", "问题描述"],
      [2, "背街小巷", "柳树巷", "乱贴广告", "已整改", "城关街道"]], [2, 4]),
    # 合计 rows, with white space inside or before them, and footer rows
    ([[1, "农贸市场", "北门菜市场", "污水横流", "待整改", "城关街道"], ["合　计", "", "", "", "", ""],
      ["", " 小计", 1], ["填报人：张三", "", "审核人：李四"]], [2]),
    # a problem whose type was left empty but whose 点位 is named; a lone stray cell is not a problem
    ([["", "", "锦绣花园", "楼道堆物", "整改中", ""], ["", "", "", "", "", "第1页"]], [2]),
    # rows shorter than the header (trailing cells left out) are read with their cells empty
    ([[1, "农贸市场", "北门菜市场"], [2, "背街小巷"], [3]], [2, 3]),
    # blank rows between problems, and a row of white space only
    ([[], ["", None, "  "], [1, "农贸市场", "北门菜市场", "污水横流", "待整改", "城关街道"]], [4]),
])
def test_the_rows_under_the_header_that_are_problems(body, kept):
    assert _kept(body) == kept


def test_a_short_row_leaves_its_missing_cells_empty():
    rows = [HEADER, [2, "背街小巷"]]
    (row,) = problem_rows(find_layout("Sheet1", rows), rows)
    assert row.cells == {"serial_no": 2, "point_type": "背街小巷", "point_name": "", "description": "",
                         "status": "", "unit": ""}


def test_merged_cells_carry_down_until_the_next_filled_cell():
    merged = CarryDown(("item", "unit"))
    rows = [{"item": "环境卫生", "unit": "城关街道", "standard": "a"},
            {"item": " ", "unit": None, "standard": "b"},
            {"item": "市容秩序", "unit": "", "standard": "c"},
            {"standard": "d"}]
    filled = [merged.fill(dict(row)) for row in rows]
    assert [(row.get("item"), row.get("unit")) for row in filled] == [
        ("环境卫生", "城关街道"), ("环境卫生", "城关街道"), ("市容秩序", "城关街道"), (None, None)]
    assert [row["standard"] for row in filled] == ["a", "b", "c", "d"]   # other columns untouched
