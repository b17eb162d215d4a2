"""Chart pictures rendered on the server with kaleido + Chromium: slide-sized, Chinese that renders
as Chinese (not boxes), a zip of a page's charts, and a Chinese install hint without Chromium.

How “Chinese renders” is checked: a picture of six different characters, each alone in its own
sixth of the width, is cut into six cells; each cell's ink is trimmed to its bounding box and scaled
to 32×32. Real glyphs of different characters differ in a large share of those pixels (about 40% for
the characters below); when a font lacks the characters every one is drawn as the same
missing-glyph box (tofu), and the shapes differ only by anti-aliasing (under 2%). The control
renders six Private Use Area code points, which no font has, through the same pipeline and must
come out as identical boxes: that proves the check tells the two apart.
"""
import io
import itertools
import zipfile

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from analytics.shared import db
from analytics.exports.content import gather
from analytics.exports.images import (INSTALL_COMMAND,
    ChartImagesUnavailable,
    briefing_figures,
    charts_zip,
    png_file_name,
    render_pngs,
    slide_figure,
    unavailable_reason)
from analytics.shared.filters import Filters
from analytics.shared.figures import unbroken
from analytics.ledger.metrics import metrics
from exports_data import AS_OF, export_db, export_db_ranked_by

needs_chromium = pytest.mark.skipif(unavailable_reason() is not None,
                                    reason=f"no Chromium or CJK font here ({INSTALL_COMMAND})")

FILTERS = Filters(as_of=AS_OF)
CHINESE = "创文督查整改"
NO_GLYPHS = "".join(chr(0xE000 + n) for n in range(len(CHINESE)))


def glyph_figure(text: str) -> go.Figure:
    """Each character alone, large and black, centred in its own column; nothing else drawn. No
    font is named: the export's layout font applies."""
    figure = go.Figure(layout=dict(paper_bgcolor="white", plot_bgcolor="white", margin=dict(l=0, r=0, t=0, b=0),
                                   xaxis=dict(visible=False), yaxis=dict(visible=False), showlegend=False))
    for index, char in enumerate(text):
        figure.add_annotation(text=char, x=(index + 0.5) / len(text), y=0.5, xref="paper", yref="paper",
                              showarrow=False, font=dict(size=72, color="black"))
    return figure


def glyph_shapes(png: bytes, count: int) -> list[np.ndarray]:
    """The ink of each of `count` equal columns, trimmed to its bounding box and scaled to 32×32."""
    gray = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    shapes = []
    for cell in np.array_split(gray, count, axis=1):
        rows, columns = np.nonzero(cell < 128)
        assert rows.size, "a character drew no ink at all"
        trimmed = cell[rows.min():rows.max() + 1, columns.min():columns.max() + 1]
        shapes.append(np.asarray(Image.fromarray(trimmed).resize((32, 32))) < 128)
    return shapes


def pairwise_differences(shapes: list[np.ndarray]) -> list[float]:
    """For each pair of shapes, the share of their pixels that differ."""
    return [float((a ^ b).mean()) for a, b in itertools.combinations(shapes, 2)]


@needs_chromium
def test_chinese_renders_as_distinct_glyphs_and_missing_glyphs_as_identical_boxes():
    chinese, no_glyphs = render_pngs([glyph_figure(CHINESE), glyph_figure(NO_GLYPHS)])
    assert Image.open(io.BytesIO(chinese)).size == (1920, 1080)
    assert min(pairwise_differences(glyph_shapes(chinese, len(CHINESE)))) > 0.15
    assert max(pairwise_differences(glyph_shapes(no_glyphs, len(NO_GLYPHS)))) < 0.05


@needs_chromium
def test_the_briefing_charts_zip_holds_one_slide_sized_png_per_chart(tmp_path_factory):
    with db.connect(export_db(tmp_path_factory), read_only=True) as con:
        named = briefing_figures(gather(con, FILTERS))
    data = charts_zip(named)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == [png_file_name(position, title) for position, (title, _) in enumerate(named, start=1)]
        for name in names:
            picture = Image.open(io.BytesIO(archive.read(name)))
            assert picture.format == "PNG" and picture.size == (1920, 1080)
            # a chart, not a blank page: a good share of the pixels carry ink or colour
            assert (np.asarray(picture.convert("L")) < 200).mean() > 0.01


