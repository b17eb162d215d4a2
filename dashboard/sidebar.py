"""The sidebar on every page: the countdown, the last import, and the common filters."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics.ledger import listing
from analytics.ledger.countdown import countdown
from analytics.registry.model import has_registry, people, resolve_registry_filters
from analytics.shared.filters import Filters
from dashboard import access
from dashboard.data import data_state, read
from dashboard.navigation import SETTINGS_PAGE

# Filters field -> (widget label, session key). Values persist across pages because the sidebar
# is drawn by app.py on every run.
LIST_FILTERS = {
    "units": ("责任单位", "filter_units"),
    "districts": ("区县/街道", "filter_districts"),
    "point_types": ("点位类型", "filter_point_types"),
    "categories": ("问题类别", "filter_categories"),
    "sources": ("问题来源", "filter_sources"),
}
# Offered only while a 点位清单 or 联点清单 is in force: problems are theirs through the registry's points.
REGISTRY_FILTERS = {
    "leaders": ("联点领导", "filter_leaders"),
    "grids": ("网格", "filter_grids"),
}
DATE_KEYS = ("filter_as_of", "filter_from", "filter_to")


def _clear_filters() -> None:
    # Forgetting a widget's state draws it anew with its default value.
    for key in (*DATE_KEYS, *(key for _, key in (*LIST_FILTERS.values(), *REGISTRY_FILTERS.values()))):
        st.session_state.pop(key, None)


def filters() -> Filters:
    """The filters set in the sidebar (today, everything, before the sidebar has been drawn)."""
    return access.scoped(st.session_state.get("filters") or Filters(as_of=dt.date.today()))


def _filter_widgets() -> Filters:
    options = read(listing.filter_options)
    as_of = st.date_input("统计截至", key="filter_as_of", value=dt.date.today(),
                          help="各项数字按这一天的状态统计，默认今天")
    date_from = st.date_input("发现日期从", key="filter_from", value=None)
    date_to = st.date_input("发现日期至", key="filter_to", value=None)
    chosen = {}
    for name, (label, key) in LIST_FILTERS.items():
        if name == "units" and access.bound_unit():
            st.caption(f"责任单位：{access.bound_unit()}（本账号只看本单位）")
            continue
        chosen[name] = _multiselect(label, options[name], key)
    if read(has_registry):
        listed = read(people)
        for name, values in (("leaders", listed.leaders), ("grids", listed.grids)):
            label, key = REGISTRY_FILTERS[name]
            if values:
                chosen[name] = _multiselect(label, values, key)
    st.button("清除筛选", on_click=_clear_filters, icon=":material/filter_alt_off:", width="stretch")
    try:
        picked = Filters(as_of=as_of or dt.date.today(), date_from=date_from, date_to=date_to, **chosen)
    except ValueError as error:
        st.error(str(error))
        picked = Filters(as_of=as_of or dt.date.today(), **chosen)
    return access.scoped(read(resolve_registry_filters, picked) if picked.by_registry else picked)


def _multiselect(label: str, options: list[str], key: str) -> list[str]:
    # A value that no longer exists (e.g. after an undo) is dropped rather than raising.
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    return st.multiselect(label, options, key=key, placeholder="全部")


def _countdown_box(current: Filters) -> None:
    figures = read(countdown, current)
    if figures.test_date is None:
        st.markdown("### :material/timer: 测评日期未设置")
        if access.can_write():
            st.page_link(SETTINGS_PAGE, label="去设置测评日期", icon=":material/event:")
        return
    window = figures.window_name
    if figures.days_left:
        st.markdown(f"### :material/timer: 距测评 {figures.days_left} 天")
        st.caption(f"工作日 {figures.working_days_left} 天 · {window}")
    else:
        st.markdown(f"### :material/timer: {window}已到")
    if figures.calendar_note:
        st.caption(figures.calendar_note)


def _last_import_line(state: listing.DataState) -> None:
    if state.last_imported_at is None:
        st.caption("尚未导入台账")
        return
    st.caption(f"最近导入：{state.last_imported_at:%m-%d %H:%M} · {state.last_unit}"
               + (f"\n\n台账最新截至：{state.latest_report:%Y-%m-%d}" if state.latest_report else ""))


def sidebar() -> None:
    """Countdown, last import and the filters; stores the filters for the page (see filters())."""
    with st.sidebar:
        top = st.container()
        st.divider()
        st.markdown("**筛选**（所有页面通用）")
        current = _filter_widgets()
        st.session_state["filters"] = current
        with top:
            _countdown_box(current)
            if not access.bound_unit():   # the last import names another unit
                _last_import_line(data_state())
