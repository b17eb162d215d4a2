"""Deterministic 模拟测评 score sheets in the three shapes of DOMAIN.md, for tests, the demo and the bench.

A round is generated as truth (every 点位 with its deductions per standard); writers put it in a
file as an office would: 扣分明细 (.xlsx, one row per deduction, a merged title, 扣分 written 2, -2,
2分 or 扣2分, a 点位 without problems once with 0), 点位得分表 (.xlsx, one sheet per type, a two-row
header of standards over their 分值, 得分 column) and 得分汇总 (.xls, one row per 点位 with 得分).
`expected_scores` computes the figures by the DOMAIN.md rules from the truth, not from a file.
"""
from __future__ import annotations

import datetime as dt
import random
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import xlsxwriter
import xlwt

from analytics.ingest.scoresheet import chinese_ordinal

# 测评项目, 测评标准, 分值 per 点位类型 (each type adds up to 100); types not listed use the generic set.
STANDARDS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "居民小区": (("公共环境", "楼道、公共区域无乱堆乱放", 25), ("公共环境", "垃圾分类设施齐全、无满溢", 20),
             ("公益广告", "社会主义核心价值观公益广告醒目", 20), ("消防安全", "消防通道畅通、无飞线充电", 20),
             ("管理服务", "物业管理规范、绿化无裸露", 15)),
    "背街小巷": (("市容秩序", "无乱贴乱画、无占道经营", 30), ("环境卫生", "路面干净、无卫生死角", 30),
             ("基础设施", "路面平整、路灯完好", 25), ("公益广告", "公益广告数量达标", 15)),
    "主次干道": (("交通秩序", "机动车、非机动车有序停放", 30), ("市容秩序", "盲道畅通、无占道", 25),
             ("基础设施", "人行道平整、设施完好", 25), ("公益广告", "每300米不少于5处公益广告", 20)),
    "农贸市场": (("服务管理", "四牌一图齐全", 20), ("环境卫生", "地面干净、无污水横流", 30),
             ("市容秩序", "无摊位外溢占道经营", 25), ("环境卫生", "病媒生物三防设施完善", 15),
             ("公益广告", "禁烟标识醒目", 10)),
    "主要交通路口": (("交通秩序", "行人、非机动车遵守信号灯", 40), ("志愿服务", "文明交通志愿者在岗", 30),
               ("基础设施", "交通标志标线清晰", 30)),
    "中小学校": (("市容秩序", "校园周边无流动摊贩", 35), ("公益广告", "未成年人公益广告醒目", 30),
             ("交通秩序", "校门口无车辆违停", 35)),
    "建筑工地": (("基础设施", "围挡完好连续", 35), ("环境卫生", "渣土覆盖、车辆冲洗", 35),
             ("公益广告", "围挡公益广告占比达标", 30)),
    "景区景点": (("环境卫生", "垃圾箱设置合理、无垃圾", 35), ("公益广告", "禁烟、文明旅游标识齐全", 30),
             ("文明行为", "不文明行为有人劝导", 35)),
}
GENERIC_STANDARDS = (("环境卫生", "环境干净整洁、无卫生死角", 30), ("市容秩序", "无乱堆乱放、无占道经营", 25),
                     ("基础设施", "设施完好、标识清晰", 25), ("公益广告", "公益广告醒目、数量达标", 20))
_DEDUCTION_WORDS = ("{v:g}", "-{v:g}", "{v:g}分", "扣{v:g}分")


def standards_for(point_type: str) -> tuple[tuple[str, str, int], ...]:
    return STANDARDS.get(point_type, GENERIC_STANDARDS)


@dataclass(frozen=True)
class ScoreSpot:
    point_type: str
    point_name: str
    unit: str


@dataclass
class SpotResult:
    spot: ScoreSpot
    deductions: list[tuple[str, str, int, float, str]]   # 项目, 标准, 分值, 扣分, 存在问题
    stated_score: float | None = None                     # what the sheet writes, when it disagrees

    @property
    def score(self) -> float:
        return max(100.0 - sum(d[3] for d in self.deductions), 0.0)


@dataclass
class ScoreRound:
    number: int
    eval_date: dt.date
    results: list[SpotResult] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"第{chinese_ordinal(self.number)}轮"


def spots_from_problems(problems: Iterable, per_type: int = 4, max_types: int = 10) -> list[ScoreSpot]:
    """The 点位 an evaluator walks: up to `per_type` of each of the most common types among the ledger
    problems given (objects with point_type, point_name, unit), in a stable order."""
    by_type: dict[str, dict[tuple[str, str], None]] = {}
    for problem in problems:
        by_type.setdefault(problem.point_type, {})[(problem.point_name, problem.unit)] = None
    ranked = sorted(by_type, key=lambda t: (-len(by_type[t]), t))
    ranked = [t for t in ranked if t in STANDARDS][:max_types] or ranked[:max_types]
    spots = []
    for point_type in ranked:
        for name, unit in sorted(by_type[point_type])[:per_type]:
            spots.append(ScoreSpot(point_type, name, unit))
    return spots


