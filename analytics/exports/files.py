"""The exports by kind, for the command line and the pages' download buttons alike: pptx (the deck),
xlsx (the 督查 bulletin workbook), docx (the 督查通报 document), png (the briefing charts as PNG files
in a zip), tasks (the 问题交办单, one workbook per unit, in a zip)."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from analytics.exports.bulletin import bulletin_file_name, bulletin_from_content
from analytics.exports.content import gather
from analytics.exports.deck import PPTX_MIME, deck_file_name, deck_from_content
from analytics.exports.images import ZIP_MIME, briefing_figures, charts_zip, zip_file_name
from analytics.exports.notice import DOCX_MIME, gather_notice, notice_docx, notice_file_name
from analytics.exports.tasks import task_sheets, tasks_zip, tasks_zip_name
from analytics.exports.tables import XLSX_MIME
from analytics.shared.filters import Filters


@dataclass(frozen=True)
class ExportKind:
    label: str
    mime: str


EXPORT_KINDS = {
    "pptx": ExportKind("晨报PPT", PPTX_MIME),
    "xlsx": ExportKind("督查通报Excel", XLSX_MIME),
    "docx": ExportKind("督查通报Word", DOCX_MIME),
    "png": ExportKind("晨报图表图片（zip）", ZIP_MIME),
    "tasks": ExportKind("问题交办单（zip）", ZIP_MIME),
}
BRIEFING_KINDS = ("pptx", "xlsx", "docx", "png")   # what the 晨报 page offers


def export_file_name(kind: str, filters: Filters) -> str:
    """创文晨报_20261120.pptx, 督查通报数据_20261120.xlsx, 督查通报_20261120.docx,
    晨报_图表_20261120.zip, 问题交办单_20261120.zip."""
    names = {"pptx": deck_file_name, "xlsx": bulletin_file_name, "docx": notice_file_name,
             "tasks": tasks_zip_name}
    return names[kind](filters) if kind in names else zip_file_name("晨报", filters)


def export_bytes(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters) -> bytes:
    """The file of `kind` for the filters and their as-of day. png raises
    images.ChartImagesUnavailable (Chinese message) where no Chromium or CJK font is installed."""
    if kind not in EXPORT_KINDS:
        raise ValueError(f"不支持导出“{kind}”，可选：{'、'.join(EXPORT_KINDS)}。")
    if kind == "tasks":
        return tasks_zip(task_sheets(con, filters))
    content = gather(con, filters)   # what the deck, the workbook, the 通报 and the pictures share
    if kind == "docx":
        return notice_docx(gather_notice(con, content))
    if kind == "pptx":
        return deck_from_content(content)
    if kind == "xlsx":
        return bulletin_from_content(content)
    return charts_zip(briefing_figures(content))
