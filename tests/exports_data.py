"""Data for the export tests: a small campaign from analytics.fixtures written as real ledger files,
plus one hand-written CSV ledger whose cells try formula injection, all imported through the real
importer; the 测评 date is set. Built once per test process (the imports take a couple of seconds)."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

from analytics.shared import db
from analytics import fixtures
from analytics.intake import import_paths
from analytics.shared.settings import set_setting

AS_OF = dt.date(2026, 11, 20)
TEST_DATE = dt.date(2026, 12, 18)
NOW = dt.datetime(2026, 11, 21, 8, 0)

# The unit of the hostile ledger and what it writes: every cell text starts with a formula trigger
# (a leading tab or carriage return would be stripped by the importer: tables are tested for those).
HOSTILE_UNIT = "=HYPERLINK(\"http://x.cn\",\"点我\")街道"
HOSTILE_POINT = "+1+1号小区"
HOSTILE_DESCRIPTION = "=1+2 楼道乱堆乱放"
HOSTILE_CATEGORY = "@cmd乱贴"
HOSTILE_REMARK = "-3+4"
HOSTILE_TEXTS = (HOSTILE_UNIT, HOSTILE_POINT, HOSTILE_DESCRIPTION, HOSTILE_CATEGORY)
HOSTILE_ROWS = 6   # enough problems for the unit to be ranked (min_group_size 5)


def _write_hostile_ledger(folder: Path) -> Path:
    path = folder / "城北街道_台账_20261120.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["序号", "点位类型", "点位名称", "问题描述", "问题类别", "发现时间", "整改时限",
                         "整改状态", "责任单位", "备注"])
        for serial in range(1, HOSTILE_ROWS + 1):
            # found 11-01, deadline 11-05, still open: overdue on AS_OF
            writer.writerow([serial, "居民小区", HOSTILE_POINT, f"{HOSTILE_DESCRIPTION}{serial}",
                             HOSTILE_CATEGORY, "2026/11/1", "2026/11/5", "未整改", HOSTILE_UNIT,
                             HOSTILE_REMARK])
    return path


def build_export_db(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    campaign = fixtures.campaign(seed=5, n_units=12, problems_per_unit=15, weeks=4, end=AS_OF,
                                 test_date=TEST_DATE)
    paths = []
    for week, ledgers in enumerate(fixtures.snapshots(campaign)):
        paths += fixtures.write_snapshot(ledgers, folder / f"week{week}")
    paths.append(_write_hostile_ledger(folder))
    db_path = folder / "exports.duckdb"
    import_paths(db_path, paths, now=NOW)
    with db.connect(db_path) as con:
        set_setting(con, "test_date", TEST_DATE)
    return db_path


_built: list[Path] = []


def export_db(tmp_path_factory) -> Path:
    """The database above, built once per test process (tests only read it)."""
    if not _built:
        _built.append(build_export_db(tmp_path_factory.mktemp("exports")))
    return _built[0]


def export_db_ranked_by(tmp_path_factory, folder: Path, measure: str) -> Path:
    """A copy of the database above in `folder`, its units ranked by `measure` (settings.ranking_measure)."""
    path = folder / export_db(tmp_path_factory).name
    shutil.copyfile(export_db(tmp_path_factory), path)
    with db.connect(path) as con:
        set_setting(con, "ranking_measure", measure, actor="测试")
    return path
