"""创文督查 dashboard entry point: `streamlit run app.py`.

Draws what every page shares (navigation, the sidebar with countdown and filters) and runs the
chosen page. Pages that write are registered only for sessions allowed to write, and check the
permission again themselves.

Because a `pages/` folder exists, Streamlit wraps this script in its old folder-based navigation,
which runs pages/<name>.py on its own when the URL names it (a bookmark, a reload). Each page's
first line (state.page_start) then runs this script, so the page is drawn through it; the url
paths equal the file names so both navigations agree on the page asked for.
"""
import streamlit as st

from pages import state

st.set_page_config(page_title="创文督查", page_icon="📋", layout="wide")
if not state.sign_in():
    st.stop()
state.prepare_database()

pages = [st.Page(spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=index == 0)
         for index, spec in enumerate(state.PAGES) if state.can_write() or not spec.writes]
page = st.navigation(pages)
state.sidebar()
with state.entered_through_app():
    page.run()
