"""Deterministic readiness sheets for tests, the demo campaign and benchmarks: a 测评体系分解表, the 网上申报
status sheet and 问卷调查 results, written as offices write them (title rows, merged cells, other header
words, statuses and methods in several spellings, rates as 0.87 / 87% / 87, wide, long or transposed
survey sheets; .xlsx, old .xls or GBK .csv), with the figures the stated model gives for them.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import xlsxwriter
import xlwt

INDICATORS = ("知晓率", "支持率", "参与率", "满意度")
_ONLINE_STEMS = (
    "未成年人思想道德建设", "新时代文明实践中心", "志愿服务", "诚信建设", "公益广告", "文明单位创建", "文明家庭",
    "道德模范", "学雷锋志愿服务", "网络文明", "移风易俗", "文明交通", "垃圾分类", "心理健康教育", "爱国主义教育",
    "社会信用体系", "政务诚信", "文明餐桌", "城市管理执法", "无障碍环境", "全民阅读", "法治宣传教育", "生态文明",
    "公共法律服务", "文化惠民", "家庭家教家风", "文明旅游", "节约型机关", "校外教育", "关爱未成年人")
_ONLINE_SUFFIXES = ("工作机制健全", "制度落实", "活动常态开展", "宣传教育到位", "档案资料完整", "阵地建设达标",
                    "经费保障到位", "考核评价落实")
_ONLINE_ITEMS = ("思想道德建设", "公共文明与城市管理", "公共服务", "诚信建设", "未成年人思想道德建设")
_FIELD_TYPES = ("居民小区", "背街小巷", "主次干道", "主要交通路口", "农贸市场", "中小学校", "建筑工地", "景区景点",
                "公园", "公共广场", "室外公共厕所", "医院", "商场超市", "宾馆酒店", "公交站点", "社区", "政务大厅",
                "银行网点", "新时代文明实践中心", "公共文化设施", "商业大街", "窗口单位", "城乡接合部", "乡镇",
                "公交车", "出租车")
_FIELD_PHRASES = ("环境整洁、无卫生死角", "无乱贴乱画、无占道经营", "公益广告醒目、数量达标", "设施完好、无破损",
                  "秩序井然、车辆有序停放", "志愿服务岗有人值守", "文明用语、服务规范", "消防通道畅通")
_FIELD_ITEMS = ("公共环境", "市容秩序", "公益广告", "基础设施", "交通秩序", "志愿服务", "服务管理", "消防安全")
_SURVEY_STANDARDS = tuple(f"市民对创建工作的{name}" for name in INDICATORS)
ONLINE_UNITS = ("市文明办", "市委宣传部", "市教育局", "市民政局", "市城管局", "市市场监管局", "市交通运输局",
                "团市委", "市卫健委", "市住建局", "市文旅局", "市妇联", "市司法局", "市生态环境局", "市商务局",
                "市税务局", "市园林局", "市公安局", "市自然资源局", "市农业农村局")
AREAS = ("东城区", "西城区", "南湖区", "高新区", "北山县")


def numbered_areas(n: int) -> tuple[str, ...]:
    """n survey areas: the demo city's, then numbered counties (a province has about a hundred)."""
    return (*AREAS, *(f"第{i}县区" for i in range(len(AREAS) + 1, n + 1)))[:n]
_RETURN_REASONS = ("图片质量不达标", "活动内容不对标", "佐证材料不全", "时间节点不符合要求", "材料与测评标准不对应")

STATUS_WORDS = {
    "已通过": ("已通过", "审核通过", "通过"),
    "待审核": ("已报送", "待审核", "已上传"),
    "被退回": ("被退回", "已退回", "退回修改"),
    "未报送": ("未报送", "未上传"),
}
METHOD_WORDS = {
    "实地考察": ("实地考察", "实地考察", "实地测评"),
    "网上申报": ("网上申报", "网上材料审核", "材料审核"),
    "问卷调查": ("问卷调查", "问卷调查", "入户问卷调查"),
}
CATALOGUE_HEADERS = {
    "plain": ("序号", "测评项目", "测评内容", "测评标准", "分值", "测评方式", "牵头单位"),
    "other_words": ("编号", "一级指标", "二级指标", "三级指标", "标准分值", "考核方式", "责任单位"),
}
MATERIALS_HEADERS = {
    "plain": ("序号", "测评标准", "责任单位", "报送状态", "退回原因", "截止时间"),
    "other_words": ("编号", "申报项目", "报送单位", "审核状态", "审核意见", "报送时限"),
}
SURVEY_SHAPES = ("wide", "long", "transposed")
RATE_STYLES = ("fraction", "percent_text", "points", "mixed")
FORMATS = ("xlsx", "xls", "csv")


