"""The 督查通报 as a Word document (.docx) in the official layout of GB/T 9704: what the 督查室 sends.

Layout: A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; title 2号 (22 pt) 方正小标宋简体;
body 3号 (16 pt) 仿宋_GB2312 on a fixed line pitch of 22 lines a page; level-one headings (一、) 黑体,
level-two (（一）) 楷体_GB2312; page numbers “— 1 —” in 4号 宋体. All of it is styles (Title, Heading 1,
Heading 2, Normal, a table style), so staff edit it as an ordinary document.

Fonts: Word and WPS read the East-Asian font from `w:eastAsia`, which python-docx does not set; every
style and every run here names its font in all four slots. The GB fonts are on the users' machines,
not on a server: the font table describes each (GB2312 character set, serif or sans family, and
altName: the name Windows ships it under, 仿宋/楷体 for the _GB2312 ones) so Word substitutes a like
font where one is missing. LibreOffice ignores altName; rendered here, fontconfig maps the GB names
to Noto CJK (serif for 仿宋/楷体/小标宋, sans for 黑体) through FONTCONFIG_FALLBACK, which the
rendering script passes in FONTCONFIG_FILE, so nothing in the document names a font the users lack.

Every figure comes from the analytics the pages and the command line use: what the deck and the
workbook show too, read once by content.gather (the briefing's counts, 整改率, 逾期 and countdown, metrics
by 点位类型, the unit ranking and behind() reasons, the latest 模拟测评 round), then what only the 通报
names: metrics by 问题类别, listing.worst_points, analytics.accountability.standing (约谈 candidates, the
红榜), analytics.accountability.rule (测评问责, via the gathered content) and the named units' listing.overdue_items.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from analytics.accountability.rule import Accountability, figure
from analytics.accountability.standing import unit_standing
from analytics.exports.content import BriefingContent, gather
from analytics.ledger.briefing import Briefing, clearing_outlook
from analytics.ledger.charts import scope_note
from analytics.shared.filters import Filters
from analytics.shared.labels import chinese_date, month_day, percent
from analytics.shared.numerals import chinese_number
from analytics.ledger.listing import overdue_items, worst_points
from analytics.ledger.metrics import metrics
from analytics.photos.model import EXPOSURE_RULE, exposure, problem_pictures
from analytics.photos.store import exposure_pictures
from analytics.shared.settings import Settings

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT = (
    "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体")
TITLE_SIZE, BODY_SIZE, TABLE_SIZE, PAGE_NUMBER_SIZE = Pt(22), Pt(16), Pt(12), Pt(14)
LINES_PER_PAGE = 22
# 225 mm of text height over 22 lines
LINE_PITCH = Pt((297 - 37 - 35) / 25.4 * 72 / LINES_PER_PAGE)
INDENT = Pt(32)   # two characters of 3号

# name → (charset, family, altName): how Word finds a like font where the named one is missing.
FONT_TABLE = {
    TITLE_FONT: ("86", "script", "华文中宋"),
    BODY_FONT: ("86", "modern", "仿宋"),
    HEADING_FONT: ("86", "modern", "SimHei"),
    SUBHEADING_FONT: ("86", "script", "楷体"),
    PAGE_NUMBER_FONT: ("86", "auto", "SimSun"),
}
FONTCONFIG_FALLBACK = Path(__file__).with_name("notice_fonts.conf")

STYLE_FONTS = {   # paragraph style → (font, size, bold)
    "Normal": (BODY_FONT, BODY_SIZE, False),
    "Title": (TITLE_FONT, TITLE_SIZE, False),
    "Heading 1": (HEADING_FONT, BODY_SIZE, False),
    "Heading 2": (SUBHEADING_FONT, BODY_SIZE, False),
    "Footer": (PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, False),
}
TABLE_TEXT_STYLE = "表格文字"
SECTIONS = ("一、基本情况", "二、存在问题", "三、红榜", "四、后{n}名及通报批评", "五、测评问责", "六、下步要求")
LOST_UNITS_NAMED = 5              # 谁丢分: the units that lost most, with their worst standards
APPENDIX_ROWS_PER_UNIT = 50       # the appendix lists each named unit's oldest overdue items
POINT_TYPES_NAMED, CATEGORIES_NAMED, WORST_POINTS_NAMED, OTHERS_BEHIND_NAMED = 5, 5, 5, 10
EXPOSED_PROBLEMS = 10             # 曝光台: this many problems, before and after side by side
EXPOSURE_PICTURE_WIDTH = Mm(72)   # half the type area, less the cell margins


@dataclass(frozen=True)
class NoticeContent:
    """What the 通报 says: the content the deck and the workbook show too, gathered once for all three
    (content.gather), and what only the 通报 names."""
    common: BriefingContent
    by_category: pd.DataFrame          # metrics by 问题类别, worst first
    worst_points: pd.DataFrame         # listing.worst_points
    candidates: pd.DataFrame           # accountability.interview_candidates
    praise: pd.DataFrame               # accountability.praise_list
    overdue: pd.DataFrame              # overdue items of the named units, by unit, oldest first

    @property
    def filters(self) -> Filters:
        return self.common.filters

    @property
    def settings(self) -> Settings:
        return self.common.settings

    @property
    def briefing(self) -> Briefing:
        return self.common.briefing

    @property
    def by_point_type(self) -> pd.DataFrame:
        return self.common.by_point_type

    @property
    def ranking(self) -> pd.DataFrame:
        """The unit ranking, best first, 后N名 marked."""
        return self.common.ranking

    @property
    def behind_units(self) -> pd.DataFrame:
        return self.common.behind["unit"]

    # 曝光台 (analytics.photos.model.exposure): the problems and their first before/after photo, as
    # bytes for the page (None where there is none)
    exposed: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    exposed_pictures: tuple[tuple[bytes | None, bytes | None], ...] = ()
    no_evidence: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)   # 无佐证 problems

    @property
    def called(self) -> Accountability | None:
        """The latest round's 测评问责 (analytics.accountability.rule), when scored."""
        return self.common.called

    @property
    def issue_date(self) -> dt.date:
        return self.filters.as_of_date

    @property
    def deadline(self) -> dt.date:
        """限时整改: notice_days after the notice is issued."""
        return self.issue_date + dt.timedelta(days=self.settings.notice_days)

    @property
    def last_n_units(self) -> list[str]:
        """The 后N名, last first."""
        return self.ranking.loc[self.ranking["last_n"], "unit"].tolist()[::-1]

    @property
    def named_units(self) -> list[str]:
        """The units the notice criticises: the 后N名, then the 约谈 candidates."""
        return list(dict.fromkeys([*self.last_n_units, *self.candidates["unit"]]))


