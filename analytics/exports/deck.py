"""The briefing deck (.pptx, 16:9) for 调度会 and 推进会, with native PowerPoint charts.

Slides, in order: title (date, days to the 测评); 核心指标; 今日晨报 (the paragraph); 问题分布（按点位
类型）; 趋势与倒计时 (new/rectified per day, backlog burn-down); 落后的点位类型, 落后的问题类别,
落后的责任单位 (a table each, one or two slides); 责任单位整改率排名 (by the ranking measure: the bottom
of the ranking, 后N名 marked); 红榜与后N名 (the best beside the last, by the same measure); 逾期问题（按单位）.

Charts are PowerPoint chart objects whose data opens in PowerPoint/WPS for editing; their
categories and values are the analytics frames' own. Text, charts and tables are made with the
toolkit in pptx_kit.py (which names the East-Asian typeface on every run).

Nothing may spill over a slide: text sizes are chosen, and table rows are laid out, with an
estimate of how many lines a text wraps to (pptx_kit.text_lines); a table that does not fit is continued on
the next slide up to MAX_TABLE_SLIDES, then ends with a “……等N项” row.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import duckdb
import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide
from pptx.util import Inches

from analytics.accountability.rule import figure
from analytics.shared.statuses import CLOSED, STATUS_COLUMNS
from analytics.shared import theme
from analytics.exports.content import CHART_ROWS, BriefingContent, gather
from analytics.exports.pptx_kit import (ACCENT,
    BAND,
    CARD,
    CELL_MARGIN_X,
    GOOD,
    MUTED,
    Style,
    TABLE_FONT_PT,
    TABLE_MAX_LINES,
    TEXT_INSET,
    TableColumn,
    WHITE,
    add_chart,
    add_table,
    category_names,
    cut_text,
    fill_shape,
    fitting_size,
    horizontal,
    inner_width,
    one_line,
    rgb,
    skip_labels,
    table_pages,
    text_box,
    text_height,
    dashed_line_over_bars)
from analytics.shared.filters import Filters
from analytics.shared.labels import BEHIND_DIMENSIONS, month_day, percent
from analytics.ledger.rankings import measure_text
from analytics.shared.numerals import chinese_number
from analytics.readiness.model import PARTS, readiness_line
from analytics.photos.model import EXPOSURE_RULE
from analytics.readiness.charts import LINE_COLOR as READINESS_LINE_COLOR, PART_COLORS
from analytics.scores.charts import SCORE_COLORS

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
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
BURNDOWN_FUTURE_DAYS = 180            # the path to the 测评 is drawn at most this far ahead

class _Deck:
    def __init__(self, content: BriefingContent):
        self.content = content
        self.presentation = Presentation()
        self.presentation.slide_width, self.presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        self.blank = self.presentation.slide_layouts[6]

    def slide(self, title: str) -> Slide:
        slide = self.presentation.slides.add_slide(self.blank)
        text, size = one_line(title, CONTENT_WIDTH, (28, 24, 20))
        text_box(slide, MARGIN, TITLE_TOP, CONTENT_WIDTH, TITLE_HEIGHT, [(text, Style(size, True, BAND))],
                  anchor=MSO_ANCHOR.MIDDLE)
        rule = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, TITLE_TOP + TITLE_HEIGHT, CONTENT_WIDTH,
                                      Inches(0.04))
        fill_shape(rule, BAND)
        number = len(self.presentation.slides)
        page_width = Inches(1.2)
        scope, size = one_line(self.content.scope, CONTENT_WIDTH - page_width, (11, 10, 9))
        text_box(slide, MARGIN, FOOTER_TOP, CONTENT_WIDTH - page_width, FOOTER_HEIGHT,
                  [(scope, Style(size, colour=MUTED))], anchor=MSO_ANCHOR.MIDDLE)
        text_box(slide, MARGIN + CONTENT_WIDTH - page_width, FOOTER_TOP, page_width, FOOTER_HEIGHT,
                  [(f"第{number}页", Style(11, colour=MUTED))], align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE)
        return slide

    def note(self, slide: Slide, text: str, top: int) -> None:
        """One muted line (a truncation or an explanation) at `top`, cut to the width."""
        line, size = one_line(text, CONTENT_WIDTH, (12, 11, 10))
        text_box(slide, MARGIN, top, CONTENT_WIDTH, NOTE_HEIGHT, [(line, Style(size, colour=MUTED))],
                  anchor=MSO_ANCHOR.MIDDLE)

    def empty(self, slide: Slide, text: str = "当前筛选条件下暂无数据") -> None:
        text_box(slide, MARGIN, BODY_TOP + Inches(2), CONTENT_WIDTH, Inches(1), [(text, Style(24, colour=MUTED))],
                  align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.presentation.save(buffer)
        return buffer.getvalue()


def _day_label(day: dt.date) -> str:
    return f"{day:%m-%d}"


def _more_note(shown: int, total: int, what: str) -> str | None:
    return f"……等{total - shown}项（共{total}个{what}，图中列出前{shown}个）" if total > shown else None

def _title_slide(deck: _Deck) -> None:
    content = deck.content
    slide = deck.presentation.slides.add_slide(deck.blank)
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.0), SLIDE_WIDTH, Inches(2.3))
    fill_shape(band, BAND)
    text_box(slide, MARGIN, Inches(2.25), CONTENT_WIDTH, Inches(1.1), [(DECK_TITLE, Style(40, True, WHITE))],
              align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    text_box(slide, MARGIN, Inches(3.35), CONTENT_WIDTH, Inches(0.7),
              [(f"数据截至{content.date_text}", Style(24, colour=WHITE))], align=PP_ALIGN.CENTER,
              anchor=MSO_ANCHOR.MIDDLE)
    clock = content.briefing.countdown
    if clock.test_date is None:
        headline, colour = "测评日期尚未设置", MUTED
    elif clock.days_left:
        headline = f"距测评还有 {clock.days_left} 天（工作日 {clock.working_days_left} 天）"
        colour = GOOD if clock.on_track else ACCENT
    else:
        headline, colour = f"{clock.window_name}已到", ACCENT
    text_box(slide, MARGIN, Inches(4.7), CONTENT_WIDTH, Inches(0.9), [(headline, Style(32, True, colour))],
              align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    chosen = content.scope.removeprefix(f"数据截至{content.date_text}").lstrip("｜")
    if chosen:
        line, size = one_line(f"统计范围：{chosen}", CONTENT_WIDTH, (16, 14, 12, 10))
        text_box(slide, MARGIN, Inches(5.8), CONTENT_WIDTH, Inches(0.5), [(line, Style(size, colour=MUTED))],
                  align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)


def _signed(value: int) -> str:
    return f"{value:+d}"


def kpi_cards(content: BriefingContent) -> list[tuple[str, str, str]]:
    """(label, value, change) of each card on the 核心指标 slide, from the briefing's kpis."""
    k, change = content.briefing.kpis, content.briefing.latest_change
    rate = "—" if k.rectify_rate is None else percent(k.rectify_rate)
    close_rate = "—" if k.close_rate is None else percent(k.close_rate)
    day = month_day(change.day) if change else ""

    def against_the_day_before(delta: int) -> str:
        return f"{day}较前一日 {_signed(delta)} 条" if change else "尚无台账"
    return [
        ("累计排查问题", f"{k.total}", f"{day}新增 {change.new} 条" if change else "尚无台账"),
        ("未整改（待整改+整改中）", f"{k.open}", against_the_day_before(change.delta_open if change else 0)),
        ("整改率", rate, f"已整改 {k.rectified} 条（含已销号）"),
        ("逾期未整改", f"{k.overdue}", against_the_day_before(change.delta_overdue if change else 0)),
        (f"{day}整改" if change else "当日整改", f"{change.rectified if change else 0}",
         f"近7日整改 {k.rectified_week} 条"),
        (CLOSED, f"{k.closed}", f"销号率 {close_rate}"),
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
        fill_shape(card, CARD)
        card.adjustments[0] = 0.08
        alarm = label.startswith("逾期") and value != "0"
        text_box(slide, left + Inches(0.2), top + Inches(0.15), width - Inches(0.4), height - Inches(0.3),
                  [(label, Style(18, colour=MUTED)), (value, Style(44, True, ACCENT if alarm else BAND)),
                   (change, Style(16, colour=MUTED))], anchor=MSO_ANCHOR.MIDDLE)


def _paragraph_slide(deck: _Deck) -> None:
    slide = deck.slide("今日晨报")
    height = BODY_BOTTOM - BODY_TOP - Inches(0.1)
    text = deck.content.text
    size = fitting_size(text, inner_width(CONTENT_WIDTH), height - 2 * TEXT_INSET, (24, 22, 20, 18, 16, 14))
    if size is None:
        size = 14
        lines = int((height - 2 * TEXT_INSET) / text_height(1, size))
        text = cut_text(text, inner_width(CONTENT_WIDTH), size, lines)
    text_box(slide, MARGIN, BODY_TOP + Inches(0.1), CONTENT_WIDTH, height, [(text, Style(size))])


def _by_type_slide(deck: _Deck) -> None:
    slide = deck.slide("问题分布（按点位类型）")
    frame = deck.content.by_point_type
    if frame.empty:
        deck.empty(slide)
        return
    shown = frame.head(CHART_ROWS)
    data = CategoryChartData(number_format="0")
    data.categories = category_names(shown["point_type"])
    for status, column in STATUS_COLUMNS.items():
        data.add_series(status, [int(v) for v in shown[column]])
    note = _more_note(len(shown), len(frame), "点位类型")
    height = BODY_BOTTOM - BODY_TOP - (NOTE_HEIGHT if note else 0)
    chart = add_chart(slide, XL_CHART_TYPE.BAR_STACKED, data, MARGIN, BODY_TOP, CONTENT_WIDTH, height,
                   [theme.STATUS_COLORS[s] for s in STATUS_COLUMNS])
    chart.plots[0].gap_width = 50
    chart.plots[0].overlap = 100
    horizontal(chart)
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
        text, size = one_line(heading, width, (16, 14, 12))
        text_box(slide, MARGIN + index * (width + gap), BODY_TOP, width, heading_height,
                  [(text, Style(size, True))], anchor=MSO_ANCHOR.MIDDLE)

    daily = content.daily
    data = CategoryChartData(number_format="0")
    data.categories = [_day_label(day.date()) for day in daily["period_start"]]
    data.add_series("新增", [int(v) for v in daily["new"]])
    data.add_series("整改", [int(v) for v in daily["rectified"]])
    chart = add_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, data, MARGIN, top, width, height,
                   [theme.SERIES_COLORS["新增"], theme.SERIES_COLORS["整改"]])
    chart.plots[0].gap_width = 60
    skip_labels(chart, len(daily))

    days, series = burndown_series(content)
    data = CategoryChartData(number_format="0")
    data.categories = [_day_label(day) for day in days]
    for name, values in series.items():
        data.add_series(name, values)
    colours = {"实际未整改": theme.SERIES_COLORS["积压"], "清零路径": theme.SERIES_COLORS["清零路径"],
               "按近7日进度预测": theme.SERIES_COLORS["预测"]}
    chart = add_chart(slide, XL_CHART_TYPE.LINE, data, MARGIN + width + gap, top, width, height,
                   [colours[name] for name in series])
    skip_labels(chart, len(days))


