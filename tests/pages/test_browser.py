"""A real browser drives the dashboard: Debian's chromium through Playwright, against the
app started here on a free port of 127.0.0.1, on a fresh demo database.

Every figure read off a page is compared with the analytics functions on the same database. Full-page
screenshots of every page (1920 wide, as tall as the page) land in tests/artifacts/screenshots/, whose
path conftest.py prints at the end of the run. CHUANGWEN_README_SCREENSHOT=1 also refreshes the
README's picture, docs/screenshots/home.png (the first 1920×1080 screen of 晨报).

Streamlit scrolls inside its main area, so Playwright's full_page alone would only capture one
screen: the viewport is stretched to the content's height for each picture.
"""
import datetime as dt
import io
import json
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image
from pptx import Presentation

from analytics.shared import auth, db, statuses
from analytics import fixtures
from analytics.exports.bulletin import SHEETS
from analytics.exports.content import gather
from analytics.exports.deck import kpi_cards
from analytics.exports.files import EXPORT_KINDS, export_file_name
from analytics.exports.tasks import open_tasks, task_file_name
from dashboard.navigation import PAGES as PAGE_SPECS
from tests.pages.browser_server import CHROMIUM, PROJECT, Dashboard

if not CHROMIUM.exists():
    pytest.skip("Debian 的 chromium 未安装（bash tests/run.sh 会用 apt-get 安装）", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SCREENSHOTS = PROJECT / "tests" / "artifacts" / "screenshots"
README_SCREENSHOT = PROJECT / "docs" / "screenshots" / "home.png"
PHONE_SCREENSHOT = PROJECT / "docs" / "screenshots" / "home-phone.png"
PHONE = {"width": 390, "height": 844}
# Streamlit tells a phone by its user agent (not the viewport): an iPhone's Safari, as Playwright's iPhone 13.
PHONE_USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 "
                    "(KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1")
