"""The briefing deck, opened again with python-pptx: slide order, native charts holding the analytics
figures, the East-Asian typeface on every Chinese run, nothing outside the slide, long tables split
and cut, the filters honoured; and LibreOffice renders every slide."""
import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from analytics.shared import db, schema
from analytics.ledger.behind import behind, ranking
from analytics.exports.content import CHART_ROWS, gather
from analytics.exports.deck import (DECK_TITLE,
    FOOTER_TOP,
    MAX_TABLE_SLIDES,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    build_deck,
    burndown_series,
    deck_from_content,
    kpi_cards)
from analytics.exports.pptx_kit import CELL_MARGIN_Y, FONT, LINE_EM, TABLE_FONT_PT, TEXT_INSET, text_lines
from analytics.shared.filters import Filters
from analytics.ledger.metrics import metrics
from analytics.ledger.trends import trends
from exports_data import AS_OF, HOSTILE_UNIT, TEST_DATE, export_db

FILTERS = Filters(as_of=AS_OF)
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return export_db(tmp_path_factory)


@pytest.fixture(scope="module")
def content(db_path):
    with db.connect(db_path, read_only=True) as con:
        return gather(con, FILTERS)


@pytest.fixture(scope="module")
def deck(content):
    return Presentation(io.BytesIO(deck_from_content(content)))


def slide_title(slide) -> str:
    """The text of the top-most text box (the title bar, or the big title on the first slide)."""
    boxes = [shape for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text.strip()]
    return min(boxes, key=lambda shape: (shape.top, shape.left)).text_frame.text


def charts_of(slide):
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def series_values(chart) -> dict[str, list]:
    return {series.name: list(series.values) for series in chart.plots[0].series}


def slide_titled(deck, title):
    return next(slide for slide in deck.slides if slide_title(slide) == title)


# ---- text measuring (the estimate every layout decision rests on) -------------------------------

@pytest.mark.parametrize("text, width_pt, size_pt, lines", [
    # ten CJK characters at 10 pt are 100 pt, plus 1 em kept free: 110 pt hold them on one line
    ("创" * 10, 110, 10, 1),
    ("创" * 10, 109, 10, 2),
    ("创" * 20, 110, 10, 2),
    ("第一行\n第二行", 200, 10, 2),
    # a Latin word is not broken: 4 CJK (4 em) + the switch (0.3) + "12.5%" (5 × 0.65) = 7.55 em,
    # plus 1 em kept free = 85.5 pt at 10 pt
    ("整改率为12.5%", 86, 10, 1),
    ("整改率为12.5%", 85, 10, 2),
    ("", 100, 10, 1),
])
def test_text_lines_follows_the_stated_metrics(text, width_pt, size_pt, lines):
    assert text_lines(text, Pt(width_pt), size_pt) == lines


# ---- structure ----------------------------------------------------------------------------------

def test_the_deck_is_16_9_with_the_slides_in_order(deck, content):
    assert (deck.slide_width, deck.slide_height) == (SLIDE_WIDTH, SLIDE_HEIGHT)
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.001
    titles = [slide_title(slide) for slide in deck.slides]
    assert titles[:5] == [DECK_TITLE, "核心指标", "今日晨报", "问题分布（按点位类型）", "趋势与倒计时"]
    behind_titles = titles[5:-3]
    for label in ("点位类型", "问题类别", "责任单位"):
        title = f"落后的{label}"
        count = behind_titles.count(title) + behind_titles.count(f"{title}（续）")
        assert behind_titles[0] == title and 1 <= count <= MAX_TABLE_SLIDES, behind_titles
        behind_titles = behind_titles[count:]
    assert behind_titles == []
    assert titles[-3:] == ["责任单位整改率排名", "红榜与后3名（按整改率）", "逾期问题（按单位）"]


def test_title_and_kpi_slides_say_the_briefing_figures(deck, content):
    first = " ".join(shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)
    days = (TEST_DATE - AS_OF).days
    assert f"距测评还有 {days} 天" in first and "2026年11月20日" in first
    k = content.briefing.kpis
    kpi_text = " ".join(shape.text_frame.text for shape in deck.slides[1].shapes if shape.has_text_frame)
    for label, value, change in kpi_cards(content):
        assert f"{label}\n{value}\n{change}" in kpi_text
    change = content.briefing.latest_change   # the export database's ledgers came in on AS_OF
    assert change.day == AS_OF
    assert ("累计排查问题", str(k.total), f"11月20日新增 {change.new} 条") in kpi_cards(content)
    paragraph = " ".join(shape.text_frame.text for shape in deck.slides[2].shapes if shape.has_text_frame)
    assert content.text in paragraph


