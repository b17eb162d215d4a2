"""数据导入: upload many ledgers, see what the importer understood in each before storing anything,
import the batch with a progress bar; the import history with undo; 台账质量 by unit (rows flagged and
why, late and missing reports, each unit's rows to send back); the 点位类型 alias dictionary.
A unit's login sees the upload only, and may send its own ledgers only (analytics/intake/own_unit.py)."""
import shutil
import tempfile
from pathlib import Path

import streamlit as st

from analytics.shared import aliases, office_words, units
from analytics.intake import jobs as import_jobs, upload
from analytics.ledger import quality as ledger_quality, listing
from analytics.intake import undo_import
from analytics.shared.reading.reader import SUPPORTED_SUFFIXES
from dashboard import access, data, first_start, flash, show
from dashboard.page import page_start

OUTCOME_STYLE = {"imported": "success", "unchanged": "info", "refused": "error"}
NEW_TYPE = "（新增一个点位类型）"

current = page_start("数据导入", show_scope=False)
own_unit = access.bound_unit()
if own_unit is None:
    access.require_write_access("导入台账、撤销导入和修改别名")


@st.cache_data(show_spinner=False, max_entries=200)
def preview(name: str, content: bytes, unit: str | None, aliases_version: tuple,
            words_version: tuple, only_unit: str | None, listed_units: frozenset[str]) -> upload.LedgerPreview:
    """Parse an uploaded file once per content (and per alias dictionary, word table and login's unit)."""
    with tempfile.TemporaryDirectory() as folder:
        (path, original), = import_jobs.save_uploads([(name, content)], Path(folder)).items()
        return upload.preview_ledger(path, original, point_type_aliases=dict(aliases_version), unit=unit,
                                     words=office_words.with_users_words(words_version), only_unit=only_unit,
                                     listed_units=listed_units)


def show_score_sheet_preview(result: upload.LedgerPreview, number: int) -> None:
    st.markdown(f"**{result.score_sheet}**（不作为台账导入，计入“测评得分”页）")
    for warning in result.warnings:
        st.warning(warning)
    st.caption(f"前{len(result.sample)}个点位（导入后的得分）")
    show.show_table(result.sample, f"{number}_{result.file_name}_预览")
    if len(result.flagged_rows):
        st.caption("将标记为待核的点位及原因（照常导入，不改表中数字）")
        show.show_table(result.flagged_rows.drop(columns="description").rename(columns={"flag_text": "待核原因"}),
                         f"{number}_{result.file_name}_待核点位")


def show_preview(result: upload.LedgerPreview, number: int) -> None:
    if result.refusal:
        st.error(result.refusal)
        return
    if result.score_sheet:
        show_score_sheet_preview(result, number)
        return
    if result.readiness_sheet:
        st.markdown(f"**{result.readiness_sheet}**（不作为台账导入，计入“测评准备”页）")
    elif result.registry_sheet:
        st.markdown(f"**{result.registry_sheet}**（不作为台账导入，计入责任地图：“我的联系点”页；替换此前同类清单）")
    else:
        st.markdown(f"**单位**：{result.ledger_unit}（识别自{result.unit_source}） · "
                    f"**台账截至**：{result.report_date or '未注明（按导入日计）'} · "
                    f"**问题**：{result.rows}条 · **待核**：{result.flagged}条")
    for warning in result.warnings:
        st.warning(warning)
    mapping, sample = st.columns([2, 5])
    with mapping:
        st.caption("表头识别")
        show.show_table(result.mapping.rename(columns={"column": "列", "header": "表头", "field": "识别为"}),
                         f"{number}_{result.file_name}_表头识别")
    with sample:
        st.caption(f"前{len(result.sample)}行（导入后的样子）")
        show.show_table(result.sample, f"{number}_{result.file_name}_预览")
    if len(result.flagged_rows):
        st.caption("将标记为待核的行及原因（仍会导入，字段留空或按待整改计）")
        show.show_table(result.flagged_rows.rename(columns={"flag_text": "待核原因"}),
                         f"{number}_{result.file_name}_待核行")


# ---- upload and import ----------------------------------------------------------------------
st.header("上传台账")
uploader_key = f"uploads_{st.session_state.get('upload_round', 0)}"
files = st.file_uploader("选择一个或多个台账文件（可多选）", type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES],
                         accept_multiple_files=True, key=uploader_key)
if own_unit:
    st.caption(f"本账号只能上传{own_unit}自己的台账（文件中找不到填报单位时按{own_unit}计）；"
               "模拟测评得分表、测评准备表和责任地图清单含各单位的数据，由督查室导入。")
    unit_option = own_unit
else:
    unit_option = st.text_input("文件中找不到填报单位时使用的单位（可不填）", key="upload_unit").strip() or None

flash.show_flashes("import")

if files:
    alias_pairs = tuple(sorted(data.read(aliases.point_type_aliases)[["alias", "canonical"]]
                               .itertuples(index=False, name=None)))
    words_version = data.read(office_words.users_words)
    listed_units = frozenset(data.read(units.list_units)["name"]) if own_unit else frozenset()
    previews = [preview(f.name, f.getvalue(), unit_option, alias_pairs, words_version, own_unit, listed_units)
                for f in files]
    refused = sum(1 for p in previews if p.refusal)
    st.caption(f"已选择{len(files)}个文件" + (f"，其中{refused}个无法导入" if refused else "")
               + "。展开各文件可查看表头识别、前几行和待核行。")
    show.show_table(upload.previews_table(previews), "上传文件识别结果")
    for number, result in enumerate(previews, start=1):
        with st.expander(f"{number}. {result.file_name}", expanded=len(files) == 1,
                         icon=":material/block:" if result.refusal else ":material/description:"):
            show_preview(result, number)
    if st.button(f"导入这{len(files)}个文件", type="primary", icon=":material/upload:",
                 disabled=refused == len(files)):
        # its own process: the import goes on when this page is left or the tab closed
        st.session_state["import_job"] = str(import_jobs.start_import_process(
            data.database_path(), [(f.name, f.getvalue()) for f in files], actor=access.actor(), unit=unit_option,
            only_unit=own_unit))
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1  # empties the uploader
        st.rerun()


