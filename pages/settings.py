"""设置: the 测评 date, the thresholds of the falling-behind flags, and the unit list used for the
reporting checks (who must send a ledger) and for districts."""
import dataclasses

import streamlit as st

from analytics import units
from analytics.settings import SETTING_LABELS, get_settings, set_setting
from dashboard import access, data, flash
from dashboard.page import page_start

# Thresholds as (widget kind, smallest value); percentages are floats, counts integers.
THRESHOLDS = {
    "rate_gap_pct": (float, 0.0), "min_group_size": (int, 0), "last_n": (int, 1),
    "backlog_growth": (int, 1), "overdue_min": (int, 1), "silent_days": (int, 1),
    "rebound_days": (int, 1), "rebound_rate_pct": (float, 0.0), "score_line": (float, 0.0),
    **{key: (float, 0.0) for key in ("weight_field", "weight_online", "weight_survey", "target_awareness_pct",
                                    "target_support_pct", "target_participation_pct", "target_satisfaction_pct",
                                    "pending_credit_pct")},
}

page_start("设置", show_scope=False)
access.require_write_access("修改设置和单位列表")

current = data.read(get_settings)

st.header("测评日期与落后判定阈值")
flash.show_flashes("settings")
with st.form("settings_form"):
    values = {"test_date": st.date_input(SETTING_LABELS["test_date"], value=current.test_date,
                                         help="倒计时、清零路径和晨报都按这一天计算；留空表示未定")}
    columns = st.columns(4)
    for index, (key, (kind, lowest)) in enumerate(THRESHOLDS.items()):
        values[key] = columns[index % 4].number_input(
            SETTING_LABELS[key], min_value=kind(lowest), value=kind(getattr(current, key)),
            step=kind(1), max_value=100.0 if kind is float else None, key=f"setting_{key}")
    if st.form_submit_button("保存设置", type="primary", icon=":material/save:"):
        changed = {key: value for key, value in values.items() if value != getattr(current, key)}

        def save(con, actor: str) -> None:
            for key, value in changed.items():
                set_setting(con, key, value, actor=actor)

        flash.write_then_rerun("settings", lambda: data.write(save),
                               lambda _: f"已保存{len(changed)}项设置。" if changed else "设置没有变化。")
defaults = {field.name: field.default for field in dataclasses.fields(current)}
st.caption("默认值：" + "，".join(f"{SETTING_LABELS[k]} {defaults[k]}" for k in THRESHOLDS))

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
