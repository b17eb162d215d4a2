"""The briefing deck (.pptx, 16:9) for 调度会 and 推进会, with native PowerPoint charts.

Slides, in order: title (date, days to the 测评); 核心指标; 今日晨报 (the paragraph); 问题分布（按点位
类型）; 趋势与倒计时 (new/rectified per day, backlog burn-down); 落后的点位类型, 落后的问题类别,
落后的责任单位 (a table each, one or two slides); 责任单位整改率排名 (the bottom of the ranking, 后N名
marked); 逾期问题（按单位）.

Charts are PowerPoint chart objects whose data opens in PowerPoint/WPS for editing; their
categories and values are the analytics frames' own. Every run of text, and every chart's text
properties, names the typeface for East-Asian text (`a:ea`) as well as Latin (`a:latin`):
python-pptx sets only the latter, and a run without `a:ea` falls back to a Latin font in Chinese.

Nothing may spill over a slide: text sizes are chosen, and table rows are laid out, with an
estimate of how many lines a text wraps to (`text_lines`); a table that does not fit is continued on
the next slide up to MAX_TABLE_SLIDES, then ends with a “……等N项” row.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from analytics.behind import percent
from analytics.charts import SERIES_COLORS, STATUS_COLORS, STATUS_COLUMNS
from analytics.countdown import month_day
from analytics.exports.content import BEHIND_DIMENSIONS, CHART_ROWS, BriefingContent, gather
from analytics.exports.tables import neutralise, printable
from analytics.filters import Filters
from analytics.ingest.scoresheet import chinese_ordinal
from analytics.readiness import PARTS, readiness_line
from analytics.readiness_charts import LINE_COLOR as READINESS_LINE_COLOR, PART_COLORS
from analytics.score_charts import SCORE_COLORS

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# One typeface for every run and every chart: on the Windows PCs of PowerPoint and WPS users it is
# installed; elsewhere the viewer substitutes its own CJK font for the East-Asian slot.
FONT = "Microsoft YaHei"
DECK_TITLE = "创建全国文明城市工作晨报"

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.75)
BODY_TOP = Inches(1.2)
NOTE_HEIGHT = Inches(0.35)            # a line under a chart or table (truncation, explanation)
FOOTER_TOP, FOOTER_HEIGHT = Inches(6.95), Inches(0.4)
BODY_BOTTOM = FOOTER_TOP - Inches(0.05)

MAX_TABLE_SLIDES = 2
TABLE_FONT_PT = 12
TABLE_MAX_LINES = 2                   # a cell's text is cut to this many lines
BURNDOWN_FUTURE_DAYS = 180            # the path to the 测评 is drawn at most this far ahead

# Text metrics of the estimate, taken on the conservative side of PowerPoint (Microsoft YaHei) and
# LibreOffice (Noto Sans CJK, DejaVu Sans for Latin, which also puts a gap between CJK and Latin
# text): a CJK character (wide, or ambiguous like …“”) is 1 em, any other character 0.65 em, a
# space 0.35 em, a switch between CJK and Latin 0.3 em; Latin words do not break; a line is 1.5 em
# high; and 1 em of each line is kept free, as a line may not start with some punctuation (，。）).
WIDE_EM, NARROW_EM, SPACE_EM, SWITCH_EM, LINE_EM, SLACK_EM = 1.0, 0.65, 0.35, 0.3, 1.5, 1.0
CELL_MARGIN_X, CELL_MARGIN_Y = Inches(0.08), Inches(0.04)
TEXT_INSET = Inches(0.05)

INK = RGBColor(0x1F, 0x29, 0x33)
MUTED = RGBColor(0x52, 0x60, 0x6D)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
BAND = RGBColor(0x2F, 0x3E, 0x57)
ACCENT = RGBColor(0xD6, 0x45, 0x45)
GOOD = RGBColor(0x4E, 0x9F, 0x6E)
CARD = RGBColor(0xF3, 0xF5, 0xF8)
ROW_SHADE = RGBColor(0xF3, 0xF5, 0xF8)
MARK_FILL = RGBColor(0xFB, 0xE3, 0xE3)
MARK_INK = RGBColor(0x9B, 0x1C, 0x1C)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


# ---- measuring text -----------------------------------------------------------------------------

def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WFA"   # ambiguous (…“”·) are wide in CJK fonts


def _tokens(paragraph: str) -> list[tuple[str, float]]:
    """(kind, width in em) of the unbreakable pieces of a paragraph: each CJK character, each run
    of spaces, each Latin word (with the CJK/Latin switch added to the piece after it)."""
    pieces = re.findall(r"\s+|[^\s]", paragraph)
    tokens: list[tuple[str, float]] = []
    for piece in pieces:
        kind = "space" if piece.isspace() else "wide" if _is_wide(piece) else "word"
        if kind == "word" and tokens and tokens[-1][0] == "word":
            tokens[-1] = ("word", tokens[-1][1] + NARROW_EM)
            continue
        width = {"space": SPACE_EM, "wide": WIDE_EM, "word": NARROW_EM}[kind]
        if tokens and {kind, tokens[-1][0]} == {"wide", "word"}:
            width += SWITCH_EM
        tokens.append((kind, width))
    return tokens


def text_lines(text: str, width: int, size_pt: float) -> int:
    """How many lines `text` takes in a box `width` EMU wide at `size_pt` (see the metrics above;
    every explicit line break starts a line)."""
    room = Emu(width).pt / size_pt - SLACK_EM   # in em
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for kind, em in _tokens(paragraph):
            if used + em <= room:
                used += em
            elif kind == "space":
                continue                   # a break at a space eats the space
            elif em <= room:
                lines += 1
                used = em
            else:                          # a word longer than a line is broken anywhere
                overflow = used + em - room
                lines += math.ceil(overflow / room)
                used = overflow - (math.ceil(overflow / room) - 1) * room
    return lines


def text_height(lines: int, size_pt: float) -> int:
    return Pt(lines * size_pt * LINE_EM)


def _cut(text: str, width: int, size_pt: float, max_lines: int) -> str:
    """`text` shortened with “…” until it wraps to at most max_lines lines."""
    if text_lines(text, width, size_pt) <= max_lines:
        return text
    low, high = 0, len(text)
    while low < high:   # the longest prefix that still fits with the ellipsis
        middle = (low + high + 1) // 2
        if text_lines(text[:middle] + "…", width, size_pt) <= max_lines:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"


def _fitting_size(text: str, width: int, height: int, sizes: Sequence[float]) -> float | None:
    for size in sizes:
        if text_height(text_lines(text, width, size), size) <= height:
            return size
    return None


# ---- typeface ---------------------------------------------------------------------------------

def _set_typeface(properties: etree._Element) -> None:
    """Name FONT for Latin and East-Asian text in an a:rPr / a:defRPr (schema order: latin, ea)."""
    for tag in ("a:latin", "a:ea"):
        found = properties.find(qn(tag))
        if found is not None:
            properties.remove(found)
    latin = properties.makeelement(qn("a:latin"), {"typeface": FONT})
    ea = properties.makeelement(qn("a:ea"), {"typeface": FONT})
    # Everything that must follow a:ea in CT_TextCharacterProperties.
    after = [properties.find(qn(tag)) for tag in ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver",
                                                  "a:rtl", "a:extLst")]
    following = next((element for element in after if element is not None), None)
    if following is None:
        properties.append(latin)
        properties.append(ea)
    else:
        following.addprevious(latin)
        following.addprevious(ea)


@dataclass(frozen=True)
class Style:
    size: float
    bold: bool = False
    colour: RGBColor = INK


def _write_runs(frame, paragraphs: Sequence[tuple[str, Style]], align=PP_ALIGN.LEFT) -> None:
    """Replace a text frame's text with one paragraph per (text, style), each run typefaced."""
    frame.clear()
    for index, (text, style) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(style.size)
        run.font.bold = style.bold
        run.font.color.rgb = style.colour
        _set_typeface(run._r.get_or_add_rPr())


