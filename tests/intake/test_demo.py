"""The demo campaign lands whole or not at all, once, and agrees with its archive."""
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from analytics.shared import db, schema
from analytics.intake import demo
from analytics import fixtures
from analytics.intake import rebuild
from analytics.intake.integrity import check_integrity
from analytics.shared.settings import get_settings

END = dt.date(2026, 11, 20)
SMALL = dict(n_units=6, problems_per_unit=8, weeks=3, end=END)
FULL_DEMO_LEDGERS = sum(len(week) for week in fixtures.snapshots(fixtures.campaign(end=END)))


def _counts(db_path):
    with db.connect(db_path, read_only=True) as con:
        return con.execute("SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM problems), "
                           "(SELECT count(*) FROM audit_log WHERE action = '修改设置')").fetchone()


def test_the_demo_lands_whole_and_agrees_with_its_archive(tmp_path):
    path = tmp_path / "chuangwen.duckdb"
    message = demo.load_demo(path, **SMALL)
    campaign = fixtures.campaign(n_units=6, problems_per_unit=8, weeks=3, end=END)
    ledgers = sum(len(week) for week in fixtures.snapshots(campaign))
    imports, problems, settings_changes = _counts(path)
    with db.connect(path, read_only=True) as con:
        tasks = con.execute("SELECT count(DISTINCT task_key) FROM round_tasks").fetchall()[0][0]
    # the ledgers' problems, and a task for every deduction of the demo's rounds
    assert tasks > 0
    assert (imports, problems, settings_changes) == (ledgers, len(fixtures.campaign_truth(campaign)) + tasks, 1)
    assert f"导入台账{ledgers}份" in message
    with db.connect(path, read_only=True) as con:
        assert get_settings(con).test_date == END + dt.timedelta(days=demo.DAYS_TO_TEST)
        assert con.execute("SELECT count(*) FROM units").fetchone()[0] == 6
    assert check_integrity(path).ok
    rebuilt = tmp_path / "rebuilt" / "chuangwen.duckdb"
    shutil.copytree(tmp_path, rebuilt.parent, ignore=shutil.ignore_patterns("rebuilt"))
    rebuild(rebuilt)
    with db.connect(path, read_only=True) as con, db.connect(rebuilt, read_only=True) as again:
        for table in ("imports", "problems", "rebound_links"):
            query = f"SELECT * FROM {table} ORDER BY ALL"
            assert again.execute(query).fetchall() == con.execute(query).fetchall()


def test_the_demo_goes_only_into_an_empty_database(tmp_path):
    path = tmp_path / "chuangwen.duckdb"
    demo.load_demo(path, **SMALL)
    before = _counts(path)
    with pytest.raises(demo.DemoRefused, match="已有.*次导入"):
        demo.load_demo(path, **SMALL)
    assert "已有数据" in demo.load_demo(path, only_if_empty=True, **SMALL)
    assert _counts(path) == before


def _demo_process(path):
    return subprocess.Popen([sys.executable, "-m", "analytics", "demo", "--if-empty", "--db", str(path)],
                            cwd=db.PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def test_first_starts_at_the_same_time_build_the_demo_once(tmp_path):
    path = schema.init_db(tmp_path / "chuangwen.duckdb")
    starts = [_demo_process(path) for _ in range(3)]
    outputs = [start.communicate(timeout=300)[0] for start in starts]
    assert [start.returncode for start in starts] == [0, 0, 0]
    assert sum("已载入演示数据" in output for output in outputs) == 1
    imports, problems, settings_changes = _counts(path)
    assert (imports, settings_changes) == (FULL_DEMO_LEDGERS, 1)
    assert check_integrity(path).ok


def _wait_for_demo(path, process, timeout=300):
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert process.poll() is not None, "the demo build did not finish"


def test_a_first_start_stopped_half_way_leaves_nothing_and_the_next_one_builds_it_whole(tmp_path):
    path = schema.init_db(tmp_path / "chuangwen.duckdb")
    stopped = demo.start_demo_process(path)
    deadline = time.monotonic() + 60
    while not demo.demo_being_built(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    os.killpg(stopped.pid, signal.SIGKILL)
    stopped.wait()
    assert _counts(path)[0] == 0           # nothing of the demo, not a few ledgers of it
    assert not demo.demo_being_built(path)  # the lock died with the process
    again = demo.start_demo_process(path)
    assert again is not None
    _wait_for_demo(path, again)
    assert _counts(path)[0] == FULL_DEMO_LEDGERS
    assert check_integrity(path).ok


def test_the_demo_map_shows_its_shops_at_once(demo_template):
    """门前四包: the demo's ledgers name shops, its register lists all but the last few, so a new user sees
    exposed shops and shops nobody registered."""
    from analytics.fixtures.registry import shop_names
    from analytics.registry.model import responsibility
    from analytics.shared.filters import Filters

    campaign = fixtures.with_shops(fixtures.campaign(end=END, test_date=END + dt.timedelta(days=demo.DAYS_TO_TEST)),
                                   shop_names(0, demo.DEMO_SHOPS))
    named = list(dict.fromkeys(p.shop for p in campaign.problems if p.shop))
    with db.connect(demo_template, read_only=True) as con:
        stored = {shop for (shop,) in con.execute("SELECT DISTINCT shop FROM problems WHERE shop IS NOT NULL").fetchall()}
        frontage = responsibility(con, Filters(as_of=END))["frontage"]
    assert stored == set(named)
    assert frontage["exposed"] and {row["shop"] for row in frontage["exposed"]} <= set(named)
    assert frontage["unregistered"] == sorted(named[-demo.UNREGISTERED_SHOPS:])


def test_the_demo_guarantors_fit_its_registry(demo_template):
    """包保: every estate of the demo's 包保一览表 is a 居民小区 of its 点位清单 (half of them written with a
    space the registry lacks), so a new user sees each estate's 包保单位 and 包保责任人 at once."""
    from analytics.registry.model import load_map, point_status, responsibility
    from analytics.shared.filters import Filters

    with db.connect(demo_template, read_only=True) as con:
        blocks = responsibility(con, Filters(as_of=END))["blocks"]
        registry = load_map(con)
        points = point_status(con, Filters(as_of=END), registry)
    assert blocks["estates"] and blocks["unmatched"] == []
    assert (registry.blocks["estate"] != registry.blocks["point"]).any()
    guarded = points.dropna(subset=["block_units"])
    assert len(guarded) == blocks["estates"] and set(guarded["point_type"]) == {"居民小区"}
