"""A page's first line.

Because a `pages/` folder exists, a fresh Streamlit process wraps app.py in its old folder-based
navigation for its first script run, and that navigation runs pages/<name>.py on its own when the
URL names it (a bookmark, a reload after a restart), skipping app.py: its sidebar and the access
checks that go there. Such a run runs the whole app instead (dashboard/shell.py), which draws the
page asked for if this session may see it; the url paths equal the file names so both navigations
agree on the page."""
from __future__ import annotations

import streamlit as st

from analytics.ledger import charts
from analytics.shared.filters import Filters
from dashboard import show, shell
from dashboard.sidebar import filters


def page_start(title: str, *, show_scope: bool = True) -> Filters:
    """The first line of every page: the title, what the figures cover, and the filters to use.
    A page started on its own (see the module's docstring) runs the whole app instead."""
    if not shell.page_is_running():
        shell.run_app()
        st.stop()
    current = filters()
    show.name_page_charts(title)
    st.title(title)
    if show_scope:
        st.caption(charts.scope_note(current))
    return current
