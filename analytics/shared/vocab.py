"""The words units use: header spellings, 点位类型 aliases and 问题类别, read by meaning (statuses and
sources: analytics.shared.office_words)."""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"

# Canonical ledger fields and the header spellings that mean them. Matching is on the cleaned header
# (no spaces, brackets or line breaks), exact first, then by the longest contained synonym.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "serial_no": ("序号", "编号", "问题编号", "序列号", "台账编号", "问题序号", "no"),
    "point_type": ("点位类型", "点位类别", "问题点位类型", "点位分类", "测评点位类型", "点位种类", "类型"),
    "point_name": ("点位名称", "具体点位", "点位", "问题点位", "点位名", "具体位置", "问题地点", "地点",
                   "位置", "问题位置", "点位地址", "地址"),
    "description": ("问题描述", "存在问题", "问题内容", "问题", "具体问题", "问题情况", "主要问题",
                    "发现问题", "问题表现"),
    "category": ("问题类别", "指标类别", "问题类型", "问题分类", "测评指标", "指标类型", "类别"),
    "found_date": ("发现时间", "交办日期", "发现日期", "交办时间", "检查日期", "检查时间", "督查日期",
                   "督查时间", "发现时间交办时间", "登记日期", "发现问题时间", "发现问题日期"),
    "unit": ("责任单位", "责任部门", "整改单位", "整改责任单位", "责任主体", "牵头单位", "承办单位"),
    "district": ("所属区县", "所属街道", "所属区域", "区县", "街道", "辖区", "所属辖区", "所属镇街"),
    "deadline": ("整改时限", "完成时限", "整改期限", "整改时间要求", "时限", "要求完成时间",
                 "整改截止日期", "截止日期", "限期"),
    "status": ("整改状态", "整改情况", "整改进度", "整改落实情况", "整改进展", "完成情况", "状态",
               "是否整改", "是否完成", "办理状态", "处理状态"),
    "done_yes_no": ("是否整改到位", "是否整改完成", "是否已整改", "是否到位", "整改是否到位"),
    "rectified_date": ("整改完成时间", "完成日期", "完成时间", "整改完成日期", "整改日期", "实际完成时间"),
    "closed_date": ("销号日期", "销号时间", "核销日期", "验收销号日期", "验收日期"),
    "remark": ("备注", "说明", "备注说明", "整改情况说明"),
    "source": ("问题来源", "来源", "发现渠道", "问题渠道", "发现方式", "检查类型", "线索来源"),
    # a 交办单 carries each problem's identity (analytics.exports.tasks): in 系统编号, and in 交办编号 in
    # the sheets sent before it showed a readable number there
    "problem_key": ("系统编号", "交办编号"),
    # picture columns (analytics.photos): exact and longer than 问题, so 问题照片 is never the description
    "photo_before": ("整改前", "整改前照片", "问题照片", "现场照片", "发现照片", "整改前图片", "问题图片",
                     "现场图片"),
    "photo_after": ("整改后", "整改后照片", "整改照片", "佐证", "佐证照片", "佐证材料", "完成照片",
                    "整改后图片", "整改图片"),
    # a 门前四包 督查 row names the shop answering for its door (analytics.registry)
    "shop": ("商户名称", "门店名称", "经营户名称", "商铺名称", "店铺名称", "商户", "门店", "经营户"),
}

# The columns of a 模拟测评 score sheet: 扣分明细, 点位得分表 and 得分汇总 name them these ways.
SCORE_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "serial_no": ("序号", "编号", "no"),
    "round": ("轮次", "测评轮次", "批次", "测评批次"),
    "eval_date": ("测评日期", "测评时间", "检查日期", "检查时间", "暗访日期", "日期", "时间"),
    "point_type": ("点位类型", "点位类别", "点位分类", "测评点位类型", "类型", "类别"),
    "point_name": ("点位名称", "具体点位", "点位", "测评点位", "点位名", "具体位置", "地点"),
    "unit": ("责任单位", "包保单位", "责任部门", "包保部门", "牵头单位", "包联单位", "主管单位", "所属单位"),
    "item": ("测评项目", "项目", "扣分项目", "扣分项", "测评指标", "指标", "一级指标", "指标类别"),
    "standard": ("测评标准", "测评内容", "评分标准", "测评要求", "考评标准", "扣分标准", "标准", "二级指标",
                 "具体标准"),
    "max_points": ("分值", "标准分值", "标准分", "满分", "满分值"),
    "deduction": ("扣分", "扣分值", "扣分数", "实际扣分", "扣除分值", "扣分分值", "扣分合计", "合计扣分"),
    "reason": ("存在问题", "扣分原因", "扣分理由", "扣分说明", "问题描述", "问题", "主要问题", "扣分情况说明"),
    "score": ("得分", "点位得分", "实得分", "综合得分", "测评得分", "最终得分", "总得分", "实际得分"),
    "remark": ("备注", "说明"),
}

