"""How long each page takes to draw: `python bench/bench_pages.py [--db PATH | --size city|big|province]`.

Runs app.py with streamlit.testing.v1.AppTest against a database (CHUANGWEN_DB; the automatic demo
data is off) and switches to each page in turn. A cold run starts with Streamlit's data cache
cleared, so every read of the page and of the sidebar goes to DuckDB (the modules are imported and
the schema checked, as in a server that has been up a while); a warm run is the same page drawn
again, every read from the cache, what a user sees when changing a widget that asks for nothing
new. A page that fails is reported with its error instead of a time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, SIZES, build_database, run_times, timed  # noqa: E402
from dashboard.navigation import PAGES as PAGE_SPECS  # noqa: E402

APP = ROOT / "app.py"
PAGES = {spec.script: spec.title for spec in PAGE_SPECS}
FIRST_RUN = "app.py 首次运行（导入模块、建表、晨报）"
TIMEOUT_SECONDS = 300


class PageFailed(RuntimeError):
    pass


def time_pages(db_path: Path, repeat: int, pages: dict[str, str] = PAGES) -> list[dict]:
    """Cold and warm runs of every page of `pages` (script → title; all by default), after the app's
    first run; {"item": page, "cold": [...], "warm": [...]} or "error"."""
    os.environ["CHUANGWEN_DB"] = str(db_path)
    os.environ["CHUANGWEN_AUTO_DEMO"] = "0"
    # Imported here: the environment must be set first, and the harness's other steps need no Streamlit.
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")   # AppTest warns on every run that it has no server runtime

    def checked(at: AppTest) -> AppTest:
        if at.exception:
            raise PageFailed("；".join(str(e.value).splitlines()[0] for e in at.exception))
        return at

    measures = []
    try:
        at, seconds = timed(lambda: checked(AppTest.from_file(str(APP), default_timeout=TIMEOUT_SECONDS).run()))
        measures.append({"item": FIRST_RUN, "cold": [seconds], "warm": []})
    except Exception as error:  # noqa: BLE001 — reported in the table, the harness goes on
        return [{"item": page, "error": f"{type(error).__name__}: {error}"} for page in pages]

    for page, title in pages.items():
        def cold() -> None:
            st.cache_data.clear()
            checked(at.switch_page(page).run())

        try:
            cold_runs = run_times(cold, repeat)
            warm_runs = run_times(lambda: checked(at.run()), repeat)
            if not at.title or at.title[0].value != title:
                raise PageFailed(f"页面标题不是“{title}”：{[t.value for t in at.title]}")
            measures.append({"item": page, "cold": cold_runs, "warm": warm_runs})
        except Exception as error:  # noqa: BLE001
            measures.append({"item": page, "error": f"{type(error).__name__}: {error}"})
    return measures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing database (default: build one of --size)")
    parser.add_argument("--size", choices=list(SIZES), default="big")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
        db_path = args.db or Path(folder) / "chuangwen.duckdb"
        if args.db is None:
            build_database(db_path, SIZES[args.size].n_problems)
        for measure in time_pages(db_path, args.repeat):
            if "error" in measure:
                print(f"{measure['item']:<24} 出错：{measure['error']}")
            else:
                warm = f"{statistics.median(measure['warm']):6.2f}" if measure["warm"] else "     —"
                print(f"{measure['item']:<24} 冷 {statistics.median(measure['cold']):6.2f} 秒  热 {warm} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
