"""Finding the ledger inside a grid: the header row below titles, which column means what, where the
problem rows are, and what the title rows say about the unit and the report date."""
from __future__ import annotations

import dataclasses
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import analytics.shared.reading.dates as dates
from analytics.shared.vocab import (HEADER_SYNONYMS, SUBSTANTIVE_FIELDS, clean_header, clean_text, header_field,
                                    match_header)

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

HEADER_SEARCH_ROWS = 30
MIN_HEADER_FIELDS = 3
_SUMMARY_ROW = re.compile(r"^(合\s*计|小\s*计|总\s*计|共\s*计|总数|合计数)")
_FOOTER_ROW = re.compile(r"^(注|备注|说明|填报人|填表人|审核人|负责人|联系人|联系电话|签字|盖章|单位负责人)")


def column_letter(index: int) -> str:
    """The name a spreadsheet shows for the 0-based column `index`: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass(frozen=True)
class HeaderVocabulary:
    """What a header row of one kind of sheet names: `field_of` maps a header cell to a field; a
    header row names at least `min_fields` distinct fields, one of them `required`; a data row fills
    one of `row_keys` (or at least two cells that are not labels)."""
    field_of: Callable[[str], str | None]
    required: tuple[str, ...]
    row_keys: tuple[str, ...]
    min_fields: int = MIN_HEADER_FIELDS


LEDGER_HEADERS = HeaderVocabulary(header_field, SUBSTANTIVE_FIELDS, ("point_type", "point_name", "description"))


# One per set of added headers (their synonyms table is arranged once, vocab._arranged).
@functools.lru_cache(maxsize=8)
def ledger_headers(added: tuple[tuple[str, str], ...]) -> HeaderVocabulary:
    """The ledger's headers with the ones users added ((cleaned header, field) pairs): such a header
    names its field only, and wins a tie with a built-in spelling."""
    if not added:
        return LEDGER_HEADERS
    words = dict(added)
    synonyms = {name: (*(word for word, meant in added if meant == name),
                       *(spelling for spelling in spellings if spelling not in words))
                for name, spellings in HEADER_SYNONYMS.items()}
    return dataclasses.replace(LEDGER_HEADERS, field_of=functools.lru_cache(maxsize=1 << 16)(
        lambda header: match_header(header, synonyms)))


@dataclass
class SheetLayout:
    """Where the ledger is in one sheet."""
    sheet: str
    header_row: int                    # 0-based index of the (last) header row
    columns: dict[str, int]            # canonical field -> column index
    header_text: dict[int, str]        # column index -> header as written, for the import report
    duplicated: dict[str, list[int]] = field(default_factory=dict)  # field -> extra columns ignored
    title_lines: list[str] = field(default_factory=list)


def _row_fields(row: list[object], vocabulary: HeaderVocabulary = LEDGER_HEADERS) -> dict[int, str]:
    found = {}
    for index, cell in enumerate(row):
        if isinstance(cell, str):
            name = vocabulary.field_of(cell)
            if name:
                found[index] = name
    return found


def _header_like(cells: set[object], vocabulary: HeaderVocabulary) -> set[str]:
    """The cells that read as a header of `vocabulary`: a row can be a header only with min_fields of them."""
    return {cell for cell in cells if isinstance(cell, str) and vocabulary.field_of(cell)}


def _is_header_row(fields: dict[int, str], vocabulary: HeaderVocabulary = LEDGER_HEADERS) -> bool:
    distinct = set(fields.values())
    return len(distinct) >= vocabulary.min_fields and bool(distinct & set(vocabulary.required))


def find_layout(sheet: str, rows: list[list[object]],
                vocabulary: HeaderVocabulary = LEDGER_HEADERS) -> SheetLayout | None:
    """The best header row in the first rows of the sheet, or None when the sheet holds no table of
    this vocabulary (by default a ledger)."""
    best: tuple[int, int, dict[int, str]] | None = None
    top = rows[:HEADER_SEARCH_ROWS]
    header_like = _header_like(set().union(*top), vocabulary)   # the other rows are passed by a set test
    for index, row in enumerate(top):
        if len(header_like.intersection(row)) < vocabulary.min_fields:
            continue
        fields = _row_fields(row, vocabulary)
        if _is_header_row(fields, vocabulary) and (best is None or len(set(fields.values())) > best[0]):
            best = (len(set(fields.values())), index, fields)
    if best is None:
        return None
    _, header_row, fields = best
    header_text = {i: clean_text(rows[header_row][i]) for i in fields}
    # A two-row header: a group cell (整改情况) above sub-columns (整改状态 | 完成时间).
    if header_row + 1 < len(rows):
        below = rows[header_row + 1]
        below_fields = _row_fields(below, vocabulary)
        filled = [i for i, cell in enumerate(below) if clean_text(cell)]
        if len(below_fields) >= 2 and filled and all(i in below_fields for i in filled):
            for index, name in below_fields.items():
                fields[index] = name
                header_text[index] = clean_text(below[index])
            header_row += 1
    columns: dict[str, int] = {}
    duplicated: dict[str, list[int]] = {}
    for index in sorted(fields):
        name = fields[index]
        if name in columns:
            duplicated.setdefault(name, []).append(index)
        else:
            columns[name] = index
    titles = [" ".join(clean_text(c) for c in row if clean_text(c)) for row in rows[:header_row]]
    return SheetLayout(sheet, header_row, columns, header_text, duplicated,
                       [line for line in titles if line and clean_header(line)])


@dataclass
class ProblemRow:
    sheet: str
    row_number: int                  # 1-based as Excel shows it
    cells: dict[str, object]         # canonical field -> raw cell value


def _filled_texts(row: list[object]) -> Iterator[str]:
    for cell in row:
        text = clean_text(cell)
        if text:
            yield text


def problem_rows(layout: SheetLayout, rows: list[list[object]],
                 vocabulary: HeaderVocabulary = LEDGER_HEADERS) -> list[ProblemRow]:
    """The data rows under the header: blank, 合计/小计, footer and repeated header rows are skipped."""
    substantive = [layout.columns[f] for f in vocabulary.row_keys if f in layout.columns]
    names, columns = list(layout.columns), list(layout.columns.values())
    # Each distinct cell under the header is looked at once. A row with none of the cells that can
    # start a 合计 or footer row, too few header-like cells to repeat the header (a unit's name can
    # read like one: 城关街道 ~ 街道), and a filled substantive cell is a problem row: most rows, told
    # by set tests. The others are looked at cell by cell (_is_problem_row).
    distinct = set().union(*rows[layout.header_row + 1:])
    texts = [cell for cell in distinct if isinstance(cell, str)]
    header_like = _header_like(distinct, vocabulary)
    # Only text is blank or starts a 合计 or footer row (a number, date or boolean never does); the
    # patterns allow white space inside, so a text is matched as clean_text would leave its start.
    blank = {text for text in texts if not text.strip()} | ({None} if None in distinct else set())
    summary_or_footer = {text for text in texts if _SUMMARY_ROW.match(start := text.lstrip())
                         or _FOOTER_ROW.match(start)}

    def may_repeat_header(row: list[object]) -> bool:
        return not header_like.isdisjoint(row) and len(header_like.intersection(row)) >= vocabulary.min_fields

    take = operator.itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    last_column = max(columns)
    found = []
    for index in range(layout.header_row + 1, len(rows)):
        row = rows[index]
        plain = (summary_or_footer.isdisjoint(row) and not may_repeat_header(row)
                 and any(column < len(row) and row[column] not in blank for column in substantive))
        if not plain and not _is_problem_row(row, substantive, may_repeat_header, vocabulary):
            continue
        values = take(row) if last_column < len(row) else [row[col] if col < len(row) else "" for col in columns]
        found.append(ProblemRow(layout.sheet, index + 1, dict(zip(names, values))))
    return found


class CarryDown:
    """Merged cells: a merged range (测评项目, 点位名称, 轮次 …) holds its value in its first row only and
    leaves the cells below it blank; fill(cells) gives a row's blank cells of `names` the value last
    seen above them in the same sheet (one CarryDown per sheet)."""

    def __init__(self, names: Iterable[str]):
        self.names = tuple(names)
        self._above: dict[str, object] = {}

    def fill(self, cells: dict[str, object]) -> dict[str, object]:
        for name in self.names:
            if name not in cells:
                continue
            if clean_text(cells[name]):
                self._above[name] = cells[name]
            elif name in self._above:
                cells[name] = self._above[name]
        return cells


def _is_problem_row(row: list[object], substantive: list[int], may_repeat_header: Callable[[list[object]], bool],
                    vocabulary: HeaderVocabulary) -> bool:
    # Texts are cleaned as far as each test needs: a problem row is told at its first cells.
    texts = _filled_texts(row)
    first = list(itertools.islice(texts, 3))
    if not first or any(_SUMMARY_ROW.match(text) for text in first):
        return False
    if all(_FOOTER_ROW.match(text) for text in first) and all(_FOOTER_ROW.match(text) for text in texts):
        return False  # 填报人：… 审核人：… under the table, whatever column it sits in
    if not any(column < len(row) and clean_text(row[column]) for column in substantive):
        filled = list(_filled_texts(row))
        if all("：" in text or ":" in text for text in filled):
            return False
        if len(filled) < 2:
            return False  # a lone stray cell (a page number, a signature) is not a problem
    return not may_repeat_header(row) or not _is_header_row(_row_fields(row, vocabulary), vocabulary)


def detect_report_date(layouts: list[SheetLayout], path: Path) -> dt.date | None:
    """截至/填报日期 in the title rows (labelled first, then any full date), else in the file name."""
    for labelled_only in (True, False):
        for layout in layouts:
            for line in layout.title_lines:
                found = dates.report_date_from_text(line, labelled_only=labelled_only)
                if found:
                    return found
    return dates.report_date_from_file_name(path.stem)