def _paged_table(deck: _Deck, title: str, columns: Sequence[TableColumn], rows: list[list[str]],
                 marked: set[int], *, note: str | None = None, empty: str) -> None:
    """The table on as many slides as it needs (at most MAX_TABLE_SLIDES, titled “（续）” after the
    first), cells cut to TABLE_MAX_LINES lines."""
    widths = [int(CONTENT_WIDTH * column.width) for column in columns]
    cut = [[cut_text(text, width - 2 * CELL_MARGIN_X, TABLE_FONT_PT, TABLE_MAX_LINES)
            for text, width in zip(row, widths)] for row in rows]
    height = BODY_BOTTOM - BODY_TOP - (NOTE_HEIGHT if note else 0)
    pages, left_out = table_pages(cut, widths, [c.label for c in columns], height, MAX_TABLE_SLIDES)
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
        add_table(slide, MARGIN, BODY_TOP, CONTENT_WIDTH, columns, page, on_page, left_out if last else 0)
        first_row += len(page)


def _rate(value: float) -> str:
    return "—" if pd.isna(value) else percent(value)


def rebound_note(flagged: pd.DataFrame, threshold_pct: float) -> str | None:
    """Why a row with every problem rectified is still behind (its rebound rate), said under the table
    when such a row is on it; a leader reading “整改率100%” beside “落后” asks."""
    rebounding = flagged[(flagged["rebound_rate"].fillna(0) * 100 >= threshold_pct)]
    if rebounding.empty:
        return None
    return (f"反弹率＝已整改的问题中在同一点位又出现同类问题的比例；达到{threshold_pct:g}%即列为落后，"
            "整改率再高也是如此（问题改了又犯）。")


