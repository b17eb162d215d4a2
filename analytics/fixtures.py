"""The one deterministic builder of realistic 台账 (problem ledgers): tests, demo data and benchmarks.

It knows the canonical truth of every problem it invents and writes that truth the way real units write
it, so the importer's output can be compared with the truth.  Everything is seeded: `random.Random` for
what goes into a file, `numpy.random.default_rng` for the vectorised generator; never the global random
state, never today's date.  This module must not import analytics.ingest: it is the oracle for it.

Public API
----------
Vocabulary
    POINT_TYPES              the 26 canonical 点位类型 (DOMAIN.md)
    POINT_TYPE_ALIASES       {canonical: aliases units write}
    UNKNOWN_POINT_TYPE       "桥下空间": a type nobody's dictionary knows (kept and flagged by the importer)
    CATEGORIES, SOURCES      canonical 问题类别 and 问题来源
    STATUS_WORDS             {status: words units write for it}
    DEADLINE_WORDS           ("待定", "尽快", "长期"): unreadable deadlines (each such row is flagged)
    STYLES                   the ledger layouts below
    STYLE_COLUMNS            {style: ((header, truth field), ...)}; field "status" holds 是/否 in yes_no_xlsx,
                             per_type_sheets_xlsx has no type column (the sheet name is the type)

Truth
    TruthProblem             one problem as its ledger states it (frozen).  serial is the 序号/编号 as text
                             ("1", "CG-001"), sheet is the sheet name only for per_type_sheets_xlsx (else None).
                             Fields a layout has no column for are None (category, source, remark); unit is the
                             ledger's unit where the layout has no 责任单位 column.  Dates follow the status:
                             open → no rectified/closed; rectified is set for 已整改/已销号 where the layout has a
                             completion column; closed is set for 已销号 where it has a 销号日期 column.  In
                             yes_no_xlsx 整改中 cannot be written (否 = 待整改), so the truth says 待整改 there.
                             deadline None means the file carries a word (待定/尽快/长期).
    Ledger                   unit, report_date (the date the file states in a title row or its name; None when
                             it states none), problems (tuple, in file order), style, as_of (the moment the truth
                             was taken), name (file name), seed (render seed), oddities; properties
                             expected_flags (rows with a word deadline or an unknown 点位类型) and suffix.

Single ledgers
    ledger_for_unit(unit, *, seed, n_problems, report_date, style="title_xlsx", point_types=None,
                    sub_units=(), oddities=False, date_stated=True, weeks=6) -> Ledger
    write_ledger(ledger, folder) -> Path
    expected_summary(problems, as_of) -> dict   {"problems", "by_point_type", "by_status", "overdue",
                                                 "by_unit" (keyed by 责任单位)}

Campaign (demo, benchmarks)
    Unit, CampaignProblem (a problem's whole timeline; .at(as_of) -> TruthProblem | None), Campaign
    campaign_units(seed=0, n_units=100, *, weeks=8, end=date(2026, 11, 20)) -> tuple[Unit, ...]
    campaign(seed=0, n_units=100, problems_per_unit=40, weeks=8, end=date(2026, 11, 20),
             test_date=date(2026, 12, 18), oddities=True) -> Campaign
    snapshots(campaign, report_dates=None) -> list[list[Ledger]]   one list per weekly report date: every
                             unit that has problems and still reports; report_date None where neither its
                             title nor its file name states the date
    campaign_truth(campaign, as_of=None) -> list[TruthProblem]     the state after importing every snapshot
    write_snapshot(ledgers, folder) -> list[Path]                  clashing names get " (1)", " (2)"…
    campaign_frame(seed=0, n_problems=1_000_000, n_units=100, weeks=8, end=date(2026, 11, 20),
                   oddities=True) -> pandas.DataFrame               rows of the `problems` table, vectorised

Hostile and broken files (each returns the Path it wrote)
    write_corrupt_xlsx, write_truncated_xlsx, write_renamed_exe, write_zip_bomb_xlsx,
    write_formatted_blank_rows_xlsx, write_unknown_encoding_csv, write_error_values_xlsx,
    write_duplicated_header_xlsx, write_not_a_ledger_xlsx — all (folder, name=…, *, options).

Layouts (Ledger.style)
    title_xlsx            1–3 merged title rows (标题 with 截至…, 填报单位, 填报日期), real date cells, a blank and
                          a 合计 row below the data
    yes_no_xlsx           like 市城管局: no title, 编号 CG-001, dates as text in mixed forms, 是否整改到位 + 销号日期
    per_type_sheets_xlsx  like 东城区: 填表说明 sheet first, one sheet per 点位类型, 序号 restarting per sheet
    gbk_csv               like 西城区: GBK, CRLF, dates 2026/10/15
    utf8_bom_csv          UTF-8 with BOM, other header spellings, a 问题来源 column
    xls                   old .xls (xlwt), title row, date cells and Excel serials typed as text ("46345")
    two_row_header_xlsx   group cell 整改情况 over 整改状态/完成时间, other header cells merged over both rows
With oddities a few deadlines are words (flagged) or relative ("7天", "5日内" = found + N days, readable), and
a few problems sit at 桥下空间 (flagged).  .xlsx files are written with XlsxWriter, .xls with xlwt; the same
ledger always gives the same bytes, and a row reads the same week after week unless its status moved on.
"""
from __future__ import annotations

import csv
import hashlib
import io
import random
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
import xlwt

from analytics import derive
from analytics.db import DONE_STATUSES, OPEN_STATUSES, STATUSES
from analytics.derive import LIFE_DAY_COLUMNS
from analytics.schema import SCHEMA

# ---------------------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------------------

CATEGORIES = ("环境卫生", "市容秩序", "交通秩序", "基础设施", "公益广告",
              "文明行为", "志愿服务", "消防安全", "服务管理", "台账资料")
SOURCES = ("模拟测评", "日常督查", "暗访", "群众举报")
STATUS_WORDS = {
    "待整改": ("未整改", "未完成", "待整改"),
    "整改中": ("整改中", "正在整改", "推进中"),
    "已整改": ("已整改", "整改完毕", "已整改完毕", "已完成", "完成"),
    "已销号": ("已销号", "销号"),
}
DEADLINE_WORDS = ("待定", "尽快", "长期")
UNKNOWN_POINT_TYPE = "桥下空间"
_REMARKS = ("已督办", "需协调相关部门", "已约谈物业", "列入重点整改")
_REBOUND_REMARK = "整改后反弹"
_BRACKET_NOTES = ("老旧", "重点", "含周边")

_ENV, _CITY, _TRAFFIC, _INFRA, _ADS, _CIVIL, _VOLUNTEER, _FIRE, _SERVICE, _PAPERS = CATEGORIES


@dataclass(frozen=True)
class _TypeSpec:
    canonical: str
    weight: float                              # share of problems, DOMAIN's mock-evaluation order
    aliases: tuple[str, ...]
    names: tuple[str, ...]                     # 点位名称 that fit the type
    issues: tuple[tuple[str, str], ...]        # (问题描述, 问题类别)


_ROAD_ISSUES = (("机动车乱停乱放", _TRAFFIC), ("非机动车乱停乱放", _TRAFFIC), ("人行道砖破损", _INFRA),
                ("路面坑洼破损", _INFRA), ("路灯不亮", _INFRA), ("绿化带内烟头纸屑", _ENV),
                ("占道经营", _CITY), ("墙面乱贴小广告", _CITY), ("盲道被占用", _CITY), ("公益广告破损褪色", _ADS))
_LANE_ISSUES = (("卫生死角垃圾堆积", _ENV), ("墙面乱贴小广告", _CITY), ("空中线缆杂乱", _INFRA),
                ("路灯不亮", _INFRA), ("店外经营占道", _CITY), ("杂物乱堆乱放", _CITY), ("路面坑洼破损", _INFRA))
_WINDOW_ISSUES = (("服务承诺未公示", _SERVICE), ("公益广告缺失", _ADS), ("志愿服务岗无人值守", _VOLUNTEER),
                  ("便民设施不全", _SERVICE), ("无障碍设施缺失", _INFRA))