def gather_notice(con: duckdb.DuckDBPyConnection, common: BriefingContent) -> NoticeContent:
    """The 通报's content: `common` (content.gather for the same filters) and what only the 通报 names."""
    filters = common.filters
    units = unit_standing(con, filters)
    content = NoticeContent(
        common=common, by_category=metrics(con, filters, "category"),
        worst_points=worst_points(con, filters, limit=WORST_POINTS_NAMED),
        candidates=units.candidates, praise=units.praise, overdue=pd.DataFrame())
    named = content.named_units
    overdue = (overdue_items(con, dataclasses.replace(filters, units=tuple(named)), limit=1_000_000)
               if named else overdue_items(con, filters, limit=0))
    exposed = exposure(con, filters, EXPOSED_PROBLEMS)
    return dataclasses.replace(content, overdue=overdue, exposed=exposed,
                               exposed_pictures=exposure_pictures(con, exposed),
                               no_evidence=problem_pictures(con, filters).no_evidence)


# ---------------------------------------------------------------- the text, section by section

def _count_list(frame: pd.DataFrame, column: str, limit: int) -> str:
    """居民小区12条（逾期3条）、背街小巷…: the groups with the most open problems."""
    shown = frame[frame["open"] > 0].sort_values(["open", "overdue", column], ascending=[False, False, True])
    return "、".join(f"{row[column]}{row['open']}条" + (f"（逾期{row['overdue']}条）" if row["overdue"] else "")
                    for _, row in shown.head(limit).iterrows())