NAVIGATION_LINKS = "[data-testid='stSidebarNavLink']"
# Every label the sidebar navigation ever shows, from the first paint on (before any script run ends).
RECORD_NAVIGATION = """
    window.navigationSeen = new Set();
    new MutationObserver(() => document.querySelectorAll("[data-testid='stSidebarNavLink']")
        .forEach(link => window.navigationSeen.add(link.querySelector('span[label], p')?.innerText.trim() ?? link.innerText)))
      .observe(document, {childList: true, subtree: true, characterData: true});
"""
README_SCREENSHOT_LIMIT = 400_000  # bytes: a picture the repository can carry
# Navigation title -> url path (and screenshot name), in the navigation's order.
PAGES = {spec.title: spec.url_path for spec in PAGE_SPECS}
WRITE_PAGES = tuple(spec.title for spec in PAGE_SPECS if spec.writes)
SCREEN = {"width": 1920, "height": 1080}
WAIT_MS = 60_000
DRAWN = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Under load a session's first page can stand drawn as grey placeholders for a moment after its run
SKELETONS_GONE = """() => !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']")"""
CHARTS_DRAWN = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
                        .every(chart => chart.querySelector('.main-svg'))"""
CONTENT_HEIGHT = """() => Math.max(...["stMain", "stSidebarContent"].map(
    id => document.querySelector(`[data-testid='${id}']`)?.scrollHeight ?? 0))"""
# The data of the first plotly chart on the page, as drawn: one [name, orientation, x, y] per trace.
FIRST_CHART_DATA = """() => JSON.stringify(document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot")
                                          .data.map(t => [t.name, t.orientation, t.x, t.y]))"""

expect.set_options(timeout=WAIT_MS)


@pytest.fixture
def new_tab(browser, dashboard):
    """Opens `path` of the dashboard in a fresh browser session (its own Streamlit session)."""
    contexts = []

    def open_tab(path: str = ""):
        context = browser.new_context(viewport=SCREEN, accept_downloads=True, locale="zh-CN")
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(WAIT_MS)
        tab.goto(f"{dashboard.url}/{path}")
        settle(tab)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_tab):
    """晨报 in a fresh session (single-machine mode: every page is open)."""
    tab = new_tab()
    expect(main_title(tab)).to_have_text("晨报")
    # its burn-down chart is below the first screen and may be put on the page after the run ends
    expect(tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first).to_be_attached()
    settle(tab)
    return tab


# ---- reading pages ----------------------------------------------------------------------------

def settle(tab) -> None:
    """Wait until the script run has finished and every plotly chart has drawn (plus a moment for
    plotly's own layout)."""
    tab.wait_for_selector(DRAWN)
    tab.wait_for_function(SKELETONS_GONE)
    tab.wait_for_function(CHARTS_DRAWN)
    tab.wait_for_timeout(400)
    tab.wait_for_selector(DRAWN)


def main_title(tab):
    return tab.locator("[data-testid='stMain'] h1").first


def go_to(tab, title: str) -> None:
    """Switch page through the sidebar navigation and wait until the page has drawn."""
    tab.locator(NAVIGATION_LINKS).filter(has_text=title).first.click()
    expect(main_title(tab)).to_have_text(title)
    settle(tab)


def navigation_titles(tab) -> list[str]:
    return [text.strip() for text in tab.locator(f"{NAVIGATION_LINKS} p").all_inner_texts()]


def metric_card(tab, label: str):
    return tab.locator("[data-testid='stMetric']").filter(
        has=tab.locator("[data-testid='stMetricLabel']", has_text=label)).first


def metric_value(tab, label: str):
    return metric_card(tab, label).locator("[data-testid='stMetricValue']")


def metric_number(tab, label: str) -> int:
    return int(metric_value(tab, label).inner_text().replace(",", ""))


def numbers_in(text: str) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", text)]


def boxes(tab, testid: str) -> list[str]:
    return tab.locator(f"[data-testid='{testid}']").all_inner_texts()


def assert_no_exception(tab) -> None:
    assert boxes(tab, "stException") == []


def first_chart_data(tab) -> list:
    return json.loads(tab.evaluate(FIRST_CHART_DATA))


def chart_categories(traces: list) -> set[str]:
    """The category axis values of a bar chart's traces (y for horizontal bars)."""
    return {value for _, orientation, x, y in traces for value in ((y if orientation == "h" else x) or [])
            if isinstance(value, str)}


def photograph(tab, path: Path) -> None:
    """A picture of the whole page at 1920 wide: the viewport is stretched to the content's height
    (main area or sidebar, whichever is taller), then put back."""
    height = max(SCREEN["height"], tab.evaluate(CONTENT_HEIGHT))
    tab.set_viewport_size({"width": SCREEN["width"], "height": height})
    settle(tab)
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(SCREEN)
    settle(tab)


def save_readme_screenshot(tab) -> None:
    """The first screen of 晨报, as a person opening the dashboard sees it; made smaller (a 256-colour
    palette) when the full-colour PNG is too big to commit."""
    README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(README_SCREENSHOT))
    if README_SCREENSHOT.stat().st_size > README_SCREENSHOT_LIMIT:
        with Image.open(README_SCREENSHOT) as picture:
            palette = picture.convert("RGB").quantize(256)
        palette.save(README_SCREENSHOT, optimize=True)


def sign_in(tab, name: str, password: str) -> None:
    expect(main_title(tab)).to_contain_text("登录")
    tab.get_by_label("用户名").fill(name)
    tab.get_by_label("密码").fill(password)
    tab.get_by_role("button", name="登录").click()
    expect(tab.locator(NAVIGATION_LINKS).first).to_be_visible()
    settle(tab)


# ---- journeys ---------------------------------------------------------------------------------

