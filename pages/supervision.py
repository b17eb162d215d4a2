"""督查: who is falling behind and why, the unit ranking by the ranking measure with 后三名 marked,
红榜 beside 后三名, overdue items by unit (oldest first), rebounds beside 返工 (reopened), the latest
round's accountability (后三名且不足85分, 谁丢分), the units to call to account and to praise, and the 督查通报 and 问题交办单 to download."""
import pandas as pd
import streamlit as st

from analytics.accountability.rule import accountability, figure
from analytics.ledger import charts, listing
from analytics.accountability.standing import unit_standing
from analytics.ledger.behind import behind
from analytics.shared.labels import BEHIND_DIMENSIONS
from analytics.ledger.rankings import MEASURES, best_and_last
from analytics.ledger.rebounds import rebound_rates, rebounds
from analytics.ledger.rework import rework_rates
from analytics.photos.model import problem_pictures
from analytics.shared.settings import get_settings
from dashboard import data, first_start, photos, show
from dashboard.page import page_start

REBOUNDS_SHOWN = 200
RANKING_CHART_ROWS = 30   # the chart shows the bottom of a long ranking; the table has it all
BEHIND_SHOWN = ["reason_text", "total", "open", "overdue", "rectify_rate", "delta_open_week", "rebound_rate"]

current = page_start("督查")
if not first_start.require_data():
    st.stop()
settings = data.read(get_settings)
note = charts.scope_note(current)

st.header("落后清单")
by = st.segmented_control("查看", list(BEHIND_DIMENSIONS), format_func=BEHIND_DIMENSIONS.get, default="unit",
                          required=True, key="behind_view")
flagged = data.read(behind, current, by)
if flagged.empty:
    st.success(f"没有落后的{BEHIND_DIMENSIONS[by]}。")
else:
    st.caption(f"{len(flagged)}个{BEHIND_DIMENSIONS[by]}落后，理由最多的在前。判定阈值可在“设置”页调整。")
    show.show_table(flagged[[by, *BEHIND_SHOWN]].rename(columns={"reason_text": "reasons"}),
                     f"落后{BEHIND_DIMENSIONS[by]}")

units = data.read(unit_standing, current)   # figures, ranking, 约谈 and praise from one set of scans

measure = settings.ranking_measure
measure_column = {measure: st.column_config.NumberColumn(format="percent" if MEASURES[measure].is_rate else "%.1f")}
st.header(f"红榜与后{settings.last_n}名（按{measure}）")
ranked = units.ranking
best, worst = best_and_last(ranked, "unit", settings.last_n, units.criticised)
if best.empty and worst.empty:
    st.info(f"问题不少于{settings.min_group_size}条的单位太少，暂不列红榜和后{settings.last_n}名。")
else:
    st.caption(f"抓两头、带中间：问题不少于{settings.min_group_size}条的单位按{measure}排名（排名依据可在“设置”页改）；"
               f"后{settings.last_n}名只列仍有未整改问题的单位。")
    red, black = st.columns(2)
    with red:
        st.subheader(":green[红榜]")
        show.show_table(best[["rank", "unit", "measure", "open"]].rename(columns={"measure": measure}), "红榜",
                        column_config=measure_column)
    with black:
        st.subheader(f":red[后{settings.last_n}名]")
        show.show_table(worst[["rank", "unit", "measure", "open"]].rename(columns={"measure": measure}),
                        f"后{settings.last_n}名", column_config=measure_column)

st.header(f"责任单位{measure}排名")
last = set(ranked.loc[ranked["last_n"], "unit"])
st.caption(f"问题不少于{settings.min_group_size}条的单位参加排名，红色为后{settings.last_n}名。")
charted = ranked.tail(RANKING_CHART_ROWS)
what = (f"{measure}最低的{len(charted)}个责任单位" if len(ranked) > len(charted) else f"责任单位{measure}排名")
show.show_chart(charts.ranking_bars(charted, label="unit", value="measure", value_title=measure,
                                    highlight=last, highlight_name=f"后{settings.last_n}名",
                                    title=f"{what}（后{settings.last_n}名标红）", subtitle=note),
                f"责任单位{measure}排名")
show.show_table(ranked.drop(columns="measure").rename(columns={"last_n": f"后{settings.last_n}名"}),
                f"责任单位{measure}排名")

st.header("逾期问题")
with_overdue = units.metrics[units.metrics["overdue"] > 0].sort_values(["overdue", "unit"], ascending=[False, True])
if with_overdue.empty:
    st.success("没有逾期未整改的问题。")
else:
    st.caption(f"{len(with_overdue)}个单位共有{with_overdue['overdue'].sum()}条问题逾期未整改，按单位、整改时限最早排列。")
    show.show_table(with_overdue[["unit", "overdue", "open", "total", "rectify_rate"]], "各单位逾期问题数")
    show.show_table(data.read(listing.overdue_items, current), "逾期问题清单")

st.header("反弹问题")
st.caption(f"整改后{settings.rebound_days}天内同一点位再次发现同类问题，计为反弹。")
left, right = st.columns([2, 3])
rates = data.read(rebound_rates, current, "point_type")
with left:
    show.show_table(rates[rates["rebounded"] > 0], "各点位类型反弹率")
with right:
    # only the newest are fetched: at a province's size the whole list is a million rows
    latest = data.read(rebounds, current, limit=REBOUNDS_SHOWN)
    count = int(rates["rebounds"].sum())
    st.caption(f"共{count}起反弹" + (f"，下表为最近的{REBOUNDS_SHOWN}起" if count > REBOUNDS_SHOWN else ""))
    show.show_table(latest, "反弹问题清单")