def generated_spots(n_points: int, units: Sequence[str], seed: int = 0) -> list[ScoreSpot]:
    """`n_points` 点位 of the STANDARDS types and some generic ones, spread over `units` (bench)."""
    types = list(STANDARDS) + ["公园", "医院", "公交站点", "政务大厅", "银行网点", "宾馆酒店"]
    rng = random.Random(seed)
    return [ScoreSpot(types[i % len(types)], f"{types[i % len(types)]}{i + 1}号点", rng.choice(units))
            for i in range(n_points)]


def score_round(spots: Sequence[ScoreSpot], number: int, eval_date: dt.date, *, seed: int = 0,
                severity: float | None = None) -> ScoreRound:
    """One round's truth: each standard of each 点位 loses points with a chance that falls round by round."""
    severity = severity if severity is not None else max(0.45 - 0.1 * (number - 1), 0.12)
    result = ScoreRound(number, eval_date)
    for spot in spots:
        rng = random.Random(f"{seed}|{number}|{spot.point_type}|{spot.point_name}|{spot.unit}")
        weak = rng.random() < 0.2          # a few 点位 do badly whatever the round
        deductions = []
        for item, standard, points in standards_for(spot.point_type):
            if rng.random() < severity * (1.8 if weak else 1.0):
                lost = min(points, rng.choice((2, 3, 4, 5, 6, 8, 10, 15)) * (2 if weak else 1))
                deductions.append((item, standard, points, float(lost), f"{standard.split('、')[0]}不达标"))
        result.results.append(SpotResult(spot, deductions))
    return result


def with_flag_cases(round_: ScoreRound) -> ScoreRound:
    """The same round with one 点位 whose stated 得分 disagrees with its deductions and one deduction
    above its standard's 分值: what the importer must flag, not fix."""
    results = [SpotResult(r.spot, list(r.deductions), r.stated_score) for r in round_.results]
    results[0].stated_score = results[0].score + 5 if results[0].score <= 95 else results[0].score - 5
    item, standard, points = standards_for(results[1].spot.point_type)[0]
    results[1].deductions = [d for d in results[1].deductions if d[1] != standard] + \
        [(item, standard, points, float(points + 5), "超标扣分")]
    return replace(round_, results=results)


def expected_scores(round_: ScoreRound) -> dict:
    """The DOMAIN.md figures of a round, from its truth."""
    by_type: dict[str, list[float]] = {}
    by_unit: dict[str, list[float]] = {}
    for result in round_.results:
        by_type.setdefault(result.spot.point_type, []).append(result.score)
        by_unit.setdefault(result.spot.unit, []).append(result.score)
    types = {k: statistics.mean(v) for k, v in by_type.items()}
    return {"round": round_.name, "overall": statistics.mean(types.values()), "by_point_type": types,
            "by_unit": {k: statistics.mean(v) for k, v in by_unit.items()}, "points": len(round_.results),
            "deductions": sum(sum(d[3] for d in r.deductions) for r in round_.results)}


def _title(round_: ScoreRound, what: str, city: str = "示例市") -> str:
    return f"{city}创建全国文明城市{round_.name}模拟测评{what}"


