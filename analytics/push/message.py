"""What a group gets in the morning: the 晨报 exactly as the 晨报 page writes it (analytics/ledger/briefing.py),
cut into sections a robot's length limit may drop from the end, the key chart of the page as a PNG
(rendered by the exports' chart pictures), and optionally the deck or the Word 通报 as a file."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from analytics.exports.content import gather
from analytics.exports.files import export_bytes, export_file_name
from analytics.exports.images import ChartImagesUnavailable, briefing_figures, render_pngs
from analytics.ledger.briefing import briefing, briefing_json, briefing_text
from analytics.shared.filters import Filters
from analytics.shared.labels import month_day

# The chart the 晨报 page shows under the paragraph: will the open problems reach zero before the 测评?
KEY_CHART = "未整改问题清零进度"
WHERE_TO_FIND = "图表与会议材料（晨报PPT、督查通报）：请在看板“晨报”页查看、下载。"


@dataclass(frozen=True)
class Message:
    day: dt.date
    title: str
    text: str                              # the 晨报 paragraph(s) as the page shows them
    figures: dict                          # every figure of the 晨报 (briefing_json)
    chart_png: bytes | None = None
    chart_note: str | None = None          # why the chart picture is missing, when asked for
    attachment: tuple[str, bytes] | None = None

    @property
    def sections(self) -> tuple[str, ...]:
        """The text cut at its clauses (“；”) and lines; joined again they are the text without its line
        breaks. A robot's limit drops whole sections from the end: the figures first, the lists last."""
        return tuple(s for line in self.text.split("\n") for s in re.split(r"(?<=；)", line) if s)

    def notes(self, images: bool) -> str:
        """The line under the 晨报: where the pictures are for a robot that takes none, else why one is missing."""
        if not images:
            return WHERE_TO_FIND
        return f"（图表图片未发送：{self.chart_note}）" if self.chart_note else ""


def compose(con: duckdb.DuckDBPyConnection, day: dt.date, *, chart: bool = False,
            attach: str | None = None) -> Message:
    """The message for the morning of `day`: days left counted from that day, figures from the latest data.
    `chart`: render the key chart (a Chromium start, 2–3 s); `attach`: pptx or docx as a file."""
    filters = Filters(as_of=day)
    morning = briefing(con, filters)
    png = note = None
    if chart:
        figure = next(f for title, f in briefing_figures(gather(con, filters)) if title.startswith(KEY_CHART))
        try:
            png = render_pngs([figure])[0]
        except ChartImagesUnavailable as error:
            note = str(error)
    attachment = (export_file_name(attach, filters), export_bytes(con, attach, filters)) if attach else None
    return Message(day, f"创文晨报（{month_day(day)}）", briefing_text(morning), briefing_json(morning),
                   png, note, attachment)
