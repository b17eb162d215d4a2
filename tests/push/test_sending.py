"""The 晨报 pushed to a local fake robot (tests/push/robot.py) from the hand-built campaign: what arrives is
the 晨报 of briefing.py, at most once per channel and China day — with two schedulers at once and after a
crash between sending and recording — failures kept with their Chinese meaning, retried only when that
can help, and one channel's failure never stops the others."""
import concurrent.futures
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.ledger.briefing import briefing, briefing_text
from analytics.push import sending, store
from analytics.push.channels import Request, make_channel
from analytics.push.errors import deliver
from analytics.shared import db
from analytics.shared.filters import Filters
from tests.push.conftest import DINGTALK_SECRET, DINGTALK_TOKEN, WECOM_KEY

ROOT = Path(__file__).resolve().parents[2]
KEY, TOKEN, SECRET = WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET
BAD_KEY = "wecom-key-fedcba9876543210"
MORNING = dt.datetime(2026, 11, 20, 7, 35)   # China time, the campaign's last day
DAY = MORNING.date()


def _add(db_path: Path, name: str, kind: str, url: str, **options) -> None:
    with db.connect(db_path) as con:
        store.add_channel(con, db_path, make_channel(name, kind, url, **options), actor="测试")


def _text(db_path: Path) -> str:
    with db.connect(db_path, read_only=True) as con:
        return briefing_text(briefing(con, Filters(as_of=DAY)))


def _cli(db_path: Path, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analytics", "push", "--db", str(db_path), *arguments],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _pauses() -> tuple[list, object]:
    taken = []
    return taken, taken.append


def test_wecom_gets_the_briefing_the_chart_and_the_deck(db_path, robot):
    if shutil.which("chromium") is None:
        pytest.skip("chart pictures need Chromium")
    _add(db_path, "领导群", "wecom", robot.server.wecom(KEY), days="all", attach="pptx", mentions=["zhangsan"])
    [report] = sending.push(db_path, moment=MORNING, due_only=True)
    assert report.outcome == sending.SENT, report.text
    markdown, image, upload, file = robot.received
    content = markdown.body["markdown"]["content"]
    for section in (s for line in _text(db_path).split("\n") for s in line.split("；")):
        assert section.rstrip("。") in content
    assert content.endswith("<@zhangsan>")
    assert image.body["msgtype"] == "image"                 # the robot checked its md5 and size
    assert upload.upload[0] == "创文晨报_20261120.pptx" and upload.upload[2].startswith(b"PK")
    assert robot.media[file.body["file"]["media_id"]] == upload.upload[0]
    with db.connect(db_path, read_only=True) as con:
        sent = store.latest_send(con, "领导群", DAY)
    assert (sent.state, sent.parts, sent.parts_sent, sent.pending) == ("sent", ("晨报文字", "图表", "文件"), 3, None)


def test_dingtalk_and_webhook_get_the_same_briefing(db_path, robot):
    _add(db_path, "钉钉群", "dingtalk", robot.server.dingtalk(TOKEN), secret=SECRET, days="all", mentions=["13800001111"])
    _add(db_path, "网关", "webhook", f"{robot.server.base}/hook?token=gateway-secret-123456", days="all")
    reports = sending.push(db_path, moment=MORNING, due_only=True)
    assert [r.outcome for r in reports] == ["sent", "sent"], [r.text for r in reports]
    [ding] = [r for r in robot.received if r.path == "/robot/send"]   # signature checked by the robot
    assert ding.body["markdown"]["title"] == "创文晨报（11月20日）"
    assert "看板“晨报”页" in ding.body["markdown"]["text"] and ding.body["at"]["atMobiles"] == ["13800001111"]
    [hook] = [r for r in robot.received if r.path == "/hook"]
    assert hook.body["text"] == _text(db_path) and hook.body["date"] == "2026-11-20"
    assert hook.body["figures"]["kpis"]["total"] > 0


def test_once_per_day_and_again_on_purpose(db_path, robot):
    _add(db_path, "领导群", "wecom", robot.server.wecom(KEY), days="all", chart=False)
    assert sending.push(db_path, moment=MORNING, due_only=True)[0].outcome == "sent"
    later = sending.push(db_path, moment=MORNING + dt.timedelta(minutes=5), due_only=True)[0]
    now = sending.push(db_path, moment=MORNING + dt.timedelta(hours=1))[0]
    assert (later.outcome, now.outcome) == ("skipped", "skipped")
    assert "已推送" in later.text and len(robot.messages("markdown")) == 1
    again = sending.push(db_path, moment=MORNING + dt.timedelta(hours=1), again=True)[0]
    assert (again.outcome, again.copy) == ("sent", 2) and len(robot.messages("markdown")) == 2
    next_day = sending.push(db_path, moment=MORNING + dt.timedelta(days=1), due_only=True)[0]
    assert (next_day.outcome, next_day.copy) == ("sent", 1)


def test_not_due_before_its_time(db_path, robot):
    _add(db_path, "领导群", "wecom", robot.server.wecom(KEY), days="all", at="08:00", chart=False)
    assert sending.push(db_path, moment=MORNING, due_only=True)[0].outcome == "not_due"
    assert robot.received == []


def test_two_schedulers_at_once_send_one_copy(db_path, robot):
    _add(db_path, "领导群", "wecom", robot.server.wecom(KEY), days="all", chart=False)
    _add(db_path, "钉钉群", "dingtalk", robot.server.dingtalk(TOKEN), secret=SECRET, days="all")
    robot.delay = 1.0   # each answer takes a second: the two schedulers overlap
    first, second = (_cli(db_path, "--due", "--at-time", MORNING.isoformat(), "--json") for _ in range(2))
    outputs = [process.communicate(timeout=120) for process in (first, second)]
    assert [process.returncode for process in (first, second)] == [0, 0], outputs
    assert sorted(r.path for r in robot.received) == ["/cgi-bin/webhook/send", "/robot/send"]
    with db.connect(db_path, read_only=True) as con:
        rows = con.execute("SELECT channel, copy, state FROM push_sends ORDER BY channel").fetchall()
    assert rows == [("钉钉群", 1, "sent"), ("领导群", 1, "sent")]


def test_two_scheduler_threads_send_one_copy(db_path, robot):
    _add(db_path, "领导群", "wecom", robot.server.wecom(KEY), days="all", chart=False)
    robot.delay = 1.0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(sending.push, db_path, moment=MORNING, due_only=True) for _ in range(2)]
        outcomes = sorted(run.result()[0].outcome for run in runs)
    assert outcomes[1] == "sent" and outcomes[0] in ("busy", "skipped")
    assert len(robot.received) == 1


