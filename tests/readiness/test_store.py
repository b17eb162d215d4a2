"""Readiness sheets through the one import door: recognised by content, numbered with the ledger and
score imports; the same file again changes nothing; a newer sheet replaces what it lists (the
catalogue whole, materials per standard and unit, survey per round); undo brings back what was
replaced; rebuild replays them and check finds them whole."""
import datetime as dt
from pathlib import Path

import pytest

from analytics.shared import db
from analytics.fixtures import readiness as rf
from analytics.intake import import_paths, rebuild, undo_import
from analytics.intake.integrity import check_integrity
from analytics.readiness.store import (CURRENT_MATERIALS_SQL,
    CURRENT_STANDARDS_SQL,
    CURRENT_SURVEY_SQL,
    readiness_imports)
from tests.ledger.test_parse import write_xlsx

SAMPLES = Path(__file__).parents[1] / "samples" / "readiness"
NOW = dt.datetime(2026, 11, 21, 9)


def current(db_path, sql):
    with db.connect(db_path, read_only=True) as con:
        return con.sql(f"SELECT * FROM ({sql}) ORDER BY import_id, sheet, source_row").df()


def materials_sheet(path, rows, as_of):
    path.parent.mkdir(exist_ok=True)
    return write_xlsx(path, [[f"网上申报材料报送情况（截至{as_of:%Y年%m月%d日}）"],
                             ["测评标准", "责任单位", "报送状态", "退回原因"], *rows])


def test_the_samples_import_by_kind_numbered_with_the_score_sheet(tmp_path):
    db_path = tmp_path / "t.duckdb"
    files = sorted(SAMPLES.glob("*.xlsx"))
    first = import_paths(db_path, files, now=NOW)
    assert [(r.outcome, r.import_id) for r in first] == [("imported", n) for n in (1, 2, 3, 4)]
    assert [r.readiness_sheet.split("：")[0] if r.readiness_sheet else r.score_sheet.split("：")[0]
            for r in first] == ["测评体系分解表", "模拟测评得分表", "网上申报材料报送情况", "问卷调查结果"]
    again = import_paths(db_path, files, now=NOW)
    assert [r.outcome for r in again] == ["unchanged"] * 4
    assert [len(current(db_path, sql)) for sql in (CURRENT_STANDARDS_SQL, CURRENT_MATERIALS_SQL, CURRENT_SURVEY_SQL)] \
        == [40, 20, 32]
    with db.connect(db_path, read_only=True) as con:
        assert list(readiness_imports(con)["kind"]) == ["survey", "materials", "catalogue"]
        # never a ledger: the only problems are the score sheet's deductions, each a task (issue 25)
        tasks = con.execute("SELECT count(*) FROM round_tasks").fetchone()[0]
        assert tasks > 0
        assert con.execute("SELECT count(*) FROM problems WHERE problem_key NOT IN "
                           "(SELECT task_key FROM round_tasks)").fetchone()[0] == 0
    assert check_integrity(db_path).ok


def test_a_newer_materials_sheet_replaces_per_standard_and_undo_brings_the_old_back(tmp_path):
    db_path = tmp_path / "t.duckdb"
    materials_sheet(tmp_path / "a" / "报送.xlsx", [
        ["志愿服务制度化", "市教育局", "被退回", "图片质量不达标"],
        ["诚信建设制度落实", "市民政局", "未报送", None]], dt.date(2026, 11, 18))
    materials_sheet(tmp_path / "b" / "报送.xlsx", [["志愿服务制度化", "市教育局", "审核通过", None]], dt.date(2026, 11, 20))
    import_paths(db_path, [tmp_path / "a" / "报送.xlsx", tmp_path / "b" / "报送.xlsx"], now=NOW)
    state = current(db_path, CURRENT_MATERIALS_SQL).set_index("standard")["status"].to_dict()
    assert state == {"志愿服务制度化": "已通过", "诚信建设制度落实": "未报送"}
    assert undo_import(db_path, 2, actor="测试") == "已撤销第2次导入：报送.xlsx（网上申报材料报送情况）"
    with pytest.raises(LookupError, match="已于.*撤销过"):
        undo_import(db_path, 2, actor="测试")
    state = current(db_path, CURRENT_MATERIALS_SQL).set_index("standard")["status"].to_dict()
    assert state == {"志愿服务制度化": "被退回", "诚信建设制度落实": "未报送"}