def write_deduction_detail(round_: ScoreRound, path: Path, *, merged_points: bool = False,
                           include_round_in_title: bool = True) -> Path:
    """扣分明细: title row, header 序号 测评日期 点位类别 具体点位 包保单位 测评项目 测评内容 标准分值 扣分值 扣分原因.
    merged_points merges the 点位 cells over their deductions, as offices do."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("扣分明细")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    header = ("序号", "测评日期", "点位类别", "具体点位", "包保单位", "测评项目", "测评内容", "标准分值", "扣分值", "扣分原因")
    title = _title(round_, "扣分明细") if include_round_in_title else "创建全国文明城市模拟测评扣分明细"
    sheet.merge_range(0, 0, 0, len(header) - 1, title)
    sheet.write_row(1, 0, header)
    row = 2
    serial = 0
    for result in round_.results:
        lines = result.deductions or [("—", "—", None, 0.0, "未发现问题")]
        first = row
        for item, standard, points, lost, reason in lines:
            serial += 1
            sheet.write_number(row, 0, serial)
            sheet.write_datetime(row, 1, dt.datetime.combine(round_.eval_date, dt.time()), date_format)
            if row == first or not merged_points:
                sheet.write_row(row, 2, (result.spot.point_type, result.spot.point_name, result.spot.unit))
            sheet.write(row, 5, item)
            sheet.write(row, 6, standard)
            if points is not None:
                sheet.write_number(row, 7, points)
            word = _DEDUCTION_WORDS[serial % len(_DEDUCTION_WORDS)]
            if lost:
                sheet.write(row, 8, word.format(v=lost)) if serial % 2 else sheet.write_number(row, 8, lost)
            else:
                sheet.write_number(row, 8, 0)
            sheet.write(row, 9, reason)
            row += 1
        if merged_points and row - first > 1:
            for column, value in zip((2, 3, 4), (result.spot.point_type, result.spot.point_name, result.spot.unit)):
                sheet.merge_range(first, column, row - 1, column, value)
    sheet.write(row, 0, "合计")
    sheet.write_number(row, 8, sum(sum(d[3] for d in r.deductions) for r in round_.results))
    workbook.close()
    return path


def write_point_table(round_: ScoreRound, path: Path) -> Path:
    """点位得分表: one sheet per 点位类型, a two-row header (standards, and under each its 分值, some
    written 分值20), deductions in the cells (empty = 0) and a 得分 column."""
    workbook = xlsxwriter.Workbook(str(path))
    by_type: dict[str, list[SpotResult]] = {}
    for result in round_.results:
        by_type.setdefault(result.spot.point_type, []).append(result)
    for point_type, results in by_type.items():
        sheet = workbook.add_worksheet(point_type)
        standards = standards_for(point_type)
        width = 3 + len(standards) + 1
        sheet.merge_range(0, 0, 0, width - 1, f"示例市{round_.name}模拟测评{point_type}点位得分表"
                                              f"（测评日期：{round_.eval_date:%Y年%m月%d日}）")
        for column, name in enumerate(("序号", "点位名称", "责任单位")):
            sheet.merge_range(1, column, 2, column, name)
        sheet.merge_range(1, width - 1, 2, width - 1, "得分")
        for offset, (_, standard, points) in enumerate(standards):
            sheet.write(1, 3 + offset, standard)
            sheet.write(2, 3 + offset, f"分值{points}") if offset % 2 else sheet.write_number(2, 3 + offset, points)
        for index, result in enumerate(results, start=1):
            row = 2 + index
            sheet.write_row(row, 0, (index, result.spot.point_name, result.spot.unit))
            lost = {standard: value for _, standard, _, value, _ in result.deductions}
            for offset, (_, standard, _) in enumerate(standards):
                if lost.get(standard):
                    sheet.write_number(row, 3 + offset, lost[standard])
            stated = result.stated_score if result.stated_score is not None else result.score
            sheet.write_number(row, width - 1, stated)
    workbook.close()
    return path


def write_score_summary_xls(round_: ScoreRound, path: Path, *, round_in_column: bool = False) -> Path:
    """得分汇总 as an old .xls: a title, then one row per 点位 with its 得分 (out of 100)."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("得分汇总")
    header = ["序号", "点位类型", "点位名称", "责任单位", "得分"] + (["测评轮次"] if round_in_column else [])
    title = "模拟测评点位得分汇总" if round_in_column else _title(round_, "点位得分汇总")
    sheet.write_merge(0, 0, 0, len(header) - 1, title)
    sheet.write(1, 0, f"测评日期：{round_.eval_date.year}年{round_.eval_date.month}月{round_.eval_date.day}日")
    for column, name in enumerate(header):
        sheet.write(2, column, name)
    for index, result in enumerate(round_.results, start=1):
        values = [index, result.spot.point_type, result.spot.point_name, result.spot.unit,
                  result.stated_score if result.stated_score is not None else result.score]
        for column, value in enumerate(values + ([round_.name] if round_in_column else [])):
            sheet.write(2 + index, column, value)
    workbook.save(str(path))
    return path


DEMO_WRITERS = (("点位得分汇总", ".xls", write_score_summary_xls), ("点位得分表", ".xlsx", write_point_table),
                ("扣分明细", ".xlsx", write_deduction_detail))


def demo_rounds(spots: Sequence[ScoreSpot], dates: Sequence[dt.date], seed: int = 0) -> list[ScoreRound]:
    return [score_round(spots, number, day, seed=seed) for number, day in enumerate(dates, start=1)]


def write_demo_score_sheets(rounds: Sequence[ScoreRound], folder: Path) -> list[Path]:
    """Round one as 得分汇总 (.xls), two as 点位得分表, three as 扣分明细, and so on in turn."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for round_ in rounds:
        what, suffix, writer = DEMO_WRITERS[(round_.number - 1) % len(DEMO_WRITERS)]
        paths.append(writer(round_, folder / f"{round_.name}模拟测评{what}{suffix}"))
    return paths