def test_a_crash_between_sending_and_recording_is_reported_never_resent(db_path, robot):
    _add(db_path, "领导群", "wecom", robot.server.wecom(KEY), days="all", chart=False)
    scheduler = _cli(db_path, "--due", "--at-time", MORNING.isoformat())
    # the robot has the message; the scheduler dies before it hears the answer
    robot.before_answer = lambda received: os.kill(scheduler.pid, signal.SIGKILL)
    scheduler.communicate(timeout=120)
    assert scheduler.returncode == -signal.SIGKILL
    robot.before_answer = None
    assert len(robot.received) == 1
    restart = sending.push(db_path, moment=MORNING + dt.timedelta(minutes=5), due_only=True)[0]
    assert restart.outcome == "unknown" and "中断" in restart.text and "--again" in restart.text
    assert sending.push(db_path, moment=MORNING + dt.timedelta(minutes=10))[0].outcome == "unknown"
    assert len(robot.received) == 1
    with db.connect(db_path, read_only=True) as con:
        status = store.status_lines(con, MORNING + dt.timedelta(minutes=10))
    assert "推送中断" in status["status"][0]
    again = sending.push(db_path, moment=MORNING + dt.timedelta(minutes=15), again=True)[0]
    assert (again.outcome, again.copy, len(robot.received)) == ("sent", 2, 2)


def test_a_wrong_key_fails_once_and_never_stops_the_others(db_path, robot):
    _add(db_path, "错群", "wecom", robot.server.wecom(BAD_KEY), days="all", chart=False)
    _add(db_path, "钉钉群", "dingtalk", robot.server.dingtalk(TOKEN), secret=SECRET, days="all")
    pauses, sleep = _pauses()
    reports = {r.channel: r for r in sending.push(db_path, moment=MORNING, due_only=True, sleep=sleep)}
    assert reports["钉钉群"].outcome == "sent"
    wrong = reports["错群"]
    assert (wrong.outcome, wrong.errcode) == ("failed", 93000) and "key 无效" in wrong.text
    assert pauses == [] and len(robot.refused) == 1                       # tried once, no retry
    again = sending.push(db_path, moment=MORNING + dt.timedelta(minutes=5), due_only=True, sleep=sleep)
    assert {r.channel: r.outcome for r in again} == {"钉钉群": "skipped", "错群": "failed"}
    assert len(robot.refused) == 1                                        # not in a loop: once per scheduled run
    with db.connect(db_path, read_only=True) as con:
        status = dict(zip(*store.status_lines(con, MORNING + dt.timedelta(minutes=5))[["channel", "status"]].T.values))
    assert "推送失败" in status["错群"] and "key 无效" in status["错群"] and "已推送" in status["钉钉群"]
    assert BAD_KEY not in str(status) + wrong.text


