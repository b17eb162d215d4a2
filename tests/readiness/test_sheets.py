"""Reading the three readiness sheets (测评体系分解表, 网上申报 status, 问卷调查 results) by content, in the
shapes, words and formats DOMAIN.md allows; never taking a ledger or a score sheet for one of them."""
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from analytics import fixtures
from analytics.fixtures import readiness as rf
from analytics.shared.reading.reader import FileRefused, read_grids
from analytics.readiness.words import CATALOGUE, MATERIALS, SURVEY
from analytics.readiness.sheets import (indicator_of,
    normalise_method,
    normalise_submission,
    read_points,
    read_rate,
    read_readiness_sheet,
    recognise)
from tests.ledger.test_parse import write_xlsx

SAMPLES = Path(__file__).parents[1] / "samples" / "readiness"
TODAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize("name, kind, summary", [
    ("测评体系分解表.xlsx", CATALOGUE, "测评体系分解表：40项测评标准（实地考察16项、网上申报20项、问卷调查4项）"),
    ("网上申报材料报送情况.xlsx", MATERIALS, "网上申报材料报送情况：20项，已通过12项，待审核3项，被退回4项，未报送1项"),
    ("问卷调查结果.xlsx", SURVEY, "问卷调查结果：第一轮、第二轮，4个区域，4项指标"),
])
def test_the_sample_sheets_are_recognised_and_read(name, kind, summary):
    sheet = read_readiness_sheet(SAMPLES / name, today=TODAY)
    assert (sheet.kind, sheet.summary(), sheet.flagged) == (kind, summary, 0)


def test_the_sample_score_sheet_is_none_of_them():
    assert read_readiness_sheet(SAMPLES / "第二轮模拟测评扣分明细.xlsx") is None


def test_ledgers_of_every_layout_are_none_of_them(tmp_path):
    campaign = fixtures.campaign(seed=2, n_units=24, problems_per_unit=12, weeks=1)
    paths = fixtures.write_snapshot(fixtures.snapshots(campaign)[-1], tmp_path)
    assert {path.suffix for path in paths} >= {".xlsx", ".xls", ".csv"}
    assert [path.name for path in paths if recognise(read_grids(path))] == []


@pytest.mark.parametrize("header", [
    ["序号", "测评日期", "点位类型", "点位名称", "责任单位", "测评项目", "测评标准", "分值", "扣分", "存在问题"],
    ["序号", "点位名称", "点位类型", "包保单位", "得分"],
    ["序号", "测评标准", "分值", "扣分", "扣分原因", "测评方式"],
])
def test_score_sheets_are_none_of_them(tmp_path, header):
    row = ["1", "2026-11-12", "居民小区", "幸福小区", "城关街道", "公共环境", "楼道无乱堆乱放", 25, 5, "杂物"]
    path = write_xlsx(tmp_path / "第一轮模拟测评.xlsx", [["第一轮模拟测评"], header, row[:len(header)]])
    assert read_readiness_sheet(path) is None


@pytest.mark.parametrize("raw, status", [
    ("已通过", "已通过"), ("审核通过", "已通过"), ("通过", "已通过"), ("合格", "已通过"),
    ("已报送", "待审核"), ("待审核", "待审核"), ("已上传，审核中", "待审核"),
    ("被退回", "被退回"), ("已退回", "被退回"), ("退回修改", "被退回"), ("审核未通过", "被退回"), ("驳回", "被退回"),
    ("未报送", "未报送"), ("未上传", "未报送"), ("尚未提交", "未报送"),
    ("", None), ("已整改", None),
])
def test_submission_statuses_are_read_by_meaning(raw, status):
    assert normalise_submission(raw) == status


@pytest.mark.parametrize("raw, method", [
    ("实地考察", "实地考察"), ("实地测评", "实地考察"), ("现场检查", "实地考察"),
    ("网上申报", "网上申报"), ("网上材料审核", "网上申报"), ("材料审核", "网上申报"),
    ("问卷调查", "问卷调查"), ("入户问卷调查", "问卷调查"), ("", None), ("其他", None),
])
def test_methods_are_read_by_meaning(raw, method):
    assert normalise_method(raw) == method


@pytest.mark.parametrize("raw, rate", [
    (0.87, 0.87), ("0.87", 0.87), ("87%", 0.87), ("87％", 0.87), (87, 0.87), ("87", 0.87), ("87.5", 0.875),
    (1, 1.0), ("100%", 1.0), (0, 0.0), ("120%", None), (-3, None), ("很好", None), (None, None), (True, None),
])
def test_rates_written_every_way(raw, rate):
    assert read_rate(raw) == pytest.approx(rate) if rate is not None else read_rate(raw) is None


