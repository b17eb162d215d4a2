"""Photo evidence on the pages: thumbnails in a problem list, a problem's before/after pair, the
thumbnails' column settings, the upload of 整改后 photos, and a unit's own list of problems to prove."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.exports.tasks import NO_EVIDENCE_TASK, open_tasks
from analytics.photos import store
from analytics.photos.files import picture_path
from analytics.photos.model import problem_photos, problem_uploads
from analytics.photos.placing import KIND_LABELS
from analytics.shared.filters import Filters
from analytics.shared.labels import COLUMN_LABELS
from dashboard import access, data, flash, show

THUMBNAIL_FIELDS = {"before": "before_thumbnail", "after": "after_thumbnail"}
THUMBNAIL_COLUMNS = {COLUMN_LABELS[name]: st.column_config.ImageColumn(COLUMN_LABELS[name], width="small")
                     for name in THUMBNAIL_FIELDS.values()}


def with_thumbnails(frame: pd.DataFrame) -> pd.DataFrame:
    """The problems with their first 整改前 and 整改后 thumbnails (data: URIs; empty where none)."""
    photos = data.read(problem_photos, tuple(frame["problem_key"]))
    firsts = photos.drop_duplicates(["problem_key", "kind"]).set_index(["problem_key", "kind"])
    db_path = data.database_path()
    shown = frame.copy()
    for kind, column in THUMBNAIL_FIELDS.items():
        shown[column] = [store.thumbnail_uri(db_path, *firsts.loc[(key, kind), ["sha256", "ext"]])
                         if (key, kind) in firsts.index else None for key in frame["problem_key"]]
    return shown


def show_before_after(problem_key: str) -> None:
    """The problem's 整改前 and 整改后 photos side by side (the latest ledger's and uploads)."""
    photos = data.read(problem_photos, (problem_key,))
    if photos.empty:
        st.caption("该问题的台账没有照片。")
        return
    db_path = data.database_path()
    for column, kind in zip(st.columns(2), KIND_LABELS):
        chosen = photos[photos["kind"] == kind]
        column.markdown(f"**{KIND_LABELS[kind]}**")
        if chosen.empty:
            column.caption(f"没有{KIND_LABELS[kind]}照片" + ("（无佐证）" if kind == "after" else ""))
        for sha, ext in zip(chosen["sha256"], chosen["ext"]):
            path = picture_path(db_path, sha, ext)
            if path.exists():
                column.image(str(path), width="stretch")
            else:
                column.warning(f"照片文件缺失（{sha[:12]}），可运行 rebuild 从归档恢复。")


UPLOAD_TYPES = ["jpg", "jpeg", "png", "heic", "heif"]


def upload_after_photos(problem_key: str, unit: str | None, said_at: str | None = None) -> None:
    """Attach 整改后 photos from the phone's camera or album (a login allowed to write, or the login of
    the problem's `unit`), recorded like an import and undoable here. What an upload or undo did is said
    here, or at `said_at` where the caller shows it (flash.show_flashes)."""
    own_unit = access.bound_unit()
    if not (access.can_write() or (own_unit is not None and own_unit == unit)):
        return
    place = said_at or f"photos_{problem_key}"
    flash.show_flashes(place)
    with st.expander("上传整改后照片（手机拍照或相册）", icon=":material/photo_camera:"):
        with st.form(f"upload_{problem_key}", clear_on_submit=True):
            files = st.file_uploader("照片（JPEG、PNG，或 iPhone 的 HEIC）", type=UPLOAD_TYPES,
                                     accept_multiple_files=True, key=f"files_{problem_key}")
            camera = st.camera_input("或现场拍照", key=f"camera_{problem_key}")
            if st.form_submit_button("上传", icon=":material/upload:"):
                chosen = [(item.name, item.getvalue()) for item in [*(files or []), *([camera] if camera else [])]]
                flash.write_then_rerun(
                    place,
                    lambda: data.write(lambda con, actor: store.upload_photos(con, data.database_path(), problem_key,
                                                                              chosen, actor=actor,
                                                                              only_unit=own_unit)),
                    lambda message: message)
        uploads = data.read(problem_uploads, problem_key)
        for upload_id, count, uploaded_at, uploaded_by in uploads.itertuples(index=False):
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.caption(f"第{upload_id}次上传：{count}张，{uploaded_by}，{uploaded_at:%Y-%m-%d %H:%M}")
            if right.button("撤销", key=f"undo_upload_{upload_id}", type="tertiary"):
                flash.write_then_rerun(place, lambda: data.write(store.undo_upload, int(upload_id), only_unit=own_unit),
                                       lambda message: message)


OWN_SHOWN = {"problem_number": "问题编号", "status": "整改状态", "after_photos": "整改后照片", "supervision": "督办事项",
             "point_name": "点位名称", "description": "问题描述", "deadline_text": "整改时限", "days_overdue": "逾期天数"}


OWN_UPLOADS = "own_photo_uploads"   # where a unit's own view says what its uploads did


def own_problems_photos(current: Filters, unit: str) -> None:
    """A unit's login, on its own view: its problems that want a photo (those it reported done without
    one first, then the open ones); pick one to see its photos and add 整改后 ones."""
    st.header("补充整改后照片")
    # said above the choice: a problem proved by its upload leaves the list, and the choice with it
    flash.show_flashes(OWN_UPLOADS)
    tasks = data.read(open_tasks, current)
    if tasks.empty:
        st.caption(f"{unit}没有未整改或缺整改后照片的问题。")
        return
    tasks = tasks.sort_values("no_evidence", ascending=False, kind="stable").reset_index(drop=True)
    tasks["supervision"] = tasks["no_evidence"].map({True: NO_EVIDENCE_TASK, False: ""})
    unproved = int(tasks["no_evidence"].sum())
    st.caption(f"共{len(tasks)}条：已报整改但无整改后照片{unproved}条，未整改{len(tasks) - unproved}条。"
               "在下面选一条，即可拍照或从相册上传整改后照片。")
    show.show_table(tasks[list(OWN_SHOWN)].rename(columns=OWN_SHOWN), f"{unit}待补照片的问题")
    # a choice box rather than a table row: on a phone it is one tap, the list stays readable above it
    named = tasks.fillna({"point_name": "", "description": ""})
    labels = {row.problem_key: f"{row.problem_number} · {row.point_name}：{row.description}" for row in named.itertuples()}
    key = st.selectbox("选择问题", list(labels), format_func=labels.get, index=None, placeholder="选一条问题上传照片",
                       key="own_photo_problem")
    if key is None:
        return
    show_before_after(key)
    upload_after_photos(key, unit, said_at=OWN_UPLOADS)
