"""One ledger file to normalised problem rows, without touching the database.

Every problem row becomes a record: a field that cannot be read is left empty, its raw text kept, and
the row carries a Chinese reason naming the column, so nothing a unit sent is lost and the office
sees what to check (docs/domain.md, 读不懂的字段).
"""
from __future__ import annotations

import collections
import datetime as dt
import hashlib
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import analytics.shared.reading.dates as dates
from analytics.shared.reading.layout import (ProblemRow, SheetLayout, column_letter, detect_report_date, find_layout,
                                             problem_rows)
from analytics.shared.reading.reader import FileRefused, Grid, ReadLimits, read_grids
from analytics.shared.office_words import OfficeWords, default_words
from analytics.shared.statuses import CLOSED, PENDING, RECTIFIED
from analytics.shared.vocab import (FIELD_LABELS,
    POINT_NAME_MISSING,
    POINT_TYPE_MISSING,
    clean_text,
    normalise_category,
    normalise_point_type,
    unclassified_flag)

DESCRIPTION_MISSING = "问题描述为空"
_ERROR_VALUE = re.compile(r"^#(REF!|N/A|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)$")
_TITLE_CUT = re.compile(r"创建全国文明城市|创建文明城市|全国文明城市|文明城市|创文|关于|问题|台账|清单|"
                        r"整改|督查|测评|汇总|明细|统计|\d{4}年|\d{1,2}月")