_TYPE_CATALOG: tuple[_TypeSpec, ...] = (
    _TypeSpec("居民小区", 16, ("小区", "住宅小区", "居住小区", "老旧小区"),
              ("锦绣花园", "东方明珠小区", "幸福家园小区", "粮食局家属院", "电厂宿舍", "阳光城小区",
               "金色港湾", "翠苑小区", "纺织厂家属院", "康乐新村"),
              (("楼道内杂物乱堆乱放", _CITY), ("消防通道被车辆占用", _FIRE), ("垃圾桶满溢未及时清运", _ENV),
               ("绿化带黄土裸露", _ENV), ("社会主义核心价值观公益广告缺失", _ADS), ("电动车飞线充电", _FIRE),
               ("楼道内小广告", _CITY), ("宣传栏内容过期", _ADS), ("垃圾分类投放点脏乱", _ENV))),
    _TypeSpec("背街小巷", 12, ("小巷", "街巷"),
              ("柳树巷", "文化巷", "南关后街", "槐花胡同", "杨家巷", "井巷", "后营街", "仓巷"), _LANE_ISSUES),
    _TypeSpec("主次干道", 10, ("主干道", "次干道", "道路"),
              ("人民大道", "解放路", "建设路", "迎宾大道", "中山路", "文化路", "长江路", "胜利路"), _ROAD_ISSUES),
    _TypeSpec("主要交通路口", 8, ("交通路口", "路口"),
              ("建设路口", "火车站路口", "人民大道与解放路交叉口", "中山路口", "十字街口"),
              (("行人闯红灯", _TRAFFIC), ("交通标线模糊", _INFRA), ("无文明交通引导志愿者", _VOLUNTEER),
               ("非机动车越线停车", _TRAFFIC), ("交通信号灯故障", _INFRA))),
    _TypeSpec("农贸市场", 7, ("集贸市场", "菜市场", "菜场", "专业市场"),
              ("北门菜市场", "中心集贸市场", "城东农贸市场", "南关菜市场"),
              (("摊位外溢占道经营", _CITY), ("地面污水横流", _ENV), ("四牌一图缺失", _SERVICE),
               ("病媒生物三防设施不完善", _ENV), ("禁烟标识缺失", _SERVICE), ("活禽宰杀区卫生差", _ENV),
               ("公平秤缺失", _SERVICE))),
    _TypeSpec("中小学校", 6, ("小学", "中学", "学校", "学校周边", "校园周边"),
              ("实验小学", "育才小学", "第二中学", "第一中学", "新华小学"),
              (("校门口车辆违停", _TRAFFIC), ("校园周边流动摊贩", _CITY), ("学校周边公益广告缺失", _ADS),
               ("护学岗无人值守", _VOLUNTEER), ("校园周边垃圾清理不及时", _ENV))),
    _TypeSpec("建筑工地", 5, ("工地", "建筑围挡", "在建工地"),
              ("滨江花园项目工地", "市民中心项目工地", "城南棚改项目工地"),
              (("围挡公益广告占比不足", _ADS), ("围挡破损", _CITY), ("车辆带泥上路", _ENV),
               ("裸土未覆盖", _ENV), ("工地出入口未硬化", _ENV))),
    _TypeSpec("景区景点", 4.5, ("景区", "景点", "景点景区"),
              ("古城墙景区", "湿地公园景区", "文庙景区", "龙山景区"),
              (("游客不文明行为无人劝导", _CIVIL), ("景区标识牌破损", _INFRA), ("垃圾清理不及时", _ENV),
               ("志愿服务站无人值守", _VOLUNTEER))),
    _TypeSpec("社区", 1.5, ("社区居委会", "社区综合服务站", "社区服务中心"),
              ("东街社区服务中心", "幸福社区居委会", "和谐社区综合服务站"),
              (("志愿服务站点无人值守", _VOLUNTEER), ("创文宣传资料未归档", _PAPERS), ("道德讲堂活动记录缺失", _PAPERS),
               ("好人榜未更新", _ADS), ("办事流程未公示", _SERVICE))),
    _TypeSpec("公园", 3.5, (),
              ("人民公园", "滨河公园", "植物园", "儿童公园"),
              (("垃圾清理不及时", _ENV), ("健身器材损坏", _INFRA), ("草坪踩踏", _CIVIL), ("公益广告破损", _ADS),
               ("游园不文明行为无人劝导", _CIVIL))),
    _TypeSpec("商业大街", 3, ("商业街", "步行街"),
              ("中山商业街", "鼓楼步行街", "美食街"),
              (("店外经营占道", _CITY), ("门头招牌破损", _CITY), ("橱窗公益广告缺失", _ADS),
               ("垃圾桶满溢未及时清运", _ENV), ("非机动车乱停乱放", _TRAFFIC))),
    _TypeSpec("公共广场", 1.5, ("广场",),
              ("人民广场", "市民广场", "文化广场", "站前广场"),
              (("流动摊贩占道", _CITY), ("广场地面污渍", _ENV), ("公益广告缺失", _ADS), ("随地吐痰乱扔垃圾", _CIVIL))),
    _TypeSpec("室外公共厕所", 1.5, ("公共厕所", "公厕", "公共卫生间"),
              ("人民公园公厕", "解放路公厕", "北门公厕", "站前广场公厕"),
              (("厕所有异味", _ENV), ("洗手设施损坏", _INFRA), ("无保洁人员值守", _SERVICE), ("指引标识不清", _INFRA))),
    _TypeSpec("医院", 2.5, ("医疗机构",),
              ("市人民医院", "中医院", "妇幼保健院", "第二人民医院"),
              (("院内吸烟无人劝阻", _CIVIL), ("导医志愿者缺失", _VOLUNTEER), ("门前车辆乱停", _TRAFFIC),
               ("公益广告缺失", _ADS), ("就医秩序混乱", _SERVICE))),
    _TypeSpec("宾馆酒店", 2, ("宾馆饭店", "酒店", "宾馆"),
              ("迎宾馆", "国际大酒店", "锦江之星", "如家酒店"),
              (("文明餐桌宣传未覆盖", _ADS), ("公筷公勺未提供", _CIVIL), ("禁烟标识缺失", _SERVICE),
               ("消防器材过期", _FIRE))),
    _TypeSpec("商场超市", 2, ("商场", "超市"),
              ("万达广场", "华联超市", "百货大楼", "家乐福超市"),
              (("室内吸烟无人劝阻", _CIVIL), ("公益广告未上墙", _ADS), ("消防通道堵塞", _FIRE),
               ("门前非机动车乱停", _TRAFFIC), ("无障碍设施缺失", _INFRA))),
    _TypeSpec("公共文化设施", 1.5, ("图书馆", "博物馆", "文化馆", "科技馆", "纪念馆"),
              ("市图书馆", "市博物馆", "市文化馆", "市科技馆"),
              (("志愿服务岗无人值守", _VOLUNTEER), ("公益广告缺失", _ADS), ("无障碍通道被占", _INFRA),
               ("开放时间未公示", _SERVICE))),
    _TypeSpec("新时代文明实践中心", 1.5, ("新时代文明实践所", "新时代文明实践站"),
              ("市新时代文明实践中心", "城关街道新时代文明实践所", "东街社区新时代文明实践站"),
              (("活动记录不全", _PAPERS), ("志愿者队伍名册缺失", _PAPERS), ("阵地标识不规范", _ADS),
               ("活动开展不经常", _VOLUNTEER))),
    _TypeSpec("政务大厅", 1.2, ("政务服务大厅", "行政服务中心"),
              ("市民服务中心", "市政务服务大厅", "不动产登记大厅"),
              (("办事指南未公示", _SERVICE), ("窗口人员服务态度差", _SERVICE), ("无障碍设施缺失", _INFRA),
               ("便民设施不全", _SERVICE))),
    _TypeSpec("银行网点", 1, ("银行",),
              ("工商银行中山路支行", "建设银行人民路支行", "农商银行城关支行"), _WINDOW_ISSUES),
    _TypeSpec("窗口单位", 1, ("营业厅", "办税厅"),
              ("供电营业厅", "自来水营业厅", "移动营业厅", "邮政营业厅", "办税服务厅"), _WINDOW_ISSUES),
    _TypeSpec("公交站点", 1.5, ("公交站台", "公交站"),
              ("人民广场公交站", "火车站公交站", "中山路公交站"),
              (("站台小广告", _CITY), ("站牌破损", _INFRA), ("候车不排队", _CIVIL), ("站台周边垃圾", _ENV))),
    _TypeSpec("公交车", 1, (),
              ("1路公交车", "3路公交车", "8路公交车", "12路公交车"),
              (("车厢卫生差", _ENV), ("未礼让斑马线", _TRAFFIC), ("车内公益广告缺失", _ADS),
               ("爱心专座标识缺失", _SERVICE))),
    _TypeSpec("出租车", 1, (),
              ("银河出租车公司", "通达出租车公司", "顺风出租车公司"),
              (("拒载议价", _SERVICE), ("车内吸烟", _CIVIL), ("顶灯公益广告未播放", _ADS), ("车容不整", _ENV))),
    _TypeSpec("城乡接合部", 1.5, ("城乡结合部", "城中村"),
              ("东关城中村", "南环路城乡接合部", "王庄城中村"),
              (("私搭乱建", _CITY), ("垃圾乱倒", _ENV), ("道路破损", _INFRA), ("违规散养家禽", _ENV))),
    _TypeSpec("乡镇", 1.5, ("行政村",),
              ("柳林镇政府驻地", "李集村", "马店村", "王庄村"),
              (("垃圾乱堆乱放", _ENV), ("村内道路破损", _INFRA), ("公益广告缺失", _ADS),
               ("文明实践活动记录缺失", _PAPERS))),
    # Not one of the 26: kept under its own name and flagged by the importer.
    _TypeSpec(UNKNOWN_POINT_TYPE, 0, (),
              ("人民大桥桥下", "滨河桥下"),
              (("桥下空间杂物堆放", _CITY), ("桥下流浪人员聚集", _SERVICE))),
)

POINT_TYPES = tuple(spec.canonical for spec in _TYPE_CATALOG if spec.canonical != UNKNOWN_POINT_TYPE)
POINT_TYPE_ALIASES = {spec.canonical: spec.aliases for spec in _TYPE_CATALOG
                      if spec.canonical != UNKNOWN_POINT_TYPE}
_TYPE_INDEX = {spec.canonical: i for i, spec in enumerate(_TYPE_CATALOG)}
_UNKNOWN_INDEX = _TYPE_INDEX[UNKNOWN_POINT_TYPE]
_ODDITY_UNKNOWN_WEIGHT = 0.012   # share of 桥下空间 problems among units that have bridges, with oddities


def _flat_table(per_type: list[tuple]) -> tuple[list, np.ndarray, np.ndarray]:
    """Flatten per-type lists so a vector of type codes can pick from them: (values, offsets, counts)."""
    counts = np.array([len(items) for items in per_type])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return [item for items in per_type for item in items], offsets, counts


_NAMES, _NAME_OFFSETS, _NAME_COUNTS = _flat_table([spec.names for spec in _TYPE_CATALOG])
# Where at a place a problem is: a unit's ledger names hundreds of 点位, not a handful, so problems at
# one 点位 are few and a problem found again there soon after is a real rebound, not a coincidence.
_SPOTS = ("", *(f"{side}{number}号点" for side in ("东侧", "西侧", "南侧", "北侧", "东门", "西门", "入口", "周边")
                for number in range(1, 13)))
_ISSUES, _ISSUE_OFFSETS, _ISSUE_COUNTS = _flat_table([spec.issues for spec in _TYPE_CATALOG])
_ISSUE_CATEGORY_CODES = np.array([CATEGORIES.index(category) for _, category in _ISSUES])

# Units: the city's 街道, 镇, 社区 and 市直部门 (about a hundred, DOMAIN "98/118 responsible units").
_STREETS = ("城关街道", "东关街道", "西关街道", "南关街道", "北关街道", "新华街道", "人民路街道", "解放路街道",
            "文化路街道", "建设路街道", "胜利街道", "和平街道", "东风街道", "朝阳街道", "向阳街道", "长安街道",
            "滨河街道", "站前街道", "红旗街道", "光明街道", "金山街道", "青年路街道", "中山街道", "鼓楼街道")
_TOWNS = ("城南镇", "河西镇", "柳林镇", "王庄镇", "李集镇", "双桥镇", "三里镇", "马店镇", "高庄镇", "白马镇",
          "石桥镇", "新店镇")
_COMMUNITIES = tuple(stem + "社区" for stem in (
    "东街", "西街", "南街", "北街", "幸福", "和谐", "康乐", "团结", "友谊", "花园", "阳光", "新村", "翠苑",
    "滨江", "建设", "文化", "育才", "民主", "书院", "府前", "南门", "北门", "柳园", "桃园", "梨园", "杏林",
    "锦华", "金桥", "银河", "长青", "紫荆", "丰收", "振兴", "兴华", "龙泉", "凤凰", "湖滨", "清风", "明德",
    "永安"))