@st.fragment(run_every=0.5)
def follow_import(folder: str) -> None:
    """The progress of the import this session started, then its results (after a rerun of the page)."""
    job = import_jobs.follow_import(folder)
    if not (job.finished or job.stopped):
        step = job.last
        st.progress(step.overall_fraction if step else 0.0,
                    text=f"正在导入：第{step.number}/{step.total}个 {step.file_name}（{step.stage}）" if step
                    else "正在启动导入……（离开本页也会继续）")
        return
    for r in job.results:
        flash.flash("import", OUTCOME_STYLE[r.outcome],
                    f"{r.file_name}：{r.message}" + "".join(f"\n\n提示：{w}" for w in r.warnings))
    if job.stopped:
        flash.flash("import", "error", f"导入进程意外结束，已导入的部分完整保留；详情见 {job.folder / 'import.log'}")
    else:
        shutil.rmtree(job.folder, ignore_errors=True)   # the originals are in the archive now
    del st.session_state["import_job"]
    st.rerun(scope="app")


if "import_job" in st.session_state:
    follow_import(st.session_state["import_job"])
if own_unit:   # the history, undo, quality and aliases below are the office's: they name every unit
    st.stop()

# ---- history and undo -----------------------------------------------------------------------
st.header("导入记录")
flash.show_flashes("history")
history = data.read(listing.import_history)
if history.empty:
    st.info("还没有导入过台账。")
    if not data.data_state().problems and st.button("载入演示数据", key="import_page_demo"):
        first_start.start_demo()
        st.rerun()
else:
    show.show_table(history, "导入记录")
    active = history[history["undone_at"].isna()]
    labels = {int(r.import_id): f"#{r.import_id} {r.file_name}（{r.ledger_unit}，{r.imported_at:%m-%d %H:%M}）"
              for r in active.itertuples(index=False)}
    if labels:
        newest = max(labels)
        if st.session_state.get("undo_newest") != newest:
            # a new import (or an undo) starts the choice again on the newest import, instead of keeping
            # the one that was newest before: one click must not undo the wrong thing
            st.session_state["undo_newest"] = st.session_state["undo_pick"] = newest
        pick, act = st.columns([4, 1], vertical_alignment="bottom")
        chosen = pick.selectbox("撤销一次导入（其数据不再计入，该单位较早的台账重新生效）", list(labels),
                                format_func=labels.get, key="undo_pick")
        if act.button("撤销", key="undo", icon=":material/undo:"):
            flash.write_then_rerun(
                "history", lambda: undo_import(data.database_path(), chosen, actor=access.actor()), str)

# ---- ledger quality by unit -------------------------------------------------------------------
st.header("台账质量")
quality = data.read(ledger_quality.ledger_quality, current)
if quality.empty:
    st.info("还没有单位报送台账。")
else:
    with_flags = quality[quality["flagged"] > 0]
    late = quality[quality["reporting"] != "按时"]
    st.caption(f"{len(with_flags)}个单位的台账有待核的行（缺点位名称、问题描述，或日期、状态读不懂），"
               f"{len(late)}个单位迟报或未报（{data.read(ledger_quality.reporting_rule, current)}）。"
               "选一个单位可下载它的待核行，退回单位补充。")
    show.show_table(quality.rename(columns=ledger_quality.QUALITY_LABELS), "台账质量",
                    column_config={"待核占比": st.column_config.NumberColumn(format="percent")})
    if not with_flags.empty:
        unit = st.selectbox("查看并下载一个单位的待核行", with_flags["unit"].tolist(), key="quality_unit")
        show.show_table(data.read(ledger_quality.rows_to_return, current, unit), f"{unit}_台账待补充核实")

# ---- alias dictionary -----------------------------------------------------------------------
st.header("点位类型别名")
flash.show_flashes("alias")
unknown = data.read(aliases.unclassified_point_types)
if unknown.empty:
    st.success("所有问题的点位类型都已归类。")
else:
    st.caption("以下点位类型不在别名词典中（按原名统计，并在导入时标记待核）。把它们归入标准类型，或作为新类型保留：")
    show.show_table(unknown, "未归类点位类型")
known = data.read(aliases.known_point_types)
with st.form("alias_form", clear_on_submit=True):
    left, right = st.columns(2)
    alias = left.selectbox("台账中的写法", unknown["point_type"].tolist(), index=None, accept_new_options=True,
                           placeholder="选择未归类类型，或输入新写法", key="alias_name")
    canonical = right.selectbox("归入点位类型", [NEW_TYPE, *known], index=None, accept_new_options=True,
                                placeholder="选择标准类型，或输入新类型名称", key="alias_canonical")
    if st.form_submit_button("保存别名", icon=":material/save:"):
        target = alias if canonical == NEW_TYPE else canonical
        flash.write_then_rerun(
            "alias", lambda: data.write(aliases.add_point_type_alias, alias or "", target or ""),
            lambda changed: f"已保存：“{alias}”归入“{target}”，{changed}条问题的点位类型随之更新。")
with st.expander("查看全部别名"):
    show.show_table(data.read(aliases.point_type_aliases), "点位类型别名词典")
