"""联点领导督导单: one page per leader for the 调度会, in the official layout of the 督查通报 (GB/T 9704):
each of their 联系点位 with who 包保s it (whom to call), its open and overdue problems, the latest round's
score, the days since anyone looked, and what to do first; an ordinary editable document."""
from __future__ import annotations

import io

import duckdb
import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH

from analytics.exports.notice import add_paragraph, add_table, official_document
from analytics.registry.model import points_of
from analytics.shared.filters import Filters
from analytics.shared.labels import chinese_date

HEADER = ("点位", "包保单位及责任人", "未整改", "逾期", "得分", "未检查天数", "先办")
# the type area's 156 mm; the 包保 column takes from 点位 and 先办 so a leader's points stay on one page
WIDTHS_MM = (28, 44, 12, 10, 14, 14, 34)


def _days(value) -> str:
    return "从未" if pd.isna(value) else str(int(value))


def leader_sheet_docx(con: duckdb.DuckDBPyConnection, filters: Filters, leader: str, title: str | None = None) -> bytes:
    """The leader's sheet as of the filters' day."""
    points = points_of(con, filters, leader=leader)
    document = official_document()
    add_paragraph(document, "联点领导督导单", "Title", indent=False)
    add_paragraph(document, f"{leader}{f'（{title}）' if title else ''} · 截至{chinese_date(filters.as_of_date)}",
                  indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    scored = points["score"].dropna()
    score = f"，最近一轮模拟测评平均{scored.mean():.2f}分" if len(scored) else "，最近一轮模拟测评未抽到"
    add_paragraph(document, f"联系点位{len(points)}个，未整改问题{int(points['open'].sum())}条，"
                            f"其中逾期{int(points['overdue'].sum())}条{score}。")
    # who 包保s each point, each 包保单位 with its own people (registry.model's block_holders)
    rows = [(p.point, p.block_holders if isinstance(p.block_holders, str) else "", p.open, p.overdue,
             "" if pd.isna(p.score) else f"{p.score:.1f}",
             _days(p.days_unvisited), p.first_task if isinstance(p.first_task, str) else "")
            for p in points.itertuples()]
    add_table(document, HEADER, rows, WIDTHS_MM)
    add_paragraph(document, "请于调度会前督促各点位责任单位、包保单位对逾期问题限时整改到位，"
                            "对久未检查的点位安排实地督导。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
