"""A real browser drives the dashboard (issue #7): Debian's chromium through Playwright, against the
app started here on a free port of 127.0.0.1, on a fresh demo database.

Screenshots of every page at 1920×1080 land in tests/artifacts/screenshots/ (the path is printed at
the end of the run)."""
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from analytics import auth, db, fixtures
from analytics.filters import Filters
from analytics.metrics import kpis

CHROMIUM = Path("/usr/bin/chromium")
PROJECT = Path(__file__).resolve().parents[1]
SCREENSHOTS = PROJECT / "tests" / "artifacts" / "screenshots"
PAGES = ["晨报", "点位类型", "趋势", "督查", "问题明细", "数据导入", "设置"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian 的 chromium 未安装（bash tests/run.sh 会用 apt-get 安装）")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dashboard:
    def __init__(self, folder: Path):
        self.db_path = folder / "demo.duckdb"
        self.users_path = folder / "users.json"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        subprocess.run([sys.executable, "-m", "analytics", "demo", "--db", str(self.db_path)], cwd=PROJECT,
                       check=True, capture_output=True, timeout=300)
        env = {**os.environ, db.DB_ENV_VAR: str(self.db_path), auth.USERS_ENV_VAR: str(self.users_path),
               "CHUANGWEN_AUTO_DEMO": "0"}
        self.log = open(folder / "server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"看板没有启动：{(folder / 'server.log').read_text()}")
            time.sleep(0.3)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def kpis_today(self):
        with db.connect(self.db_path, read_only=True) as con:
            return kpis(con, Filters(as_of=dt.date.today()))


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    server = Dashboard(tmp_path_factory.mktemp("browser"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, dashboard):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True,
                                  locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(dashboard.url)
    settle(tab)
    yield tab
    context.close()


def settle(tab, pause_ms: int = 400) -> None:
    """Wait until the script run has finished and the charts had a moment to draw."""
    for _ in range(2):
        tab.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
        tab.wait_for_timeout(pause_ms)


def go_to(tab, title: str) -> None:
    tab.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first.click()
    tab.wait_for_timeout(300)
    settle(tab)
    tab.locator("h1").filter(has_text=title).first.wait_for()


def metric(tab, label: str) -> str:
    card = tab.locator("[data-testid='stMetric']").filter(has_text=label).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def metric_number(tab, label: str) -> int:
    return int(metric(tab, label).replace(",", ""))


def errors_shown(tab) -> list[str]:
    boxes = tab.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    return [boxes.nth(i).inner_text() for i in range(boxes.count())]


def test_the_briefing_shows_the_countdown_and_the_analytics_figures(page, dashboard):
    expected = dashboard.kpis_today()
    headline = page.locator("h2").filter(has_text="距测评还有").first.inner_text()
    assert "天（工作日" in headline
    assert metric_number(page, "问题总数") == expected.total
    assert metric_number(page, "未整改") == expected.open
    assert metric_number(page, "已整改") == expected.rectified
    assert metric_number(page, "逾期") == expected.overdue
    assert metric(page, "整改率") == f"{expected.rectify_rate:.1%}"
    assert "距测评" in page.locator("[data-testid='stSidebar']").inner_text()


def test_every_page_opens_without_an_error_and_is_photographed(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for number, title in enumerate(PAGES, start=1):
        go_to(page, title)
        assert errors_shown(page) == [], title
        page.screenshot(path=str(SCREENSHOTS / f"{number}-{title}.png"), full_page=True)
    assert len(list(SCREENSHOTS.glob("*.png"))) >= len(PAGES)


def test_choosing_a_point_type_changes_the_figures(page):
    everything = metric_number(page, "问题总数")
    chooser = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="点位类型")
    chooser.first.click()
    page.keyboard.type("居民小区")  # the option list is virtualised: narrow it first
    page.locator("[role='option']").filter(has_text="居民小区").first.click()
    page.keyboard.press("Escape")
    settle(page)
    only_housing = metric_number(page, "问题总数")
    assert 0 < only_housing < everything
    go_to(page, "点位类型")  # the filter follows to every page
    assert "居民小区" in page.locator("[data-testid='stSidebar']").inner_text()


def test_uploading_a_ledger_moves_the_totals_and_undo_brings_them_back(page, dashboard, tmp_path):
    ledger = fixtures.ledger_for_unit("白云街道", seed=21, n_problems=9, report_date=dt.date.today()
                                      - dt.timedelta(days=1))
    path = fixtures.write_ledger(ledger, tmp_path)
    before = metric_number(page, "问题总数")
    go_to(page, "数据导入")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    settle(page)
    assert "白云街道" in page.locator("[data-testid='stMain']").inner_text()  # the preview names the unit
    page.get_by_role("button", name="导入这1个文件").click()
    settle(page)
    assert "已导入" in page.locator("[data-testid='stMain']").inner_text()
    go_to(page, "晨报")
    assert metric_number(page, "问题总数") == before + 9

    go_to(page, "数据导入")
    picker = page.locator("[data-testid='stSelectbox']").filter(has_text="撤销一次导入")
    picker.first.click()
    page.locator("[role='option']").filter(has_text=path.name).first.click()
    page.get_by_role("button", name="撤销").click()
    settle(page)
    go_to(page, "晨报")
    assert metric_number(page, "问题总数") == before


@pytest.mark.parametrize("button, check", [
    ("下载晨报PPT", lambda path: len(Presentation(str(path)).slides) >= 8),
    ("下载督查通报Excel", lambda path: openpyxl.load_workbook(path).sheetnames[:2] == ["汇总", "点位类型"]),
])
def test_meeting_files_download_and_open(page, tmp_path, button, check):
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name=button).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert check(saved)


def test_a_viewer_signs_in_and_finds_the_import_page_closed(browser, dashboard):
    auth.add_user("领导", "viewer-pass-1", "viewer", path=dashboard.users_path)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(dashboard.url)
        settle(tab)
        assert "创文督查 · 登录" in tab.locator("h1").first.inner_text()
        tab.get_by_label("用户名").fill("领导")
        tab.get_by_label("密码").fill("viewer-pass-1")
        tab.get_by_role("button", name="登录").click()
        settle(tab)
        navigation = tab.locator("[data-testid='stSidebarNav']").inner_text()
        assert "晨报" in navigation and "数据导入" not in navigation and "设置" not in navigation
        tab.goto(f"{dashboard.url}/data_import")  # by URL: a fresh session must sign in again
        settle(tab)
        assert "创文督查 · 登录" in tab.locator("h1").first.inner_text()
        assert tab.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0
    finally:
        context.close()
        dashboard.users_path.unlink()


@pytest.fixture(scope="module", autouse=True)
def home_screenshot_for_the_readme():
    """Keep the 晨报 screenshot of this run beside the others under the name the README uses."""
    yield
    home = SCREENSHOTS / "1-晨报.png"
    if home.exists():
        shutil.copyfile(home, SCREENSHOTS / "home.png")
