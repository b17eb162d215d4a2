"""Statuses and sources in the office's own words, read by meaning; the words users add; the rows
those words come in, read from real ledger files."""
import datetime as dt

import openpyxl
import pytest

from analytics.shared import db, schema
from analytics.intake import parse_ledger
from analytics.shared.office_words import (add_word,
    default_words,
    office_words,
    remove_word,
    unknown_sources,
    word_table)
from analytics.shared.vocab import default_point_type_aliases

WORDS = default_words()

# Every status word the offices write, and everyday variants of them, with the status they mean.
STATUS_WORDS = [
    # 待整改
    ("未整改", "待整改"), ("未完成", "待整改"), ("待整改", "待整改"), ("否", "待整改"),
    ("已交办", "待整改"), ("已督办", "待整改"), ("已转办", "待整改"), ("交办", "待整改"),
    ("已转办城管局", "待整改"), ("未通过复查", "待整改"), ("复查未通过", "待整改"), ("验收不通过", "待整改"),
    ("尚未整改", "待整改"), ("没有整改", "待整改"), ("不到位", "待整改"), ("未按期完成", "待整改"),
    ("需整改", "待整改"), ("已整改，复查未通过", "待整改"), ("×", "待整改"),
    # 整改中
    ("整改中", "整改中"), ("正在整改", "整改中"), ("推进中", "整改中"), ("长期整改", "整改中"),
    ("持续整改", "整改中"), ("部分整改", "整改中"), ("基本完成", "整改中"), ("维修中", "整改中"),
    ("整改中，尚未完成", "整改中"), ("预计12月底完成", "整改中"), ("已完成80%", "整改中"),
    ("已交办，正在整改", "整改中"), ("复查未通过，整改中", "整改中"), ("挂账整改", "整改中"),
    # 已整改
    ("已整改", "已整改"), ("整改完毕", "已整改"), ("已整改完毕", "已整改"), ("已完成", "已整改"),
    ("完成", "已整改"), ("是", "已整改"), ("√", "已整改"), ("立行立改", "已整改"), ("当场整改", "已整改"),
    ("待验收", "已整改"), ("待复查", "已整改"), ("已整改（待复核）", "已整改"), ("已整改(待复核)", "已整改"),
    ("待销号", "已整改"), ("未销号", "已整改"), ("已整改待销号", "已整改"), ("整改到位", "已整改"),
    ("已清理", "已整改"), ("已修复", "已整改"), ("已完成100%", "已整改"),
    # 已销号
    ("已销号", "已销号"), ("销号", "已销号"), ("复查通过", "已销号"), ("验收通过", "已销号"),
    ("通过验收", "已销号"), ("整改完成，已销号", "已销号"),
]


@pytest.mark.parametrize("raw, expected", STATUS_WORDS)
def test_statuses_are_read_by_meaning(raw, expected):
    assert WORDS.status(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "见附件", "？？"])
def test_what_says_nothing_known_is_none(raw):
    assert WORDS.status(raw) is None


@pytest.mark.parametrize("raw, expected", [("是", True), ("否", False), ("√", True), ("已整改", True),
                                           ("未整改", False), ("已交办", False), ("", None), ("不清楚", None)])
def test_yes_no(raw, expected):
    assert WORDS.yes_no(raw) == expected


