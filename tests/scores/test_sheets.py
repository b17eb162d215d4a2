"""Reading 模拟测评 score sheets: the three shapes, the words, the rounds, the flags, and never a ledger."""
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlwt

from analytics import fixtures
from analytics.fixtures import scores as score_fixtures
from analytics.shared.reading.reader import read_grids
from analytics.scores.sheets import (ScoreSheetError,
    find_score_layout,
    is_score_workbook,
    parse_score_sheet,
    read_deduction,
    read_points_value)
from analytics.shared.vocab import default_point_type_aliases

ALIASES = default_point_type_aliases()
SAMPLES = Path(__file__).parents[1] / "samples" / "scores"
SPOTS = [score_fixtures.ScoreSpot(t, n, u) for t, n, u in (
    ("居民小区", "幸福小区", "城关街道"), ("居民小区", "阳光花园", "东关街道"), ("背街小巷", "中山路2巷", "城关街道"),
    ("农贸市场", "胜利路农贸市场", "市市场监管局"), ("主次干道", "人民路", "市城管局"), ("公园", "人民公园", "市城管局"))]


def parse(path):
    return parse_score_sheet(path, point_type_aliases=ALIASES, today=dt.date(2026, 12, 1))


def scores_of(parsed):
    return {(p.point_type, p.point_name): max(100 - p.deducted, 0) for p in parsed.points}


def truth_scores(round_):
    return {(r.spot.point_type, r.spot.point_name): r.score for r in round_.results}


@pytest.mark.parametrize(("written", "expected"), [
    (2, 2.0), (-2, 2.0), (2.5, 2.5), ("2", 2.0), ("-2", 2.0), ("－2", 2.0), ("2分", 2.0), ("扣2分", 2.0),
    ("扣 2 分", 2.0), ("-2分", 2.0), ("扣除3分", 3.0), ("", 0.0), ("0", 0.0), ("—", 0.0), ("无", 0.0),
    ("未发现问题", 0.0),
])
def test_deduction_words(written, expected):
    assert read_deduction(written) == (expected, True)


def test_unreadable_deduction():
    assert read_deduction("较多") == (None, False)


@pytest.mark.parametrize(("written", "expected"), [
    (25, 25.0), ("分值20", 20.0), ("20分", 20.0), ("满分：15", 15.0), ("说明", None), (0, None),
])
def test_points_words(written, expected):
    assert read_points_value(written) == expected


@pytest.mark.parametrize("writer", [score_fixtures.write_deduction_detail, score_fixtures.write_point_table,
                                    score_fixtures.write_score_summary_xls])
def test_each_shape_reads_the_truth(tmp_path, writer):
    round_ = score_fixtures.score_round(SPOTS, 3, dt.date(2026, 11, 2), seed=4)
    path = writer(round_, tmp_path / f"得分{'.xls' if 'xls' in writer.__name__ else '.xlsx'}")
    parsed = parse(path)
    assert parsed.rounds == ["第三轮"]
    assert scores_of(parsed) == pytest.approx(truth_scores(round_))
    assert {p.unit for p in parsed.points} == {s.unit for s in SPOTS}
    assert parsed.flagged == 0
    assert parsed.describe().startswith("模拟测评得分表：第三轮，6个点位")
    expected_shape = {"write_deduction_detail": "扣分明细", "write_point_table": "点位得分表",
                      "write_score_summary_xls": "得分汇总"}[writer.__name__]
    assert parsed.shape == expected_shape


def test_detail_with_merged_point_cells(tmp_path):
    round_ = score_fixtures.score_round(SPOTS, 1, dt.date(2026, 10, 9), seed=1, severity=0.9)
    path = score_fixtures.write_deduction_detail(round_, tmp_path / "明细.xlsx", merged_points=True)
    parsed = parse(path)
    assert scores_of(parsed) == pytest.approx(truth_scores(round_))
    assert all(p.eval_date == dt.date(2026, 10, 9) for p in parsed.points)


def test_round_from_file_name_and_from_column(tmp_path):
    round_ = score_fixtures.score_round(SPOTS, 2, dt.date(2026, 10, 20))
    untitled = score_fixtures.write_deduction_detail(round_, tmp_path / "第二轮测评结果.xlsx", include_round_in_title=False)
    assert parse(untitled).rounds == ["第二轮"]
    in_column = score_fixtures.write_score_summary_xls(round_, tmp_path / "汇总.xls", round_in_column=True)
    parsed = parse(in_column)
    assert parsed.rounds == ["第二轮"]
    assert {p.eval_date for p in parsed.points} == {dt.date(2026, 10, 20)}


def test_round_from_the_evaluation_date_when_no_round_is_named(tmp_path):
    round_ = score_fixtures.score_round(SPOTS, 2, dt.date(2026, 10, 20))
    path = score_fixtures.write_deduction_detail(round_, tmp_path / "测评结果.xlsx", include_round_in_title=False)
    assert parse(path).rounds == ["2026年10月20日测评"]


def test_flag_cases_are_kept_not_fixed(tmp_path):
    round_ = score_fixtures.with_flag_cases(score_fixtures.score_round(SPOTS, 1, dt.date(2026, 10, 9), seed=2))
    parsed = parse(score_fixtures.write_point_table(round_, tmp_path / "第一轮点位得分表.xlsx"))
    by_name = {p.point_name: p for p in parsed.points}
    disagreeing = by_name[SPOTS[0].point_name]
    assert disagreeing.stated_score == round_.results[0].stated_score
    assert max(100 - disagreeing.deducted, 0) == round_.results[0].score        # the rule, not the sheet
    assert any("与扣分合计" in flag and "不符" in flag for flag in disagreeing.flags)
    over = by_name[SPOTS[1].point_name]
    flagged = [d for d in over.deductions if d["flags"]]
    assert len(flagged) == 1 and "超过该标准分值" in flagged[0]["flags"][0]
    assert flagged[0]["deduction"] == flagged[0]["max_points"] + 5              # kept as written
    assert "工作表“居民小区”第" in flagged[0]["flags"][0] or "工作表" in flagged[0]["flags"][0]
    assert parsed.flagged == 2


