"""The first start and the empty state: demo data on a database that never had an import, and
what a page says when there is nothing to show yet.

The demo is built by a process of its own (analytics/intake/demo.py, start_demo_process): a page run is
cut off when its session navigates, reruns or closes, the process is not. Until it has stored the
whole campaign (one transaction), pages say so and look again every second."""
from __future__ import annotations

import os
import time

import streamlit as st

from analytics.intake import demo
from dashboard import access, data
from dashboard.navigation import IMPORT_PAGE

AUTO_DEMO_ENV_VAR = "CHUANGWEN_AUTO_DEMO"
# A build just started may not hold its lock yet: until then the page waits on the start itself.
_STARTING_SECONDS = 10


def auto_demo_enabled() -> bool:
    return os.environ.get(AUTO_DEMO_ENV_VAR, "1") != "0"


def start_demo() -> None:
    """Start building the demo in its own process (none when one is at work) and wait for it."""
    demo.start_demo_process(data.database_path())
    st.session_state["demo_started"] = time.monotonic()


def _demo_pending() -> bool:
    started = st.session_state.get("demo_started")
    if demo.demo_being_built(data.database_path()):
        return True
    return started is not None and time.monotonic() - started < _STARTING_SECONDS and not data.data_state().imports


@st.fragment(run_every=1.0)
def _wait_for_demo() -> None:
    if _demo_pending():
        st.info("首次启动：正在生成演示数据（约 100 个单位、8 周的台账，一般不超过 10 秒），完成后自动显示。"
                "关闭或切换页面不会打断它。", icon=":material/hourglass_top:")
    else:
        st.session_state.pop("demo_started", None)
        st.rerun(scope="app")


def prepare_database() -> None:
    """Create the schema once per process; on a database that never had an import, start the demo
    campaign (unless CHUANGWEN_AUTO_DEMO=0) and wait for it instead of drawing the page."""
    data.ensure_schema()
    if data.data_state().imports:   # the usual page run: nothing to wait for, no lock to look at
        return
    if auto_demo_enabled() and not _demo_pending():
        start_demo()
    if _demo_pending():
        _wait_for_demo()
        st.stop()


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
            start_demo()
            st.rerun()
    return False