def _text_box(slide: Slide, left: int, top: int, width: int, height: int,
              paragraphs: Sequence[tuple[str, Style]], *, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = TEXT_INSET
    _write_runs(frame, paragraphs, align)
    return box


def _inner_width(width: int) -> int:
    return width - 2 * TEXT_INSET


def _one_line(text: str, width: int, sizes: Sequence[float]) -> tuple[str, float]:
    """The largest size at which `text` takes one line, else the smallest size and the text cut."""
    for size in sizes:
        if text_lines(text, _inner_width(width), size) == 1:
            return text, size
    return _cut(text, _inner_width(width), sizes[-1], 1), sizes[-1]


# ---- slide furniture ----------------------------------------------------------------------------

class _Deck:
    def __init__(self, content: BriefingContent):
        self.content = content
        self.presentation = Presentation()
        self.presentation.slide_width, self.presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        self.blank = self.presentation.slide_layouts[6]

    def slide(self, title: str) -> Slide:
        slide = self.presentation.slides.add_slide(self.blank)
        text, size = _one_line(title, CONTENT_WIDTH, (28, 24, 20))
        _text_box(slide, MARGIN, TITLE_TOP, CONTENT_WIDTH, TITLE_HEIGHT, [(text, Style(size, True, BAND))],
                  anchor=MSO_ANCHOR.MIDDLE)
        rule = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, TITLE_TOP + TITLE_HEIGHT, CONTENT_WIDTH,
                                      Inches(0.04))
        _fill(rule, BAND)
        number = len(self.presentation.slides)
        page_width = Inches(1.2)
        scope, size = _one_line(self.content.scope, CONTENT_WIDTH - page_width, (11, 10, 9))
        _text_box(slide, MARGIN, FOOTER_TOP, CONTENT_WIDTH - page_width, FOOTER_HEIGHT,
                  [(scope, Style(size, colour=MUTED))], anchor=MSO_ANCHOR.MIDDLE)
        _text_box(slide, MARGIN + CONTENT_WIDTH - page_width, FOOTER_TOP, page_width, FOOTER_HEIGHT,
                  [(f"第{number}页", Style(11, colour=MUTED))], align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE)
        return slide

    def note(self, slide: Slide, text: str, top: int) -> None:
        """One muted line (a truncation or an explanation) at `top`, cut to the width."""
        line, size = _one_line(text, CONTENT_WIDTH, (12, 11, 10))
        _text_box(slide, MARGIN, top, CONTENT_WIDTH, NOTE_HEIGHT, [(line, Style(size, colour=MUTED))],
                  anchor=MSO_ANCHOR.MIDDLE)

    def empty(self, slide: Slide, text: str = "当前筛选条件下暂无数据") -> None:
        _text_box(slide, MARGIN, BODY_TOP + Inches(2), CONTENT_WIDTH, Inches(1), [(text, Style(24, colour=MUTED))],
                  align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.presentation.save(buffer)
        return buffer.getvalue()


def _fill(shape, colour: RGBColor) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = colour
    shape.line.fill.background()


# ---- charts -----------------------------------------------------------------------------------

def _chart(slide: Slide, kind, data: CategoryChartData, left: int, top: int, width: int, height: int,
           colours: Sequence[str], *, legend: bool = True, labels: bool = False):
    chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
    chart.has_title = False
    chart.font.size = Pt(12)
    chart.font.color.rgb = INK
    if legend:
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    else:
        chart.has_legend = False
    for series, colour in zip(chart.plots[0].series, colours):
        if kind == XL_CHART_TYPE.LINE:
            series.format.line.color.rgb = _rgb(colour)
            series.format.line.width = Pt(2.5)
            series.smooth = False
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _rgb(colour)
    if labels:
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.show_value = True
        plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        plot.data_labels.font.size = Pt(11)
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xD9, 0xDE, 0xE4)
    chart.value_axis.tick_labels.number_format = "0"
    chart.value_axis.tick_labels.number_format_is_linked = False
    for properties in chart._chartSpace.iter(qn("a:defRPr"), qn("a:rPr")):
        _set_typeface(properties)
    return chart