def test_the_briefing_shows_the_countdown_and_the_analytics_figures(page, dashboard):
    morning = dashboard.briefing()
    clock, figures = morning.countdown, morning.kpis
    assert clock.test_date is not None, "演示数据设置了测评日期"
    headline = page.locator("[data-testid='stMain'] h2").filter(has_text="测评").first.inner_text()
    if clock.days_left:
        assert numbers_in(headline)[:2] == [clock.days_left, clock.working_days_left], headline
    else:
        assert str(clock.backlog) in headline, headline
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert clock.window_name in sidebar   # 测评窗口12月18日至22日, or 测评日… for one day
    if clock.days_left:
        assert numbers_in(re.search(r"距测评\D*\d+", sidebar).group()) == [clock.days_left]

    assert metric_number(page, "问题总数") == figures.total
    assert metric_number(page, "未整改") == figures.open
    assert metric_number(page, "已整改") == figures.rectified
    assert metric_number(page, "逾期") == figures.overdue
    assert metric_value(page, "整改率").inner_text() == f"{figures.rectify_rate:.1%}"
    # under each count the change of the latest ledger day against the day before it (the arrow says
    # which way; the digits say how much), not today's, which has no ledger yet at the morning meeting
    latest = morning.latest_change
    for label, change in (("问题总数", latest.new), ("未整改", latest.delta_open), ("逾期", latest.delta_overdue)):
        delta = metric_card(page, label).locator("[data-testid='stMetricDelta']").inner_text()
        assert numbers_in(delta) == [abs(change)], (label, delta)


def test_every_page_opens_without_an_error_and_is_photographed(page, dashboard):
    assert navigation_titles(page) == list(PAGES)
    clock = dashboard.briefing().countdown
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # only this run's pictures
    SCREENSHOTS.mkdir(parents=True)
    if os.environ.get("CHUANGWEN_README_SCREENSHOT") == "1":
        save_readme_screenshot(page)
    for number, (title, url_path) in enumerate(PAGES.items(), start=1):
        if number > 1:
            go_to(page, title)
        assert page.url.rstrip("/").endswith("" if title == "晨报" else f"/{url_path}")
        assert_no_exception(page)
        errors = boxes(page, "stAlertContentError")
        if title == "晨报" and clock.days_left and not clock.on_track:
            # the one red box the data asks for: the backlog will not reach zero by the 测评 at this pace
            assert len(errors) == 1 and str(clock.projected_backlog) in errors[0], errors
        else:
            assert errors == [], title
        assert "距测评" in page.locator("[data-testid='stSidebar']").inner_text(), title  # the countdown is always there
        photograph(page, SCREENSHOTS / f"{number}-{url_path}.png")
    for number, url_path in enumerate(PAGES.values(), start=1):
        with Image.open(SCREENSHOTS / f"{number}-{url_path}.png") as picture:
            assert picture.width == SCREEN["width"] and picture.height >= SCREEN["height"]


def test_choosing_a_point_type_changes_the_figures_and_the_charts(page, dashboard):
    picked = next(iter(dashboard.summary()["by_point_type"]))  # the type with the most problems
    expected = dashboard.briefing(point_types=(picked,)).kpis
    assert expected.total < dashboard.briefing().kpis.total
    burndown_before = first_chart_data(page)

    chooser = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="点位类型")
    chooser.first.click()
    page.keyboard.type(picked)  # the option list is virtualised: narrow it first
    page.locator("[role='option']").filter(has_text=picked).first.click()
    page.keyboard.press("Escape")
    expect(metric_value(page, "问题总数")).to_have_text(str(expected.total))
    settle(page)
    assert metric_number(page, "未整改") == expected.open
    assert metric_number(page, "逾期") == expected.overdue
    assert first_chart_data(page) != burndown_before, "清零进度图随筛选变化"
    assert_no_exception(page)

    go_to(page, "点位类型")  # the filter follows to every page: the bars show the chosen type only
    assert picked in page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(
        has_text="点位类型").first.inner_text()
    assert chart_categories(first_chart_data(page)) == {picked}
    assert_no_exception(page)


