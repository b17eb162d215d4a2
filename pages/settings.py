"""设置: the 测评 window, the thresholds of the falling-behind flags and the ranking measure, the
status and source words, the unit list used for the reporting checks (who must send a ledger)
and for districts, and the aliases of registry 点位 (names ledgers write that the 点位清单 spells otherwise)."""
import dataclasses

import streamlit as st

from analytics.registry import model as registry, names as point_names
from analytics.shared import office_words, units
from analytics.intake import rebuild
from analytics.ledger.rankings import MEASURES
from analytics.shared.settings import SETTING_LABELS, get_settings, set_setting, set_test_window
from dashboard import access, data, flash, show
from dashboard.page import page_start

# Thresholds as (widget kind, smallest value); percentages are floats, counts integers.
THRESHOLDS = {
    "rate_gap_pct": (float, 0.0), "min_group_size": (int, 0), "last_n": (int, 1),
    "backlog_growth": (int, 1), "overdue_min": (int, 1), "silent_days": (int, 1),
    "rebound_days": (int, 1), "rebound_rate_pct": (float, 0.0), "score_line": (float, 0.0),
    "sprint_days": (int, 0), "sprint_silent_days": (int, 1),
    "notice_days": (int, 1), "interview_weeks": (int, 1), "interview_overdue": (int, 0), "interview_reopened": (int, 1),
    "unvisited_days": (int, 1), "frontage_days": (int, 1), "frontage_exposed": (int, 1),
    **{key: (float, 0.0) for key in ("weight_field", "weight_online", "weight_survey", "target_awareness_pct",
                                    "target_support_pct", "target_participation_pct", "target_satisfaction_pct",
                                    "pending_credit_pct")},
}
WINDOW = ("test_date", "test_date_end")

page_start("设置", show_scope=False)
access.require_write_access("修改设置和单位列表")

current = data.read(get_settings)

st.header("测评窗口与落后判定阈值")
flash.show_flashes("settings")
with st.form("settings_form"):
    first, last, measure = st.columns(3)
    values = {"test_date": first.date_input("测评窗口首日", value=current.test_date,
                                            help="倒计时、清零路径和晨报都数到这一天（当天计入，首日不计）；留空表示未定"),
              "test_date_end": last.date_input("测评窗口末日", value=current.test_date_end,
                                               help="省里公布的窗口（如12月18日至22日）的最后一天；只有一天时留空"),
              "ranking_measure": measure.selectbox(SETTING_LABELS["ranking_measure"], list(MEASURES),
                                                   index=list(MEASURES).index(current.ranking_measure),
                                                   help="红榜和后几名都按它排")}
    columns = st.columns(4)
    for index, (key, (kind, lowest)) in enumerate(THRESHOLDS.items()):
        values[key] = columns[index % 4].number_input(
            SETTING_LABELS[key], min_value=kind(lowest), value=kind(getattr(current, key)),
            step=kind(1), max_value=100.0 if kind is float else None, key=f"setting_{key}")
    if st.form_submit_button("保存设置", type="primary", icon=":material/save:"):
        changed = {key: value for key, value in values.items() if value != getattr(current, key)}

        def save_changed(con, actor: str) -> None:
            if any(key in changed for key in WINDOW):
                set_test_window(con, values["test_date"], values["test_date_end"], actor=actor)
            for key, value in changed.items():
                if key not in WINDOW:
                    set_setting(con, key, value, actor=actor)

        flash.write_then_rerun("settings", lambda: data.write(save_changed),
                               lambda _: f"已保存{len(changed)}项设置。" if changed else "设置没有变化。")
defaults = {field.name: field.default for field in dataclasses.fields(current)}
st.caption("默认值：" + "，".join(f"{SETTING_LABELS[k]} {defaults[k]}" for k in THRESHOLDS))

st.header("整改状态与问题来源词表")
flash.show_flashes("words")
st.caption("台账里的整改状态和问题来源按含义读取（如“立行立改”为已整改、“复查未通过”为待整改、“省文明办暗访反馈”为上级测评）。"
           "遇到没人认识的写法，在这里告诉系统它的意思；此后导入的台账按新词表读取，"
           "点“按新词表重读已导入台账”后已导入的也随之更新。")
