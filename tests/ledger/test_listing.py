"""The look-up queries on the hand-built campaign of tests/analytics_data.py (its table says, for
each of P1…P12, the found day, deadline and status as of 2026-11-20; the answers below are read
off that table)."""
import datetime as dt

import pytest

from analytics.shared import db
from analytics.ledger import listing
from analytics.shared.filters import Filters
from analytics_data import AS_OF, empty_database

D = Filters(as_of=AS_OF)


@pytest.mark.parametrize(("options", "expected"), [
    ({}, 12),
    ({"statuses": ("待整改",)}, 4),                 # P4 P5 P11 P12
    ({"statuses": ("已整改", "已销号")}, 6),         # P1 P3 P6 P7 P9 P10
    ({"search": "盲道"}, 2),                        # P7 P8
    ({"search": "幸福"}, 4),                        # 幸福小区 P1 P2 P6, 幸福·小区 P5
    ({"search": "甲街道"}, 6),                      # the unit's six problems
    ({"search": "%"}, 0),                           # a literal %, not a wildcard
    ({"search": "_"}, 0),
    ({"overdue_only": True}, 3),                    # P2 (11-15) P5 (11-19) P11 (11-04)
    ({"flagged_only": True}, 1),                    # P12: deadline 尽快
    ({"search": "幸福", "statuses": ("整改中",)}, 1),  # P2
])
def test_problem_page_counts(con, options, expected):
    page = listing.problem_page(con, D, **options)
    assert page.total == expected == len(page.rows)


def test_problem_page_honours_the_common_filters(con):
    assert listing.problem_page(con, Filters(as_of=AS_OF, units=("乙街道",))).total == 5
    # on 11-10 only P1 P2 P7 P9 P10 P11 had been found
    assert listing.problem_page(con, Filters(as_of=dt.date(2026, 11, 10))).total == 6


def test_problem_page_pages_through_every_problem_once(con):
    pages = [listing.problem_page(con, D, limit=5, offset=offset) for offset in (0, 5, 10)]
    assert [len(page.rows) for page in pages] == [5, 5, 2]
    keys = [key for page in pages for key in page.rows["problem_key"]]
    assert len(set(keys)) == 12
    assert pages[0].rows["description"].iloc[0] == "活禽宰杀区脏乱"   # P12, found last (11-20)
    assert listing.problem_page(con, D, limit=5, offset=50).total == 12  # past the end: still counted


def test_problem_page_status_is_as_of_the_day(con):
    rows = listing.problem_page(con, D, search="路面破损").rows          # P3: 待整改 on 11-13, 已整改 by 11-20
    assert rows["status"].tolist() == ["已整改"]
    earlier = listing.problem_page(con, Filters(as_of=dt.date(2026, 11, 15)), search="路面破损").rows
    assert earlier["status"].tolist() == ["待整改"]


def test_unknown_status_is_refused(con):
    with pytest.raises(ValueError, match="未知的整改状态"):
        listing.problem_page(con, D, statuses=("完成了",))


def test_problem_history_lists_each_ledger_version(con):
    key = listing.problem_page(con, D, search="垃圾桶满溢").rows.query("point_name == '幸福小区'")["problem_key"].item()
    history = listing.problem_history(con, key)
    assert history["file_name"].tolist() == ["甲街道_台账_20261113.csv", "甲街道_台账_20261120.csv"]
    assert history["status"].tolist() == ["已整改", "已销号"]
    assert history["source_row"].tolist() == [2, 2]


def test_overdue_items_by_unit_oldest_deadline_first(con):
    items = listing.overdue_items(con, D)
    assert items["unit"].tolist() == ["丙局", "甲街道", "甲街道"]
    assert items["description"].tolist() == ["行人闯红灯", "楼道堆放杂物", "垃圾桶满溢（东侧）"]
    assert items["days_overdue"].tolist() == [16, 5, 1]   # from deadlines 11-04, 11-15, 11-19


def test_worst_points(con):
    points = listing.worst_points(con, D)
    assert set(points["point_name"]) == {"幸福小区", "幸福·小区", "东门菜市场", "解放路", "西门菜市场", "人民路口"}
    first = points.iloc[0]
    # 幸福小区: P1 closed, P2 open and overdue, P6 rectified
    assert (first["point_name"], first["total"], first["open"], first["overdue"], first["unit_names"]) == \
        ("幸福小区", 3, 1, 1, "甲街道")
    assert len(listing.worst_points(con, D, limit=2)) == 2


def test_import_history_and_data_state(con):
    history = listing.import_history(con)
    assert history["import_id"].tolist() == [4, 3, 2, 1]
    assert set(history["file_name"]) == {"甲街道_台账_20261113.csv", "甲街道_台账_20261120.csv",
                                         "乙街道_台账_20261120.csv", "丙局_台账_20261105.csv"}
    state = listing.data_state(con)
    assert (state.imports, state.problems, state.latest_report) == (4, 12, AS_OF)
    assert state.last_imported_at == dt.datetime(2026, 11, 20, 8)
    assert state.last_file_name == history["file_name"].iloc[0]


def test_filter_options(con):
    options = listing.filter_options(con)
    assert options["units"] == sorted(["甲街道", "乙街道", "丙局"])
    assert set(options["districts"]) == {"东区", "西区", "市直"}    # from the unit list
    assert set(options["point_types"]) == {"居民小区", "主次干道", "农贸市场", "公共广场", "主要交通路口"}
    assert set(options["categories"]) == {"环境卫生", "市容秩序", "基础设施", "交通秩序"}
    assert options["sources"] == ["未填写"]                         # the ledgers have no 来源 column


def test_empty_database_answers_everything(tmp_path):
    with db.connect(empty_database(tmp_path), read_only=True) as con:
        assert listing.problem_page(con, D).total == 0
        assert listing.problem_page(con, D, offset=100).total == 0
        assert listing.overdue_items(con, D).empty and listing.worst_points(con, D).empty
        assert listing.import_history(con).empty
        assert listing.data_state(con) == listing.DataState(0, 0, None, None, None, None)
        assert all(values == [] for values in listing.filter_options(con).values())


def test_the_import_history_names_readiness_sheets_by_kind(tmp_path):
    from pathlib import Path

    from analytics.intake import import_paths

    samples = Path(__file__).parents[1] / "samples" / "readiness"
    db_path = tmp_path / "t.duckdb"
    import_paths(db_path, [samples / "测评体系分解表.xlsx", samples / "问卷调查结果.xlsx"])
    with db.connect(db_path, read_only=True) as con:
        history = listing.import_history(con)
    assert list(zip(history["import_id"], history["ledger_unit"], history["rows_read"])) == [
        (2, "问卷调查结果", 32), (1, "测评体系分解表", 40)]
