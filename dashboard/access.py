"""Who may write: the signed-in user, the sign-in form, and the checks every write control asks."""
from __future__ import annotations

import dataclasses

import streamlit as st

from analytics.shared import auth
from analytics.shared.filters import Filters

_NOBODY = auth.User("", "viewer")


def current_user() -> auth.User:
    """The signed-in user; single-machine mode (no users configured) acts as the local admin, and
    with users configured nobody signed in may do nothing."""
    if "user" in st.session_state:
        return st.session_state["user"]
    return _NOBODY if auth.login_required() else auth.SINGLE_MACHINE_USER


def sign_in() -> bool:
    """Gate every run: with no users configured, serve only this machine (under a banner); with
    users configured, show the login form until the session has signed in."""
    if not auth.login_required():
        st.session_state.pop("user", None)
        if not auth.is_loopback(st.get_option("server.address")):
            st.error("未配置登录用户时，看板只允许在本机打开（server.address = 127.0.0.1）。如需在局域网提供服务，"
                     "请先添加用户：`python -m analytics user add 用户名 --role admin`，再以 "
                     "`--server.address 0.0.0.0` 启动。")
            return False
        st.sidebar.warning("单机模式：未配置登录用户，仅本机可以访问，所有操作记为“本机”。", icon=":material/lock_open:")
        return True
    user = st.session_state.get("user")
    if user is not None and user.name:
        with st.sidebar:
            bound = f" · 本单位：{user.unit}" if user.unit else f" · 联点领导：{user.leader}" if user.leader else ""
            st.caption(f"当前用户：{user.name}（{auth.ROLES[user.role]}{bound}）")
            if st.button("退出登录", key="sign_out"):
                st.session_state.pop("user")
                st.rerun()
        return True
    st.title("创文督查 · 登录")
    with st.form("sign_in"):
        name = st.text_input("用户名", key="sign_in_name")
        password = st.text_input("密码", type="password", key="sign_in_password")
        if st.form_submit_button("登录", type="primary"):
            signed_in = auth.authenticate(name, password)
            if signed_in is None:
                st.error("用户名或密码不正确。")
            else:
                st.session_state["user"] = signed_in
                st.rerun()
    return False


def bound_unit() -> str | None:
    """The unit this session's login is bound to: it sees that unit's data only."""
    return current_user().unit


def bound_leader() -> str | None:
    """The 联点领导 this session's login is bound to: its own points first."""
    return current_user().leader


def scoped(filters: Filters) -> Filters:
    """The filters a session may use: a unit's login is held to its own unit whatever was chosen."""
    unit = bound_unit()
    return dataclasses.replace(filters, units=(unit,)) if unit else filters


def can_write() -> bool:
    """May this session import, undo, or change aliases, units and settings?"""
    return current_user().can_write


def actor() -> str:
    """Who a write is recorded as in the audit log."""
    return f"看板·{current_user().name}"


def require_write_access(what: str) -> None:
    """Stop a page whose every control writes, for a session that may not write."""
    if not can_write():
        st.warning(f"{what}需要督查室权限，请联系管理员。")
        st.stop()
