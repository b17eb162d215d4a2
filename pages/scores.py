"""测评得分: will we pass, and who loses the points — the overall score and its gap to the line, scores
by 点位类型 against the line, units ranked with 后N名 and those under the line marked, round over round,
the most-lost standards, and one 点位's deductions beside what its ledger says now."""
import pandas as pd
import streamlit as st

from analytics.ledger import charts
from analytics.scores import charts as score_charts, model as scores
from analytics.shared.numerals import chinese_number
from dashboard import data, first_start, show
from dashboard.page import page_start

LOST_VIEWS = {"standard": "测评标准", "item": "测评项目"}
UNIT_CHART_ROWS = 30

current = page_start("测评得分")
rounds = data.read(scores.list_rounds)
if rounds.empty:
    if first_start.require_data():    # an empty database says so as every page does; else: no score sheet yet
        st.info("还没有模拟测评得分表。在“数据导入”页上传扣分明细、点位得分表或得分汇总（.xlsx/.xls），"
                "系统按内容自动识别为得分表，不会当作台账。")
    st.stop()

names = list(rounds["round_name"])
chosen = st.selectbox("测评轮次", names, index=len(names) - 1, key="score_round")
summary = data.read(scores.round_summary, chosen, current)
if summary is None or not summary.points:
    st.info("当前筛选条件下这一轮没有测评点位。")
    st.stop()
line = summary.line
last_label = f"后{chinese_number(summary.last_n_count)}名"
note = f"{summary.round}模拟测评，{summary.points}个点位｜{charts.scope_note(current)}"
overall_by_round = data.read(scores.overall_by_round, current)
previous_overall = overall_by_round.set_index("round_name")["overall"].get(summary.previous_round)

cards = st.columns(4)
cards[0].metric("综合得分", f"{summary.overall:.2f}",
                delta=None if previous_overall is None else f"{summary.overall - previous_overall:+.2f}分",
                delta_description=f"较{summary.previous_round}" if summary.previous_round else None, border=True,
                help="各点位类型得分的平均；点位得分＝100－扣分（不低于0），类型得分＝其点位得分的平均")
gap = summary.overall - line
cards[1].metric(f"距合格线{line:g}分", f"{gap:+.2f}分", border=True,
                delta="达标" if gap >= 0 else "未达标", delta_color="normal" if gap >= 0 else "inverse",
                delta_arrow="off")
# a short value (a card is a quarter of the page): the units below the line, their types under it
cards[2].metric("低于合格线的单位", f"{len(summary.below_line_units)}个", border=True,
                delta=f"点位类型{len(summary.below_line_types)}类", delta_color="off", delta_arrow="off")
cards[3].metric("扣分合计", f"{summary.deductions:g}分", border=True,
                help=f"{summary.flagged_points}个点位在导入时被标记待核（表中得分与扣分不符、扣分超过分值等）")
st.code(summary.briefing_line() + "。", language=None, wrap_lines=True)

st.header("各点位类型得分")
types = summary.types
show.show_chart(score_charts.score_bars(types, line=line, title=f"{summary.round}模拟测评各点位类型得分",
                                         subtitle=note), "各点位类型得分")
show.show_table(types[["name", "score", "points", "lowest", "deducted", "change"]]
                 .rename(columns={"name": "point_type"}), "各点位类型得分")

st.header("责任单位排名")
units = summary.units
last = set(units.loc[units["last_n"], "name"])
st.caption(f"单位得分＝其点位得分的平均，最低在前；红色为{last_label}，橙色为低于{line:g}分。"
           "同分（两位小数）时最低点位得分更低者在后，再按单位名称。")
show.show_chart(score_charts.score_bars(units.head(UNIT_CHART_ROWS), line=line, last_n=last, last_n_label=last_label,
                                         name_title="责任单位",
                                         title=f"{summary.round}模拟测评责任单位得分（{last_label}标红）",
                                         subtitle=note), "责任单位得分排名")
show.show_table(units[["rank_from_last", "name", "score", "change", "points", "lowest", "below_line", "last_n"]]
                 .rename(columns={"name": "unit", "last_n": last_label}), "责任单位得分排名")

st.header("逐轮变化")
by_type_rounds = data.read(scores.group_scores, "point_type", current)
show.show_chart(score_charts.score_trend(by_type_rounds, line=line, title="各点位类型得分逐轮变化",
                                          subtitle=charts.scope_note(current)), "各点位类型得分逐轮变化")
if summary.previous_round:
    changes = pd.DataFrame({"point_type": list(summary.change), "change": list(summary.change.values())})
    st.caption(f"较{summary.previous_round}：进步{int((changes['change'] > 0).sum())}类，"
               f"退步{int((changes['change'] < 0).sum())}类。")
    unit_changes = pd.DataFrame({"unit": list(summary.unit_change), "change": list(summary.unit_change.values())})
    left, right = st.columns(2)
    with left:
        show.show_table(changes.sort_values("change", na_position="last"), "各点位类型较上轮")
    with right:
        show.show_table(unit_changes.sort_values("change", na_position="last"), "各单位较上轮")
else:
    st.caption("这是第一轮，没有上一轮可比。")

st.header("主要扣分项目")
view = st.segmented_control("按", list(LOST_VIEWS), format_func=LOST_VIEWS.get, default="standard",
                            required=True, key="lost_view")
lost = data.read(scores.most_lost, summary.round, view, current)
if lost.empty:
    st.caption("这一轮的得分表没有逐项扣分（得分汇总只有点位得分）。")
else:
    show.show_chart(score_charts.lost_bars(lost, title=f"{summary.round}扣分最多的{LOST_VIEWS[view]}",
                                            subtitle=note), f"扣分最多的{LOST_VIEWS[view]}")
    show.show_table(lost.rename(columns={"name": view}), f"扣分最多的{LOST_VIEWS[view]}")

st.header("点位扣分与整改")
points = data.read(scores.point_scores, summary.round, current)
labels = [f"{p.point_type}｜{p.point_name}（{p.unit or '单位未写'}）{p.score:g}分" for p in points.itertuples()]
picked = st.selectbox("点位（得分最低的在前）", range(len(labels)), format_func=labels.__getitem__, key="score_point")
point = points.iloc[picked]
if len(point["flags"]):
    st.warning("导入时标记：" + "；".join(point["flags"]))
detail = data.read(scores.deductions_with_ledger, summary.round, current, point["point_name"])
detail = detail[detail["point_type"] == point["point_type"]]
if detail.empty:
    st.caption("这个点位没有逐项扣分记录。")
else:
    st.caption("台账现状：该单位台账中同一点位在本轮当天未整改或此后发现的问题，现在是否都已整改。")
    show.show_table(detail[["item", "standard", "max_points", "deduction", "reason", "ledger_state",
                             "ledger_problems", "ledger_open", "flags"]], "点位扣分明细")

with st.expander("点位名录（得分表和台账中出现过的全部点位）"):
    registry = data.read(scores.point_registry, current)
    unvisited = registry[registry["rounds"] == 0].groupby("point_type").size()
    st.caption(f"共{len(registry)}个点位，其中{int(unvisited.sum())}个从未被模拟测评抽到。")
    show.show_table(registry, "点位名录")
