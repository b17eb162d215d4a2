"""The alias dictionary edited without code: an unknown 点位类型 is listed, mapped, and the stored
problems (current and history) follow, as do later imports, undo and rebuild."""
import datetime as dt

import pytest

from analytics.shared import aliases, db
from analytics import fixtures
from analytics.intake import import_paths, rebuild, undo_import

UNKNOWN = fixtures.UNKNOWN_POINT_TYPE
REPORT = dt.date(2026, 11, 20)


def _ledger(unit: str, seed: int, report_date: dt.date = REPORT) -> fixtures.Ledger:
    # oddities: at least one problem at the type the dictionary does not know (桥下空间)
    return fixtures.ledger_for_unit(unit, seed=seed, n_problems=15, report_date=report_date, oddities=True)


@pytest.fixture
def imported(tmp_path):
    """A database holding one ledger with unknown types; returns (db path, ledger, import id)."""
    ledger = _ledger("城关街道", seed=5)
    path = fixtures.write_ledger(ledger, tmp_path / "in")
    (result,) = import_paths(tmp_path / "db" / "chuangwen.duckdb", [path], actor="测试")
    assert result.outcome == "imported"
    return tmp_path / "db" / "chuangwen.duckdb", ledger, result.import_id


def _add(db_path, alias, canonical):
    with db.writing(db_path, actor="测试"), db.connect(db_path) as con:
        return aliases.add_point_type_alias(con, alias, canonical, actor="测试")


def _rows(db_path, sql, params=()):
    with db.connect(db_path, read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_unknown_types_are_listed_with_their_counts(imported):
    db_path, ledger, _ = imported
    unknown_count = sum(p.point_type == UNKNOWN for p in ledger.problems)
    assert unknown_count >= 1
    with db.connect(db_path, read_only=True) as con:
        listed = aliases.unclassified_point_types(con)
    assert listed["point_type"].tolist() == [UNKNOWN]
    assert listed["problems"].tolist() == [unknown_count]
    assert listed["units"].tolist() == [1]


@pytest.mark.parametrize(("alias", "canonical", "expected_type"), [
    (UNKNOWN, "背街小巷", "背街小巷"),          # into a standard type
    (UNKNOWN, UNKNOWN, UNKNOWN),               # kept as a new type of its own
    (f"{UNKNOWN}类", "小巷", "背街小巷"),         # decorations stripped; an alias given as the type
    (f"{UNKNOWN}（重点）", "新类型", "新类型"),
])
def test_adding_an_alias_reclassifies_current_problems_and_history(imported, alias, canonical, expected_type):
    db_path, ledger, _ = imported
    unknown_count = sum(p.point_type == UNKNOWN for p in ledger.problems)
    flag = aliases.unclassified_flag(UNKNOWN)
    flagged_before = _rows(db_path, "SELECT count(*) FROM problems WHERE len(flags) > 0")[0][0]

    assert _add(db_path, alias, canonical) == unknown_count

    for table in ("problems", "problem_versions"):
        assert _rows(db_path, f"SELECT point_type, point_type_known, count(*) FROM {table} "
                              "WHERE point_type_raw = ? GROUP BY ALL", [UNKNOWN]) == \
            [(expected_type, True, unknown_count)]
        assert _rows(db_path, f"SELECT count(*) FROM {table} WHERE list_contains(flags, ?)", [flag])[0][0] == 0
    assert _rows(db_path, "SELECT count(*) FROM problems WHERE len(flags) > 0")[0][0] == flagged_before - unknown_count
    assert _rows(db_path, "SELECT canonical FROM point_type_aliases WHERE alias = ?", [UNKNOWN]) == [(expected_type,)]
    assert _rows(db_path, "SELECT action, actor FROM audit_log WHERE action = '修改点位类型别名'") == \
        [("修改点位类型别名", "测试")]
    with db.connect(db_path, read_only=True) as con:
        assert aliases.unclassified_point_types(con).empty
        assert expected_type in aliases.known_point_types(con)


def test_later_imports_undo_and_rebuild_keep_the_mapping(imported, tmp_path):
    db_path, _, first_import = imported
    _add(db_path, UNKNOWN, "背街小巷")
    newer = _ledger("城关街道", seed=5, report_date=REPORT + dt.timedelta(days=7))
    (result,) = import_paths(db_path, [fixtures.write_ledger(newer, tmp_path / "newer")], actor="测试")
    unknown_rows = "SELECT count(*) FROM problems WHERE point_type = ? OR NOT point_type_known"
    assert _rows(db_path, unknown_rows, [UNKNOWN])[0][0] == 0
    undo_import(db_path, result.import_id, actor="测试")   # back to the first ledger, renormalised
    assert _rows(db_path, unknown_rows, [UNKNOWN])[0][0] == 0
    before = _rows(db_path, "SELECT problem_key, point_type FROM problems ORDER BY 1")
    rebuild(db_path, actor="测试")
    assert _rows(db_path, "SELECT problem_key, point_type FROM problems ORDER BY 1") == before
    assert first_import in [row[0] for row in _rows(db_path, "SELECT import_id FROM imports")]


@pytest.mark.parametrize(("alias", "canonical", "message"), [
    ("", "公园", "别名不能为空"),
    ("  ", "公园", "别名不能为空"),
    (UNKNOWN, "", "请为别名"),
    ("公园", "公共广场", "本身是一个点位类型"),      # a standard type cannot become another's alias
])
def test_bad_aliases_are_refused_and_change_nothing(imported, alias, canonical, message):
    db_path, _, _ = imported
    before = _rows(db_path, "SELECT * FROM point_type_aliases ORDER BY alias")
    with pytest.raises(ValueError, match=message):
        _add(db_path, alias, canonical)
    assert _rows(db_path, "SELECT * FROM point_type_aliases ORDER BY alias") == before
