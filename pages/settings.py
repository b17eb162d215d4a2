"""设置: the 测评 window, the thresholds of the falling-behind flags and the ranking measure, the
status and source words, the unit list used for the reporting checks (who must send a ledger)
and for districts, the aliases of registry 点位 (names ledgers write that the 点位清单 spells otherwise),
and the group chats the 晨报 is pushed to."""
import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

from analytics.registry import model as registry, names as point_names
from analytics.shared import office_words, units
from analytics.intake import rebuild
from analytics.push import sending, store as push_store
from analytics.push.channels import ATTACHMENTS, DAYS, KINDS, make_channel
from analytics.push.schedule import china_time
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
    "interview_most_lost": (int, 0), "task_deadline_days": (int, 0),
    "unvisited_days": (int, 1), "frontage_days": (int, 1), "frontage_exposed": (int, 1),
    **{key: (float, 0.0) for key in ("weight_field", "weight_online", "weight_survey", "target_awareness_pct",
                                    "target_support_pct", "target_participation_pct", "target_satisfaction_pct",
                                    "pending_credit_pct")},
    "photo_hash_distance": (int, 0),
}
SWITCHES = ("no_evidence_blocks_closing",)
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
    for key in SWITCHES:
        values[key] = st.checkbox(SETTING_LABELS[key], value=getattr(current, key), key=f"setting_{key}",
                                  help="报已销号却没有整改后照片的问题仍计入整改率，但不计为已销号")
    values["interview_last_below"] = st.toggle(
        SETTING_LABELS["interview_last_below"], value=current.interview_last_below,
        help="最近一轮测评中单项工作（点位类型）或单位列后几名且低于合格线，列入约谈名单（问责规则）")
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

