"""Photo evidence on the pages: thumbnails in a problem list, a problem's before/after pair, the
thumbnails' column settings."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.photos import store
from analytics.photos.model import problem_photos
from analytics.photos.placing import KIND_LABELS
from analytics.shared.labels import COLUMN_LABELS
from dashboard import data

THUMBNAIL_FIELDS = {"before": "before_thumbnail", "after": "after_thumbnail"}
THUMBNAIL_COLUMNS = {COLUMN_LABELS[name]: st.column_config.ImageColumn(COLUMN_LABELS[name], width="small")
                     for name in THUMBNAIL_FIELDS.values()}


def with_thumbnails(frame: pd.DataFrame) -> pd.DataFrame:
    """The problems with their first 整改前 and 整改后 thumbnails (data: URIs; empty where none)."""
    photos = data.read(problem_photos, tuple(frame["problem_key"]))
    firsts = photos.drop_duplicates(["problem_key", "kind"]).set_index(["problem_key", "kind"])["sha256"]
    db_path = data.database_path()
    shown = frame.copy()
    for kind, column in THUMBNAIL_FIELDS.items():
        shown[column] = [store.thumbnail_uri(db_path, firsts[(key, kind)]) if (key, kind) in firsts.index else None
                         for key in frame["problem_key"]]
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
            path = store.picture_path(db_path, sha, ext)
            if path.exists():
                column.image(str(path), width="stretch")
            else:
                column.warning(f"照片文件缺失（{sha[:12]}），可运行 rebuild 从归档恢复。")
