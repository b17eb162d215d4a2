"""Rebounds on the hand-built campaign: one by category, one by description, and the near misses
(same 点位 with another category; same problem found again after the window)."""
import datetime as dt
import shutil

import pytest

from analytics.shared import db
from analytics.shared.filters import Filters
from analytics.intake import import_paths, undo_import
from analytics.ledger.derive import stored_links_sql
from analytics.ledger.rebounds import REBOUND_COLUMNS, rebound_rates, rebounds
from analytics.shared.settings import set_setting
from analytics_data import AS_OF, LEDGERS, empty_database, write_ledger


def _pairs(table):
    return [(row.problem_key, row.earlier_key, row.days_after, row.same_category) for row in table.itertuples()]


def test_the_rebounds_and_their_details(con):
    table = rebounds(con, Filters(as_of=AS_OF))
    assert list(table.columns) == REBOUND_COLUMNS
    assert _pairs(table) == [
        ("甲街道||5", "甲街道||1", 14, True),    # 幸福·小区 = 幸福小区, 环境卫生 again 14 days after 11-04
        ("乙街道||2", "乙街道||1", 24, False),   # 盲道被占用！ = 盲道被占用 though now filed as 交通秩序
    ]
    first = table.iloc[0]
    assert (first["point_name"], first["description"], first["earlier_description"]) == \
        ("幸福·小区", "垃圾桶满溢（东侧）", "垃圾桶满溢")
    assert first["earlier_done_day"] == dt.datetime(2026, 11, 4)
    # near misses: 甲6 at 幸福小区 is 基础设施; 乙4 at 北站广场 came 35 days after 乙3 was rectified
    assert not {"甲街道||6", "乙街道||4"} & set(table["problem_key"])


def test_the_newest_first_when_limited(con):
    assert rebounds(con, Filters(as_of=AS_OF), limit=1)["problem_key"].tolist() == ["甲街道||5"]


def test_a_longer_window_catches_the_later_one(campaign, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(campaign, path)
    with db.connect(path) as con:
        set_setting(con, "rebound_days", 40)
        table = rebounds(con, Filters(as_of=AS_OF))
    assert ("乙街道||4", "乙街道||3", 35, True) in _pairs(table)


@pytest.mark.parametrize("filters, later", [
    # the found-date range picks the later problem; the earlier one may be older
    (Filters(as_of=AS_OF, date_from=dt.date(2026, 11, 15)), ["甲街道||5", "乙街道||2"]),
    (Filters(as_of=AS_OF, date_to=dt.date(2026, 11, 17)), ["乙街道||2"]),
    (Filters(as_of=AS_OF, units=("乙街道",)), ["乙街道||2"]),
    (Filters(as_of=AS_OF, categories=("环境卫生",)), ["甲街道||5"]),
    (Filters(as_of=dt.date(2026, 11, 17)), ["乙街道||2"]),   # 甲5 is not found yet
])
def test_filters_apply(con, filters, later):
    assert rebounds(con, filters)["problem_key"].tolist() == later


@pytest.mark.parametrize("by, expected", [
    # (rectified by the as-of day, of them found again, rate); by the earlier problem's group
    ("point_type", {"居民小区": (2, 1, 0.5), "主次干道": (2, 1, 0.5), "公共广场": (2, 0, 0.0)}),
    ("unit", {"甲街道": (3, 1, 1 / 3), "乙街道": (3, 1, 1 / 3)}),
])
def test_rebound_rates(con, by, expected):
    table = rebound_rates(con, Filters(as_of=AS_OF), by)
    assert {row[by]: (row["done"], row["rebounded"], row["rebound_rate"]) for _, row in table.iterrows()} == expected
    assert table["rebounds"].sum() == 2


def test_the_empty_database_answers(tmp_path):
    with db.connect(empty_database(tmp_path), read_only=True) as con:
        assert rebounds(con, Filters(as_of=AS_OF)).empty
        assert rebound_rates(con, Filters(as_of=AS_OF), "unit").empty


def _links_agree_with_the_problems(path) -> bool:
    with db.connect(path, read_only=True) as con:
        stored = con.execute("SELECT * FROM rebound_links ORDER BY ALL").fetchall()
        derived = con.execute(f"SELECT * FROM ({stored_links_sql()}) ORDER BY ALL").fetchall()
    return bool(stored) and stored == derived


def test_the_links_follow_each_import_and_undo(campaign, tmp_path):
    """甲5 is refiled under another 点位 by a newer ledger: no longer a rebound; undo links it again."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(campaign, path)
    refiled = [row[:2] + ["阳光小区"] + row[3:] if row[0] == "5" else row
               for row in LEDGERS["甲街道_台账_20261120.csv"]]
    ledger = write_ledger(tmp_path, "甲街道_台账_20261121.csv", refiled)
    result, = import_paths(path, [ledger], now=dt.datetime(2026, 11, 21, 8))

    def later_keys():
        with db.connect(path, read_only=True) as con:
            return rebounds(con, Filters(as_of=AS_OF))["problem_key"].tolist()

    assert later_keys() == ["乙街道||2"] and _links_agree_with_the_problems(path)
    undo_import(path, result.import_id)
    assert later_keys() == ["甲街道||5", "乙街道||2"] and _links_agree_with_the_problems(path)
