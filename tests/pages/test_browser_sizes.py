"""The dashboard in a real browser at a desk's 1400×900 and a phone's 390×844 (issue 29): the undo
choice after an upload, and charts whose legends, labels and titles stay apart and inside the chart.

Uses the server and browser of tests/pages/conftest.py (its own demo database for this module) and the
page helpers of test_browser."""
import datetime as dt
import re

import pytest

from analytics import fixtures
from tests.pages.test_browser import WAIT_MS, expect, main_title, settle

SIZES = {"desk": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
# A new unit per size: its upload adds problems instead of updating the demo's.
NEW_UNITS = {"desk": "白云街道", "phone": "青山街道"}


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


# Every text of every plotly chart on the page as drawn: its box, and which kind of text it is.
CHART_TEXTS = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")].map(plot => {
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const box = element => { const b = element.getBoundingClientRect();
                             return {left: b.left, right: b.right, top: b.top, bottom: b.bottom, text: element.textContent}; };
    const all = selector => [...plot.querySelectorAll(selector)].filter(e => e.getBoundingClientRect().width > 0).map(box);
    return {chart: plot.querySelector('.g-gtitle')?.textContent ?? '',
            svg: {left: svg.left, right: svg.right, top: svg.top, bottom: svg.bottom},
            titles: all('.g-gtitle text, .g-gsubtitle text'), legends: all('.legend .legendtext'),
            annotations: all('.annotation-text'), bar_labels: all('.bartext, .textpoint text'),
            toolbars: [...plot.querySelectorAll('.modebar-container')].filter(e => getComputedStyle(e).display !== 'none').length};
})"""
# Pages with charts, and the pages with the boxes and cards issue 29 found cut.
CHART_PAGES = ("", "point_types", "trends", "supervision", "scores", "readiness")


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 \
        and b["top"] < a["bottom"] - 1


def _inside(box: dict, frame: dict) -> bool:
    return box["left"] >= frame["left"] - 1 and box["right"] <= frame["right"] + 1 \
        and box["top"] >= frame["top"] - 1 and box["bottom"] <= frame["bottom"] + 1


@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_texts_stay_inside_their_chart_and_apart(open_page, size, path):
    tab = open_page(path)
    charts = tab.evaluate(CHART_TEXTS)
    assert charts, path
    for chart in charts:
        texts = chart["titles"] + chart["legends"] + chart["annotations"] + chart["bar_labels"]
        cut = [t["text"] for t in texts if not _inside(t, chart["svg"])]
        assert cut == [], (chart["chart"], cut)
        over = [(legend["text"], other["text"]) for legend in chart["legends"]
                for other in chart["titles"] + chart["annotations"] if _overlap(legend, other)]
        over += [(title["text"], label["text"]) for title in chart["titles"] for label in chart["annotations"]
                 if _overlap(title, label)]
        assert over == [], (chart["chart"], over)
        if size == "phone":   # nothing hovers on a touch screen: Plotly's toolbar would stay over the title
            assert chart["toolbars"] == 0, chart["chart"]


def test_controls_and_cards_show_their_whole_text(open_page):
    for path in ("trends", "scores"):
        tab = open_page(path)
        cut = tab.evaluate("""() => [...document.querySelectorAll(
                "[data-testid='stMain'] [data-testid='stMetricValue'] *, [data-testid='stMain'] [data-testid='stButtonGroup'] button p")]
            .filter(e => e.children.length === 0 && e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""")
        assert cut == [], (path, cut)


def test_the_uploader_and_the_date_boxes_speak_chinese(open_page):
    tab = open_page("data_import")
    shown = tab.evaluate("""() => {
        const drawn = element => getComputedStyle(element).fontSize === '0px'
            ? getComputedStyle(element, '::after').content.replace(/^"|"$/g, '') : element.textContent;
        const zone = document.querySelector("[data-testid='stFileUploaderDropzone']");
        return {button: drawn(zone.querySelector("[data-testid='stBaseButton-secondary'] p")),
                limits: drawn(zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span")),
                dates: [...document.querySelectorAll("[data-testid='stDateInputField'] [data-placeholder='true']")].map(drawn)};
    }""")
    assert shown["button"] == "选择文件"
    assert "50MB" in shown["limits"] and "每个文件" in shown["limits"] and "per file" not in shown["limits"]
    assert shown["dates"] and set(shown["dates"]) <= {"年", "月", "日"}, shown["dates"]
