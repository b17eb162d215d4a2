import datetime as dt
import threading
import time

import pytest

from analytics import db
from analytics.ingest.writelock import backup_dir, daily_backup, writing


@pytest.fixture
def db_path(tmp_path):
    return db.init_db(tmp_path / "x.duckdb")


def test_one_backup_a_day_and_only_the_newest_are_kept(db_path):
    for day in range(1, 6):
        daily_backup(db_path, dt.date(2026, 11, day), keep=3)
        daily_backup(db_path, dt.date(2026, 11, day), keep=3)  # the second write of the day copies nothing
    assert sorted(p.name for p in backup_dir(db_path).iterdir()) == [
        "x-20261103.duckdb", "x-20261104.duckdb", "x-20261105.duckdb"]


def test_a_backup_is_a_working_database(db_path):
    with db.connect(db_path) as con:
        con.execute("INSERT INTO settings VALUES ('test_date', '2026-12-18')")
    copy = daily_backup(db_path, dt.date(2026, 11, 21))
    with db.connect(copy, read_only=True) as con:
        assert con.execute("SELECT value FROM settings").fetchall() == [("2026-12-18",)]


def test_writers_take_turns(db_path):
    order = []

    def second_writer():
        with writing(db_path, actor="第二个"):
            order.append("second")

    with writing(db_path, actor="第一个"):
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.3)
        order.append("first done")
    thread.join()
    assert order == ["first done", "second"]


def test_a_writer_that_waits_too_long_gets_a_chinese_message(db_path):
    with writing(db_path, actor="导入"):
        failure = []

        def impatient():
            try:
                with writing(db_path, actor="重建", wait_seconds=0.2):
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
