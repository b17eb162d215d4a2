"""Reading ledgers of every shape docs/domain.md describes into normalised records, on files written here."""
import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import xlwt

from analytics import fixtures
from analytics.intake import FileRefused, parse_ledger
from analytics.shared.reading.reader import Grid
from analytics.shared.vocab import default_point_type_aliases

ALIASES = default_point_type_aliases()
TODAY = dt.date(2026, 11, 21)
HEADER = ["序号", "点位类型", "点位名称", "问题描述", "发现时间", "整改时限", "整改状态", "责任单位"]
ROW = ["1", "背街小巷类", "柳树巷", "墙面乱贴小广告", "2026/11/2", "2026/11/5", "未整改", "城关街道"]


def parse(path, **options):
    return parse_ledger(path, point_type_aliases=ALIASES, today=TODAY, **options)


def write_xlsx(path, rows, merges=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "问题台账"
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


def write_csv(path, rows, encoding):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_excel_saves(tmp_path, encoding):
    ledger = parse(write_csv(tmp_path / "城关街道_台账.csv", [HEADER, ROW], encoding))
    record, = ledger.records
    assert (record["point_type"], record["description"], record["status"]) == ("背街小巷", "墙面乱贴小广告", "待整改")


def test_a_csv_in_an_unknown_encoding_is_refused_with_advice(tmp_path):
    path = tmp_path / "城关街道_台账.csv"
    path.write_bytes(",".join(HEADER).encode("utf-16"))
    with pytest.raises(FileRefused, match="城关街道_台账.csv.*无法识别文件编码"):
        parse(path)


def test_title_rows_merged_cells_blank_total_and_footer_rows(tmp_path):
    path = write_xlsx(tmp_path / "台账.xlsx", [
        ["城关街道创建全国文明城市问题整改台账（截至2026年11月20日）"],
        ["填报单位：城关街道", None, None, None, "填报日期：2026年11月20日"],
        HEADER,
        ROW,
        [None] * 8,
        ["2", "主干道", "解放路", "人行道砖破损", "11月3日", "11月10日前", "整改中", ""],
        ["合计", "共2条"],
        ["填报人：张三", None, None, "审核人：李四"],
    ], merges=["A1:H1"])
    ledger = parse(path)
    assert (ledger.ledger_unit, ledger.unit_source, ledger.report_date) == ("城关街道", "责任单位列", dt.date(2026, 11, 20))
    assert [(r["source_row"], r["point_type"], r["found_date"], r["deadline"]) for r in ledger.records] == [
        (4, "背街小巷", dt.date(2026, 11, 2), dt.date(2026, 11, 5)),
        (6, "主次干道", dt.date(2026, 11, 3), dt.date(2026, 11, 10))]
    assert ledger.records[1]["unit"] == "城关街道"  # a row naming no unit belongs to the ledger's unit


def test_a_two_row_header_with_a_merged_group_cell(tmp_path):
    path = write_xlsx(tmp_path / "西城区_台账.xlsx", [
        ["序号", "点位类型", "点位名称", "问题描述", "发现时间", "整改时限", "整改情况", None],
        [None, None, None, None, None, None, "整改状态", "完成时间"],
        [1, "公园", "人民公园", "垃圾清理不及时", dt.date(2026, 11, 3), dt.date(2026, 11, 8), "整改完毕",
         dt.date(2026, 11, 6)],
    ], merges=["G1:H1", "A1:A2"])
    record, = parse(path).records
    assert (record["status"], record["rectified_date"]) == ("已整改", dt.date(2026, 11, 6))


def test_an_old_xls_with_dates_and_serials_typed_as_text(tmp_path):
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("台账")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for column, name in enumerate(HEADER):
        sheet.write(0, column, name)
    for column, value in enumerate(ROW[:4]):
        sheet.write(1, column, value)
    sheet.write(1, 4, dt.date(2026, 11, 2), date_style)
    sheet.write(1, 5, "46331")  # 2026-11-05 typed as text
    sheet.write(1, 6, "推进中")
    path = tmp_path / "市城管局_台账.xls"
    workbook.save(str(path))
    ledger = parse(path)
    record, = ledger.records
    assert (ledger.ledger_unit, record["found_date"], record["deadline"], record["status"]) == (
        "市城管局", dt.date(2026, 11, 2), dt.date(2026, 11, 5), "整改中")


def test_yes_no_column_with_closing_dates(tmp_path):
    header = ["编号", "点位类别", "具体点位", "存在问题", "交办日期", "完成时限", "是否整改到位", "销号日期"]
    rows = [["CG-001", "集贸市场", "城东农贸市场", "地面污水横流", "2026.11.9", "11月24日前", "否", ""],
            ["CG-002", "交通路口", "建设路口", "交通标线模糊", "2026.11.1", "2026-11-08", "是", ""],
            ["CG-003", "主干道", "解放路", "机动车乱停乱放", "10月17日", "10月20日前", "是", "2026年10月25日"]]
    ledger = parse(write_csv(tmp_path / "市城管局_问题清单.csv", [header] + rows, "gbk"))
    assert [(r["serial_no"], r["status"], r["closed_date"]) for r in ledger.records] == [
        ("CG-001", "待整改", None), ("CG-002", "已整改", None), ("CG-003", "已销号", dt.date(2026, 10, 25))]
    assert ledger.records[0]["deadline"] == dt.date(2026, 11, 24)


def test_unreadable_fields_are_kept_raw_and_flagged_never_dropped(tmp_path):
    rows = [HEADER,
            ["1", "桥下空间", "铁路桥", "桥下垃圾堆积", "待定", "尽快", "未整改", "城关街道"],
            ["2", "公园", "人民公园", "健身器材破损", "1900-01-01", "#REF!", "见附件", "城关街道"],
            ["3", "", "", "", "2026/11/3", "7天", "", "城关街道"]]
    ledger = parse(write_csv(tmp_path / "城关街道_台账.csv", rows, "utf-8"))
    first, second, third = ledger.records
    assert (first["point_type"], first["point_type_known"], first["found_date"], first["raw_found"]) == (
        "桥下空间", False, None, "待定")
    assert first["flags"] == ["点位类型“桥下空间”未归类", "发现日期（E列）“待定”无法识别", "整改时限（F列）“尽快”无法识别"]
    assert second["found_date"] is None and second["deadline"] is None and second["status"] == "待整改"
    assert second["flags"] == ["发现日期（E列）“1900-01-01”不在合理范围（2000年至2031年），已留空",
                               "整改时限（F列）为Excel错误值“#REF!”", "整改状态（G列）“见附件”无法识别，按待整改计"]
    assert third["deadline"] == dt.date(2026, 11, 10)
    assert third["flags"] == ["点位类型为空", "整改状态为空，按待整改计", "点位名称为空", "问题描述为空"]
    assert ledger.flagged == 3


@pytest.mark.parametrize("cell", ["1900-01-01", "2099/12/31"])
def test_dates_outside_any_campaign_are_kept_raw_and_flagged(tmp_path, cell):
    rows = [HEADER, ROW[:5] + [cell, "未整改", "城关街道"]]
    record, = parse(write_csv(tmp_path / "城关街道_台账.csv", rows, "utf-8")).records
    assert (record["deadline"], record["raw_deadline"]) == (None, cell)
    assert record["flags"] == [f"整改时限（F列）“{cell}”不在合理范围（2000年至2031年），已留空"]


def test_a_found_date_after_the_report_date_is_flagged(tmp_path):
    rows = [["城关街道问题台账（截至2026年11月20日）"], HEADER,
            ROW[:4] + ["2026/11/25", "2026/11/28", "未整改", "城关街道"]]
    record, = parse(write_csv(tmp_path / "台账.csv", rows, "utf-8")).records
    assert record["flags"] == ["发现日期（E列）“2026/11/25”晚于填报日期2026-11-20"]


def test_a_duplicated_header_column_is_reported(tmp_path):
    ledger = parse(write_csv(tmp_path / "城关街道_台账.csv", [HEADER + ["问题描述"], ROW + ["另一段描述"]], "utf-8"))
    assert ledger.warnings == ["工作表“”的表头“问题描述”出现多次（D列与I列），已采用D列"]
    assert ledger.records[0]["description"] == "墙面乱贴小广告"


def test_years_missing_from_dates_come_from_the_other_dates_of_the_file(tmp_path):
    rows = [HEADER, ROW[:4] + ["12月28日", "1月3日前", "未整改", "城关街道"],
            ["2"] + ROW[1:4] + ["2027/1/2", "2027/1/9", "未整改", "城关街道"]]
    record = parse(write_csv(tmp_path / "城关街道_台账.csv", rows, "utf-8")).records[0]
    assert (record["found_date"], record["deadline"]) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))