@pytest.mark.parametrize("raw, points", [(5, 5.0), ("5", 5.0), ("5分", 5.0), ("2.5", 2.5), ("五", None), (-1, None)])
def test_points(raw, points):
    assert read_points(raw) == points


@pytest.mark.parametrize("raw, indicator", [
    ("知晓率", "知晓率"), ("市民知晓率", "知晓率"), ("满意率（%）", "满意度"), ("支持度", "支持率"), ("参与率", "参与率"),
    ("样本量", None), ("知晓率与满意度", None),
])
def test_indicators(raw, indicator):
    assert indicator_of(raw) == indicator


@pytest.mark.parametrize("fmt", rf.FORMATS)
@pytest.mark.parametrize("words", ["plain", "other_words"])
def test_generated_catalogue_and_materials_in_every_format_and_wording(tmp_path, fmt, words):
    data = rf.readiness_set(5, n_online=30, n_field=20)
    catalogue = read_readiness_sheet(rf.write_catalogue(data, tmp_path, fmt=fmt, words=words), today=TODAY)
    materials = read_readiness_sheet(rf.write_materials(data, tmp_path, fmt=fmt, words=words), today=TODAY)
    assert catalogue.kind == CATALOGUE and materials.kind == MATERIALS
    truth = {(s.standard, s.points, s.method, s.unit, s.item) for s in data.standards}
    assert set(zip(catalogue.rows["standard"], catalogue.rows["points"], catalogue.rows["method"],
                   catalogue.rows["unit"], catalogue.rows["item"])) == truth   # merged 测评项目 cells carried down
    assert list(zip(materials.rows["standard"], materials.rows["unit"], materials.rows["status"],
                    materials.rows["deadline"])) == \
        [(m.standard, m.unit, m.status, m.deadline) for m in data.materials]
    assert materials.report_date == data.as_of
    assert catalogue.flagged == materials.flagged == 0


@pytest.mark.parametrize("fmt", rf.FORMATS)
@pytest.mark.parametrize("shape", rf.SURVEY_SHAPES)
@pytest.mark.parametrize("rates", rf.RATE_STYLES)
def test_generated_survey_in_every_shape_format_and_rate_style(tmp_path, fmt, shape, rates):
    data = rf.readiness_set(6, rounds=3)
    sheet = read_readiness_sheet(rf.write_survey(data, tmp_path, fmt=fmt, shape=shape, rates=rates))
    assert sheet.kind == SURVEY and sheet.flagged == 0
    read = {(n, area, indicator): rate for n, area, indicator, rate in
            zip(sheet.rows["round_no"], sheet.rows["area"], sheet.rows["indicator"], sheet.rows["rate"])}
    rounds = {3} if shape == "transposed" else {1, 2, 3}   # a transposed sheet holds one round, named in its title
    truth = {(r.round_no, r.area, r.indicator): r.rate for r in data.survey if r.round_no in rounds}
    assert read.keys() == truth.keys()
    assert all(read[key] == pytest.approx(truth[key]) for key in truth)


def test_unreadable_cells_are_kept_and_flagged_with_their_column(tmp_path):
    path = write_xlsx(tmp_path / "报送.xlsx", [
        ["测评标准", "责任单位", "报送状态", "退回原因", "截止时间"],
        ["志愿服务制度化", "市教育局", "研究中", None, "尽快"],
        ["诚信建设", "市民政局", "被退回", None, "12月10日前"],
    ])
    sheet = read_readiness_sheet(path, today=TODAY)
    assert list(sheet.rows["status"]) == ["未报送", "被退回"]
    assert sheet.rows["flags"][0] == ["报送状态（C列）“研究中”无法识别，按未报送计", "截止时间（E列）“尽快”无法识别"]
    assert sheet.rows["flags"][1] == ["被退回但未写明退回原因"]
    assert sheet.rows["deadline"][1] == dt.date(2026, 12, 10)