st.header("返工问题")
st.caption("返工：台账报过已整改或已销号、后来的台账又报未整改的同一问题（反弹是同一点位新发现的问题）；"
           "测评交办的问题，下一轮复测同一点位同一标准仍扣分的，不论单位是否报过已整改，计为反复，算作返工。"
           "返工率 = 返工数 ÷ 曾报已整改或经复测的问题数；报过已整改又返工的问题从重新报未整改（或复测）那天起算未整改。")
by_unit_rework, by_type_rework = st.columns(2)
for place, by, label in ((by_unit_rework, "unit", "责任单位"), (by_type_rework, "point_type", "点位类型")):
    with place:
        rework = data.read(rework_rates, current, by)
        reworked = rework[rework["reopened"] > 0]
        if reworked.empty:
            st.success(f"各{label}没有返工的问题。")
        else:
            show.show_table(reworked, f"各{label}返工率")

st.header("照片佐证")
st.caption("无佐证：报已整改或已销号、台账有整改后照片列却没有照片的问题"
           + ("（不计为已销号，仍计入整改率）" if settings.no_evidence_blocks_closing else "") +
           f"；同图多用：同一张照片（或感知哈希相差不超过{settings.photo_hash_distance}位的近似照片）"
           "作为不同问题的整改后照片；照片早于发现：整改后照片的拍摄时间早于问题的发现日期。")
evidence = data.read(problem_pictures, current)
EVIDENCE_SHOWN = ["problem_key", "status", *photos.THUMBNAIL_FIELDS.values(), "unit", "point_name", "description",
                  "found_date"]
no_evidence_tab, reused_tab, early_tab, refused_tab = st.tabs([
    f"无佐证（{len(evidence.no_evidence)}）", f"同图多用（{len(evidence.reused)}组）",
    f"照片早于发现（{len(evidence.early)}）", f"未采用的照片（{len(evidence.refused)}）"])
for tab, frame, name in ((no_evidence_tab, evidence.no_evidence, "无佐证问题"),
                         (reused_tab, evidence.reused_frame(), "同图多用"),
                         (early_tab, evidence.early, "照片早于发现")):
    with tab:
        if frame.empty:
            st.success(f"没有{name}。")
        else:
            shown = ["group", *EVIDENCE_SHOWN] if "group" in frame else EVIDENCE_SHOWN
            show.show_table(photos.with_thumbnails(frame)[shown], name, column_config=photos.THUMBNAIL_COLUMNS)
with refused_tab:
    if evidence.refused.empty:
        st.success("所有照片都已读取。")
    else:
        show.show_table(evidence.refused[["file_name", "cell", "refused", "description"]], "未采用的照片")

st.header("测评问责：后三名且不足合格线，谁丢分、谁领责")
called = data.read(accountability, None, current)
if called is None:
    st.info("还没有导入模拟测评得分表：导入后按最近一轮列出问责的单项工作和单位。")
else:
    st.caption(f"{called.round}：单项工作（点位类型）或单位同时列后{called.last_n}名且低于{called.line:g}分的，"
               f"严肃追责问责；单项工作被问责时，在该项丢分的单位一并问责（丢分多的在前）。")
    for few, what in ((called.few_items, "单项工作"), (called.few_units, "单位")):
        if few:
            st.warning(f"本轮参评的{what}不多于{called.last_n}个，全部算作后{called.last_n}名。")
    st.markdown(called.sentence() + "。")
    if called.called:
        show.show_table(pd.DataFrame({"unit": [entry.unit for entry in called.called],
                                      "called_reasons": ["；".join(entry.reasons) for entry in called.called]}),
                        "测评问责单位")
    left, right = st.columns(2)
    with left:
        items = called.items.rename(columns={"name": "work_item"}).assign(lost_by_unit=called.items["units"].map(
            lambda lost: "、".join(f"{unit}{figure(points)}分" for unit, points in lost)))
        show.show_table(items[["place", "work_item", "score", "called", "lost_by_unit"]], "单项工作得分（低分在前）")
    with right:
        units_lost = called.units.rename(columns={"lost": "points_lost"}).assign(
            lost_standards=called.units["standards"].map(
                lambda lost: "、".join(f"“{standard}”{figure(points)}分" for standard, points in lost)))
        show.show_table(units_lost[["place", "unit", "score", "points_lost", "share", "called", "lost_standards"]],
                        "各单位丢分")

st.header("约谈问责与表扬")
st.caption(f"建议约谈（规则在“设置”页调整）：连续{settings.interview_weeks}周列整改率后{settings.last_n}名；"
           f"逾期超过{settings.interview_overdue}条；返工达到{settings.interview_reopened}条；"
           f"{settings.silent_days}天及以上未报送台账"
           + (f"；最近一轮测评后{settings.last_n}名且低于{settings.score_line:g}分" if settings.interview_last_below else "")
           + (f"；最近一轮测评丢分最多的{settings.interview_most_lost}个单位" if settings.interview_most_lost else "")
           + "。表扬：整改率领先且无逾期、近7日整改率提高最多的单位。")
left, right = st.columns(2)
with left:
    candidates = units.candidates
    if candidates.empty:
        st.success("没有符合约谈条件的单位。")
    else:
        show.show_table(candidates[["unit", "evidence_text", "overdue", "rectify_rate", "reopened"]], "建议约谈的单位")
with right:
    praised = units.praise
    if praised.empty:
        st.info("暂无可表扬的单位。")
    else:
        show.show_table(praised[["kind", "unit", "evidence"]], "表扬单位")

st.header("督查通报与问题交办单")
st.caption("督查通报（Word，GB/T 9704 版式）含以上约谈名单和表扬单位，可修改后印发；问题交办单每个有未整改问题的单位一份，"
           "单位填写后交回，在“数据导入”页导入即更新这些问题。")
show.export_downloads(current, ("docx", "tasks"))
