"""The dashboard in a real browser at a desk's 1400×900 and a phone's 390×844 (issue 29): the undo
choice after an upload, and charts whose legends, labels and titles stay apart and inside the chart.

Uses the server, browser and page helpers of test_browser (its own demo database for this module)."""
import datetime as dt
import re

import pytest

from analytics import fixtures
from tests.pages.test_browser import CHROMIUM_ARGS, WAIT_MS, Dashboard, expect, main_title, playwright_api, settle

SIZES = {"desk": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
# A new unit per size: its upload adds problems instead of updating the demo's.
NEW_UNITS = {"desk": "白云街道", "phone": "青山街道"}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    server = Dashboard(tmp_path_factory.mktemp("browser_sizes"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(SIZES))
def size(request):
    return request.param


@pytest.fixture
def open_page(browser, dashboard, size):
    """Opens a page of the dashboard by its url path in a fresh session at this test's size."""
    contexts = []

    def open_at(path: str = ""):
        phone = size == "phone"
        context = browser.new_context(viewport=SIZES[size], device_scale_factor=2 if phone else 1,
                                      is_mobile=phone, has_touch=phone, locale="zh-CN")
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(WAIT_MS)
        tab.goto(f"{dashboard.url}/{path}")
        expect(main_title(tab)).to_be_visible()
        settle(tab)
        return tab

    yield open_at
    for context in contexts:
        context.close()


def test_after_an_upload_undo_offers_the_ledger_just_imported(open_page, size, tmp_path):
    unit = NEW_UNITS[size]
    assert unit not in {u.name for u in fixtures.campaign_units()}
    ledger = fixtures.ledger_for_unit(unit, seed=29, n_problems=6, report_date=dt.date.today() - dt.timedelta(days=1))
    path = fixtures.write_ledger(ledger, tmp_path)
    tab = open_page("data_import")
    picker = tab.get_by_role("combobox", name=re.compile("撤销一次导入"))
    expect(picker).not_to_have_value(re.compile(re.escape(path.name)))

    tab.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    expect(tab.locator("[data-testid='stExpander']").filter(has_text=path.name).first).to_contain_text(unit)
    settle(tab)
    tab.get_by_role("button", name="导入这1个文件").click()
    expect(tab.locator("[data-testid='stAlertContentSuccess']").filter(has_text=path.name).first).to_be_visible()
    settle(tab)
    expect(picker).to_have_value(re.compile(re.escape(path.name)))
