"""返工 across real ledger files of one unit: a problem reported done and later reported open again is
open from that later report only, counts as reopened once however many ledgers repeat it, and the
stored state stays what the history derives (check, rebuild, undo)."""
import datetime as dt
import shutil

import openpyxl
import pytest

from analytics.shared import db
from analytics.shared.filters import Filters
from analytics.intake import import_paths, rebuild, undo_import
from analytics.intake.integrity import check_integrity
from analytics.ledger.lifecycle import scoped_sql, status_on
from analytics.ledger.metrics import summary
from analytics.ledger.rework import reopened_count, rework_rates, rework_rising

D = dt.date
HEADER = ["序号", "点位类型", "点位名称", "问题描述", "发现时间", "整改时限", "整改情况", "整改完成时间"]
PROBLEMS = {1: ["背街小巷", "柳树巷", "墙面乱贴小广告", "2026/11/2", "2026/11/5"],
            2: ["农贸市场", "城东菜市场", "占道经营", "2026/11/3", "2026/11/10"],
            3: ["公园", "人民公园", "烟头纸屑", "2026/11/3", "2026/11/6"]}
# (report date, {serial: (status as the unit wrote it, 整改完成时间)})
LEDGERS = [
    (D(2026, 11, 6), {1: ("已整改", "2026/11/5"), 2: ("已交办", ""), 3: ("复查通过", "2026/11/4")}),
    (D(2026, 11, 13), {1: ("复查未通过", "2026/11/5"), 2: ("立行立改", "2026/11/12"), 3: ("已销号", "2026/11/4")}),
    (D(2026, 11, 20), {1: ("整改中", ""), 2: ("未整改", ""), 3: ("已销号", "2026/11/4")}),
    (D(2026, 11, 21), {1: ("整改中", ""), 2: ("未整改", ""), 3: ("已销号", "2026/11/4")}),   # the same again
]


def write_ledger(folder, report_date, statuses, unit="城关街道"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([f"{unit}创建全国文明城市问题整改台账（截至{report_date:%Y年%m月%d日}）"])
    sheet.append(HEADER)
    for serial, (status, done) in statuses.items():
        sheet.append([str(serial), *PROBLEMS[serial], status, done])
    path = folder / f"{unit}_台账_{report_date:%Y%m%d}.xlsx"
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rework")
    path = folder / "rework.duckdb"
    for report_date, statuses in LEDGERS:
        import_paths(path, [write_ledger(folder, report_date, statuses)], now=dt.datetime(2026, 11, 21, 9))
    return path


def status_of(con, key, day):
    scope, params = scoped_sql(Filters(as_of=day))
    row = con.execute(f"WITH {scope} SELECT {status_on('$f_as_of')} FROM scoped WHERE problem_key = $key",
                      params | {"key": key}).fetchone()
    return row and row[0]


@pytest.mark.parametrize("serial, day, status", [
    (1, D(2026, 11, 12), None),        # reported done on 11-06: not open before the later report
    (1, D(2026, 11, 13), "待整改"),     # 复查未通过: open from that report on
    (1, D(2026, 11, 20), "整改中"),
    (2, D(2026, 11, 19), None),        # done on 11-12 (立行立改), reported open again on 11-20
    (2, D(2026, 11, 20), "待整改"),
    (3, D(2026, 11, 12), "已销号"),     # never reopened: its life as written
])
def test_a_reopened_problem_is_open_from_the_later_report_only(db_path, serial, day, status):
    with db.connect(db_path, read_only=True) as con:
        assert status_of(con, f"城关街道||{serial}", day) == status


def test_reopened_counts_once_however_many_ledgers_repeat_it(db_path):
    with db.connect(db_path, read_only=True) as con:
        days = dict(con.execute("SELECT serial_no, reopened_day FROM problems").fetchall())
        assert days == {"1": D(2026, 11, 13), "2": D(2026, 11, 20), "3": None}
        assert [reopened_count(con, Filters(as_of=day)) for day in (D(2026, 11, 12), D(2026, 11, 13),
                                                                     D(2026, 11, 20), D(2026, 11, 21))] == [0, 1, 2, 2]
        assert summary(con, Filters(as_of=D(2026, 11, 21)))["reopened"] == 2
        rates = rework_rates(con, Filters(as_of=D(2026, 11, 21)), "unit")
        assert rates[["unit", "done_ever", "reopened", "reopened_week"]].values.tolist() == [["城关街道", 3, 2, 1]]
        assert rates["rework_rate"].iloc[0] == pytest.approx(2 / 3)
        by_type = rework_rates(con, Filters(as_of=D(2026, 11, 21)), "point_type")
        assert by_type[["point_type", "reopened"]].values.tolist() == [["农贸市场", 1], ["背街小巷", 1], ["公园", 0]]
        assert rework_rising(con, Filters(as_of=D(2026, 11, 21)), "unit")["unit"].tolist() == ["城关街道"]
        assert rework_rising(con, Filters(as_of=D(2026, 11, 28)), "unit").empty


def test_check_rebuild_and_undo_keep_it_derived_from_the_history(db_path, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db_path, copy)
    shutil.copytree(db.archive_dir(db_path), db.archive_dir(copy))
    assert check_integrity(copy).ok
    with db.connect(copy, read_only=True) as con:
        before = con.execute("SELECT * FROM problems ORDER BY problem_key").fetchall()
    rebuild(copy)
    with db.connect(copy, read_only=True) as con:
        assert con.execute("SELECT * FROM problems ORDER BY problem_key").fetchall() == before
        second = con.execute("SELECT import_id FROM imports WHERE report_date = '2026-11-13'").fetchone()[0]
    undo_import(copy, second)
    with db.connect(copy, read_only=True) as con:
        days = dict(con.execute("SELECT serial_no, reopened_day FROM problems").fetchall())
    assert days == {"1": D(2026, 11, 20), "2": None, "3": None}   # done on 11-06, open again on 11-20
    assert check_integrity(copy).ok


def test_the_briefing_names_the_unit_whose_rework_rises(db_path):
    from analytics.ledger.briefing import briefing, briefing_json, briefing_text

    with db.connect(db_path, read_only=True) as con:
        morning = briefing(con, Filters(as_of=D(2026, 11, 21)))
        later = briefing(con, Filters(as_of=D(2026, 11, 28)))
    assert briefing_text(morning).endswith("；近7天返工（已整改又报未整改，或复测同一标准仍扣分）增加的单位：城关街道（1条）。")
    assert briefing_json(morning)["rework_rising"] == [{"unit": "城关街道", "reopened_week": 1, "reopened": 2}]
    assert "返工" not in briefing_text(later)