st.header("整改状态、问题来源与照片列词表")
flash.show_flashes("words")
st.caption("台账里的整改状态和问题来源按含义读取（如“立行立改”为已整改、“复查未通过”为待整改、“省文明办暗访反馈”为上级测评），"
           "照片列按表头读取（如“问题照片”为整改前照片、“佐证”为整改后照片）。"
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

st.header("工作群推送")
flash.show_flashes("push")
st.caption("每天按设定时间（北京时间）把晨报（文字、清零进度图，企业微信还可附晨报PPT或督查通报）发到工作群的机器人；"
           "每个渠道每天只发一份。由 `python -m analytics push --due` 定时运行（见 README）。"
           "机器人地址和加签密钥等同密码：只存在服务器上，这里和备份、导出中都只显示遮盖后的样子。")
minute = china_time().replace(second=0, microsecond=0)
statuses = data.read(push_store.status_lines, minute)
channels = data.read(push_store.list_channels)
if channels.empty:
    st.info("还没有推送渠道，在下方添加。")
else:
    listed = channels.merge(statuses, left_on="name", right_on="channel")
    show.show_table(pd.DataFrame({
        "渠道": listed["name"], "类型": listed["kind_y"], "地址": listed["url_masked"], "时间": listed["at_time"],
        "推送日": listed["days"].map(DAYS), "今天": listed["status"]}), "推送渠道")
    pick, test, look, now, drop = st.columns([3, 1, 1, 1, 1], vertical_alignment="bottom")
    chosen = pick.selectbox("渠道", list(channels["name"]), key="push_channel")
    if test.button("发送测试", key="push_test", icon=":material/send:"):
        flash.write_then_rerun("push", lambda: sending.send_test(data.database_path(), chosen, actor=access.actor()),
                               lambda r: [("success" if r.outcome == sending.SENT else "error", r.text)])
    if now.button("立即推送", key="push_now", icon=":material/schedule_send:",
                  help="发送今天的晨报；今天已推送的不会重发"):
        flash.write_then_rerun("push", lambda: sending.push(data.database_path(), channel=chosen, actor=access.actor()),
                               lambda reports: [("success" if r.outcome in (sending.SENT, sending.SKIPPED) else "error",
                                                 r.text) for r in reports])
    if drop.button("删除", key="push_remove", icon=":material/delete:"):
        flash.write_then_rerun("push", lambda: data.write(push_store.remove_channel, data.database_path(), chosen),
                               lambda said: said)
    if look.button("预览", key="push_preview", icon=":material/visibility:"):
        try:
            with st.spinner("正在生成晨报和图表…"):
                shown = sending.preview(data.database_path(), chosen)
        except (ValueError, LookupError) as error:
            st.error(str(error))
        else:
            with st.container(border=True, key="push_preview_box"):
                st.markdown(shown.text)
                if shown.picture:
                    st.image(shown.picture, caption="图表（图片消息）")
                if shown.file_name:
                    st.caption(f"文件消息：{shown.file_name}")
            if shown.cut:
                st.warning(f"超过机器人的长度限制，未发出：{'、'.join(shown.cut)}")

with st.form("push_add_form", clear_on_submit=True):
    st.markdown("**添加或修改推送渠道**（同名即修改）")
    name_column, kind_column = st.columns(2)
    push_name = name_column.text_input("渠道名称", key="push_name", placeholder="如 领导群")
    push_kind = kind_column.selectbox("类型", list(KINDS), format_func=KINDS.get, key="push_kind")
    push_url = st.text_input("机器人 webhook 地址（照机器人给出的原样粘贴）", type="password", key="push_url")
    push_secret = st.text_input("钉钉“加签”密钥（没有加签留空）", type="password", key="push_secret")
    at_column, days_column, attach_column = st.columns(3)
    push_at = at_column.time_input("每天推送时间（北京时间）", value=dt.time(7, 30), step=300, key="push_at")
    push_days = days_column.selectbox("推送日", list(DAYS), index=list(DAYS).index("sprint"), format_func=DAYS.get,
                                      key="push_days", help="冲刺期：测评窗口首日前“冲刺期天数”天内每天")
    push_attach = attach_column.selectbox("附件（企业微信）", ["", *ATTACHMENTS], key="push_attach",
                                          format_func=lambda k: ATTACHMENTS.get(k, "不附"))
    push_mentions = st.text_input("要 @ 的人（企业微信 userid、钉钉手机号，逗号分隔）", key="push_mentions")
    push_chart = st.checkbox("发送清零进度图（企业微信为图片消息）", value=True, key="push_chart")
    if st.form_submit_button("保存渠道", type="primary", icon=":material/save:"):
        flash.write_then_rerun("push", lambda: data.write(push_store.add_channel, data.database_path(), make_channel(
            push_name, push_kind, push_url, secret=push_secret, at=push_at, days=push_days,
            mentions=push_mentions.replace("，", ",").split(","), chart=push_chart, attach=push_attach)),
            lambda said: said)

st.header("点位别名")
flash.show_flashes("point_aliases")
st.caption("台账或得分表里写的点位名称与点位清单对不上时（去掉空格、标点后仍不同），把它添为清单中某个点位的别名，"
           "此后它的问题计入这个点位和它的联点领导。")
listed_points = sorted(data.read(registry.load_map).points["point"])
if not listed_points:
    st.info("还没有导入点位清单：导入后可在这里为对不上的点位名称添加别名。")
else:
    summary = data.read(registry.responsibility)
    with st.form("point_alias_form", clear_on_submit=True):
        alias = st.selectbox("台账里的写法", summary["points"]["unmatched"], accept_new_options=True,
                             placeholder="选择未对上的名称，或输入")
        point = st.selectbox("清单中的点位", listed_points, index=None, placeholder="选择点位")
        if st.form_submit_button("添加点位别名", icon=":material/add:"):
            flash.write_then_rerun("point_aliases", lambda: data.write(point_names.add_point_alias, alias or "", point or ""),
                                   lambda text: text)
show.show_table(data.read(point_names.point_alias_table).rename(columns={"alias": "写法", "point_name": "清单中的点位"}),
                "点位别名")
