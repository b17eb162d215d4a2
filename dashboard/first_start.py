"""The first start and the empty state: demo data on a database that never had an import, and
what a page says when there is nothing to show yet."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable

import streamlit as st

from analytics import db, listing
from analytics.ingest.store import ImportProgress
from dashboard import access, data
from dashboard.navigation import IMPORT_PAGE

AUTO_DEMO_ENV_VAR = "CHUANGWEN_AUTO_DEMO"
_demo_lock = threading.Lock()


def auto_demo_enabled() -> bool:
    return os.environ.get(AUTO_DEMO_ENV_VAR, "1") != "0"


def progress_bar(label: str) -> Callable[[ImportProgress], None]:
    """A progress bar across a batch of files, and the callback the importer reports to."""
    bar = st.progress(0.0, text=label)
    return lambda step: bar.progress(
        step.overall_fraction, text=f"{label}：第{step.number}/{step.total}个 {step.file_name}（{step.stage}）")


def load_demo_with_progress(label: str) -> None:
    from analytics.demo import load_demo

    st.toast(load_demo(data.database_path(), progress=progress_bar(label)))


def prepare_database() -> None:
    """Create the schema once per process; on a database that never had an import, fill in the
    demo campaign (unless CHUANGWEN_AUTO_DEMO=0), once even when several sessions start together."""
    data.ensure_schema()
    if not auto_demo_enabled() or data.data_state().imports:
        return
    with _demo_lock:
        with db.connect(data.database_path(), read_only=True) as con:
            if listing.data_state(con).imports:  # another session filled it meanwhile
                return
        with st.spinner("首次启动：正在填入演示数据，约需数十秒……"):
            load_demo_with_progress("正在导入演示台账")


def require_data() -> bool:
    """False (after saying what to do) when there is no problem to show yet."""
    if data.data_state().problems:
        return True
    with st.container(border=True):
        st.subheader("还没有数据")
        st.write("请先导入各责任单位报送的问题整改台账（.xlsx / .xls / .csv），或载入一套演示数据看看效果。")
        if not access.can_write():
            st.info("导入台账需要督查室权限，请联系管理员。")
            return False
        left, right = st.columns(2)
        left.page_link(IMPORT_PAGE, label="导入台账", icon=":material/upload_file:")
        if right.button("载入演示数据", icon=":material/auto_awesome:", key="load_demo"):
            load_demo_with_progress("正在导入演示台账")
            st.rerun()
    return False
