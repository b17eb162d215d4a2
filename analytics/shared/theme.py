"""The look every chart and document shares: one palette, the typefaces, and one rule for how wide
a character is. Charts (plotly), the deck (PowerPoint), the workbooks (openpyxl) and the coming
Word documents take their colours and fonts from here, so a status has the same colour everywhere.

Colours are hex strings "#RRGGBB"; `hex_digits` gives the "RRGGBB" openpyxl and python-pptx want.
"""
from __future__ import annotations

import unicodedata

from analytics.shared.statuses import CLOSED, IN_PROGRESS, PENDING, RECTIFIED

# Charts are drawn in a browser or by kaleido: a list, the first CJK font installed wins.
FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
# Office documents name one typeface: installed on the Windows PCs of PowerPoint, Excel and WPS users;
# elsewhere the viewer substitutes its own CJK font.
OFFICE_FONT = "Microsoft YaHei"

# One colour per status on every chart: open work warm, finished work cool.
STATUS_COLORS = {
    PENDING: "#D64545",
    IN_PROGRESS: "#F2A33A",
    RECTIFIED: "#3B82C4",
    CLOSED: "#4E9F6E",
}
SERIES_COLORS = {
    "新增": "#E07A3F",
    "整改": STATUS_COLORS[RECTIFIED],
    "销号": STATUS_COLORS[CLOSED],
    "积压": "#2F3E57",
    "逾期": "#8E1B2C",
    "清零路径": "#7A8699",
    "预测": "#8A5CC2",
    "后几名": "#D64545",
    "其他": "#8FA7C4",
}

INK = "#1F2933"          # body text
MUTED = "#52606D"        # notes, subtitles
FAINT = "#7B8794"        # an empty chart's message
LABEL = "#3E4C59"        # value labels beside bars
WHITE = "#FFFFFF"
BAND = "#2F3E57"         # title bands and table headers
ACCENT = "#D64545"       # bad news
GOOD = "#4E9F6E"         # good news
CARD = "#F3F5F8"         # figure cards and shaded table rows
MARK_FILL = "#FBE3E3"    # a marked row (后N名)
MARK_INK = "#9B1C1C"
RULE = "#C8CED6"         # table borders
GRID = "#D9DEE4"         # chart gridlines


def hex_digits(colour: str) -> str:
    """"#2F3E57" → "2F3E57"."""
    return colour.lstrip("#")


def is_wide(char: str) -> bool:
    """A character a CJK font draws one em wide: wide and full-width ones, and the ambiguous ones
    (…“”·), which CJK fonts draw wide."""
    return unicodedata.east_asian_width(char) in "WFA"


def display_width(text: str) -> int:
    """Columns a text takes where a narrow character takes one (a spreadsheet column): wide ones count two."""
    return sum(2 if is_wide(char) else 1 for char in text)