def test_uploading_a_ledger_moves_the_totals_and_undo_brings_them_back(page, dashboard, tmp_path):
    unit = "白云街道"
    assert unit not in {u.name for u in fixtures.campaign_units()}, "a unit the demo does not have: its problems add"
    ledger = fixtures.ledger_for_unit(unit, seed=21, n_problems=9, report_date=dt.date.today() - dt.timedelta(days=1))
    path = fixtures.write_ledger(ledger, tmp_path)
    added = fixtures.expected_summary(ledger.problems, dt.date.today())
    added_open = sum(count for status, count in added["by_status"].items() if status in statuses.OPEN_STATUSES)
    total, open_ = metric_number(page, "问题总数"), metric_number(page, "未整改")

    go_to(page, "数据导入")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    expect(page.locator("[data-testid='stExpander']").filter(has_text=path.name).first).to_contain_text(unit)
    settle(page)
    page.get_by_role("button", name="导入这1个文件").click()
    expect(page.locator("[data-testid='stAlertContentSuccess']").filter(has_text=path.name).first).to_be_visible()
    settle(page)
    assert_no_exception(page)
    go_to(page, "晨报")
    assert metric_number(page, "问题总数") == total + added["problems"]
    assert metric_number(page, "未整改") == open_ + added_open
    assert metric_number(page, "问题总数") == dashboard.briefing().kpis.total

    go_to(page, "数据导入")
    picker = page.get_by_role("combobox", name=re.compile("撤销一次导入"))
    picker.click()
    page.keyboard.type(path.name)  # hundreds of demo imports: narrow the list to ours
    page.locator("[role='option']").filter(has_text=path.name).first.click()
    expect(picker).to_have_value(re.compile(re.escape(path.name)))
    page.get_by_role("button", name="撤销").click()
    expect(page.locator("[data-testid='stAlertContentSuccess']").first).to_be_visible()
    settle(page)
    assert_no_exception(page)
    go_to(page, "晨报")
    assert (metric_number(page, "问题总数"), metric_number(page, "未整改")) == (total, open_)


def _deck_shows_the_kpis(path: Path, dashboard: Dashboard) -> None:
    with db.connect(dashboard.db_path, read_only=True) as con:
        cards = kpi_cards(gather(con, dashboard.filters()))
    slides = ["\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
              for slide in Presentation(str(path)).slides]
    kpi_slide = next(text for text in slides if "核心指标" in text)
    for label, value, change in cards:
        assert label in kpi_slide and value in kpi_slide and change in kpi_slide


def _bulletin_shows_the_kpis(path: Path, dashboard: Dashboard) -> None:
    figures = dashboard.briefing().kpis
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == list(SHEETS)
    summary_sheet = {label: value for label, value, *_ in workbook["汇总"].iter_rows(min_row=3, values_only=True)}
    assert (summary_sheet["累计排查问题"], summary_sheet["未整改"], summary_sheet["逾期未整改"]) == \
        (figures.total, figures.open, figures.overdue)


def _notice_shows_the_kpis(path: Path, dashboard: Dashboard) -> None:
    figures = dashboard.briefing().kpis
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
    assert f"累计排查各类问题{figures.total}条" in text
    assert f"未整改{figures.open}条，其中逾期未整改{figures.overdue}条" in text


def _task_sheets_are_one_per_unit(path: Path, dashboard: Dashboard) -> None:
    with db.connect(dashboard.db_path, read_only=True) as con:
        tasks = open_tasks(con, dashboard.filters())
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted(task_file_name(unit) for unit in tasks["unit"].unique())
        name = archive.namelist()[0]
        rows = list(openpyxl.load_workbook(io.BytesIO(archive.read(name))).active.iter_rows(values_only=True))
    header = rows[3].index("系统编号")  # the hidden column the importer keys a returned row by
    keys = {row[header] for row in rows[4:] if row[header]}
    assert keys == set(tasks.loc[tasks["unit"].map(task_file_name) == name, "problem_key"])


def _download(tab, kind: str, dashboard: Dashboard, folder: Path) -> Path:
    with tab.expect_download(timeout=120_000) as download:
        tab.get_by_role("button", name=f"下载{EXPORT_KINDS[kind].label}").click()
    assert download.value.suggested_filename == export_file_name(kind, dashboard.filters())
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