def test_the_chart_titles_come_from_the_analytics_figures(tmp_path_factory):
    with db.connect(export_db(tmp_path_factory), read_only=True) as con:
        content = gather(con, FILTERS)
    named = briefing_figures(content)
    assert len(named) == 5
    for title, figure in named:
        assert unbroken(figure.layout.title.text) == title   # broken into lines for a phone's width
        assert unbroken(figure.layout.title.subtitle.text) == content.scope
        slide = slide_figure(figure)   # on one line again on a slide
        assert (slide.layout.title.text, slide.layout.title.subtitle.text) == (title, content.scope)
    ranking_figure = named[3][1]
    marked = set(content.ranking.loc[content.ranking["last_n"], "unit"])
    red = [bar for bar in ranking_figure.data if bar.name.startswith("后")]
    assert marked and set(red[0].y) == marked


def test_the_ranking_chart_shows_the_ranking_measure(tmp_path_factory, tmp_path):
    with db.connect(export_db_ranked_by(tmp_path_factory, tmp_path, "销号率"), read_only=True) as con:
        content = gather(con, FILTERS)
    title, figure = briefing_figures(content)[3]
    assert title.startswith("责任单位销号率排名")
    bars = {unit: value for bar in figure.data for unit, value in zip(bar.y, bar.x)}
    tail = content.ranking_tail
    assert bars == pytest.approx(dict(zip(tail["unit"], tail["measure"])))


def test_the_charts_hold_nothing_outside_the_filters(tmp_path_factory):
    with db.connect(export_db(tmp_path_factory), read_only=True) as con:
        chosen = metrics(con, FILTERS, "unit")["unit"].iloc[0]
        only = Filters(as_of=AS_OF, units=(chosen,))
        types = set(metrics(con, only, "point_type")["point_type"])
        named = dict(briefing_figures(gather(con, only)))
    by_type, _, _, ranking_figure, overdue_figure = named.values()
    assert {name for bar in by_type.data if bar.type == "bar" for name in bar.y} <= types
    for figure in (ranking_figure, overdue_figure):
        assert {name for bar in figure.data for name in bar.y} == {chosen}


@pytest.mark.parametrize("position, title, expected", [
    (1, "问题分布（按点位类型）", "01-问题分布（按点位类型）.png"),
    (12, "趋势 / 积压: 近30天?", "12-趋势_积压_近30天.png"),
    (3, "  ", "03-图表.png"),
])
def test_png_file_names_are_numbered_and_safe_on_windows(position, title, expected):
    assert png_file_name(position, title) == expected


def test_without_chromium_the_error_says_how_to_install_it(monkeypatch):
    # choreographer takes BROWSER_PATH before searching PATH: pointing it at nothing hides Chromium
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    reason = unavailable_reason()
    assert reason is not None and "Chromium" in reason and INSTALL_COMMAND in reason
    with pytest.raises(ChartImagesUnavailable, match="apt-get install chromium fonts-noto-cjk"):
        render_pngs([glyph_figure(CHINESE)])


def test_a_stored_round_adds_its_score_charts(tmp_path):
    from pathlib import Path

    from analytics.intake import import_paths

    samples = sorted((Path(__file__).parents[1] / "samples" / "scores").glob("*.xlsx"))
    path = tmp_path / "scores.duckdb"
    import_paths(path, samples)
    with db.connect(path, read_only=True) as con:
        content = gather(con, FILTERS)
    named = dict(briefing_figures(content))
    types = named["第二轮模拟测评各点位类型得分（合格线85分）"]
    units = named["第二轮模拟测评责任单位得分（后3名标红）"]
    drawn = {name: score for bar in types.data for name, score in zip(bar.y, bar.x)}
    assert drawn == pytest.approx(content.scores.by_point_type)
    red = next(bar for bar in units.data if bar.name == "后3名")
    assert set(red.y) == set(content.scores.last_n)
    assert any(shape.x0 == 85 for shape in types.layout.shapes)          # the pass line is drawn