# ---- native charts ------------------------------------------------------------------------------

def test_the_point_type_chart_holds_the_metrics_by_point_type(deck, db_path):
    with db.connect(db_path, read_only=True) as con:
        expected = metrics(con, FILTERS, "point_type").head(CHART_ROWS)
    chart, = charts_of(slide_titled(deck, "问题分布（按点位类型）"))
    assert list(chart.plots[0].categories) == expected["point_type"].tolist()
    assert series_values(chart) == {
        status: [float(v) for v in expected[column]]
        for status, column in (("待整改", "pending"), ("整改中", "in_progress"), ("已整改", "rectified"),
                               ("已销号", "closed"))}
    # the data is editable: the chart carries its own workbook with the same categories
    workbook = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    cells = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert cells == expected["point_type"].tolist()


def test_the_trend_and_burndown_charts_hold_the_trends(deck, db_path, content):
    with db.connect(db_path, read_only=True) as con:
        daily = trends(con, FILTERS, period="day", since=AS_OF - dt.timedelta(days=29))
    per_day, burndown = charts_of(slide_titled(deck, "趋势与倒计时"))
    assert list(per_day.plots[0].categories) == [f"{d:%m-%d}" for d in daily["period_start"]]
    assert series_values(per_day) == {"新增": [float(v) for v in daily["new"]],
                                      "整改": [float(v) for v in daily["rectified"]]}
    values = series_values(burndown)
    days = list(burndown.plots[0].categories)
    assert days[0] == f"{daily['period_start'].iloc[0]:%m-%d}" and days[-1] == f"{TEST_DATE:%m-%d}"
    today = days.index(f"{AS_OF:%m-%d}")
    assert values["实际未整改"][:today + 1] == [float(v) for v in daily["backlog"]]
    assert set(values["实际未整改"][today + 1:]) == {None}
    clock = content.briefing.countdown
    assert values["清零路径"][today] == values["按近7日进度预测"][today] == clock.backlog
    assert values["清零路径"][-1] == 0
    remaining = (TEST_DATE - AS_OF).days
    assert values["按近7日进度预测"][-1] == pytest.approx(max(0, clock.backlog - clock.pace * remaining), abs=0.05)
    assert burndown_series(content)[1] == values
    # the forecast moves by the backlog's own change over the last week: new problems count against it
    week_ago = values["实际未整改"][today - 7]
    assert values["按近7日进度预测"][today + 1] == pytest.approx(
        max(0, clock.backlog + (clock.backlog - week_ago) / 7), abs=0.05)


def test_the_overdue_chart_holds_overdue_counts_by_unit(deck, db_path):
    with db.connect(db_path, read_only=True) as con:
        by_unit = metrics(con, FILTERS, "unit")
    expected = by_unit[by_unit["overdue"] > 0].sort_values(["overdue", "unit"], ascending=[False, True])
    expected = expected.head(CHART_ROWS)
    chart, = charts_of(slide_titled(deck, "逾期问题（按单位）"))
    names = [name.removeprefix("'") if name.startswith("'=") else name for name in chart.plots[0].categories]
    assert names == expected["unit"].tolist()
    assert series_values(chart) == {"逾期未整改": [float(v) for v in expected["overdue"]]}


def test_chart_workbooks_hold_no_formula_from_ledger_text(deck):
    found = []
    for slide in deck.slides:
        for chart in charts_of(slide):
            workbook = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
            for row in workbook.active.iter_rows():
                found += [cell.value for cell in row if cell.data_type == "f"]
    assert found == []
    overdue, = charts_of(slide_titled(deck, "逾期问题（按单位）"))
    assert "'" + HOSTILE_UNIT in list(overdue.plots[0].categories)