FIELD_LABELS = {
    "serial_no": "序号", "point_type": "点位类型", "point_name": "点位名称", "description": "问题描述",
    "category": "问题类别", "found_date": "发现日期", "unit": "责任单位", "district": "所属区域",
    "deadline": "整改时限", "status": "整改状态", "done_yes_no": "是否整改到位",
    "rectified_date": "整改完成日期", "closed_date": "销号日期", "remark": "备注", "source": "问题来源",
    "problem_key": "交办编号", "photo_before": "整改前照片", "photo_after": "整改后照片", "shop": "商户名称",
}

# The picture columns' fields and the kind of picture each holds.
PHOTO_FIELDS = {"photo_before": "before", "photo_after": "after"}

# Fields that identify a row as a problem: a header row must name some of these.
SUBSTANTIVE_FIELDS = ("point_type", "point_name", "description", "status", "done_yes_no")

_DECORATION = re.compile(r"[（(][^（()）]*[)）]|[\s\u3000]+")


def clean_text(value: object) -> str:
    """Cell text with surrounding and doubled white space removed; '' for empty cells."""
    if value is None:
        return ""
    # split() breaks on exactly what re's \s matches (U+3000 included): the same result as a
    # strip and a regex substitution, several times faster on the hundreds of thousands of
    # cells of a morning's ledgers.
    return " ".join(str(value).split())


_HEADER_NOISE = re.compile(r"[\s\u3000*＊:：]+")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")


def clean_header(value: object) -> str:
    """A header as compared with the synonyms: no spaces, line breaks, brackets or trailing colons."""
    text = _HEADER_NOISE.sub("", clean_text(value))
    return _BRACKETED.sub("", text) or text


# A header cell is at most this many characters longer than the field word it contains.
PROSE_MARGIN = 4


# Every cell of a data row is asked (a repeated header row is skipped): a ledger's distinct cells run to
# tens of thousands, and a worker parses a whole batch.
@functools.lru_cache(maxsize=1 << 16)
def header_field(header: str) -> str | None:
    """The canonical ledger field a header cell names, or None."""
    return match_header(header, HEADER_SYNONYMS)


@functools.lru_cache(maxsize=1 << 12)
def score_header_field(header: str) -> str | None:
    """The canonical score-sheet field a header cell names, or None."""
    return match_header(header, SCORE_HEADER_SYNONYMS)


@dataclass(frozen=True)
class _Spellings:
    """A synonyms table arranged for matching: each spelling's field (the first field that lists it),
    the spellings of two characters or more longest first (a table's order among equals), where in that
    order the spellings starting with each character are, and the longest spelling."""
    table: dict[str, tuple[str, ...]]
    exact: dict[str, str]
    longest_first: list[tuple[str, str]]
    starting_with: dict[str, tuple[int, ...]]
    longest: int

    def first_contained(self, name: str) -> tuple[str, str] | None:
        """The first of longest_first that `name` contains: found from the spellings starting at each
        of its characters, as most cells (a 点位's name, a unit) start none and contain none."""
        first = None
        for position, character in enumerate(name):
            for index in self.starting_with.get(character, ()):
                if (first is None or index < first) and name.startswith(self.longest_first[index][0], position):
                    first = index
        return None if first is None else self.longest_first[first]


_ARRANGED: dict[int, _Spellings] = {}


