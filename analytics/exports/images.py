"""Chart pictures rendered on the server: slide-sized PNG files (1920×1080) in a zip.

kaleido 1.x drives a Chromium through choreographer. It finds one, in this order: a copy fetched
by `kaleido_get_chrome`, the BROWSER_PATH environment variable, `chrome`/`chromium`… on PATH, then
the usual install paths (/usr/bin/chromium is Debian's `chromium` package). Chinese needs a CJK font
in the system (Debian's `fonts-noto-cjk`) and a layout font family naming it, else every character
is a box. Starting Chromium costs a second or two and a picture then takes about 0.1 s, so a batch
is rendered in ONE kaleido session. MathJax is switched off: it would be fetched from a CDN.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import io
import re
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from analytics.ledger import charts
from analytics.scores import charts as score_charts
from analytics.ledger.charts import EXPORT_HEIGHT, EXPORT_WIDTH, SLIDE_LAYOUT_HEIGHT, SLIDE_LAYOUT_WIDTH
from analytics.exports.content import CHART_ROWS, BriefingContent
from analytics.shared.theme import FONT_FAMILY
from analytics.shared.filters import Filters
from analytics.ledger.rankings import MEASURES

INSTALL_COMMAND = "sudo apt-get install chromium fonts-noto-cjk"
ZIP_MIME = "application/zip"

# Laid out at 1280×720 and drawn at 1.5× (as the modebar camera does): text reads on a slide as on
# the page.
_SCALE = EXPORT_WIDTH / SLIDE_LAYOUT_WIDTH
assert round(SLIDE_LAYOUT_HEIGHT * _SCALE) == EXPORT_HEIGHT

_START_SECONDS = 60      # Chromium start-up, bounded so a stuck browser cannot hang a page
_SECONDS_PER_FIGURE = 30

# One Chromium at a time on a 2-core server: a second request waits for the first.
_render_lock = threading.Lock()


class ChartImagesUnavailable(RuntimeError):
    """Server-side chart pictures cannot be made on this machine; the (Chinese) message says what
    to install. Pages show it in place of the button."""


def find_chromium() -> str | None:
    """The Chromium kaleido would start (see the module docstring), or None."""
    from choreographer.browsers.chromium import Chromium

    path = Chromium.find_browser(skip_local=False)
    return path if path and Path(path).is_file() else None


def has_cjk_font() -> bool:
    """Whether fontconfig knows a Chinese font. Without fontconfig (Windows, macOS) the system
    fonts are assumed to cover Chinese."""
    if shutil.which("fc-list") is None:
        return True
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def unavailable_reason() -> str | None:
    """Why chart pictures cannot be rendered here (Chinese, with the install command), or None."""
    if find_chromium() is None:
        return (f"服务器上没有安装 Chromium 浏览器，无法生成图表图片。请管理员执行：{INSTALL_COMMAND}"
                "（或设置环境变量 BROWSER_PATH 指向已安装的 Chrome/Chromium）。"
                "在此之前可用每个图表右上角的相机按钮逐个下载。")
    if not has_cjk_font():
        return (f"服务器上没有中文字体，图表中的汉字会显示成方框。请管理员执行：{INSTALL_COMMAND}")
    return None


def slide_figure(figure: go.Figure) -> go.Figure:
    """A copy of `figure` laid out for a 16:9 slide, with a CJK font family and a white page."""
    slide = go.Figure(figure)
    slide.update_layout(width=SLIDE_LAYOUT_WIDTH, height=SLIDE_LAYOUT_HEIGHT, font_family=FONT_FAMILY,
                        paper_bgcolor="white")
    return slide


async def _render(figures: Sequence[go.Figure], browser: str) -> list[bytes]:
    import kaleido

    options = {"format": "png", "width": SLIDE_LAYOUT_WIDTH, "height": SLIDE_LAYOUT_HEIGHT, "scale": _SCALE}
    async with asyncio.timeout(_START_SECONDS + _SECONDS_PER_FIGURE * len(figures)):
        async with kaleido.Kaleido(path=browser, mathjax=False, timeout=_SECONDS_PER_FIGURE) as session:
            return [await session.calc_fig(slide_figure(figure), opts=options) for figure in figures]


def render_pngs(figures: Sequence[go.Figure]) -> list[bytes]:
    """Each figure as a 1920×1080 PNG, all in one kaleido session. Raises ChartImagesUnavailable
    (Chinese message) when no Chromium or no CJK font is installed or Chromium will not start."""
    from choreographer.errors import BrowserFailedError, ChromeNotFoundError

    reason = unavailable_reason()
    if reason:
        raise ChartImagesUnavailable(reason)
    if not figures:
        return []
    browser = find_chromium()
    # asyncio.run in a thread of its own: the caller may be inside an event loop (Streamlit, tests).
    with _render_lock, concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(asyncio.run, _render(figures, browser)).result()
        except ChromeNotFoundError as error:
            raise ChartImagesUnavailable(f"找不到 Chromium 浏览器（{error}）。请管理员执行：{INSTALL_COMMAND}") from error
        except (BrowserFailedError, TimeoutError) as error:
            raise ChartImagesUnavailable(
                f"Chromium 浏览器（{browser}）未能启动或出图超时：{error or '超时'}。"
                f"请确认已安装完整：{INSTALL_COMMAND}") from error


_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def png_file_name(position: int, title: str) -> str:
    """“01-问题分布（按点位类型）.png”: numbered in page order, safe on Windows."""
    return f"{position:02d}-{_UNSAFE_FILE_CHARS.sub('_', title).strip('_') or '图表'}.png"


def charts_zip(named_figures: Sequence[tuple[str, go.Figure]]) -> bytes:
    """A zip of one PNG per (title, figure), rendered in one kaleido session."""
    pictures = render_pngs([figure for _, figure in named_figures])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for position, ((title, _), picture) in enumerate(zip(named_figures, pictures), start=1):
            archive.writestr(png_file_name(position, title), picture)
    return buffer.getvalue()


def briefing_figures(content: BriefingContent) -> list[tuple[str, go.Figure]]:
    """The charts of the briefing, (title, figure) in deck order, built by analytics.ledger.charts (and
    analytics.scores.charts when a 模拟测评 round is stored); bar charts keep to CHART_ROWS bars (the
    title says which) so they read on a slide."""
    scope = content.scope
    settings, clock = content.settings, content.briefing.countdown
    last, measure = f"后{settings.last_n}名", settings.ranking_measure
    by_type = content.by_point_type.head(CHART_ROWS)
    ranking = content.ranking_tail
    overdue = content.overdue_by_unit.head(CHART_ROWS)

    def titled(text: str, shown: int, total: int, part: str) -> str:
        return f"{text}（{part}）" if shown < total else text

    titles = [
        titled("问题分布（按点位类型）", len(by_type), len(content.by_point_type), f"最落后的{len(by_type)}类"),
        f"近{len(content.daily)}天每日新增、整改与未整改积压",
        "未整改问题清零进度：实际、清零路径与按当前进度预测",
        titled(f"责任单位{measure}排名，{last}标红", len(ranking), len(content.ranking), f"末{len(ranking)}名"),
        titled("逾期未整改问题（按单位）", len(overdue), len(content.overdue_by_unit), f"最多的{len(overdue)}个单位"),
    ]
    figures = [
        charts.status_bars(by_type, "point_type", title=titles[0], subtitle=scope),
        charts.trend_chart(content.daily, period="day", title=titles[1], subtitle=scope),
        charts.burndown_chart(content.daily[["period_end", "backlog"]], as_of=content.as_of,
                              open_now=clock.backlog, test_date=clock.test_date, pace=clock.pace,
                              title=titles[2], subtitle=scope),
        charts.ranking_bars(ranking, label="unit", value="measure", value_title=measure,
                            highlight=set(ranking.loc[ranking["last_n"], "unit"]), highlight_name=last,
                            percent=MEASURES[measure].is_rate, title=titles[3], subtitle=scope),
        charts.ranking_bars(overdue, label="unit", value="overdue", value_title="逾期未整改（条）",
                            highlight=set(), percent=False, title=titles[4], subtitle=scope),
    ]
    if content.scores is not None:
        scored = content.scores
        last_units = set(scored.units.loc[scored.units["last_n"], "name"])
        titles += [f"{scored.round}模拟测评各点位类型得分（合格线{scored.line:g}分）",
                   f"{scored.round}模拟测评责任单位得分（{last}标红）"]
        figures += [score_charts.score_bars(scored.types, line=scored.line, title=titles[-2], subtitle=scope),
                    score_charts.score_bars(scored.units.head(CHART_ROWS), line=scored.line, last_n=last_units,
                                            last_n_label=last, name_title="责任单位", title=titles[-1],
                                            subtitle=scope)]
    return list(zip(titles, figures))


def zip_file_name(name: str, filters: Filters) -> str:
    return f"{name}_图表_{filters.as_of_date:%Y%m%d}.zip"