def _horizontal(chart) -> None:
    """Bars read top-down in the frame's order, the value axis staying at the bottom (it crosses
    the reversed category axis at its last category)."""
    chart.category_axis.reverse_order = True
    chart.value_axis._element.find(qn("c:crosses")).set("val", "max")


def _skip_labels(chart, count: int, shown: int = 12) -> None:
    """Label every n-th day so the dates do not overlap (c:tickLblSkip, placed where the schema wants it)."""
    axis = chart.category_axis._element
    skip = axis.makeelement(qn("c:tickLblSkip"), {"val": str(max(1, math.ceil(count / shown)))})
    follower = axis.find(qn("c:noMultiLvlLbl"))
    if follower is not None:
        follower.addprevious(skip)
    else:
        axis.append(skip)


def _category_names(values: pd.Series) -> list[str]:
    """Names from the ledgers as chart categories: printable (the chart XML refuses control
    characters) and neutralised (PowerPoint keeps a chart's data in an embedded workbook, where text
    starting with = would be written as a formula)."""
    return [neutralise(printable(str(value))) for value in values]


def _day_label(day: dt.date) -> str:
    return f"{day:%m-%d}"


def _more_note(shown: int, total: int, what: str) -> str | None:
    return f"……等{total - shown}项（共{total}个{what}，图中列出前{shown}个）" if total > shown else None


# ---- the slides ---------------------------------------------------------------------------------

