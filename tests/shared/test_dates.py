import datetime as dt

import pytest

from analytics.shared.reading.dates import (add_working_days,
    read_date_cell,
    report_date_from_file_name,
    report_date_from_text,
    resolve_deadline,
    resolve_past)

D = dt.date


@pytest.mark.parametrize("cell, expected", [
    (dt.datetime(2026, 11, 3, 0, 0), D(2026, 11, 3)),
    (D(2026, 11, 3), D(2026, 11, 3)),
    (46329.0, D(2026, 11, 3)),             # a real serial number
    ("46329", D(2026, 11, 3)),             # a serial typed as text
    ("2026.11.3", D(2026, 11, 3)),
    ("2026/11/3", D(2026, 11, 3)),
    ("2026-11-03 00:00:00", D(2026, 11, 3)),
    ("2026年11月3日", D(2026, 11, 3)),
    ("2026 年 11 月 3 日", D(2026, 11, 3)),
    ("20261103", D(2026, 11, 3)),
    ("2026年11月25日前", D(2026, 11, 25)),
])
def test_full_dates_are_read(cell, expected):
    assert read_date_cell(cell).complete == expected


@pytest.mark.parametrize("cell, month, day", [("11月3日", 11, 3), ("11月25日前", 11, 25), ("11.3", 11, 3),
                                              ("2月29日", 2, 29)])
def test_dates_without_year_keep_month_and_day(cell, month, day):
    reading = read_date_cell(cell)
    assert (reading.year, reading.month, reading.day, reading.unreadable) == (None, month, day, False)


@pytest.mark.parametrize("cell", ["待定", "尽快", "长期", "2月30日", "2026.13.1", "#REF!", True])
def test_words_and_impossible_dates_are_unreadable(cell):
    assert read_date_cell(cell).unreadable


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_blank_cells_are_blank(cell):
    reading = read_date_cell(cell)
    assert reading.blank and not reading.unreadable


@pytest.mark.parametrize("cell, days, working", [("7天", 7, False), ("5日内", 5, False), ("三天", 3, False),
                                                 ("十五天", 15, False), ("5个工作日", 5, True), ("立行立改", 0, False)])
def test_relative_deadlines(cell, days, working):
    reading = read_date_cell(cell)
    assert (reading.days_after_found, reading.working_days) == (days, working)


@pytest.mark.parametrize("cell, reference, expected", [
    ("11月13日", D(2026, 11, 20), D(2026, 11, 13)),
    ("12月28日", D(2027, 1, 5), D(2026, 12, 28)),    # never after the report date: last year
    ("1月3日", D(2027, 1, 5), D(2027, 1, 3)),
])
def test_found_dates_take_the_year_that_keeps_them_before_the_report(cell, reference, expected):
    assert resolve_past(read_date_cell(cell), reference) == expected


@pytest.mark.parametrize("cell, found, reference, expected", [
    ("11月25日前", D(2026, 11, 20), D(2026, 11, 21), D(2026, 11, 25)),
    ("1月5日前", D(2026, 12, 28), D(2026, 12, 30), D(2027, 1, 5)),   # on or after its found date
    ("1月5日", None, D(2026, 12, 30), D(2027, 1, 5)),                # nearest to the report date
    ("7天", D(2026, 11, 20), D(2026, 11, 21), D(2026, 11, 27)),
    ("7天", None, D(2026, 11, 21), None),
    # 5 working days from Wednesday 2026-09-30: the holiday 10-01…10-07 is skipped, Saturday 10-10 is a
    # make-up working day, Sunday 10-11 is not: 10-08, 10-09, 10-10, 10-12, 10-13
    ("5个工作日", D(2026, 9, 30), D(2026, 10, 30), D(2026, 10, 13)),
])
def test_deadlines(cell, found, reference, expected):
    assert resolve_deadline(read_date_cell(cell), found, reference) == expected


def test_working_days_beyond_the_calendar_fall_back_to_weekdays():
    assert add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 6)  # Friday → Monday


@pytest.mark.parametrize("text, labelled_only, expected", [
    ("城关街道创建全国文明城市问题整改台账（截至2026年11月20日）", True, D(2026, 11, 20)),
    ("填报日期：2026.11.18", True, D(2026, 11, 18)),
    ("东城区问题台账 2026年11月19日", True, None),
    ("东城区问题台账 2026年11月19日", False, D(2026, 11, 19)),
])
def test_report_date_from_titles(text, labelled_only, expected):
    assert report_date_from_text(text, labelled_only=labelled_only) == expected


@pytest.mark.parametrize("stem, expected", [("城关街道_台账_20261120", D(2026, 11, 20)),
                                            ("城关街道台账2026-11-20", D(2026, 11, 20)),
                                            ("城关街道_台账", None), ("城关街道_台账_123456789", None)])
def test_report_date_from_file_name(stem, expected):
    assert report_date_from_file_name(stem) == expected