@pytest.mark.parametrize("file_name, rows, option, expected", [
    ("台账.csv", [HEADER, ROW], None, ("城关街道", "责任单位列")),
    ("台账.csv", [["填报单位：东关街道"], HEADER[:-1], ROW[:-1]], None, ("东关街道", "标题行")),
    ("台账.csv", [["东关街道创建全国文明城市问题整改台账"], HEADER[:-1], ROW[:-1]], None, ("东关街道", "标题行")),
    ("南关街道_创文问题整改台账.csv", [HEADER[:-1], ROW[:-1]], None, ("南关街道", "文件名")),
    ("台账.csv", [HEADER[:-1], ROW[:-1]], "北关街道", ("北关街道", "指定")),
    # a unit column naming several units says less than the title
    ("台账.csv", [["西关街道问题台账"], HEADER, ROW, ["2"] + ROW[1:7] + ["幸福社区"]], None, ("西关街道", "标题行")),
    ("台账.csv", [HEADER, ROW, ROW, ["2"] + ROW[1:7] + ["幸福社区"]], None, ("城关街道", "责任单位列")),
])
def test_the_unit_comes_from_the_most_trusted_place(tmp_path, file_name, rows, option, expected):
    ledger = parse(write_csv(tmp_path / file_name, rows, "utf-8"), unit=option)
    assert (ledger.ledger_unit, ledger.unit_source) == expected


