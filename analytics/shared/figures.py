"""The frame every chart shares, whichever capability draws it: title with subtitle, font, legend
place and margins, the empty-chart message, and the height of a bar chart by its number of bars."""
from __future__ import annotations

import plotly.graph_objects as go

from analytics.shared.theme import FAINT, FONT_FAMILY, INK, MUTED


def layout(fig: go.Figure, title: str, subtitle: str, *, height: int | None = None) -> go.Figure:
    """The common look: a pasted chart still says what it shows (title) and for what (subtitle)."""
    fig.update_layout(
        template="plotly_white",
        font=dict(family=FONT_FAMILY, size=15, color=INK),
        title=dict(text=title, subtitle=dict(text=subtitle, font=dict(size=13, color=MUTED)),
                   font=dict(size=22), x=0.01, xanchor="left"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, title_text="",
                    traceorder="normal"),
        margin=dict(l=20, r=20, t=100, b=40),
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