def test_control_characters_in_names_do_not_break_the_charts(content):
    odd = content.overdue_by_unit.head(2).assign(unit=["城关\x07街道", "=西关街道"])
    deck = Presentation(io.BytesIO(deck_from_content(dataclasses.replace(content, overdue_by_unit=odd))))
    chart, = charts_of(slide_titled(deck, "逾期问题（按单位）"))
    assert list(chart.plots[0].categories) == ["城关街道", "'=西关街道"]


# ---- the ranking --------------------------------------------------------------------------------

def table_rows(slide) -> list[list[str]]:
    table, = [shape.table for shape in slide.shapes if shape.has_table]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_ranking_marks_the_same_last_three_as_the_falling_behind_flags(deck, db_path, content):
    with db.connect(db_path, read_only=True) as con:
        ranked = ranking(con, FILTERS, "unit")
        flagged = behind(con, FILTERS, "unit")
    last_three = set(flagged.loc[flagged["reason_text"].str.contains("后3名"), "unit"])
    assert set(ranked.loc[ranked["last_n"], "unit"]) == last_three and len(last_three) == 3
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["rectify_rate"].is_monotonic_decreasing
    rows = table_rows(slide_titled(deck, "责任单位整改率排名"))
    assert rows[0] == ["排名", "责任单位", "问题数", "未整改", "逾期", "整改率", "标记"]
    shown = ranked.tail(CHART_ROWS)
    assert [row[1] for row in rows[1:]] == shown["unit"].tolist()
    assert {row[1] for row in rows[1:] if row[6] == "后3名"} == last_three


def test_the_best_beside_the_last_three_by_the_same_measure(deck, content):
    slide = slide_titled(deck, "红榜与后3名（按整改率）")
    best, last = [[[cell.text for cell in row.cells] for row in shape.table.rows]
                  for shape in sorted((s for s in slide.shapes if s.has_table), key=lambda s: s.left)]
    ranked = content.ranking
    assert best[0] == ["红榜", "责任单位", "整改率", "未整改"] and last[0] == ["后3名", "责任单位", "整改率", "未整改"]
    praised = ranked[~ranked["last_n"] & ~ranked["unit"].isin(content.criticised)].head(3)   # none criticised
    assert [row[1] for row in best[1:]] == praised["unit"].tolist()
    assert [row[1] for row in last[1:]] == ranked.loc[ranked["last_n"], "unit"].tolist()[::-1]   # the worst first
    assert [row[0] for row in best[1:]] == [f"第{rank}名" for rank in praised["rank"]]


# ---- typeface and bounds ------------------------------------------------------------------------

def test_every_chinese_run_and_every_chart_names_the_east_asian_typeface(deck):
    runs = 0
    for slide in deck.slides:
        for run in slide._element.iter(qn("a:r")):
            text = run.findtext(qn("a:t")) or ""
            if CJK.search(text):
                runs += 1
                properties = run.find(qn("a:rPr"))
                assert properties is not None, text
                assert properties.find(qn("a:ea")).get("typeface") == FONT, text
                assert properties.find(qn("a:latin")).get("typeface") == FONT, text
        for chart in charts_of(slide):
            space = chart._chartSpace
            default = space.find(qn("c:txPr")).find(f"{qn('a:p')}/{qn('a:pPr')}/{qn('a:defRPr')}")
            assert default.find(qn("a:ea")).get("typeface") == FONT
            for properties in space.iter(qn("a:defRPr"), qn("a:rPr")):
                assert properties.find(qn("a:ea")).get("typeface") == FONT
    assert runs > 100


def shape_text_fits(shape) -> bool:
    frame = shape.text_frame
    width = shape.width - 2 * TEXT_INSET
    needed = sum(Pt(text_lines(p.text, width, run.font.size.pt) * run.font.size.pt * LINE_EM)
                 for p in frame.paragraphs for run in p.runs[:1])
    return needed <= shape.height - 2 * TEXT_INSET


def test_nothing_leaves_the_slide_and_text_fits_its_box(deck):
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            where = f"slide {number} {shape.shape_type} {shape.name}"
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= SLIDE_WIDTH and shape.top + shape.height <= SLIDE_HEIGHT, where
            if shape.has_text_frame and shape.text_frame.text:
                assert shape_text_fits(shape), where
            if shape.has_table:
                table = shape.table
                assert sum(row.height for row in table.rows) == shape.height, where
                for row in table.rows:
                    for cell, column in zip(row.cells, table.columns):
                        lines = text_lines(cell.text, column.width - cell.margin_left - cell.margin_right,
                                           TABLE_FONT_PT)
                        assert Pt(lines * TABLE_FONT_PT * LINE_EM) + 2 * CELL_MARGIN_Y <= row.height, where


