"""Imports in a process of their own: the uploads saved safely, the command line's import started on
them and followed to its results; nothing on its way to the first write waits for pandas."""
import datetime as dt
import time

from analytics.shared import db
from analytics import fixtures
from analytics.intake import jobs as import_jobs

import hostile_files
from tests.intake.test_prepare import _imported_by

REPORT = dt.date(2026, 11, 20)


def test_uploads_are_saved_under_their_base_names_without_collisions(tmp_path):
    saved = import_jobs.save_uploads([("../../外面.xlsx", b"a"), ("台账.csv", b"b"), ("台账.csv", b"c"),
                                      ("C:\\Users\\科员\\桌面\\台账.xls", b"d"), ("..", b"e")], tmp_path)
    paths = list(saved)
    assert all(path.resolve().is_relative_to(tmp_path.resolve()) for path in paths)
    assert [path.name for path in paths] == ["外面.xlsx", "台账.csv", "台账.csv", "台账.xls", "台账5"]
    assert [path.read_bytes() for path in paths] == [b"a", b"b", b"c", b"d", b"e"]
    assert list(saved.values())[3] == "C:\\Users\\科员\\桌面\\台账.xls"




def test_an_upload_imported_by_its_own_process_is_followed_to_its_results(tmp_path):
    """What the import page does: the batch goes to `python -m analytics import` in a session of its
    own, which nothing on the page can stop, and the page follows its progress report."""
    sources = [fixtures.write_ledger(fixtures.ledger_for_unit(unit, seed=4, n_problems=12, report_date=REPORT),
                                     tmp_path / "src" / unit) for unit in ("东关街道", "西关街道", "南关街道")]
    uploads = [(path.name, path.read_bytes()) for path in sources] + [
        ("通讯录.xlsx", hostile_files.write_not_a_ledger_xlsx(tmp_path).read_bytes())]
    db_path = tmp_path / "db" / "chuangwen.duckdb"
    folder = import_jobs.start_import_process(db_path, uploads, actor="看板·测试")
    deadline = time.monotonic() + 120
    job = import_jobs.follow_import(folder)
    while not (job.finished or job.stopped):
        assert time.monotonic() < deadline, "the import process did not finish"
        time.sleep(0.2)
        job = import_jobs.follow_import(folder)
    assert job.finished and not job.stopped
    assert [r.outcome for r in job.results] == ["imported"] * 3 + ["refused"]
    assert [r.file_name for r in job.results] == [name for name, _ in uploads]
    assert len(job.results) == job.last.total == 4
    with db.connect(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*), min(imported_by) FROM imports").fetchone() == (3, "看板·测试")


def test_the_command_line_import_starts_its_workers_without_pandas():
    """The parse workers start once the command has opened the database: pandas (a quarter of a second)
    is not imported on the way there. It comes later, with the first batch's Arrow tables."""
    assert "pandas" not in _imported_by("analytics.cli, analytics.intake.jobs, analytics.intake.batch")