# Each department is responsible for the 点位 of its trade.
_DEPARTMENTS = {
    "市城管局": ("主次干道", "背街小巷", "农贸市场", "主要交通路口", "公共广场", "室外公共厕所", "商业大街",
             UNKNOWN_POINT_TYPE),
    "市市场监管局": ("农贸市场", "商场超市", "宾馆酒店"),
    "市卫健委": ("医院",),
    "市交警支队": ("主要交通路口", "主次干道"),
    "市住建局": ("建筑工地", "居民小区", UNKNOWN_POINT_TYPE),
    "市教育局": ("中小学校",),
    "市文旅局": ("景区景点", "公共文化设施", "宾馆酒店"),
    "市交通运输局": ("公交站点", "公交车", "出租车"),
    "市商务局": ("商业大街", "商场超市"),
    "市园林局": ("公园", "公共广场"),
    "市行政审批局": ("政务大厅",),
    "市金融工作局": ("银行网点",),
    "市供电公司": ("窗口单位",),
    "市自来水公司": ("窗口单位",),
    "市税务局": ("窗口单位",),
    "市委宣传部": ("新时代文明实践中心", "公共广场"),
    "市自然资源局": ("城乡接合部",),
    "市公交公司": ("公交车", "公交站点"),
    "市生态环境局": ("城乡接合部", "建筑工地"),
    "团市委": ("新时代文明实践中心", "主要交通路口"),
    "市民政局": ("社区",),
    "市农业农村局": ("乡镇",),
    "市水利局": ("公园", UNKNOWN_POINT_TYPE),
    "市公安局": ("主要交通路口", "商业大街"),
    "市妇联": ("社区", "居民小区"),
}
_KIND_TYPES = {
    "街道": ("居民小区", "背街小巷", "主次干道", "主要交通路口", "农贸市场", "中小学校", "建筑工地", "社区",
           "公园", "公共广场", "室外公共厕所", "商业大街", "新时代文明实践中心", "城乡接合部", "公交站点",
           "景区景点", "医院", "宾馆酒店", UNKNOWN_POINT_TYPE),
    "镇": ("乡镇", "城乡接合部", "主次干道", "农贸市场", "中小学校", "居民小区", "新时代文明实践中心",
          "背街小巷", "室外公共厕所", "建筑工地", UNKNOWN_POINT_TYPE),
    "社区": ("居民小区", "社区", "背街小巷", "新时代文明实践中心", "公共广场", "室外公共厕所"),
}
_URBAN_DISTRICTS = ("东城区", "西城区", "南湖区", "高新区")
_TOWN_DISTRICT = "北山县"
_DEPARTMENT_DISTRICT = "市直"
_KIND_ACTIVITY = {"街道": 1.5, "镇": 1.0, "社区": 0.6, "市直部门": 0.8}  # relative number of problems
_SERIAL_PREFIXES = {"市城管局": "CG", "市市场监管局": "SJ", "市卫健委": "WJ", "市交警支队": "JJ", "市住建局": "ZJ"}

# ---------------------------------------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------------------------------------

STYLE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "title_xlsx": (("序号", "serial"), ("点位类型", "point_type"), ("点位名称", "point_name"),
                   ("问题描述", "description"), ("问题类别", "category"), ("发现时间", "found"),
                   ("责任单位", "unit"), ("整改时限", "deadline"), ("整改状态", "status"),
                   ("整改完成时间", "rectified"), ("备注", "remark")),
    "yes_no_xlsx": (("编号", "serial"), ("点位类别", "point_type"), ("具体点位", "point_name"),
                    ("存在问题", "description"), ("指标类别", "category"), ("交办日期", "found"),
                    ("责任部门", "unit"), ("完成时限", "deadline"), ("是否整改到位", "status"),
                    ("销号日期", "closed")),
    "per_type_sheets_xlsx": (("序号", "serial"), ("点位名称", "point_name"), ("问题描述", "description"),
                             ("发现日期", "found"), ("整改时限", "deadline"), ("整改情况", "status"),
                             ("完成日期", "rectified")),
    "gbk_csv": (("序号", "serial"), ("点位类型", "point_type"), ("点位名称", "point_name"),
                ("问题描述", "description"), ("发现时间", "found"), ("整改时限", "deadline"),
                ("整改状态", "status"), ("完成时间", "rectified"), ("责任单位", "unit")),
    "utf8_bom_csv": (("编号", "serial"), ("问题点位类型", "point_type"), ("点位名称", "point_name"),
                     ("存在问题", "description"), ("问题类别", "category"), ("发现日期", "found"),
                     ("责任单位", "unit"), ("整改期限", "deadline"), ("整改进度", "status"),
                     ("完成日期", "rectified"), ("问题来源", "source")),
    "xls": (("序号", "serial"), ("点位类型", "point_type"), ("点位名称", "point_name"),
            ("问题描述", "description"), ("问题类别", "category"), ("问题来源", "source"),
            ("发现时间", "found"), ("整改时限", "deadline"), ("整改落实情况", "status"),
            ("整改完成时间", "rectified"), ("销号日期", "closed"), ("责任单位", "unit")),
    "two_row_header_xlsx": (("序号", "serial"), ("点位类型", "point_type"), ("点位名称", "point_name"),
                            ("问题描述", "description"), ("问题类别", "category"), ("问题来源", "source"),
                            ("发现时间", "found"), ("整改时限", "deadline"), ("整改状态", "status"),
                            ("完成时间", "rectified"), ("责任单位", "unit")),
}
STYLES = tuple(STYLE_COLUMNS)
_SUFFIXES = {"gbk_csv": ".csv", "utf8_bom_csv": ".csv", "xls": ".xls"}
# Layouts whose title row names the ledger's unit (and its date): only these may name other 责任单位 in rows
# or leave the unit out of the file name.
_TITLED_STYLES = ("title_xlsx", "xls", "two_row_header_xlsx")
_STYLE_WEIGHTS = {"title_xlsx": 0.35, "yes_no_xlsx": 0.12, "per_type_sheets_xlsx": 0.12,
                  "two_row_header_xlsx": 0.11, "xls": 0.10, "gbk_csv": 0.10, "utf8_bom_csv": 0.10}
_TWO_ROW_GROUP = ("整改情况", ("status", "rectified"))
_PER_TYPE_INSTRUCTIONS = ("填表说明：请各单位按点位类型分表填报，每周五下午五点前报送创文办。",
                          "整改情况请填写：已整改完毕 / 正在整改 / 未整改 / 已销号")
_STYLE_STATUS_WORDS = {
    "yes_no_xlsx": {"待整改": ("否",), "整改中": ("否",), "已整改": ("是",), "已销号": ("是",)},
    "per_type_sheets_xlsx": {"待整改": ("未整改",), "整改中": ("正在整改",), "已整改": ("已整改完毕",),
                             "已销号": ("已销号",)},
}
_RELATIVE_DEADLINE_DAYS = (3, 5, 7, 15)
_RELATIVE_DEADLINE_SHARE = 0.08
_XLS_TEXT_SERIAL_SHARE = 0.35
_EXCEL_EPOCH = date(1899, 12, 30)


_STYLE_FIELDS = {style: frozenset(f for _, f in columns) for style, columns in STYLE_COLUMNS.items()}
_STYLE_STATUS_POOLS = {style: _STYLE_STATUS_WORDS.get(style, STATUS_WORDS) for style in STYLES}
# 整改中 survives only where the layout has a word for it that differs from 待整改's.
_WRITES_IN_PROGRESS = {style: pools["整改中"] != pools["待整改"] for style, pools in _STYLE_STATUS_POOLS.items()}


# ---------------------------------------------------------------------------------------------------------
# Truth
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TruthProblem:
    ledger_unit: str
    unit: str                   # 责任单位
    sheet: str | None           # sheet name, only where the sheet is part of the key (per-type sheets)
    serial: str | None          # 序号/编号 as text
    point_type: str             # canonical, or UNKNOWN_POINT_TYPE
    point_name: str
    description: str
    category: str | None        # canonical; None where the layout has no 问题类别 column
    source: str | None          # None where the layout has no 问题来源 column
    found: date
    deadline: date | None       # None: the file says 待定/尽快/长期
    status: str
    rectified: date | None
    closed: date | None
    remark: str | None = None


@dataclass(frozen=True)
class Ledger:
    unit: str
    report_date: date | None    # stated by the title row or the file name; None when the file states none
    problems: tuple[TruthProblem, ...]
    style: str
    as_of: date                 # the moment the truth was taken (== report_date when stated)
    name: str                   # file name, suffix matching the style
    seed: int = 0
    oddities: bool = False

    @property
    def suffix(self) -> str:
        return _SUFFIXES.get(self.style, ".xlsx")

    @property
    def expected_flags(self) -> int:
        """Rows the importer must flag: an unreadable (word) deadline or an unknown 点位类型."""
        return sum(1 for p in self.problems if p.deadline is None or p.point_type not in POINT_TYPE_ALIASES)


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str                   # 街道 / 镇 / 社区 / 市直部门
    district: str               # 区县, or 市直 for departments
    style: str                  # its ledger layout, kept week after week
    pace: float                 # 1 typical, < 1 fast, > 1 slow to rectify
    last_report: date           # before the campaign end for the units that stopped reporting
    name_pattern: str           # file name without suffix, str.format(unit=…, date=…)
    sub_units: tuple[str, ...] = ()   # 社区 it may name as 责任单位 in its rows

    def file_name(self, report_date: date) -> str:
        return self.name_pattern.format(unit=self.name, date=report_date) + _SUFFIXES.get(self.style, ".xlsx")

    @property
    def states_date(self) -> bool:
        return self.style in _TITLED_STYLES or "{date" in self.name_pattern


@dataclass(frozen=True, slots=True)
class CampaignProblem:
    """A problem's whole life; its truth at any date comes from .at(as_of)."""
    ledger_unit: str
    unit: str
    style: str
    sheet: str | None
    serial: str
    point_type: str
    point_name: str
    description: str
    category: str | None
    source: str | None
    remark: str | None
    found: date
    deadline: date | None
    started: date | None        # 整改中 from this day
    rectified: date | None
    closed: date | None

    def at(self, as_of: date) -> TruthProblem | None:
        """The problem as its unit's ledger states it on as_of; None before it was found."""
        if self.found > as_of:
            return None
        if self.closed is not None and self.closed <= as_of:
            status = "已销号"
        elif self.rectified is not None and self.rectified <= as_of:
            status = "已整改"
        elif self.started is not None and self.started <= as_of and _WRITES_IN_PROGRESS[self.style]:
            status = "整改中"
        else:
            status = "待整改"
        fields = _STYLE_FIELDS[self.style]
        return TruthProblem(
            ledger_unit=self.ledger_unit, unit=self.unit, sheet=self.sheet, serial=self.serial,
            point_type=self.point_type, point_name=self.point_name, description=self.description,
            category=self.category, source=self.source, found=self.found, deadline=self.deadline,
            status=status,
            rectified=self.rectified if status in DONE_STATUSES and "rectified" in fields else None,
            closed=self.closed if status == "已销号" and "closed" in fields else None,
            remark=self.remark)


@dataclass(frozen=True)
class Campaign:
    seed: int
    units: tuple[Unit, ...]
    report_dates: tuple[date, ...]     # weekly, the last one is `end`
    start: date                        # first day problems can be found
    end: date
    test_date: date                    # the 测评
    problems: tuple[CampaignProblem, ...]   # unit by unit, each in serial order
    oddities: bool