def situation_paragraphs(content: NoticeContent) -> list[str]:
    k, clock = content.briefing.kpis, content.briefing.countdown
    if clock.test_date is None:
        days = "测评日期尚未确定"
    elif clock.days_left:
        days = f"距测评还有{clock.days_left}天（其中工作日{clock.working_days_left}天）"
    else:
        days = f"测评日期（{month_day(clock.test_date)}）已到"
    rate = "—" if k.rectify_rate is None else percent(k.rectify_rate)
    first = (f"截至{chinese_date(content.issue_date)}，{days}。累计排查各类问题{k.total}条，"
             f"已整改{k.rectified}条（其中已销号{k.closed}条），整改率{rate}；未整改{k.open}条，"
             f"其中逾期未整改{k.overdue}条。近7日新增问题{k.new_week}条、整改{k.rectified_week}条。")
    paragraphs = [first]
    outlook = clearing_outlook(clock)
    if outlook:
        paragraphs.append(f"{outlook}。")
    scores = content.common.scores
    if scores is not None and scores.scored:
        paragraphs.append(f"{scores.round}模拟测评实地考察得分{scores.overall:.1f}分。")
    if content.briefing.readiness:
        paragraphs.append(f"{content.briefing.readiness}。")
    return paragraphs


def problem_paragraphs(content: NoticeContent) -> list[tuple[str, str]]:
    """(（一）heading, text) for 点位类型, 问题类别 and the worst 点位."""
    k = content.briefing.kpis
    if not k.open:
        return [("（一）总体", "目前没有未整改问题。")]
    types = _count_list(content.by_point_type, "point_type", POINT_TYPES_NAMED)
    categories = _count_list(content.by_category, "category", CATEGORIES_NAMED)
    lagging = "；".join(f"{g.name}：{g.reasons[0]}" for g in content.briefing.lagging_point_types)
    by_type = f"未整改问题主要集中在{types}。" + (f"落后的点位类型：{lagging}。" if lagging else "")
    points = "、".join(f"{row.point_name}（{row.unit_names}，未整改{row.open}条"
                      + (f"，逾期{row.overdue}条" if row.overdue else "") + "）"
                      for row in content.worst_points.itertuples())
    return [("（一）从点位类型看", by_type),
            ("（二）从问题类别看", f"未整改问题以{categories}为主。"),
            ("（三）问题最多的点位", f"{points}。")]


def praise_paragraphs(content: NoticeContent) -> list[tuple[str, str]]:
    best = content.praise[content.praise["kind"] == "整改率领先"]
    improved = content.praise[content.praise["kind"] == "进步最快"]
    listed = lambda frame: "；".join(f"{row.unit}（{row.evidence}）" for row in frame.itertuples())  # noqa: E731
    return [("（一）整改率领先的单位", (listed(best) + "。") if len(best) else "暂无整改率领先且无逾期的单位。"),
            ("（二）进步最快的单位", (listed(improved) + "。") if len(improved) else "近7日整改率没有提高的单位。")]


def criticism_paragraphs(content: NoticeContent) -> list[tuple[str, str]]:
    n = content.settings.last_n
    reasons = dict(zip(content.behind_units["unit"], content.behind_units["reason_text"]))
    last = content.last_n_units
    if last:
        text = "；".join(f"{unit}：{reasons.get(unit, '')}" for unit in last) + \
            "。以上单位予以通报批评，限期整改。"
    else:
        text = f"参加排名的单位不足{n + 1}个或后{n}名已无未整改问题，本期不排后{n}名。"
    candidates = content.candidates
    talk = ("；".join(f"{row.unit}：{row.evidence_text}" for row in candidates.itertuples()) +
            "。建议对以上单位主要负责同志进行约谈。") if len(candidates) else "本期没有符合约谈条件的单位。"
    others = content.behind_units[~content.behind_units["unit"].isin(content.named_units)]
    sections = [(f"（一）{content.settings.ranking_measure}后{n}名", text), ("（二）建议约谈的单位", talk)]
    if len(others):
        shown = others.head(OTHERS_BEHIND_NAMED)
        more = f"等{len(others)}个单位" if len(others) > len(shown) else ""
        sections.append(("（三）其他落后单位", "；".join(f"{row.unit}：{row.reason_text}" for row in shown.itertuples())
                         + f"{more}。请相关单位对照问题清单抓紧整改。"))
    return sections


