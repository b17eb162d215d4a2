"""趋势: new, rectified and the open backlog over time, per day or week, overall or per 点位 type."""
import datetime as dt

import streamlit as st

from analytics.ledger import charts
from analytics.ledger.metrics import metrics
from analytics.ledger.trends import trends
from dashboard import data, first_start, show
from dashboard.page import page_start

PERIODS = {"day": "按日", "week": "按周"}
SPANS = {56: "近8周", 182: "近半年", 0: "全部"}   # days shown back from the as-of day (0: since the first problem)
VIEWS = {"overall": "总体", "point_type": "分点位类型"}
SMALL_MULTIPLES = 9

current = page_start("趋势")
if not first_start.require_data():
    st.stop()

# each control as wide as its options (in fixed columns "全部" was cut to "全"), wrapping on a phone
with st.container(horizontal=True, gap="large"):
    period = st.segmented_control("统计周期", list(PERIODS), format_func=PERIODS.get, default="week",
                                  required=True, key="trend_period", width="content")
    view = st.segmented_control("分组", list(VIEWS), format_func=VIEWS.get, default="overall",
                                required=True, key="trend_view", width="content")
    span = st.segmented_control("时间范围", list(SPANS), format_func=SPANS.get, default=56, required=True,
                                key="trend_span", width="content")
since = current.as_of_date - dt.timedelta(days=span) if span else None
word = PERIODS[period][1]
note = charts.scope_note(current)

if view == "overall":
    frame = data.read(trends, current, period=period, since=since)
    show.show_chart(charts.trend_chart(frame, period=period, title=f"每{word}新增、整改问题数与未整改积压",
                                        subtitle=note), f"问题趋势（{PERIODS[period]}）")
else:
    biggest = data.read(metrics, current, "point_type").nlargest(SMALL_MULTIPLES, "total")["point_type"]
    rank = {name: position for position, name in enumerate(biggest)}
    frame = data.read(trends, current, period=period, by="point_type", since=since)
    frame = frame[frame["point_type"].isin(rank)].sort_values(  # panels biggest first
        ["point_type", "period_start"], key=lambda column: column.map(rank) if column.name == "point_type" else column)
    show.show_chart(charts.trend_small_multiples(
        frame, "point_type", period=period,
        title=f"问题最多的{len(biggest)}类点位：每{word}新增与未整改积压", subtitle=note),
        f"分点位类型趋势（{PERIODS[period]}）")

show.show_table(frame.sort_values("period_start", ascending=False), f"趋势数据（{PERIODS[period]}）")
