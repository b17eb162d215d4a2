"""Reading the dates units write: real Excel dates, serials typed as text, 2026.11.3, 11月25日前 …

A cell is first read into a `DateReading` without a year where the cell has none; years are filled in
once the whole ledger is read: from its report date, else from the other dates in the file, else
from the import date (a ledger lists the current campaign's problems, so a date without a year is
in the months before the ledger was sent; docs/domain.md, 日期).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from analytics.shared.numerals import number_value

EXCEL_EPOCH = dt.date(1899, 12, 30)
FIRST_PLAUSIBLE_YEAR = 2000
YEARS_AHEAD_PLAUSIBLE = 5

_FULL = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?"
                   r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?\s*(前|之前|以前|止|完成|内)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})\s*(前|之前|以前|止)?$")
_NO_YEAR = re.compile(r"^(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?\s*(前|之前|以前|止|完成|内)?$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.0+)?$")
_RELATIVE = re.compile(r"^(?:限期|要求)?(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:个)?\s*(天|日|工作日)\s*(?:内|之内|以内)?(?:完成|整改)?$")
_IMMEDIATE = ("立行立改", "立即整改", "立即", "即知即改", "当天", "当日", "马上")


class DateReading(NamedTuple):
    """What one date cell says. Exactly one of: a date (year may be missing), days after the found date,
    nothing (blank), or unreadable text. A named tuple: a ledger's readings are hashed a few hundred
    thousand times a morning (each distinct one is resolved once), and a tuple hashes in C."""
    raw: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    days_after_found: int | None = None
    working_days: bool = False
    unreadable: bool = False

    @property
    def blank(self) -> bool:
        return not self.raw

    @property
    def complete(self) -> dt.date | None:
        if self.year is None or self.month is None:
            return None
        return _safe_date(self.year, self.month, self.day)


def _safe_date(year: int, month: int, day: int | None) -> dt.date | None:
    try:
        return dt.date(year, month, day or 1)
    except ValueError:
        return None


def _from_serial(serial: float) -> dt.date | None:
    if not 1 <= serial < 2958466:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def read_date_cell(value: object) -> DateReading:
    """Read one cell; never raises."""
    if value is None or value == "":
        return DateReading(raw="")
    if isinstance(value, dt.datetime):
        return DateReading(raw=value.date().isoformat(), year=value.year, month=value.month, day=value.day)
    if isinstance(value, dt.date):
        return DateReading(raw=value.isoformat(), year=value.year, month=value.month, day=value.day)
    if isinstance(value, bool):
        return DateReading(raw=str(value), unreadable=True)
    if isinstance(value, (int, float)):
        found = _from_serial(float(value))
        raw = f"{value:g}"
        if found is None:
            return DateReading(raw=raw, unreadable=True)
        return DateReading(raw=raw, year=found.year, month=found.month, day=found.day)
    text = re.sub(r"\s+", " ", str(value).replace("\u3000", " ")).strip()
    if not text:
        return DateReading(raw="")
    compact = text.replace(" ", "")
    for pattern in (_FULL, _COMPACT):
        match = pattern.match(compact)
        if match:
            year, month, day = (int(match.group(i)) for i in (1, 2, 3))
            if _safe_date(year, month, day) is None:
                return DateReading(raw=text, unreadable=True)
            return DateReading(raw=text, year=year, month=month, day=day)
    match = _NO_YEAR.match(compact)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and _safe_date(2024, month, day)):  # 2024: leap year admits 2月29日
            return DateReading(raw=text, unreadable=True)
        return DateReading(raw=text, month=month, day=day)
    if _SERIAL_TEXT.match(compact):
        found = _from_serial(float(compact))
        return DateReading(raw=text, year=found.year, month=found.month, day=found.day)
    match = _RELATIVE.match(compact)
    if match and (days := number_value(match.group(1))) is not None:
        return DateReading(raw=text, days_after_found=days, working_days=match.group(2) == "工作日")
    if compact in _IMMEDIATE:
        return DateReading(raw=text, days_after_found=0)
    return DateReading(raw=text, unreadable=True)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """`days` Chinese working days after start (holidays known to chinese-calendar, else Mon–Fri)."""
    import chinese_calendar

    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        try:
            working = chinese_calendar.is_workday(current)
        except NotImplementedError:
            working = current.weekday() < 5
        days -= working
    return current


def _closest_year(month: int, day: int, reference: dt.date) -> dt.date | None:
    candidates = [d for y in (reference.year - 1, reference.year, reference.year + 1)
                  if (d := _safe_date(y, month, day)) is not None]
    return min(candidates, key=lambda d: abs((d - reference).days), default=None)


def _not_after(month: int, day: int, reference: dt.date) -> dt.date | None:
    """The latest date with this month and day that is not after the reference."""
    for year in (reference.year, reference.year - 1, reference.year - 2, reference.year - 4):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= reference:
            return candidate
    return None


def _on_or_after(month: int, day: int, start: dt.date) -> dt.date | None:
    for year in (start.year, start.year + 1, start.year + 4):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= start:
            return candidate
    return None


def resolve_past(reading: DateReading, reference: dt.date) -> dt.date | None:
    """A found, completion or 销号 date: a year-less one takes the year that puts it on or before the
    ledger's reference date."""
    if reading.complete is not None:
        return reading.complete
    if reading.month is not None:
        return _not_after(reading.month, reading.day, reference)
    return None


def resolve_deadline(reading: DateReading, found: dt.date | None, reference: dt.date) -> dt.date | None:
    """A deadline falls on or after its found date; relative deadlines count from the found date."""
    if reading.complete is not None:
        return reading.complete
    if reading.days_after_found is not None:
        if found is None:
            return None
        if reading.working_days:
            return add_working_days(found, reading.days_after_found)
        return found + dt.timedelta(days=reading.days_after_found)
    if reading.month is not None:
        if found is not None:
            return _on_or_after(reading.month, reading.day, found)
        return _closest_year(reading.month, reading.day, reference)
    return None




def plausible(day: dt.date | None, today: dt.date) -> bool:
    return day is None or FIRST_PLAUSIBLE_YEAR <= day.year <= today.year + YEARS_AHEAD_PLAUSIBLE


_REPORT_DATE = re.compile(
    r"(?:截至|截止|截止到|截止至|填报日期|报送日期|填报时间|报送时间|统计时间|统计日期|日期)[：:\s]*"
    r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})")
_ANY_FULL_DATE = re.compile(r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?")
_FILE_NAME_DATE = re.compile(r"(?<!\d)(20\d{2})(?:(\d{2})(\d{2})|[-._年](\d{1,2})[-._月](\d{1,2}))(?!\d)")


def report_date_from_text(text: str, *, labelled_only: bool) -> dt.date | None:
    """截至2026年11月20日 / 填报日期：2026.11.20 in a title row; any full date when not labelled_only."""
    match = _REPORT_DATE.search(text) or (None if labelled_only else _ANY_FULL_DATE.search(text))
    if not match:
        return None
    return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def report_date_from_file_name(stem: str) -> dt.date | None:
    match = _FILE_NAME_DATE.search(stem)
    if not match:
        return None
    year, compact_month, compact_day, month, day = match.groups()
    return _safe_date(int(year), int(compact_month or month), int(compact_day or day))
