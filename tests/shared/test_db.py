"""The database file: a file written by an earlier version is brought up to date on opening; writers
take turns on their lock and make the daily backup; readers wait, bounded, for a writer."""
import datetime as dt
import threading
import time

import pytest

from analytics.shared import db, schema
from analytics.ledger import derive
from analytics.shared.filters import Filters
from analytics.intake.integrity import check_integrity
from analytics.ledger.metrics import summary
from analytics.ledger.rebounds import rebounds
from analytics_data import AS_OF, build_campaign


@pytest.mark.parametrize("missing, links_dropped", [
    (derive.LIFE_DAY_COLUMNS, True),           # before the derived tables: no life days, no rebound_links
    (derive.STEPS_SEEN_COLUMNS, False),        # before a newer ledger was derived from the stored row
])
def test_a_file_from_an_earlier_version_gets_the_derived_columns_from_its_history(tmp_path, missing, links_dropped):
    path = build_campaign(tmp_path)
    with db.connect(path) as con:
        problems_before = con.execute("SELECT * FROM problems ORDER BY problem_key").fetchall()
        links_before = con.execute("SELECT * FROM rebound_links ORDER BY later_key").fetchall()
        figures_before = summary(con, Filters(as_of=AS_OF)), rebounds(con, Filters(as_of=AS_OF))
        con.execute(f"CREATE TABLE old_problems AS SELECT * EXCLUDE ({', '.join(missing)}) FROM problems")
        con.execute("DROP TABLE problems")
        if links_dropped:
            con.execute("DROP TABLE rebound_links")
        con.execute("ALTER TABLE old_problems RENAME TO problems")
    schema.init_db(path)
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT * FROM problems ORDER BY problem_key").fetchall() == problems_before
        assert con.execute("SELECT * FROM rebound_links ORDER BY later_key").fetchall() == links_before
        figures_after = summary(con, Filters(as_of=AS_OF)), rebounds(con, Filters(as_of=AS_OF))
    assert links_before and figures_after[0] == figures_before[0]
    assert figures_after[1].equals(figures_before[1])
    assert check_integrity(path).ok


@pytest.fixture
def db_path(tmp_path):
    return schema.init_db(tmp_path / "x.duckdb")


def test_one_backup_a_day_and_only_the_newest_are_kept(db_path):
    for day in range(1, 6):
        db.daily_backup(db_path, dt.date(2026, 11, day), keep=3)
        db.daily_backup(db_path, dt.date(2026, 11, day), keep=3)  # the second write of the day copies nothing
    assert sorted(p.name for p in db.backup_dir(db_path).iterdir()) == [
        "x-20261103.duckdb", "x-20261104.duckdb", "x-20261105.duckdb"]


def test_a_backup_is_a_working_database(db_path):
    with db.connect(db_path) as con:
        con.execute("INSERT INTO settings VALUES ('test_date', '2026-12-18')")
    copy = db.daily_backup(db_path, dt.date(2026, 11, 21))
    with db.connect(copy, read_only=True) as con:
        assert con.execute("SELECT value FROM settings").fetchall() == [("2026-12-18",)]


def test_writers_take_turns(db_path):
    order = []

    def second_writer():
        with db.writing(db_path, actor="第二个"):
            order.append("second")

    with db.writing(db_path, actor="第一个"):
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.3)
        order.append("first done")
    thread.join()
    assert order == ["first done", "second"]


def test_a_writer_that_waits_too_long_gets_a_chinese_message(db_path):
    with db.writing(db_path, actor="导入"):
        failure = []

        def impatient():
            try:
                with db.writing(db_path, actor="重建", wait_seconds=0.2):
                    pass
            except db.DatabaseBusy as error:
                failure.append(str(error))

        thread = threading.Thread(target=impatient)
        thread.start()
        thread.join()
    assert failure and "另一项写入" in failure[0]


def test_a_reader_waits_for_a_writer_and_then_reads(db_path):
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(1.0); con.close()"), str(db_path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with db.connect(db_path, read_only=True, wait_seconds=20) as con:
        assert con.execute("SELECT count(*) FROM problems").fetchone() == (0,)
    holder.wait()


def test_a_reader_that_waits_too_long_gets_a_chinese_message(db_path):
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(3)"), str(db_path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(db.DatabaseBusy, match="正被其他程序"):
        with db.connect(db_path, read_only=True, wait_seconds=0.3):
            pass
    holder.kill()


def test_a_transaction_inside_another_on_the_same_connection_is_part_of_it(tmp_path):
    with db.connect(tmp_path / "t.duckdb") as con:
        con.execute("CREATE TABLE t (n INTEGER)")
        with pytest.raises(RuntimeError):
            with db.transaction(con):
                with db.transaction(con):
                    con.execute("INSERT INTO t VALUES (1)")
                con.execute("INSERT INTO t VALUES (2)")
                raise RuntimeError("the outer one fails")
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
        with db.transaction(con):
            with db.transaction(con):
                con.execute("INSERT INTO t VALUES (1)")
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(1,)]
