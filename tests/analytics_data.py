"""Data for the analytics tests: a small campaign written as real CSV ledgers and imported, whose
every figure is worked out by hand below, and a hypothesis strategy for arbitrary table states.

The hand-built campaign, as of Friday 2026-11-20 (D), yesterday 11-19, a week ago 11-13:

  ledger (effective date)      problem  点位类型/点位/类别                 found  deadline  status in each ledger
  甲街道_台账_20261113.csv     P1 甲1   居民小区 幸福小区 环境卫生          11-01  11-05     已整改 (rect 11-04)
  甲街道_台账_20261120.csv     P1                                                           已销号 (rect 11-04, closed 11-10)
                               P2 甲2   居民小区 幸福小区 市容秩序          11-10  11-15     待整改, 整改中
                               P3 甲3   主次干道 人民路 基础设施            11-12  11-25     待整改, 已整改 (no date)
                               P4 甲4   农贸市场 东门菜市场 环境卫生        11-19  11-20     —, 待整改
                               P5 甲5   居民小区 幸福·小区 环境卫生         11-18  11-19     —, 待整改   (rebound of P1)
                               P6 甲6   居民小区 幸福小区 基础设施          11-16  11-20     —, 已整改 (rect 11-18) (near miss)
  乙街道_台账_20261120.csv     P7 乙1   主次干道 解放路 市容秩序 盲道被占用  10-20  10-25     已销号 (rect 10-24, closed 10-28)
                               P8 乙2   主次干道 解放路 交通秩序 盲道被占用！ 11-17  11-24     整改中      (rebound of P7 by description)
                               P9 乙3   公共广场 北站广场 环境卫生          09-01  09-05     已整改 (rect 09-05)
                               P10 乙4  公共广场 北站广场 环境卫生          10-10  10-15     已整改 (no date) (35 days: near miss)
                               P12 乙5  农贸市场 西门菜市场 环境卫生        11-20  尽快      待整改 (flagged: unreadable deadline)
  丙局_台账_20261105.csv       P11 丙1  主要交通路口 人民路口 交通秩序      11-02  11-04     待整改
Units: 甲街道 (东区), 乙街道 (西区), 丙局 (市直), 丁社区 (东区, never reported), 戊社区 (inactive).

Each problem's days (start / progress / done / closed), from analytics.ledger.lifecycle's rules (a step
the problem's first ledger already showed, with no date of its own, dates from the found day):
  P1 11-01 / 11-01 / 11-04 / 11-10   P2 11-10 / 11-20 / – / –          P3 11-12 / 11-20 / 11-20 / –
  P4 11-19 / – / – / –               P5 11-18 / – / – / –              P6 11-16 / 11-16 / 11-18 / –
  P7 10-20 / 10-20 / 10-24 / 10-28   P8 11-17 / 11-17 / – / –          P9 09-01 / 09-01 / 09-05 / –
  P10 10-10 / 10-10 / 10-10 / –      P11 11-02 / – / – / –             P12 11-20 / – / – / –
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
from hypothesis import strategies as st

from analytics.shared import db, schema
from analytics.shared.statuses import STATUSES
from analytics.intake import import_paths
from analytics.ledger.derive import derive_current_state
from analytics.shared.settings import set_setting
from analytics.shared.units import upsert_unit

AS_OF = dt.date(2026, 11, 20)
HEADER = ["序号", "点位类型", "点位名称", "问题描述", "问题类别", "发现时间", "责任单位", "整改时限",
          "整改状态", "整改完成时间", "销号日期"]

_JIA_1 = ("甲街道", ["居民小区", "幸福小区", "垃圾桶满溢", "环境卫生", "2026/11/01", "2026/11/05"])
_JIA_2 = ("甲街道", ["居民小区", "幸福小区", "楼道堆放杂物", "市容秩序", "2026/11/10", "2026/11/15"])
_JIA_3 = ("甲街道", ["主次干道", "人民路", "路面破损", "基础设施", "2026/11/12", "2026/11/25"])


def _row(serial: int, problem: tuple[str, list[str]], status: str, rectified: str = "",
         closed: str = "") -> list[str]:
    unit, (point_type, point, description, category, found, deadline) = problem
    return [str(serial), point_type, point, description, category, found, unit, deadline, status,
            rectified, closed]


LEDGERS = {
    "甲街道_台账_20261113.csv": [
        _row(1, _JIA_1, "已整改", "2026/11/04"),
        _row(2, _JIA_2, "待整改"),
        _row(3, _JIA_3, "待整改"),
    ],
    "甲街道_台账_20261120.csv": [
        _row(1, _JIA_1, "已销号", "2026/11/04", "2026/11/10"),
        _row(2, _JIA_2, "整改中"),
        _row(3, _JIA_3, "已整改"),
        _row(4, ("甲街道", ["农贸市场", "东门菜市场", "地面脏乱", "环境卫生", "2026/11/19", "2026/11/20"]),
             "待整改"),
        _row(5, ("甲街道", ["居民小区", "幸福·小区", "垃圾桶满溢（东侧）", "环境卫生", "2026/11/18",
                            "2026/11/19"]), "待整改"),
        _row(6, ("甲街道", ["居民小区", "幸福小区", "绿化带缺损", "基础设施", "2026/11/16", "2026/11/20"]),
             "已整改", "2026/11/18"),
    ],
    "乙街道_台账_20261120.csv": [
        _row(1, ("乙街道", ["主次干道", "解放路", "盲道被占用", "市容秩序", "2026/10/20", "2026/10/25"]),
             "已销号", "2026/10/24", "2026/10/28"),
        _row(2, ("乙街道", ["主次干道", "解放路", "盲道被占用！", "交通秩序", "2026/11/17", "2026/11/24"]),
             "整改中"),
        _row(3, ("乙街道", ["公共广场", "北站广场", "地面有垃圾", "环境卫生", "2026/09/01", "2026/09/05"]),
             "已整改", "2026/09/05"),
        _row(4, ("乙街道", ["公共广场", "北站广场", "地面有垃圾", "环境卫生", "2026/10/10", "2026/10/15"]),
             "已整改"),
        _row(5, ("乙街道", ["农贸市场", "西门菜市场", "活禽宰杀区脏乱", "环境卫生", "2026/11/20", "尽快"]),
             "待整改"),
    ],
    "丙局_台账_20261105.csv": [
        _row(1, ("丙局", ["主要交通路口", "人民路口", "行人闯红灯", "交通秩序", "2026/11/02", "2026/11/04"]),
             "待整改"),
    ],
}
UNITS = [("甲街道", "街道/镇", "东区", True), ("乙街道", "街道/镇", "西区", True),
         ("丙局", "市直部门", "市直", True), ("丁社区", "社区", "东区", True),
         ("戊社区", "社区", "西区", False)]


def write_ledger(folder: Path, name: str, rows: list[list[str]]) -> Path:
    path = folder / name
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


SMALL_CAMPAIGN_THRESHOLDS = {"backlog_growth": 1, "overdue_min": 1}


def build_campaign(folder: Path) -> Path:
    """Write the ledgers above, import them in date order and fill the unit list; returns the db."""
    db_path = folder / "campaign.duckdb"
    paths = [write_ledger(folder, name, rows) for name, rows in LEDGERS.items()]
    paths.sort(key=lambda p: p.stem[-8:])
    results = import_paths(db_path, paths, actor="测试", now=dt.datetime(2026, 11, 20, 8))
    assert [r.outcome for r in results] == ["imported"] * len(paths), [r.message for r in results]
    with db.connect(db_path) as con:
        for name, kind, district, active in UNITS:
            upsert_unit(con, name, kind=kind, district=district, active=active, actor="测试")
        # a dozen problems: one more open or one overdue item already counts (a city's defaults are 5 and 10)
        for key, value in SMALL_CAMPAIGN_THRESHOLDS.items():
            set_setting(con, key, value, actor="测试")
    return db_path


def empty_database(folder: Path) -> Path:
    return schema.init_db(folder / "empty.duckdb")


# ---------------------------------------------------------------------------------------------------
# Arbitrary states of the tables, written directly (no ledger files): the invariants must hold for any
# history, including ones the importer would never write (dates that disagree with the status,
# statuses that go backwards, undone imports).
# ---------------------------------------------------------------------------------------------------
DAY_ZERO = dt.date(2026, 10, 1)
SPAN = 40   # days


def _day(offset: int | None) -> dt.date | None:
    return None if offset is None else DAY_ZERO + dt.timedelta(days=offset)


days = st.integers(0, SPAN)
problem_states = st.fixed_dictionaries({
    "unit": st.sampled_from(["甲", "乙", "丙"]),
    "point_type": st.sampled_from(["居民小区", "主次干道", "农贸市场", None]),
    "category": st.sampled_from(["环境卫生", "市容秩序", ""]),
    "found": st.none() | days,
    "deadline": st.none() | days,
    "rectified": st.none() | days,
    "closed": st.none() | days,
    # (import number, status) seen in each ledger; the last one is the current state
    "versions": st.lists(st.tuples(st.integers(0, 5), st.sampled_from(STATUSES)), min_size=1, max_size=4),
})
imports_states = st.lists(st.tuples(days, st.booleans()), min_size=6, max_size=6)  # (effective day, undone)


def state_rows(problems: list[dict], imports: list[tuple[int, bool]]) -> tuple[list[dict], list[dict]]:
    """Rows of imports and problem_versions for `problems` seen by `imports` (effective day, undone)."""
    import_rows = [{"import_id": i, "file_name": f"{i}.csv", "sha256": str(i), "ledger_unit": "测试",
                    "unit_source": "指定", "effective_date": _day(day),
                    "imported_at": dt.datetime(2026, 11, 1), "imported_by": "测试", "rows_read": 0,
                    "rows_new": 0, "rows_updated": 0, "rows_flagged": 0, "archive_path": "",
                    "undone_at": dt.datetime(2026, 11, 2) if undone else None}
                   for i, (day, undone) in enumerate(imports)]
    versions = []
    for number, problem in enumerate(problems):
        row = {"problem_key": f"k{number}", "ledger_unit": "测试", "unit": problem["unit"],
               "district": None, "sheet": "", "source_row": number + 2, "point_type": problem["point_type"],
               "point_type_known": True, "point_name": "点位", "description": "问题",
               "category": problem["category"], "found_date": _day(problem["found"]),
               "deadline": _day(problem["deadline"]), "rectified_date": _day(problem["rectified"]),
               "closed_date": _day(problem["closed"]), "flags": ["标记"] if number % 3 == 0 else []}
        for import_id, status in {i: s for i, s in problem["versions"]}.items():
            versions.append(row | {"import_id": import_id, "status": status})
    return import_rows, versions


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if rows:
        con.register("frame", pd.DataFrame(rows))
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
        con.unregister("frame")


def replace_state(con: duckdb.DuckDBPyConnection, problems: list[dict],
                  imports: list[tuple[int, bool]]) -> None:
    """Refill imports and problem_versions, and derive problems and rebound_links as the importer does: a
    problem's current row is its version from the newest import that is not undone; problems with none
    are left out."""
    for table in ("imports", "problem_versions"):
        con.execute(f"DELETE FROM {table}")
    import_rows, versions = state_rows(problems, imports)
    insert_rows(con, "imports", import_rows)
    insert_rows(con, "problem_versions", versions)
    derive_current_state(con)