def _title_slide(deck: _Deck) -> None:
    content = deck.content
    slide = deck.presentation.slides.add_slide(deck.blank)
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.0), SLIDE_WIDTH, Inches(2.3))
    _fill(band, BAND)
    _text_box(slide, MARGIN, Inches(2.25), CONTENT_WIDTH, Inches(1.1), [(DECK_TITLE, Style(40, True, WHITE))],
              align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    _text_box(slide, MARGIN, Inches(3.35), CONTENT_WIDTH, Inches(0.7),
              [(f"数据截至{content.date_text}", Style(24, colour=WHITE))], align=PP_ALIGN.CENTER,
              anchor=MSO_ANCHOR.MIDDLE)
    clock = content.briefing.countdown
    if clock.test_date is None:
        headline, colour = "测评日期尚未设置", MUTED
    elif clock.days_left:
        headline = f"距测评还有 {clock.days_left} 天（工作日 {clock.working_days_left} 天）"
        colour = GOOD if clock.on_track else ACCENT
    else:
        headline, colour = f"测评日（{month_day(clock.test_date)}）已到", ACCENT
    _text_box(slide, MARGIN, Inches(4.7), CONTENT_WIDTH, Inches(0.9), [(headline, Style(32, True, colour))],
              align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    chosen = content.scope.removeprefix(f"数据截至{content.date_text}").lstrip("｜")
    if chosen:
        line, size = _one_line(f"统计范围：{chosen}", CONTENT_WIDTH, (16, 14, 12, 10))
        _text_box(slide, MARGIN, Inches(5.8), CONTENT_WIDTH, Inches(0.5), [(line, Style(size, colour=MUTED))],
                  align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)


def _signed(value: int) -> str:
    return f"{value:+d}"


def kpi_cards(content: BriefingContent) -> list[tuple[str, str, str]]:
    """(label, value, change) of each card on the 核心指标 slide, from the briefing's kpis."""
    k = content.briefing.kpis
    rate = "—" if k.rectify_rate is None else percent(k.rectify_rate)
    close_rate = "—" if k.close_rate is None else percent(k.close_rate)
    return [
        ("累计排查问题", f"{k.total}", f"较昨日新增 {k.new_today} 条"),
        ("未整改（待整改+整改中）", f"{k.open}", f"较昨日 {_signed(k.delta_open)} 条"),
        ("整改率", rate, f"已整改 {k.rectified} 条（含已销号）"),
        ("逾期未整改", f"{k.overdue}", f"较昨日 {_signed(k.delta_overdue)} 条"),
        ("今日整改", f"{k.rectified_today}", f"近7日整改 {k.rectified_week} 条"),
        ("已销号", f"{k.closed}", f"销号率 {close_rate}"),
    ]


def _kpi_slide(deck: _Deck) -> None:
    slide = deck.slide("核心指标")
    gap = Inches(0.3)
    columns, rows = 3, 2
    width = (CONTENT_WIDTH - gap * (columns - 1)) // columns
    height = (BODY_BOTTOM - BODY_TOP - Inches(0.2) - gap * (rows - 1)) // rows
    for index, (label, value, change) in enumerate(kpi_cards(deck.content)):
        row, column = divmod(index, columns)
        left, top = MARGIN + column * (width + gap), BODY_TOP + Inches(0.2) + row * (height + gap)
        card = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, width, height)
        _fill(card, CARD)
        card.adjustments[0] = 0.08
        alarm = label.startswith("逾期") and value != "0"
        _text_box(slide, left + Inches(0.2), top + Inches(0.15), width - Inches(0.4), height - Inches(0.3),
                  [(label, Style(18, colour=MUTED)), (value, Style(44, True, ACCENT if alarm else BAND)),
                   (change, Style(16, colour=MUTED))], anchor=MSO_ANCHOR.MIDDLE)


def _paragraph_slide(deck: _Deck) -> None:
    slide = deck.slide("今日晨报")
    height = BODY_BOTTOM - BODY_TOP - Inches(0.1)
    text = deck.content.text
    size = _fitting_size(text, _inner_width(CONTENT_WIDTH), height - 2 * TEXT_INSET, (24, 22, 20, 18, 16, 14))
    if size is None:
        size = 14
        lines = int((height - 2 * TEXT_INSET) / text_height(1, size))
        text = _cut(text, _inner_width(CONTENT_WIDTH), size, lines)
    _text_box(slide, MARGIN, BODY_TOP + Inches(0.1), CONTENT_WIDTH, height, [(text, Style(size))])


def _by_type_slide(deck: _Deck) -> None:
    slide = deck.slide("问题分布（按点位类型）")
    frame = deck.content.by_point_type
    if frame.empty:
        deck.empty(slide)
        return
    shown = frame.head(CHART_ROWS)
    data = CategoryChartData(number_format="0")
    data.categories = _category_names(shown["point_type"])
    for status, column in STATUS_COLUMNS.items():
        data.add_series(status, [int(v) for v in shown[column]])
    note = _more_note(len(shown), len(frame), "点位类型")
    height = BODY_BOTTOM - BODY_TOP - (NOTE_HEIGHT if note else 0)
    chart = _chart(slide, XL_CHART_TYPE.BAR_STACKED, data, MARGIN, BODY_TOP, CONTENT_WIDTH, height,
                   [STATUS_COLORS[s] for s in STATUS_COLUMNS])
    chart.plots[0].gap_width = 50
    chart.plots[0].overlap = 100
    _horizontal(chart)
    if note:
        deck.note(slide, note, BODY_TOP + height)


def burndown_series(content: BriefingContent) -> tuple[list[dt.date], dict[str, list[float | None]]]:
    """Days and series of the burn-down: the actual open backlog up to the as-of day, then (when the
    测评 date is ahead) the straight path to zero on that day and where the last 7 days' pace leads."""
    daily = content.daily
    clock = content.briefing.countdown
    as_of = content.as_of
    actual = {row.period_end.date(): int(row.backlog) for row in daily.itertuples()}
    first = min(actual, default=as_of)
    ahead = 0
    if clock.test_date is not None and clock.test_date > as_of:
        ahead = min((clock.test_date - as_of).days, BURNDOWN_FUTURE_DAYS)
    days = [first + dt.timedelta(days=n) for n in range((as_of - first).days + ahead + 1)]
    series: dict[str, list[float | None]] = {"实际未整改": [actual.get(day) for day in days]}
    if ahead:
        total_days = (clock.test_date - as_of).days
        after = [(day - as_of).days for day in days]
        series["清零路径"] = [None if n < 0 else round(clock.backlog * (1 - n / total_days), 1) for n in after]
        series["按近7日进度预测"] = [None if n < 0 else round(max(0.0, clock.backlog - clock.pace * n), 1)
                                 for n in after]
    return days, series


def _trend_slide(deck: _Deck) -> None:
    content = deck.content
    slide = deck.slide("趋势与倒计时")
    if content.daily.empty:
        deck.empty(slide)
        return
    gap = Inches(0.3)
    width = (CONTENT_WIDTH - gap) // 2
    heading_height = Inches(0.45)
    top = BODY_TOP + heading_height
    height = BODY_BOTTOM - top
    headings = (f"近{len(content.daily)}天每日新增与整改（条）", "未整改问题清零进度（条）")
    for index, heading in enumerate(headings):
        text, size = _one_line(heading, width, (16, 14, 12))
        _text_box(slide, MARGIN + index * (width + gap), BODY_TOP, width, heading_height,
                  [(text, Style(size, True))], anchor=MSO_ANCHOR.MIDDLE)

    daily = content.daily
    data = CategoryChartData(number_format="0")
    data.categories = [_day_label(day.date()) for day in daily["period_start"]]
    data.add_series("新增", [int(v) for v in daily["new"]])
    data.add_series("整改", [int(v) for v in daily["rectified"]])
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, data, MARGIN, top, width, height,
                   [SERIES_COLORS["新增"], SERIES_COLORS["整改"]])
    chart.plots[0].gap_width = 60
    _skip_labels(chart, len(daily))

    days, series = burndown_series(content)
    data = CategoryChartData(number_format="0")
    data.categories = [_day_label(day) for day in days]
    for name, values in series.items():
        data.add_series(name, values)
    colours = {"实际未整改": SERIES_COLORS["积压"], "清零路径": SERIES_COLORS["清零路径"],
               "按近7日进度预测": SERIES_COLORS["预测"]}
    chart = _chart(slide, XL_CHART_TYPE.LINE, data, MARGIN + width + gap, top, width, height,
                   [colours[name] for name in series])
    _skip_labels(chart, len(days))


