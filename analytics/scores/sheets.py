"""模拟测评 score sheets to scored 点位 and their deductions, without touching the database.

Three shapes: 扣分明细 (one row per deduction), 点位得分表 (one sheet per 点位类型, the
standards in a two-row header with their 分值 under them) and 得分汇总 (one row per 点位 with its 得分).
A sheet is a score sheet by its header: a 点位 column with 扣分/得分 or standards with their 分值, and
none of a ledger's columns (整改状态, 整改时限, 完成时间 …). What a sheet states is kept as written: a
得分 that disagrees with the deductions, or a deduction above its standard's 分值, is flagged.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import analytics.shared.reading.dates as dates
from analytics.scores.rounds import read_round, read_round_cell
from analytics.shared.reading.layout import HEADER_SEARCH_ROWS, CarryDown, SheetLayout, column_letter, problem_rows
from analytics.shared.reading.reader import FileRefused, Grid, ReadLimits, read_grids
from analytics.shared.vocab import (POINT_NAME_MISSING,
    clean_text,
    header_field,
    normalise_point_type,
    score_header_field,
    unclassified_flag)

SHAPES = ("扣分明细", "点位得分表", "得分汇总")
FULL_MARKS = 100.0
# A ledger names these; a score sheet never does, so a sheet with any of them stays a ledger.
LEDGER_ONLY_FIELDS = ("status", "done_yes_no", "deadline", "rectified_date", "closed_date")
# Columns of a 点位得分表 that are never standards, whatever stands under them in the 分值 row.
IDENTITY_FIELDS = ("serial_no", "round", "eval_date", "point_type", "point_name", "unit", "score",
                   "remark", "deduction")
# Cells of a 扣分明细 that a merged cell leaves blank below its first row: taken from the row above.
CARRIED_DOWN = ("round", "eval_date", "point_type", "point_name", "unit", "item")
GROUP_HEADERS = re.compile(r"^(扣分情况|扣分项|扣分明细|测评标准|测评内容|评分标准|测评项目|扣分|各项扣分|"
                           r"测评情况|分项扣分|扣分项目)$")

_POINTS = re.compile(r"^(?:分值|满分|标准分|标准分值)?\s*[:：]?\s*(\d{1,3}(?:\.\d+)?)\s*分?$")
_POINTS_IN_HEADER = re.compile(r"[（(]\s*(?:分值|满分)?\s*[:：]?\s*(\d{1,3}(?:\.\d+)?)\s*分?\s*[)）]\s*$|"
                               r"\s*[（(]?(\d{1,3}(?:\.\d+)?)分[)）]?\s*$")
_DEDUCTION = re.compile(r"^(?:扣\s*(?:除)?)?\s*[-－—−]?\s*(\d{1,3}(?:\.\d+)?)\s*分?$")
_NOTHING = re.compile(r"^([-－—–/／、\\]+|无|未扣分|不扣分|未发现问题|无问题|合格|达标|√|✓)$")
_SKIPPED_ROW = re.compile(r"^(平均|均分|平均分|平均得分|合计|小计|总计|共计)")


class ScoreSheetError(FileRefused):
    """A score sheet that cannot be imported; the message is Chinese and names file, sheet, row, column."""


@dataclass
class ScoreLayout:
    sheet: str
    header_rows: tuple[int, ...]            # 0-based rows of the header (1 to 3 of them)
    columns: dict[str, int]                 # score field -> column index
    standards: dict[int, tuple[str, str, float | None]]   # column -> (测评项目, 测评标准, 分值) of a 点位得分表
    title_lines: list[str]

    @property
    def shape(self) -> str:
        if self.standards:
            return "点位得分表"
        if "deduction" in self.columns and ({"standard", "item", "reason"} & set(self.columns)):
            return "扣分明细"
        return "得分汇总"


@dataclass
class ScoredPoint:
    round_name: str
    round_no: int | None
    sheet: str
    source_row: int
    point_type: str | None
    point_type_raw: str | None
    point_type_known: bool
    point_name: str
    unit: str | None
    eval_date: dt.date | None
    stated_score: float | None              # the 得分 the sheet states, if any
    deducted: float | None                  # points deducted in all (None: the sheet gives no way to know)
    flags: list[str] = field(default_factory=list)
    deductions: list[dict] = field(default_factory=list)


@dataclass
class ParsedScoreSheet:
    file_name: str
    shape: str
    points: list[ScoredPoint]
    warnings: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)     # the title lines above the headers (where the round's source is named)

    @property
    def rounds(self) -> list[str]:
        return list(dict.fromkeys(point.round_name for point in self.points))

    @property
    def flagged(self) -> int:
        return sum(1 for point in self.points if point.flags or any(d["flags"] for d in point.deductions))

    def describe(self) -> str:
        """What the import preview says: 模拟测评得分表：第三轮，44个点位."""
        rounds = "、".join(self.rounds)
        flagged = f"，{self.flagged}个点位标记待核" if self.flagged else ""
        return f"模拟测评得分表：{rounds}，{len(self.points)}个点位（{self.shape}）{flagged}"


def _number(text: str, pattern: re.Pattern) -> float | None:
    match = pattern.match(text)
    return float(match.group(1)) if match else None


def read_points_value(value: object) -> float | None:
    """A standard's 分值 written 25, 25.0, 分值25, 25分, 满分：25."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if 0 < value <= FULL_MARKS else None
    return _number(clean_text(value).replace(" ", ""), _POINTS)