def test_rate_limit_is_retried_with_growing_pauses(robot):
    robot.rate_limited = 2
    channel = make_channel("领导群", "wecom", robot.server.wecom(KEY))
    pauses, sleep = _pauses()
    answer = deliver("wecom", Request(channel.url, {"msgtype": "markdown", "markdown": {"content": "晨报"}}),
                     channel.secrets, sleep=sleep)
    assert (answer.ok, answer.tries) == (True, 3)
    assert pauses == [1.0, 2.0]
    robot.rate_limited = 5
    answer = deliver("wecom", Request(channel.url, {"msgtype": "markdown", "markdown": {"content": "晨报"}}),
                     channel.secrets, sleep=sleep)
    assert (answer.ok, answer.errcode, answer.tries) == (False, 45009, 3) and "每分钟20条" in answer.reason


def test_network_failure_is_retried_then_reported(db_path):
    _add(db_path, "断网", "webhook", "http://127.0.0.1:9/hook", days="all")   # nothing listens on port 9
    pauses, sleep = _pauses()
    [report] = sending.push(db_path, moment=MORNING, sleep=sleep)
    assert report.outcome == "failed" and "网络不通" in report.text and "试了3次" in report.text
    assert pauses == [1.0, 2.0]


def test_a_failure_after_the_text_is_finished_by_push_now(db_path, robot):
    if shutil.which("chromium") is None:
        pytest.skip("chart pictures need Chromium")
    _add(db_path, "领导群", "wecom", robot.server.wecom(KEY), days="all")
    robot.refuse_images = 1
    [failed] = sending.push(db_path, moment=MORNING, due_only=True)
    assert failed.outcome == "failed" and failed.errcode == 40009
    [finished] = sending.push(db_path, moment=MORNING + dt.timedelta(minutes=30))
    assert finished.outcome == "sent", finished.text
    assert [r.body["msgtype"] for r in robot.received] == ["markdown", "image"]   # the text went once


def test_at_most_20_messages_a_minute_per_robot(db_path, robot):
    _add(db_path, "领导群", "wecom", robot.server.wecom(KEY), days="all", chart=False)
    with db.connect(db_path) as con:
        [channel] = store.load_channels(con, db_path)
        now = store.utc_now()
        con.executemany("INSERT INTO push_messages VALUES (?, ?)",
                        [[channel.robot, now - dt.timedelta(seconds=50 - i)] for i in range(20)])
    pauses, sleep = _pauses()
    assert sending.push(db_path, moment=MORNING, sleep=sleep)[0].outcome == "sent"
    assert len(pauses) == 1 and 0 < pauses[0] <= 10   # until the oldest of the 20 is a minute old
    assert sending.rate_pause([now] * 19, now) == 0


def test_workdays_and_the_sprint(db_path, robot):
    _add(db_path, "工作日群", "wecom", robot.server.wecom(KEY), days="workdays", chart=False)
    _add(db_path, "冲刺群", "webhook", f"{robot.server.base}/hook", chart=False)   # the default: sprint
    saturday = dt.datetime(2026, 11, 21, 7, 35)
    outcomes = {r.channel: r.outcome for r in sending.push(db_path, moment=saturday, due_only=True)}
    assert outcomes == {"工作日群": "not_due", "冲刺群": "not_due"}   # no 测评 date: no sprint
    with db.connect(db_path) as con:
        status = dict(zip(*store.status_lines(con, saturday)[["channel", "status"]].T.values))
        con.execute("INSERT INTO settings VALUES ('test_date', '2026-12-01')")
    assert status == {"冲刺群": "今天不推送（只在冲刺期推送，而测评日期尚未设置）", "工作日群": "今天不推送（不是工作日）"}
    outcomes = {r.channel: r.outcome for r in sending.push(db_path, moment=saturday, due_only=True)}
    assert outcomes == {"工作日群": "not_due", "冲刺群": "sent"}
