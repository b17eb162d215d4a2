"""How the pages show things: every chart (with the slide-sized camera and the page's zip of
pictures), every table (under Chinese column names, with its downloads), the briefing's files."""
from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator

import pandas as pd
import streamlit as st

from analytics.ledger import charts
from analytics.shared import labels
from analytics.exports import images
from analytics.exports.files import BRIEFING_KINDS, EXPORT_KINDS, export_bytes, export_file_name
from analytics.exports.tables import CSV_MIME, XLSX_MIME, table_csv, table_xlsx
from analytics.shared.filters import Filters
from dashboard.data import read_when_asked
from dashboard.sidebar import filters

# The charts drawn in this session's current page run, offered together after the page.
_drawn = threading.local()


@contextlib.contextmanager
def offering_page_charts() -> Iterator[None]:
    """Around a page run: the charts it drew are then offered as one zip of slide-sized pictures."""
    _drawn.title, _drawn.charts = "", []
    yield
    if _drawn.charts:
        _charts_download(_drawn.title, _drawn.charts)


def name_page_charts(title: str) -> None:
    """The page's title names its zip of pictures."""
    _drawn.title = title


def chart_config(file_name: str) -> dict:
    """The modebar camera saves a slide-sized PNG (1920×1080) under a Chinese file name, laid out
    at 1280×720 and drawn at 1.5× like the server-side pictures, so text reads on a slide."""
    return {"toImageButtonOptions": {"format": "png", "filename": file_name,
                                     "width": charts.SLIDE_LAYOUT_WIDTH, "height": charts.SLIDE_LAYOUT_HEIGHT,
                                     "scale": charts.EXPORT_WIDTH / charts.SLIDE_LAYOUT_WIDTH},
            # the toolbar only while the pointer is over the chart: shown always it covers the title on a phone
            "displaylogo": False, "displayModeBar": "hover"}


def show_chart(fig, file_name: str, **kwargs):
    """Every chart goes through here: drawn with the slide-sized camera, and kept for the page's
    zip of pictures."""
    _drawn.charts.append((file_name, fig))
    return st.plotly_chart(fig, width="stretch", theme=None, config=chart_config(file_name), **kwargs)


@st.cache_resource(show_spinner=False)
def _chart_images_unavailable() -> str | None:
    """Why the server cannot render chart pictures, or None (checked once per process: installing
    Chromium or fonts means restarting the dashboard anyway)."""
    return images.unavailable_reason()


def _charts_download(title: str, named_figures: list) -> None:
    reason = _chart_images_unavailable()
    if reason:
        st.caption(reason)
        return
    # Rendered (kaleido + Chromium, a few seconds) only when clicked.
    st.download_button("下载本页全部图表（PNG图片，幻灯片尺寸）", functools.partial(images.charts_zip, named_figures),
                       file_name=images.zip_file_name(title, filters()), mime=images.ZIP_MIME,
                       on_click="ignore", icon=":material/photo_library:", key="page_charts_zip")


def export_downloads(current: Filters, kinds: tuple[str, ...] = BRIEFING_KINDS) -> None:
    """Download buttons for the exports of `kinds` (analytics.exports.files) for the current filters,
    each file made only when its button is clicked; by default the briefing's: the deck, the 督查
    bulletin workbook, the 督查通报 document and the charts (zip of PNG)."""
    reason = _chart_images_unavailable() if "png" in kinds else None
    with st.container(horizontal=True, gap="small"):
        for kind in kinds:
            export = EXPORT_KINDS[kind]
            st.download_button(f"下载{export.label}", read_when_asked(export_bytes, kind, current),
                               file_name=export_file_name(kind, current), mime=export.mime, on_click="ignore",
                               disabled=kind == "png" and bool(reason), help=reason if kind == "png" else None,
                               icon=":material/download:", key=f"export_{kind}")


def _column_formats(frame: pd.DataFrame) -> dict:
    """Rates as percentages, averages to one decimal, days as dates (times only where they matter)."""
    config = {}
    for column in frame.columns:
        label = labels.COLUMN_LABELS.get(column, column)
        if column in labels.PERCENT_COLUMNS:
            config[label] = st.column_config.NumberColumn(format="percent")
        elif column in labels.DECIMAL_COLUMNS:
            config[label] = st.column_config.NumberColumn(format="%.1f")
        elif column in labels.TIME_COLUMNS:
            config[label] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        elif pd.api.types.is_datetime64_any_dtype(frame[column]):
            config[label] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return config


def show_table(frame: pd.DataFrame, name: str, *, column_config: dict | None = None, **kwargs):
    """Every table goes through here, under Chinese column names, with .xlsx and CSV (UTF-8 with
    BOM) downloads of exactly what is shown. `name` names the files (unique on a page); extra
    keyword arguments go to st.dataframe (selection, height…)."""
    shown = frame.rename(columns=labels.COLUMN_LABELS)
    config = _column_formats(frame) | (column_config or {})
    drawn = st.dataframe(shown, hide_index=True, column_config=config, placeholder="", **kwargs)
    _download_buttons(shown, name)
    return drawn


def _download_buttons(shown: pd.DataFrame, name: str) -> None:
    stem = f"{name}_{filters().as_of_date:%Y%m%d}"
    with st.container(horizontal=True, gap="small"):
        # The files are made only when clicked (the callables), so drawing a page stays cheap.
        st.download_button("下载Excel", lambda: table_xlsx(shown, name), file_name=f"{stem}.xlsx", mime=XLSX_MIME,
                           on_click="ignore", type="tertiary", icon=":material/download:", key=f"xlsx_{name}")
        st.download_button("下载CSV", lambda: table_csv(shown), file_name=f"{stem}.csv", mime=CSV_MIME,
                           on_click="ignore", type="tertiary", icon=":material/download:", key=f"csv_{name}")