def test_a_long_table_runs_over_two_slides_then_says_how_many_are_left_out(content):
    reasons = "整改率" + "很低" * 40        # three lines in the column: cut to two with “…”
    many = pd.DataFrame({"unit": [f"单位{n:03d}" for n in range(200)], "reasons": [[reasons]] * 200,
                         "reason_text": reasons, "total": 10, "open": 5, "overdue": 1, "rectify_rate": 0.5,
                         "delta_open_week": 0, "rebound_rate": float("nan"), "days_silent": pd.NA})
    deck = Presentation(io.BytesIO(deck_from_content(dataclasses.replace(
        content, behind=content.behind | {"unit": many}))))
    slides = [slide for slide in deck.slides if slide_title(slide).startswith("落后的责任单位")]
    assert [slide_title(s) for s in slides] == ["落后的责任单位", "落后的责任单位（续）"]
    pages = [table_rows(slide)[1:] for slide in slides]
    *listed, last_row = [row for page in pages for row in page]
    assert last_row[0] == f"……等{200 - len(listed)}项"
    assert [row[0] for row in listed] == [f"单位{n:03d}" for n in range(len(listed))]
    assert all(row[5].endswith("…") and len(row[5]) < len(reasons) for row in listed)
    table, = [shape.table for shape in slides[-1].shapes if shape.has_table]
    assert table.cell(len(table.rows) - 1, 0).span_width == len(table.columns)   # one cell across


# ---- filters and the empty database ---------------------------------------------------------------

def deck_text(data: bytes) -> str:
    """Every text of the deck: slides and charts (XML, so chart categories are included)."""
    deck = Presentation(io.BytesIO(data))
    parts = [part.blob.decode("utf-8", "ignore") for part in deck.part.package.iter_parts()
             if part.partname.endswith(".xml")]
    return "\n".join(parts)


def test_the_deck_holds_nothing_outside_the_filters(db_path):
    with db.connect(db_path, read_only=True) as con:
        units = metrics(con, FILTERS, "unit")["unit"].tolist()
        chosen = units[0]
        text = deck_text(build_deck(con, Filters(as_of=AS_OF, units=(chosen,))))
        types = metrics(con, Filters(as_of=AS_OF, units=(chosen,)), "point_type")["point_type"].tolist()
        every_type = metrics(con, FILTERS, "point_type")["point_type"].tolist()
    assert chosen in text
    others = [unit for unit in units if unit != chosen and unit not in chosen]
    assert others and not [unit for unit in others if unit.replace('"', "&quot;") in text]
    assert not [t for t in every_type if t not in types and f">{t}<" in text]


def test_an_empty_database_gives_a_deck_that_says_so(tmp_path):
    path = schema.init_db(tmp_path / "empty.duckdb")
    with db.connect(path, read_only=True) as con:
        deck = Presentation(io.BytesIO(build_deck(con, FILTERS)))
    texts = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in deck.slides]
    assert len(texts) == 11 and not any(charts_of(slide) for slide in deck.slides)
    assert "测评日期尚未设置" in texts[0]
    assert all("暂无数据" in text for text in texts[3:5])
    for text, label in zip(texts[5:8], ("点位类型", "问题类别", "责任单位")):
        assert f"没有落后的{label}。" in text
    assert "暂不排名" in texts[8] and "暂不列红榜" in texts[9] and "没有逾期" in texts[10]


# ---- LibreOffice renders every slide --------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (soffice, Debian libreoffice-impress) or pdftoppm (poppler-utils) "
                           "is not installed")
def test_libreoffice_renders_every_slide_with_nothing_over_the_footer(deck, content, tmp_path):
    path = tmp_path / "晨报.pptx"
    deck.save(path)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "晨报.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(deck.slides)
    for page in pages:
        gray = np.asarray(Image.open(page).convert("L"))
        assert gray.std() > 20 and (gray < 100).mean() > 0.005, page.name   # text and charts, not blank
    # Below the body only the footer may be drawn: the words pdftotext finds there belong to it.
    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                           text=True, timeout=60).stdout
    footer_top = Emu(FOOTER_TOP).pt
    for number, page in enumerate(re.findall(r"<page .*?</page>", words, flags=re.S), start=1):
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        scale = height / Emu(SLIDE_HEIGHT).pt
        low = [word for y, word in re.findall(r'yMax="([\d.]+)">([^<]*)</word>', page)
               if float(y) / scale > footer_top]
        footer = content.scope + f"第{number}页"
        if number > 1:
            assert low and all(word in footer.replace(" ", "") for word in low), (number, low)


