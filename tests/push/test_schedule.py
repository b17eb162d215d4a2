"""Due-ness in China time whatever the server's time zone: the channel's time, on its days (every day,
working days with the calendar overrides, the sprint before the 测评 window)."""
import datetime as dt
import os
import time

import pytest

from analytics.push.channels import make_channel
from analytics.push.schedule import CHINA, china_time, is_due, off_day_reason


@pytest.fixture
def server_in_new_york():
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    os.environ.pop("TZ") if before is None else os.environ.__setitem__("TZ", before)
    time.tzset()


def _channel(days: str, at: str = "07:30"):
    return make_channel("领导群", "webhook", "http://127.0.0.1:1/hook", at=at, days=days)


def test_the_time_is_china_time_whatever_the_server_says(scratch, server_in_new_york):
    assert time.strftime("%Z") in ("EST", "EDT")
    seven_thirty_five_in_beijing = dt.datetime(2026, 11, 19, 23, 35, tzinfo=dt.UTC)
    assert china_time(seven_thirty_five_in_beijing) == dt.datetime(2026, 11, 20, 7, 35, tzinfo=CHINA)
    assert is_due(scratch, _channel("all"), seven_thirty_five_in_beijing)
    assert not is_due(scratch, _channel("all", "08:00"), seven_thirty_five_in_beijing)
    assert china_time(dt.datetime(2026, 11, 20, 7, 35)).utcoffset() == dt.timedelta(hours=8)   # --at-time
    assert abs(china_time() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_working_days_follow_the_calendar_and_its_overrides(scratch):
    saturday, monday = dt.date(2026, 11, 21), dt.date(2026, 11, 23)
    assert off_day_reason(scratch, "workdays", saturday) == "不是工作日"
    assert off_day_reason(scratch, "workdays", monday) is None
    assert off_day_reason(scratch, "all", saturday) is None
    scratch.execute("INSERT INTO calendar_overrides VALUES (?, TRUE, '调休上班')", [saturday])
    try:
        assert off_day_reason(scratch, "workdays", saturday) is None
    finally:
        scratch.execute("DELETE FROM calendar_overrides")


def test_the_sprint_is_the_last_sprint_days_before_the_window(scratch):
    assert off_day_reason(scratch, "sprint", dt.date(2026, 12, 1)) == "只在冲刺期推送，而测评日期尚未设置"
    scratch.execute("INSERT INTO settings VALUES ('test_date', '2026-12-18'), ('sprint_days', '14')")
    try:
        assert off_day_reason(scratch, "sprint", dt.date(2026, 12, 3)) == "只在测评前14天的冲刺期推送"
        assert off_day_reason(scratch, "sprint", dt.date(2026, 12, 4)) is None
        assert off_day_reason(scratch, "sprint", dt.date(2026, 12, 17)) is None
        assert off_day_reason(scratch, "sprint", dt.date(2026, 12, 18)) is not None
    finally:
        scratch.execute("DELETE FROM settings")