def read_deduction(value: object) -> tuple[float | None, bool]:
    """(points deducted, readable): 2, -2, 2分, 扣2分, 扣 2 分, -2分; blank, 0, 无, — are 0."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(float(value)), True
    text = clean_text(value).replace(" ", "")
    if not text or _NOTHING.match(text):
        return 0.0, True
    found = _number(text, _DEDUCTION)
    return (found, True) if found is not None else (None, False)


def read_score(value: object) -> tuple[float | None, bool]:
    """A 得分 written 83, 83.5, 83分; (None, True) when blank."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), True
    text = clean_text(value).replace(" ", "")
    if not text:
        return None, True
    found = _number(text, re.compile(r"^(\d{1,3}(?:\.\d+)?)分?$"))
    return (found, True) if found is not None else (None, False)


def _fields(row: list[object]) -> dict[int, str]:
    return {i: name for i, cell in enumerate(row) if isinstance(cell, str) and (name := score_header_field(cell))}


def _is_ledger_header(row: list[object]) -> bool:
    return any(isinstance(cell, str) and header_field(cell) in LEDGER_ONLY_FIELDS for cell in row)


def _points_row(row: list[object], candidates: list[int]) -> dict[int, float]:
    """Columns of `candidates` whose cell in this row is a 分值; {} unless it reads as a 分值 row."""
    found = {i: points for i in candidates if i < len(row) and (points := read_points_value(row[i])) is not None}
    texts = [clean_text(row[i]) for i in candidates if i < len(row) and clean_text(row[i])]
    return found if len(found) >= 2 and len(found) == len(texts) else {}