def test_without_any_unit_the_file_is_refused(tmp_path):
    with pytest.raises(FileRefused, match="无法确定填报单位"):
        parse(write_csv(tmp_path / "台账.csv", [HEADER[:-1], ROW[:-1]], "utf-8"))


@pytest.mark.parametrize("rows, message", [
    ([["姓名", "电话", "职务"], ["张三", "13800000000", "科员"]], "没有找到问题台账"),
    ([HEADER, ["合计", "0"]], "表头下没有任何问题记录"),
])
def test_files_without_a_ledger_are_refused(tmp_path, rows, message):
    with pytest.raises(FileRefused, match=f"城关街道_台账.xlsx.*{message}"):
        parse(write_xlsx(tmp_path / "城关街道_台账.xlsx", rows))


def test_an_instructions_sheet_is_skipped_and_sheet_names_give_the_type(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "填表说明"
    workbook.active.append(["填表说明：请各单位按点位类型分表填报，每周五下午五点前报送区创文办。"])
    workbook.active.append(["整改情况请填写：已整改完毕 / 正在整改 / 未整改"])
    for sheet_name in ("背街小巷类", "集贸市场"):
        sheet = workbook.create_sheet(sheet_name)
        sheet.append(["序号", "点位名称", "问题描述", "发现日期", "整改时限", "整改情况"])
        sheet.append([1, "柳树巷", "店外经营占道", dt.date(2026, 11, 14), dt.date(2026, 11, 17), "正在整改"])
    path = tmp_path / "东城区_分类台账.xlsx"
    workbook.save(path)
    ledger = parse(path)
    assert [(r["sheet"], r["point_type"], r["status"]) for r in ledger.records] == [
        ("背街小巷类", "背街小巷", "整改中"), ("集贸市场", "农贸市场", "整改中")]
    assert len({r["problem_key"] for r in ledger.records}) == 2


@pytest.mark.parametrize("style", fixtures.STYLES)
def test_every_generated_layout_reads_back_to_its_truth(tmp_path, style):
    ledger = fixtures.ledger_for_unit("东关街道", seed=7, n_problems=60, report_date=dt.date(2026, 11, 20),
                                      style=style, oddities=True)
    parsed = parse(fixtures.write_ledger(ledger, tmp_path))
    truth = fixtures.expected_summary(ledger.problems, dt.date(2026, 11, 20))
    records = parsed.records
    assert (parsed.ledger_unit, parsed.report_date, len(records)) == ("东关街道", ledger.report_date, truth["problems"])
    assert parsed.flagged == ledger.expected_flags > 0
    assert Counter(r["point_type"] for r in records) == truth["by_point_type"]
    assert Counter(r["status"] for r in records) == {k: v for k, v in truth["by_status"].items() if v}
    overdue = sum(1 for r in records if r["status"] in ("待整改", "整改中") and r["deadline"]
                  and r["deadline"] < dt.date(2026, 11, 20))
    assert overdue == truth["overdue"]
    assert Counter((r["found_date"], r["deadline"]) for r in records) == Counter(
        (p.found, p.deadline) for p in ledger.problems)


def test_a_cell_repeated_down_a_column_is_read_alike_in_every_row_and_by_its_type():
    """Columns are read once per distinct cell: every row still carries its own reasons, and the number 1,
    the text 1 and TRUE are three different cells (grids as the reader gives them)."""
    rows = [HEADER + ["整改完成时间"]]
    for serial, found, done in [(1, "#REF!", 1), (2, "#REF!", True), (3, "2026/11/2", "1"), (4, "2026/11/2", 1.0)]:
        rows.append([serial, "背街小巷", f"巷{serial}", "墙面乱贴小广告", found, "2026/11/30", "已整改", "城关街道", done])
    records = parse(Path("城关街道_台账.xlsx"), grids=[Grid("问题台账", rows)]).records
    assert [(r["found_date"], r["rectified_date"], r["raw_rectified"]) for r in records] == [
        (None, None, "1"), (None, None, "True"), (dt.date(2026, 11, 2), None, "1"), (dt.date(2026, 11, 2), None, "1")]
    implausible = "整改完成日期（I列）“1”不在合理范围（2000年至2031年），已留空"
    assert [r["flags"] for r in records] == [
        ["发现日期（E列）为Excel错误值“#REF!”", implausible],
        ["发现日期（E列）为Excel错误值“#REF!”", "整改完成日期（I列）“True”无法识别"],
        ["整改完成日期（I列）“1”无法识别"],
        [implausible],
    ]


def test_a_date_without_a_year_is_read_near_the_day_the_ledger_came_in(tmp_path):
    """No report date in the file: the year-less dates are read against the import day, not against
    the latest full date written in the file (which is earlier and would push 12月4日 a year back)."""
    rows = [HEADER, ROW[:4] + ["2026/10/20", "2026/10/25", "已整改", "长青社区"],
            ["2"] + ROW[1:4] + ["2026/11/30", "2026/12/3", "未整改", "长青社区"],
            ["3"] + ROW[1:4] + ["12月4日", "12月7日前", "未整改", "长青社区"]]
    ledger = parse_ledger(write_csv(tmp_path / "长青社区_台账.csv", rows, "utf-8"), point_type_aliases=ALIASES,
                          today=dt.date(2026, 12, 5))
    record = ledger.records[2]
    assert (record["found_date"], record["deadline"]) == (dt.date(2026, 12, 4), dt.date(2026, 12, 7))
    assert record["flags"] == []


def test_a_date_the_rule_puts_in_another_year_than_the_report_date_is_flagged(tmp_path):
    rows = [["城关街道问题台账（截至2027年1月5日）"], HEADER, ROW[:4] + ["12月28日", "1月3日前", "未整改", "城关街道"]]
    record, = parse(write_csv(tmp_path / "台账.csv", rows, "utf-8")).records
    assert (record["found_date"], record["deadline"]) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert record["flags"] == ["发现日期（E列）“12月28日”未写年份，推定为2026年12月28日"
                               "（与台账日期2027-01-05不在同一年），请核实"]
