"""Ledgers stored as one batch give exactly what storing them one by one gives: history, current
state, rebound links, and per import the rows new and updated, counted as if in order."""
import datetime as dt
import shutil
import subprocess
import sys

import pytest

from analytics.shared import db, schema
from analytics import fixtures
from analytics.intake import rebuild
from analytics.intake.batch import StagedLedger, write_batch
from analytics.intake.integrity import check_integrity
from analytics.intake.prepare import prepare_ledger
from analytics.intake.store import archive_file, file_sha256, point_type_aliases

NOW = dt.datetime(2026, 11, 21, 8, 0)
TABLES = {
    "imports": "SELECT * FROM imports ORDER BY import_id",
    "problem_versions": "SELECT * FROM problem_versions ORDER BY import_id, problem_key",
    "problems": "SELECT * FROM problems ORDER BY problem_key",
    "rebound_links": "SELECT * FROM rebound_links ORDER BY later_key, earlier_key",
}


def _contents(db_path):
    with db.connect(db_path, read_only=True) as con:
        return {name: con.execute(query).fetchall() for name, query in TABLES.items()}


def _stage(db_path, paths):
    with db.connect(schema.init_db(db_path), read_only=True) as con:
        aliases = point_type_aliases(con)
    staged = []
    for path in paths:
        sha256 = file_sha256(path)
        prepared = prepare_ledger(path, point_type_aliases=aliases, today=NOW.date())
        staged.append(StagedLedger(prepared, sha256, archive_file(path, sha256, db_path), "测试", NOW))
    return staged


@pytest.fixture
def inbox(tmp_path):
    """Three weeks of a small campaign, arriving out of order (a late older week), plus a ledger sent
    twice (the second is unchanged) and one re-sent under a new name (a report, nothing moves)."""
    campaign = fixtures.campaign(seed=3, n_units=8, problems_per_unit=12, weeks=3, end=dt.date(2026, 11, 20))
    weeks = [fixtures.write_snapshot(ledgers, tmp_path / "inbox" / str(number))
             for number, ledgers in enumerate(fixtures.snapshots(campaign))]
    renamed = weeks[2][0].with_name("重新报送_" + weeks[2][0].name)
    shutil.copyfile(weeks[2][0], renamed)
    return weeks[0] + weeks[2] + weeks[1] + [weeks[1][0], renamed]


def test_one_batch_stores_what_one_file_at_a_time_stores(tmp_path, inbox):
    batched = tmp_path / "batched" / "chuangwen.duckdb"
    staged = _stage(batched, inbox)
    with db.connect(batched) as con:
        results = write_batch(con, staged)
    assert [r.outcome for r in results].count("unchanged") == 1
    assert results[-1].outcome == "imported" and results[-1].rows_new == 0 and results[-1].rows_updated == 0
    assert check_integrity(batched).ok
    # rebuild replays the archive file by file, each import derived and counted on its own
    one_by_one = tmp_path / "one_by_one" / "chuangwen.duckdb"
    shutil.copytree(batched.parent, one_by_one.parent)
    rebuild(one_by_one)
    assert _contents(one_by_one) == _contents(batched)
    counts = [(r.rows_new, r.rows_updated) for r in results if r.outcome == "imported"]
    assert any(new for new, _ in counts) and any(updated for _, updated in counts)


def test_a_batch_on_top_of_earlier_imports_counts_against_them(tmp_path, inbox):
    path = tmp_path / "db" / "chuangwen.duckdb"
    half = len(inbox) // 2
    first, second = _stage(path, inbox[:half]), _stage(path, inbox[half:])
    with db.connect(path) as con:
        write_batch(con, first)
        results = write_batch(con, second)
    assert all(r.import_id > half or r.outcome == "unchanged" for r in results)
    one_by_one = tmp_path / "one_by_one" / "chuangwen.duckdb"
    shutil.copytree(path.parent, one_by_one.parent)
    rebuild(one_by_one)
    assert _contents(one_by_one) == _contents(path)


