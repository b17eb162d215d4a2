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

pages = [
    st.Page("pages/home.py", title="晨报", icon=":material/wb_sunny:", url_path="home", default=True),
    st.Page("pages/point_types.py", title="点位类型", icon=":material/place:", url_path="point_types"),
    st.Page("pages/trends.py", title="趋势", icon=":material/trending_up:", url_path="trends"),
    st.Page("pages/supervision.py", title="督查", icon=":material/campaign:", url_path="supervision"),
    st.Page("pages/problems.py", title="问题明细", icon=":material/list_alt:", url_path="problems"),
]
if state.can_write():
    pages += [
        st.Page(state.IMPORT_PAGE, title="数据导入", icon=":material/upload_file:", url_path="data_import"),
        st.Page(state.SETTINGS_PAGE, title="设置", icon=":material/settings:", url_path="settings"),
    ]
page = st.navigation(pages)
state.sidebar()
with state.entered_through_app():
    page.run()
