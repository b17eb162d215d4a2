"""The morning briefing (晨报): every figure, and the paragraph a leader reads out."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.accountability.rule import accountability
from analytics.ledger.behind import behind, silent_units
from analytics.ledger.countdown import PACE_DAYS, Countdown, countdown
from analytics.shared.labels import month_day, percent, window_text
from analytics.shared.filters import Filters
from analytics.ledger.metrics import DayChange, Kpis, latest_change, metrics_and_kpis
from analytics.readiness.model import readiness_line, stored_readiness
from analytics.ledger.rework import rework_rising
from analytics.scores.model import round_summary
from analytics.shared.settings import get_settings


@dataclass(frozen=True)
class LaggingGroup:
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SilentUnit:
    unit: str
    last_report: dt.date | None     # None: never reported
    days_silent: int | None


@dataclass(frozen=True)
class ReworkUnit:
    unit: str
    reopened_week: int              # reopened in the last 7 days
    reopened: int


@dataclass(frozen=True)
class Briefing:
    as_of: dt.date
    kpis: Kpis
    countdown: Countdown
    lagging_point_types: tuple[LaggingGroup, ...]   # the worst last_n flagged 点位类型
    silent_units: tuple[SilentUnit, ...]
    rework_rising: tuple[ReworkUnit, ...]           # units with problems reopened (返工) in the last 7 days
    latest_change: DayChange | None                 # the latest ledger day's change; None before any ledger
    mock_evaluation: str | None = None              # the latest 模拟测评 round in one line, when scored
    called_to_account: str | None = None            # who is called to account after that round, in one sentence
    readiness: str | None = None                    # 若今日测评，预计得分… when readiness sheets are stored


def briefing(con: duckdb.DuckDBPyConnection, filters: Filters) -> Briefing:
    by_type, figures = metrics_and_kpis(con, filters, "point_type")
    lagging = behind(con, filters, "point_type", by_type).head(get_settings(con).last_n)
    silent = silent_units(con, filters)
    scored = round_summary(con, filters=filters)
    return Briefing(
        as_of=filters.as_of_date,
        kpis=figures,
        countdown=countdown(con, filters, figures),
        lagging_point_types=tuple(LaggingGroup(row.point_type, tuple(row.reasons))
                                  for row in lagging.itertuples()),
        silent_units=tuple(
            SilentUnit(row.unit, None if pd.isna(row.last_report) else row.last_report.date(),
                       None if pd.isna(row.days_silent) else int(row.days_silent))
            for row in silent.itertuples()),
        mock_evaluation=scored.briefing_line() if scored else None,
        called_to_account=called.sentence() if (called := accountability(con, filters=filters)) else None,
        rework_rising=tuple(ReworkUnit(row.unit, int(row.reopened_week), int(row.reopened))
                            for row in rework_rising(con, filters, "unit").itertuples()),
        latest_change=latest_change(con, filters),
        readiness=readiness_line(ready) if (ready := stored_readiness(con, filters)) else None,
    )


def _countdown_clause(c: Countdown) -> str:
    if c.test_date is None:
        return "测评日期尚未设置"
    last = c.test_date_end or c.test_date
    if c.test_date_end is None:
        named = f"测评日（{month_day(c.test_date)}）"
        if c.days_left == 0:
            return f"今天是{named}" if c.as_of == c.test_date else f"测评日期（{month_day(c.test_date)}）已过"
    else:
        named = f"测评窗口{window_text(c.test_date, c.test_date_end)}"
        if c.days_left == 0:
            return f"{named}，今天在窗口内" if c.as_of <= last else f"{named}已过"
    note = f"，{c.calendar_note}" if c.calendar_note else ""
    days = f"距测评还有{c.days_left}天（工作日{c.working_days_left}天{note}）"
    return days if c.test_date_end is None else f"{named}，{days}"


def clearing_outlook(c: Countdown) -> str:
    """Whether the backlog clears by the 测评 day at the net pace of the last 7 days, in one clause
    ('' without a 测评 day ahead or a backlog): the 晨报, its page and the 通报 say the same."""
    if c.test_date is None or c.days_left == 0 or c.backlog == 0:
        return ""
    if c.pace <= 0:
        week = (f"未整改问题一周增加{c.backlog_change_week}条" if c.backlog_change_week else "未整改问题一周没有减少")
        entered, left = round(c.new_pace * PACE_DAYS), round(c.rectified_pace * PACE_DAYS)
        return f"{week}（新增{entered}条、整改{left}条），按目前进度无法清零"
    pace = f"按近7天未整改问题日均净减少{c.pace:.1f}条的进度"
    if c.on_track:
        return f"{pace}，测评前可全部整改"
    return f"{pace}，测评时预计仍有{c.projected_backlog}条未整改，需日均净减少{c.needed_per_day:.1f}条"


def briefing_text(b: Briefing) -> str:
    k = b.kpis
    rate = "—" if k.rectify_rate is None else percent(k.rectify_rate)
    lagging = "、".join(f"{g.name}（{g.reasons[0]}）" for g in b.lagging_point_types) or "无"
    silent = "、".join(
        f"{u.unit}（{'从未报送' if u.days_silent is None else f'{u.days_silent}天未报送'}）"
        for u in b.silent_units) or "无"
    rework = "、".join(f"{u.unit}（{u.reopened_week}条）" for u in b.rework_rising)
    return (f"截至{month_day(b.as_of)}，{_countdown_clause(b.countdown)}；"
            f"累计排查问题{k.total}条，已整改{k.rectified}条，整改率{rate}；"
            + (f"{month_day(c.day)}新增{c.new}条、整改{c.rectified}条；" if (c := b.latest_change) else "")
            + f"逾期{k.overdue}条"
            + (f"；{outlook}" if (outlook := clearing_outlook(b.countdown)) else "") + "；"
            f"落后的点位类型：{lagging}；未报送单位：{silent}"
            + (f"；近7天返工（已整改又报未整改，或复测同一标准仍扣分）增加的单位：{rework}" if rework else "") + "。"
            + "".join(f"\n{line}。" for line in (b.mock_evaluation, b.called_to_account, b.readiness)
                      if line))


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def briefing_json(b: Briefing) -> dict:
    """Every figure of the briefing as JSON-ready values (dates as YYYY-MM-DD), plus the text."""
    return _plain(b) | {"text": briefing_text(b)}