unknown_sources = data.read(office_words.unknown_sources)
if not unknown_sources.empty:
    st.warning("以下问题来源没有对应的标准来源（按原文统计），可在下方添加词语归入某一来源：")
    show.show_table(unknown_sources.rename(columns={"source": "台账中的写法", "problems": "问题数"}), "未识别的问题来源")
for kind, label in office_words.KINDS.items():
    with st.form(f"word_form_{kind}", clear_on_submit=True):
        word_column, meaning_column = st.columns(2)
        word = word_column.text_input(f"{label}：台账中的写法", key=f"word_{kind}")
        meaning = meaning_column.selectbox("意思是", office_words.meanings(kind), key=f"meaning_{kind}")
        if st.form_submit_button(f"添加{label}词语", icon=":material/add:"):
            flash.write_then_rerun("words", lambda: data.write(office_words.add_word, kind, word, meaning),
                                   lambda saved: f"已添加：“{saved}”读作“{meaning}”。")
    with st.expander(f"查看全部{label}词语"):
        table = data.read(office_words.word_table, kind)
        show.show_table(table.rename(columns={"word": "写法", "meaning": "意思", "builtin": "内置"}), f"{label}词表")
        added = table.loc[~table["builtin"], "word"].tolist()
        if added:
            pick, act = st.columns([4, 1], vertical_alignment="bottom")
            chosen = pick.selectbox("删除一个添加的词语", added, key=f"remove_{kind}")
            if act.button("删除", key=f"remove_button_{kind}", icon=":material/delete:"):
                flash.write_then_rerun("words", lambda: data.write(office_words.remove_word, kind, chosen),
                                       lambda _: f"已删除“{chosen}”。")
if st.button("按新词表重读已导入台账", icon=":material/refresh:", key="reread_ledgers",
             help="用归档的原始台账重建数据库（导入记录、撤销和设置都保留），可能需要一两分钟"):
    with st.spinner("正在按新词表重读已导入的台账…"):
        flash.write_then_rerun("words", lambda: rebuild(data.database_path(), actor=access.actor()), lambda text: text)

st.header("责任单位")
flash.show_flashes("units")
st.caption("“需报送”的单位超过未报送天数没有报送台账，会列入未报送名单；区域用于按区县/街道筛选。"
           "增删行后点“保存单位列表”。")
listed = data.read(units.list_units)
edited = st.data_editor(
    listed, num_rows="dynamic", hide_index=True, key="unit_editor", width="stretch",
    column_config={
        "name": st.column_config.TextColumn("单位名称", required=True),
        "kind": st.column_config.SelectboxColumn(
            "类别", options=list(dict.fromkeys([*units.UNIT_KINDS, *listed["kind"].dropna()]))),
        "district": st.column_config.TextColumn("区县/街道"),
        "active": st.column_config.CheckboxColumn("需报送", default=True),
    })
save, seed = st.columns(2)
if save.button("保存单位列表", type="primary", icon=":material/save:", key="save_units"):
    flash.write_then_rerun("units", lambda: data.write(units.replace_units, edited),
                           lambda result: f"单位列表已保存：新增{result.added}个，修改{result.changed}个，删除{result.removed}个。")
if seed.button("把已报送台账的单位加入列表", icon=":material/playlist_add:", key="seed_units"):
    flash.write_then_rerun("units", lambda: data.write(units.add_units_from_ledgers), lambda added: f"已加入{added}个单位。")

st.header("点位别名")
flash.show_flashes("point_aliases")
st.caption("台账或得分表里写的点位名称与点位清单对不上时（去掉空格、标点后仍不同），把它添为清单中某个点位的别名，"
           "此后它的问题计入这个点位和它的联点领导。")
summary = data.read(registry.responsibility)
listed_points = sorted(data.read(registry.load_map).points["point"])
with st.form("point_alias_form", clear_on_submit=True):
    alias = st.selectbox("台账里的写法", summary["points"]["unmatched"], accept_new_options=True,
                         placeholder="选择未对上的名称，或输入")
    point = st.selectbox("清单中的点位", listed_points, index=None, placeholder="选择点位")
    if st.form_submit_button("添加点位别名", icon=":material/add:"):
        flash.write_then_rerun("point_aliases", lambda: data.write(point_names.add_point_alias, alias or "", point or ""),
                               lambda text: text)
show.show_table(data.read(point_names.point_alias_table).rename(columns={"alias": "写法", "point_name": "清单中的点位"}),
                "点位别名")