def _workbook(path, rows, title="示例"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_single_row_header_with_points_in_brackets_and_synonyms(tmp_path):
    path = _workbook(tmp_path / "第四轮模拟测评.xlsx", [
        ["第四轮模拟测评农贸市场得分表"],
        ["序号", "具体点位", "包保单位", "四牌一图齐全（20分）", "地面干净(30分)", "无占道经营（50分）", "实得分"],
        [1, "东门菜市场", "城关街道", "扣2分", None, "-5", 93],
        [2, "西门菜市场", "城关街道", None, "3分", None, 97],
        ["平均分", None, None, None, None, None, 95],
    ], title="农贸市场（菜市场）")
    parsed = parse(path)
    assert parsed.shape == "点位得分表" and parsed.rounds == ["第四轮"]
    assert scores_of(parsed) == {("农贸市场", "东门菜市场"): 93, ("农贸市场", "西门菜市场"): 97}
    standards = {d["standard"] for p in parsed.points for d in p.deductions}
    assert standards == {"四牌一图齐全", "地面干净", "无占道经营"}


def test_group_row_above_standards_gives_the_items(tmp_path):
    path = _workbook(tmp_path / "第五轮.xlsx", [
        ["序号", "点位名称", "责任单位", "环境卫生", None, "公益广告", "得分"],
        [None, None, None, "路面干净", "无积存垃圾", "公益广告醒目", None],
        [None, None, None, 40, 30, 30, None],
        [1, "人民路", "市城管局", 4, None, 6, 90],
    ], title="主次干道")
    parsed = parse(path)
    items = {(d["item"], d["standard"]) for d in parsed.points[0].deductions}
    assert items == {("环境卫生", "路面干净"), ("公益广告", "公益广告醒目")}
    assert parsed.points[0].point_type == "主次干道" and parsed.flagged == 0


def test_unknown_type_is_kept_and_flagged(tmp_path):
    path = _workbook(tmp_path / "第一轮汇总.xlsx", [
        ["点位类别", "点位名称", "责任单位", "得分"],
        ["桥下空间", "一号桥下", "城关街道", 80],
        ["小区（老旧）", "幸福里", "城关街道", "88分"],
    ])
    parsed = parse(path)
    by_name = {p.point_name: p for p in parsed.points}
    assert by_name["一号桥下"].point_type == "桥下空间" and by_name["一号桥下"].flags == ["点位类型“桥下空间”未归类"]
    assert by_name["幸福里"].point_type == "居民小区" and by_name["幸福里"].deducted == 12


def test_a_row_without_its_point_is_kept_flagged_naming_file_sheet_row_and_column(tmp_path):
    path = _workbook(tmp_path / "第一轮汇总.xlsx", [
        ["第一轮模拟测评得分汇总"],
        ["点位类型", "点位名称", "责任单位", "得分"],
        ["居民小区", "幸福里", "城关街道", 80],
        ["居民小区", None, "城关街道", 70],
        ["居民小区", None, "城关街道", 60],
    ], title="汇总")
    parsed = parse(path)
    blank = [point for point in parsed.points if not point.point_name]
    # two rows without a name are two 点位, not one merged by guess
    assert [(point.deducted, point.flags) for point in blank] == [
        (30.0, ["工作表“汇总”第4行B列点位名称为空"]), (40.0, ["工作表“汇总”第5行B列点位名称为空"])]


def test_no_round_anywhere_is_refused_in_chinese(tmp_path):
    path = _workbook(tmp_path / "得分.xlsx", [["点位类型", "点位名称", "责任单位", "得分"],
                                             ["居民小区", "幸福里", "城关街道", 80]])
    with pytest.raises(ScoreSheetError, match="无法确定测评轮次"):
        parse(path)


def test_a_ledger_is_never_a_score_sheet(tmp_path):
    for style in fixtures.STYLES:
        ledger = fixtures.ledger_for_unit("城关街道", seed=3, n_problems=30, report_date=dt.date(2026, 11, 20),
                                          style=style)
        path = fixtures.write_ledger(ledger, tmp_path / style)
        assert not is_score_workbook(read_grids(path)), style


def test_a_ledger_with_a_deduction_column_stays_a_ledger(tmp_path):
    path = _workbook(tmp_path / "城关街道台账.xlsx", [
        ["序号", "点位名称", "问题描述", "扣分", "整改状态", "整改时限"],
        [1, "幸福里", "楼道堆物", 2, "已整改", "2026-11-20"],
    ])
    assert not is_score_workbook(read_grids(path))


def test_samples_are_score_sheets():
    for path in SAMPLES.glob("*.xlsx"):
        grids = read_grids(path)
        assert is_score_workbook(grids)
        assert all(find_score_layout(g.sheet, g.rows) for g in grids)


def test_xls_summary_written_by_hand(tmp_path):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate([["第二轮模拟测评点位得分汇总表"], ["序号", "点位分类", "点位", "包保部门", "点位得分"],
                             [1, "公厕", "南门公厕", "市城管局", 76.5]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "汇总.xls"
    book.save(str(path))
    parsed = parse(path)
    assert parsed.shape == "得分汇总"
    assert [(p.point_type, p.point_name, p.unit, p.deducted) for p in parsed.points] == [
        ("室外公共厕所", "南门公厕", "市城管局", 23.5)]
