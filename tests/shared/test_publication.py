"""Readers read the last published copy: they never wait for a writer, and never see half of a write."""
import subprocess
import sys
import textwrap

import pytest

from analytics.shared import db, schema


def _count(con):
    return con.execute("SELECT count(*) FROM units").fetchone()[0]


def _add_unit(path, name):
    with db.writing(path, actor="测试"), db.connect(path) as con:
        con.execute("INSERT INTO units VALUES (?, '街道', '城区', TRUE)", [name])


@pytest.fixture
def path(tmp_path):
    return schema.init_db(tmp_path / "chuangwen.duckdb")


def test_a_reader_sees_every_finished_write(path):
    with db.read_connection(path) as con:
        assert _count(con) == 0
    _add_unit(path, "城关街道")
    with db.read_connection(path) as con:
        assert _count(con) == 1
    _add_unit(path, "东关街道")
    with db.read_connection(path) as con:
        assert _count(con) == 2


def test_a_write_that_bypassed_the_lock_is_published_before_it_is_read(path):
    with db.read_connection(path) as con:
        assert _count(con) == 0
    with db.connect(path) as con:
        con.execute("INSERT INTO units VALUES ('城关街道', '街道', '城区', TRUE)")
    with db.read_connection(path) as con:
        assert _count(con) == 1


HOLD_THE_FILE = textwrap.dedent("""
    import sys, time
    from analytics.shared import db
    with db.writing(sys.argv[1], actor="测试"), db.connect(sys.argv[1]) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO units VALUES ('半途', '街道', '城区', TRUE)")
        print("holding", flush=True)
        sys.stdin.readline()
        con.execute("COMMIT")
""")


def test_while_another_process_holds_the_file_readers_get_the_last_whole_state(path):
    _add_unit(path, "城关街道")
    writer = subprocess.Popen([sys.executable, "-c", HOLD_THE_FILE, str(path)], cwd=db.PROJECT_ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "holding"
        # the file itself cannot be opened now, not even read-only
        with pytest.raises(db.DatabaseBusy):
            with db.connect(path, read_only=True, wait_seconds=0.2):
                pass
        with db.read_connection(path) as con:
            assert _count(con) == 1
    finally:
        writer.communicate("\n", timeout=60)
    assert writer.returncode == 0
    with db.read_connection(path) as con:
        assert _count(con) == 2


def test_old_copies_are_pruned_and_connections_to_them_keep_working(path):
    _add_unit(path, "城关街道")
    with db.read_connection(path) as old:
        for number in range(db.GENERATIONS_KEPT + 1):
            _add_unit(path, f"单位{number}")
        assert _count(old) == 1                 # its copy is gone from the folder, not from under it
    copies = sorted(db.copies_dir(path).glob("*.duckdb"))
    assert len(copies) == db.GENERATIONS_KEPT
    with db.read_connection(path) as con:
        assert _count(con) == db.GENERATIONS_KEPT + 2