def accountability_paragraphs(content: NoticeContent) -> list[tuple[str, str]]:
    """（一）the items and units among the last and under the line, with who lost the items' points;
    （二）谁丢分: the units that lost most, their share and where they lost it."""
    called = content.called
    if called is None:
        return [("（一）测评问责", "尚未导入测评得分表，本期不作测评问责。")]
    rule = f"后{called.last_n}名且低于{called.line:g}分"
    entries = "；".join(f"{entry.unit}：{'；'.join(entry.reasons)}" for entry in called.called)
    named = (f"{called.sentence()}。{entries}。按照“谁主管、谁负责，谁丢分、谁领责”的要求，严肃追责问责。"
             if called.called else f"{called.round}测评没有单项工作或单位同时列{rule}。")
    lost = called.units[called.units["lost"] > 0].sort_values(["lost", "unit"], ascending=[False, True])
    lost_text = "；".join(
        f"{row.unit}丢分{figure(row.lost)}分（占{percent(row.share)}）"
        + (f"，主要在{'、'.join(f'“{standard}”{figure(points)}分' for standard, points in row.standards)}"
           if row.standards else "")
        for row in lost.head(LOST_UNITS_NAMED).itertuples())
    return [(f"（一）{called.round}测评{rule}", named),
            ("（二）谁丢分、谁领责", (lost_text + "。") if lost_text else f"{called.round}测评各单位均未丢分。")]


def requirement_paragraphs(content: NoticeContent) -> list[str]:
    deadline = chinese_date(content.deadline)
    named = "、".join(content.named_units)
    return [
        f"（一）限时整改。各责任单位要对照本通报和问题交办单，于{deadline}前完成逾期问题整改，"
        f"并将填写完整的交办单报送创文办督查室。" + (f"{named}要逐条制定整改措施，明确责任人和完成时限。" if named else ""),
        "（二）举一反三。各单位要对照测评标准开展自查，对同类点位同类问题一并整改，防止问题反弹。",
        f"（三）跟踪问效。督查室将对整改情况进行复查，对逾期未整改、整改不到位的单位"
        f"{'再次通报' if named else '予以通报'}，并按规定启动约谈问责程序。",
    ]


# ---------------------------------------------------------------- the document