def _behind_slides(deck: _Deck) -> None:
    """One table per dimension (点位类型, 问题类别, 责任单位), the most reasons first."""
    for by, label in BEHIND_DIMENSIONS.items():
        columns = [TableColumn(label, 0.2), TableColumn("问题数", 0.08, PP_ALIGN.RIGHT),
                   TableColumn("未整改", 0.08, PP_ALIGN.RIGHT), TableColumn("逾期", 0.07, PP_ALIGN.RIGHT),
                   TableColumn("整改率", 0.09, PP_ALIGN.RIGHT), TableColumn("落后原因", 0.48)]
        flagged = deck.content.behind[by]
        rows = [[str(getattr(row, by)), str(row.total), str(row.open), str(row.overdue), _rate(row.rectify_rate),
                 row.reason_text] for row in flagged.itertuples(index=False)]
        _paged_table(deck, f"落后的{label}", columns, rows, set(), empty=f"没有落后的{label}。",
                     note=rebound_note(flagged, deck.content.settings.rebound_rate_pct))


def _ranking_slide(deck: _Deck) -> None:
    content = deck.content
    settings = content.settings
    shown = content.ranking_tail
    columns = [TableColumn("排名", 0.1, PP_ALIGN.CENTER), TableColumn("责任单位", 0.3),
               TableColumn("问题数", 0.12, PP_ALIGN.RIGHT), TableColumn("未整改", 0.12, PP_ALIGN.RIGHT),
               TableColumn("逾期", 0.12, PP_ALIGN.RIGHT), TableColumn(settings.ranking_measure, 0.12, PP_ALIGN.RIGHT),
               TableColumn("标记", 0.12, PP_ALIGN.CENTER)]
    mark = f"后{settings.last_n}名"
    rows = [[f"第{row.rank}名", str(row.unit), str(row.total), str(row.open), str(row.overdue),
             measure_text(settings.ranking_measure, row.measure), mark if row.last_n else ""] for row in shown.itertuples(index=False)]
    marked = {index for index, row in enumerate(shown.itertuples(index=False)) if row.last_n}
    total = len(content.ranking)
    note = (f"问题不少于{settings.min_group_size}条的{total}个单位按{settings.ranking_measure}排名，"
            + (f"此处列出最后{len(shown)}名，完整排名见督查通报；" if total > len(shown) else "")
            + f"红色为后{settings.last_n}名。")
    _paged_table(deck, f"责任单位{settings.ranking_measure}排名", columns, rows, marked, note=note,
                 empty=f"没有问题不少于{settings.min_group_size}条的单位，暂不排名。")