# ---- tables -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TableColumn:
    label: str
    width: float              # share of the table width
    align: PP_ALIGN = PP_ALIGN.LEFT


def _cell_lines(text: str, width: int) -> int:
    return text_lines(text, width - 2 * CELL_MARGIN_X, TABLE_FONT_PT)


def _row_height(cells: Sequence[str], widths: Sequence[int]) -> int:
    lines = max(_cell_lines(text, width) for text, width in zip(cells, widths))
    return text_height(lines, TABLE_FONT_PT) + 2 * CELL_MARGIN_Y


_LEFT_OUT_HEIGHT = text_height(1, TABLE_FONT_PT) + 2 * CELL_MARGIN_Y   # the “……等N项” row


def _table_pages(rows: list[list[str]], widths: Sequence[int], header: Sequence[str], height: int,
                 max_pages: int) -> tuple[list[list[list[str]]], int]:
    """Rows (already cut to TABLE_MAX_LINES) split into pages that fit `height` under the header;
    when max_pages is not enough the last page ends early. Returns the pages and how many rows
    were left out (the caller writes the “……等N项” row in the room kept for it)."""
    header_height = _row_height(header, widths)
    pages: list[list[list[str]]] = []
    index = 0
    while index < len(rows) and len(pages) < max_pages:
        used, page = header_height, []
        final = len(pages) == max_pages - 1
        while index < len(rows):
            needed = _row_height(rows[index], widths)
            # on the final page keep room for the “……等N项” row unless this row is the last one
            reserve = _LEFT_OUT_HEIGHT if final and index < len(rows) - 1 else 0
            if used + needed + reserve > height and page:
                break
            page.append(rows[index])
            used += needed
            index += 1
        pages.append(page)
    return pages or [[]], len(rows) - index