SOURCE_WORDS = [
    ("模拟测评", "模拟测评"), ("第三轮模拟测评", "模拟测评"), ("第2轮模拟测评", "模拟测评"), ("第三方模拟测评", "模拟测评"),
    ("省文明办暗访反馈", "上级测评"), ("省级测评反馈", "上级测评"), ("中央文明办测评", "上级测评"),
    ("上级测评", "上级测评"), ("市文明办反馈", "上级测评"),
    ("明察暗访", "暗访"), ("暗访检查", "暗访"), ("县创文办暗访", "暗访"), ("暗访", "暗访"),
    ("日常巡查", "日常督查"), ("督查", "日常督查"), ("检查", "日常督查"), ("日常督查", "日常督查"),
    ("专项督查（农贸市场）", "专项督查"), ("专项整治检查", "专项督查"),
    ("人大代表视察", "人大政协视察"), ("政协委员视察", "人大政协视察"),
    ("12345热线", "群众举报"), ("文明随手拍", "群众举报"), ("投诉", "群众举报"), ("举报", "群众举报"),
    ("电视台曝光", "媒体曝光"), ("报纸曝光", "媒体曝光"), ("媒体报道", "媒体曝光"),
    ("单位自查", "自查"), ("自查", "自查"),
    ("其他渠道", "其他渠道"),   # nobody's word: kept as written
]


@pytest.mark.parametrize("raw, expected", SOURCE_WORDS)
def test_sources_are_read_by_meaning(raw, expected):
    assert WORDS.source(raw) == expected


def test_an_empty_source_is_none():
    assert WORDS.source("") is None


@pytest.fixture
def con(tmp_path):
    with db.connect(schema.init_db(tmp_path / "words.duckdb")) as connection:
        yield connection


def test_words_users_add_win_and_can_be_taken_back(con):
    assert office_words(con).status("已上报区级") == "待整改"
    assert add_word(con, "status", " 已上报 ", "整改中", actor="测试") == "已上报"
    assert add_word(con, "source", "网格员发现", "日常督查", actor="测试") == "网格员发现"
    words = office_words(con)
    assert words.status("已上报区级") == "整改中"
    assert words.status("未上报") == "待整改"                  # negated like the built-in words of its meaning
    assert words.source("网格员发现") == "日常督查"
    table = word_table(con, "status")
    assert table.iloc[0].tolist() == ["已上报", "整改中", False]    # the users' words first
    assert ("立行立改", "已整改", True) in set(map(tuple, table.values.tolist()))
    remove_word(con, "status", "已上报", actor="测试")
    assert office_words(con).status("已上报区级") == "待整改"
    assert con.execute("SELECT count(*) FROM audit_log WHERE action = '修改词表'").fetchone()[0] == 3


def test_picture_column_headers_users_add_name_their_kind_only_and_can_be_taken_back(con):
    assert office_words(con).ledger_headers.field_of("整改影像") is None
    assert add_word(con, "photo", "整改影像（附图）", "整改后照片", actor="测试") == "整改影像"
    add_word(con, "photo", "问题", "整改前照片", actor="测试")     # the user's reading wins over 问题描述's
    headers = office_words(con).ledger_headers
    assert (headers.field_of("整改影像"), headers.field_of("问题")) == ("photo_after", "photo_before")
    assert headers.field_of("问题描述") == "description"
    table = word_table(con, "photo")
    assert table.iloc[0].tolist() == ["问题", "整改前照片", False]
    assert ("佐证", "整改后照片", True) in set(map(tuple, table.values.tolist()))
    remove_word(con, "photo", "整改影像", actor="测试")
    assert office_words(con).ledger_headers.field_of("整改影像") is None


@pytest.mark.parametrize("kind, word, meaning, message", [
    ("status", "", "已整改", "不能为空"), ("status", "搞定", "搞定了", "不是可选的整改状态"),
    ("source", "网格", "网格", "不是可选的问题来源"), ("place", "x", "y", "没有“place”这类词"),
    ("photo", "现场影像", "整改前", "不是可选的照片列"),
])
def test_bad_words_are_refused_in_chinese(con, kind, word, meaning, message):
    with pytest.raises(ValueError, match=message):
        add_word(con, kind, word, meaning, actor="测试")


