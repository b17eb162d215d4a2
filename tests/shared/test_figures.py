"""The frame every chart shares: title and subtitle, the CJK font, the empty-chart message, bar heights."""
import plotly.graph_objects as go

from analytics.shared import figures
from analytics.shared.theme import FONT_FAMILY


def test_layout_puts_title_subtitle_and_the_cjk_font_on_the_figure():
    fig = figures.layout(go.Figure(), "各点位类型问题", "数据截至11月20日", height=500)
    assert fig.layout.title.text == "各点位类型问题"
    assert fig.layout.title.subtitle.text == "数据截至11月20日"
    assert fig.layout.font.family == FONT_FAMILY
    assert fig.layout.height == 500


def test_an_empty_chart_says_so_and_hides_its_axes():
    fig = figures.no_data(figures.layout(go.Figure(), "t", "s"))
    assert [a.text for a in fig.layout.annotations] == ["当前筛选条件下暂无数据"]
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_bar_height_grows_with_the_bars_within_bounds():
    heights = [figures.bar_height(n) for n in (0, 5, 10, 20, 100)]
    assert heights == sorted(heights)
    assert heights[0] == figures.bar_height(1) and heights[-1] == figures.bar_height(1000)
    assert heights[1] < heights[2] < heights[3]