def test_a_survey_with_a_summary_row_and_rounds_merged_down(tmp_path):
    path = write_xlsx(tmp_path / "问卷.xlsx", [
        ["轮次", "区域", "满意度", "知晓率"],
        ["第1轮", "城关区", "80%", "0.9"],
        [None, "东城区", 90, "很高"],
        [None, "全市", 85, 0.9],
    ], merges=["A2:A4"])
    sheet = read_readiness_sheet(path)
    read = set(zip(sheet.rows["round"], sheet.rows["area"], sheet.rows["indicator"], sheet.rows["rate"].round(3)))
    assert {row for row in read if row[3] == row[3]} == {   # NaN: the unreadable cell
        ("第一轮", "城关区", "满意度", 0.8), ("第一轮", "城关区", "知晓率", 0.9), ("第一轮", "东城区", "满意度", 0.9)}
    assert "全市" not in set(sheet.rows["area"])   # the summary row of areas is not an area
    flagged, = [flags for flags in sheet.rows["flags"] if flags]
    assert flagged == ["知晓率（D列）“很高”无法识别为比率"]


def test_a_survey_of_one_area_per_round_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    for index, name in enumerate(("第一轮", "第二轮")):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = name
        sheet.append(["知晓率", "支持率", "参与率", "满意度"])
        sheet.append([0.8 + index / 10, 0.8, 0.8, 0.8])
    workbook.save(tmp_path / "问卷.xlsx")
    sheet = read_readiness_sheet(tmp_path / "问卷.xlsx")
    assert set(zip(sheet.rows["round"], sheet.rows["area"])) == {("第一轮", "全市"), ("第二轮", "全市")}


def test_a_catalogue_split_by_method_into_sheets(tmp_path):
    workbook = openpyxl.Workbook()
    online = workbook.active
    online.title = "网上申报"
    online.append(["测评内容", "测评标准", "分值", "牵头单位"])
    online.append(["志愿服务", "志愿服务制度化", "5分", "市文明办（牵头）、市教育局"])
    field = workbook.create_sheet("实地考察")
    field.append(["测评内容", "测评标准", "分值", "牵头单位"])
    field.append(["居民小区", "楼道无乱堆乱放", 25, "市住建局"])
    workbook.save(tmp_path / "分解表.xlsx")
    sheet = read_readiness_sheet(tmp_path / "分解表.xlsx")
    assert list(zip(sheet.rows["method"], sheet.rows["points"], sheet.rows["unit"])) == \
        [("网上申报", 5.0, "市文明办"), ("实地考察", 25.0, "市住建局")]


def test_a_recognised_sheet_with_no_rows_is_refused_by_name(tmp_path):
    path = write_xlsx(tmp_path / "材料.xlsx", [["网上申报材料报送情况"], ["测评标准", "责任单位", "报送状态", "退回原因"]])
    assert read_readiness_sheet(path) is None   # no status read under the header: not recognisably this kind
    path = write_xlsx(tmp_path / "问卷.xlsx", [["问卷调查结果"], ["区域", "知晓率", "满意度"], ["合计", 0.9, 0.9]])
    with pytest.raises(FileRefused, match="问卷.xlsx.*问卷调查结果.*没有任何记录"):
        read_readiness_sheet(path)


def test_a_status_column_beside_an_audit_column(tmp_path):
    path = write_xlsx(tmp_path / "报送.xlsx", [
        ["测评标准", "责任单位", "报送状态", "审核状态", "退回原因"],
        ["志愿服务制度化", "市教育局", "已报送", "审核通过", None],
        ["诚信建设", "市民政局", "已报送", "退回", "不对标"],
        ["文明家庭", "市妇联", "已报送", "", None],
        ["道德模范", "团市委", "未报送", "", None],
    ])
    sheet = read_readiness_sheet(path)
    assert list(sheet.rows["status"]) == ["已通过", "被退回", "待审核", "未报送"]
    assert sheet.rows["status_raw"][0] == "已报送／审核通过"


def test_a_workbook_holding_two_kinds_says_what_it_left_out(tmp_path):
    workbook = openpyxl.Workbook()
    catalogue = workbook.active
    catalogue.title = "分解表"
    catalogue.append(["测评项目", "测评内容", "测评标准", "分值", "测评方式", "牵头单位"])
    catalogue.append(["思想道德", "志愿服务", "志愿服务制度化", 5, "网上申报", "市文明办"])
    survey = workbook.create_sheet("问卷")
    survey.append(["区域", "知晓率", "满意度"])
    survey.append(["东城区", 0.9, 0.8])
    workbook.save(tmp_path / "测评.xlsx")
    sheet = read_readiness_sheet(tmp_path / "测评.xlsx")
    assert sheet.kind == CATALOGUE
    assert sheet.warnings == ["工作表“问卷”像是另一种表，未导入：请把测评体系分解表之外的表另存为单独的文件再导入"]
