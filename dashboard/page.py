"""A page's first line, and how app.py runs the page chosen.

Because a `pages/` folder exists, a fresh Streamlit process wraps app.py in its old folder-based
navigation for its first script run, and that navigation runs pages/<name>.py on its own when the
URL names it (a bookmark, a reload after a restart), skipping app.py: its sidebar and the access
checks that go there. Such a run runs app.py instead, which draws the page asked for if this
session may see it; the url paths equal the file names so both navigations agree on the page."""
from __future__ import annotations

import contextlib
import runpy
import threading
from collections.abc import Iterator
from pathlib import Path

import streamlit as st

from analytics.ledger import charts
from analytics.shared.filters import Filters
from dashboard import show
from dashboard.sidebar import filters

APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"
_entry = threading.local()


@contextlib.contextmanager
def entered_through_app() -> Iterator[None]:
    """app.py runs the page inside this, so a page knows it was not started on its own; the
    charts the page drew are then offered as one zip of slide-sized pictures."""
    _entry.active = True
    try:
        with show.offering_page_charts():
            yield
    finally:
        _entry.active = False


def page_start(title: str, *, show_scope: bool = True) -> Filters:
    """The first line of every page: the title, what the figures cover, and the filters to use.
    A page started on its own (see the module's docstring) runs app.py instead."""
    if not getattr(_entry, "active", False):
        runpy.run_path(str(APP_SCRIPT), run_name="__main__")
        st.stop()
    current = filters()
    show.name_page_charts(title)
    st.title(title)
    if show_scope:
        st.caption(charts.scope_note(current))
    return current