def _table(slide: Slide, top: int, columns: Sequence[TableColumn], rows: list[list[str]],
           marked: set[int], left_out: int = 0) -> None:
    widths = [int(CONTENT_WIDTH * column.width) for column in columns]
    header = [column.label for column in columns]
    extra = 1 if left_out else 0
    shape = slide.shapes.add_table(1 + len(rows) + extra, len(columns), MARGIN, top, sum(widths),
                                   _row_height(header, widths))
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for index, width in enumerate(widths):
        table.columns[index].width = width

    def fill_cell(cell, text: str, style: Style, fill: RGBColor, align) -> None:
        cell.margin_left = cell.margin_right = CELL_MARGIN_X
        cell.margin_top = cell.margin_bottom = CELL_MARGIN_Y
        cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill
        _write_runs(cell.text_frame, [(text, style)], align)

    total_height = 0
    for row_index, cells in enumerate([header, *rows]):
        height = _row_height(cells, widths)
        table.rows[row_index].height = height
        total_height += height
        is_header, is_marked = row_index == 0, row_index - 1 in marked
        fill = BAND if is_header else MARK_FILL if is_marked else ROW_SHADE if row_index % 2 == 0 else WHITE
        ink = WHITE if is_header else MARK_INK if is_marked else INK
        style = Style(TABLE_FONT_PT, is_header or is_marked, ink)
        for column_index, (text, column) in enumerate(zip(cells, columns)):
            fill_cell(table.cell(row_index, column_index), text, style, fill,
                      PP_ALIGN.CENTER if is_header else column.align)
    if left_out:   # one row across the table
        row_index = len(rows) + 1
        first = table.cell(row_index, 0)
        first.merge(table.cell(row_index, len(columns) - 1))
        fill_cell(first, f"……等{left_out}项", Style(TABLE_FONT_PT, colour=MUTED), WHITE, PP_ALIGN.LEFT)
        table.rows[row_index].height = _LEFT_OUT_HEIGHT
        total_height += _LEFT_OUT_HEIGHT
    shape.height = total_height


def _paged_table(deck: _Deck, title: str, columns: Sequence[TableColumn], rows: list[list[str]],
                 marked: set[int], *, note: str | None = None, empty: str) -> None:
    """The table on as many slides as it needs (at most MAX_TABLE_SLIDES, titled “（续）” after the
    first), cells cut to TABLE_MAX_LINES lines."""
    widths = [int(CONTENT_WIDTH * column.width) for column in columns]
    cut = [[_cut(text, width - 2 * CELL_MARGIN_X, TABLE_FONT_PT, TABLE_MAX_LINES)
            for text, width in zip(row, widths)] for row in rows]
    height = BODY_BOTTOM - BODY_TOP - (NOTE_HEIGHT if note else 0)
    pages, left_out = _table_pages(cut, widths, [c.label for c in columns], height, MAX_TABLE_SLIDES)
    first_row = 0
    for number, page in enumerate(pages):
        slide = deck.slide(title if number == 0 else f"{title}（续）")
        if note:
            deck.note(slide, note, BODY_BOTTOM - NOTE_HEIGHT)
        if not rows:
            deck.empty(slide, empty)
            continue
        last = number == len(pages) - 1
        on_page = {i - first_row for i in marked if first_row <= i < first_row + len(page)}
        _table(slide, BODY_TOP, columns, page, on_page, left_out if last else 0)
        first_row += len(page)


def _rate(value: float) -> str:
    return "—" if pd.isna(value) else percent(value)


def _behind_slides(deck: _Deck) -> None:
    """One table per dimension (点位类型, 问题类别, 责任单位), the most reasons first."""
    for by, label in BEHIND_DIMENSIONS.items():
        columns = [TableColumn(label, 0.2), TableColumn("问题数", 0.08, PP_ALIGN.RIGHT),
                   TableColumn("未整改", 0.08, PP_ALIGN.RIGHT), TableColumn("逾期", 0.07, PP_ALIGN.RIGHT),
                   TableColumn("整改率", 0.09, PP_ALIGN.RIGHT), TableColumn("落后原因", 0.48)]
        rows = [[str(getattr(row, by)), str(row.total), str(row.open), str(row.overdue), _rate(row.rectify_rate),
                 row.reason_text] for row in deck.content.behind[by].itertuples(index=False)]
        _paged_table(deck, f"落后的{label}", columns, rows, set(), empty=f"没有落后的{label}。")


