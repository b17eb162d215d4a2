"""A morning of 100 × 1,000-row .xlsx ledgers, the first start, and viewers during an import.

- ratio: the command-line import (`python -m analytics import`, its own process, start-up included)
  of 100 .xlsx ledgers of 1,000 rows (four .xlsx layouts) into an empty database, against pandas
  merely reading the same files (openpyxl, and calamine for reference), in the same run; then a
  second morning: the same units' ledgers a week later (the same 序号, contents moved on). Each
  morning is imported twice (into two databases) and the faster run kept.
- upload: the same first morning through the dashboard's upload path: saved, imported by the command
  line in its own process, followed through its progress report until the results are in.
- first start: `python -m analytics demo --if-empty` (what the first page view starts) on an empty
  database, from start to exit.
- viewers: the second morning imported by the command line again, alone and then while three tabs
  of one Chromium (Playwright) on a running dashboard go round the pages: the slowest page view (click
  to drawn) and how much the viewers slow the import. Before the import, the same tabs for as long
  with nothing imported: the page views the machine gives three browsers anyway. For both windows,
  the CPU seconds the browsers, the dashboard and the import used: the browsers run on this same
  2-core machine, where leaders' browsers would not. The import alone, the same way.
- sessions: the same two windows with three dashboard sessions and no browser: AppTest runs of
  app.py in threads of one process, as one dashboard process serves several sessions, each going
  round the pages. What the views cost the server, without the drawing a leader's own device does.
  AppTest cannot run two scripts at once in one process, so the sessions take turns: a view's time
  includes waiting for the others, as on a dashboard whose Python runs one thread at a time.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analytics import fixtures
from analytics.intake.jobs import follow_import, start_import_process
from bench.common import END, ROOT

LEDGERS, ROWS = 100, 1_000
XLSX_STYLES = ("title_xlsx", "yes_no_xlsx", "two_row_header_xlsx", "per_type_sheets_xlsx")
VIEWERS = 3
CHROMIUM = "/usr/bin/chromium"
DRAWN = "[data-testid='stApp'][data-test-script-state='notRunning']"
NAVIGATION_LINKS = "[data-testid='stSidebarNavLink']"


def write_mornings(folder: Path) -> dict[str, list[Path]]:
    """Both mornings: each unit's ledger of END, then of a week later (same units and seeds)."""
    units = fixtures.campaign_units(0, LEDGERS)
    mornings = {}
    for morning, report_date in (("first", END), ("second", END + dt.timedelta(days=7))):
        mornings[morning] = [
            fixtures.write_ledger(fixtures.ledger_for_unit(unit.name, seed=number, n_problems=ROWS,
                                                           report_date=report_date, style=XLSX_STYLES[number % 4]),
                                  folder / morning / f"{number:03d}")
            for number, unit in enumerate(units)]
    return mornings


def _pandas_read(paths: list[Path], engine: str) -> float:
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in paths:
            pd.read_excel(path, sheet_name=None, header=None, engine=engine)
    return time.perf_counter() - started


def _cli_import(db_path: Path, paths: list[Path]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "analytics", "import", *map(str, paths), "--db", str(db_path)],
                   cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _view_pages_until(url: str, done: threading.Event, views: list[float], errors: list[str]) -> None:
    """VIEWERS tabs of one browser, each going round the pages through the sidebar until `done`."""
    asyncio.run(_tabs_of_one_browser(url, done, views, errors))


async def _tabs_of_one_browser(url: str, done: threading.Event, views: list[float], errors: list[str]) -> None:
    from playwright.async_api import async_playwright

    async def go_round(tab, first_title: int) -> None:
        tab.set_default_timeout(120_000)
        await tab.goto(url)
        await tab.wait_for_selector(DRAWN)
        titles = [text.strip() for text in await tab.locator(f"{NAVIGATION_LINKS} p").all_inner_texts()]
        number = first_title
        while not done.is_set():
            title = titles[number % len(titles)]
            number += 1
            started = time.perf_counter()
            try:
                await tab.locator(NAVIGATION_LINKS).filter(has_text=title).first.click()
                await tab.wait_for_selector(f"[data-testid='stMain'] h1:has-text('{title}')")
                await tab.wait_for_selector(DRAWN)
            except Exception as error:  # any failure is the finding
                errors.append(f"{title}: {error}")
                continue
            views.append(time.perf_counter() - started)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = await browser.new_context(viewport={"width": 1920, "height": 1080})
        tabs = [await context.new_page() for _ in range(VIEWERS)]
        # each tab starts at another page, as three people would
        await asyncio.gather(*(go_round(tab, number * 2) for number, tab in enumerate(tabs)))
        await browser.close()


def _kind_of(command: bytes) -> str | None:
    if b"chrom" in command or b"playwright" in command:
        return "browsers"
    if b"streamlit" in command:
        return "dashboard"
    if b"analytics\x00import" in command or b"multiprocessing" in command:
        return "import"          # the command and its parse workers (forkserver)
    return None