def _lists_slide(deck: _Deck) -> None:
    """红榜 beside 后N名, by the ranking measure: 抓两头、带中间."""
    settings = deck.content.settings
    measure = settings.ranking_measure
    best, last = deck.content.best_and_last
    slide = deck.slide(f"红榜与后{settings.last_n}名（按{measure}）")
    if best.empty and last.empty:
        deck.empty(slide, f"参加排名的单位（问题不少于{settings.min_group_size}条）太少，暂不列红榜和后{settings.last_n}名。")
        return
    width = int(CONTENT_WIDTH * 0.48)
    for frame, label, marked, left in ((best, "红榜", False, MARGIN),
                                       (last, f"后{settings.last_n}名", True, MARGIN + CONTENT_WIDTH - width)):
        columns = [TableColumn(label, 0.2, PP_ALIGN.CENTER), TableColumn("责任单位", 0.4),
                   TableColumn(measure, 0.2, PP_ALIGN.RIGHT), TableColumn("未整改", 0.2, PP_ALIGN.RIGHT)]
        rows = [[f"第{row.rank}名", str(row.unit), measure_text(measure, row.measure), str(row.open)]
                for row in frame.itertuples(index=False)] or [["—", "无", "", ""]]
        add_table(slide, left, BODY_TOP, width, columns, rows, set(range(len(frame))) if marked else set())
    deck.note(slide, f"问题不少于{settings.min_group_size}条的单位按{measure}排名；后{settings.last_n}名只列仍有未整改问题的单位，"
                     "红榜为其余单位中最好的几名。", BODY_BOTTOM - NOTE_HEIGHT)


