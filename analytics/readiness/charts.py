"""Plotly figures of 测评 readiness: pure functions from analytics.readiness.model results and frames to
figures, laid out like every other chart (analytics/ledger/charts.py)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.ledger.charts import _bar_height, _layout, _no_data
from analytics.readiness.words import INDICATORS, MISSING, PENDING, RETURNED
from analytics.readiness.model import PARTS, Readiness

LINE_COLOR = "#8E1B2C"
PART_COLORS = {"预计得分": "#2F3E57", "实地考察": "#3B82C4", "网上申报": "#E07A3F", "问卷调查": "#4E9F6E"}
OPEN_COLORS = {RETURNED: "#D64545", MISSING: "#8E1B2C", PENDING: "#F2A33A"}
INDICATOR_COLORS = dict(zip(INDICATORS, ("#3B82C4", "#4E9F6E", "#E07A3F", "#8A5CC2")))


def _line(fig: go.Figure, line: float, vertical: bool) -> None:
    draw = fig.add_vline if vertical else fig.add_hline
    draw(line, line_dash="dash", line_color=LINE_COLOR, line_width=2, annotation_text=f"合格线{line:g}分",
         annotation_font_color=LINE_COLOR)


def parts_chart(result: Readiness, *, line: float, title: str, subtitle: str) -> go.Figure:
    """The projected score and its three parts as bars against the line, each with its weight; the
    best case (every pending 网上申报 standard passed) as a hollow bar behind."""
    fig = go.Figure()
    values = {"预计得分": (result.projected, result.best_case), "实地考察": (result.field, result.field),
              "网上申报": (result.online, result.online_best), "问卷调查": (result.survey, result.survey)}
    if all(value is None for value, _ in values.values()):
        return _no_data(_layout(fig, title, subtitle))
    weights = dict(zip(PARTS.values(), result.weights.values()))
    names = [name if name == "预计得分" else f"{name}（权重{weights[name]:g}）" for name in values]
    best = [b if b is not None and v is not None and b > v + 1e-9 else None for v, b in values.values()]
    if any(b is not None for b in best):
        fig.add_bar(y=names, x=best, orientation="h", name="最好情况（待审核材料全部通过）",
                    marker=dict(color="rgba(0,0,0,0)", line=dict(color="#7A8699", width=2)),
                    text=[f"{b:.1f}" if b is not None else "" for b in best], textposition="outside",
                    cliponaxis=False, hovertemplate="%{y}<br>最好情况：%{x:.2f}分<extra></extra>")
    shown = [v if v is not None else 0 for v, _ in values.values()]
    fig.add_bar(y=names, x=shown, orientation="h", name="按现状预计",
                marker_color=[PART_COLORS[name] for name in values],
                text=[f"{v:.1f}" if v is not None else "暂无数据" for v, _ in values.values()],
                textposition="inside", insidetextanchor="end", textfont=dict(color="white"),
                hovertemplate="%{y}<br>%{x:.2f}分<extra></extra>")
    _line(fig, line, vertical=True)
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1], automargin=True)
    fig.update_xaxes(title_text="得分（分）", range=[0, 108])
    fig.update_layout(barmode="overlay", bargap=0.3)
    return _layout(fig, title, subtitle, height=420)


def open_materials_chart(by_unit: pd.DataFrame, *, title: str, subtitle: str) -> go.Figure:
    """网上申报 points still open per unit (open_points_by_unit), stacked by 被退回/未报送/待审核, the
    overdue ones named beside each bar; the unit with most open on top."""
    fig = go.Figure()
    if by_unit.empty:
        return _no_data(_layout(fig, title, subtitle))
    names = by_unit["unit"].astype(str).tolist()
    for status, column in ((RETURNED, "returned"), (MISSING, "missing"), (PENDING, "pending")):
        fig.add_bar(y=names, x=by_unit[column].tolist(), orientation="h", name=status,
                    marker_color=OPEN_COLORS[status], hovertemplate=f"%{{y}}<br>{status}：%{{x}}项<extra></extra>")
    totals = by_unit["open"].tolist()
    fig.add_scatter(y=names, x=totals, mode="text", showlegend=False, hoverinfo="skip",
                    text=[f" {t}" + (f"（逾期{o}）" if o else "") for t, o in zip(totals, by_unit["overdue"])],
                    textposition="middle right", textfont=dict(size=13, color="#3E4C59"))
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_yaxes(title_text="责任单位", categoryorder="array", categoryarray=names[::-1], automargin=True)
    fig.update_xaxes(title_text="未通过的测评标准（项）", range=[0, max(totals + [1]) * 1.25])
    return _layout(fig, title, subtitle, height=_bar_height(len(names)))


def survey_area_chart(rates: pd.DataFrame, *, title: str, subtitle: str) -> go.Figure:
    """One round's rates (survey_rates rows of that round) as bars per area and indicator, each
    indicator's target as a dashed mark; rates under their target carry a ▼."""
    fig = go.Figure()
    if rates.empty:
        return _no_data(_layout(fig, title, subtitle))
    areas = list(dict.fromkeys(rates["area"]))
    for indicator in [name for name in INDICATORS if name in set(rates["indicator"])]:
        rows = rates[rates["indicator"] == indicator].set_index("area").reindex(areas)
        fig.add_bar(x=areas, y=(rows["rate"] * 100).tolist(), name=indicator, marker_color=INDICATOR_COLORS[indicator],
                    text=[f"{r * 100:.1f}{'▼' if below else ''}" if pd.notna(r) else "" for r, below in
                          zip(rows["rate"], rows["below_target"].fillna(False))],
                    textposition="outside", cliponaxis=False, offsetgroup=indicator,
                    hovertemplate=f"%{{x}}<br>{indicator}：%{{y:.1f}}%<extra></extra>")
        fig.add_scatter(x=areas, y=(rows["target"] * 100).tolist(), mode="markers", offsetgroup=indicator,
                        marker=dict(symbol="line-ew", size=28, line=dict(width=3, color=LINE_COLOR)),
                        name="目标", legendgroup="目标", showlegend=indicator == INDICATORS[0],
                        hovertemplate=f"%{{x}}<br>{indicator}目标：%{{y:.0f}}%<extra></extra>")
    low = float(min(rates["rate"].min(), rates["target"].min())) * 100
    fig.update_yaxes(title_text="比率（%）", range=[max(0, low - 15), 104])
    fig.update_xaxes(title_text="区域")
    fig.update_layout(barmode="group", scattermode="group", bargap=0.2)
    return _layout(fig, title, subtitle, height=480)