# ---- 模拟测评 slides --------------------------------------------------------------------------------

def test_score_slides_show_the_type_scores_against_the_line_and_the_last_three(tmp_path):
    from pathlib import Path

    from analytics.scores import store as score_store
    from analytics.scores.sheets import parse_score_sheet
    from analytics.scores.model import round_summary

    path = schema.init_db(tmp_path / "scores.duckdb")
    with db.connect(path) as con:
        aliases = dict(con.execute("SELECT alias, canonical FROM point_type_aliases").fetchall())
        for sample in sorted((Path(__file__).parents[1] / "samples" / "scores").glob("*.xlsx")):
            score_store.write_score_sheet(con, parse_score_sheet(sample, point_type_aliases=aliases),
                                          sha256=sample.name, archive_path=sample.name, actor="测试",
                                          now=dt.datetime(2026, 11, 20, 9))
        summary = round_summary(con)
        scored = Presentation(io.BytesIO(build_deck(con, FILTERS)))
    slide = slide_titled(scored, "第二轮模拟测评得分（按点位类型）")
    chart, = charts_of(slide)
    bars, line = chart.plots
    assert list(chart.plots[0].categories) == sorted(summary.by_point_type, key=summary.by_point_type.get)
    assert list(bars.series[0].values) == pytest.approx(sorted(summary.by_point_type.values()), abs=0.01)
    assert line.series[0].name == "合格线85分" and set(line.series[0].values) == {85}
    # the chart's data sits in its embedded workbook, so PowerPoint/WPS can edit it
    sheet = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob)).active
    assert [cell.value for cell in sheet[1]][1:] == ["得分", "合格线85分"]
    below = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert "综合得分88.1分" in below and "低于85分：中小学校、主要交通路口、农贸市场" in below
    table_slide = slide_titled(scored, "第二轮模拟测评后三名")
    table, = [shape.table for shape in table_slide.shapes if shape.has_table]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert [row[1] for row in rows[1:4]] == ["市市场监管局", "市教育局", "市交警支队"]
    assert all("后三名" in row[5] for row in rows[1:4]) and "后三名" not in rows[4][5]
    assert rows[1][3] == "-11.7"


def test_the_accountability_slide_reds_the_called_units_with_their_reasons(tmp_path):
    from pathlib import Path

    from analytics.accountability.rule import accountability
    from analytics.intake import import_paths

    path = schema.init_db(tmp_path / "county.duckdb")
    samples = Path(__file__).parents[1] / "samples" / "accountability"
    import_paths(path, [samples / "第一轮模拟测评扣分明细.xlsx"], now=dt.datetime(2026, 11, 28, 9))
    filters = Filters(as_of=dt.date(2026, 11, 28))
    with db.connect(path, read_only=True) as con:
        called = accountability(con, filters=filters)
        deck = Presentation(io.BytesIO(build_deck(con, filters)))
    slide = slide_titled(deck, f"{called.round}测评问责：谁丢分、谁领责")
    table, = [shape.table for shape in slide.shapes if shape.has_table]
    rows = [[cell.text for cell in row.cells] for row in table.rows][1:]
    reasons = {entry.unit: "；".join(entry.reasons) for entry in called.called}
    assert [row[0] for row in rows[:len(reasons)]] == sorted(
        reasons, key=lambda unit: (-float(called.units.set_index("unit").loc[unit, "lost"]), unit))
    assert all(row[5] == reasons[row[0]] for row in rows[:len(reasons)])
    assert all(row[5] == "" for row in rows[len(reasons):])


# ---- 测评准备 slide ------------------------------------------------------------------------------