@dataclass(frozen=True)
class Standard:
    item: str
    content: str
    standard: str
    points: int
    method: str          # 实地考察 / 网上申报 / 问卷调查
    unit: str


@dataclass(frozen=True)
class Material:
    standard: str
    unit: str
    status: str          # canonical: 已通过 / 待审核 / 被退回 / 未报送
    reason: str | None
    deadline: date


@dataclass(frozen=True)
class SurveyRate:
    round_no: int
    area: str
    indicator: str
    rate: float          # a fraction with three decimals (so 87.5% is exact)


@dataclass(frozen=True)
class ReadinessSet:
    seed: int
    as_of: date
    standards: tuple[Standard, ...]
    materials: tuple[Material, ...]
    survey: tuple[SurveyRate, ...]

    def expected(self, pending_credit_pct: float = 0.0) -> dict:
        """The model's figures for this set, computed here by plain loops: 网上 (and its best case),
        问卷 (latest round), materials returned by unit, missing materials, and overdue open ones."""
        online = [s for s in self.standards if s.method == "网上申报"]
        total = sum(s.points for s in online)
        passed = pending = 0.0
        for standard in online:
            statuses = {m.status for m in self.materials if m.standard == standard.standard} or {"未报送"}
            if statuses == {"已通过"}:
                passed += standard.points
            elif statuses <= {"已通过", "待审核"}:
                pending += standard.points
        latest = max(rate.round_no for rate in self.survey)
        rates = [rate.rate for rate in self.survey if rate.round_no == latest]
        returned: dict[str, int] = {}
        for material in self.materials:
            if material.status == "被退回":
                returned[material.unit] = returned.get(material.unit, 0) + 1
        return {
            "online": 100 * (passed + pending * pending_credit_pct / 100) / total,
            "online_best": 100 * (passed + pending) / total,
            "survey": 100 * sum(rates) / len(rates),
            "survey_round": latest,
            "online_returned": dict(sorted(returned.items())),
            "online_missing": sum(m.status == "未报送" for m in self.materials),
            "online_overdue": sum(m.status != "已通过" and m.deadline < self.as_of for m in self.materials),
        }


def readiness_set(seed: int = 0, *, n_online: int = 40, n_field: int = 40, n_units: int = 12,
                  units: tuple[str, ...] | None = None, rounds: int = 3, areas: tuple[str, ...] = AREAS,
                  co_owned_share: float = 0.1, as_of: date = date(2026, 11, 20)) -> ReadinessSet:
    """A catalogue of n_online 网上申报, n_field 实地考察 and four 问卷调查 standards under n_units units
    (or the `units` given, e.g. a campaign's departments); the materials of each online standard (a
    share of them owned by two units); survey rates for `rounds` rounds and `areas`, improving round
    over round."""
    if not 1 <= n_online <= len(_ONLINE_STEMS) * len(_ONLINE_SUFFIXES):
        raise ValueError(f"n_online must be between 1 and {len(_ONLINE_STEMS) * len(_ONLINE_SUFFIXES)}")
    if not 0 <= n_field <= len(_FIELD_TYPES) * len(_FIELD_PHRASES):
        raise ValueError(f"n_field must be between 0 and {len(_FIELD_TYPES) * len(_FIELD_PHRASES)}")
    rng = random.Random(f"readiness:{seed}")
    # beyond the named departments (a province's 98 units), numbered ones
    units = tuple(units) if units else \
        (*ONLINE_UNITS, *(f"第{i}责任单位" for i in range(len(ONLINE_UNITS) + 1, n_units + 1)))[:max(2, n_units)]
    names = [(stem, suffix) for suffix in _ONLINE_SUFFIXES for stem in _ONLINE_STEMS][:n_online]
    standards = [Standard(_ONLINE_ITEMS[i % len(_ONLINE_ITEMS)], stem, stem + suffix, rng.choice((2, 3, 4, 5, 6)),
                          "网上申报", units[i % len(units)]) for i, (stem, suffix) in enumerate(names)]
    field_names = [(t, p) for p in _FIELD_PHRASES for t in _FIELD_TYPES][:n_field]
    standards += [Standard(_FIELD_ITEMS[_FIELD_PHRASES.index(p)], t, p, rng.choice((10, 15, 20, 25, 30)),
                           "实地考察", "市城管局") for t, p in field_names]
    standards += [Standard("群众满意度", "问卷调查", s, 5, "问卷调查", "市文明办") for s in _SURVEY_STANDARDS]

    deadlines = (as_of - timedelta(days=3), as_of + timedelta(days=5), as_of + timedelta(days=20))
    materials = []
    for standard in standards:
        if standard.method != "网上申报":
            continue
        owners = [standard.unit]
        if rng.random() < co_owned_share:
            owners.append(rng.choice([u for u in units if u != standard.unit]))
        for owner in owners:
            status = rng.choices(("已通过", "待审核", "被退回", "未报送"), weights=(55, 15, 20, 10))[0]
            materials.append(Material(standard.standard, owner, status,
                                      rng.choice(_RETURN_REASONS) if status == "被退回" else None,
                                      rng.choice(deadlines)))
    survey = []
    for round_no in range(1, rounds + 1):
        for area in areas:
            for indicator in INDICATORS:
                base = rng.uniform(0.72, 0.90) + 0.02 * round_no
                survey.append(SurveyRate(round_no, area, indicator, round(min(base, 0.985), 3)))
    return ReadinessSet(seed, as_of, tuple(standards), tuple(materials), tuple(survey))


