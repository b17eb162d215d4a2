"""The three sheets of 测评 readiness, recognised by what they hold, read without touching the database:

- 测评体系分解表: one row per 测评标准 with its 分值, 测评方式 (实地考察 · 网上申报 · 问卷调查) and 牵头单位;
- 网上申报 status: one row per standard (and unit) with its 报送状态, 退回原因 and 截止时间;
- 问卷调查 results: 知晓率, 支持率, 参与率, 满意度 by round and area, written 0.87, 87% or 87, as columns
  (wide), as an indicator column with a value column (long), or with the areas as columns (transposed).

Header rows are found as ledgers' are (analytics.shared.reading.layout), with each kind's own words. A sheet
that names 点位 or 问题描述 or 扣分 is a ledger's or a score sheet's, never one of these.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import analytics.shared.reading.dates as dates
from analytics.readiness.words import (CATALOGUE, FIELD_METHOD, INDICATORS, KIND_LABELS, MATERIALS, METHODS, MISSING,
                                       ONLINE_METHOD, PASSED, PENDING, RETURNED, SUBMISSION_STATUSES, SURVEY,
                                       SURVEY_METHOD, WHOLE_AREA, standard_key)
from analytics.scores.rounds import SURVEY_ROUND_WORDS, read_round_cell
from analytics.shared.reading.layout import (CarryDown, HeaderVocabulary, SheetLayout, column_letter, find_layout,
                                            problem_rows)
from analytics.shared.sheet_imports import KindedSheet, recognise_file, strongest_kind
from analytics.shared.reading.reader import Grid, ReadLimits
from analytics.shared.vocab import clean_header, clean_text, header_field, match_header


_CATALOGUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "serial_no": ("序号", "编号"),
    "item": ("测评项目", "项目", "一级指标", "测评项目一级指标", "测评类别"),
    "content": ("测评内容", "内容", "二级指标", "测评内容二级指标", "测评指标"),
    "standard": ("测评标准", "标准", "三级指标", "测评标准三级指标", "具体标准", "测评要求", "评分标准",
                 "测评细则", "标准内容"),
    "points": ("分值", "分数", "标准分值", "满分", "分值分", "测评分值", "标准分"),
    "method": ("测评方式", "测评方法", "考核方式", "评价方式", "测评形式", "方式"),
    "lead_unit": ("牵头单位", "牵头部门", "主责单位", "牵头责任单位", "牵头"),
    "unit": ("责任单位", "责任部门", "配合单位", "责任主体"),
}
_MATERIALS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "serial_no": ("序号", "编号"),
    "item": ("测评项目", "项目", "一级指标"),
    "content": ("测评内容", "二级指标"),
    "standard": ("测评标准", "标准", "三级指标", "申报项目", "申报内容", "申报材料", "材料名称", "申报标准",
                 "测评标准内容"),
    "unit": ("责任单位", "报送单位", "牵头单位", "责任部门", "填报单位", "申报单位", "上传单位"),
    "status": ("报送状态", "审核状态", "报送情况", "上传状态", "材料状态", "审核结果", "审核情况", "申报状态",
               "报送进度", "状态"),
    "reason": ("退回原因", "退回理由", "审核意见", "驳回原因", "退回意见", "未通过原因", "原因"),
    "deadline": ("截止时间", "截止日期", "报送时限", "完成时限", "报送截止时间", "时限", "截止"),
    "points": ("分值", "标准分值", "分数"),
    "remark": ("备注", "说明", "备注说明"),
}
_SURVEY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "round": ("调查轮次", "轮次", "测评轮次", "批次", "调查批次", "期次", "轮次名称"),
    # no bare 街道/城区: area names (城关街道, 东城区) contain them and would read as headers
    "area": ("区域", "地区", "区县", "片区", "调查区域", "调查地区", "辖区", "所属区域", "区县市", "县区",
             "所属街道", "镇街", "县", "区", "县市区", "市县区", "街镇"),
    "indicator": ("指标", "调查指标", "指标名称", "调查项目", "调查内容", "测评指标"),
    "value": ("调查结果", "结果", "数值", "比率", "得分率", "百分比", "占比", "比例", "得分", "调查得分"),
}
_INDICATOR_WORDS = {"知晓": "知晓率", "支持": "支持率", "参与": "参与率", "满意": "满意度"}

# Header words of a ledger or a score sheet: a sheet whose header names them is not one of these.
_FOREIGN_LEDGER_FIELDS = {"point_name", "description", "point_type"}
_FOREIGN_WORDS = re.compile(r"扣分|得分$|点位")


def normalise_method(raw: object) -> str | None:
    """实地考察 / 网上申报 / 问卷调查 by meaning (网上材料审核, 材料审核, 实地测评, 入户调查 …)."""
    text = clean_header(raw)
    if not text:
        return None
    if re.search(r"问卷|调查|访谈|电话|入户", text) and "实地调查" not in text:
        return SURVEY_METHOD
    if re.search(r"网上|网络|线上|材料|申报|资料|台账|报送", text):
        return ONLINE_METHOD
    if re.search(r"实地|现场|考察|察看|暗访|检查|查看|走访", text):
        return FIELD_METHOD
    return None


_MISSING_WORDS = re.compile(r"未报送|未上传|未提交|未报|未填报|未申报|没有报送|尚未|缺报|暂无|^无$|^否$|^未$")
_RETURNED_WORDS = re.compile(r"退回|驳回|未通过|不通过|没通过|不合格|需修改|需补充|待补充|补充材料|待修改|重新报送|打回|"
                             r"不达标|未达标|不符合|不对标")
_PASSED_WORDS = re.compile(r"通过|合格|达标|^是$|^√$|已审核|审核完成|已采纳")
_PENDING_WORDS = re.compile(r"报送|上传|提交|待审|审核中|审核|已报|已传|待复核|复核中")


def normalise_submission(raw: object) -> str | None:
    """已通过 / 待审核 / 被退回 / 未报送 by meaning, or None when the words say nothing."""
    text = re.sub(r"[\s\u3000，,。.、;；!！]+", "", clean_text(raw))
    if not text:
        return None
    for status, words in ((MISSING, _MISSING_WORDS), (RETURNED, _RETURNED_WORDS), (PASSED, _PASSED_WORDS),
                          (PENDING, _PENDING_WORDS)):
        if words.search(text):
            return status
    return None


def indicator_of(raw: object) -> str | None:
    """知晓率 / 支持率 / 参与率 / 满意度 from a header or cell that names one (知晓度, 市民满意率 …)."""
    text = clean_header(raw)
    found = [name for word, name in _INDICATOR_WORDS.items() if word in text]
    return found[0] if len(found) == 1 and len(text) <= 12 else None


_NUMBER = re.compile(r"^[+]?(\d+(?:\.\d+)?)\s*(%|％|分)?$")


def read_rate(value: object) -> float | None:
    """A rate as a fraction: 0.87, '87%', 87 and '87.0' all read 0.87; None when unreadable or not
    between 0 and 100 %. A number up to 1 is a fraction, above it a percentage."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number, percent = float(value), False
    else:
        match = _NUMBER.match(clean_text(value).replace(" ", ""))
        if not match:
            return None
        number, percent = float(match.group(1)), match.group(2) in ("%", "％")
    if percent or number > 1:
        number /= 100
    return number if 0 <= number <= 1 else None


