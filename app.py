"""创文督查 dashboard entry point: `streamlit run app.py`.

Registers the navigation first (before anything slow, so the browser never shows Streamlit's
folder listing of pages/), then gates the run on signing in, prepares the database, draws what
every page shares (the sidebar with countdown and filters) and runs the chosen page. Pages that
write are registered only for sessions allowed to write, and check the permission again themselves.
"""
from pathlib import Path

import streamlit as st

from dashboard import access, first_start, page, sidebar
from dashboard.navigation import visible_pages

# Absolute: a page started on its own runs this script with that page as the main script (dashboard/page.py).
HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="创文督查", page_icon="📋", layout="wide")
chosen = st.navigation([st.Page(HERE / spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                                default=index == 0)
                        for index, spec in enumerate(visible_pages(access.can_write()))],
                       position="sidebar" if access.current_user().name else "hidden")  # none before sign-in
if not access.sign_in():
    st.stop()
first_start.prepare_database()
sidebar.sidebar()
with page.entered_through_app():
    chosen.run()
