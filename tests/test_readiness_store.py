"""Readiness sheets in the database: the same file again changes nothing, a newer sheet replaces what it
lists (the catalogue whole, materials per standard and unit, survey per round), undo brings back what
was replaced."""
import datetime as dt
from pathlib import Path

import pytest

from analytics import db, readiness_fixtures as rf
from analytics.ingest.readiness_store import (CURRENT_MATERIALS_SQL, CURRENT_STANDARDS_SQL, CURRENT_SURVEY_SQL,
                                              import_readiness_paths, readiness_imports, undo_readiness_import)
from tests.test_readiness_sheets import write_xlsx

SAMPLES = Path(__file__).parent / "samples" / "readiness"
NOW = dt.datetime(2026, 11, 21, 9)


def current(db_path, sql):
    with db.connect(db_path, read_only=True) as con:
        return con.sql(sql).df()


def materials_sheet(path, rows, as_of):
    path.parent.mkdir(exist_ok=True)
    return write_xlsx(path, [[f"网上申报材料报送情况（截至{as_of:%Y年%m月%d日}）"],
                             ["测评标准", "责任单位", "报送状态", "退回原因"], *rows])


def test_the_samples_import_and_the_same_files_again_change_nothing(tmp_path):
    db_path = tmp_path / "t.duckdb"
    files = sorted(SAMPLES.glob("*.xlsx"))
    first = import_readiness_paths(db_path, files, now=NOW)
    assert [message.split("）")[0] for message in first if message.startswith("已导入")] == \
        ["已导入（编号1", "已导入（编号2", "已导入（编号3"]
    assert any("第二轮模拟测评扣分明细.xlsx" in message and "未导入" in message for message in first)
    again = import_readiness_paths(db_path, files, now=NOW)
    assert sum(message.startswith("未变化") for message in again) == 3
    assert [len(current(db_path, sql)) for sql in (CURRENT_STANDARDS_SQL, CURRENT_MATERIALS_SQL, CURRENT_SURVEY_SQL)] \
        == [40, 20, 32]
    with db.connect(db_path, read_only=True) as con:
        history = readiness_imports(con)
    assert list(history["kind"]) == ["survey", "materials", "catalogue"]


def test_a_newer_materials_sheet_replaces_per_standard_and_undo_brings_the_old_back(tmp_path):
    db_path = tmp_path / "t.duckdb"
    materials_sheet(tmp_path / "a" / "报送.xlsx", [
        ["志愿服务制度化", "市教育局", "被退回", "图片质量不达标"],
        ["诚信建设制度落实", "市民政局", "未报送", None]], dt.date(2026, 11, 18))
    import_readiness_paths(db_path, [tmp_path / "a" / "报送.xlsx"], now=NOW)
    materials_sheet(tmp_path / "b" / "报送.xlsx", [["志愿服务制度化", "市教育局", "审核通过", None]], dt.date(2026, 11, 20))
    import_readiness_paths(db_path, [tmp_path / "b" / "报送.xlsx"], now=NOW)
    state = current(db_path, CURRENT_MATERIALS_SQL).set_index("standard")["status"].to_dict()
    assert state == {"志愿服务制度化": "已通过", "诚信建设制度落实": "未报送"}
    with db.connect(db_path) as con:
        assert "已撤销网上申报材料报送情况导入（编号2）" in undo_readiness_import(con, 2, actor="测试")
        with pytest.raises(LookupError, match="已于.*撤销过"):
            undo_readiness_import(con, 2, actor="测试")
        with pytest.raises(LookupError, match="没有编号为 9"):
            undo_readiness_import(con, 9, actor="测试")
    state = current(db_path, CURRENT_MATERIALS_SQL).set_index("standard")["status"].to_dict()
    assert state == {"志愿服务制度化": "被退回", "诚信建设制度落实": "未报送"}


def test_an_older_sheet_arriving_late_does_not_roll_the_state_back(tmp_path):
    db_path = tmp_path / "t.duckdb"
    for folder, status, as_of in (("new", "已通过", dt.date(2026, 11, 20)), ("old", "被退回", dt.date(2026, 11, 10))):
        materials_sheet(tmp_path / folder / "报送.xlsx", [["志愿服务制度化", "市教育局", status, "内容不对标"]], as_of)
        import_readiness_paths(db_path, [tmp_path / folder / "报送.xlsx"], now=NOW)
    assert list(current(db_path, CURRENT_MATERIALS_SQL)["status"]) == ["已通过"]


def test_a_survey_round_is_replaced_and_the_other_rounds_kept(tmp_path):
    db_path = tmp_path / "t.duckdb"
    data = rf.readiness_set(1, rounds=2, areas=("东城区", "西城区"))
    import_readiness_paths(db_path, [rf.write_survey(data, tmp_path / "a")], now=NOW)
    write_xlsx(tmp_path / "第二轮问卷调查结果.xlsx", [["区域", "知晓率", "支持率", "参与率", "满意度"],
                                                 ["东城区", "90%", "90%", "90%", "90%"]])
    import_readiness_paths(db_path, [tmp_path / "第二轮问卷调查结果.xlsx"], now=NOW + dt.timedelta(hours=1))
    rows = current(db_path, CURRENT_SURVEY_SQL)
    assert sorted(rows.loc[rows["round"] == "第一轮", "area"].unique()) == ["东城区", "西城区"]
    second = rows[rows["round"] == "第二轮"]
    assert list(second["area"].unique()) == ["东城区"] and set(second["rate"]) == {0.9}
    with db.connect(db_path) as con:
        undo_readiness_import(con, 2, actor="测试")
    rows = current(db_path, CURRENT_SURVEY_SQL)
    assert len(rows[rows["round"] == "第二轮"]) == 8


def test_a_new_catalogue_replaces_the_old_one_whole(tmp_path):
    db_path = tmp_path / "t.duckdb"
    import_readiness_paths(db_path, [SAMPLES / "测评体系分解表.xlsx"], now=NOW)
    data = rf.readiness_set(2, n_online=10, n_field=5)
    import_readiness_paths(db_path, [rf.write_catalogue(data, tmp_path, fmt="xls")], now=NOW + dt.timedelta(days=1))
    assert len(current(db_path, CURRENT_STANDARDS_SQL)) == 10 + 5 + 4
    with db.connect(db_path) as con:
        undo_readiness_import(con, 2, actor="测试")
    assert len(current(db_path, CURRENT_STANDARDS_SQL)) == 40


def test_a_file_that_is_none_of_the_kinds_changes_nothing(tmp_path):
    db_path = tmp_path / "t.duckdb"
    path = write_xlsx(tmp_path / "通讯录.xlsx", [["姓名", "电话"], ["张伟", "138"]])
    message, = import_readiness_paths(db_path, [path], now=NOW)
    assert "不是测评体系分解表" in message
    with db.connect(db_path, read_only=True) as con:
        assert len(readiness_imports(con)) == 0
