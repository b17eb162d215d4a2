"""Working days (weekends, the 2026 National Day holiday and its make-up days, years chinese-calendar
does not know) and the countdown on the hand-built campaign."""
import dataclasses
import datetime as dt

import pytest

from analytics.shared import db
from analytics.ledger.countdown import WorkingDays, countdown, working_days
from analytics.shared.labels import window_text
from analytics.shared.filters import Filters
from analytics.shared.settings import get_settings, set_setting, set_test_window
from analytics_data import AS_OF, empty_database


@pytest.fixture(name="con")
def writable_con(writable_campaign):
    """These tests change settings: each gets its own copy of the campaign."""
    return writable_campaign

D = dt.date
NOT_ENTERED_2027 = "2027年法定节假日安排未录入，按周一至周五计算"


@pytest.mark.parametrize("first, end, overrides, count, note", [
    # Friday to Monday: the weekend does not count
    (D(2026, 11, 20), D(2026, 11, 23), {}, 1, ""),
    # 9-28…10-11: 10-01…10-07 off, 10-08 and 10-09 back at work, Saturday 10-10 a make-up working day
    (D(2026, 9, 28), D(2026, 10, 12), {}, 6, ""),
    # Sunday 9-20 is a make-up working day, Saturday 9-19 is not
    (D(2026, 9, 19), D(2026, 9, 21), {}, 1, ""),
    # 2027 is beyond chinese-calendar: Monday to Friday, and the result says so
    (D(2026, 12, 28), D(2027, 1, 5), {}, 6, NOT_ENTERED_2027),
    # an arrangement typed into calendar_overrides is used instead
    (D(2026, 12, 28), D(2027, 1, 5), {D(2027, 1, 1): False}, 5,
     "2027年按已录入的节假日调整计算，其余日期按周一至周五计算"),
    # an override wins over chinese-calendar too (a Saturday made a working day)
    (D(2026, 11, 20), D(2026, 11, 23), {D(2026, 11, 21): True}, 2, ""),
    (D(2026, 11, 20), D(2026, 11, 20), {}, 0, ""),
    (D(2026, 11, 20), D(2026, 11, 1), {}, 0, ""),
])
def test_working_days(tmp_path, first, end, overrides, count, note):
    with db.connect(empty_database(tmp_path)) as con:
        for day, is_workday in overrides.items():
            con.execute("INSERT INTO calendar_overrides VALUES (?, ?, '测试')", [day, is_workday])
        assert working_days(con, first, end) == WorkingDays(count, note)


def test_countdown_across_a_weekend(con):
    set_setting(con, "test_date", "2026-11-23")
    clock = countdown(con, Filters(as_of=AS_OF))
    assert dataclasses.asdict(clock) == {
        "as_of": AS_OF, "test_date": D(2026, 11, 23), "test_date_end": None,
        "days_left": 3, "working_days_left": 1, "calendar_note": "",
        "backlog": 6, "needed_per_day": 2.0, "needed_per_working_day": 6.0,
        "pace": -3 / 7,           # net: 2 left (P6, P3) and 5 entered (P4, P5, P6, P8, P12) in the last 7 days
        "rectified_pace": 2 / 7,
        "new_pace": 5 / 7,
        "backlog_change_week": 3,  # 3 open on 11-13 (P2, P3, P11), 6 now
        "projected_backlog": 8,   # ⌈6 + 3 × 3/7⌉: growing
        "on_track": False,
        "days_to_clear": None,    # never, while the backlog grows
        "spare_days": None,
    }


def test_the_pace_is_net_of_the_problems_entering_the_backlog(con):
    """The hand-built week rectified 2 problems, enough by itself to clear 6 in 72 days, but 5 came in:
    the backlog grew, and at that pace it never reaches zero."""
    set_setting(con, "test_date", "2027-01-31")
    clock = countdown(con, Filters(as_of=AS_OF))
    assert clock.rectified_pace * 72 > clock.backlog
    assert clock.pace == pytest.approx(clock.rectified_pace - clock.new_pace) == -clock.backlog_change_week / 7
    assert (clock.on_track, clock.days_to_clear, clock.spare_days) == (False, None, None)
    assert clock.projected_backlog > clock.backlog


