"""创文督查 dashboard entry point: `streamlit run app.py`. Every run is dashboard/shell.py's run_app:
navigation, sign-in, the database's first start, the sidebar, then the page chosen."""
from dashboard.shell import run_app

run_app()
