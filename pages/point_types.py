"""点位类型: problems by 点位 type stacked by status, worst first; pick a type (or click its bar) to
see its categories, its worst 点位 and its trend."""
import dataclasses

import streamlit as st

from analytics.ledger import charts, listing
from analytics.ledger.metrics import metrics
from analytics.ledger.trends import trends
from dashboard import data, first_start, show
from dashboard.page import page_start

current = page_start("点位类型")
if not first_start.require_data():
    st.stop()

by_type = data.read(metrics, current, "point_type")
types = by_type["point_type"].tolist()


def _pick_clicked_type() -> None:
    points = st.session_state["type_chart"].selection.points
    if points:
        st.session_state["picked_type"] = points[0]["y"]


show.show_chart(
    charts.status_bars(by_type, "point_type", title="各点位类型问题整改情况（按落后程度排序）",
                       subtitle=charts.scope_note(current)),
    "各点位类型问题整改情况", key="type_chart", on_select=_pick_clicked_type, selection_mode="points")
show.show_table(by_type, "各点位类型统计")

if not types:
    st.stop()
if st.session_state.get("picked_type") not in types:
    st.session_state["picked_type"] = types[0]
picked = st.selectbox("查看点位类型（也可点击上图中的柱子）", types, key="picked_type")
scope = dataclasses.replace(current, point_types=(picked,))
note = charts.scope_note(scope)

st.header(f"{picked}")
left, right = st.columns(2)
with left:
    by_category = data.read(metrics, scope, "category")
    show.show_chart(charts.status_bars(by_category, "category", title=f"{picked}：各问题类别整改情况",
                                        subtitle=note), f"{picked}各问题类别整改情况")
with right:
    st.subheader(f"{picked}：未整改问题最多的点位")
    show.show_table(data.read(listing.worst_points, scope), f"{picked}问题最多的点位")

weekly = data.read(trends, scope, period="week")
show.show_chart(charts.trend_chart(weekly, period="week", title=f"{picked}：每周新增、整改与未整改积压",
                                    subtitle=note), f"{picked}每周趋势")