def test_the_readiness_slide_shows_the_projection_its_parts_and_who_loses(tmp_path):
    from pathlib import Path

    from analytics.intake import import_paths
    from analytics.readiness.model import readiness, readiness_line

    path = tmp_path / "readiness.duckdb"
    import_paths(path, sorted((Path(__file__).parents[1] / "samples" / "readiness").glob("*.xlsx")),
                 now=dt.datetime(2026, 11, 20, 9))
    with db.connect(path, read_only=True) as con:
        result = readiness(con, FILTERS)
        built = Presentation(io.BytesIO(build_deck(con, FILTERS)))
    slide = slide_titled(built, "若今日测评：预计得分及三部分")
    chart, = charts_of(slide)
    bars, line = chart.plots
    assert list(bars.categories) == ["预计得分", "实地考察（权重40）", "网上申报（权重40）", "问卷调查（权重20）"]
    now, best = bars.series
    assert list(now.values) == pytest.approx([result.projected, result.field, result.online, result.survey], abs=0.01)
    assert list(best.values) == pytest.approx([result.best_case, result.field, result.online_best, result.survey],
                                              abs=0.01)
    assert line.series[0].name == "合格线85分"
    sheet = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob)).active
    assert [cell.value for cell in sheet[1]][1:] == ["按现状预计", "最好情况（待审核材料全部通过）", "合格线85分"]
    note = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert readiness_line(result) in note and "丢分最多：市教育局4.2分、市文明办4.0分、市城管局4.0分" in note


def test_no_readiness_slide_before_readiness_sheets(db_path):
    with db.connect(db_path, read_only=True) as con:
        built = Presentation(io.BytesIO(build_deck(con, FILTERS)))
    titles = [s.shapes.title.text if s.shapes.title else "" for s in built.slides]
    assert not any("若今日测评" in " ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame)
                   for s in built.slides), titles


def test_a_table_a_little_too_long_for_one_slide_shares_two_evenly(content):
    """Filled in order, the rows that did not fit made a second slide of three rows alone."""
    one_slide = len(table_rows(next(slide for slide in Presentation(io.BytesIO(deck_from_content(
        dataclasses.replace(content, behind=content.behind | {"unit": _behind_units(200)})))).slides
        if slide_title(slide) == "落后的责任单位"))) - 1
    deck = Presentation(io.BytesIO(deck_from_content(dataclasses.replace(
        content, behind=content.behind | {"unit": _behind_units(one_slide + 3)}))))
    slides = [slide for slide in deck.slides if slide_title(slide).startswith("落后的责任单位")]
    counts = [len(table_rows(slide)) - 1 for slide in slides]
    assert sum(counts) == one_slide + 3 and len(counts) == 2
    assert max(counts) - min(counts) <= 1, counts


def _behind_units(count: int) -> pd.DataFrame:
    reason = "逾期未整改3条"
    return pd.DataFrame({"unit": [f"单位{n:03d}" for n in range(count)], "reasons": [[reason]] * count,
                         "reason_text": reason, "total": 10, "open": 5, "overdue": 3, "rectify_rate": 0.5,
                         "delta_open_week": 0, "rebound_rate": float("nan"), "days_silent": pd.NA})


def test_a_type_behind_by_its_rebound_rate_alone_says_why(content):
    """整改率100% and 落后 side by side: the slide explains the rebound rate that put it there."""
    rate = content.settings.rebound_rate_pct / 100 + 0.05
    reason = f"反弹率{rate:.1%}，已整改20条中5条反弹"
    rebounding = pd.DataFrame({"point_type": ["公共文化设施"], "reasons": [[reason]], "reason_text": reason,
                               "total": 20, "open": 0, "overdue": 0, "rectify_rate": 1.0, "delta_open_week": 0,
                               "rebound_rate": rate, "days_silent": pd.NA})
    deck = Presentation(io.BytesIO(deck_from_content(dataclasses.replace(
        content, behind=content.behind | {"point_type": rebounding}))))
    slide = next(slide for slide in deck.slides if slide_title(slide) == "落后的点位类型")
    said = "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert "反弹率＝" in said and f"{content.settings.rebound_rate_pct:g}%" in said
    quiet = Presentation(io.BytesIO(deck_from_content(dataclasses.replace(
        content, behind=content.behind | {"point_type": rebounding.assign(rebound_rate=0.0)}))))
    slide = next(slide for slide in quiet.slides if slide_title(slide) == "落后的点位类型")
    assert "反弹率＝" not in "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