def _ranking_slide(deck: _Deck) -> None:
    content = deck.content
    settings = content.settings
    shown = content.ranking_tail
    columns = [TableColumn("排名", 0.1, PP_ALIGN.CENTER), TableColumn("责任单位", 0.3),
               TableColumn("问题数", 0.12, PP_ALIGN.RIGHT), TableColumn("未整改", 0.12, PP_ALIGN.RIGHT),
               TableColumn("逾期", 0.12, PP_ALIGN.RIGHT), TableColumn("整改率", 0.12, PP_ALIGN.RIGHT),
               TableColumn("标记", 0.12, PP_ALIGN.CENTER)]
    mark = f"后{settings.last_n}名"
    rows = [[f"第{row.rank}名", str(row.unit), str(row.total), str(row.open), str(row.overdue),
             _rate(row.rectify_rate), mark if row.last_n else ""] for row in shown.itertuples(index=False)]
    marked = {index for index, row in enumerate(shown.itertuples(index=False)) if row.last_n}
    total = len(content.ranking)
    note = (f"问题不少于{settings.min_group_size}条的{total}个单位按整改率排名，"
            + (f"此处列出最后{len(shown)}名，完整排名见督查通报；" if total > len(shown) else "")
            + f"红色为后{settings.last_n}名。")
    _paged_table(deck, "责任单位整改率排名", columns, rows, marked, note=note,
                 empty=f"没有问题不少于{settings.min_group_size}条的单位，暂不排名。")


def _overdue_slide(deck: _Deck) -> None:
    slide = deck.slide("逾期问题（按单位）")
    frame = deck.content.overdue_by_unit
    if frame.empty:
        deck.empty(slide, "当前筛选范围内没有逾期未整改的问题。")
        return
    shown = frame.head(CHART_ROWS)
    data = CategoryChartData(number_format="0")
    data.categories = _category_names(shown["unit"])
    data.add_series("逾期未整改", [int(v) for v in shown["overdue"]])
    total = int(frame["overdue"].sum())
    note = f"{len(frame)}个单位共{total}条问题逾期未整改" + (
        f"；……等{len(frame) - len(shown)}项（图中列出逾期最多的{len(shown)}个单位）" if len(frame) > len(shown) else "。")
    height = BODY_BOTTOM - BODY_TOP - NOTE_HEIGHT
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, MARGIN, BODY_TOP, CONTENT_WIDTH, height,
                   [SERIES_COLORS["逾期"]], legend=False, labels=True)
    chart.plots[0].gap_width = 50
    _horizontal(chart)
    deck.note(slide, note, BODY_TOP + height)


def _with_line_series(chart) -> None:
    """Turn the chart's last series into a line over the bars (a bar-and-line combination chart that
    stays editable: both series keep their data in the embedded workbook)."""
    bar_chart = chart._chartSpace.find(".//" + qn("c:barChart"))
    series = bar_chart.findall(qn("c:ser"))[-1]
    bar_chart.remove(series)
    for name in ("c:invertIfNegative", "c:dLbls"):
        for element in series.findall(qn(name)):
            series.remove(element)
    marker = series.makeelement(qn("c:marker"), {})
    marker.append(marker.makeelement(qn("c:symbol"), {"val": "none"}))
    (series.find(qn("c:spPr")) if series.find(qn("c:spPr")) is not None else series.find(qn("c:tx"))).addnext(marker)
    series.append(series.makeelement(qn("c:smooth"), {"val": "0"}))
    line_chart = bar_chart.makeelement(qn("c:lineChart"), {})
    line_chart.append(line_chart.makeelement(qn("c:grouping"), {"val": "standard"}))
    line_chart.append(line_chart.makeelement(qn("c:varyColors"), {"val": "0"}))
    line_chart.append(series)
    line_chart.append(line_chart.makeelement(qn("c:marker"), {"val": "1"}))
    for axis in bar_chart.findall(qn("c:axId")):
        line_chart.append(etree.fromstring(etree.tostring(axis)))
    bar_chart.addnext(line_chart)


def _score_types_slide(deck: _Deck) -> None:
    summary = deck.content.scores
    line = summary.line
    slide = deck.slide(f"{summary.round}模拟测评得分（按点位类型）")
    types = summary.types.sort_values(["score", "name"])
    data = CategoryChartData(number_format="0.0")
    data.categories = _category_names(types["name"])
    data.add_series("得分", [round(float(v), 2) for v in types["score"]])
    data.add_series(f"合格线{line:g}分", [line] * len(types))
    below = summary.below_line_types
    note = (f"综合得分{summary.overall:.1f}分（各点位类型得分的平均），{summary.points}个点位；低于{line:g}分："
            + ("、".join(below) or "无") + "。")
    height = BODY_BOTTOM - BODY_TOP - NOTE_HEIGHT
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, data, MARGIN, BODY_TOP, CONTENT_WIDTH, height,
                   [SCORE_COLORS["达标"], SCORE_COLORS["合格线"]], labels=True)
    chart.plots[0].gap_width = 60
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 100, 0
    for index, score in enumerate(types["score"]):
        if round(float(score), 2) < line:
            point = chart.plots[0].series[0].points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(SCORE_COLORS["低于合格线"])
    _with_line_series(chart)
    pass_line = chart.plots[1].series[0]
    pass_line.format.line.color.rgb = _rgb(SCORE_COLORS["合格线"])
    pass_line.format.line.width = Pt(2.5)
    pass_line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    deck.note(slide, note, BODY_TOP + height)


