"""Days left before the 测评, and whether the open problems can be closed in time.

The province announces a window (12月18日至22日: settings test_date and test_date_end) and inspectors
may come on any of its days, so the countdown runs to the window's first day. Days left are the days
from the as-of day (counted: the morning's work still counts) up to the day before that first day:
test_date − as_of calendar days, weekends included, and the working days among them.

Working days come from, in order: the calendar_overrides table (an announced arrangement typed
in by the office), chinese-calendar (official holidays and make-up working days, for the years it
knows), else Monday to Friday, which the result says in calendar_note.

Pace is net: the problems that left the open backlog (reached 已整改 or 已销号) less those that
entered it (found, or reopened) over the last 7 days, per day — the backlog's fall over the week ÷ 7;
a 已整改 problem being closed does not shrink the backlog and is not counted twice. The projection
asks the leaders' question — is the backlog gone by the 测评 day at the pace of the last week —
projected_backlog = max(0, ⌈backlog − pace × days_left⌉): the whole backlog with a pace of zero,
more than today when the backlog grows (a negative pace), which never clears it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

import chinese_calendar
import duckdb

from analytics.shared.filters import Filters
from analytics.shared.labels import window_text
from analytics.ledger.metrics import Kpis, kpis
from analytics.shared.settings import get_settings

PACE_DAYS = 7


@dataclass(frozen=True)
class WorkingDays:
    count: int
    note: str    # empty, or how days of years chinese-calendar does not know were counted


def working_days(con: duckdb.DuckDBPyConnection, first: dt.date, end: dt.date) -> WorkingDays:
    """Working days in [first, end)."""
    overrides = dict(con.execute(
        "SELECT day, is_workday FROM calendar_overrides WHERE day >= ? AND day < ?",
        [first, end]).fetchall())
    override_years = {day.year for day in overrides}
    unknown_years: set[int] = set()
    count = 0
    for offset in range(max(0, (end - first).days)):
        day = first + dt.timedelta(days=offset)
        if day in overrides:
            count += overrides[day]
            continue
        try:
            count += chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year it has no data for
            unknown_years.add(day.year)
            count += day.weekday() < 5
    notes = [f"{year}年法定节假日安排未录入，按周一至周五计算" if year not in override_years
             else f"{year}年按已录入的节假日调整计算，其余日期按周一至周五计算"
             for year in sorted(unknown_years)]
    return WorkingDays(count, "；".join(notes))


@dataclass(frozen=True)
class Countdown:
    as_of: dt.date
    test_date: dt.date | None                # the window's first day; None: not set yet
    test_date_end: dt.date | None            # its last day; None: a single day
    days_left: int | None                    # calendar days, 0 once the 测评 day has come
    working_days_left: int | None
    calendar_note: str
    backlog: int                             # open today (待整改 + 整改中)
    needed_per_day: float | None             # backlog / days_left (None when no day is left)
    needed_per_working_day: float | None
    pace: float                              # net: left minus entered the backlog per day, last 7 days
    rectified_pace: float                    # left the backlog per day over the last 7 days
    new_pace: float                          # new problems per day over the last 7 days
    backlog_change_week: int                 # open today − open 7 days before (> 0: grew)
    projected_backlog: int | None            # open on the 测评 day at that pace
    on_track: bool | None                    # projected_backlog == 0
    days_to_clear: int | None                # ⌈backlog / pace⌉ (None: a backlog not shrinking)
    spare_days: int | None                   # days_left − days_to_clear: > 0 ahead, < 0 behind

    @property
    def window_name(self) -> str:
        """测评窗口12月18日至22日, or 测评日12月18日 for a single day ('' when not set)."""
        if self.test_date is None:
            return ""
        return ("测评窗口" if self.test_date_end else "测评日") + window_text(self.test_date, self.test_date_end)


def _per_day(count: int, days: int | None) -> float | None:
    return count / days if days else None


def countdown(con: duckdb.DuckDBPyConnection, filters: Filters,
              figures: Kpis | None = None) -> Countdown:
    """`figures`: the kpis of the same filters when the caller has them already."""
    as_of = filters.as_of_date
    figures = figures or kpis(con, filters)
    backlog = figures.open
    pace = Fraction(-figures.delta_open_week, PACE_DAYS)   # exact, so whole problems stay whole
    days_to_clear = 0 if backlog == 0 else (math.ceil(backlog / pace) if pace > 0 else None)
    settings = get_settings(con)
    test_date = settings.test_date
    days_left = working_days_left = projected = None
    calendar_note = ""
    if test_date is not None:
        days_left = max(0, (test_date - as_of).days)
        work = working_days(con, as_of, test_date)
        working_days_left, calendar_note = work.count, work.note
        projected = max(0, math.ceil(backlog - pace * days_left))
    return Countdown(
        as_of=as_of, test_date=test_date, test_date_end=settings.test_date_end, days_left=days_left,
        working_days_left=working_days_left, calendar_note=calendar_note, backlog=backlog,
        needed_per_day=_per_day(backlog, days_left),
        needed_per_working_day=_per_day(backlog, working_days_left),
        pace=float(pace), rectified_pace=figures.rectified_week / PACE_DAYS, new_pace=figures.new_week / PACE_DAYS,
        backlog_change_week=figures.delta_open_week,
        projected_backlog=projected, on_track=None if projected is None else projected == 0,
        days_to_clear=days_to_clear,
        spare_days=None if days_left is None or days_to_clear is None else days_left - days_to_clear)