@pytest.mark.parametrize("kind, check", [("pptx", _deck_shows_the_kpis), ("xlsx", _bulletin_shows_the_kpis),
                                         ("docx", _notice_shows_the_kpis)])
def test_meeting_files_download_and_open(page, dashboard, tmp_path, kind, check):
    check(_download(page, kind, dashboard, tmp_path), dashboard)


@pytest.mark.parametrize("kind, check", [("docx", _notice_shows_the_kpis), ("tasks", _task_sheets_are_one_per_unit)])
def test_the_notice_and_the_task_sheets_download_from_the_supervision_page(page, dashboard, tmp_path, kind, check):
    go_to(page, "督查")
    expect(page.get_by_role("heading", name="约谈问责与表扬")).to_be_visible()
    check(_download(page, kind, dashboard, tmp_path), dashboard)


def test_a_viewer_finds_the_import_page_closed_by_navigation_and_by_url(new_tab, dashboard):
    auth.add_user("领导", "viewer-pass-1", "viewer", path=dashboard.users_path)
    auth.add_user("督查员", "admin-pass-1", "admin", path=dashboard.users_path)
    try:
        viewer = new_tab()
        sign_in(viewer, "领导", "viewer-pass-1")
        assert navigation_titles(viewer) == [title for title in PAGES if title not in WRITE_PAGES]

        for title in WRITE_PAGES:  # a bookmark to a write page: sign in there, land elsewhere
            by_url = new_tab(PAGES[title])
            sign_in(by_url, "领导", "viewer-pass-1")
            assert main_title(by_url).inner_text() != title
            assert by_url.locator("[data-testid='stFileUploader']").count() == 0
            assert title not in navigation_titles(by_url)
            assert_no_exception(by_url)

        admin = new_tab()  # the 督查室 signs in the same way and finds the page open
        sign_in(admin, "督查员", "admin-pass-1")
        assert navigation_titles(admin) == list(PAGES)
        go_to(admin, "数据导入")
        expect(admin.locator("[data-testid='stFileUploader']")).to_be_visible()
    finally:
        dashboard.users_path.unlink()


def test_a_fresh_start_shows_the_products_navigation_from_the_first_paint_and_ends_with_the_demo(
        browser, tmp_path):
    fresh = Dashboard(tmp_path, first_start=True)
    try:
        context = browser.new_context(viewport=SCREEN, locale="zh-CN")
        context.add_init_script(RECORD_NAVIGATION)
        tab = context.new_page()
        tab.set_default_timeout(WAIT_MS)
        tab.goto(fresh.url)
        expect(tab.locator("[data-testid='stMain']")).to_contain_text("正在生成演示数据")
        assert navigation_titles(tab) == list(PAGES)
        seen = set(tab.evaluate("() => [...window.navigationSeen]"))
        # the product's titles only: never Streamlit's listing of the files in pages/
        assert seen and seen <= set(PAGES), seen
        context.close()   # the tab is closed while the demo is being built
        deadline = time.monotonic() + 300
        while True:
            with db.connect(fresh.db_path, read_only=True) as con:
                imports = con.execute("SELECT count(*) FROM imports").fetchone()[0]
            if imports:
                break
            assert time.monotonic() < deadline, "the demo never landed"
            time.sleep(0.5)
        expected = sum(len(week) for week in fixtures.snapshots(fixtures.campaign(
            end=dt.date.today() - dt.timedelta(days=1))))
        assert imports == expected
        context = browser.new_context(viewport=SCREEN, locale="zh-CN")
        tab = context.new_page()
        tab.set_default_timeout(WAIT_MS)
        tab.goto(fresh.url)
        expect(main_title(tab)).to_have_text("晨报")
        settle(tab)
        assert metric_number(tab, "问题总数") == fresh.briefing().kpis.total > 0
        context.close()
    finally:
        fresh.stop()


