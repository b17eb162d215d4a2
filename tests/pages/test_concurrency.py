"""Readers and writers at once: the dashboard keeps reading while the command line
imports; no read fails or sees half an import, and every ledger lands exactly once."""
import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from analytics.shared import db, schema
from analytics import fixtures
from analytics.shared.filters import Filters
from analytics.intake import import_paths
from analytics.ledger.metrics import summary

PROJECT = Path(__file__).resolve().parents[2]
AS_OF = Filters(as_of=dt.date(2026, 11, 20))


@pytest.fixture(scope="module")
def last_week() -> list[fixtures.Ledger]:
    campaign = fixtures.campaign(seed=5, n_units=40, problems_per_unit=30, weeks=2)
    return fixtures.snapshots(campaign)[-1]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, last_week) -> list[Path]:
    return fixtures.write_snapshot(last_week, tmp_path_factory.mktemp("inbox"))


@pytest.fixture(scope="module")
def big_week() -> list[fixtures.Ledger]:
    """Ten times the rows: a batch that lasts while several page runs wait their turn."""
    campaign = fixtures.campaign(seed=5, n_units=40, problems_per_unit=300, weeks=2)
    return fixtures.snapshots(campaign)[-1]


@pytest.fixture(scope="module")
def big_inbox(tmp_path_factory, big_week) -> list[Path]:
    return fixtures.write_snapshot(big_week, tmp_path_factory.mktemp("big_inbox"))


def start_import(db_path: Path, paths: list[Path]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analytics", "import", *map(str, paths), "--db", str(db_path)],
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_until_done(db_path: Path, writer: subprocess.Popen, seen: list, errors: list) -> None:
    """What a dashboard session does: short read-only connections, one query each."""
    while writer.poll() is None:
        try:
            with db.connect(db_path, read_only=True) as con:
                seen.append(summary(con, AS_OF))
        except Exception as error:  # any failure is the finding
            errors.append(repr(error))


def test_readers_see_whole_imports_while_the_command_line_imports(tmp_path, inbox, last_week):
    db_path = schema.init_db(tmp_path / "busy.duckdb")
    writer = start_import(db_path, inbox)
    seen, errors = [], []
    readers = [threading.Thread(target=read_until_done, args=(db_path, writer, seen, errors)) for _ in range(3)]
    for reader in readers:
        reader.start()
    writer.wait(timeout=300)
    for reader in readers:
        reader.join()
    assert writer.returncode == 0, writer.stderr.read()
    assert errors == []
    assert len(seen) > 10
    with db.connect(db_path, read_only=True) as con:
        final = summary(con, AS_OF)
        per_unit = dict(con.execute("SELECT ledger_unit, count(*) FROM problems GROUP BY 1").fetchall())
        landed = con.execute("SELECT count(*), count(DISTINCT sha256) FROM imports").fetchone()
    # files are imported in order, so a reader that never sees half an import sees the first k ledgers
    whole_imports = {sum(len(ledger.problems) for ledger in last_week[:k]) for k in range(len(last_week) + 1)}
    for state in seen:
        assert state["problems"] in whole_imports
        assert state["problems"] == sum(state["by_status"].values()) == sum(state["by_point_type"].values())
    assert [s["problems"] for s in seen] == sorted(s["problems"] for s in seen)
    assert final["problems"] == max(whole_imports)
    assert per_unit == {ledger.unit: len(ledger.problems) for ledger in last_week}
    assert landed == (len(inbox), len(inbox))


def test_two_imports_of_the_same_inbox_at_once_land_each_ledger_once(tmp_path, inbox):
    db_path = schema.init_db(tmp_path / "twice.duckdb")
    first, second = start_import(db_path, inbox), start_import(db_path, inbox)
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), outputs
    with db.connect(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT sha256) FROM imports").fetchone() == (len(inbox),) * 2
    unchanged = sum(line.startswith("未变") for out, _ in outputs for line in out.splitlines())
    assert unchanged == len(inbox)


def test_a_stream_of_reads_does_not_starve_a_writer(tmp_path):
    """Many dashboard sessions reading back to back; a write must still get its turn promptly."""
    db_path = schema.init_db(tmp_path / "starve.duckdb")
    stop = threading.Event()
    errors = []

    def keep_reading():
        while not stop.is_set():
            try:
                with db.connect(db_path, read_only=True) as con:
                    con.execute("SELECT count(*) FROM problems").fetchone()
            except Exception as error:
                errors.append(repr(error))

    readers = [threading.Thread(target=keep_reading) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for number in range(20):
            with db.connect(db_path, wait_seconds=10) as con:
                con.execute("INSERT INTO settings VALUES (?, 'x')", [f"key{number}"])
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert errors == []
    with db.connect(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM settings").fetchone() == (20,)


def test_dashboard_sessions_keep_working_while_the_command_line_imports(tmp_path, big_inbox, big_week, monkeypatch):
    """Three AppTest sessions of 晨报 in threads, going round during a CLI import: every view answers
    without error and shows whole imports only. AppTest runs one script at a time in a process (its
    runtime is global: two at once fail inside Streamlit), so the sessions take turns, as the bench's
    do; reads in threads at once are test_readers_see_whole_imports_while_the_command_line_imports."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    db_path = schema.init_db(tmp_path / "served.duckdb")
    monkeypatch.setenv(db.DB_ENV_VAR, str(db_path))
    monkeypatch.setenv("CHUANGWEN_AUTO_DEMO", "0")
    st.cache_data.clear()
    whole_imports = {sum(len(ledger.problems) for ledger in big_week[:k]) for k in range(len(big_week) + 1)}
    shown: dict[int, list[int]] = {number: [] for number in range(3)}
    errors: list[str] = []
    # The first ledger is in already, so the first views show a page with figures.
    import_paths(db_path, big_inbox[:1])
    one_at_a_time, warmed, importing = threading.Lock(), threading.Barrier(4), threading.Event()
    writers: list[subprocess.Popen] = []

    def run_page() -> AppTest:
        with one_at_a_time:
            at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60).run()
        errors.extend(repr(e.value) for e in at.exception)
        return at

    def session(number: int):
        try:
            run_page()      # modules loaded and caches warm, as on a running server
            warmed.wait()
            importing.wait()
            while writers[0].poll() is None:
                totals = [m.value for m in run_page().metric if m.label == "问题总数"]
                shown[number].extend(int(str(total).replace(",", "")) for total in totals)
        except BaseException as error:  # a session that dies is a finding, not a quiet thread
            errors.append(f"会话{number}: {error!r}")

    sessions = [threading.Thread(target=session, args=(number,)) for number in range(3)]
    for thread in sessions:
        thread.start()
    warmed.wait()
    writers.append(start_import(db_path, big_inbox[1:]))
    importing.set()
    writer = writers[0]
    writer.wait(timeout=300)
    for thread in sessions:
        thread.join()
    st.cache_data.clear()
    assert writer.returncode == 0
    assert errors == []
    views = [total for totals in shown.values() for total in totals]
    assert len(views) >= 3 and set(views) <= whole_imports, shown
