"""A unit's login sees no other unit's rows anywhere (issue 26, point 6), on the county sample with the login
教育局 bound to 县教育局: on every page its menu lists (tables, text, metrics, charts), in every file those pages
offer for download (the deck, the 通报 Word and Excel, the 交办单 zip, every table's Excel and CSV, the 作战图
调度表, …: each download button's own file, made as a click makes it), in the pictures the chart zips are drawn
from, in every leader's 督导单 under its filters and in the 晨报 text. A unit's name that is also a district
(城关镇 here) is looked for in the columns that name units, since the unit's own points lie in that district."""
import io
import json
import zipfile

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from analytics.exports.content import gather
from analytics.exports.images import briefing_figures
from analytics.exports.leader_sheet import leader_sheet_docx
from analytics.ledger.briefing import briefing, briefing_text
from analytics.registry.model import load_map
from analytics.shared import db
from dashboard.navigation import visible_pages
from tests.pages.test_app_pages import _signed_in

pytestmark = pytest.mark.usefixtures("fresh_caches")

OWN = "县教育局"
UNIT_PAGES = [spec.script for spec in visible_pages(may_write=False, unit_bound=True)]
# Columns (as shown) whose values are unit names.
UNIT_COLUMNS = {"责任单位", "单位", "报送单位", "包联单位", "包保单位", "单位名称", "unit", "ledger_unit"}
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "success", "info", "error", "warning", "code")


@pytest.fixture
def offered(monkeypatch):
    """Every file a download button offers in this process: its name → a function making its bytes (the
    button's own callable for a deferred download, its data otherwise)."""
    files = {}
    add_deferred, add = MediaFileManager.add_deferred, MediaFileManager.add

    def spy_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = data_callable
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    def spy_add(self, data, mimetype, coordinates, file_name=None, **kwargs):
        if file_name:
            files[file_name] = lambda: data
        return add(self, data, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy_deferred)
    monkeypatch.setattr(MediaFileManager, "add", spy_add)
    return files


def _names(db_path):
    """Every other unit the database names, and those of them that are no district (see the module's doc).
    The sender of a ledger holding the unit's own rows (a county's 县直单位 summary) is no other unit: its
    name is part of those rows' numbers."""
    with db.connect(db_path, read_only=True) as con:
        units = {name for (name,) in con.execute("""
            SELECT unit FROM problems UNION SELECT ledger_unit FROM problems UNION SELECT unit FROM score_points
            UNION SELECT name FROM units""").fetchall() if name}
        senders = {name for (name,) in con.execute("SELECT DISTINCT ledger_unit FROM problems WHERE unit = ?",
                                                   [OWN]).fetchall()}
        registry = load_map(con)
        districts = {name for (name,) in con.execute("SELECT district FROM problems").fetchall() if name}
    units |= set(registry.points["unit"].dropna())
    districts |= set(registry.points["district"].dropna())
    others = units - {OWN} - senders
    assert others and OWN in units
    return others, others - districts


def _text_of(data: bytes | str) -> str:
    """The text of a file, a zip's members (their names too) read in turn; pictures have none."""
    if isinstance(data, str):
        return data
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join([*archive.namelist(), *(_text_of(archive.read(name)) for name in archive.namelist())])
    return "" if data.startswith(b"\x89PNG") else data.decode("utf-8-sig", errors="ignore")


def _leaks(text: str, names: set[str]) -> list[str]:
    return sorted(name for name in names if name in text)


@pytest.mark.parametrize("page", UNIT_PAGES)
def test_a_units_login_sees_no_other_unit_on_any_page_nor_in_its_downloads(unit_login, offered, page):
    others, anywhere = _names(unit_login)
    at = _signed_in("教育局", "unit-pass-1")
    if page != UNIT_PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["filters"].units == (OWN,)
    for frame in at.dataframe:
        table = frame.value
        for column in table.columns:
            values = {str(value) for value in table[column].dropna()}
            assert not _leaks("\n".join(values), others if column in UNIT_COLUMNS else anywhere), (page, column)
    shown = "\n".join([*(str(element.value) for kind in TEXT_ELEMENTS for element in getattr(at, kind)),
                       *(f"{metric.label} {metric.value}" for metric in at.metric)])
    assert not _leaks(shown, anywhere), page
    charts = "\n".join(chart.proto.spec for chart in at.get("plotly_chart"))
    assert not _leaks(charts, anywhere), page
    # the page's chart zip draws exactly these charts: its pictures are checked above, not rendered here
    downloads = {name: make for name, make in offered.items() if not name.endswith(".zip") or "图表" not in name}
    for name, make in downloads.items():
        assert not _leaks(_text_of(make()), anywhere), (page, name)


# Files a unit's login could be handed besides the buttons: (what, the file's text under its filters).
BESIDES_BUTTONS = [
    ("晨报文字", lambda con, current: briefing_text(briefing(con, current))),
    ("晨报图表（zip 里的图）", lambda con, current: "\n".join(
        figure.to_json() for _, figure in briefing_figures(gather(con, current)))),
    ("每位联点领导的督导单", lambda con, current: "\n".join(
        _text_of(leader_sheet_docx(con, current, leader)) for leader in dict.fromkeys(load_map(con).leaders["leader"]))),
]


@pytest.mark.parametrize("what, text_of", BESIDES_BUTTONS, ids=[case[0] for case in BESIDES_BUTTONS])
def test_nor_in_the_briefing_its_charts_and_the_leaders_sheets(unit_login, what, text_of):
    others, anywhere = _names(unit_login)
    at = _signed_in("教育局", "unit-pass-1")
    current = at.session_state["filters"]
    with db.connect(unit_login, read_only=True) as con:
        text = text_of(con, current)
    assert text and not _leaks(text, anywhere), what


def test_the_downloads_hold_the_units_own_rows(unit_login, offered):
    """The checks above pass on files that say something: the 交办单 and the problem table name the unit."""
    at = _signed_in("教育局", "unit-pass-1")
    at.switch_page("pages/supervision.py").run()
    tasks = next(make for name, make in offered.items() if name.startswith("问题交办单"))
    assert OWN in _text_of(tasks())
    at.switch_page("pages/problems.py").run()
    assert set(at.dataframe[0].value["责任单位"]) == {OWN}
    table = next(make for name, make in offered.items() if name.startswith("问题明细") and name.endswith(".csv"))
    assert OWN in _text_of(table())
    assert json.dumps(OWN, ensure_ascii=False).strip('"') in _text_of(table())
