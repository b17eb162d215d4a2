"""The four lists of the responsibility map, recognised by what their headers name and read without
touching the database:

- 联点清单: 领导姓名, 职务, 联系点位 (or 联系社区/联系街道), 包联单位 — one row per leader and point;
- 点位清单 (the registry proper): 点位名称, 点位类型, 所属区域, 责任单位 (包保单位), 责任人, 联系电话, 网格;
- 楼栋（片区）包保一览表: 小区/楼栋/片区, 所属社区, 包保单位, 包保责任人, 联系电话;
- 门前四包 register: 商户名称, 地址 (路段), 所属街道/社区, 负责人, 联系电话, 责任书签订日期.

Offices write them with title rows, merged cells (a leader's name merged down over the rows of their
points: an empty cell holds what the one above it says), several names in one cell and one sheet per
district. A header that names a problem (问题描述, 整改状态, 整改时限 …) is a ledger's, never a list.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import analytics.shared.reading.dates as dates
from analytics.shared.reading.layout import HeaderVocabulary, SheetLayout, column_letter, find_layout, problem_rows
from analytics.shared.sheet_imports import KindedSheet, recognise_file, strongest_kind
from analytics.shared.reading.reader import Grid, ReadLimits
from analytics.shared.vocab import clean_header, clean_text, header_field, match_header


LEADERS, POINTS, BLOCKS, SHOPS = "leaders", "points", "blocks", "shops"
KINDS = (POINTS, LEADERS, BLOCKS, SHOPS)
KIND_LABELS = {LEADERS: "联点清单", POINTS: "点位清单", BLOCKS: "楼栋（片区）包保一览表", SHOPS: "门前四包登记表"}

_PERSON = ("责任人", "负责人", "联系人", "网格长", "包保人")
_PHONE = ("联系电话", "电话", "手机", "手机号", "联系方式", "手机号码", "电话号码")
_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    LEADERS: {
        "leader": ("领导姓名", "联点领导", "联系领导", "包联领导", "县级领导", "市级领导", "领导", "姓名", "联点县领导",
                   "联点市领导", "县领导", "市领导", "包保领导"),
        "title": ("职务", "领导职务", "职位"),
        "point": ("联系点位", "联系社区", "联系街道", "联系点", "联点点位", "联系镇街", "包联社区", "包联点位",
                  "联系小区", "联点社区", "联系片区"),
        "unit": ("包联单位", "联系单位", "牵头单位", "责任单位", "包保单位", "配合单位"),
        "remark": ("备注", "说明"),
    },
    POINTS: {
        "point": ("点位名称", "点位", "具体点位", "测评点位", "点位名"),
        "point_type": ("点位类型", "点位类别", "类型", "点位分类"),
        "district": ("所属区域", "所属区县", "区域", "区县", "所属城区", "城区", "区"),
        "street": ("所属街道", "街道", "镇街", "所属镇街", "乡镇街道", "所属乡镇"),
        "community": ("所属社区", "社区"),
        "unit": ("责任单位", "包保单位", "责任部门", "主管单位", "包联单位"),
        "person": _PERSON,
        "phone": _PHONE,
        "grid": ("网格", "网格编号", "网格名称", "所属网格", "网格号"),
        "remark": ("备注", "说明"),
    },
    BLOCKS: {
        "estate": ("小区", "小区名称", "片区", "片区名称", "小区片区", "小区楼栋片区", "楼栋片区", "所在小区"),
        "building": ("楼栋", "楼栋号", "楼号", "楼栋名称", "幢号"),
        "community": ("所属社区", "社区"),
        "unit": ("包保单位", "包联单位", "责任单位", "包保部门"),
        "person": ("包保责任人", "责任人", "包保人", "负责人"),
        "phone": _PHONE,
        "remark": ("备注", "说明"),
    },
    SHOPS: {
        "shop": ("商户名称", "门店名称", "单位名称", "商户", "门店", "经营户", "店铺名称", "商铺名称", "单位商户名称",
                 "经营户名称", "商户单位名称"),
        "address": ("地址", "路段", "经营地址", "门牌号", "所在路段", "详细地址", "门店地址"),
        "street": ("所属街道", "街道", "镇街"),
        "community": ("所属社区", "社区"),
        "person": ("负责人", "法人", "经营者", "联系人", "店主", "责任人"),
        "phone": _PHONE,
        "pledge_date": ("责任书签订日期", "签订日期", "签订时间", "责任书签订时间", "签约日期", "责任书日期"),
        "remark": ("备注", "说明"),
    },
}
# What each kind's header must name; a data row fills its first key.
_REQUIRED = {LEADERS: ("leader", "point"), POINTS: ("point",), BLOCKS: ("unit",), SHOPS: ("shop",)}
_ROW_KEYS = {LEADERS: ("point", "leader"), POINTS: ("point",), BLOCKS: ("estate", "building"), SHOPS: ("shop",)}
# A header naming these ledger fields is a ledger's (or a 交办单's), whatever else it names.
_LEDGER_ONLY = {"description", "status", "done_yes_no", "deadline", "found_date", "rectified_date", "closed_date",
                "problem_key"}
_SCORE_WORDS = re.compile(r"扣分|得分|分值")
# Several names in one cell: 、，,；/ and new lines (a leader's points, the leaders of one point).
NAME_SPLIT = re.compile(r"[、，,；;/／\n\r]+")
_SPLIT_FIELDS = {LEADERS: ("leader", "point"), POINTS: (), BLOCKS: ("building",), SHOPS: ()}
# Merged down: an empty cell of these fields holds what the row above says.
_CARRIED = {LEADERS: ("leader", "title", "unit"), POINTS: ("point_type", "district", "street", "community", "unit",
                                                           "grid"),
            BLOCKS: ("estate", "community", "unit"), SHOPS: ("street", "community")}

RECORD_COLUMNS = ["sheet", "source_row", "name", "point_type", "district", "street", "community", "unit", "person",
                  "phone", "grid", "leader", "title", "building", "address", "pledge_date", "raw_pledge", "flags"]
FIELD_LABELS = {"leader": "领导姓名", "title": "职务", "point": "联系点位", "unit": "责任单位", "remark": "备注",
                "point_type": "点位类型", "district": "所属区域", "street": "所属街道", "community": "所属社区",
                "person": "责任人", "phone": "联系电话", "grid": "网格", "estate": "小区/片区", "building": "楼栋",
                "shop": "商户名称", "address": "地址", "pledge_date": "责任书签订日期"}


def _vocabulary(kind: str) -> HeaderVocabulary:
    synonyms = _SYNONYMS[kind]
    return HeaderVocabulary(functools.lru_cache(maxsize=4096)(lambda cell: match_header(cell, synonyms)),
                            _REQUIRED[kind][:1], _ROW_KEYS[kind], 3 if kind != LEADERS else 2)


_VOCABULARIES = {kind: _vocabulary(kind) for kind in KINDS}


def split_names(raw: object) -> list[str]:
    """The names one cell holds: split on 、，,；/ and new lines, each cleaned."""
    text = "" if raw is None else str(raw)
    return [name for part in NAME_SPLIT.split(text) if (name := clean_text(part))]


class RegistrySheet(KindedSheet):
    """One list, read: `rows` holds its records as they will be stored (`name` is the 点位, the leader's
    联系点位, the 小区/片区 or the shop)."""
    KIND_LABELS = KIND_LABELS

    def summary(self) -> str:
        """What the import preview and result say, e.g. 联点清单：6位领导、20个联系点位."""
        rows = self.rows
        if self.kind == LEADERS:
            return f"{self.label}：{rows['leader'].nunique()}位领导、{len(rows)}个联系点位"
        if self.kind == POINTS:
            return f"{self.label}：{rows['name'].nunique()}个点位、{rows['unit'].nunique()}个责任单位"
        if self.kind == BLOCKS:
            return f"{self.label}：{len(rows)}处小区楼栋（片区）、{rows['unit'].nunique()}个包保单位"
        unsigned = int(rows["pledge_date"].isna().sum())
        return f"{self.label}：{len(rows)}户商户，{unsigned}户未签责任书"


def _header_fields(layout: SheetLayout, grid: Grid) -> list[str]:
    return [cell for cell in grid.rows[layout.header_row] if isinstance(cell, str) and cell.strip()]


def _is_foreign(layout: SheetLayout, grid: Grid) -> bool:
    """A header naming a problem or a deduction is a ledger's or a score sheet's."""
    return any(header_field(cell) in _LEDGER_ONLY or _SCORE_WORDS.search(clean_header(cell))
               for cell in _header_fields(layout, grid))


def _candidate(kind: str, grid: Grid) -> SheetLayout | None:
    layout = find_layout(grid.sheet, grid.rows, _VOCABULARIES[kind])
    if layout is None or not set(_REQUIRED[kind]) <= set(layout.columns) or _is_foreign(layout, grid):
        return None
    if kind == BLOCKS and not ({"estate", "building"} & set(layout.columns)):
        return None
    return layout


def recognise(grids: list[Grid]) -> tuple[str, list[tuple[Grid, SheetLayout]]] | None:
    """The kind of list these grids hold and where, or None. The kind whose header names the most of
    its words wins (a 点位清单's 责任单位 also reads as a 包保一览表's)."""
    return strongest_kind(KINDS, grids, _candidate)


def _where(layout: SheetLayout, name: str) -> str:
    column = layout.columns.get(name)
    label = FIELD_LABELS.get(name, name)
    return f"{label}（{column_letter(column)}列）" if column is not None else label


def _records(kind: str, sheets: list[tuple[Grid, SheetLayout]], reference: dt.date) -> list[dict]:
    records = []
    for grid, layout in sheets:
        carried: dict[str, str] = {}
        # a sheet per district: the sheet's name stands for the district its rows leave empty
        sheet_district = grid.sheet if len(sheets) > 1 else ""
        for row in problem_rows(layout, grid.rows, _VOCABULARIES[kind]):
            texts = {name: clean_text(row.cells.get(name)) for name in layout.columns}
            for name in _CARRIED[kind]:
                if texts.get(name):
                    carried[name] = texts[name]
                elif name in carried:
                    texts[name] = carried[name]
            base = {"sheet": grid.sheet, "source_row": row.row_number, "flags": []}
            for name in ("point_type", "district", "street", "community", "unit", "person", "phone", "grid",
                         "title", "address"):
                base[name] = texts.get(name) or None
            if kind == POINTS and not base["district"]:
                base["district"] = base["street"] or sheet_district or None
            if kind == LEADERS:
                leaders = split_names(texts.get("leader"))
                points = split_names(row.cells.get("point"))
                if not leaders:
                    base["flags"].append(f"{_where(layout, 'leader')}为空")
                if not points:
                    continue  # a leader's row with no point (a note under the name) holds nothing
                for leader in leaders or [None]:
                    for point in points:
                        records.append({**base, "flags": list(base["flags"]), "name": point, "leader": leader})
            elif kind == BLOCKS:
                estate = texts.get("estate") or ""
                for building in split_names(row.cells.get("building")) or [None]:
                    records.append({**base, "name": estate or building, "building": building,
                                    "flags": [] if estate else [f"{_where(layout, 'estate')}为空"]})
            else:
                name = texts.get("point" if kind == POINTS else "shop")
                if not name:
                    continue
                record = {**base, "name": name}
                if kind == SHOPS:
                    reading = dates.read_date_cell(row.cells.get("pledge_date"))
                    record["pledge_date"] = dates.resolve_past(reading, reference)
                    record["raw_pledge"] = reading.raw or None
                    if reading.raw and record["pledge_date"] is None:
                        record["flags"].append(f"{_where(layout, 'pledge_date')}“{reading.raw}”无法识别")
                records.append(record)
    return [{name: record.get(name) for name in RECORD_COLUMNS} for record in records]


def read_registry_sheet(path: Path, *, grids: list[Grid] | None = None, today: dt.date | None = None,
                        limits: ReadLimits = ReadLimits()) -> RegistrySheet | None:
    """The file read as one of the four lists, or None when it is none of them. Raises FileRefused
    (Chinese, naming the file and sheets) when it is one but holds no row."""
    path = Path(path)
    found = recognise_file(path, grids, limits, recognise)
    if found is None:
        return None
    kind, layouts = found.kind, found.layouts
    records = _records(kind, found.sheets, found.report_date or today or dt.date.today())
    if not records:
        raise found.refusal_for_no_records(path, KIND_LABELS[kind])
    import pandas as pd

    rows = pd.DataFrame.from_records(records, columns=RECORD_COLUMNS)
    warnings = []
    if kind == LEADERS and "title" not in layouts[0].columns:
        warnings.append("联点清单没有“职务”列")
    return RegistrySheet(kind, path.name, found.report_date, rows, layouts, warnings)