# ---------------------------------------------------------------------------------------------------------
# Generator (numpy, shared by single ledgers, the campaign and the 1M frame)
# ---------------------------------------------------------------------------------------------------------

_NEVER = 10 ** 6                     # day index of something that does not happen
_BURST_OFFSETS = (9, 30)             # 模拟测评 days, counted from the first day
_BURST_SHARE = 0.25
_REBOUND_EVERY = 30                  # about one rebound per 30 problems
_WORD_DEADLINE_SHARE = 0.03
_SUB_UNIT_SHARE = 0.15
_REMARK_SHARE = 0.08


def _stable_int(*parts: object) -> int:
    """A seed from values, the same in every process (unlike hash())."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _kind_of(unit: str) -> str:
    if unit in _DEPARTMENTS or unit.startswith("市"):
        return "市直部门"
    for kind in ("街道", "社区", "镇"):
        if unit.endswith(kind):
            return kind
    return "街道"


def _type_weights(unit: str, kind: str, oddities: bool,
                  point_types: Mapping[str, float] | None = None) -> np.ndarray:
    """Probability of each catalogue type for one unit."""
    weights = np.zeros(len(_TYPE_CATALOG))
    if point_types is not None:
        for name, weight in point_types.items():
            if name not in _TYPE_INDEX:
                raise ValueError(f"no catalogue entry for point type {name!r}")
            weights[_TYPE_INDEX[name]] = weight
    else:
        own_types = _DEPARTMENTS.get(unit) or _KIND_TYPES.get(kind, POINT_TYPES)
        for name in own_types:
            weights[_TYPE_INDEX[name]] = _TYPE_CATALOG[_TYPE_INDEX[name]].weight
        if kind == "市直部门":   # a department's own types are its whole ledger: flatten DOMAIN's skew
            weights = np.sqrt(weights)
        if UNKNOWN_POINT_TYPE in own_types:
            weights[_UNKNOWN_INDEX] = weights.sum() * _ODDITY_UNKNOWN_WEIGHT if oddities else 0.0
    if weights.sum() <= 0:
        raise ValueError(f"unit {unit!r} has no point types to draw from")
    return weights / weights.sum()


def _day_weights(start: date, n_days: int) -> np.ndarray:
    """More problems are found as the 测评 nears, fewer at weekends."""
    return np.array([(0.35 if (start + timedelta(d)).weekday() >= 5 else 1.0) * (1 + d / n_days)
                     for d in range(n_days)])


def _burst_days(start: date, n_days: int) -> list[int]:
    days = []
    for offset in _BURST_OFFSETS:
        weekday = (start + timedelta(offset)).weekday()
        day = offset + (7 - weekday if weekday >= 5 else 0)
        if day < n_days:
            days.append(day)
    return days


def _generate_block(rng: np.random.Generator, *, weights: np.ndarray, n: int, pace: float, last_day: int,
                    day_weights: np.ndarray, bursts: list[int], n_sub_units: int, with_remarks: bool,
                    oddities: bool, force_oddities: bool) -> dict[str, np.ndarray]:
    """n problems of one unit as arrays of codes and day numbers, sorted by found day."""
    types = rng.choice(len(_TYPE_CATALOG), n, p=weights)
    if force_oddities and n >= 2 and not (types == _UNKNOWN_INDEX).any():
        types[rng.integers(n)] = _UNKNOWN_INDEX
    names = _NAME_OFFSETS[types] + (rng.random(n) * _NAME_COUNTS[types]).astype(np.int64)
    issues = _ISSUE_OFFSETS[types] + (rng.random(n) * _ISSUE_COUNTS[types]).astype(np.int64)

    usable_bursts = [day for day in bursts if day <= last_day]
    daily_p = day_weights[:last_day + 1] / day_weights[:last_day + 1].sum()
    in_burst = (rng.random(n) < _BURST_SHARE) & bool(usable_bursts)
    found = np.where(in_burst, rng.choice(usable_bursts or [0], n), rng.choice(last_day + 1, n, p=daily_p))
    sources = np.where(in_burst, 0, rng.choice([1, 2, 3], n, p=[0.6, 0.2, 0.2]))

    deadline_days = rng.choice(_RELATIVE_DEADLINE_DAYS, n, p=[0.3, 0.3, 0.3, 0.1])
    word_deadline = (rng.random(n) < _WORD_DEADLINE_SHARE) & oddities
    if force_oddities and n >= 2 and not word_deadline.any():
        word_deadline[rng.integers(n)] = True
    start_lag = np.floor(rng.exponential(2.0 * pace, n)).astype(np.int64)
    rectify_lag = np.rint(deadline_days * rng.uniform(0.4, 2.2, n) * pace).astype(np.int64)
    stuck = rng.random(n) < min(0.06 * pace, 0.3)
    close_lag = np.where(rng.random(n) < 0.7, rng.integers(2, 15, n), _NEVER)
    spots = rng.integers(0, len(_SPOTS), n)

    # Rebounds: the same 点位 and problem found again a few days after an earlier one was rectified.
    rebound = np.zeros(n, dtype=bool)
    first_rectified = np.where(stuck, _NEVER, found + rectify_lag)
    candidates = np.flatnonzero(first_rectified + 1 <= last_day)
    n_rebounds = min(rng.binomial(n, 1 / _REBOUND_EVERY), len(candidates) // 2)
    if n_rebounds:
        originals = rng.choice(candidates, n_rebounds, replace=False)
        repeats = rng.choice(np.setdiff1d(np.arange(n), originals), n_rebounds, replace=False)
        for column in (types, names, spots, issues):
            column[repeats] = column[originals]
        found[repeats] = np.minimum(first_rectified[originals] + rng.integers(1, 5, n_rebounds), last_day)
        sources[repeats] = rng.choice([1, 2], n_rebounds)
        rebound[repeats] = True

    rectified = np.where(stuck, _NEVER, found + rectify_lag)
    block = {
        "type": types, "name": names, "spot": spots, "issue": issues, "source": sources, "found": found,
        "deadline": np.where(word_deadline, -1, found + deadline_days),
        "started": np.minimum(found + start_lag, rectified),
        "rectified": rectified,
        "closed": np.where(stuck | (close_lag == _NEVER), _NEVER, rectified + close_lag),
        "sub_unit": (np.where(rng.random(n) < _SUB_UNIT_SHARE, rng.integers(0, max(n_sub_units, 1), n), -1)
                     if n_sub_units else np.full(n, -1)),
        "remark": (np.where(rebound, len(_REMARKS),
                            np.where(rng.random(n) < _REMARK_SHARE, rng.integers(0, len(_REMARKS), n), -1))
                   if with_remarks else np.full(n, -1)),
    }
    order = np.argsort(found, kind="stable")
    return {key: values[order] for key, values in block.items()}


def _sheet_name(seed: int, unit: str, point_type: str) -> str:
    """The name a unit gives the sheet of one 点位类型: the type, an alias, or the type with 类."""
    spec = _TYPE_CATALOG[_TYPE_INDEX[point_type]]
    if point_type == UNKNOWN_POINT_TYPE:
        return point_type
    pick = random.Random(_stable_int("sheet", seed, unit, point_type)).random()
    if pick < 0.25 and spec.aliases:
        return spec.aliases[int(pick / 0.25 * len(spec.aliases))]
    return point_type + "类" if pick > 0.85 else point_type


def _problems_from_block(block: dict[str, np.ndarray], *, unit: str, style: str, sub_units: Sequence[str],
                         start: date, seed: int) -> list[CampaignProblem]:
    fields = _STYLE_FIELDS[style]
    day_cache: dict[int, date | None] = {}

    def day(number: int) -> date | None:
        if number not in day_cache:
            day_cache[number] = None if number < 0 or number >= _NEVER else start + timedelta(number)
        return day_cache[number]

    prefix = _SERIAL_PREFIXES.get(unit, "WT")
    per_sheet: Counter[str] = Counter()
    problems = []
    columns = [block[key].tolist() for key in ("type", "name", "spot", "issue", "source", "found", "deadline",
                                               "started", "rectified", "closed", "sub_unit", "remark")]
    for index, (type_code, name_code, spot_code, issue_code, source_code, found, deadline, started, rectified,
                closed, sub_unit, remark_code) in enumerate(zip(*columns), start=1):
        point_type = _TYPE_CATALOG[type_code].canonical
        description, category = _ISSUES[issue_code]
        if style == "per_type_sheets_xlsx":
            sheet = _sheet_name(seed, unit, point_type)
            per_sheet[sheet] += 1
            serial = str(per_sheet[sheet])
        else:
            sheet = None
            serial = f"{prefix}-{index:03d}" if style == "yes_no_xlsx" else str(index)
        problems.append(CampaignProblem(
            ledger_unit=unit,
            unit=sub_units[sub_unit] if sub_unit >= 0 and "unit" in fields and style in _TITLED_STYLES else unit,
            style=style, sheet=sheet, serial=serial, point_type=point_type, point_name=_NAMES[name_code] + _SPOTS[spot_code],
            description=description, category=category if "category" in fields else None,
            source=SOURCES[source_code] if "source" in fields else None,
            remark=(_REMARKS + (_REBOUND_REMARK,))[remark_code] if remark_code >= 0 and "remark" in fields
            else None,
            found=day(found), deadline=day(deadline), started=day(started), rectified=day(rectified),
            closed=day(closed)))
    return problems


def _ordered_for_file(problems: Iterable[TruthProblem]) -> tuple[TruthProblem, ...]:
    """Rows in file order: sheets in order of their first problem, then by 序号."""
    sheet_rank: dict[str | None, int] = {}
    listed = list(problems)
    for problem in listed:
        sheet_rank.setdefault(problem.sheet, len(sheet_rank))
    return tuple(sorted(listed, key=lambda p: sheet_rank[p.sheet]))


def ledger_for_unit(unit: str, *, seed: int, n_problems: int, report_date: date, style: str = "title_xlsx",
                    point_types: Mapping[str, float] | None = None, sub_units: Sequence[str] = (),
                    oddities: bool = False, date_stated: bool = True, weeks: int = 6) -> Ledger:
    """One unit's ledger as of report_date: problems found over the `weeks` before it.

    point_types: weights by type name (canonical or UNKNOWN_POINT_TYPE); default from the unit's kind
    (a department gets the types of its trade, a 街道 DOMAIN's mix).  With oddities at least one deadline is a
    word and at least one problem is at 桥下空间.  date_stated=False leaves the date out of the file.
    """
    if style not in STYLE_COLUMNS:
        raise ValueError(f"unknown style {style!r}; one of {STYLES}")
    rng = np.random.default_rng(_stable_int("ledger", seed, unit))
    n_days = weeks * 7
    start = report_date - timedelta(n_days - 1)
    kind = _kind_of(unit)
    weights = _type_weights(unit, kind, oddities, point_types)
    if oddities and point_types is None and weights[_UNKNOWN_INDEX] == 0:
        weights[_UNKNOWN_INDEX] = _ODDITY_UNKNOWN_WEIGHT
        weights /= weights.sum()
    block = _generate_block(
        rng, weights=weights, n=n_problems, pace=float(rng.choice([0.6, 1.0, 1.8])), last_day=n_days - 1,
        day_weights=_day_weights(start, n_days), bursts=_burst_days(start, n_days), n_sub_units=len(sub_units),
        with_remarks="remark" in _STYLE_FIELDS[style], oddities=oddities, force_oddities=oddities)
    timelines = _problems_from_block(block, unit=unit, style=style, sub_units=sub_units, start=start, seed=seed)
    stated = report_date if date_stated else None
    return Ledger(unit=unit, report_date=stated, problems=_ordered_for_file(p.at(report_date) for p in timelines),
                  style=style, as_of=report_date, name=_default_file_name(unit, style, stated), seed=seed,
                  oddities=oddities)


def _default_file_name(unit: str, style: str, stated: date | None) -> str:
    pattern = "{unit}_创文问题整改台账_{date:%Y%m%d}" if stated else "{unit}_创文问题整改台账"
    return pattern.format(unit=unit, date=stated) + _SUFFIXES.get(style, ".xlsx")


def expected_summary(problems: Iterable[TruthProblem], as_of: date) -> dict:
    """The oracle: counts computed in plain Python from the truth.

    overdue: still 待整改/整改中 and the deadline before as_of (a deadline of 25 Nov is overdue from 26 Nov);
    a word deadline is never overdue.  by_unit counts by 责任单位.
    """
    listed = list(problems)

    def count(values: Iterable[str]) -> dict[str, int]:
        return dict(sorted(Counter(values).items()))

    return {
        "problems": len(listed),
        "by_point_type": count(p.point_type for p in listed),
        "by_status": count(p.status for p in listed),
        "overdue": sum(1 for p in listed
                       if p.status in OPEN_STATUSES and p.deadline is not None and p.deadline < as_of),
        "by_unit": count(p.unit for p in listed),
    }


# ---------------------------------------------------------------------------------------------------------
# Campaign
# ---------------------------------------------------------------------------------------------------------

_NAME_PATTERNS_DATED = ("{unit}_创文问题整改台账_{date:%Y%m%d}", "{unit}问题清单{date.year}.{date.month}.{date.day}",
                        "{unit}创文整改台账（{date.year}年{date.month}月{date.day}日）")
_NAME_PATTERNS_UNDATED = ("{unit}_创文问题整改台账", "{unit}问题清单")
_NAME_PATTERNS_UNITLESS = ("创文问题整改台账_{date:%Y%m%d}", "问题整改台账（{date.year}年{date.month}月{date.day}日）")


def _apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Integers proportional to weights that add up to total (largest remainder)."""
    shares = np.asarray(weights, dtype=float) / sum(weights) * total
    counts = np.maximum(np.floor(shares).astype(int), minimum)
    for index in np.argsort(-(shares - np.floor(shares)), kind="stable")[:max(total - counts.sum(), 0)]:
        counts[index] += 1
    return counts.tolist()


def _report_dates(weeks: int, end: date) -> tuple[date, ...]:
    return tuple(end - timedelta(7 * (weeks - 1 - week)) for week in range(weeks))


def campaign_units(seed: int = 0, n_units: int = 100, *, weeks: int = 8,
                   end: date = date(2026, 11, 20)) -> tuple[Unit, ...]:
    """The responsible units: 街道, 镇, 社区 and 市直部门 in about DOMAIN's proportions."""
    pools = (("街道", _STREETS), ("镇", _TOWNS), ("社区", _COMMUNITIES), ("市直部门", tuple(_DEPARTMENTS)))
    capacity = sum(len(names) for _, names in pools)
    if not 4 <= n_units <= capacity:
        raise ValueError(f"n_units must be between 4 and {capacity}")
    rng = random.Random(_stable_int("units", seed))
    report_dates = _report_dates(weeks, end)
    chosen: list[tuple[str, str, str]] = []
    for (kind, names), count in zip(pools, _apportion(n_units, [len(n) for _, n in pools], minimum=1)):
        for index, name in enumerate(names[:count]):
            district = (_TOWN_DISTRICT if kind == "镇" else _DEPARTMENT_DISTRICT if kind == "市直部门"
                        else _URBAN_DISTRICTS[index % len(_URBAN_DISTRICTS)])
            chosen.append((name, kind, district))
    chosen = chosen[:n_units]

    # Every layout at least once, then mostly xlsx.
    styles = list(STYLES) + rng.choices(STYLES, weights=[_STYLE_WEIGHTS[s] for s in STYLES],
                                        k=max(0, n_units - len(STYLES)))
    rng.shuffle(styles)
    n_stopped = max(1, round(n_units * 0.04)) if weeks >= 3 else 0
    stopped = set(rng.sample(range(n_units), n_stopped))
    communities_by_district: dict[str, list[str]] = {}
    for name, kind, district in chosen:
        if kind == "社区":
            communities_by_district.setdefault(district, []).append(name)

    units = []
    for index, ((name, kind, district), style) in enumerate(zip(chosen, styles)):
        pick = rng.random()
        if style in _TITLED_STYLES and pick < 0.15:
            pattern = rng.choice(_NAME_PATTERNS_UNITLESS)
        elif pick < 0.3:
            pattern = rng.choice(_NAME_PATTERNS_UNDATED)
        else:
            pattern = rng.choice(_NAME_PATTERNS_DATED)
        units.append(Unit(
            name=name, kind=kind, district=district, style=style,
            pace=rng.choice((0.6, 1.0, 1.0, 1.8)) * rng.uniform(0.9, 1.1),
            last_report=report_dates[-3] if index in stopped else report_dates[-1],
            name_pattern=pattern,
            sub_units=tuple(communities_by_district.get(district, ())[:3]) if kind == "街道" else ()))
    return tuple(units)


@dataclass(frozen=True)
class _Plan:
    units: tuple[Unit, ...]
    report_dates: tuple[date, ...]
    start: date
    counts: list[int]
    blocks: list[dict[str, np.ndarray]]


def _plan(seed: int, n_units: int, total: int, weeks: int, end: date, oddities: bool) -> _Plan:
    units = campaign_units(seed, n_units, weeks=weeks, end=end)
    report_dates = _report_dates(weeks, end)
    start = end - timedelta(7 * weeks - 1)
    n_days = (end - start).days + 1
    day_weights, bursts = _day_weights(start, n_days), _burst_days(start, n_days)
    activity_rng = np.random.default_rng(_stable_int("activity", seed))
    activity = [_KIND_ACTIVITY[u.kind] * activity_rng.lognormal(0, 0.35) for u in units]
    counts = _apportion(total, activity)
    blocks = []
    for unit, count in zip(units, counts):
        rng = np.random.default_rng(_stable_int("problems", seed, unit.name))
        blocks.append(_generate_block(
            rng, weights=_type_weights(unit.name, unit.kind, oddities), n=count, pace=unit.pace,
            last_day=(unit.last_report - start).days, day_weights=day_weights, bursts=bursts,
            n_sub_units=len(unit.sub_units), with_remarks="remark" in _STYLE_FIELDS[unit.style],
            oddities=oddities, force_oddities=False))
    return _Plan(units, report_dates, start, counts, blocks)


def campaign(seed: int = 0, n_units: int = 100, problems_per_unit: int = 40, weeks: int = 8,
             end: date = date(2026, 11, 20), test_date: date = date(2026, 12, 18),
             oddities: bool = True) -> Campaign:
    """A whole campaign: n_units × problems_per_unit problems (shared unevenly) found over `weeks` weeks."""
    plan = _plan(seed, n_units, n_units * problems_per_unit, weeks, end, oddities)
    problems: list[CampaignProblem] = []
    for unit, block in zip(plan.units, plan.blocks):
        problems.extend(_problems_from_block(block, unit=unit.name, style=unit.style, sub_units=unit.sub_units,
                                             start=plan.start, seed=seed))
    return Campaign(seed=seed, units=plan.units, report_dates=plan.report_dates, start=plan.start, end=end,
                    test_date=test_date, problems=tuple(problems), oddities=oddities)


def _problems_by_unit(campaign_: Campaign) -> dict[str, list[CampaignProblem]]:
    grouped: dict[str, list[CampaignProblem]] = {unit.name: [] for unit in campaign_.units}
    for problem in campaign_.problems:
        grouped[problem.ledger_unit].append(problem)
    return grouped


def snapshots(campaign_: Campaign, report_dates: Sequence[date] | None = None) -> list[list[Ledger]]:
    """For each report date, the whole ledger of every unit still reporting, as it stood that day.

    A unit sends nothing until it has a problem, and nothing after its last_report.
    """
    grouped = _problems_by_unit(campaign_)
    result = []
    for report_date in report_dates or campaign_.report_dates:
        ledgers = []
        for unit in campaign_.units:
            truth = [p.at(report_date) for p in grouped[unit.name] if p.found <= report_date]
            if report_date > unit.last_report or not truth:
                continue
            ledgers.append(Ledger(
                unit=unit.name, report_date=report_date if unit.states_date else None,
                problems=_ordered_for_file(truth), style=unit.style, as_of=report_date,
                name=unit.file_name(report_date), seed=campaign_.seed, oddities=campaign_.oddities))
        result.append(ledgers)
    return result


def campaign_truth(campaign_: Campaign, as_of: date | None = None) -> list[TruthProblem]:
    """What the database holds after every snapshot up to as_of (default: the end) has been imported."""
    as_of = as_of or campaign_.end
    grouped = _problems_by_unit(campaign_)
    truth = []
    for unit in campaign_.units:
        reported = [d for d in campaign_.report_dates if d <= min(as_of, unit.last_report)]
        if reported:
            truth.extend(p.at(reported[-1]) for p in grouped[unit.name] if p.found <= reported[-1])
    return truth


def write_snapshot(ledgers: Iterable[Ledger], folder: Path | str) -> list[Path]:
    """Write every ledger into folder; a clashing name gets " (1)", " (2)"… as a browser download would."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    paths = []
    for ledger in ledgers:
        name, copy = ledger.name, 0
        while name in used:
            copy += 1
            stem = ledger.name[:-len(ledger.suffix)]
            name = f"{stem} ({copy}){ledger.suffix}"
        used.add(name)
        paths.append(_write_ledger_as(ledger, folder / name))
    return paths


def _stated_problem_columns() -> list[str]:
    """The columns of `problems` but the life days, which the importer places from the history."""
    with duckdb.connect() as con:
        con.execute(SCHEMA)
        return [row[0] for row in con.execute("DESCRIBE problems").fetchall() if row[0] not in LIFE_DAY_COLUMNS]


def campaign_frame(seed: int = 0, n_problems: int = 1_000_000, n_units: int = 100, weeks: int = 8,
                   end: date = date(2026, 11, 20), oddities: bool = True) -> pd.DataFrame:
    """Rows of the `problems` table (analytics/db.py column order) as if every weekly ledger were imported,
    but for the life days (derive.LIFE_DAY_COLUMNS), which the importer derives from the history.

    Built with numpy from the same generator and units as campaign(); no files.  Each problem is in the
    state of its unit's last report; problem_key is "<unit>|<序号>", sheet '' and import ids synthetic
    (week index × n_units + unit index + 1).  Statuses and dates are the full canonical timeline, not cut
    down to what any layout can say.  String columns use pandas' str dtype, flags a list column.
    """
    plan = _plan(seed, n_units, n_problems, weeks, end, oddities)
    report_days = np.array([(d - plan.start).days for d in plan.report_dates])
    unit_index = np.repeat(np.arange(len(plan.units)), plan.counts)
    column = {key: np.concatenate([block[key] for block in plan.blocks]) for key in plan.blocks[0]}
    serial = np.concatenate([np.arange(1, count + 1) for count in plan.counts])
    last_week = np.array([plan.report_dates.index(u.last_report) for u in plan.units])[unit_index]
    as_of_day = report_days[last_week]
    status_code = np.select([column["closed"] <= as_of_day, column["rectified"] <= as_of_day,
                             column["started"] <= as_of_day], [3, 2, 1], 0)
    first_week = np.searchsorted(report_days, column["found"], side="left")

    def arrow(values: Sequence[str], codes: np.ndarray) -> pa.Array:
        return pa.array(values, pa.string()).take(pa.array(codes))

    def text(values: Sequence[str], codes: np.ndarray) -> pd.Series:
        return pd.Series(arrow(values, codes), dtype="str")

    def days(numbers: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        stamps = np.datetime64(plan.start, "s") + numbers.astype("timedelta64[D]")
        return stamps if valid is None else np.where(valid, stamps, np.datetime64("NaT", "s"))

    unit_names = [u.name for u in plan.units]
    sub_names = [u.sub_units for u in plan.units]
    responsible = [sub_names[u][s] if s >= 0 and plan.units[u].style in _TITLED_STYLES else unit_names[u]
                   for u, s in zip(unit_index.tolist(), column["sub_unit"].tolist())]
    type_names = [spec.canonical for spec in _TYPE_CATALOG]
    serial_text = pa.array(serial.astype(str))
    word_deadline = column["deadline"] < 0
    unknown = column["type"] == _UNKNOWN_INDEX
    word_codes = (column["issue"] % len(DEADLINE_WORDS))   # any fixed choice of word per row
    flag_lists = [[f"整改时限无法识别：{DEADLINE_WORDS[w]}"] * d + [f"未知点位类型：{UNKNOWN_POINT_TYPE}"] * k
                  if d or k else []
                  for d, k, w in zip(word_deadline.tolist(), unknown.tolist(), word_codes.tolist())]
    rectified_known = status_code >= 2
    closed_known = status_code == 3
    none_text = pd.Series(pa.nulls(len(serial), pa.string()), dtype="str")
    frame = {
        "problem_key": pd.Series(pc.binary_join_element_wise(arrow(unit_names, unit_index), serial_text, "|"),
                                 dtype="str"),
        "ledger_unit": text(unit_names, unit_index),
        "unit": pd.Series(responsible, dtype="str"),
        "district": text([u.district for u in plan.units], unit_index),
        "sheet": text([""], np.zeros(len(serial), dtype=np.int64)),
        "source_row": (serial + 2).astype(np.int32),
        "serial_no": pd.Series(serial_text, dtype="str"),
        "point_type": text(type_names, column["type"]),
        "point_type_raw": text(type_names, column["type"]),
        "point_type_known": ~unknown,
        "point_name": pd.Series(pc.binary_join_element_wise(arrow(_NAMES, column["name"]),
                                                            arrow(_SPOTS, column["spot"]), ""), dtype="str"),
        "description": text([d for d, _ in _ISSUES], column["issue"]),
        "category": text(CATEGORIES, _ISSUE_CATEGORY_CODES[column["issue"]]),
        "category_raw": text(CATEGORIES, _ISSUE_CATEGORY_CODES[column["issue"]]),
        "source": text(SOURCES, column["source"]),
        "found_date": days(column["found"]),
        "deadline": days(np.where(word_deadline, 0, column["deadline"]), ~word_deadline),
        "status": text(STATUSES, status_code),
        "status_raw": text(STATUSES, status_code),
        "rectified_date": days(np.where(rectified_known, column["rectified"], 0), rectified_known),
        "closed_date": days(np.where(closed_known, column["closed"], 0), closed_known),
        "remark": none_text,
        "raw_found": none_text,
        "raw_deadline": pd.Series(pa.array([DEADLINE_WORDS[w] if d else None
                                            for d, w in zip(word_deadline.tolist(), word_codes.tolist())],
                                           pa.string()), dtype="str"),
        "raw_rectified": none_text,
        "raw_closed": none_text,
        "flags": pd.Series(pa.array(flag_lists, pa.list_(pa.string())), dtype=pd.ArrowDtype(pa.list_(pa.string()))),
        "first_import_id": (first_week * len(plan.units) + unit_index + 1).astype(np.int32),
        "last_import_id": (last_week * len(plan.units) + unit_index + 1).astype(np.int32),
        "first_seen": days(report_days[first_week]),
        "as_of": days(as_of_day),
    }
    columns = _stated_problem_columns()
    if set(columns) != set(frame):
        raise RuntimeError(f"campaign_frame is out of step with the problems table: "
                           f"{sorted(set(columns) ^ set(frame))}")
    return pd.DataFrame({name: frame[name] for name in columns})


# ---------------------------------------------------------------------------------------------------------
# Rendering: truth → what units write
# ---------------------------------------------------------------------------------------------------------

def _type_text(point_type: str, pick: float, sub_pick: float) -> str:
    """The 点位类型 as a unit writes it: canonical, an alias, or decorated (类, a note in brackets, spaces)."""
    if point_type not in POINT_TYPE_ALIASES:
        return point_type
    aliases = POINT_TYPE_ALIASES[point_type]
    if pick < 0.55 or (pick < 0.85 and not aliases):
        return point_type
    if pick < 0.85:
        return aliases[int(sub_pick * len(aliases))]
    base = aliases[0] if aliases and sub_pick < 0.3 else point_type
    decorated = (f"{base}类", f"{base}（{(aliases or _BRACKET_NOTES)[-1]}）",
                 f"{base}({_BRACKET_NOTES[int(sub_pick * len(_BRACKET_NOTES))]})", f" {base} ",
                 f"{base[:2]} {base[2:]}")
    return decorated[min(int((pick - 0.85) / 0.15 * len(decorated)), len(decorated) - 1)]


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _date_cells(d: date, role: str, pick: float, as_of: date) -> date | str:
    return d


def _yes_no_text(d: date, role: str, pick: float, as_of: date) -> str:
    """Like 市城管局: 11月13日, 2026/11/10, 2026.11.9, 2026年10月25日; deadlines 11月24日前 or 2026-11-13."""
    same_year = d.year == as_of.year
    if role == "deadline":
        return f"{d.month}月{d.day}日前" if pick < 0.5 and same_year else d.isoformat()
    if role == "closed":
        return _cn_date(d) if pick < 0.8 else f"{d.year}/{d.month}/{d.day}"
    forms = (f"{d.month}月{d.day}日" if same_year else _cn_date(d), f"{d.year}/{d.month}/{d.day}",
             f"{d.year}.{d.month}.{d.day}", _cn_date(d))
    return forms[int(pick * len(forms))]


def _slash_text(d: date, role: str, pick: float, as_of: date) -> str:
    return f"{d.year}/{d.month}/{d.day}"


def _mixed_text(d: date, role: str, pick: float, as_of: date) -> str:
    if role == "deadline" and pick > 0.85 and d.year == as_of.year:
        return f"{d.month}月{d.day}日前"
    if pick < 0.7:
        return d.isoformat()
    return _cn_date(d) if pick < 0.85 else f"{d.year}.{d.month}.{d.day}"


def _cells_or_serial_text(d: date, role: str, pick: float, as_of: date) -> date | str:
    """Old workbooks: real date cells, and Excel serial numbers someone typed or pasted as text."""
    return str((d - _EXCEL_EPOCH).days) if pick < _XLS_TEXT_SERIAL_SHARE else d


_DATE_RENDERERS = {
    "title_xlsx": _date_cells, "per_type_sheets_xlsx": _date_cells, "two_row_header_xlsx": _date_cells,
    "yes_no_xlsx": _yes_no_text, "gbk_csv": _slash_text, "utf8_bom_csv": _mixed_text,
    "xls": _cells_or_serial_text,
}


def _rendered_rows(ledger: Ledger) -> list[dict[str, object]]:
    """Every problem as the cells its unit would write, by truth field name.

    A row's choices (spelling, date forms) come from its own seeded Random, so a row reads the same in
    every weekly snapshot except where its status moved on.
    """
    render_date = _DATE_RENDERERS[ledger.style]
    words = _STYLE_STATUS_POOLS[ledger.style]
    relative_done = False
    rows = []
    for index, p in enumerate(ledger.problems):
        rng = random.Random(_stable_int("row", ledger.seed, ledger.unit, p.sheet, p.serial or index))
        pick = [rng.random() for _ in range(8)]
        if p.deadline is None:
            deadline: object = DEADLINE_WORDS[int(pick[7] * len(DEADLINE_WORDS))]
        else:
            lead = (p.deadline - p.found).days
            relative = (ledger.oddities and lead in _RELATIVE_DEADLINE_DAYS
                        and (pick[7] < _RELATIVE_DEADLINE_SHARE or not relative_done))
            if relative:
                relative_done = True
                deadline = f"{lead}天" if pick[4] < 0.5 else f"{lead}日内"
            else:
                deadline = render_date(p.deadline, "deadline", pick[4], ledger.as_of)
        pool = words[p.status]
        rows.append({
            "serial": int(p.serial) if p.serial and p.serial.isdigit() else p.serial,
            "point_type": _type_text(p.point_type, pick[0], pick[1]),
            "point_name": p.point_name, "description": p.description, "category": p.category,
            "source": p.source, "unit": p.unit, "remark": p.remark,
            "found": render_date(p.found, "found", pick[3], ledger.as_of),
            "deadline": deadline,
            "status": pool[int(pick[2] * len(pool))],
            "rectified": render_date(p.rectified, "rectified", pick[5], ledger.as_of) if p.rectified else None,
            "closed": render_date(p.closed, "closed", pick[6], ledger.as_of) if p.closed else None,
        })
    return rows


def _xlsx_workbook(target: Path | io.BytesIO, as_of: date) -> xlsxwriter.Workbook:
    workbook = xlsxwriter.Workbook(target if isinstance(target, io.BytesIO) else str(target),
                                   {"in_memory": True, "strings_to_numbers": False,
                                    "strings_to_formulas": False, "strings_to_urls": False})
    # A fixed creation time keeps the bytes identical run after run (zip entry times are fixed already).
    workbook.set_properties({"created": datetime.combine(as_of, time(9))})
    return workbook


def _xlsx_put(sheet, row: int, col: int, value: object, date_format) -> None:
    if value is None or value == "":
        return
    if isinstance(value, date):
        sheet.write_datetime(row, col, datetime.combine(value, time()), date_format)
    elif isinstance(value, int):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _xlsx_data(sheet, first_row: int, rows: list[dict], fields: Sequence[str], date_format) -> int:
    for offset, row in enumerate(rows):
        for col, field_name in enumerate(fields):
            _xlsx_put(sheet, first_row + offset, col, row[field_name], date_format)
    return first_row + len(rows)


_DATE_FORMATS = ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')


def _write_title_xlsx(ledger: Ledger, path: Path | io.BytesIO) -> None:
    rng = random.Random(_stable_int("layout", ledger.seed, ledger.unit, ledger.style))
    columns = STYLE_COLUMNS[ledger.style]
    last_col = len(columns) - 1
    workbook = _xlsx_workbook(path, ledger.as_of)
    title_format = workbook.add_format({"bold": True, "align": "center"})
    date_format = workbook.add_format({"num_format": rng.choice(_DATE_FORMATS)})
    sheet = workbook.add_worksheet(rng.choice(("问题台账", "Sheet1", "台账")))
    stated = ledger.report_date
    n_titles = rng.randint(1, 3)
    title = f"{ledger.unit}创建全国文明城市问题整改台账"
    if stated and (n_titles == 1 or rng.random() < 0.5):
        title += f"（截至{_cn_date(stated)}）"
    sheet.merge_range(0, 0, 0, last_col, title, title_format)
    if n_titles == 2:
        sheet.merge_range(1, 0, 1, last_col // 2, f"填报单位：{ledger.unit}")
        if stated:
            sheet.merge_range(1, last_col // 2 + 1, 1, last_col, f"填报日期：{_cn_date(stated)}")
    elif n_titles == 3:
        sheet.merge_range(1, 0, 1, last_col, f"填报单位：{ledger.unit}")
        sheet.merge_range(2, 0, 2, last_col, f"填报日期：{_cn_date(stated)}" if stated else "填报日期：")
    for col, (header, _) in enumerate(columns):
        sheet.write_string(n_titles, col, header)
    rows = _rendered_rows(ledger)
    end = _xlsx_data(sheet, n_titles + 1, rows, [f for _, f in columns], date_format)
    sheet.write_string(end + 1, 0, "合计")
    sheet.write_string(end + 1, 1, f"共{len(rows)}条")
    workbook.close()


def _write_yes_no_xlsx(ledger: Ledger, path: Path) -> None:
    columns = STYLE_COLUMNS[ledger.style]
    workbook = _xlsx_workbook(path, ledger.as_of)
    sheet = workbook.add_worksheet("Sheet1")
    for col, (header, _) in enumerate(columns):
        sheet.write_string(0, col, header)
    _xlsx_data(sheet, 1, _rendered_rows(ledger), [f for _, f in columns], None)
    workbook.close()


def _write_per_type_sheets_xlsx(ledger: Ledger, path: Path) -> None:
    columns = STYLE_COLUMNS[ledger.style]
    fields = [f for _, f in columns]
    workbook = _xlsx_workbook(path, ledger.as_of)
    title_format = workbook.add_format({"bold": True, "align": "center"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    instructions = workbook.add_worksheet("填表说明")
    for row, line in enumerate(_PER_TYPE_INSTRUCTIONS):
        instructions.write_string(row, 0, line)
    by_sheet: dict[str, list[dict]] = {}
    for problem, row in zip(ledger.problems, _rendered_rows(ledger)):
        by_sheet.setdefault(problem.sheet or problem.point_type, []).append(row)
    for sheet_name, rows in by_sheet.items():
        sheet = workbook.add_worksheet(sheet_name)
        sheet.merge_range(0, 0, 0, len(columns) - 1, f"{ledger.unit}{sheet_name}问题台账", title_format)
        for col, (header, _) in enumerate(columns):
            sheet.write_string(1, col, header)
        end = _xlsx_data(sheet, 2, rows, fields, date_format)
        sheet.write_string(end, 0, "合计")
        sheet.write_number(end, 1, len(rows))
    workbook.close()


def _write_two_row_header_xlsx(ledger: Ledger, path: Path) -> None:
    columns = STYLE_COLUMNS[ledger.style]
    fields = [f for _, f in columns]
    group_name, group_fields = _TWO_ROW_GROUP
    group_cols = [fields.index(f) for f in group_fields]
    workbook = _xlsx_workbook(path, ledger.as_of)
    title_format = workbook.add_format({"bold": True, "align": "center"})
    header_format = workbook.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("整改落实情况")
    title = f"{ledger.unit}创文问题整改落实情况表"
    if ledger.report_date:
        title += f"（截至{_cn_date(ledger.report_date)}）"
    sheet.merge_range(0, 0, 0, len(columns) - 1, title, title_format)
    for col, (header, _) in enumerate(columns):
        if col in group_cols:
            sheet.write_string(2, col, header, header_format)
        else:
            sheet.merge_range(1, col, 2, col, header, header_format)
    sheet.merge_range(1, group_cols[0], 1, group_cols[-1], group_name, header_format)
    rows = _rendered_rows(ledger)
    end = _xlsx_data(sheet, 3, rows, fields, date_format)
    sheet.write_string(end, 0, "合计")
    sheet.write_number(end, 1, len(rows))
    workbook.close()


def _write_csv(ledger: Ledger, path: Path, encoding: str) -> None:
    columns = STYLE_COLUMNS[ledger.style]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")   # as Excel saves CSV
    writer.writerow([header for header, _ in columns])
    for row in _rendered_rows(ledger):
        writer.writerow(["" if row[f] is None else str(row[f]) for _, f in columns])
    path.write_bytes(buffer.getvalue().encode(encoding))


_XLS_MAX_ROWS = 65_536


def _write_xls(ledger: Ledger, path: Path) -> None:
    columns = STYLE_COLUMNS[ledger.style]
    if len(ledger.problems) + 3 > _XLS_MAX_ROWS:
        raise ValueError(f".xls holds at most {_XLS_MAX_ROWS} rows; {len(ledger.problems)} problems given")
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("台账")
    date_style = xlwt.XFStyle()
    date_style.num_format_str = "YYYY-MM-DD"
    title = f"{ledger.unit}创文问题整改台账"
    if ledger.report_date:
        d = ledger.report_date
        title += f"（截至{d.year}.{d.month}.{d.day}）"
    sheet.write_merge(0, 0, 0, len(columns) - 1, title)
    for col, (header, _) in enumerate(columns):
        sheet.write(1, col, header)
    rows = _rendered_rows(ledger)
    for offset, row in enumerate(rows):
        for col, (_, field_name) in enumerate(columns):
            value = row[field_name]
            if isinstance(value, date):
                sheet.write(2 + offset, col, value, date_style)
            elif value is not None:
                sheet.write(2 + offset, col, value)
    sheet.write(3 + len(rows), 0, "合计")
    sheet.write(3 + len(rows), 1, f"{len(rows)}条")
    workbook.save(str(path))


_WRITERS = {
    "title_xlsx": _write_title_xlsx,
    "yes_no_xlsx": _write_yes_no_xlsx,
    "per_type_sheets_xlsx": _write_per_type_sheets_xlsx,
    "two_row_header_xlsx": _write_two_row_header_xlsx,
    "gbk_csv": lambda ledger, path: _write_csv(ledger, path, "gbk"),
    "utf8_bom_csv": lambda ledger, path: _write_csv(ledger, path, "utf-8-sig"),
    "xls": _write_xls,
}


def _write_ledger_as(ledger: Ledger, path: Path) -> Path:
    if ledger.style not in _WRITERS:
        raise ValueError(f"unknown style {ledger.style!r}; one of {STYLES}")
    if path.suffix != ledger.suffix:
        raise ValueError(f"{path.name}: style {ledger.style} writes {ledger.suffix} files")
    _WRITERS[ledger.style](ledger, path)
    return path


def write_ledger(ledger: Ledger, folder: Path | str) -> Path:
    """Write ledger as a real file named ledger.name in folder; same ledger → same file, byte for byte."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return _write_ledger_as(ledger, folder / ledger.name)


# ---------------------------------------------------------------------------------------------------------
# Hostile and broken files
# ---------------------------------------------------------------------------------------------------------

def _small_ledger() -> Ledger:
    return ledger_for_unit("城关街道", seed=0, n_problems=5, report_date=date(2026, 11, 20))


def _valid_xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    _write_title_xlsx(_small_ledger(), buffer)
    return buffer.getvalue()


def write_corrupt_xlsx(folder: Path | str, name: str = "损坏的台账.xlsx") -> Path:
    """A real ledger whose sheet data is scrambled: the zip opens, the sheet cannot be inflated."""
    data = bytearray(_valid_xlsx_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    body = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    for offset in range(body + 8, body + min(member.compress_size - 8, 200)):
        data[offset] ^= 0xA5
    path = Path(folder) / name
    path.write_bytes(bytes(data))
    return path


def write_truncated_xlsx(folder: Path | str, name: str = "截断的台账.xlsx") -> Path:
    """The first half of a real ledger, as an interrupted download leaves it."""
    data = _valid_xlsx_bytes()
    path = Path(folder) / name
    path.write_bytes(data[:len(data) // 2])
    return path


def write_renamed_exe(folder: Path | str, name: str = "台账.xlsx", *, size: int = 4096) -> Path:
    """A Windows program (MZ header) named like a ledger."""
    rng = random.Random(_stable_int("exe", size))
    header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    path = Path(folder) / name
    path.write_bytes(header + stub + rng.randbytes(max(size - len(header) - len(stub), 0)))
    return path


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="问题台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
# Style 1: a bordered cell (the formatting that fills a sheet with blank rows); style 2: a date.
_STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/>'
    '</border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
_SHEET_TAIL = "</sheetData></worksheet>"
_PACKAGE_PARTS = (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                  ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                  ("xl/styles.xml", _STYLES_XML))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_row_xml(row_number: int, values: Sequence[object]) -> str:
    cells = []
    for col, value in enumerate(values):
        ref = f"{_column_letter(col)}{row_number}"
        if isinstance(value, date):
            cells.append(f'<c r="{ref}" s="2"><v>{(value - _EXCEL_EPOCH).days}</v></c>')
        elif isinstance(value, int):
            cells.append(f'<c r="{ref}" s="1"><v>{value}</v></c>')
        elif value:
            cells.append(f'<c r="{ref}" s="1" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{row_number}">{"".join(cells)}</row>'


def _ledger_rows_xml(ledger: Ledger) -> tuple[str, int]:
    """Header and canonical rows of a ledger in title_xlsx's columns, as sheet XML; and the last row number."""
    columns = STYLE_COLUMNS["title_xlsx"]
    parts = [_sheet_row_xml(1, [header for header, _ in columns])]
    for number, p in enumerate(ledger.problems, start=2):
        values = {"serial": int(p.serial) if p.serial and p.serial.isdigit() else p.serial,
                  "point_type": p.point_type, "point_name": p.point_name, "description": p.description,
                  "category": p.category, "found": p.found, "unit": p.unit, "deadline": p.deadline,
                  "status": p.status, "rectified": p.rectified, "remark": p.remark}
        parts.append(_sheet_row_xml(number, [values[f] for _, f in columns]))
    return "".join(parts), len(ledger.problems) + 1


def write_formatted_blank_rows_xlsx(folder: Path | str, name: str = "带格式空行的台账.xlsx", *,
                                    n_rows: int = 1_000_000, ledger: Ledger | None = None) -> Path:
    """A real header and a few problems (default: 5 of 城关街道, canonical values, title_xlsx columns), then
    formatted but empty rows down to row n_rows, with the sheet dimension claiming them all."""
    ledger = ledger or _small_ledger()
    data_xml, last_data_row = _ledger_rows_xml(ledger)
    last_col = _column_letter(len(STYLE_COLUMNS["title_xlsx"]) - 1)
    path = Path(folder) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in _PACKAGE_PARTS:
            archive.writestr(zipfile.ZipInfo(part, (1980, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
        sheet_info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (1980, 1, 1, 0, 0, 0))
        sheet_info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(sheet_info, "w") as sheet:
            sheet.write((_SHEET_HEAD + f'<dimension ref="A1:{last_col}{n_rows}"/><sheetData>' + data_xml).encode())
            # Without r= a row follows the previous one, as OOXML allows: identical rows, tiny compressed.
            blank = b'<row spans="1:11" s="1" customFormat="1"/>'
            for first in range(last_data_row + 1, n_rows + 1, 50_000):
                sheet.write(blank * (min(first + 50_000, n_rows + 1) - first))
            sheet.write(_SHEET_TAIL.encode())
    return path


def _raw_deflate(data: bytes, finish: bool) -> bytes:
    """A self-contained deflate segment: it references nothing before it, so copies can be concatenated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if finish else zlib.Z_FULL_FLUSH)


def _zip_member_headers(name: bytes, crc: int, compressed: int, size: int, offset: int) -> tuple[bytes, bytes]:
    """Local and central directory headers of one deflated member (dated 1980-01-01)."""
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 33, crc, compressed, size, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 33, crc, compressed, size,
                          len(name), 0, 0, 0, 0, 0, offset) + name
    return local, central


def write_zip_bomb_xlsx(folder: Path | str, name: str = "超大台账.xlsx", *,
                        uncompressed_bytes: int = 1_342_177_280) -> Path:
    """An .xlsx of about a megabyte whose sheet XML inflates to uncompressed_bytes (default 1.25 GiB).

    Written streaming: one deflated megabyte-block is repeated, never the big content itself.
    """
    if not 1 << 20 < uncompressed_bytes < 1 << 32:
        raise ValueError("uncompressed_bytes must be between 1 MiB and 4 GiB (no zip64 here)")
    # Long runs of one character deflate about 1000:1, so the file stays near a megabyte.
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 32_000 + b"</t></is></c></row>"
    chunk = row * ((1 << 20) // len(row))
    head = (_SHEET_HEAD + "<sheetData>").encode()
    tail = _SHEET_TAIL.encode()
    copies = (uncompressed_bytes - len(head) - len(tail)) // len(chunk) + 1
    segment = _raw_deflate(chunk, finish=False)
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    head_deflated, tail_deflated = _raw_deflate(head, finish=False), _raw_deflate(tail, finish=True)
    path = Path(folder) / name
    central_parts = []
    with path.open("wb") as out:
        members = [(part, text.encode()) for part, text in _PACKAGE_PARTS]
        for part, content in members:
            deflated = _raw_deflate(content, finish=True)
            local, central = _zip_member_headers(part.encode(), zlib.crc32(content), len(deflated),
                                                 len(content), out.tell())
            out.write(local + deflated)
            central_parts.append(central)
        size = len(head) + copies * len(chunk) + len(tail)
        compressed = len(head_deflated) + copies * len(segment) + len(tail_deflated)
        local, central = _zip_member_headers(b"xl/worksheets/sheet1.xml", crc, compressed, size, out.tell())
        out.write(local + head_deflated)
        for _ in range(copies):
            out.write(segment)
        out.write(tail_deflated)
        central_parts.append(central)
        directory_offset = out.tell()
        directory = b"".join(central_parts)
        out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central_parts),
                                          len(central_parts), len(directory), directory_offset, 0))
    return path


def write_unknown_encoding_csv(folder: Path | str, name: str = "台账.csv", *, size: int = 2048) -> Path:
    """Comma- and line-separated bytes that are neither UTF-8 nor GBK/GB18030 (nor even-length UTF-16)."""
    rng = random.Random(_stable_int("encoding", size))
    lines = []
    for _ in range(max(size // 64, 2)):
        cells = [bytes([0xFF, rng.randrange(0x80, 0x100), 0x80, rng.randrange(0x80, 0x100)]) * rng.randint(1, 3)
                 for _ in range(6)]
        lines.append(b",".join(cells))
    path = Path(folder) / name
    data = b"\r\n".join(lines)
    path.write_bytes(data if len(data) % 2 else data + b"\xff")
    return path


def write_error_values_xlsx(folder: Path | str, name: str = "含错误值的台账.xlsx") -> Path:
    """A ledger (title_xlsx columns, 4 problem rows of 城关街道) where Excel left errors and formulas.

    Row 3 (first problem) is clean.  Row 4: 发现时间 is #REF! (a formula whose reference was deleted).
    Row 5: 点位类型 is #N/A (a failed VLOOKUP) and 整改时限 is the formula =F5+7 with its cached date.
    Row 6: 整改状态 is =1/0 (#DIV/0!).  The 合计 row counts with =COUNTA(C3:C6) (cached 4).
    Formulas carry cached values as Excel saves them, so readers that take values see the errors.
    """
    ledger = ledger_for_unit("城关街道", seed=0, n_problems=4, report_date=date(2026, 11, 20))
    columns = STYLE_COLUMNS["title_xlsx"]
    fields = [f for _, f in columns]
    path = Path(folder) / name
    workbook = _xlsx_workbook(path, ledger.as_of)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("问题台账")
    sheet.merge_range(0, 0, 0, len(columns) - 1, f"{ledger.unit}创建全国文明城市问题整改台账")
    for col, (header, _) in enumerate(columns):
        sheet.write_string(1, col, header)
    for offset, p in enumerate(ledger.problems):
        row = 2 + offset
        values = {"serial": offset + 1, "point_type": p.point_type, "point_name": p.point_name,
                  "description": p.description, "category": p.category, "found": p.found, "unit": p.unit,
                  "deadline": p.deadline, "status": p.status, "rectified": p.rectified, "remark": p.remark}
        for col, field_name in enumerate(fields):
            _xlsx_put(sheet, row, col, values[field_name], date_format)
    col = fields.index
    sheet.write_formula(3, col("found"), "=#REF!", None, "#REF!")
    sheet.write_formula(4, col("point_type"), '=VLOOKUP(C5,类型表!A:B,2,FALSE)', None, "#N/A")
    found_row5 = ledger.problems[2].found
    sheet.write_formula(4, col("deadline"), "=F5+7", date_format, (found_row5 - _EXCEL_EPOCH).days + 7)
    sheet.write_formula(5, col("status"), "=1/0", None, "#DIV/0!")
    sheet.write_string(6, 0, "合计")
    sheet.write_formula(6, 1, "=COUNTA(C3:C6)", None, 4)
    workbook.close()
    return path


def write_duplicated_header_xlsx(folder: Path | str, name: str = "表头重复的台账.xlsx", *,
                                 mode: str = "columns") -> Path:
    """A ledger of 6 problems (城关街道, title_xlsx columns) whose header is duplicated.

    mode "columns": 整改状态 appears twice, the second copy saying the opposite (未整改 where the first is
    done, 已整改 where it is open): the file cannot say which is meant.
    mode "rows": the header row is repeated between the first 3 and the last 3 problems, as when two
    tables are pasted one under the other; the 6 problems are all real.
    """
    if mode not in ("columns", "rows"):
        raise ValueError("mode is 'columns' or 'rows'")
    ledger = ledger_for_unit("城关街道", seed=1, n_problems=6, report_date=date(2026, 11, 20))
    columns = list(STYLE_COLUMNS["title_xlsx"])
    fields = [f for _, f in columns]
    headers = [h for h, _ in columns] + (["整改状态"] if mode == "columns" else [])
    path = Path(folder) / name
    workbook = _xlsx_workbook(path, ledger.as_of)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("问题台账")
    row = 0
    sheet.merge_range(row, 0, row, len(headers) - 1, f"{ledger.unit}创建全国文明城市问题整改台账"
                                                     f"（截至{_cn_date(ledger.as_of)}）")
    for index, (problem, rendered) in enumerate(zip(ledger.problems, _rendered_rows(ledger))):
        if index == 0 or (mode == "rows" and index == 3):
            row += 1
            for col, header in enumerate(headers):
                sheet.write_string(row, col, header)
        row += 1
        for col, field_name in enumerate(fields):
            _xlsx_put(sheet, row, col, rendered[field_name], date_format)
        if mode == "columns":
            sheet.write_string(row, len(fields), "未整改" if problem.status in DONE_STATUSES else "已整改")
    workbook.close()
    return path


def write_not_a_ledger_xlsx(folder: Path | str, name: str = "通讯录.xlsx") -> Path:
    """A workbook that holds no ledger: a 通讯录 sheet (姓名/电话/职务/单位) and an empty Sheet2."""
    path = Path(folder) / name
    workbook = _xlsx_workbook(path, date(2026, 11, 20))
    sheet = workbook.add_worksheet("通讯录")
    people = (("张伟", "13800000001", "主任", "城关街道"), ("王芳", "13800000002", "副主任", "城关街道"),
              ("李强", "13800000003", "科员", "市城管局"), ("刘洋", "13800000004", "联络员", "东关街道"),
              ("陈静", "13800000005", "科长", "市市场监管局"))
    for col, header in enumerate(("姓名", "电话", "职务", "单位")):
        sheet.write_string(0, col, header)
    for row, person in enumerate(people, start=1):
        for col, value in enumerate(person):
            sheet.write_string(row, col, value)
    workbook.add_worksheet("Sheet2")
    workbook.close()
    return path