def _arranged(synonyms: dict[str, tuple[str, ...]]) -> _Spellings:
    """Arranged once per table: the tables are made once and never changed (the entry keeps the
    table itself, so its id cannot be taken by another)."""
    found = _ARRANGED.get(id(synonyms))
    if found is None or found.table is not synonyms:
        pairs = [(spelling, field) for field, spellings in synonyms.items() for spelling in spellings]
        exact: dict[str, str] = {}
        for spelling, field in pairs:
            exact.setdefault(spelling, field)
        longest_first = sorted(((s, f) for s, f in pairs if len(s) >= 2), key=lambda pair: -len(pair[0]))
        starting_with: dict[str, tuple[int, ...]] = {}
        for index, (spelling, _) in enumerate(longest_first):
            starting_with[spelling[0]] = (*starting_with.get(spelling[0], ()), index)
        found = _ARRANGED[id(synonyms)] = _Spellings(
            synonyms, exact, longest_first, starting_with, max((len(s) for s, _ in pairs), default=0))
    return found


def match_header(header: str, synonyms: dict[str, tuple[str, ...]]) -> str | None:
    """The field of `synonyms` a header names: an exact spelling first, else the longest one it contains."""
    name = clean_header(header).lower()
    if not name:
        return None
    spellings = _arranged(synonyms)
    if name in spellings.exact:
        return spellings.exact[name]
    # A long cell that merely mentions a field word is prose (an instruction, a description), not a header.
    if len(name) > spellings.longest + PROSE_MARGIN:
        return None
    contained = spellings.first_contained(name)
    if contained is None:
        return None
    spelling, field = contained
    return field if len(name) <= len(spelling) + PROSE_MARGIN else None


def clean_point_type(raw: str) -> str:
    """Strip what units decorate names with: bracketed notes, spaces, a trailing 类."""
    name = _DECORATION.sub("", raw or "")
    name = name.strip("、，,;；。.")
    if name.endswith("类") and len(name) > 2:
        name = name[:-1]
    return name


@functools.lru_cache(maxsize=1)
def default_point_type_aliases() -> dict[str, str]:
    """alias → canonical for the 26 types of the national manual, canonical names included."""
    aliases: dict[str, str] = {}
    with open(DEFAULTS_DIR / "point_types.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            aliases[row["canonical"]] = row["canonical"]
            for alias in filter(None, row["aliases"].split("|")):
                aliases[alias] = row["canonical"]
    return aliases


def canonical_point_types() -> list[str]:
    return list(dict.fromkeys(default_point_type_aliases().values()))


def normalise_point_type(raw: str, aliases: dict[str, str]) -> tuple[str | None, bool]:
    """(type, known). Unknown types keep their cleaned name so nothing is dropped."""
    name = clean_point_type(raw)
    if not name:
        return None, False
    if name in aliases:
        return aliases[name], True
    bare = re.sub(r"[（(].*$", "", clean_text(raw)).strip()  # 农贸市场(菜市场 with an unclosed bracket
    if bare in aliases:
        return aliases[bare], True
    return name, False


# A row without its 点位 is kept (a ledger's problem, a score sheet's deduction) and flagged so.
POINT_NAME_MISSING = "点位名称为空"


def unclassified_flag(raw: str) -> str:
    """The reason a row whose 点位类型 is unknown carries; cleared when an alias maps it."""
    return f"点位类型“{raw}”未归类"


@functools.lru_cache(maxsize=1)
def _categories() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    with open(DEFAULTS_DIR / "categories.csv", encoding="utf-8") as handle:
        return [(row["canonical"], tuple(filter(None, row["aliases"].split("|"))),
                 tuple(filter(None, row["keywords"].split("|")))) for row in csv.DictReader(handle)]


def normalise_category(raw: str, description: str) -> str | None:
    """What the unit wrote, mapped to a bulletin category where known; guessed from the description
    only when the ledger has no category at all."""
    name = clean_point_type(raw)
    if name:
        for canonical, aliases, _ in _categories():
            if name == canonical or name in aliases:
                return canonical
        return name
    best: tuple[int, str] | None = None  # the longest keyword wins: 机动车乱停乱放 is traffic, not 乱放
    for canonical, _, keywords in _categories():
        for word in keywords:
            if word in description and (best is None or len(word) > best[0]):
                best = (len(word), canonical)
    return best[1] if best else None
