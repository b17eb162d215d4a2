"""创文督查 dashboard entry point: `streamlit run app.py`."""
import streamlit as st

from analytics import db

st.set_page_config(page_title="创文督查", page_icon="📋", layout="wide")
db.init_db()
st.title("创文督查")
st.info("页面建设中：请先用 `python -m analytics import 台账文件夹` 导入台账。")