def test_a_failing_batch_stores_nothing(tmp_path, inbox):
    path = tmp_path / "db" / "chuangwen.duckdb"
    staged = _stage(path, inbox[:4])
    staged[-1].prepared.versions = staged[-1].prepared.versions.drop_columns(["status"])
    with db.connect(path) as con:
        with pytest.raises(Exception):
            write_batch(con, staged)
    assert _contents(path) == {name: [] for name in TABLES}


def test_score_and_readiness_sheets_between_batches_of_ledgers_keep_the_order_and_the_numbers(tmp_path, inbox):
    """Each sheet goes to its own tables after the ledgers before it are stored; the ledgers after it
    are numbered on from it (one sequence), whatever the batch size."""
    from pathlib import Path

    from analytics.intake import import_paths

    samples = Path(__file__).parents[1] / "samples"
    sheets = [samples / "scores" / "第二轮模拟测评点位得分表.xlsx", samples / "readiness" / "问卷调查结果.xlsx"]
    ledgers = sorted(set(inbox))[:6]
    files = ledgers[:2] + sheets[:1] + ledgers[2:4] + sheets[1:] + ledgers[4:]
    for batch_rows in (1, 10_000):
        db_path = tmp_path / str(batch_rows) / "c.duckdb"
        results = import_paths(db_path, files, now=NOW, batch_rows=batch_rows)
        assert [r.outcome for r in results] == ["imported"] * len(files)
        assert [r.import_id for r in results] == list(range(1, len(files) + 1))
        assert results[2].score_sheet and results[5].readiness_sheet
        with db.connect(db_path, read_only=True) as con:
            assert con.execute("SELECT list(import_id ORDER BY import_id) FROM imports").fetchone()[0] == [
                1, 2, 4, 5, 7, 8]
            assert con.execute("SELECT list(import_id) FROM score_imports").fetchone()[0] == [3]
            assert con.execute("SELECT list(import_id) FROM readiness_imports").fetchone()[0] == [6]
        assert check_integrity(db_path).ok


@pytest.mark.parametrize("every_seconds", [0.0, 3600.0])
def test_readers_get_a_copy_of_whole_batches_every_few_seconds_and_at_the_end(tmp_path, inbox, monkeypatch,
                                                                               every_seconds):
    """The import writes its batches on one connection; readers are handed a copy (whole batches only)
    once the interval has passed since the last, and always at the end."""
    import duckdb

    from analytics.intake import batch, import_paths

    path = schema.init_db(tmp_path / "db" / "chuangwen.duckdb")
    monkeypatch.setattr(batch, "PUBLISH_EVERY_SECONDS", every_seconds)
    copies = []
    publish = db.publish

    def publish_and_look(db_path):
        copy = publish(db_path)
        with duckdb.connect(str(copy), read_only=True) as con:
            copies.append(con.execute("SELECT count(*), count(DISTINCT import_id) FROM problem_versions").fetchone())
        return copy
    monkeypatch.setattr(db, "publish", publish_and_look)
    results = import_paths(path, inbox, now=NOW, batch_rows=30)   # batches of three 12-row ledgers
    stored = [r for r in results if r.outcome == "imported"]
    assert copies[-1] == (sum(r.rows_read for r in stored), len(stored))
    assert copies == sorted(copies)
    whole_batches = {sum(r.rows_read for r in stored[:k]) for k in range(0, len(stored) + 1)}
    assert {rows for rows, _ in copies} <= whole_batches
    if every_seconds:
        assert len(copies) <= 2      # the state before (when no copy was fresh) and the end
    else:
        assert len(copies) >= len(stored) // 3
    assert check_integrity(path).ok


def test_a_batch_parsed_in_workers_is_written_without_pandas(tmp_path, inbox):
    """The writer gets Arrow tables from the workers and its own values in as lists: it never turns
    Python values into Arrow, which would import pandas (a quarter of a second of the command's CPU)."""
    code = ("import sys\nfrom analytics.intake import import_paths\n"
            f"results = import_paths({str(tmp_path / 'db' / 'c.duckdb')!r}, {[str(p) for p in inbox]!r}, "
            "parse_workers=2)\n"
            "assert {r.outcome for r in results} == {'imported', 'unchanged'}, results\n"
            "print('pandas' in sys.modules)")
    written = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=db.PROJECT_ROOT)
    assert written.returncode == 0, written.stderr
    assert written.stdout.split() == ["False"]
