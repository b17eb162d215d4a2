"""A small PowerPoint toolkit on python-pptx, in the export theme: text whose size and wrapping are
estimated so nothing spills over a slide (`text_lines`), runs that name the typeface for East-Asian
text as well as Latin, text boxes, native charts, and tables laid out over pages. The briefing's
slides (deck.py) are built with it.

Every run of text, and every chart's text properties, names the typeface for East-Asian text (`a:ea`)
as well as Latin (`a:latin`): python-pptx sets only the latter, and a run without `a:ea` falls back
to a Latin font in Chinese."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from analytics.shared import theme
from analytics.exports.tables import neutralise, printable

# One typeface for every run and every chart (the East-Asian slot too).
FONT = theme.OFFICE_FONT
TABLE_FONT_PT = 12
TABLE_MAX_LINES = 2                   # a cell's text is cut to this many lines

# Text metrics of the estimate, taken on the conservative side of PowerPoint (Microsoft YaHei) and
# LibreOffice (Noto Sans CJK, DejaVu Sans for Latin, which also puts a gap between CJK and Latin
# text): a CJK character (wide, or ambiguous like …“”) is 1 em, any other character 0.65 em, a
# space 0.35 em, a switch between CJK and Latin 0.3 em; Latin words do not break; a line is 1.5 em
# high; and 1 em of each line is kept free, as a line may not start with some punctuation (，。）).
WIDE_EM, NARROW_EM, SPACE_EM, SWITCH_EM, LINE_EM, SLACK_EM = 1.0, 0.65, 0.35, 0.3, 1.5, 1.0
CELL_MARGIN_X, CELL_MARGIN_Y = Inches(0.08), Inches(0.04)
TEXT_INSET = Inches(0.05)


def rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(theme.hex_digits(colour))


INK = rgb(theme.INK)
MUTED = rgb(theme.MUTED)
WHITE = rgb(theme.WHITE)
BAND = rgb(theme.BAND)
ACCENT = rgb(theme.ACCENT)
GOOD = rgb(theme.GOOD)
CARD = rgb(theme.CARD)
ROW_SHADE = rgb(theme.CARD)
MARK_FILL = rgb(theme.MARK_FILL)
MARK_INK = rgb(theme.MARK_INK)

def _tokens(paragraph: str) -> list[tuple[str, float]]:
    """(kind, width in em) of the unbreakable pieces of a paragraph: each CJK character, each run
    of spaces, each Latin word (with the CJK/Latin switch added to the piece after it)."""
    pieces = re.findall(r"\s+|[^\s]", paragraph)
    tokens: list[tuple[str, float]] = []
    for piece in pieces:
        kind = "space" if piece.isspace() else "wide" if theme.is_wide(piece) else "word"
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


def cut_text(text: str, width: int, size_pt: float, max_lines: int) -> str:
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


def fitting_size(text: str, width: int, height: int, sizes: Sequence[float]) -> float | None:
    for size in sizes:
        if text_height(text_lines(text, width, size), size) <= height:
            return size
    return None

def set_typeface(properties: etree._Element) -> None:
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


def write_runs(frame, paragraphs: Sequence[tuple[str, Style]], align=PP_ALIGN.LEFT) -> None:
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
        set_typeface(run._r.get_or_add_rPr())


def text_box(slide: Slide, left: int, top: int, width: int, height: int,
              paragraphs: Sequence[tuple[str, Style]], *, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = TEXT_INSET
    write_runs(frame, paragraphs, align)
    return box


def inner_width(width: int) -> int:
    return width - 2 * TEXT_INSET


def one_line(text: str, width: int, sizes: Sequence[float]) -> tuple[str, float]:
    """The largest size at which `text` takes one line, else the smallest size and the text cut."""
    for size in sizes:
        if text_lines(text, inner_width(width), size) == 1:
            return text, size
    return cut_text(text, inner_width(width), sizes[-1], 1), sizes[-1]


def fill_shape(shape, colour: RGBColor) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = colour
    shape.line.fill.background()

def add_chart(slide: Slide, kind, data: CategoryChartData, left: int, top: int, width: int, height: int,
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
            series.format.line.color.rgb = rgb(colour)
            series.format.line.width = Pt(2.5)
            series.smooth = False
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = rgb(colour)
    if labels:
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.show_value = True
        plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        plot.data_labels.font.size = Pt(11)
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = rgb(theme.GRID)
    chart.value_axis.tick_labels.number_format = "0"
    chart.value_axis.tick_labels.number_format_is_linked = False
    for properties in chart._chartSpace.iter(qn("a:defRPr"), qn("a:rPr")):
        set_typeface(properties)
    return chart


def with_line_series(chart) -> None:
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


def dashed_line_over_bars(chart, colour: str) -> None:
    """The chart's last series as a dashed line over the bars (a pass line, say)."""
    with_line_series(chart)
    line = chart.plots[1].series[0].format.line
    line.color.rgb = rgb(colour)
    line.width = Pt(2.5)
    line.dash_style = MSO_LINE_DASH_STYLE.DASH


