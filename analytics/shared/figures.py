"""The frame every chart shares, whichever capability draws it: title with subtitle (wrapped to fit
a phone), font, legend place and margins, the empty-chart message, bar end labels and the height of
a bar chart by its number of bars."""
from __future__ import annotations

import plotly.graph_objects as go

from analytics.shared.theme import FAINT, FONT_FAMILY, INK, MUTED

# Plotly never wraps text: a title or subtitle line wider than the narrowest chart drawn (a phone's
# 390 px less the page's padding) is broken at its separators instead of being cut off.
NARROWEST_CHART = 330
TITLE_SIZE, SUBTITLE_SIZE = 20, 13
TITLE_GAP = 40   # between the subtitle and the plot: room for a line's label (合格线85分) above the plot
_BREAK_AFTER = "｜，、；）"


def text_width(text: str, size: float) -> float:
    """About how wide `text` draws at `size` px: CJK and full-width characters one em, others 0.6 em."""
    return sum(size if ord(char) > 0x2E7F else 0.6 * size for char in text)


def wrapped_lines(text: str, size: float, width: float = NARROWEST_CHART) -> list[str]:
    """`text` as lines no wider than `width` px: broken after a separator or before a （ where
    possible, else between any two characters (joined again, the lines are `text`)."""
    pieces, piece = [], ""
    for char in text:
        if char == "（" and piece:
            pieces.append(piece)
            piece = ""
        piece += char
        if char in _BREAK_AFTER:
            pieces.append(piece)
            piece = ""
    pieces += [piece] if piece else []
    lines = [""]
    for piece in pieces:
        if lines[-1] and text_width(lines[-1] + piece, size) > width:
            lines.append("")
        for char in piece:
            if lines[-1] and text_width(lines[-1] + char, size) > width:
                lines.append("")
            lines[-1] += char
    return lines


def unbroken(text: str | None) -> str:
    """A title or subtitle as written, without the line breaks layout put in for a phone."""
    return (text or "").replace("<br>", "")


def layout(fig: go.Figure, title: str, subtitle: str, *, height: int | None = None,
           right_labels: list[str] = (), label_size: float = 15) -> go.Figure:
    """The common look: the title and subtitle at the top, wrapped to fit a phone; the legend at the
    bottom, under the axis title (above the plot it ran over the title and over labels such as the
    合格线's); `right_labels` (bar end labels) get room in the right margin instead of being cut."""
    title_lines, subtitle_lines = wrapped_lines(title, TITLE_SIZE), wrapped_lines(subtitle, SUBTITLE_SIZE)
    # a first guess; automargin makes room for the title's lines where the guess is short
    top = TITLE_GAP + 20 + round(1.3 * TITLE_SIZE * len(title_lines) + 1.5 * SUBTITLE_SIZE * len(subtitle_lines))
    right = max([20] + [round(text_width(label, label_size)) + 12 for label in right_labels])
    fig.update_layout(
        template="plotly_white",
        font=dict(family=FONT_FAMILY, size=15, color=INK),
        title=dict(text="<br>".join(title_lines),
                   subtitle=dict(text="<br>".join(subtitle_lines), font=dict(size=SUBTITLE_SIZE, color=MUTED)),
                   font=dict(size=TITLE_SIZE), x=0.01, xanchor="left", yref="paper", y=1, yanchor="bottom",
                   # plotly hangs the subtitle below the title's anchor: the pad holds it and the gap
                   automargin=True, pad=dict(b=TITLE_GAP + round(1.6 * SUBTITLE_SIZE * len(subtitle_lines)))),
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", xanchor="left", x=0.01,
                    title_text="", traceorder="normal"),
        margin=dict(l=20, r=right, t=top, b=40),
        hoverlabel=dict(font_family=FONT_FAMILY),
        height=height,
    )
    return fig


def no_data(fig: go.Figure) -> go.Figure:
    """An empty chart says so in words instead of showing bare axes."""
    fig.add_annotation(text="当前筛选条件下暂无数据", showarrow=False, font=dict(size=18, color=FAINT),
                       xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def bar_height(n: int) -> int:
    """Height for `n` horizontal bars: each bar stays readable, a long list stays on one screen."""
    return max(320, min(1200, 140 + 30 * n))


def end_labels(totals: list[int], overdue: list[int]) -> list[str]:
    """The label at a stacked bar's end: its total and, under it, how many are overdue (two short
    lines rather than one long one, which a phone's narrow chart cut off)."""
    return [f" {t}" + (f"<br> 逾期{o}" if o else "") for t, o in zip(totals, overdue)]


def end_label_room(labels: list[str]) -> list[str]:
    """The lines of `labels` that need room beside the bars."""
    return [line for label in labels for line in label.split("<br>")]
