"""创文督查 dashboard entry point: `streamlit run app.py`.

Registers the navigation first (before anything slow, so the browser never shows Streamlit's
folder listing of pages/), then gates the run on signing in, prepares the database, draws what
every page shares (the sidebar with countdown and filters) and runs the chosen page. Pages that
write are registered only for sessions allowed to write, and check the permission again themselves.
"""
from pathlib import Path

import streamlit as st

from dashboard import access, first_start, page, push_timer, sidebar
from dashboard.navigation import PAGES, visible_pages

# Absolute: a page started on its own runs this script with that page as the main script (dashboard/page.py).
HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="创文督查", page_icon="📋", layout="wide")
# Before signing in, every page is registered but none is listed or run: a bookmark to any page
# then shows the sign-in form rather than Streamlit's "page not found".
signed_in = bool(access.current_user().name)
registered = [st.Page(HERE / spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=index == 0)
              for index, spec in enumerate(visible_pages(access.can_write()) if signed_in else PAGES)]
chosen = st.navigation(registered, position="hidden")
# The sidebar's links are drawn here rather than by Streamlit: its own sidebar navigation is off
# (.streamlit/config.toml), because a fresh server's first run would show it as a listing of pages/.
if signed_in:
    with st.sidebar.container(key="navigation"):
        for registered_page in registered:
            st.page_link(registered_page)
if not access.sign_in():
    st.stop()
first_start.prepare_database()
push_timer.start()
sidebar.sidebar()
with page.entered_through_app():
    chosen.run()
