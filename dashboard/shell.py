"""What every run of the dashboard does around the page chosen: the navigation, the sign-in gate,
the database's first start, the sidebar, then the page itself. app.py is this one call; a page
started on its own calls it too (dashboard/page.py says when that happens).

The menu is Streamlit's own (st.navigation in the sidebar, by section): on a phone it closes the
sidebar after a page is chosen, which links drawn with st.page_link do not (Streamlit 1.67).
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import streamlit as st

from dashboard import access, first_start, push_timer, show, sidebar, style
from dashboard.navigation import PAGES, PageSpec, visible_pages

# Absolute: a page started on its own is the main script, and relative paths would resolve against it.
PROJECT = Path(__file__).resolve().parent.parent
_entry = threading.local()


def _menu(specs: Sequence[PageSpec]) -> dict[str, list[st.Page]]:
    """The pages by section, in navigation order; the first page is the default (the URL "/")."""
    sections: dict[str, list[st.Page]] = {}
    for index, spec in enumerate(specs):
        sections.setdefault(spec.section, []).append(
            st.Page(PROJECT / spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                    default=index == 0))
    return sections


@contextlib.contextmanager
def _running_page() -> Iterator[None]:
    """The page runs inside this, so it knows it was not started on its own; the charts it drew
    are then offered as one zip of slide-sized pictures."""
    _entry.active = True
    try:
        with show.offering_page_charts():
            yield
    finally:
        _entry.active = False


def page_is_running() -> bool:
    """Is the current page being run by run_app (rather than started on its own)?"""
    return getattr(_entry, "active", False)


def run_app() -> None:
    """One run: register the navigation first (before anything slow), then gate on signing in,
    prepare the database, draw the sidebar and run the chosen page."""
    st.set_page_config(page_title="创文督查", page_icon="📋", layout="wide")
    style.page_style()
    signed_in = bool(access.current_user().name)
    # Off in config.toml: a fresh process's first run shows Streamlit's folder navigation of pages/
    # (file names in English) until this script reaches st.navigation, unless the option is off.
    # The option also hides st.navigation's own menu, so it is turned on here, before that menu.
    st.set_option("client.showSidebarNavigation", True)
    # Before signing in, every page is registered but none is listed or run: a bookmark to any
    # page then shows the sign-in form rather than Streamlit's "page not found". Pages that write
    # are registered only for sessions allowed to write, and check the permission again themselves.
    if signed_in:
        chosen = st.navigation(_menu(visible_pages(access.can_write(), access.bound_unit() is not None)),
                               position="sidebar")
    else:
        chosen = st.navigation(_menu(PAGES), position="hidden")
    if not access.sign_in():
        st.stop()
    first_start.prepare_database()
    push_timer.start()
    sidebar.sidebar()
    with _running_page():
        chosen.run()