def _overdue_slide(deck: _Deck) -> None:
    slide = deck.slide("逾期问题（按单位）")
    frame = deck.content.overdue_by_unit
    if frame.empty:
        deck.empty(slide, "当前筛选范围内没有逾期未整改的问题。")
        return
    shown = frame.head(CHART_ROWS)
    data = CategoryChartData(number_format="0")
    data.categories = category_names(shown["unit"])
    data.add_series("逾期未整改", [int(v) for v in shown["overdue"]])
    total = int(frame["overdue"].sum())
    note = f"{len(frame)}个单位共{total}条问题逾期未整改" + (
        f"；……等{len(frame) - len(shown)}项（图中列出逾期最多的{len(shown)}个单位）" if len(frame) > len(shown) else "。")
    height = BODY_BOTTOM - BODY_TOP - NOTE_HEIGHT
    chart = add_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, MARGIN, BODY_TOP, CONTENT_WIDTH, height,
                   [theme.SERIES_COLORS["逾期"]], legend=False, labels=True)
    chart.plots[0].gap_width = 50
    horizontal(chart)
    deck.note(slide, note, BODY_TOP + height)


def _score_types_slide(deck: _Deck) -> None:
    summary = deck.content.scores
    line = summary.line
    slide = deck.slide(f"{summary.round}模拟测评得分（按点位类型）")
    if not summary.scored:
        deck.empty(slide, f"{summary.round}模拟测评没有测到筛选范围内的点位，暂无得分。")
        return
    types = summary.types.sort_values(["score", "name"])
    data = CategoryChartData(number_format="0.0")
    data.categories = category_names(types["name"])
    data.add_series("得分", [round(float(v), 2) for v in types["score"]])
    data.add_series(f"合格线{line:g}分", [line] * len(types))
    below = summary.below_line_types
    note = (f"综合得分{summary.overall:.1f}分（各点位类型得分的平均），{summary.points}个点位；低于{line:g}分："
            + ("、".join(below) or "无") + "。")
    height = BODY_BOTTOM - BODY_TOP - NOTE_HEIGHT
    chart = add_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, data, MARGIN, BODY_TOP, CONTENT_WIDTH, height,
                   [SCORE_COLORS["达标"], SCORE_COLORS["合格线"]], labels=True)
    chart.plots[0].gap_width = 60
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 100, 0
    for index, score in enumerate(types["score"]):
        if round(float(score), 2) < line:
            point = chart.plots[0].series[0].points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = rgb(SCORE_COLORS["低于合格线"])
    dashed_line_over_bars(chart, SCORE_COLORS["合格线"])
    deck.note(slide, note, BODY_TOP + height)


def _score_last_slide(deck: _Deck) -> None:
    summary = deck.content.scores
    mark = f"后{chinese_number(deck.content.settings.last_n)}名"
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


