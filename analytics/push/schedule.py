"""When a channel is due: its time of day in China (Asia/Shanghai), whatever the server's own time zone,
on its days — every day, working days (chinese-calendar and the calendar_overrides), or every day of the
sprint (the last sprint_days before the 测评 window, the default)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb

from analytics.ledger.countdown import working_days
from analytics.push.channels import Channel
from analytics.shared.settings import get_settings, in_sprint

CHINA = ZoneInfo("Asia/Shanghai")


def china_time(moment: dt.datetime | None = None) -> dt.datetime:
    """`moment` (now when None) in China time; a naive moment (--at-time) is taken as China time."""
    if moment is None:
        return dt.datetime.now(CHINA)
    return moment.replace(tzinfo=CHINA) if moment.tzinfo is None else moment.astimezone(CHINA)


def off_day_reason(con: duckdb.DuckDBPyConnection, days: str, day: dt.date) -> str | None:
    """Why a channel pushing on `days` (a key of channels.DAYS) sends nothing on `day`, or None when it does."""
    if days == "workdays" and working_days(con, day, day + dt.timedelta(days=1)).count == 0:
        return "不是工作日"
    if days == "sprint":
        settings = get_settings(con)
        if settings.test_date is None:
            return "只在冲刺期推送，而测评日期尚未设置"
        if not in_sprint(settings, day):
            return f"只在测评前{settings.sprint_days}天的冲刺期推送"
    return None


def is_due(con: duckdb.DuckDBPyConnection, channel: Channel, moment: dt.datetime) -> bool:
    """Whether `channel`'s message of the day is due at `moment`: its day, and its time has come."""
    local = china_time(moment)
    return local.time() >= channel.at_time and off_day_reason(con, channel.days, local.date()) is None