# A ledger written in the office's own words, as a unit sends it.
HEADER = ["序号", "点位类型", "点位名称", "问题描述", "问题来源", "发现时间", "整改时限", "整改情况"]
LEDGER_ROWS = [
    ["1", "背街小巷", "柳树巷", "墙面乱贴小广告", "第三轮模拟测评", "2026/11/2", "2026/11/5", "立行立改"],
    ["2", "农贸市场", "城东菜市场", "占道经营", "省文明办暗访反馈", "2026/11/3", "2026/11/10", "已交办"],
    ["3", "居民小区", "幸福小区", "垃圾满溢", "明察暗访", "2026/11/3", "2026/11/10", "长期整改"],
    ["4", "主次干道", "人民路", "道路破损", "日常巡查", "2026/11/4", "2026/11/10", "已整改（待复核）"],
    ["5", "公园", "人民公园", "烟头纸屑", "12345热线", "2026/11/4", "2026/11/10", "复查通过"],
    ["6", "公交站点", "人民路站", "站牌破损", "专项整治检查", "2026/11/4", "2026/11/10", "复查未通过"],
    ["7", "医院", "市医院", "禁烟标识缺失", "单位自查", "2026/11/5", "2026/11/10", "已督办"],
    ["8", "银行网点", "", "", "电视台曝光", "2026/11/5", "2026/11/10", "待验收"],
]


def test_a_ledger_in_office_words_reads_every_row_and_flags_only_what_is_missing(tmp_path):
    workbook = openpyxl.Workbook()
    for row in [HEADER, *LEDGER_ROWS]:
        workbook.active.append(row)
    path = tmp_path / "城关街道_台账.xlsx"
    workbook.save(path)
    ledger = parse_ledger(path, point_type_aliases=default_point_type_aliases(), today=dt.date(2026, 11, 21))
    statuses = [record["status"] for record in ledger.records]
    assert statuses == ["已整改", "待整改", "整改中", "已整改", "已销号", "待整改", "待整改", "已整改"]
    sources = [record["source"] for record in ledger.records]
    assert sources == ["模拟测评", "上级测评", "暗访", "日常督查", "群众举报", "专项督查", "自查", "媒体曝光"]
    flags = [record["flags"] for record in ledger.records]
    assert flags[:7] == [[]] * 7                                 # normal office words are never flagged
    assert flags[7] == ["点位名称为空", "问题描述为空"]              # kept, and flagged to be completed


def test_unknown_sources_are_listed_for_mapping(con):
    con.execute("INSERT INTO problems (problem_key, ledger_unit, unit, sheet, source_row, point_type_known, "
                "status, flags, source, first_import_id, last_import_id, first_seen, as_of, start_day) "
                "SELECT 'k' || i, '甲', '甲', '', i, TRUE, '待整改', [], s, 1, 1, DATE '2026-11-01', "
                "DATE '2026-11-01', DATE '2026-11-01' FROM (VALUES (1, '网格员'), (2, '网格员'), (3, '暗访')) t(i, s)")
    assert unknown_sources(con).values.tolist() == [["网格员", 2]]


def test_imports_read_with_the_users_words_and_a_rebuild_reads_the_archive_again_with_them(tmp_path):
    from analytics.intake import import_paths, rebuild

    workbook = openpyxl.Workbook()
    for row in [HEADER, ["1", "公园", "人民公园", "烟头纸屑", "网格员上报", "2026/11/4", "2026/11/10", "已上报区级"]]:
        workbook.active.append(row)
    ledger = tmp_path / "城关街道_台账.xlsx"
    workbook.save(ledger)
    path = tmp_path / "words.duckdb"
    import_paths(path, [ledger])
    with db.connect(path) as con:
        assert con.execute("SELECT status, source FROM problems").fetchone() == ("待整改", "网格员上报")
        add_word(con, "status", "已上报", "整改中", actor="测试")
        add_word(con, "source", "网格员", "日常督查", actor="测试")
    rebuild(path)
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT status, source FROM problems").fetchone() == ("整改中", "日常督查")
        assert len(word_table(con, "source").query("not builtin")) == 1