def _accountability_slide(deck: _Deck) -> None:
    """测评问责: every unit the round's rule names with its reasons, then the others by points lost
    (谁丢分、谁领责); the called ones red."""
    called = deck.content.called
    reasons = {entry.unit: "；".join(entry.reasons) for entry in called.called}
    units = called.units.assign(is_called=called.units["unit"].isin(reasons))
    units = units.sort_values(["is_called", "lost", "unit"], ascending=[False, False, True])
    shown = units[units["is_called"] | (units["lost"] > 0)].head(max(CHART_ROWS, len(reasons)))
    columns = [TableColumn("责任单位", 0.2), TableColumn("得分", 0.09, PP_ALIGN.RIGHT),
               TableColumn("倒数", 0.08, PP_ALIGN.CENTER), TableColumn("丢分", 0.09, PP_ALIGN.RIGHT),
               TableColumn("占比", 0.09, PP_ALIGN.RIGHT), TableColumn("问责理由", 0.45)]
    rows = [[row.unit, figure(row.score), f"第{row.place}", figure(row.lost), percent(row.share),
             reasons.get(row.unit, "")] for row in shown.itertuples(index=False)]
    marked = {index for index, row in enumerate(shown.itertuples(index=False)) if row.is_called}
    note = (f"单项工作（点位类型）或单位同时列后{called.last_n}名且低于{called.line:g}分的严肃追责问责，"
            f"单项工作被问责时在该项丢分的单位一并问责；红色为问责单位。{called.sentence()}。")
    _paged_table(deck, f"{called.round}测评问责：谁丢分、谁领责", columns, rows, marked, note=note,
                 empty="本轮各单位均未丢分。")


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
    chart = add_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, data, MARGIN, BODY_TOP, CONTENT_WIDTH, height,
                   [PART_COLORS["预计得分"], "#B8C2CC", READINESS_LINE_COLOR], labels=True)
    chart.plots[0].gap_width = 80
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 100, 0
    for index, name in enumerate(PART_COLORS):
        point = chart.plots[0].series[0].points[index]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = rgb(PART_COLORS[name])
    dashed_line_over_bars(chart, READINESS_LINE_COLOR)
    losers = "、".join(f"{row.unit}{row.lost:.1f}分" for row in result.who_loses.head(3).itertuples())
    deck.note(slide, readiness_line(result) + (f"；丢分最多：{losers}" if losers else "") + "。", BODY_TOP + height)


def _exposure_slide(deck: _Deck) -> None:
    """曝光台: each problem named above its 整改前 and 整改后 photos, side by side, scaled to fit."""
    slide = deck.slide("曝光台")
    rows = len(deck.content.exposed)
    row_height = (FOOTER_TOP - BODY_TOP - NOTE_HEIGHT) // rows
    label_height = Inches(0.45)
    half = (CONTENT_WIDTH - Inches(0.3)) // 2
    for index, (row, pictures) in enumerate(zip(deck.content.exposed.itertuples(), deck.content.exposed_pictures)):
        top = BODY_TOP + index * row_height
        state = f"逾期{row.days_overdue}天" if row.days_overdue else "无佐证"
        text_box(slide, MARGIN, top, CONTENT_WIDTH, label_height,
                 [(f"{row.unit} {row.point_name or ''}：{row.description or ''}（{row.status}，{state}）", Style(16, True))])
        for column, (label, picture) in enumerate(zip(("整改前", "整改后"), pictures)):
            left = MARGIN + column * (half + Inches(0.3))
            height = row_height - label_height - Inches(0.1)
            if picture is None:
                text_box(slide, left, top + label_height, half, height, [(f"{label}：无照片", Style(14, colour=MUTED))])
                continue
            shape = slide.shapes.add_picture(io.BytesIO(picture), left, top + label_height, height=height)
            if shape.width > half:   # a wide photo is scaled to its column instead
                shape.height, shape.width = int(shape.height * half / shape.width), half
    deck.note(slide, f"选取规则：{EXPOSURE_RULE}。", FOOTER_TOP - NOTE_HEIGHT)


def deck_from_content(content: BriefingContent) -> bytes:
    deck = _Deck(content)
    _title_slide(deck)
    _kpi_slide(deck)
    _paragraph_slide(deck)
    _by_type_slide(deck)
    _trend_slide(deck)
    _behind_slides(deck)
    _ranking_slide(deck)
    _lists_slide(deck)
    _overdue_slide(deck)
    if content.scores is not None:
        _score_types_slide(deck)
        _score_last_slide(deck)
    if content.called is not None:
        _accountability_slide(deck)
    if content.readiness is not None:
        _readiness_slide(deck)
    if len(content.exposed):
        _exposure_slide(deck)
    return deck.save()


def build_deck(con: duckdb.DuckDBPyConnection, filters: Filters) -> bytes:
    """The briefing deck for the filters and their as-of day, as .pptx bytes."""
    return deck_from_content(gather(con, filters))


def deck_file_name(filters: Filters) -> str:
    return f"创文晨报_{filters.as_of_date:%Y%m%d}.pptx"
