"""A unit's login in a real browser (issue 26, point 6), on the browser tests' server over a fresh demo
(tests/pages/conftest.py) with test_browser's tab and helpers: its menu, every page it opens without another unit's name in the
text, metrics or charts drawn (tables are drawn on a canvas: their cells are checked under AppTest in
test_unit_scoping.py), its 交办单 zip with its own sheet only, and another unit's ledger refused at upload."""
import io
import zipfile

import pytest

from analytics import fixtures
from analytics.exports.tasks import task_file_name
from analytics.shared import auth, db
from dashboard.navigation import visible_pages
# the tab is test_browser's fixture, used here by name (the server and the browser are conftest's)
from tests.pages.test_browser import (assert_no_exception, expect, go_to, main_title, navigation_titles,  # noqa: F401
                                      new_tab, settle, sign_in)

LOGIN, PASSWORD = "单位账号", "unit-pass-1"


@pytest.fixture(scope="module")
def unit_and_others(dashboard):
    """The demo's unit with the most problems, bound to a login; every other unit's name that is no district;
    the names of the unit's own points (a demo point may be named after a 社区: 幸福社区居委会北侧3号点)."""
    with db.connect(dashboard.db_path, read_only=True) as con:
        (unit,), = con.execute("SELECT unit FROM problems GROUP BY unit ORDER BY count(*) DESC, unit LIMIT 1").fetchall()
        names = {name for (name,) in con.execute("SELECT unit FROM problems UNION SELECT name FROM units").fetchall()}
        districts = {name for (name,) in con.execute("SELECT district FROM units UNION SELECT district FROM problems")
                     .fetchall() if name}
        own_points = {name for (name,) in con.execute(
            "SELECT point_name FROM problems WHERE unit = $unit UNION SELECT name FROM registry_rows WHERE unit = $unit",
            {"unit": unit}).fetchall() if name}
    auth.add_user(LOGIN, PASSWORD, "viewer", path=dashboard.users_path, unit=unit)
    yield unit, names - {unit} - districts, own_points
    dashboard.users_path.unlink()


@pytest.fixture
def unit_tab(new_tab, unit_and_others):
    tab = new_tab()
    sign_in(tab, LOGIN, PASSWORD)
    return tab


def _drawn_text(tab, own_points: set[str]) -> str:
    """What the page shows in words (the main area's text and the charts' SVG text), less its own points' names."""
    text = tab.locator("[data-testid='stMain']").inner_text()
    for name in sorted(own_points, key=len, reverse=True):
        text = text.replace(name, "")
    return text


def test_a_units_login_sees_its_menu_and_no_other_unit_on_any_page(unit_tab, unit_and_others):
    unit, others, own_points = unit_and_others
    titles = [spec.title for spec in visible_pages(may_write=False, unit_bound=True)]
    assert navigation_titles(unit_tab) == titles
    expect(unit_tab.locator("[data-testid='stSidebar']")).to_contain_text(f"本单位：{unit}")
    for title in titles:
        go_to(unit_tab, title)
        assert_no_exception(unit_tab)
        shown = _drawn_text(unit_tab, own_points)
        assert not sorted(name for name in others if name in shown), title


def test_its_task_sheets_are_its_own(unit_tab, unit_and_others, tmp_path):
    unit, _, _ = unit_and_others
    go_to(unit_tab, "督查")
    with unit_tab.expect_download(timeout=120_000) as download:
        unit_tab.get_by_role("button", name="下载问题交办单（zip）").click()
    with zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())) as archive:
        assert archive.namelist() == [task_file_name(unit)]


def test_another_units_ledger_is_refused_at_upload(unit_tab, unit_and_others, tmp_path):
    unit, others, _ = unit_and_others
    other = sorted(others)[0]
    ledger = fixtures.ledger_for_unit(other, seed=5, n_problems=6, report_date=fixtures.campaign().end)
    path = fixtures.write_ledger(ledger, tmp_path)
    go_to(unit_tab, "数据导入")
    expect(main_title(unit_tab)).to_have_text("数据导入")
    unit_tab.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    settle(unit_tab)
    refusal = unit_tab.locator("[data-testid='stAlertContentError']").filter(has_text=f"只能报送{unit}自己的台账")
    expect(refusal.first).to_be_visible()
    expect(unit_tab.get_by_role("button", name="导入这1个文件")).to_be_disabled()
    assert unit_tab.get_by_text("导入记录").count() == 0
