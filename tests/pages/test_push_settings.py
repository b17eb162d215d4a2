"""工作群推送 on the 设置 page (admins only) and the status line of the 晨报 page, under AppTest, against the
local fake robot: a channel is added with its address masked, 发送测试 reaches the robot, 预览 shows the
group's message, and once pushed both pages say “今天 HH:MM 已推送” — the key never on screen."""
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.push import sending, store
from analytics.push.channels import make_channel
from analytics.shared import db
from tests.push.robot import Robot, RobotServer

APP = str(Path(__file__).resolve().parents[2] / "app.py")
KEY = "wecom-key-page-0a1b2c3d4e5f"

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def page_db(campaign, app_database) -> Path:
    return app_database(copy_of=campaign)


@pytest.fixture
def robot():
    robot = Robot(wecom_keys={KEY})
    with RobotServer(robot) as server:
        robot.server = server
        yield robot


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _everything_shown(at: AppTest) -> str:
    texts = [e.value for kind in ("markdown", "caption", "success", "error", "info", "warning", "code")
             for e in getattr(at, kind)]
    texts += [frame.value.to_string() for frame in at.dataframe]
    return "\n".join(map(str, texts))


def test_add_test_and_preview_a_channel(page_db, robot):
    at = _open("pages/settings.py")
    assert "工作群推送" in [h.value for h in at.header]
    at.text_input(key="push_name").input("领导群")
    at.selectbox(key="push_kind").set_value("wecom")
    at.text_input(key="push_url").input(robot.server.wecom(KEY))
    at.selectbox(key="push_days").set_value("all")
    at.checkbox(key="push_chart").uncheck()
    next(b for b in at.button if b.label == "保存渠道").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已添加推送渠道：领导群" in s.value for s in at.success)
    table = next(t.value for t in at.dataframe if "渠道" in t.value.columns)
    assert list(table["渠道"]) == ["领导群"] and table["地址"][0].endswith("key=****" + KEY[-4:])
    at.button(key="push_test").click().run()
    assert any("测试消息已送达" in s.value for s in at.success), _everything_shown(at)
    assert [r.body["msgtype"] for r in robot.received] == ["markdown"]
    at.button(key="push_preview").click().run()
    assert not at.exception
    assert any(m.value.startswith("## 创文晨报") for m in at.markdown)
    assert KEY not in _everything_shown(at)


def test_both_pages_show_todays_push(page_db, robot):
    with db.connect(page_db) as con:
        store.add_channel(con, page_db, make_channel("领导群", "wecom", robot.server.wecom(KEY), days="all",
                                                     chart=False), actor="测试")
    [report] = sending.push(page_db, channel="领导群")
    assert report.outcome == "sent", report.text
    with db.connect(page_db, read_only=True) as con:
        expected = store.status_lines(con)["status"][0]
    assert expected.startswith("今天 ") and expected.endswith("已推送")
    home = _open("pages/home.py")
    assert f"工作群推送：领导群 {expected}" in [c.value for c in home.caption]
    settings = _open("pages/settings.py")
    table = next(t.value for t in settings.dataframe if "渠道" in t.value.columns)
    assert table["今天"][0] == expected
    robot.wecom_keys.clear()
    settings.button(key="push_test").click().run()
    assert any("key 无效" in e.value for e in settings.error)
    assert KEY not in _everything_shown(settings) + _everything_shown(home)


def test_no_channel_no_status_line(page_db):
    home = _open("pages/home.py")
    assert not any(c.value.startswith("工作群推送") for c in home.caption)
    settings = _open("pages/settings.py")
    assert any("还没有推送渠道" in i.value for i in settings.info)


def test_the_dashboard_can_run_the_schedule_itself(page_db, robot, monkeypatch):
    with db.connect(page_db) as con:
        store.add_channel(con, page_db, make_channel("领导群", "wecom", robot.server.wecom(KEY), days="all", at="00:00",
                                                     chart=False), actor="测试")
    monkeypatch.setenv("CHUANGWEN_PUSH_EVERY_MINUTES", "0.02")   # unset when the test ends: the thread stops
    for _ in range(2):                                            # two sessions, one scheduler thread
        _open("pages/home.py")
    threads = [t for t in threading.enumerate() if t.name == "push-timer"]
    assert len(threads) == 1
    deadline, status = time.monotonic() + 120, ""
    while not status.endswith("已推送") and time.monotonic() < deadline:
        time.sleep(0.2)
        with db.read_connection(page_db) as con:
            status = store.status_lines(con)["status"][0]
    assert status.endswith("已推送")
    assert len(robot.messages("markdown")) == 1