def test_the_briefing_fits_a_phone(browser, dashboard):
    """390 × 844: the countdown, the five figures two per row and the start of the briefing within the
    first two screens; nothing scrolls sideways; chart labels stay readable and apart."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    tab.goto(dashboard.url)
    expect(main_title(tab)).to_have_text("晨报")
    expect(tab.locator("[data-testid='stPlotlyChart'] .main-svg").first).to_be_attached()
    settle(tab)
    two_screens = 2 * PHONE["height"]
    countdown = tab.locator("[data-testid='stMain'] h2").filter(has_text="测评").first.bounding_box()
    cards = [card.bounding_box() for card in tab.locator("[data-testid='stMetric']").all()]
    briefing_start = tab.locator("[data-testid='stCode']").first.bounding_box()
    assert len(cards) == 5
    assert countdown["y"] + countdown["height"] <= PHONE["height"]
    rows = sorted({round(card["y"]) for card in cards})
    assert len(rows) == 3 and [sum(round(card["y"]) == row for card in cards) for row in rows] == [2, 2, 1]
    assert max(card["y"] + card["height"] for card in cards) <= two_screens
    assert briefing_start["y"] + 40 <= two_screens
    widths = tab.evaluate("""() => [document.documentElement.scrollWidth,
        document.querySelector("[data-testid='stMain']").scrollWidth]""")
    assert max(widths) <= PHONE["width"], widths
    charts = tab.evaluate("""() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .main-svg")]
        .filter(svg => svg.parentElement.classList.contains('svg-container') && svg.getAttribute('width'))
        .map(svg => ({width: svg.getBoundingClientRect().width,
                      ticks: [...svg.querySelectorAll('.xtick text, .ytick text')].map(text => {
                          const box = text.getBoundingClientRect();
                          return {size: parseFloat(getComputedStyle(text).fontSize), axis: text.closest('.xtick') ? 'x' : 'y',
                                  left: box.left, right: box.right, top: box.top, bottom: box.bottom};})}))""")
    assert charts
    for chart in charts:
        assert chart["width"] <= PHONE["width"]
        assert all(tick["size"] >= 10 for tick in chart["ticks"]), chart["ticks"]
        for axis in ("x", "y"):
            ticks = sorted((t for t in chart["ticks"] if t["axis"] == axis),
                           key=lambda t: (t["left"], t["top"]) if axis == "x" else (t["top"], t["left"]))
            for before, after in zip(ticks, ticks[1:]):
                apart = before["right"] <= after["left"] if axis == "x" else before["bottom"] <= after["top"]
                assert apart, (axis, before, after)
    tab.set_viewport_size({"width": PHONE["width"], "height": two_screens})
    settle(tab)
    PHONE_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(PHONE_SCREENSHOT))
    with Image.open(PHONE_SCREENSHOT) as picture:
        picture.convert("RGB").quantize(256).save(PHONE_SCREENSHOT, optimize=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PHONE_SCREENSHOT, SCREENSHOTS / PHONE_SCREENSHOT.name)
    context.close()


def test_on_a_phone_the_sidebar_closes_after_a_page_is_chosen(browser, dashboard):
    """390 × 844: the menu opens over the page and, once a page is tapped, gets out of the way."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  user_agent=PHONE_USER_AGENT, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    tab.goto(dashboard.url)
    expect(main_title(tab)).to_have_text("晨报")
    settle(tab)
    sidebar = tab.locator("[data-testid='stSidebar']")
    expect(sidebar).to_have_attribute("data-collapsed", "true")   # a phone starts with the page, not the menu
    tab.locator("[data-testid='stExpandSidebarButton']").tap()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    expect(tab.locator(NAVIGATION_LINKS).filter(has_text="趋势")).to_be_in_viewport()
    tab.locator(NAVIGATION_LINKS).filter(has_text="趋势").tap()
    expect(main_title(tab)).to_have_text("趋势")
    settle(tab)
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    box = sidebar.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0, box   # nothing of it left over the page
    assert_no_exception(tab)
    context.close()