_UNIT_LABEL = re.compile(r"(?:填报单位|报送单位|责任单位|单位名称|填表单位)[：:\s]*([^\s：:，,（(]{2,30})")
_NAME_SPLIT = re.compile(r"[_\-—–\s、（）()【】\[\]]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EQUAL_ACROSS_TYPES = {bool, int, float}   # cell types whose values can be equal: 1 == 1.0 == True
_CARRIED_KEY = re.compile(r"^[^|]+\|[^|]*\|[^|]+$")   # unit|sheet|serial, as the keys below are made


@dataclass
class ParsedLedger:
    """A ledger read: its problem rows held column by column (`columns`: field → a value per row, the
    fields of `records`), as they are tabled for the database."""
    file_name: str
    ledger_unit: str
    unit_source: str
    report_date: dt.date | None
    columns: dict[str, list]
    layouts: list[SheetLayout]
    warnings: list[str] = field(default_factory=list)

    @property
    def records(self) -> list[dict]:
        """The rows as records, field → value."""
        return [dict(zip(self.columns, values)) for values in zip(*self.columns.values())]

    @property
    def flagged(self) -> int:
        return sum(map(bool, self.columns.get("flags", ())))


def _unit_from_text(text: str, point_type_aliases: dict[str, str]) -> str | None:
    """「东城区农贸市场问题台账」→ 东城区: the words before the ledger's own name, less a 点位 type."""
    match = _UNIT_LABEL.search(text)
    if match:
        return match.group(1)
    head = _TITLE_CUT.split(text.replace(" ", ""), maxsplit=1)[0]
    head = re.sub(r"\d+", "", head).strip("_-—：:，,").removesuffix("类")
    for alias in sorted(point_type_aliases, key=len, reverse=True):
        if len(head) > len(alias) + 1 and head.endswith(alias):
            head = head[: -len(alias)]
            break
    if 2 <= len(head) <= 20 and _CJK.search(head):
        return head
    return None


def _unit_from_file_name(stem: str, point_type_aliases: dict[str, str]) -> str | None:
    for part in _NAME_SPLIT.split(stem):
        if part and not part.isdigit():
            return _unit_from_text(part, point_type_aliases)
    return None


def _detect_unit(rows: list[ProblemRow], layouts: list[SheetLayout], path: Path, option: str | None,
                 aliases: dict[str, str]) -> tuple[str, str]:
    """The ledger's unit, by trust: 责任单位 column (when it names one unit), title rows, file name,
    the explicit option; a column naming several units is the last resort (its most common one)."""
    column_units: collections.Counter[str] = collections.Counter()
    # counted per distinct cell, then by its text: a text's first row decides among equal counts as before
    cells = [row.cells.get("unit") for row in rows]
    for (_, cell), count in collections.Counter(zip(map(type, cells), cells)).items():   # 1, 1.0, True apart
        text = clean_text(cell)
        if text and not _ERROR_VALUE.match(text):
            column_units[text] += count
    if len(column_units) == 1:
        return next(iter(column_units)), "责任单位列"
    for layout in layouts:
        for line in layout.title_lines:
            unit = _unit_from_text(line, aliases)
            if unit:
                return unit, "标题行"
    unit = _unit_from_file_name(path.stem, aliases)
    if unit:
        return unit, "文件名"
    if option:
        return option, "指定"
    if column_units:
        return column_units.most_common(1)[0][0], "责任单位列"
    raise FileRefused(f"文件“{path.name}”未导入：无法确定填报单位。请在文件名中写明单位"
                      "（如“城关街道_台账.xlsx”），或导入时指定单位。")


def _serial_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


class _SheetColumns:
    """One sheet's problem rows normalised column by column, collecting for each row the reasons a
    field could not be read (`flags[i]`, in the order the fields are read). A ledger repeats its dates,
    types and statuses row after row: each distinct cell of a column is read once."""

    def __init__(self, rows: list[ProblemRow], layout: SheetLayout, today: dt.date):
        self.rows, self.layout, self.today = rows, layout, today
        self.flags: list[list[str]] = [[] for _ in rows]
        self._cells = [row.cells for row in rows]

    def where(self, field_name: str) -> str:
        column = self.layout.columns.get(field_name)
        letter = f"{column_letter(column)}列" if column is not None else ""
        return f"{FIELD_LABELS[field_name]}（{letter}）" if letter else FIELD_LABELS[field_name]

    def cells(self, field_name: str) -> list[object]:
        if field_name not in self.layout.columns:
            return [None] * len(self.rows)
        return list(map(operator.itemgetter(field_name), self._cells))

    def each_distinct_cell(self, field_name: str, read: Callable[[object], tuple]) -> list:
        """each_distinct over the field's cells, read(cell). 1, 1.0 and True are equal as keys but read
        differently: a column holding more than one of those types is keyed by (type, cell)."""
        cells = self.cells(field_name)
        if len(_EQUAL_ACROSS_TYPES.intersection(map(type, cells))) <= 1:
            return self.each_distinct(cells, read)
        return self.each_distinct(list(zip(map(type, cells), cells)), lambda key: read(key[1]))

    def each_distinct(self, keys: list, read: Callable[[object], tuple]) -> list:
        """read(key) = (value, reason or None) for each row's key, computed once per distinct key; the
        reasons go to the rows' flags."""
        values, reasons = {}, {}
        for key in dict.fromkeys(keys):
            values[key], reason = read(key)
            if reason:
                reasons[key] = reason
        if reasons:
            for flags, key in zip(self.flags, keys):
                reason = reasons.get(key)
                if reason:
                    flags.extend(reason) if isinstance(reason, tuple) else flags.append(reason)
        return list(map(values.__getitem__, keys))

    def text(self, field_name: str) -> list[str]:
        where = self.where(field_name)

        def read(cell: object) -> tuple[str, str | None]:
            text = clean_text(cell)
            if _ERROR_VALUE.match(text):
                return "", f"{where}为Excel错误值“{text}”"
            return text, None
        return self.each_distinct_cell(field_name, read)

    def date_readings(self, field_name: str) -> list[dates.DateReading]:
        where = self.where(field_name)

        def read(value: object) -> tuple[dates.DateReading, str | None]:
            if isinstance(value, str) and _ERROR_VALUE.match(value.strip()):
                return dates.DateReading(raw=value.strip(), unreadable=True), f"{where}为Excel错误值“{value.strip()}”"
            reading = dates.read_date_cell(value)
            return reading, (f"{where}“{reading.raw}”无法识别" if reading.unreadable else None)
        return self.each_distinct_cell(field_name, read)

    def implausible(self, field_name: str, reading: dates.DateReading, day: dt.date | None) -> str | None:
        if day is not None and not dates.plausible(day, self.today):
            return (f"{self.where(field_name)}“{reading.raw}”不在合理范围"
                    f"（{dates.FIRST_PLAUSIBLE_YEAR}年至{self.today.year + dates.YEARS_AHEAD_PLAUSIBLE}年），已留空")
        return None

    def year_guessed(self, field_name: str, reading: dates.DateReading, day: dt.date | None,
                     reference: dt.date) -> tuple[str, ...]:
        """A year-less date the rule put in another year than the ledger's date: worth a look."""
        if day is None or reading.complete is not None or reading.month is None or day.year == reference.year:
            return ()
        return (f"{self.where(field_name)}“{reading.raw}”未写年份，推定为{day.year}年{day.month}月{day.day}日"
                f"（与台账日期{reference:%Y-%m-%d}不在同一年），请核实",)

    def past_dates(self, field_name: str, readings: list[dates.DateReading], reference: dt.date,
                   later_than: dt.date | None = None) -> list[dt.date | None]:
        """Found, completion or 销号 dates resolved on the reference date; implausible ones left empty,
        complete ones after `later_than` (the report date) flagged, year-less ones put in another year
        than the reference flagged."""
        def read(reading: dates.DateReading) -> tuple[dt.date | None, tuple[str, ...]]:
            day = dates.resolve_past(reading, reference)
            reason = self.implausible(field_name, reading, day)
            day = None if reason else day
            reasons = (reason,) if reason else ()
            if day and later_than and day > later_than and reading.complete:
                reasons += (f"{self.where(field_name)}“{reading.raw}”晚于填报日期{later_than:%Y-%m-%d}",)
            return day, reasons + self.year_guessed(field_name, reading, day, reference)
        return self.each_distinct(readings, read)

    def deadlines(self, readings: list[dates.DateReading], found: list[dt.date | None],
                  reference: dt.date) -> list[dt.date | None]:
        """Deadlines resolved from each row's found date (relative and year-less ones count from it)."""
        where = self.where("deadline")

        def read(key: tuple[dates.DateReading, dt.date | None]) -> tuple[dt.date | None, tuple[str, ...]]:
            reading, found_day = key
            day = dates.resolve_deadline(reading, found_day, reference)
            reason = self.implausible("deadline", reading, day)
            day = None if reason else day
            reasons = (reason,) if reason else ()
            if reading.days_after_found is not None and found_day is None:
                reasons += (f"{where}“{reading.raw}”缺少发现日期，无法推算",)
            if day and found_day and day < found_day:
                reasons += (f"{where}“{reading.raw}”早于发现日期",)
            return day, reasons + self.year_guessed("deadline", reading, day, reference)
        return self.each_distinct(list(zip(readings, found)), read)

    def statuses(self, rectified: list[dt.date | None], closed: list[dt.date | None],
                 words: OfficeWords) -> list[tuple[str, str]]:
        """(status, raw words) from the status words, a 是否整改到位 column and the completion dates."""
        raw_statuses, raw_yes_nos = self.text("status"), self.text("done_yes_no")
        status_where, yes_no_where = self.where("status"), self.where("done_yes_no")

        def read(key: tuple[str, str, bool, bool]) -> tuple[tuple[str, str], str | None]:
            raw_status, raw_yes_no, is_rectified, is_closed = key
            status = words.status(raw_status)
            if status is None and raw_yes_no:
                done = words.yes_no(raw_yes_no)
                status = None if done is None else (RECTIFIED if done else PENDING)
            if status in (None, RECTIFIED) and is_closed:
                status = CLOSED
            if status is None and is_rectified:
                status = RECTIFIED
            raw = "／".join(filter(None, (raw_status, raw_yes_no)))
            if status is not None:
                return (status, raw), None
            if raw:
                return (PENDING, raw), f"{status_where if raw_status else yes_no_where}“{raw}”无法识别，按{PENDING}计"
            return (PENDING, raw), f"整改状态为空，按{PENDING}计"
        return self.each_distinct([(status, yes_no, rectified_day is not None, closed_day is not None)
                                   for status, yes_no, rectified_day, closed_day
                                   in zip(raw_statuses, raw_yes_nos, rectified, closed)], read)

    def point_types(self, multi_sheet: bool, aliases: dict[str, str]) -> list[tuple[str | None, str, bool]]:
        """(type, raw type, known): a sheet per 点位 type names the type of rows that leave it empty."""
        sheet = self.layout.sheet
        sheet_is_type = multi_sheet or normalise_point_type(sheet, aliases)[1]

        def read(raw_type: str) -> tuple[tuple[str | None, str, bool], str | None]:
            raw_type = raw_type or (sheet if sheet_is_type else "")
            point_type, known = normalise_point_type(raw_type, aliases)
            reason = POINT_TYPE_MISSING if not raw_type else None if known else unclassified_flag(raw_type)
            return (point_type, raw_type, known), reason
        return self.each_distinct(self.text("point_type"), read)

    def present(self, texts: list[str], reason: str) -> None:
        for flags, text in zip(self.flags, texts):
            if not text:
                flags.append(reason)


def _sheet_fields(rows: list[ProblemRow], layout: SheetLayout, reference: dt.date, report_date: dt.date | None,
                  today: dt.date, multi_sheet: bool, aliases: dict[str, str], words: OfficeWords) -> dict[str, list]:
    """The sheet's (non-empty) rows as fields, each a value per row; the fields are read in the order
    their reasons are listed."""
    columns = _SheetColumns(rows, layout, today)
    point_types = columns.point_types(multi_sheet, aliases)
    found_readings = columns.date_readings("found_date")
    found = columns.past_dates("found_date", found_readings, reference, later_than=report_date)
    deadline_readings = columns.date_readings("deadline")
    deadlines = columns.deadlines(deadline_readings, found, reference)
    rectified_readings = columns.date_readings("rectified_date")
    rectified = columns.past_dates("rectified_date", rectified_readings, reference)
    closed_readings = columns.date_readings("closed_date")
    closed = columns.past_dates("closed_date", closed_readings, reference)
    statuses = columns.statuses(rectified, closed, words)
    descriptions, point_names = columns.text("description"), columns.text("point_name")
    # Still a problem: kept, and flagged for the unit to complete.
    columns.present(point_names, POINT_NAME_MISSING)
    columns.present(descriptions, DESCRIPTION_MISSING)
    raw_categories = columns.text("category")
    units, districts = columns.text("unit"), columns.text("district")
    sources = columns.each_distinct(columns.text("source"), lambda text: (words.source(text), None))
    remarks, shops = columns.text("remark"), columns.text("shop")
    # a category written is read alone; only where it says nothing is it guessed from the description
    written_categories = columns.each_distinct(raw_categories, lambda raw: (normalise_category(raw, ""), None))
    categories = [category or normalise_category(raw, description) for category, raw, description
                  in zip(written_categories, raw_categories, descriptions)]
    serials = [_serial_text(cell) or None for cell in columns.cells("serial_no")]
    point_type_values, raw_types, known = zip(*point_types)
    status_values, status_raws = zip(*statuses)
    # 已销号 without a completion date was done by its 销号 day at the latest
    rectified = [day if day or status != CLOSED else closed_day
                 for day, status, closed_day in zip(rectified, status_values, closed)]

    def or_none(values: list) -> list:
        return [value or None for value in values]

    def raw(readings: list[dates.DateReading]) -> list[str | None]:
        return [reading.raw or None for reading in readings]
    return {
        "sheet": [layout.sheet] * len(rows), "source_row": [row.row_number for row in rows],
        "serial_no": serials, "unit": or_none(units), "district": or_none(districts),
        "point_type": point_type_values, "point_type_raw": or_none(raw_types), "point_type_known": known,
        "point_name": or_none(point_names), "description": or_none(descriptions),
        "category": categories, "category_raw": or_none(raw_categories),
        "source": sources, "found_date": found, "deadline": deadlines,
        "status": status_values, "status_raw": or_none(status_raws),
        "rectified_date": rectified, "closed_date": closed, "remark": or_none(remarks),
        "raw_found": raw(found_readings), "raw_deadline": raw(deadline_readings),
        "raw_rectified": raw(rectified_readings), "raw_closed": raw(closed_readings),
        "flags": columns.flags, "shop": or_none(shops),
    }


def parse_ledger(path: Path, *, point_type_aliases: dict[str, str], unit: str | None = None,
                 today: dt.date | None = None, limits: ReadLimits = ReadLimits(),
                 grids: list[Grid] | None = None, words: OfficeWords | None = None) -> ParsedLedger:
    """Read and normalise one ledger file (its `grids` when already read); raises FileRefused with a
    Chinese message. `words`: the status and source words and the picture-column headers in force
    (the built-in ones when not given)."""
    today = today or dt.date.today()
    words = words or default_words()
    grids = read_grids(path, limits) if grids is None else grids
    sheets: list[tuple[Grid, SheetLayout]] = []
    for grid in grids:
        layout = find_layout(grid.sheet, grid.rows, words.ledger_headers)
        if layout is not None:
            sheets.append((grid, layout))
    if not sheets:
        raise FileRefused(f"文件“{path.name}”未导入：没有找到问题台账。各工作表前"
                          "30行中都没有“点位名称、问题描述、整改状态”等表头，请确认提交的是问题整改台账"
                          "（也不是模拟测评得分表、测评准备的三种表，或点位清单、联点清单、包保一览表、门前四包登记表）。")
    layouts = [layout for _, layout in sheets]
    rows_by_sheet = [(layout, problem_rows(layout, grid.rows, words.ledger_headers)) for grid, layout in sheets]
    all_rows = [row for _, rows in rows_by_sheet for row in rows]
    if not all_rows:
        raise FileRefused(f"文件“{path.name}”未导入：找到了表头，但表头下没有任何问题记录。")
    ledger_unit, unit_source = _detect_unit(all_rows, layouts, path, unit, point_type_aliases)
    report_date = detect_report_date(layouts, path)
    warnings = [f"工作表“{layout.sheet}”的表头“{FIELD_LABELS[name]}”出现多次"
                f"（{column_letter(layout.columns[name])}列与"
                f"{'、'.join(column_letter(c) + '列' for c in extra)}），"
                f"已采用{column_letter(layout.columns[name])}列"
                for layout in layouts for name, extra in layout.duplicated.items()
                # a 交办单 shows a readable 交办编号 beside the 系统编号 it is keyed by
                if not (name == "problem_key" and layout.header_text[layout.columns[name]] == "系统编号")]
    if unit and unit != ledger_unit:
        warnings.append(f"指定单位“{unit}”与文件中的单位“{ledger_unit}”（来自{unit_source}）不同，已采用后者。")

    # The ledger's date: its report date, else the day it came in (it was sent by then) — or the
    # latest full date it writes, should that be later still.
    reference = report_date or max(filter(None, (_latest_full_date(all_rows), today)))
    multi_sheet = len(sheets) > 1
    columns: dict[str, list] = {}
    serials_seen: dict[tuple[str, str], int] = {}
    keys_carried: dict[str, int] = {}
    content_seen: collections.Counter[str] = collections.Counter()
    for layout, rows in rows_by_sheet:
        if not rows:
            continue
        fields = _sheet_fields(rows, layout, reference, report_date, today, multi_sheet, point_type_aliases, words)
        # 序号 restarts per sheet in a workbook of several sheets, and in a per-type sheet that
        # may be joined by others next week: there the sheet is part of a problem's identity
        sheet_part = layout.sheet if multi_sheet or "point_type" not in layout.columns else ""
        # a returned 交办单: its rows name their problem; rows added below it are new problems,
        # keyed by content (their 序号 would meet the unit's own ledger's)
        task_sheet = "problem_key" in layout.columns
        content_part = layout.sheet if task_sheet else sheet_part
        problem_keys = []
        for row, serial, flags, *content_fields in zip(
                rows, fields["serial_no"], fields["flags"], fields["point_type_raw"], fields["point_name"],
                fields["description"], fields["raw_found"]):
            carried = clean_text(row.cells.get("problem_key")) if task_sheet else ""
            if carried and _CARRIED_KEY.match(carried) and carried not in keys_carried:
                keys_carried[carried] = row.row_number
                key = carried
            elif not task_sheet and serial and (sheet_part, serial) not in serials_seen:
                serials_seen[(sheet_part, serial)] = row.row_number
                key = f"{ledger_unit}|{sheet_part}|{serial}"
            else:
                if carried:
                    flags.append(f"交办编号“{carried}”" + (f"与第{keys_carried[carried]}行重复" if carried in keys_carried
                                                        else "无法识别") + "，按新问题计")
                elif serial and not task_sheet:
                    flags.append(f"序号“{serial}”与第{serials_seen[(sheet_part, serial)]}行重复")
                content = "|".join(str(value or "") for value in content_fields)
                digest = hashlib.sha1(content.encode()).hexdigest()[:16]
                content_seen[digest] += 1
                key = f"{ledger_unit}|{content_part}|c:{digest}#{content_seen[digest]}"
            problem_keys.append(key)
        fields.update(problem_key=problem_keys, ledger_unit=[ledger_unit] * len(rows),
                      unit=[named or ledger_unit for named in fields["unit"]])
        for name, values in fields.items():
            columns.setdefault(name, []).extend(values)
    return ParsedLedger(path.name, ledger_unit, unit_source, report_date, columns, layouts, warnings)


def _latest_full_date(rows: list[ProblemRow]) -> dt.date | None:
    latest = None
    for row in rows:
        found = dates.read_date_cell(row.cells.get("found_date")).complete
        if found and (latest is None or found > latest):
            latest = found
    return latest