# ---------------------------------------------------------------------------------------------------------
# Writers: rows of cells, then one writer per file format
# ---------------------------------------------------------------------------------------------------------

def _cn_round(number: int) -> str:
    return "第" + "零一二三四五六七八九十"[number] + "轮" if number <= 10 else f"第{number}轮"


def _write(path: Path, title: str | None, header: list[str], rows: list[list[object]],
           merges: list[tuple[int, int, int, int, object]] = (), sheet: str = "Sheet1") -> Path:
    """One table in the format of the path's suffix: a title row above the header (merged in a
    workbook), dates as real date cells, `merges` as (first row, col, last row, col, value) of the body."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with open(path, "w", encoding="gbk", newline="") as handle:
            writer = csv.writer(handle)
            if title:
                writer.writerow([title])
            writer.writerow(header)
            writer.writerows([["" if cell is None else cell.isoformat() if isinstance(cell, date) else cell
                               for cell in row] for row in rows])
        return path
    top = 1 if title else 0
    if suffix == ".xls":
        workbook = xlwt.Workbook(encoding="utf-8")
        worksheet = workbook.add_sheet(sheet)
        date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
        if title:
            worksheet.write_merge(0, 0, 0, len(header) - 1, title)
        for col, name in enumerate(header):
            worksheet.write(top, col, name)
        for r0, c0, r1, c1, value in merges:
            worksheet.write_merge(top + 1 + r0, top + 1 + r1, c0, c1, value)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None or _inside(merges, r, c):
                    continue
                if isinstance(cell, date):
                    worksheet.write(top + 1 + r, c, datetime.combine(cell, time()), date_style)
                else:
                    worksheet.write(top + 1 + r, c, cell)
        workbook.save(str(path))
        return path
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
    workbook.set_properties({"created": datetime(2026, 11, 20, 9)})
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "yyyy/m/d"})
    if title:
        worksheet.merge_range(0, 0, 0, len(header) - 1, title)
    for col, name in enumerate(header):
        worksheet.write_string(top, col, name)
    for r0, c0, r1, c1, value in merges:
        worksheet.merge_range(top + 1 + r0, c0, top + 1 + r1, c1, value)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None or _inside(merges, r, c):
                continue
            if isinstance(cell, date):
                worksheet.write_datetime(top + 1 + r, c, datetime.combine(cell, time()), date_format)
            elif isinstance(cell, (int, float)):
                worksheet.write_number(top + 1 + r, c, cell)
            else:
                worksheet.write_string(top + 1 + r, c, str(cell))
    workbook.close()
    return path


def _inside(merges, r: int, c: int) -> bool:
    return any(r0 <= r <= r1 and c0 <= c <= c1 for r0, c0, r1, c1, _ in merges)


def write_catalogue(data: ReadinessSet, folder: Path | str, *, fmt: str = "xlsx", words: str = "plain",
                    name: str = "测评体系分解表") -> Path:
    """The 测评体系分解表; in .xlsx and .xls the 测评项目 of consecutive rows is one merged cell."""
    rng = random.Random(f"catalogue:{data.seed}:{fmt}:{words}")
    rows = [[index, s.item, s.content, s.standard, s.points, rng.choice(METHOD_WORDS[s.method]), s.unit]
            for index, s in enumerate(data.standards, start=1)]
    merges = []
    if fmt != "csv":
        start = 0
        for index in range(1, len(rows) + 1):
            if index == len(rows) or rows[index][1] != rows[start][1]:
                if index - start > 1:
                    merges.append((start, 1, index - 1, 1, rows[start][1]))
                start = index
    return _write(Path(folder) / f"{name}.{fmt}", "全国文明城市测评体系（本市分解表）",
                  list(CATALOGUE_HEADERS[words]), rows, merges, sheet="测评体系")


def _deadline_cell(deadline: date, style: int) -> object:
    return (deadline, f"{deadline.month}月{deadline.day}日前", f"{deadline:%Y.%m.%d}",
            f"{deadline:%Y-%m-%d}")[style % 4]


def write_materials(data: ReadinessSet, folder: Path | str, *, fmt: str = "xlsx", words: str = "plain",
                    name: str = "网上申报材料报送情况") -> Path:
    """The 网上申报 status sheet, statuses and deadlines in the spellings offices use."""
    rng = random.Random(f"materials:{data.seed}:{fmt}:{words}")
    rows = [[index, m.standard, m.unit, rng.choice(STATUS_WORDS[m.status]), m.reason or None,
             _deadline_cell(m.deadline, rng.randrange(4) if fmt != "csv" else 3)]
            for index, m in enumerate(data.materials, start=1)]
    return _write(Path(folder) / f"{name}.{fmt}", f"网上申报材料报送情况（截至{data.as_of.year}年{data.as_of.month}月"
                  f"{data.as_of.day}日）", list(MATERIALS_HEADERS[words]), rows)


def _rate_cell(rate: float, style: str, rng: random.Random) -> object:
    style = rng.choice(RATE_STYLES[:3]) if style == "mixed" else style
    percent = round(rate * 100, 1)
    return {"fraction": rate, "percent_text": f"{percent:g}%", "points": percent}[style]


def write_survey(data: ReadinessSet, folder: Path | str, *, fmt: str = "xlsx", shape: str = "wide",
                 rates: str = "fraction", name: str = "问卷调查结果") -> Path:
    """The 问卷调查 results: wide (a row per round and area, a column per indicator), long (a row per
    round, area and indicator) or transposed (one round per sheet, a row per indicator, a column per area;
    the round in the title and file name)."""
    rng = random.Random(f"survey:{data.seed}:{fmt}:{shape}:{rates}")
    folder = Path(folder)
    by_key = {(r.round_no, r.area, r.indicator): r.rate for r in data.survey}
    rounds = sorted({r.round_no for r in data.survey})
    areas = list(dict.fromkeys(r.area for r in data.survey))
    if shape == "wide":
        rows = [[_cn_round(n), area, *(_rate_cell(by_key[n, area, i], rates, rng) for i in INDICATORS)]
                for n in rounds for area in areas]
        return _write(folder / f"{name}.{fmt}", "问卷调查结果", ["调查轮次", "区域", *INDICATORS], rows)
    if shape == "long":
        rows = [[_cn_round(n), area, indicator, _rate_cell(by_key[n, area, indicator], rates, rng)]
                for n in rounds for area in areas for indicator in INDICATORS]
        return _write(folder / f"{name}.{fmt}", "问卷调查结果汇总", ["轮次", "调查区域", "调查指标", "调查结果"], rows)
    if shape != "transposed":
        raise ValueError(f"unknown survey shape {shape!r}")
    latest = rounds[-1]
    rows = [[f"市民{indicator}", *(_rate_cell(by_key[latest, area, indicator], rates, rng) for area in areas)]
            for indicator in INDICATORS]
    return _write(folder / f"{_cn_round(latest)}{name}.{fmt}", f"{_cn_round(latest)}问卷调查结果",
                  ["调查指标", *areas], rows)


def write_readiness_set(data: ReadinessSet, folder: Path | str, *, fmt: str = "xlsx") -> list[Path]:
    """The three sheets of a set in one format (survey wide, rates as fractions)."""
    return [write_catalogue(data, folder, fmt=fmt), write_materials(data, folder, fmt=fmt),
            write_survey(data, folder, fmt=fmt)]