def test_countdown_into_an_unknown_year(con):
    set_setting(con, "test_date", "2027-01-31")
    clock = countdown(con, Filters(as_of=AS_OF))
    assert (clock.days_left, clock.working_days_left) == (72, 51)  # 30 in 2026 + 21 weekdays of January
    assert clock.calendar_note == NOT_ENTERED_2027


def test_projection_when_nothing_was_rectified_for_a_week(con):
    set_setting(con, "test_date", "2026-12-18")
    clock = countdown(con, Filters(as_of=D(2026, 12, 10)))
    assert (clock.pace, clock.backlog, clock.days_left, clock.working_days_left) == (0, 6, 8, 6)
    assert (clock.projected_backlog, clock.on_track) == (6, False)   # the whole backlog is left
    assert (clock.days_to_clear, clock.spare_days) == (None, None)   # never, at this pace
    assert clock.needed_per_day == 6 / 8


def test_countdown_without_a_test_date(con):
    clock = countdown(con, Filters(as_of=AS_OF))
    assert (clock.test_date, clock.days_left, clock.working_days_left, clock.projected_backlog,
            clock.on_track, clock.spare_days) == (None, None, None, None, None, None)
    assert (clock.backlog, clock.days_to_clear) == (6, None)   # the backlog grew over the week


def test_countdown_after_the_test_day(con):
    set_setting(con, "test_date", "2026-11-10")
    clock = countdown(con, Filters(as_of=AS_OF))
    assert (clock.days_left, clock.working_days_left, clock.needed_per_day, clock.projected_backlog) == (0, 0, None, 6)


def test_countdown_on_the_empty_database(tmp_path):
    with db.connect(empty_database(tmp_path)) as con:
        set_setting(con, "test_date", "2026-12-18")
        clock = countdown(con, Filters(as_of=AS_OF))
    assert (clock.backlog, clock.pace, clock.projected_backlog, clock.on_track, clock.days_to_clear) == \
        (0, 0, 0, True, 0)


# The window 12-18…12-22 (Friday to Tuesday): the countdown runs to its first day, today counted,
# weekends counted in the calendar days and not in the working days.
@pytest.mark.parametrize("as_of, days_left, working_days_left", [
    (D(2026, 12, 13), 5, 4),   # a Sunday: 13, 14, 15, 16, 17 ("包括今天，算上周末，也只有5天了")
    (D(2026, 12, 12), 6, 4),   # the Saturday before
    (D(2026, 12, 14), 4, 4),   # Monday
    (D(2026, 12, 17), 1, 1),   # the eve of the window
    (D(2026, 12, 18), 0, 0),   # its first day
    (D(2026, 12, 20), 0, 0),   # inside it
    (D(2026, 12, 23), 0, 0),   # after it
])
def test_the_countdown_runs_to_the_first_day_of_the_window(con, as_of, days_left, working_days_left):
    set_test_window(con, "2026-12-18", "2026-12-22")
    clock = countdown(con, Filters(as_of=as_of))
    assert (clock.test_date, clock.test_date_end) == (D(2026, 12, 18), D(2026, 12, 22))
    assert (clock.days_left, clock.working_days_left) == (days_left, working_days_left)


def test_a_window_must_end_on_or_after_its_first_day_and_a_bad_one_changes_nothing(con):
    set_test_window(con, "2026-12-18", "2026-12-22")
    with pytest.raises(ValueError, match="早于首日"):
        set_test_window(con, "2026-12-18", "2026-12-10")
    with pytest.raises(ValueError, match="测评窗口末日"):
        set_test_window(con, "2026-12-18", "12月22日")
    assert (get_settings(con).test_date, get_settings(con).test_date_end) == (D(2026, 12, 18), D(2026, 12, 22))
    set_test_window(con, "2026-12-19")                          # a single day again
    assert (get_settings(con).test_date, get_settings(con).test_date_end) == (D(2026, 12, 19), None)


@pytest.mark.parametrize("first, last, text", [
    (D(2026, 12, 18), D(2026, 12, 22), "12月18日至22日"), (D(2026, 12, 30), D(2027, 1, 3), "12月30日至1月3日"),
    (D(2026, 12, 18), None, "12月18日"),
])
def test_window_text(first, last, text):
    assert window_text(first, last) == text