def find_score_layout(sheet: str, rows: list[list[object]]) -> ScoreLayout | None:
    """The score sheet's header in the first rows, or None when the sheet is no score sheet."""
    best: tuple[int, int, dict[int, str]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields = _fields(row)
        named = set(fields.values())
        if "point_name" in named and len(named) >= 2 and (best is None or len(named) > best[0]):
            best = (len(named), index, fields)
    if best is None:
        return None
    _, header, fields = best
    if _is_ledger_header(rows[header]):
        return None
    header_rows = [header]
    standards: dict[int, tuple[str, str, float | None]] = {}
    identity = {i for i, name in fields.items() if name in IDENTITY_FIELDS}
    # Standards with their 分值 in the row below (or two below, under a group cell such as 扣分情况).
    for below in (header + 1, header + 2):
        if below >= len(rows):
            break
        width = max(len(rows[header]), len(rows[below]))
        candidates = [i for i in range(width) if i not in identity]
        points = _points_row(rows[below], candidates)
        if points:
            names_row = rows[below - 1]
            group_row = rows[header] if below - 1 > header else None
            item = ""
            for column in sorted(points):
                if group_row is not None and column < len(group_row) and clean_text(group_row[column]):
                    item = clean_text(group_row[column])
                name = clean_text(names_row[column]) if column < len(names_row) else ""
                standards[column] = ("" if GROUP_HEADERS.match(item) else item,
                                     name or f"第{column_letter(column)}列", points[column])
            header_rows = list(range(header, below + 1))
            break
    if not standards:
        # One header row whose standards carry their 分值: 楼道无乱堆乱放（25分）.
        for column, cell in enumerate(rows[header]):
            text = clean_text(cell)
            match = _POINTS_IN_HEADER.search(text) if column not in identity and text else None
            if match and fields.get(column) != "max_points":
                standards[column] = ("", _POINTS_IN_HEADER.sub("", text), float(match.group(1) or match.group(2)))
        if len(standards) < 2:
            standards = {}
    columns: dict[str, int] = {}
    for column in sorted(fields):
        if column not in standards and fields[column] not in columns:
            columns[fields[column]] = column
    if not standards and not ({"deduction", "score"} & set(columns)):
        return None
    titles = [" ".join(clean_text(c) for c in row if clean_text(c)) for row in rows[:header]]
    return ScoreLayout(sheet, tuple(header_rows), columns, standards, [t for t in titles if t])


def is_score_workbook(grids: list[Grid]) -> bool:
    """A score sheet is recognised by its content: some sheet has a score sheet's header."""
    return any(find_score_layout(grid.sheet, grid.rows) is not None for grid in grids)


class _Sheet:
    """Reads the points of one sheet; messages name file, sheet, row and column."""

    def __init__(self, path_name: str, grid: Grid, layout: ScoreLayout, aliases: dict[str, str],
                 context_round: tuple[str, int | None] | None, context_date: dt.date | None, today: dt.date):
        self.path_name, self.grid, self.layout, self.aliases = path_name, grid, layout, aliases
        self.context_round, self.context_date, self.today = context_round, context_date, today
        self.sheet_type = self._type_from_sheet()

    def where(self, row: int, column: int | None = None) -> str:
        sheet = f"工作表“{self.grid.sheet}”" if self.grid.sheet else ""
        cell = f"{column_letter(column)}列" if column is not None else ""
        return f"{sheet}第{row}行{cell}"

    def _type_from_sheet(self) -> str | None:
        """One sheet per type: the sheet name, else the title (示例市第二轮模拟测评居民小区点位得分表)."""
        if normalise_point_type(self.grid.sheet, self.aliases)[1]:
            return self.grid.sheet
        for line in self.layout.title_lines:
            compact = line.replace(" ", "")
            for alias in sorted(self.aliases, key=len, reverse=True):
                if len(alias) >= 2 and alias in compact:
                    return alias
        return None

    def rows(self) -> list:
        last = self.layout.header_rows[-1]
        columns = dict(self.layout.columns)
        columns.update({f"standard:{column}": column for column in self.layout.standards})
        data = problem_rows(SheetLayout(self.grid.sheet, last, columns, {}), self.grid.rows)
        return [row for row in data if not any(_SKIPPED_ROW.match(clean_text(value))
                                                for value in list(row.cells.values())[:3] if value != "")]

    def points(self) -> list[ScoredPoint]:
        found: dict[tuple, ScoredPoint] = {}
        merged = CarryDown(CARRIED_DOWN if self.layout.shape == "扣分明细" else ())
        for row in self.rows():
            cells = merged.fill(dict(row.cells))
            point_name = clean_text(cells.get("point_name"))
            round_name, round_no = self._round(cells, row.row_number)
            raw_type = clean_text(cells.get("point_type")) or self.sheet_type or ""
            point_type, known = normalise_point_type(raw_type, self.aliases)
            unit = clean_text(cells.get("unit")) or None
            # a row without its 点位 is still scored and its deductions still tasks, but it is no known
            # 点位: each such row stands alone rather than being merged with another by guess
            key = (round_name, point_type, point_name or row.row_number, unit)
            point = found.get(key)
            if point is None:
                point = ScoredPoint(round_name, round_no, self.grid.sheet, row.row_number, point_type,
                                    raw_type or None, known, point_name, unit, self._date(cells, row.row_number),
                                    None, 0.0)
                if not raw_type:
                    point.flags.append("点位类型为空")
                elif not known:
                    point.flags.append(unclassified_flag(raw_type))
                if not point_name:
                    column = self.layout.columns.get("point_name")
                    point.flags.append(f"{self.where(row.row_number, column)}{POINT_NAME_MISSING}")
                if unit is None:
                    point.flags.append("责任单位为空")
                found[key] = point
            self._read_scores(point, cells, row.row_number)
        points = list(found.values())
        for point in points:
            self._check(point)
        return points

    def _round(self, cells: dict, row_number: int) -> tuple[str, int | None]:
        if found := read_round_cell(cells.get("round")):
            return found
        if self.context_round:
            return self.context_round
        day = self._date(cells, row_number)
        if day:
            return f"{day.year}年{day.month}月{day.day}日测评", None
        raise ScoreSheetError(f"文件“{self.path_name}”未导入：无法确定测评轮次。标题、文件名和表中都没有"
                              "“第几轮”，也没有测评日期。请在文件名中写明轮次（如“第三轮模拟测评得分表.xlsx”）。")

    def _date(self, cells: dict, row_number: int) -> dt.date | None:
        value = cells.get("eval_date", "")
        reading = dates.read_date_cell(value)
        day = dates.resolve_past(reading, self.context_date or self.today) if not reading.unreadable else None
        if day is not None and not dates.plausible(day, self.today):
            day = None
        return day or self.context_date

    def _read_scores(self, point: ScoredPoint, cells: dict, row_number: int) -> None:
        stated, readable = read_score(cells.get("score", ""))
        column = self.layout.columns.get("score")
        if not readable:
            point.flags.append(f"{self.where(row_number, column)}得分“{clean_text(cells.get('score'))}”无法识别")
        elif stated is not None:
            if point.stated_score is not None and point.stated_score != stated:
                point.flags.append(f"{self.where(row_number, column)}得分{stated:g}与同一点位第{point.source_row}行"
                                   f"的得分{point.stated_score:g}不同")
            else:
                point.stated_score = stated
        if self.layout.standards:
            for column, (item, standard, points) in self.layout.standards.items():
                self._deduction(point, cells.get(f"standard:{column}", ""), row_number, column,
                                item, standard, points, "")
        elif "deduction" in self.layout.columns:
            points_value = cells.get("max_points", "")
            points = read_points_value(points_value)
            self._deduction(point, cells.get("deduction", ""), row_number, self.layout.columns["deduction"],
                            clean_text(cells.get("item")), clean_text(cells.get("standard")), points,
                            clean_text(cells.get("reason")))
        elif stated is not None:
            point.deducted = max(FULL_MARKS - stated, 0.0)  # 得分汇总: the 得分 is all there is
        else:
            point.deducted = None

    def _deduction(self, point: ScoredPoint, value: object, row_number: int, column: int, item: str,
                   standard: str, points: float | None, reason: str) -> None:
        deducted, readable = read_deduction(value)
        flags = []
        if not readable:
            flags.append(f"{self.where(row_number, column)}扣分“{clean_text(value)}”无法识别，未计入")
            deducted = 0.0
        elif points is not None and deducted > points:
            flags.append(f"{self.where(row_number, column)}扣分{deducted:g}超过该标准分值{points:g}")
        if deducted == 0 and not flags:
            return
        point.deducted = (point.deducted or 0.0) + deducted
        point.deductions.append({
            "sheet": self.grid.sheet, "source_row": row_number, "source_column": column_letter(column),
            "item": item.strip("—-－ ") or None, "standard": standard.strip("—-－ ") or None,
            "max_points": points, "deduction": deducted, "reason": reason or None,
            "raw_deduction": clean_text(value) or None, "flags": flags})

    def _check(self, point: ScoredPoint) -> None:
        if point.deducted is None:
            point.flags.append("没有得分也没有扣分，未计分")
            return
        if point.deducted > FULL_MARKS:
            point.flags.append(f"扣分合计{point.deducted:g}超过100分，按0分计")
        computed = max(FULL_MARKS - point.deducted, 0.0)
        if point.stated_score is not None and abs(point.stated_score - computed) > 0.005:
            point.flags.append(f"表中得分{point.stated_score:g}与扣分合计{point.deducted:g}不符"
                               f"（按扣分应为{computed:g}）")


def _context_round(layouts: list[ScoreLayout], path: Path) -> tuple[str, int] | None:
    for layout in layouts:
        for line in layout.title_lines:
            if found := read_round(line):
                return found
    return read_round(path.stem) or read_round(path.name)


def _context_date(layouts: list[ScoreLayout], path: Path) -> dt.date | None:
    for layout in layouts:
        for line in layout.title_lines:
            if found := dates.report_date_from_text(line.replace("测评日期", "日期"), labelled_only=False):
                return found
    return dates.report_date_from_file_name(path.stem)


def parse_score_workbook(path: Path, grids: list[Grid], *, point_type_aliases: dict[str, str],
                         today: dt.date | None = None) -> ParsedScoreSheet:
    """Every score sheet of the workbook; raises ScoreSheetError (a FileRefused) with a Chinese message."""
    today = today or dt.date.today()
    sheets = [(grid, layout) for grid in grids if (layout := find_score_layout(grid.sheet, grid.rows))]
    if not sheets:
        raise ScoreSheetError(f"文件“{path.name}”未导入：没有找到模拟测评得分表（点位名称与扣分、得分或分值的表头）。")
    layouts = [layout for _, layout in sheets]
    context_round, context_date = _context_round(layouts, path), _context_date(layouts, path)
    points: list[ScoredPoint] = []
    warnings = []
    for grid, layout in sheets:
        sheet_points = _Sheet(path.name, grid, layout, point_type_aliases, context_round, context_date,
                              today).points()
        points.extend(sheet_points)
        total = sum(points_ for _, _, points_ in layout.standards.values())
        if layout.standards and abs(total - FULL_MARKS) > 0.005:
            warnings.append(f"工作表“{grid.sheet}”各项标准分值合计{total:g}分，不是100分")
    skipped = [grid.sheet for grid in grids if grid.sheet not in {layout.sheet for layout in layouts}
               and any(clean_text(c) for row in grid.rows for c in row)]
    if skipped:
        warnings.append(f"工作表{'、'.join('“' + s + '”' for s in skipped)}不是得分表，未读取")
    if not points:
        raise ScoreSheetError(f"文件“{path.name}”未导入：找到了得分表的表头，但表头下没有任何点位。")
    shapes = {layout.shape for layout in layouts}
    shape = next(s for s in SHAPES if s in shapes)
    return ParsedScoreSheet(path.name, shape, points, warnings,
                            list(dict.fromkeys(line for layout in layouts for line in layout.title_lines)))


def parse_score_sheet(path: Path, *, point_type_aliases: dict[str, str], today: dt.date | None = None,
                      limits: ReadLimits = ReadLimits()) -> ParsedScoreSheet:
    return parse_score_workbook(path, read_grids(path, limits), point_type_aliases=point_type_aliases, today=today)