def _score_last_slide(deck: _Deck) -> None:
    summary = deck.content.scores
    mark = f"后{chinese_ordinal(deck.content.settings.last_n)}名"
    units = summary.units
    columns = [TableColumn("倒数", 0.1, PP_ALIGN.CENTER), TableColumn("责任单位", 0.34),
               TableColumn("得分", 0.12, PP_ALIGN.RIGHT), TableColumn("较上轮", 0.12, PP_ALIGN.RIGHT),
               TableColumn("点位数", 0.1, PP_ALIGN.RIGHT), TableColumn("标记", 0.22, PP_ALIGN.CENTER)]
    shown = units.head(max(CHART_ROWS // 2, len(summary.last_n)))
    rows = [[f"第{row.rank_from_last}", str(row.name), f"{row.score:.1f}",
             "—" if pd.isna(row.change) else f"{row.change:+.1f}", str(row.points),
             "、".join(filter(None, (mark if row.last_n else "", f"低于{summary.line:g}分" if row.below_line else "")))]
            for row in shown.itertuples(index=False)]
    marked = {index for index, row in enumerate(shown.itertuples(index=False)) if row.last_n}
    note = (f"{summary.round}共{len(units)}个单位参加排名（单位得分＝其点位得分的平均），红色为{mark}；"
            "同分（两位小数）时最低点位得分更低者在后，再按单位名称。")
    _paged_table(deck, f"{summary.round}模拟测评{mark}", columns, rows, marked, note=note,
                 empty="本轮没有可排名的单位。")


def _readiness_slide(deck: _Deck) -> None:
    """若今日测评: the projection and its three parts as editable columns beside their best case, the
    line across, and who loses the most points in the note."""
    result, line = deck.content.readiness, deck.content.scores.line if deck.content.scores else 85.0
    slide = deck.slide("若今日测评：预计得分及三部分")
    weights = dict(zip(PARTS.values(), result.weights.values()))
    data = CategoryChartData(number_format="0.0")
    data.categories = ["预计得分", *(f"{name}（权重{weight:g}）" for name, weight in weights.items())]
    data.add_series("按现状预计", [None if v is None else round(v, 2)
                              for v in (result.projected, result.field, result.online, result.survey)])
    data.add_series("最好情况（待审核材料全部通过）", [None if v is None else round(v, 2) for v in
                                          (result.best_case, result.field, result.online_best, result.survey)])
    data.add_series(f"合格线{line:g}分", [line] * 4)
    height = BODY_BOTTOM - BODY_TOP - NOTE_HEIGHT
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, data, MARGIN, BODY_TOP, CONTENT_WIDTH, height,
                   [PART_COLORS["预计得分"], "#B8C2CC", READINESS_LINE_COLOR], labels=True)
    chart.plots[0].gap_width = 80
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 100, 0
    for index, name in enumerate(PART_COLORS):
        point = chart.plots[0].series[0].points[index]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = _rgb(PART_COLORS[name])
    _with_line_series(chart)
    pass_line = chart.plots[1].series[0]
    pass_line.format.line.color.rgb = _rgb(READINESS_LINE_COLOR)
    pass_line.format.line.width = Pt(2.5)
    pass_line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    losers = "、".join(f"{row.unit}{row.lost:.1f}分" for row in result.who_loses.head(3).itertuples())
    deck.note(slide, readiness_line(result) + (f"；丢分最多：{losers}" if losers else "") + "。", BODY_TOP + height)


def deck_from_content(content: BriefingContent) -> bytes:
    deck = _Deck(content)
    _title_slide(deck)
    _kpi_slide(deck)
    _paragraph_slide(deck)
    _by_type_slide(deck)
    _trend_slide(deck)
    _behind_slides(deck)
    _ranking_slide(deck)
    _overdue_slide(deck)
    if content.scores is not None:
        _score_types_slide(deck)
        _score_last_slide(deck)
    if content.readiness is not None:
        _readiness_slide(deck)
    return deck.save()


def build_deck(con: duckdb.DuckDBPyConnection, filters: Filters) -> bytes:
    """The briefing deck for the filters and their as-of day, as .pptx bytes."""
    return deck_from_content(gather(con, filters))


def deck_file_name(filters: Filters) -> str:
    return f"创文晨报_{filters.as_of_date:%Y%m%d}.pptx"
