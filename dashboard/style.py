"""The few things Streamlit offers no option for, set in CSS on every page: Chinese in place of
the file uploader's and the date boxes' built-in English, and no Plotly toolbar on touch screens."""
from __future__ import annotations

import streamlit as st

from analytics.shared.reading.reader import SUPPORTED_SUFFIXES

# What an empty date box shows for each part in place of react-aria's English "yyyy / mm / dd".
DATE_PLACEHOLDERS = {"year": "年", "month": "月", "day": "日"}
UPLOAD_BUTTON = "选择文件"


def upload_limits() -> str:
    """The uploader's line under its button, in Chinese (Streamlit writes "50MB per file • XLSX…")."""
    kinds = "、".join(suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES)
    return f"每个文件不超过{st.get_option('server.maxUploadSize')}MB · 可选 {kinds}"


def _replaced(selector: str, text: str, size: str) -> str:
    """CSS that hides the text of `selector` and shows `text` at `size` in its place."""
    return (f"{selector} {{font-size: 0}}\n"
            f"{selector}::after {{content: \"{text}\"; font-size: {size}}}\n")


def page_style() -> None:
    uploader = "[data-testid='stFileUploaderDropzone']"
    date_part = "[data-testid='stDateInputField'] [data-placeholder='true']"
    css = (_replaced(f"{uploader} [data-testid='stBaseButton-secondary'] [data-testid='stMarkdownContainer'] p",
                     UPLOAD_BUTTON, "0.875rem")
           + _replaced(f"{uploader} [data-testid='stFileUploaderDropzoneInstructions'] span", upload_limits(),
                       "0.875rem")
           + "".join(_replaced(f"{date_part}[data-type='{part}']", word, "1rem")
                     for part, word in DATE_PLACEHOLDERS.items())
           # Plotly shows its toolbar for good where nothing can hover, over the chart's title
           + "@media (hover: none) {.js-plotly-plot .modebar-container {display: none}}\n")
    st.html(f"<style>{css}</style>")
