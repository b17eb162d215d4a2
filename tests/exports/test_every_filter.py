"""Every export for every filter of the demo: each unit, each 点位类型, each district, and a filter that
leaves nothing. The deck (read with python-pptx), the 通报 (python-docx), the bulletin workbook and the
交办单 (openpyxl) and the 晨报 text are all produced, and none of them says "nan", "None" or "NaT".
The chart pictures (kaleido, seconds each) are rendered for a few of the filters only: the first of each
kind and the empty one; the figures they are drawn from are checked as text for every filter."""
import datetime as dt
import io
import re
import zipfile

import docx
import openpyxl
import pytest
from pptx import Presentation

from analytics.exports.bulletin import bulletin_from_content
from analytics.exports.content import BriefingContent, gather
from analytics.exports.deck import deck_from_content
from analytics.exports.images import briefing_figures, charts_zip, unavailable_reason
from analytics.exports.notice import build_notice, gather_notice, notice_docx
from analytics.exports.tasks import task_sheets
from analytics.shared import db
from analytics.shared.filters import Filters
from conftest import DEMO_END

MISSING_WORDS = re.compile(r"(?<![A-Za-z])(?:nan|NaN|None|NaT)(?![A-Za-z])")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def con(demo_template):
    with db.connect(demo_template, read_only=True) as connection:
        yield connection


def _values(con, sql: str) -> list[str]:
    return [value for (value,) in con.execute(sql).fetchall()]


def _pptx_texts(data: bytes) -> list[str]:
    texts = []
    for number, slide in enumerate(Presentation(io.BytesIO(data)).slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(f"第{number}页：{shape.text_frame.text}")
            if shape.has_table:
                texts += [f"第{number}页表格：{cell.text}" for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                plot = shape.chart.plots[0]
                texts += [f"第{number}页图表分类：{category}" for category in plot.categories]
                for series in plot.series:   # a gap (None) in a line is drawn as a gap, not as text
                    values = " ".join("" if value is None else f"{value:g}" for value in series.values)
                    texts.append(f"第{number}页图表系列：{series.name} {values}")
    return texts


def _docx_texts(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    texts += [paragraph.text for section in document.sections for paragraph in section.footer.paragraphs]
    return texts


def _xlsx_texts(data: bytes, name: str) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [f"{name}·{sheet.title}!{cell.coordinate}：{cell.value}" for sheet in workbook.worksheets
            for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _figure_texts(value) -> list[str]:
    """Every string in a figure's JSON (titles, labels, categories, hover text); numbers are not text."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _figure_texts(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _figure_texts(item)]
    if hasattr(value, "tolist"):
        return _figure_texts(value.tolist())
    return []


def _missing_words(texts: list[str]) -> list[str]:
    return [text for text in texts if MISSING_WORDS.search(text)]


def _every_export(con, filters: Filters) -> tuple[BriefingContent, dict[str, list[str]]]:
    """The text of each export for the filters (each one must be made without raising)."""
    content = gather(con, filters)
    tasks = task_sheets(con, filters)
    texts = {
        "晨报": [content.text],
        "pptx": _pptx_texts(deck_from_content(content)),
        "xlsx": _xlsx_texts(bulletin_from_content(content), "通报数据"),
        "docx": _docx_texts(notice_docx(gather_notice(con, content))),   # the content gathered once
        "tasks": [text for name, data in tasks.items() for text in _xlsx_texts(data, name)],
        "png": [text for _, figure in briefing_figures(content)
                for text in _figure_texts(figure.to_plotly_json())],
    }
    return content, texts


def _check(con, filters: Filters) -> BriefingContent:
    content, texts = _every_export(con, filters)
    wrong = {kind: found[:5] for kind, text in texts.items() if (found := _missing_words(text))}
    assert not wrong, f"{content.scope}：{wrong}"
    assert texts["pptx"] and texts["xlsx"] and texts["docx"]
    return content


def _render_pngs(content: BriefingContent) -> None:
    with zipfile.ZipFile(io.BytesIO(charts_zip(briefing_figures(content)))) as archive:
        names = archive.namelist()
        assert names and all(archive.read(name).startswith(PNG_SIGNATURE) for name in names)


def _filters(**chosen) -> Filters:
    return Filters(as_of=DEMO_END, **chosen)


def _unit_the_round_did_not_score(con) -> str:
    """A unit with problems of its own that the latest 模拟测评 round scored no 点位 of."""
    unit, = con.execute("""
        SELECT min(unit) FROM problems WHERE unit NOT IN (
            SELECT p.unit FROM score_points p JOIN score_imports i USING (import_id)
            WHERE i.undone_at IS NULL AND p.unit IS NOT NULL)""").fetchone()
    assert unit is not None
    return unit


def test_a_unit_the_round_did_not_score_gets_a_deck_saying_so(con):
    filters = _filters(units=(_unit_the_round_did_not_score(con),))
    content = gather(con, filters)
    slides = [" ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
              for slide in Presentation(io.BytesIO(deck_from_content(content))).slides]
    score_slide, = [text for text in slides if "模拟测评得分（按点位类型）" in text]
    assert "没有测到筛选范围内的点位" in score_slide


def test_a_score_that_cannot_be_computed_is_said_in_words(con):
    filters = _filters(units=(_unit_the_round_did_not_score(con),))
    content = gather(con, filters)
    assert "模拟测评未测到筛选范围内的点位" in content.text and "nan" not in content.text
    notice = "\n".join(_docx_texts(build_notice(con, filters)))
    assert "模拟测评" not in notice.partition("二、存在问题")[0] and "nan" not in notice


# The units in four shares, each its own xdist group, so the two workers split the longest loop of the suite.
UNIT_SHARES = 4


def test_every_unit_has_problems(con):
    assert len(_values(con, "SELECT name FROM units")) == len(_values(con, "SELECT DISTINCT unit FROM problems"))


@pytest.mark.parametrize("share", [pytest.param(share, marks=pytest.mark.xdist_group(f"every_unit_{share}"))
                                   for share in range(UNIT_SHARES)])
def test_every_unit(con, share):
    units = _values(con, "SELECT name FROM units ORDER BY name")
    for unit in units[share::UNIT_SHARES]:
        _check(con, _filters(units=(unit,)))


def test_every_point_type(con):
    for point_type in _values(con, "SELECT DISTINCT point_type FROM problems ORDER BY 1"):
        _check(con, _filters(point_types=(point_type,)))


def test_every_district(con):
    for district in _values(con, "SELECT DISTINCT district FROM units ORDER BY 1"):
        _check(con, _filters(districts=(district,)))


def test_a_filter_that_leaves_nothing(con):
    nothing = _filters(date_from=DEMO_END + dt.timedelta(days=1))
    content = _check(con, nothing)
    assert content.briefing.kpis.total == 0


@pytest.mark.skipif(unavailable_reason() is not None, reason="no Chromium or CJK font here")
def test_chart_pictures_for_one_filter_of_each_kind_and_for_nothing(con):
    first_unit, = con.execute("SELECT min(name) FROM units").fetchone()
    first_type, = con.execute("SELECT min(point_type) FROM problems").fetchone()
    first_district, = con.execute("SELECT min(district) FROM units").fetchone()
    for filters in (_filters(units=(first_unit,)), _filters(point_types=(first_type,)),
                    _filters(districts=(first_district,)), _filters(date_from=DEMO_END + dt.timedelta(days=1))):
        _render_pngs(gather(con, filters))
