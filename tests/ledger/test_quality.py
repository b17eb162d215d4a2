"""台账质量 by unit on real ledger files: flagged rows grouped by kind, reporting on time or not, and
the rows to send back."""
import datetime as dt

import openpyxl
import pytest

from analytics.shared import db
from analytics.shared.filters import Filters
from analytics.intake import import_paths
from analytics.ledger.quality import flag_kind, ledger_quality, reporting_rule, rows_to_return
from analytics.shared.settings import set_setting
from analytics.shared.units import upsert_unit

HEADER = ["序号", "点位类型", "点位名称", "问题描述", "发现时间", "整改时限", "整改情况"]


def _ledger(path, title, rows):
    workbook = openpyxl.Workbook()
    workbook.active.append([title])
    workbook.active.append(HEADER)
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "quality.duckdb"
    east = _ledger(tmp_path / "东城街道_台账.xlsx", "东城街道创建全国文明城市问题整改台账（截至2026年11月20日）", [
        ["1", "背街小巷", "柳树巷", "墙面乱贴小广告", "2026/11/2", "2026/11/5", "已交办"],
        ["2", "农贸市场", "", "占道经营", "2026/11/3", "尽快", "立行立改"],
        ["3", "居民小区", "幸福小区", "", "2026/11/3", "2026/11/10", "整改中"],
        ["4", "公园", "", "", "2026/11/4", "2026/11/10", "待验收"],
    ])
    west = _ledger(tmp_path / "西城街道_台账.xlsx", "西城街道创建全国文明城市问题整改台账（截至2026年11月17日）", [
        ["1", "主次干道", "人民路", "道路破损", "2026/11/4", "2026/11/10", "复查通过"],
    ])
    import_paths(path, [east, west], now=dt.datetime(2026, 11, 20, 9))
    with db.connect(path) as con:
        upsert_unit(con, "北城社区", kind="社区", actor="测试")
    return path


@pytest.mark.parametrize("flag, kind", [
    ("发现日期（E列）“待定”无法识别", "发现日期无法识别"), ("点位类型“桥下空间”未归类", "点位类型未归类"),
    ("问题描述为空", "问题描述为空"), ("序号“3”与第5行重复", "序号重复"),
    ("整改状态（G列）“见附件”无法识别，按待整改计", "整改状态无法识别"),
])
def test_flags_are_grouped_by_kind(flag, kind):
    assert flag_kind(flag) == kind


def test_each_unit_with_its_flagged_rows_and_reporting(db_path):
    with db.connect(db_path, read_only=True) as con:
        table = ledger_quality(con, Filters(as_of=dt.date(2026, 11, 20)))
        rule = reporting_rule(con, Filters(as_of=dt.date(2026, 11, 20)))
    rows = {row.unit: row for row in table.itertuples()}
    assert table["unit"].tolist()[0] == "东城街道"                    # the most flagged first
    east = rows["东城街道"]
    assert (east.reports, east.problems, east.flagged, east.reporting) == (1, 4, 3, "按时")
    assert east.reasons == "点位名称为空2条；问题描述为空2条；整改时限无法识别1条"
    assert (rows["西城街道"].flagged, rows["西城街道"].reporting) == (0, "按时")
    assert (rows["北城社区"].reports, rows["北城社区"].reporting) == (0, "从未报送")
    assert rule == "7天及以上未报送台账即为未报送"


def test_in_the_sprint_a_unit_three_days_silent_is_late(db_path):
    with db.connect(db_path) as con:
        set_setting(con, "test_date", "2026-12-01")
        table = ledger_quality(con, Filters(as_of=dt.date(2026, 11, 20)))
        assert reporting_rule(con, Filters(as_of=dt.date(2026, 11, 20))).startswith("测评前冲刺期（每日报送），2天")
    assert table.set_index("unit").loc["西城街道", "reporting"] == "3天未报送"


def test_the_rows_to_send_back(db_path):
    with db.connect(db_path, read_only=True) as con:
        rows = rows_to_return(con, Filters(as_of=dt.date(2026, 11, 20)), "东城街道")
    assert rows["序号"].tolist() == ["2", "3", "4"]
    assert rows["行号"].tolist() == [4, 5, 6]
    assert rows["请补充或核实"].tolist() == ["整改时限（F列）“尽快”无法识别；点位名称为空", "问题描述为空",
                                       "点位名称为空；问题描述为空"]
    assert rows["整改状态"].tolist() == ["立行立改", "整改中", "待验收"]
