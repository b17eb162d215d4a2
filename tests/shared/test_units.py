"""The unit list: add, change, delete, replace from an edited table, and fill from the ledgers."""
import datetime as dt

import pandas as pd
import pytest

from analytics.shared import db, schema, units
from analytics import fixtures
from analytics.intake import import_paths, undo_import


@pytest.fixture
def con(tmp_path):
    with db.connect(schema.init_db(tmp_path / "chuangwen.duckdb")) as connection:
        yield connection


def _listed(con) -> list[tuple]:
    return [tuple(None if pd.isna(value) else value for value in row)
            for row in units.list_units(con).itertuples(index=False, name=None)]


def _audit(con) -> list[tuple]:
    return con.execute("SELECT action, detail FROM audit_log ORDER BY logged_at, detail").fetchall()


def test_upsert_adds_then_changes_a_unit(con):
    units.upsert_unit(con, " 城关街道 ", kind="街道", district="东城区", actor="测试")
    units.upsert_unit(con, "城关街道", kind="街道", district="西城区", active=False, actor="测试")
    assert _listed(con) == [("城关街道", "街道", "西城区", False)]
    assert [action for action, _ in _audit(con)] == ["修改单位", "修改单位"]


def test_delete_removes_and_refuses_a_unit_not_listed(con):
    units.upsert_unit(con, "城关街道", actor="测试")
    units.delete_unit(con, "城关街道", actor="测试")
    assert _listed(con) == []
    with pytest.raises(LookupError, match="没有“东关街道”"):
        units.delete_unit(con, "东关街道", actor="测试")


def test_blank_name_is_refused(con):
    with pytest.raises(ValueError, match="单位名称不能为空"):
        units.upsert_unit(con, "  ", actor="测试")


def test_replace_units_applies_an_edited_table(con):
    for name, district in (("甲街道", "东区"), ("乙街道", "西区"), ("丙局", "市直")):
        units.upsert_unit(con, name, kind="街道", district=district, actor="测试")
    edited = pd.DataFrame({
        "name": ["甲街道", "乙街道", "丁社区", None],
        "kind": ["街道", "街道", "社区", None],
        "district": ["东区", "北区", None, None],
        "active": [True, True, None, None],       # a new row's checkbox may be left empty
    })
    assert units.replace_units(con, edited, actor="测试") == units.UnitChanges(added=1, changed=1, removed=1)
    assert sorted(_listed(con)) == sorted([("甲街道", "街道", "东区", True), ("乙街道", "街道", "北区", True),
                                           ("丁社区", "社区", None, True)])
    assert ("删除单位", "丙局") in _audit(con)


def test_replace_units_refuses_a_name_given_twice_and_changes_nothing(con):
    units.upsert_unit(con, "甲街道", actor="测试")
    edited = pd.DataFrame({"name": ["乙街道", "乙街道"], "kind": [None, None], "district": [None, None],
                           "active": [True, False]})
    with pytest.raises(ValueError, match="“乙街道”填写了两次"):
        units.replace_units(con, edited, actor="测试")
    assert _listed(con) == [("甲街道", None, None, True)]


def test_units_that_sent_ledgers_are_added_once(tmp_path):
    report = dt.date(2026, 11, 20)
    paths = [fixtures.write_ledger(fixtures.ledger_for_unit(unit, seed=1, n_problems=4, report_date=report),
                                   tmp_path / "in")
             for unit in ("城关街道", "东关街道", "城南镇")]
    db_path = tmp_path / "db" / "chuangwen.duckdb"
    results = import_paths(db_path, paths, actor="测试")
    undo_import(db_path, results[2].import_id, actor="测试")   # an undone ledger does not count
    with db.connect(db_path) as con:
        units.upsert_unit(con, "城关街道", kind="街道", district="东城区", actor="测试")
        assert units.add_units_from_ledgers(con, actor="测试") == 1
        assert units.add_units_from_ledgers(con, actor="测试") == 0
        assert sorted(_listed(con)) == [("东关街道", None, None, True), ("城关街道", "街道", "东城区", True)]
