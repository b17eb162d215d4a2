"""Plotly figures of the 模拟测评 scores: pure functions from analytics.scores.model frames to figures,
laid out like every other chart (analytics/shared/figures.py)."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from analytics.shared.figures import bar_height, layout, no_data
from analytics.shared.theme import SERIES_COLORS

SCORE_COLORS = {"后几名": SERIES_COLORS["后几名"], "低于合格线": "#F2A33A", "达标": "#3B82C4", "合格线": "#8E1B2C"}


def _line(fig: go.Figure, line: float, vertical: bool) -> None:
    draw = fig.add_vline if vertical else fig.add_hline
    # over the plot area for a vertical line, so the label does not sit on the top bar's value
    placement = dict(annotation_position="top", annotation_yshift=10) if vertical else {}
    draw(line, line_dash="dash", line_color=SCORE_COLORS["合格线"], line_width=2,
         annotation_text=f"合格线{line:g}分", annotation_font_color=SCORE_COLORS["合格线"], **placement)


def score_bars(frame: pd.DataFrame, *, line: float, title: str, subtitle: str, last_n: set[str] = frozenset(),
               last_n_label: str = "后三名", name_title: str = "点位类型") -> go.Figure:
    """Horizontal bars of `score` per `name`, lowest on top, the pass line drawn: the names in `last_n`
    red, others under the line amber, the rest blue."""
    fig = go.Figure()
    if frame.empty:
        return no_data(layout(fig, title, subtitle))
    ordered = frame.sort_values(["score", "name"]).reset_index(drop=True)
    names = ordered["name"].astype(str).tolist()
    groups = {last_n_label: SCORE_COLORS["后几名"], f"低于{line:g}分": SCORE_COLORS["低于合格线"],
              "达标": SCORE_COLORS["达标"]}
    kind = [last_n_label if n in last_n else f"低于{line:g}分" if round(s, 2) < line else "达标"
            for n, s in zip(names, ordered["score"])]
    for group, colour in groups.items():
        picked = [i for i, k in enumerate(kind) if k == group]
        if picked:
            fig.add_bar(y=[names[i] for i in picked], x=[float(ordered["score"][i]) for i in picked],
                        orientation="h", name=group, marker_color=colour,
                        text=[f"{ordered['score'][i]:.1f}" for i in picked], textposition="outside",
                        cliponaxis=False, hovertemplate="%{y}<br>得分：%{x:.2f}分<extra></extra>")
    _line(fig, line, vertical=True)
    fig.update_yaxes(title_text=name_title, categoryorder="array", categoryarray=names[::-1], automargin=True)
    fig.update_xaxes(title_text="得分（分）", range=[0, 105])
    fig.update_layout(barmode="overlay", bargap=0.25)
    return layout(fig, title, subtitle, height=bar_height(len(names)),
                   right_labels=[f"{score:.1f}" for score in ordered["score"]])


def score_trend(frame: pd.DataFrame, *, line: float, title: str, subtitle: str) -> go.Figure:
    """A line per type across the rounds (frame: round_name, name, score in round order)."""
    fig = go.Figure()
    if frame.empty:
        return no_data(layout(fig, title, subtitle))
    rounds = list(dict.fromkeys(frame["round_name"]))
    for name, rows in frame.groupby("name", sort=True):
        by_round = dict(zip(rows["round_name"], rows["score"]))
        fig.add_scatter(x=rounds, y=[by_round.get(r, math.nan) for r in rounds], mode="lines+markers", name=name,
                        connectgaps=False, hovertemplate=f"{name}<br>%{{x}}：%{{y:.2f}}分<extra></extra>")
    _line(fig, line, vertical=False)
    fig.update_xaxes(title_text="测评轮次", type="category", categoryorder="array", categoryarray=rounds)
    low = min(float(frame["score"].min()), line)
    fig.update_yaxes(title_text="得分（分）", range=[max(0, low - 10), 101])
    return layout(fig, title, subtitle, height=480)


def lost_bars(frame: pd.DataFrame, *, title: str, subtitle: str) -> go.Figure:
    """Where the points were lost: bars of `lost` per standard (with its type) or item, most first."""
    fig = go.Figure()
    if frame.empty:
        return no_data(layout(fig, title, subtitle))
    labels = [f"{t}｜{n}" for t, n in zip(frame["point_type"], frame["name"])] if "point_type" in frame \
        else frame["name"].astype(str).tolist()
    fig.add_bar(y=labels, x=frame["lost"].astype(float).tolist(), orientation="h", name="扣分",
                marker_color=SERIES_COLORS["逾期"], text=[f"{v:g}" for v in frame["lost"]], textposition="outside",
                cliponaxis=False, customdata=frame["points"].tolist(),
                hovertemplate="%{y}<br>共扣%{x:g}分（%{customdata}个点位）<extra></extra>")
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], automargin=True)
    fig.update_xaxes(title_text="扣分合计（分）", rangemode="tozero")
    return layout(fig, title, subtitle, height=bar_height(len(labels)),
                   right_labels=[f"{v:g}" for v in frame["lost"]])