def _set_fonts(r_pr, font: str) -> None:
    """Name `font` in the four slots of a run or style's properties (theme fonts removed: they win
    over names in Word)."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font)


def _style_paragraphs(document: DocumentObject) -> None:
    for name, (font, size, bold) in STYLE_FONTS.items():
        style = document.styles[name]
        style.font.size, style.font.bold = size, bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element.get_or_add_rPr(), font)
        layout = style.paragraph_format
        layout.space_before = layout.space_after = Pt(0)
        layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    title = document.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    # the default template underlines the title with a border
    for border in title.element.findall(f"{qn('w:pPr')}/{qn('w:pBdr')}"):
        border.getparent().remove(border)
    for name in ("Heading 1", "Heading 2"):
        document.styles[name].paragraph_format.first_line_indent = INDENT
    document.styles["Normal"].paragraph_format.first_line_indent = INDENT
    document.styles["Normal"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    footer = document.styles["Footer"].paragraph_format
    footer.alignment, footer.first_line_indent = WD_ALIGN_PARAGRAPH.CENTER, Pt(0)
    table_text = document.styles.add_style(TABLE_TEXT_STYLE, 1)
    table_text.base_style = document.styles["Normal"]
    table_text.font.size = TABLE_SIZE
    _set_fonts(table_text.element.get_or_add_rPr(), BODY_FONT)
    layout = table_text.paragraph_format
    layout.first_line_indent, layout.alignment = Pt(0), WD_ALIGN_PARAGRAPH.CENTER
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.SINGLE, 1.0
    # table rows keep their own height, off the page's 22-line grid
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    table_text.element.get_or_add_pPr().append(snap)
    # docDefaults: text typed later in a new style still gets a Chinese font
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if defaults is not None:
        _set_fonts(defaults, BODY_FONT)


def _describe_fonts(document: DocumentObject) -> None:
    part = next(p for p in document.part.package.parts if p.partname == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    for name, (charset, family, alternative) in FONT_TABLE.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alternative), ("w:charset", charset), ("w:family", family),
                           ("w:pitch", "variable")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(document: DocumentObject) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side, length in MARGINS.items():
        setattr(section, f"{side}_margin", length)
    section.footer_distance = Mm(28) - Mm(7)   # the page number sits 7 mm below the text block
    # a line grid of 22 lines, so typed text keeps the layout
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    _add_run(footer, "— ", PAGE_NUMBER_FONT)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = _add_run(footer, "1", PAGE_NUMBER_FONT)
    footer._p.remove(run._r)
    field.append(run._r)
    footer._p.append(field)
    _add_run(footer, " —", PAGE_NUMBER_FONT)


def _add_run(paragraph: Paragraph, text: str, font: str):
    run = paragraph.add_run(text)
    _set_fonts(run._r.get_or_add_rPr(), font)
    return run


def add_paragraph(document: DocumentObject, text: str, style: str = "Normal", *, indent: bool = True,
               align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
    paragraph = document.add_paragraph(style=style)
    if not indent:
        paragraph.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        paragraph.paragraph_format.alignment = align
    _add_run(paragraph, text, STYLE_FONTS.get(style, (BODY_FONT,))[0])
    return paragraph


def _headed_paragraph(document: DocumentObject, heading: str, text: str) -> Paragraph:
    """（一）heading in 楷体 and its text in 仿宋, in one paragraph, as notices are written."""
    paragraph = document.add_paragraph(style="Normal")
    _add_run(paragraph, heading + "。" if not heading.endswith("。") else heading, SUBHEADING_FONT)
    _add_run(paragraph, text, BODY_FONT)
    return paragraph


def add_table(document: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[object]],
           widths_mm: Sequence[float]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label in zip(table.rows[0].cells, header):
        paragraph = cell.paragraphs[0]
        paragraph.style = document.styles[TABLE_TEXT_STYLE]
        _add_run(paragraph, label, HEADING_FONT)
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles[TABLE_TEXT_STYLE]
            _add_run(paragraph, _shown(value), BODY_FONT)
    # fixed widths in the grid and in every cell: LibreOffice reads the one, Word the other
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _appendix(document: DocumentObject, content: NoticeContent) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    add_paragraph(document, "附件", "Heading 1", indent=False)
    add_paragraph(document, "被通报单位逾期问题清单", "Title")
    overdue = content.overdue
    for number, unit in enumerate(content.named_units):
        items = overdue[overdue["unit"] == unit]
        shown = items.head(APPENDIX_ROWS_PER_UNIT)
        cut = f"，列出逾期最久的{len(shown)}条" if len(shown) < len(items) else ""
        label = chinese_number(number + 1)
        add_paragraph(document, f"（{label}）{unit}（逾期{len(items)}条{cut}）", "Heading 2")
        if items.empty:
            add_paragraph(document, "无逾期问题。")
            continue
        add_table(document, ("序号", "点位类型", "点位名称", "问题描述", "整改时限", "逾期天数"),
               [(i, row.point_type, row.point_name, row.description, row.deadline, row.days_overdue)
                for i, row in enumerate(shown.itertuples(), start=1)],
               # 整改时限 wide enough for a whole date (at 28 mm "2026-11-20" broke after its second hyphen)
               (13, 20, 28, 38, 35, 22))


def _exposure(document: DocumentObject, content: NoticeContent) -> None:
    """曝光台: each problem named, its 整改前 and 整改后 photos side by side, scaled to the column."""
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    add_paragraph(document, "曝光台", "Title")
    if len(content.no_evidence):
        by_unit = content.no_evidence["unit"].value_counts()
        add_paragraph(document, f"报已整改或已销号、台账却没有整改后照片（无佐证）的问题共{len(content.no_evidence)}条："
                             + "、".join(f"{unit}{count}条" for unit, count in by_unit.items())
                             + ("，不计为已销号。" if content.settings.no_evidence_blocks_closing else "。"))
        add_table(document, ("序号", "责任单位", "点位名称", "问题描述", "整改状态"),
                  [(i, row.unit, row.point_name, row.description, row.status)
                   for i, row in enumerate(content.no_evidence.itertuples(), start=1)],
                  (13, 32, 35, 54, 22))
    add_paragraph(document, f"选取规则：{EXPOSURE_RULE}（共{len(content.exposed)}条）。")
    for number, (row, pictures) in enumerate(zip(content.exposed.itertuples(), content.exposed_pictures), start=1):
        state = f"逾期{row.days_overdue}天" if row.days_overdue else "无佐证"
        add_paragraph(document, f"{number}. {row.unit} {row.point_name or ''}：{row.description or ''}（{row.status}，{state}）",
                   indent=False)
        table = document.add_table(rows=2, cols=2)
        table.style = document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, ("整改前", "整改后")):
            cell.paragraphs[0].style = document.styles[TABLE_TEXT_STYLE]
            _add_run(cell.paragraphs[0], label, HEADING_FONT)
        for cell, picture in zip(table.rows[1].cells, pictures):
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles[TABLE_TEXT_STYLE]
            if picture is None:
                _add_run(paragraph, "无照片", BODY_FONT)
            else:
                paragraph.add_run().add_picture(io.BytesIO(picture), width=EXPOSURE_PICTURE_WIDTH)


def official_document() -> DocumentObject:
    """An empty document in the official layout (GB/T 9704 page, fonts and styles, page numbers)."""
    document = Document()
    _style_paragraphs(document)
    _describe_fonts(document)
    _page_setup(document)
    return document


def notice_docx(content: NoticeContent) -> bytes:
    document = official_document()
    core = document.core_properties
    core.title, core.author, core.language = "创文督查通报", "创文办督查室", "zh-CN"
    add_paragraph(document, "关于创文问题整改情况的通报", "Title")
    add_paragraph(document, scope_note(content.filters), "Normal", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_paragraph(document, "各责任单位：", indent=False)
    add_paragraph(document, "为推动创建全国文明城市各项问题整改落实到位，现将问题整改情况通报如下。")
    n = content.settings.last_n
    headings = [heading.format(n=n) for heading in SECTIONS]
    add_paragraph(document, headings[0], "Heading 1")
    for text in situation_paragraphs(content):
        add_paragraph(document, text)
    add_paragraph(document, headings[1], "Heading 1")
    for heading, text in problem_paragraphs(content):
        _headed_paragraph(document, heading, text)
    types = content.by_point_type[content.by_point_type["total"] > 0]
    if len(types):
        add_table(document, ("点位类型", "问题数", "未整改", "逾期", "整改率"),
               [(row.point_type, row.total, row.open, row.overdue, percent(row.rectify_rate))
                for row in types.itertuples()], (44, 26, 26, 26, 30))
    add_paragraph(document, headings[2], "Heading 1")
    for heading, text in praise_paragraphs(content):
        _headed_paragraph(document, heading, text)
    add_paragraph(document, headings[3], "Heading 1")
    for heading, text in criticism_paragraphs(content):
        _headed_paragraph(document, heading, text)
    add_paragraph(document, headings[4], "Heading 1")
    for heading, text in accountability_paragraphs(content):
        _headed_paragraph(document, heading, text)
    add_paragraph(document, headings[5], "Heading 1")
    for text in requirement_paragraphs(content):
        heading, _, rest = text.partition("。")
        last_text = _headed_paragraph(document, heading + "。", rest)
    # the end of the text, the 附件 line and the signature on one page: never the last two alone
    closing = [last_text, add_paragraph(document, ""), add_paragraph(document, "附件：被通报单位逾期问题清单"),
               add_paragraph(document, ""), add_paragraph(document, "创文办督查室", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)]
    for paragraph in closing:
        paragraph.paragraph_format.keep_with_next = True
    last_text.paragraph_format.keep_together = True
    add_paragraph(document, chinese_date(content.issue_date), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if content.named_units:
        _appendix(document, content)
    if len(content.exposed) or len(content.no_evidence):
        _exposure(document, content)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_notice(con: duckdb.DuckDBPyConnection, filters: Filters) -> bytes:
    """The 督查通报 for the filters and their as-of day, as .docx bytes."""
    return notice_docx(gather_notice(con, gather(con, filters)))


def notice_file_name(filters: Filters) -> str:
    return f"督查通报_{filters.as_of_date:%Y%m%d}.docx"
