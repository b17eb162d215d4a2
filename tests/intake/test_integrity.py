import datetime as dt

import pytest

from analytics.shared import db
from analytics import fixtures
from analytics.cli import main
from analytics.intake import import_paths, undo_import
from analytics.intake.integrity import check_integrity


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "db" / "x.duckdb"
    for number, unit in enumerate(("城关街道", "西关街道")):
        ledger = fixtures.ledger_for_unit(unit, seed=number, n_problems=15, report_date=dt.date(2026, 11, 20),
                                          style=fixtures.STYLES[number])
        import_paths(path, [fixtures.write_ledger(ledger, tmp_path / unit)])
    undo_import(path, 2)
    return path


def test_a_database_made_by_imports_agrees_with_its_archive(db_path, capsys):
    report = check_integrity(db_path)
    assert report.ok and report.imports_checked == 2
    assert main(["check", "--db", str(db_path)]) == 0
    assert "一致：2次导入" in capsys.readouterr().out


def test_a_changed_archive_file_is_found(db_path, capsys):
    archived = next(p for p in db.archive_dir(db_path).rglob("*") if p.is_file())
    archived.write_bytes(archived.read_bytes() + b"tampered")
    assert "归档文件已被改动" in check_integrity(db_path).text()
    assert main(["check", "--db", str(db_path)]) == 1


def test_a_missing_archive_file_is_found(db_path):
    next(p for p in db.archive_dir(db_path).rglob("*") if p.is_file()).unlink()
    assert "原始文件不在归档中" in check_integrity(db_path).text()


def test_a_problems_table_that_drifted_from_its_history_is_found(db_path):
    with db.connect(db_path) as con:
        con.execute("UPDATE problems SET status = '已销号' WHERE rowid IN "
                    "(SELECT rowid FROM problems WHERE status <> '已销号' LIMIT 2)")
    assert "问题缺少2条、多出2条" in check_integrity(db_path).text()


def test_a_rebound_link_that_drifted_from_the_problems_is_found(db_path):
    with db.connect(db_path) as con:
        con.execute("INSERT INTO rebound_links VALUES ('城关街道||9', '城关街道||1', '城关街道', 3)")
    assert "反弹关联有1条不符" in check_integrity(db_path).text()