def test_an_older_sheet_arriving_late_does_not_roll_the_state_back(tmp_path):
    db_path = tmp_path / "t.duckdb"
    for folder, status, as_of in (("new", "已通过", dt.date(2026, 11, 20)), ("old", "被退回", dt.date(2026, 11, 10))):
        materials_sheet(tmp_path / folder / "报送.xlsx", [["志愿服务制度化", "市教育局", status, "内容不对标"]], as_of)
        import_paths(db_path, [tmp_path / folder / "报送.xlsx"], now=NOW)
    assert list(current(db_path, CURRENT_MATERIALS_SQL)["status"]) == ["已通过"]


def test_a_survey_round_is_replaced_and_the_other_rounds_kept(tmp_path):
    db_path = tmp_path / "t.duckdb"
    data = rf.readiness_set(1, rounds=2, areas=("东城区", "西城区"))
    import_paths(db_path, [rf.write_survey(data, tmp_path / "a")], now=NOW)
    write_xlsx(tmp_path / "第二轮问卷调查结果.xlsx", [["区域", "知晓率", "支持率", "参与率", "满意度"],
                                                 ["东城区", "90%", "90%", "90%", "90%"]])
    import_paths(db_path, [tmp_path / "第二轮问卷调查结果.xlsx"], now=NOW + dt.timedelta(hours=1))
    rows = current(db_path, CURRENT_SURVEY_SQL)
    assert sorted(rows.loc[rows["round"] == "第一轮", "area"].unique()) == ["东城区", "西城区"]
    second = rows[rows["round"] == "第二轮"]
    assert list(second["area"].unique()) == ["东城区"] and set(second["rate"]) == {0.9}
    undo_import(db_path, 2, actor="测试")
    rows = current(db_path, CURRENT_SURVEY_SQL)
    assert len(rows[rows["round"] == "第二轮"]) == 8


def test_a_new_catalogue_replaces_the_old_one_whole(tmp_path):
    db_path = tmp_path / "t.duckdb"
    import_paths(db_path, [SAMPLES / "测评体系分解表.xlsx"], now=NOW)
    data = rf.readiness_set(2, n_online=10, n_field=5)
    import_paths(db_path, [rf.write_catalogue(data, tmp_path, fmt="xls")], now=NOW + dt.timedelta(days=1))
    assert len(current(db_path, CURRENT_STANDARDS_SQL)) == 10 + 5 + 4
    undo_import(db_path, 2, actor="测试")
    assert len(current(db_path, CURRENT_STANDARDS_SQL)) == 40


def test_rebuild_replays_the_readiness_imports_with_their_numbers_and_undo_marks(tmp_path):
    db_path = tmp_path / "t.duckdb"
    import_paths(db_path, sorted(SAMPLES.glob("*.xlsx")), now=NOW)
    undo_import(db_path, 4, actor="测试")
    before = [current(db_path, sql) for sql in (CURRENT_STANDARDS_SQL, CURRENT_MATERIALS_SQL, CURRENT_SURVEY_SQL)]
    assert "重放4次导入" in rebuild(db_path)
    after = [current(db_path, sql) for sql in (CURRENT_STANDARDS_SQL, CURRENT_MATERIALS_SQL, CURRENT_SURVEY_SQL)]
    assert [len(frame) for frame in after] == [40, 20, 0]
    for old, new in zip(before, after):
        assert old.equals(new)


def test_check_finds_a_readiness_sheet_missing_from_the_archive(tmp_path):
    db_path = tmp_path / "t.duckdb"
    result, = import_paths(db_path, [SAMPLES / "问卷调查结果.xlsx"], now=NOW)
    with db.connect(db_path, read_only=True) as con:
        archived, = con.execute("SELECT archive_path FROM readiness_imports").fetchone()
    (db.archive_dir(db_path) / archived).unlink()
    report = check_integrity(db_path)
    assert report.problems == [f"第1次导入“问卷调查结果.xlsx”的原始文件不在归档中（{archived}）"]