def read_points(value: object) -> float | None:
    """A 分值: 5, '5', '5分', '5.0'; None when unreadable or negative."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 else None
    match = _NUMBER.match(clean_text(value).replace(" ", ""))
    if not match or match.group(2) in ("%", "％"):
        return None
    return float(match.group(1))


_UNIT_SPLIT = re.compile(r"[、,，;；/／\s]+")
_UNIT_NOTE = re.compile(r"[（(][^（()）]*[)）]")


def lead_unit(raw: object) -> str | None:
    """The first unit a cell names, without notes such as （牵头）: the one that answers for it."""
    text = _UNIT_NOTE.sub("", clean_text(raw))
    parts = [part for part in _UNIT_SPLIT.split(text) if part]
    return parts[0] if parts else None


def _vocabulary(synonyms: dict[str, tuple[str, ...]], required: tuple[str, ...], row_keys: tuple[str, ...],
                min_fields: int) -> HeaderVocabulary:
    return HeaderVocabulary(functools.lru_cache(maxsize=4096)(lambda cell: match_header(cell, synonyms)),
                            required, row_keys, min_fields)


def _survey_field(cell: str) -> str | None:
    return indicator_of(cell) or match_header(cell, _SURVEY_SYNONYMS)


_VOCABULARIES = {
    CATALOGUE: _vocabulary(_CATALOGUE_SYNONYMS, ("standard",), ("standard", "content"), 3),
    MATERIALS: _vocabulary(_MATERIALS_SYNONYMS, ("status",), ("standard", "content"), 2),
    SURVEY: HeaderVocabulary(functools.lru_cache(maxsize=4096)(_survey_field),
                             (*INDICATORS, "indicator"), ("round", "area", "indicator"), 1),
}
# A transposed survey's header names one field (调查指标), as each of its data rows does (知晓率): under
# the header only a row naming two fields is a repeated header.
_SURVEY_BODY = HeaderVocabulary(_VOCABULARIES[SURVEY].field_of, _VOCABULARIES[SURVEY].required,
                                _VOCABULARIES[SURVEY].row_keys, 2)


class ReadinessSheet(KindedSheet):
    """One file of one kind, read: `rows` holds the records as they will be stored."""
    KIND_LABELS = KIND_LABELS

    def summary(self) -> str:
        """What the import preview and the import result say (e.g. 网上申报材料报送情况：20项，已通过12项…)."""
        rows = self.rows
        if self.kind == CATALOGUE:
            by_method = rows["method"].value_counts()
            parts = "、".join(f"{method}{by_method[method]}项" for method in METHODS if method in by_method)
            return f"{self.label}：{len(rows)}项测评标准（{parts or '测评方式未识别'}）"
        if self.kind == MATERIALS:
            by_status = rows["status"].value_counts()
            parts = "，".join(f"{status}{by_status[status]}项" for status in SUBMISSION_STATUSES
                             if status in by_status)
            return f"{self.label}：{len(rows)}项，{parts}"
        rounds = list(dict.fromkeys(rows["round"]))
        areas = rows["area"].nunique()
        return f"{self.label}：{'、'.join(rounds)}，{areas}个区域，{rows['indicator'].nunique()}项指标"


def _is_foreign(layout: SheetLayout, rows: list[list[object]]) -> bool:
    """A header that names a 点位, a problem or a deduction belongs to a ledger or a score sheet."""
    header = rows[layout.header_row]
    for cell in header:
        if isinstance(cell, str) and cell.strip():
            if header_field(cell) in _FOREIGN_LEDGER_FIELDS or _FOREIGN_WORDS.search(clean_header(cell)):
                return True
    return False


def _candidate(kind: str, grid: Grid) -> SheetLayout | None:
    layout = find_layout(grid.sheet, grid.rows, _VOCABULARIES[kind])
    if layout is None or _is_foreign(layout, grid.rows):
        return None
    columns = layout.columns
    if kind == CATALOGUE and not ({"standard", "points"} <= set(columns)
                                  and ("method" in columns or normalise_method(grid.sheet))
                                  and not _names_status(grid.rows[layout.header_row])):
        return None
    if kind == MATERIALS:
        if "standard" not in columns and "content" not in columns:
            return None
        statuses = [normalise_submission(row.cells.get("status"))
                    for row in problem_rows(layout, grid.rows, _VOCABULARIES[kind])]
        read = [status for status in statuses if status]
        if not read or len(read) * 2 < len(statuses):
            return None
    if kind == SURVEY and not _survey_shape(layout, grid.rows):
        return None
    return layout


def _names_status(header: list[object]) -> bool:
    """A 报送状态 column: a status sheet that also lists 分值 and 测评方式 is no catalogue."""
    return any(isinstance(cell, str) and _VOCABULARIES[MATERIALS].field_of(cell) == "status" for cell in header)


def _survey_shape(layout: SheetLayout, rows: list[list[object]]) -> str | None:
    """wide (indicators as columns), long (an indicator and a value column) or transposed (an indicator
    column, the areas as columns); None when the cells do not hold rates."""
    columns = layout.columns
    body = [row for row in rows[layout.header_row + 1:] if any(clean_text(cell) for cell in row)]
    if any(name in columns for name in INDICATORS):
        rates = [read_rate(row[columns[name]]) for row in body for name in INDICATORS
                 if name in columns and columns[name] < len(row) and clean_text(row[columns[name]])]
        return "wide" if rates and sum(rate is not None for rate in rates) * 2 >= len(rates) else None
    if "indicator" not in columns:
        return None
    named = [indicator_of(row[columns["indicator"]]) for row in body if columns["indicator"] < len(row)]
    if sum(name is not None for name in named) < 1:
        return None
    return "long" if "value" in columns else ("transposed" if _area_columns(layout, rows) else None)


def _area_columns(layout: SheetLayout, rows: list[list[object]]) -> dict[int, str]:
    """In a transposed survey sheet: the header cells that are not fields are the areas."""
    header = rows[layout.header_row]
    taken = set(layout.columns.values()) | {i for extra in layout.duplicated.values() for i in extra}
    return {index: clean_text(cell) for index, cell in enumerate(header)
            if index not in taken and clean_text(cell) and not re.match(r"^(序号|编号|备注|说明)$", clean_text(cell))}


def recognise(grids: list[Grid]) -> tuple[str, list[tuple[Grid, SheetLayout]]] | None:
    """The kind of readiness sheet these grids hold and where, or None (then they may be a ledger or a
    score sheet). The kind whose header names the most of its words wins; ties go to the first sheet."""
    return strongest_kind((CATALOGUE, MATERIALS, SURVEY), grids, _candidate)


def _where(layout: SheetLayout, name: str, label: str) -> str:
    column = layout.columns.get(name)
    return f"{label}（{column_letter(column)}列）" if column is not None else label


def _catalogue_rows(sheets: list[tuple[Grid, SheetLayout]]) -> list[dict]:
    records = []
    for grid, layout in sheets:
        vocabulary = _VOCABULARIES[CATALOGUE]
        sheet_method = normalise_method(grid.sheet) if "method" not in layout.columns else None
        # 测评项目, 测评内容, 测评方式 and 牵头单位 are often merged down the rows of their standards
        merged = CarryDown(("item", "content", "method", "lead_unit", "unit"))
        for row in problem_rows(layout, grid.rows, vocabulary):
            flags = []
            texts = merged.fill({name: clean_text(row.cells.get(name)) for name in
                                 ("item", "content", "standard", "method", "lead_unit", "unit")})
            standard = texts["standard"] or texts["content"]
            if not standard:
                flags.append(f"{_where(layout, 'standard', '测评标准')}为空")
            raw_points = row.cells.get("points")
            points = read_points(raw_points)
            if points is None:
                flags.append(f"{_where(layout, 'points', '分值')}“{clean_text(raw_points)}”无法识别，按0分计")
            method = sheet_method or normalise_method(texts["method"])
            if method is None:
                flags.append(f"{_where(layout, 'method', '测评方式')}“{texts['method']}”无法识别")
            records.append({
                "sheet": grid.sheet, "source_row": row.row_number, "item": texts["item"] or None,
                "content": texts["content"] or None, "standard": standard or None,
                "standard_key": standard_key(standard), "points": points or 0.0,
                "method": method, "method_raw": texts["method"] or grid.sheet,
                "unit": lead_unit(texts["lead_unit"] or texts["unit"]), "flags": flags})
    return records


def _bracketed(text: str) -> str | None:
    found = re.search(r"[（(]([^（()）]+)[)）]", text)
    return found.group(1) if found else None


def _materials_rows(sheets: list[tuple[Grid, SheetLayout]], reference: dt.date) -> list[dict]:
    records = []
    for grid, layout in sheets:
        for row in problem_rows(layout, grid.rows, _VOCABULARIES[MATERIALS]):
            flags = []
            standard = clean_text(row.cells.get("standard")) or clean_text(row.cells.get("content"))
            if not standard:
                flags.append(f"{_where(layout, 'standard', '测评标准')}为空")
            raw_status = clean_text(row.cells.get("status"))
            status = normalise_submission(raw_status)
            # 报送状态 beside 审核状态: what the audit says wins over "sent"
            for column in layout.duplicated.get("status", []):
                source = grid.rows[row.row_number - 1]
                extra_raw = clean_text(source[column]) if column < len(source) else ""
                extra = normalise_submission(extra_raw)
                if extra is not None and (status in (None, PENDING) or extra == RETURNED):
                    status, raw_status = extra, "／".join(filter(None, (raw_status, extra_raw)))
            if status is None:
                flags.append(f"{_where(layout, 'status', '报送状态')}"
                             + (f"“{raw_status}”无法识别，按未报送计" if raw_status else "为空，按未报送计"))
                status = MISSING
            # 退回（图片质量不达标）: the reason written into the status
            reason = clean_text(row.cells.get("reason")) or (
                (_bracketed(raw_status) or clean_text(row.cells.get("remark")) or None) if status == RETURNED else None)
            if status == RETURNED and not reason:
                flags.append("被退回但未写明退回原因")
            reading = dates.read_date_cell(row.cells.get("deadline"))
            deadline = dates.resolve_deadline(reading, None, reference)
            if reading.unreadable or (reading.raw and deadline is None):
                flags.append(f"{_where(layout, 'deadline', '截止时间')}“{reading.raw}”无法识别")
            raw_points = row.cells.get("points")
            points = read_points(raw_points) if clean_text(raw_points) else None
            records.append({
                "sheet": grid.sheet, "source_row": row.row_number, "standard": standard or None,
                "standard_key": standard_key(standard), "unit": lead_unit(row.cells.get("unit")),
                "status": status, "status_raw": raw_status or None, "reason": reason,
                "deadline": deadline, "raw_deadline": reading.raw or None, "points": points, "flags": flags})
    return records


def _survey_rows(sheets: list[tuple[Grid, SheetLayout]], path: Path) -> list[dict]:
    records = []
    for grid, layout in sheets:
        shape = _survey_shape(layout, grid.rows)
        # a round not in a column comes from the sheet name, the titles or the file name
        stated = next((found for text in [grid.sheet, *layout.title_lines, path.stem]
                       if (found := read_round_cell(text, SURVEY_ROUND_WORDS)) and found[1] is not None), None)
        columns = layout.columns
        merged = CarryDown(("round",))
        for row in problem_rows(layout, grid.rows, _SURVEY_BODY):
            round_cell = merged.fill({"round": row.cells.get("round")})["round"] if "round" in columns else None
            round_ = read_round_cell(round_cell, SURVEY_ROUND_WORDS) or stated or ("本轮", None)
            area = clean_text(row.cells.get("area")) or WHOLE_AREA
            if shape == "wide":
                cells = [(name, row.cells.get(name), columns[name], area) for name in INDICATORS if name in columns]
            else:
                indicator = indicator_of(row.cells.get("indicator"))
                if indicator is None:
                    continue  # a row of the indicator column that is no rate (综合, 样本量 …)
                if shape == "long":
                    cells = [(indicator, row.cells.get("value"), columns["value"], area)]
                else:
                    source = grid.rows[row.row_number - 1]
                    cells = [(indicator, source[i] if i < len(source) else "", i, name)
                             for i, name in _area_columns(layout, grid.rows).items()]
            for indicator, raw, column, cell_area in cells:
                cell_round = round_
                as_round = read_round_cell(cell_area, SURVEY_ROUND_WORDS) if shape == "transposed" else None
                if as_round and as_round[1] is not None:
                    cell_round, cell_area = as_round, area  # the columns are rounds, not areas
                text = clean_text(raw)
                if not text:
                    continue
                rate = read_rate(raw)
                cell_flags = []
                if rate is None:
                    cell_flags.append(f"{indicator}（{column_letter(column)}列）“{text}”无法识别为比率")
                records.append({
                    "sheet": grid.sheet, "source_row": row.row_number, "round": cell_round[0],
                    "round_no": cell_round[1], "area": cell_area, "indicator": indicator, "rate": rate,
                    "raw": text, "flags": cell_flags})
    return _without_summary_areas(records)


_SUMMARY_AREAS = re.compile(r"^(全市|全区|全县|全市平均|平均|平均值|均值|总体|综合|合计|全部)$")


def _without_summary_areas(records: list[dict]) -> list[dict]:
    """A 全市/平均 row beside the areas of its round summarises them: the mean is taken over the areas."""
    named_rounds = {record["round"] for record in records if not _SUMMARY_AREAS.match(record["area"])}
    return [record for record in records
            if not (_SUMMARY_AREAS.match(record["area"]) and record["round"] in named_rounds)]


# What each field of the three kinds is called in the import preview.
FIELD_LABELS = {
    "serial_no": "序号", "item": "测评项目", "content": "测评内容", "standard": "测评标准", "points": "分值",
    "method": "测评方式", "lead_unit": "牵头单位", "unit": "责任单位", "status": "报送状态", "reason": "退回原因",
    "deadline": "截止时间", "remark": "备注", "round": "调查轮次", "area": "区域", "indicator": "调查指标",
    "value": "调查结果", **{name: name for name in INDICATORS},
}

RECORD_COLUMNS = {
    CATALOGUE: ["sheet", "source_row", "item", "content", "standard", "standard_key", "points", "method",
                "method_raw", "unit", "flags"],
    MATERIALS: ["sheet", "source_row", "standard", "standard_key", "unit", "status", "status_raw", "reason",
                "deadline", "raw_deadline", "points", "flags"],
    SURVEY: ["sheet", "source_row", "round", "round_no", "area", "indicator", "rate", "raw", "flags"],
}


def read_readiness_sheet(path: Path, *, grids: list[Grid] | None = None, today: dt.date | None = None,
                         limits: ReadLimits = ReadLimits()) -> ReadinessSheet | None:
    """The file read as one of the three kinds, or None when it is none of them. Raises FileRefused
    (Chinese, naming file and sheet) when it is one of them but holds nothing usable."""
    path = Path(path)
    found = recognise_file(path, grids, limits, recognise)
    if found is None:
        return None
    kind, sheets, layouts, report_date = found.kind, found.sheets, found.layouts, found.report_date
    if kind == CATALOGUE:
        records = _catalogue_rows(sheets)
    elif kind == MATERIALS:
        records = _materials_rows(sheets, report_date or today or dt.date.today())
    else:
        records = _survey_rows(sheets, path)
    others = [grid.sheet for grid in found.grids if grid.sheet not in {layout.sheet for layout in layouts}
              and any(_candidate(other, grid) for other in KIND_LABELS if other != kind)]
    if not records:
        raise found.refusal_for_no_records(path, KIND_LABELS[kind])
    import pandas as pd

    rows = pd.DataFrame.from_records(records, columns=RECORD_COLUMNS[kind])
    warnings = []
    if kind == SURVEY and rows["round_no"].isna().all() and (rows["round"] == "本轮").all():
        warnings.append("未找到调查轮次（轮次列、工作表名、标题或文件名中的“第N轮”），记为“本轮”")
    if others:
        warnings.append(f"工作表{'、'.join(f'“{name}”' for name in others)}像是另一种表，未导入：请把"
                        f"{KIND_LABELS[kind]}之外的表另存为单独的文件再导入")
    if kind == CATALOGUE and not rows["method"].eq(ONLINE_METHOD).any():
        warnings.append("测评体系中没有“网上申报”方式的测评标准，网上申报得分无法计算")
    return ReadinessSheet(kind, path.name, report_date, rows, layouts, warnings)
