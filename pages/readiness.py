"""测评准备: if the 测评 were today — the projected score and its three parts against the line (with the
best case); the 网上申报 points still open by unit; the survey by area and indicator against its targets,
round over round; and 谁丢分, the units whose 点位 and standards cost the most points."""
import streamlit as st

from analytics.readiness import model as readiness, charts as readiness_charts
from analytics.ledger.charts import scope_note
from analytics.shared.settings import get_settings
from dashboard import data, first_start, show
from dashboard.page import page_start

OPEN_POINT_LABELS = {"unit": "责任单位", "status": "报送状态", "standard": "测评标准", "points": "分值",
                     "reason": "退回原因", "deadline": "截止时间", "days_overdue": "逾期天数", "item": "测评项目",
                     "content": "测评内容", "note": "说明"}
BY_UNIT_LABELS = {"unit": "责任单位", "returned": "被退回", "missing": "未报送", "pending": "待审核",
                  "overdue": "已过截止时间", "open": "未通过合计"}
WHO_LOSES_LABELS = {"unit": "责任单位", "lost": "丢分合计", "field_lost": "实地丢分", "online_lost": "网上丢分",
                    "field_points": "扣分点位数", "online_open": "未通过标准数"}
SURVEY_LABELS = {"round": "调查轮次", "area": "区域", "below_target": "未达目标的指标"}
POINTS = st.column_config.NumberColumn(format="%.2f")

current = page_start("测评准备")
result = data.read(readiness.readiness, current)
if len(result.missing_parts) == len(readiness.PARTS):
    if first_start.require_data():    # an empty database says so as every page does; else: nothing of the 测评 yet
        st.info("还没有测评准备数据。在“数据导入”页上传测评体系分解表、网上申报材料报送情况、问卷调查结果和"
                "模拟测评得分表，系统按内容自动识别，不会当作台账。")
    st.stop()
settings = data.read(get_settings)
note = scope_note(current)
line = settings.score_line

st.code(readiness.readiness_line(result) + "。", language=None, wrap_lines=True)
cards = st.columns(5)
for column, (label, value) in zip(cards, (("预计得分", result.projected), ("最好情况", result.best_case),
                                          ("实地考察", result.field), ("网上申报", result.online),
                                          ("问卷调查", result.survey))):
    column.metric(label, "—" if value is None else f"{value:.1f}分", border=True,
                  delta=None if value is None else f"{value - line:+.1f}分（较{line:g}分线）",
                  delta_arrow="off")
rounds = "；".join(filter(None, (result.field_round and f"实地取{result.field_round}模拟测评",
                                 result.survey_round and f"问卷取{result.survey_round}调查")))
st.caption(f"预计得分 = 实地、网上、问卷按权重{'/'.join(f'{w:g}' for w in result.weights.values())}的加权平均；"
           f"网上 = 已通过标准的分值 ÷ 网上申报标准的总分值；最好情况 = 待审核材料全部通过。{rounds}")
for lacking in result.missing_parts:
    st.warning(f"缺少{lacking}数据，预计得分暂无法计算：请在“数据导入”页导入"
               + {"实地考察": "模拟测评得分表", "网上申报": "测评体系分解表和网上申报材料报送情况",
                  "问卷调查": "问卷调查结果"}[lacking] + "。")
for text in result.notes:
    st.info(text)
show.show_chart(readiness_charts.parts_chart(result, line=line, title="若今日测评：预计得分及三部分",
                                             subtitle=note), "测评得分预计")

st.header("谁丢分")
st.caption("每个单位的点位（实地）和测评标准（网上申报）让预计得分少了多少分：点位的扣分按其在实地得分中的份量、"
           "未通过标准的分值按其在网上得分中的份量，再乘以各部分权重。")
show.show_table(result.who_loses.rename(columns=WHO_LOSES_LABELS), "谁丢分",
                column_config={label: POINTS for label in ("丢分合计", "实地丢分", "网上丢分")})

st.header("网上申报：未通过的测评标准")
rows = data.read(readiness.online_materials_status, current)
by_unit = readiness.open_points_by_unit(rows)
show.show_chart(readiness_charts.open_materials_chart(by_unit, title="网上申报未通过的测评标准（按责任单位）",
                                                      subtitle=note), "网上申报未通过（按单位）")
show.show_table(by_unit.rename(columns=BY_UNIT_LABELS), "网上申报未通过（按单位）")
open_points = readiness.open_online_points(rows)
show.show_table(open_points[list(OPEN_POINT_LABELS)].rename(columns=OPEN_POINT_LABELS), "网上申报未通过明细")

st.header("问卷调查")
rates = data.read(readiness.survey_rates, current)
if rates.empty:
    st.info("还没有问卷调查结果。")
else:
    latest = rates[rates["round_order"] == rates["round_order"].max()]
    round_name = latest["round"].iloc[0]
    show.show_chart(readiness_charts.survey_area_chart(
        latest, title=f"{round_name}问卷调查：各区域各项指标与目标", subtitle=note), f"{round_name}问卷调查（按区域）")
    show.show_chart(readiness_charts.survey_rounds_chart(
        rates, title="问卷调查各轮对比（各区域平均）", subtitle=note), "问卷调查各轮对比")
    show.show_table(readiness.survey_table(rates).rename(columns=SURVEY_LABELS), "问卷调查结果（各轮各区域）")
