"""晨报: what a leader reads in thirty seconds — the countdown, the headline figures, the briefing
paragraph, who is behind, who has not reported, and whether the backlog reaches zero in time."""
import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

from analytics.ledger import charts
from analytics.ledger.behind import behind
from analytics.ledger.briefing import briefing, briefing_text
from analytics.shared.labels import percent
from analytics.ledger.metrics import kpis
from analytics.shared.settings import get_settings
from analytics.shared.statuses import RECTIFIED
from analytics.ledger.trends import trends
from dashboard import data, first_start, show
from dashboard.page import page_start

BURNDOWN_HISTORY_DAYS = 56  # the burn-down shows the last eight weeks before today and the days left

current = page_start("晨报")
if not first_start.require_data():
    st.stop()

morning = data.read(briefing, current)
clock, figures = morning.countdown, morning.kpis
yesterday = data.read(kpis, dataclasses.replace(current, as_of=current.as_of_date - dt.timedelta(days=1)))

with st.container(border=True, key="countdown"):
    if clock.test_date is None:
        st.markdown("## 测评日期尚未设置")
        st.caption("在“设置”页填写测评日期后，这里显示倒计时和能否按期清零。")
    elif clock.days_left:
        st.markdown(f"## 距测评还有 **{clock.days_left}** 天（工作日 **{clock.working_days_left}** 天）")
        st.caption(f"{clock.window_name}，倒计时到{'窗口首日' if clock.test_date_end else '测评日'}，含今天和周末。")
        pace = f"按近7日整改进度（日均{clock.pace:.1f}条）"
        if clock.on_track:
            spare = f"，可富余{clock.spare_days}天" if clock.spare_days else ""
            st.success(f"{pace}，现有{clock.backlog}条未整改问题可在测评前清零{spare}。")
        else:
            st.error(f"{pace}，测评日预计仍有 **{clock.projected_backlog}** 条未整改；"
                     f"要清零需日均整改{clock.needed_per_day:.1f}条（每个工作日"
                     f"{clock.needed_per_working_day or 0:.1f}条）。")
    else:
        st.markdown(f"## {clock.window_name}已到，尚有 **{clock.backlog}** 条未整改")

# The cards wrap instead of stacking: five in a row on a desk, two per row on a phone (390 px wide),
# so that there the countdown, the figures and the start of the briefing fit the first two screens.
st.html("""<style>
.st-key-kpi_cards > div { flex: 1 1 9rem; min-width: 9rem; }
@media (max-width: 640px) {
  .st-key-kpi_cards [data-testid="stMetricValue"] { font-size: 1.6rem; }
  .st-key-countdown h2 { font-size: 1.25rem; }
}
</style>""")
cards = st.container(horizontal=True, gap="small", key="kpi_cards")
cards.metric("问题总数", figures.total, delta=figures.new_today, delta_color="off",
             delta_description="较昨日新增", border=True)
cards.metric("未整改", figures.open, delta=figures.delta_open, delta_color="inverse",
             delta_description="较昨日", border=True, help="待整改 + 整改中")
cards.metric(RECTIFIED, figures.rectified, delta=figures.rectified_today, delta_description="今日整改",
             border=True, help="已整改 + 已销号")
rate_points = (None if figures.rectify_rate is None or yesterday.rectify_rate is None
               else round((figures.rectify_rate - yesterday.rectify_rate) * 100, 1))
cards.metric("整改率", "—" if figures.rectify_rate is None else percent(figures.rectify_rate),
             delta=None if rate_points is None else f"{rate_points:+.1f}个百分点",
             delta_arrow="off" if not rate_points else "auto", delta_description="较昨日", border=True)
cards.metric("逾期", figures.overdue, delta=figures.delta_overdue, delta_color="inverse",
             delta_description="较昨日", border=True, help="超过整改时限仍未整改")

st.subheader("今日晨报")
st.caption("右上角按钮一键复制，可直接发到工作群；会议材料可直接下载。")
st.code(briefing_text(morning), language=None, wrap_lines=True)
show.export_downloads(current)

left, right = st.columns(2)
with left:
    st.subheader("落后最多的点位类型")
    if not morning.lagging_point_types:
        st.success("没有落后的点位类型。")
    for group in morning.lagging_point_types:
        st.markdown(f"**{group.name}**：{'；'.join(group.reasons)}")
with right:
    st.subheader("落后最多的责任单位")
    # as many as the briefing names 点位 types: the 后N名 setting
    lagging_units = data.read(behind, current, "unit").head(data.read(get_settings).last_n)
    if lagging_units.empty:
        st.success("没有落后的责任单位。")
    for row in lagging_units.itertuples(index=False):
        st.markdown(f"**{row.unit}**：{row.reason_text}")

st.subheader("未按时报送台账的单位")
if not morning.silent_units:
    st.success("所有单位都已按时报送台账。")
else:
    show.show_table(pd.DataFrame([dataclasses.asdict(unit) for unit in morning.silent_units],
                                  columns=["unit", "last_report", "days_silent"]), "未报送单位")

daily = data.read(trends, current, period="day", since=current.as_of_date - dt.timedelta(days=BURNDOWN_HISTORY_DAYS))
st.subheader("未整改问题清零进度")
show.show_chart(
    charts.burndown_chart(daily[["period_end", "backlog"]], as_of=current.as_of_date, open_now=clock.backlog,
                          test_date=clock.test_date, pace=clock.pace,
                          title="未整改问题清零进度：实际、清零路径与按当前进度预测",
                          subtitle=charts.scope_note(current)),
    "未整改问题清零进度")