def horizontal(chart) -> None:
    """Bars read top-down in the frame's order, the value axis staying at the bottom (it crosses
    the reversed category axis at its last category)."""
    chart.category_axis.reverse_order = True
    chart.value_axis._element.find(qn("c:crosses")).set("val", "max")


def skip_labels(chart, count: int, shown: int = 12) -> None:
    """Label every n-th day so the dates do not overlap (c:tickLblSkip, placed where the schema wants it)."""
    axis = chart.category_axis._element
    skip = axis.makeelement(qn("c:tickLblSkip"), {"val": str(max(1, math.ceil(count / shown)))})
    follower = axis.find(qn("c:noMultiLvlLbl"))
    if follower is not None:
        follower.addprevious(skip)
    else:
        axis.append(skip)


def category_names(values: pd.Series) -> list[str]:
    """Names from the ledgers as chart categories: printable (the chart XML refuses control
    characters) and neutralised (PowerPoint keeps a chart's data in an embedded workbook, where text
    starting with = would be written as a formula)."""
    return [neutralise(printable(str(value))) for value in values]

@dataclass(frozen=True)
class TableColumn:
    label: str
    width: float              # share of the table width
    align: PP_ALIGN = PP_ALIGN.LEFT


def cell_lines(text: str, width: int) -> int:
    return text_lines(text, width - 2 * CELL_MARGIN_X, TABLE_FONT_PT)


def row_height(cells: Sequence[str], widths: Sequence[int]) -> int:
    lines = max(cell_lines(text, width) for text, width in zip(cells, widths))
    return text_height(lines, TABLE_FONT_PT) + 2 * CELL_MARGIN_Y


LEFT_OUT_HEIGHT = text_height(1, TABLE_FONT_PT) + 2 * CELL_MARGIN_Y   # the “……等N项” row


def _fill_pages(rows: list[list[str]], widths: Sequence[int], header_height: int, height: int,
                max_pages: int) -> tuple[list[list[list[str]]], int]:
    """Pages filled in order, each as full as `height` allows; how many rows are left over."""
    pages: list[list[list[str]]] = []
    index = 0
    while index < len(rows) and len(pages) < max_pages:
        used, page = header_height, []
        final = len(pages) == max_pages - 1
        while index < len(rows):
            needed = row_height(rows[index], widths)
            # on the final page keep room for the “……等N项” row unless this row is the last one
            reserve = LEFT_OUT_HEIGHT if final and index < len(rows) - 1 else 0
            if used + needed + reserve > height and page:
                break
            page.append(rows[index])
            used += needed
            index += 1
        pages.append(page)
    return pages, len(rows) - index


def table_pages(rows: list[list[str]], widths: Sequence[int], header: Sequence[str], height: int,
                max_pages: int) -> tuple[list[list[list[str]]], int]:
    """Rows (already cut to TABLE_MAX_LINES) split into pages that fit `height` under the header;
    when max_pages is not enough the last page ends early. Returns the pages and how many rows
    were left out (the caller writes the “……等N项” row in the room kept for it). When every row
    fits, the pages share them evenly: filled in order, the last slide could hold three rows alone."""
    header_height = row_height(header, widths)
    pages, left_out = _fill_pages(rows, widths, header_height, height, max_pages)
    if len(pages) > 1 and not left_out:
        # a page as tall as an even share plus one row: the same number of pages, none nearly empty
        share = sum(row_height(row, widths) for row in rows) / len(pages)
        tallest = max(row_height(row, widths) for row in rows)
        even, still_left = _fill_pages(rows, widths, header_height,
                                       min(height, header_height + int(share) + tallest), len(pages))
        pages = even if not still_left else pages
    return pages or [[]], left_out


def add_table(slide: Slide, left: int, top: int, width: int, columns: Sequence[TableColumn], rows: list[list[str]],
          marked: set[int], left_out: int = 0) -> None:
    """A native table of `rows` under a header, rows `marked` (indices) in red, and when `left_out`
    a last “……等N项” row across it; row heights follow the wrapped text."""
    widths = [int(width * column.width) for column in columns]
    header = [column.label for column in columns]
    extra = 1 if left_out else 0
    shape = slide.shapes.add_table(1 + len(rows) + extra, len(columns), left, top, sum(widths),
                                   row_height(header, widths))
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
        write_runs(cell.text_frame, [(text, style)], align)

    total_height = 0
    for row_index, cells in enumerate([header, *rows]):
        height = row_height(cells, widths)
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
        table.rows[row_index].height = LEFT_OUT_HEIGHT
        total_height += LEFT_OUT_HEIGHT
    shape.height = total_height