def _cpu_seconds_by_process(dashboard_pid: int | None = None) -> dict[int, tuple[str, float]]:
    """pid → (kind, CPU seconds so far) of the browsers, the dashboard (or `dashboard_pid`) and the
    import, from /proc."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            kind = _kind_of((entry / "cmdline").read_bytes())
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue      # it ended meanwhile
        kind = "dashboard" if int(entry.name) == dashboard_pid else kind
        if kind:
            found[int(entry.name)] = (kind, (int(fields[11]) + int(fields[12])) / tick)   # utime + stime
    return found


def _window(views: list[float], measure: Callable[[], float], dashboard_pid: int | None = None) -> dict:
    """The page views, and the CPU seconds by kind (sampled every 50 ms, so the import's processes
    count though they end within the window), while `measure` runs; its result as seconds."""
    views.clear()
    before = _cpu_seconds_by_process(dashboard_pid)
    latest = dict(before)
    finished = threading.Event()

    def sample() -> None:
        while not finished.wait(0.05):
            latest.update(_cpu_seconds_by_process(dashboard_pid))
    sampler = threading.Thread(target=sample)
    sampler.start()
    seconds = measure()
    finished.set()
    sampler.join()
    latest.update(_cpu_seconds_by_process(dashboard_pid))
    used = {"browsers": 0.0, "dashboard": 0.0, "import": 0.0}
    for pid, (kind, cpu) in latest.items():
        used[kind] += cpu - (before[pid][1] if pid in before else 0.0)
    return {"seconds": seconds, "views": len(views), "slowest_view": max(views, default=None),
            "cpu": {kind: round(cpu, 1) for kind, cpu in used.items()}}


def _watched_import(views: list[float], db_path: Path, paths: list[Path], dashboard_pid: int | None = None) -> dict:
    """The import while the viewers go round, then a window as long without it: the views the
    machine gives them anyway."""
    importing = _window(views, lambda: _cli_import(db_path, paths), dashboard_pid)
    idle = _window(views, lambda: time.sleep(importing["seconds"]) or importing["seconds"], dashboard_pid)
    return {**importing, "without_import": idle}


def _with_viewers(db_path: Path, paths: list[Path]) -> dict:
    port = _free_port()
    env = {**os.environ, "CHUANGWEN_DB": str(db_path), "CHUANGWEN_AUTO_DEMO": "0"}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.headless", "true", "--server.fileWatcherType", "none"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        done, views, errors = threading.Event(), [], []
        browser = threading.Thread(target=_view_pages_until, args=(url, done, views, errors))
        browser.start()
        time.sleep(15)            # every tab has drawn its first pages: the server is warm
        watched = _watched_import(views, db_path, paths)
        done.set()
        browser.join()
        return {**watched, "errors": errors[:3]}
    finally:
        server.terminate()
        server.wait()


def _with_sessions(db_path: Path, paths: list[Path]) -> dict:
    """The two windows of _with_viewers with VIEWERS dashboard sessions in threads of this process
    (AppTest) instead of browser tabs on a dashboard."""
    os.environ["CHUANGWEN_DB"], os.environ["CHUANGWEN_AUTO_DEMO"] = str(db_path), "0"
    # Imported here: the environment must be set first, and the harness's other steps need no Streamlit.
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    from dashboard.navigation import PAGES

    set_log_level("error")   # AppTest warns on every run that it has no server runtime
    done, views, errors = threading.Event(), [], []
    one_run_at_a_time = threading.Lock()

    def go_round(first_page: int) -> None:
        with one_run_at_a_time:
            session = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        number = first_page
        while not done.is_set():
            page = PAGES[number % len(PAGES)]
            number += 1
            started = time.perf_counter()
            with one_run_at_a_time:
                session.switch_page(page.script).run()
            if session.exception:
                errors.append(f"{page.title}: {session.exception[0].value}")
                continue
            views.append(time.perf_counter() - started)

    sessions = [threading.Thread(target=go_round, args=(number * 2,)) for number in range(VIEWERS)]
    for session in sessions:
        session.start()
    time.sleep(5)             # every session has drawn its first pages
    watched = _watched_import(views, db_path, paths, os.getpid())
    done.set()
    for session in sessions:
        session.join()
    return {**watched, "errors": errors[:3]}


def time_morning(work: Path) -> dict:
    mornings = write_mornings(work / "inbox")
    first, second = mornings["first"], mornings["second"]
    measures = {"openpyxl": _pandas_read(first, "openpyxl"), "calamine": _pandas_read(first, "calamine")}
    # Both mornings twice, each time into a new database: the faster of two runs, as one run on two
    # cores shared with whatever else the machine does moves by a tenth.
    runs = []
    for run in range(2):
        base = work / f"alone{run}" / "chuangwen.duckdb"
        first_seconds = _cli_import(base, first)
        if run == 0:
            shutil.copytree(base.parent, work / "kept")   # after the first morning, for the viewers
        runs.append((first_seconds, _window([], lambda: _cli_import(base, second))))
    measures["import_first"] = min(first_seconds for first_seconds, _ in runs)
    second_alone = min((alone for _, alone in runs), key=lambda alone: alone["seconds"])
    measures["import_second"], measures["import_second_cpu"] = second_alone["seconds"], second_alone["cpu"]["import"]
    kept = work / "kept"
    uploads = [(path.name, path.read_bytes()) for path in first]
    started = time.perf_counter()
    job = start_import_process(work / "upload" / "chuangwen.duckdb", uploads, actor="基准测试")
    while not ((followed := follow_import(job)).finished or followed.stopped):
        time.sleep(0.1)
    measures["upload_first"] = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "analytics", "demo", "--if-empty", "--db",
                    str(work / "first_start" / "chuangwen.duckdb")], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    measures["first_start"] = time.perf_counter() - started
    shutil.copytree(kept, work / "kept_for_sessions")
    measures["viewers"] = _with_viewers(kept / "chuangwen.duckdb", second)
    measures["sessions"] = _with_sessions(work / "kept_for_sessions" / "chuangwen.duckdb", second)
    measures["rows"] = LEDGERS * ROWS
    return measures