def survey_rounds_chart(rates: pd.DataFrame, *, title: str, subtitle: str) -> go.Figure:
    """Round over round: each indicator's mean over the areas as a line, its target dashed."""
    fig = go.Figure()
    if rates.empty:
        return _no_data(_layout(fig, title, subtitle))
    rounds = list(dict.fromkeys(rates.sort_values("round_order")["round"]))
    means = rates.groupby(["round", "indicator"], sort=False)["rate"].mean()
    for indicator in [name for name in INDICATORS if name in set(rates["indicator"])]:
        colour = INDICATOR_COLORS[indicator]
        fig.add_scatter(x=rounds, y=[means.get((r, indicator), float("nan")) * 100 for r in rounds],
                        mode="lines+markers", name=indicator, line=dict(color=colour, width=3),
                        hovertemplate=f"{indicator}<br>%{{x}}：%{{y:.1f}}%<extra></extra>")
        target = float(rates.loc[rates["indicator"] == indicator, "target"].iloc[0]) * 100
        fig.add_scatter(x=rounds, y=[target] * len(rounds), mode="lines", name=f"{indicator}目标{target:g}%",
                        line=dict(color=colour, dash="dash", width=1.5), hoverinfo="skip")
    fig.update_xaxes(title_text="调查轮次", type="category", categoryorder="array", categoryarray=rounds)
    low = float(min(rates["rate"].min(), rates["target"].min())) * 100
    fig.update_yaxes(title_text="各区域平均（%）", range=[max(0, low - 10), 102])
    return _layout(fig, title, subtitle, height=460)
