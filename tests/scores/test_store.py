"""Score sheets through the one import path: recognised by content beside ledgers, their deductions tasks,
archived, undone, rebuilt and checked like ledgers; bad files refused with nothing stored."""
import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from analytics.shared import db
from analytics import fixtures
from analytics.scores import model as scores
from analytics.fixtures import scores as score_fixtures
from analytics.intake import import_paths, rebuild, undo_import
from analytics.intake.integrity import check_integrity
from analytics.intake.upload import preview_ledger, previews_table
from analytics.shared.vocab import default_point_type_aliases

SAMPLES = Path(__file__).parents[1] / "samples" / "scores"
NOW = dt.datetime(2026, 11, 25, 9, 0)


def ledger_file(folder: Path) -> Path:
    ledger = fixtures.ledger_for_unit("城关街道", seed=5, n_problems=25, report_date=dt.date(2026, 11, 20))
    return fixtures.write_ledger(ledger, folder)


def counts(path):
    with db.connect(path, read_only=True) as con:
        return con.execute("SELECT (SELECT count(*) FROM problems), (SELECT count(*) FROM score_points), "
                           "(SELECT count(*) FROM imports), (SELECT count(*) FROM score_imports)").fetchone()


def test_score_sheets_and_a_ledger_in_one_batch(tmp_path):
    path = tmp_path / "db" / "c.duckdb"
    files = [SAMPLES / "第一轮模拟测评扣分明细.xlsx", ledger_file(tmp_path / "in"),
             SAMPLES / "第二轮模拟测评点位得分表.xlsx"]
    results = import_paths(path, files, now=NOW)
    assert [r.outcome for r in results] == ["imported"] * 3
    assert [r.import_id for r in results] == [1, 2, 3]               # one numbering for both kinds
    assert results[0].score_sheet.startswith("模拟测评得分表：第一轮，33个点位")
    assert "已导入模拟测评得分表：第二轮，33个点位" in results[2].message and results[1].score_sheet is None
    problems, points, ledgers, sheets = counts(path)
    with db.connect(path, read_only=True) as con:
        deductions, = con.execute("SELECT count(*) FROM score_deductions WHERE deduction > 0").fetchall()[0]
    # the ledger's rows, and a task for every deduction (analytics/accountability/tasks.py)
    assert problems == 25 + deductions and points == 66 and ledgers == 1 and sheets == 2
    with db.connect(path, read_only=True) as con:
        units = {u for u, in con.execute("SELECT DISTINCT ledger_unit FROM imports").fetchall()}
        assert units == {"城关街道"}                                   # no unit named after a title
        assert scores.round_summary(con).overall == pytest.approx(88.12, abs=0.01)
    again = import_paths(path, [SAMPLES / "第二轮模拟测评点位得分表.xlsx"], now=NOW)
    assert again[0].outcome == "unchanged" and counts(path) == (25 + deductions, 66, 1, 2)


def test_undo_rebuild_and_check_keep_scores(tmp_path):
    path = tmp_path / "db" / "c.duckdb"
    spots = [score_fixtures.ScoreSpot("居民小区", "幸福里", "城关街道"),
             score_fixtures.ScoreSpot("公园", "人民公园", "市城管局")]
    first = score_fixtures.score_round(spots, 3, dt.date(2026, 11, 2), seed=1, severity=0.8)
    resent = score_fixtures.score_round(spots, 3, dt.date(2026, 11, 2), seed=2, severity=0.8)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [score_fixtures.write_point_table(first, tmp_path / "a" / "第三轮点位得分表.xlsx"),
             ledger_file(tmp_path / "in"),
             score_fixtures.write_deduction_detail(resent, tmp_path / "b" / "第三轮扣分明细（更正）.xlsx")]
    results = import_paths(path, paths, now=NOW)
    assert "替换此前的第1次导入" in results[2].message

    def unit_scores():
        with db.connect(path, read_only=True) as con:
            return scores.round_summary(con).by_unit

    assert unit_scores() == pytest.approx(score_fixtures.expected_scores(resent)["by_unit"])
    assert check_integrity(path).ok
    assert undo_import(path, 3, now=NOW) == "已撤销第3次导入：第三轮扣分明细（更正）.xlsx（模拟测评第三轮）"
    assert unit_scores() == pytest.approx(score_fixtures.expected_scores(first)["by_unit"])
    before = counts(path)
    assert "重放3次导入" in rebuild(path)
    assert counts(path) == before and unit_scores() == pytest.approx(score_fixtures.expected_scores(first)["by_unit"])
    report = check_integrity(path)
    assert report.ok and report.imports_checked == 3
    with pytest.raises(LookupError, match="已于"):
        undo_import(path, 3, now=NOW)


def test_a_broken_archive_is_reported_by_check(tmp_path):
    path = tmp_path / "db" / "c.duckdb"
    import_paths(path, [SAMPLES / "第一轮模拟测评扣分明细.xlsx"], now=NOW)
    archived = next((db.archive_dir(path)).rglob("*.xlsx"))
    archived.write_bytes(archived.read_bytes() + b"x")
    assert any("已被改动" in problem for problem in check_integrity(path).problems)


def test_a_bad_score_sheet_is_refused_and_nothing_is_lost(tmp_path):
    path = tmp_path / "db" / "c.duckdb"
    import_paths(path, [SAMPLES / "第一轮模拟测评扣分明细.xlsx"], now=NOW)
    before = counts(path)
    broken = tmp_path / "汇总.xlsx"        # no round in the name, the title or the table, and no date
    book = openpyxl.Workbook()
    book.active.title = "汇总"
    for row in (["点位类型", "点位名称", "责任单位", "得分"], ["居民小区", "幸福里", "城关街道", 80]):
        book.active.append(row)
    book.save(broken)
    result, = import_paths(path, [broken], now=NOW)
    assert result.outcome == "refused"
    assert "“汇总.xlsx”" in result.message and "无法确定测评轮次" in result.message
    assert counts(path) == before


def test_the_preview_says_what_a_score_sheet_is(tmp_path):
    aliases = default_point_type_aliases()
    preview = preview_ledger(SAMPLES / "第二轮模拟测评点位得分表.xlsx", "第二轮.xlsx", point_type_aliases=aliases)
    assert preview.score_sheet.startswith("模拟测评得分表：第二轮，33个点位") and preview.rows == 33
    assert preview.ledger_unit is None and list(preview.sample["score"][:2]) == [83, 88]
    table = previews_table([preview])
    assert table.loc[0, "识别单位"] == "模拟测评得分表" and "第二轮，33个点位" in table.loc[0, "结果"]
    copy = tmp_path / "城关街道_台账.xlsx"
    shutil.copy(ledger_file(tmp_path / "in"), copy)
    assert preview_ledger(copy, copy.name, point_type_aliases=aliases).score_sheet is None
