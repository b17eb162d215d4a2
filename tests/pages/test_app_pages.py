"""Every page run by AppTest on the demo campaign and on an empty database; the figures shown are
the analytics functions' answers; the filters change them on every page; the import page's
history, undo and alias controls write through the real importer."""
import datetime as dt
import time
from collections import Counter
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.shared import auth, db
from conftest import DEMO_END
from analytics.intake import demo
from analytics import fixtures
from analytics.fixtures import scores as score_fixtures
from analytics.ledger import listing
from analytics.accountability.rule import accountability
from analytics.accountability.standing import interview_candidates, unit_standing
from analytics.ledger.behind import ranking
from analytics.ledger.briefing import briefing, briefing_text
from analytics.exports import images
from analytics.shared.filters import Filters
from analytics.intake.integrity import check_integrity
from analytics.ledger.metrics import kpis, latest_change, metrics
from analytics.shared.settings import get_settings, set_setting
from analytics.intake.upload import import_uploads
from dashboard.navigation import PAGES as PAGE_SPECS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = {spec.script: spec.title for spec in PAGE_SPECS}
ANALYSIS_PAGES = [spec.script for spec in PAGE_SPECS if not spec.writes]


pytestmark = pytest.mark.usefixtures("fresh_caches")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def _open(page: str) -> AppTest:
    at = _app().run()
    if page != "pages/home.py":
        at.switch_page(page).run()
    return at


def _today_filters(**chosen) -> Filters:
    return Filters(as_of=dt.date.today(), **chosen)


def _texts(at: AppTest) -> str:
    return "\n".join(str(element.value) for kind in ("markdown", "caption", "success", "info", "error", "warning")
                     for element in getattr(at, kind))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_demo_data(demo_db, page):
    at = _open(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == PAGES[page]
    assert "还没有数据" not in [h.value for h in at.subheader]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_database(empty_db, page):
    at = _open(page)
    assert not at.exception, [e.value for e in at.exception]
    if page in ANALYSIS_PAGES:
        assert "还没有数据" in [h.value for h in at.subheader]
        assert at.button(key="load_demo").label == "载入演示数据"
    with db.connect(empty_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM imports").fetchone()[0] == 0


def _wait_for_the_demo(path: Path, timeout: float = 300) -> None:
    """Until no demo build is at work and the database has its imports (the build's own process)."""
    deadline = time.monotonic() + timeout
    while demo.demo_being_built(path) or not _imports(path):
        assert time.monotonic() < deadline, "the demo build did not finish"
        time.sleep(0.2)


def _imports(path: Path) -> int:
    with db.connect(path, read_only=True) as con:
        return con.execute("SELECT count(*) FROM imports").fetchone()[0]


def test_a_first_start_whose_session_is_gone_still_ends_with_the_whole_demo_once(app_database):
    path = app_database(auto_demo=True)
    first = _app().run()
    assert not first.exception
    assert "正在生成演示数据" in _texts(first)
    # Other first views while it builds start nothing more; then every session is gone.
    for _ in range(2):
        assert not _app().run().exception
    del first
    _wait_for_the_demo(path)
    ledgers = sum(len(week) for week in fixtures.snapshots(fixtures.campaign(end=dt.date.today() - dt.timedelta(days=1))))
    assert _imports(path) == ledgers
    assert check_integrity(path).ok
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = '修改设置'").fetchone()[0] == 1
        expected = kpis(con, _today_filters())
    st.cache_data.clear()
    at = _app().run()
    assert at.metric[0].value == str(expected.total) and expected.total > 0
    assert _imports(path) == ledgers


def test_empty_state_button_loads_the_demo(empty_db):
    at = _app().run()
    at.button(key="load_demo").click().run()
    assert not at.exception
    _wait_for_the_demo(empty_db)
    st.cache_data.clear()
    at = _app().run()
    with db.connect(empty_db, read_only=True) as con:
        assert at.metric[0].value == str(kpis(con, _today_filters()).total)


def test_briefing_shows_the_analytics_figures(demo_db):
    at = _app().run()
    with db.connect(demo_db, read_only=True) as con:
        expected = kpis(con, _today_filters())
        paragraph = briefing_text(briefing(con, _today_filters()))
        test_date = get_settings(con).test_date
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown == {"问题总数": str(expected.total), "未整改": str(expected.open),
                     "已整改": str(expected.rectified), "整改率": f"{expected.rectify_rate:.1%}",
                     "逾期": str(expected.overdue)}
    assert at.code[0].value == paragraph
    assert f"测评日{test_date.month}月{test_date.day}日" in _texts(at)
    # the cards' changes are the latest ledger day's against the day before, as the paragraph's
    with db.connect(demo_db, read_only=True) as con:
        change = latest_change(con, _today_filters())
    cards = {metric.label: metric for metric in at.metric}
    assert f"{change.day.month}月{change.day.day}日新增{change.new}条" in paragraph
    assert (cards["问题总数"].delta, cards["未整改"].delta, cards["已整改"].delta, cards["逾期"].delta) == \
        tuple(str(value) for value in (change.new, change.delta_open, change.rectified, change.delta_overdue))


def test_filters_change_every_page_and_persist_across_pages(demo_db):
    at = _app().run()
    overall = at.metric[0].value
    unit = at.multiselect(key="filter_units").options[0]
    at.multiselect(key="filter_units").set_value([unit]).run()
    with db.connect(demo_db, read_only=True) as con:
        expected = kpis(con, _today_filters(units=(unit,)))
    assert at.metric[0].value == str(expected.total) != overall

    at.switch_page("pages/point_types.py").run()
    assert at.multiselect(key="filter_units").value == [unit]
    by_type = at.dataframe[0].value
    assert by_type["问题总数"].sum() == expected.total

    at.switch_page("pages/problems.py").run()
    assert f"共{expected.total}条" in _texts(at)

    next(b for b in at.button if b.label == "清除筛选").click().run()
    assert at.multiselect(key="filter_units").value == []
    assert f"共{overall}条" in _texts(at)


@pytest.mark.parametrize("page", ANALYSIS_PAGES)
def test_every_table_and_chart_can_be_downloaded(demo_db, page):
    at = _open(page)
    labels = [button.proto.label for button in at.get("download_button")]
    assert len(at.dataframe) > 0
    assert [label for label in labels if label in ("下载Excel", "下载CSV")] == ["下载Excel", "下载CSV"] * len(at.dataframe)
    charts_zip = "下载本页全部图表（PNG图片，幻灯片尺寸）"
    reason = images.unavailable_reason()
    if page in ("pages/problems.py", "pages/my_points.py", "pages/responsibility_map.py"):   # lists, no chart
        assert charts_zip not in labels
    elif reason is None:
        assert labels[-1] == charts_zip
    else:
        assert reason in _texts(at)


def test_briefing_offers_the_meeting_files(demo_db):
    at = _app().run()
    buttons = {button.proto.label: button.proto for button in at.get("download_button")}
    assert {"下载晨报PPT", "下载督查通报Excel", "下载晨报图表图片（zip）"} <= set(buttons)
    assert buttons["下载晨报图表图片（zip）"].disabled == (images.unavailable_reason() is not None)


def test_as_of_date_moves_the_figures_back_in_time(demo_db):
    at = _app().run()
    earlier = dt.date.today() - dt.timedelta(days=21)
    at.date_input(key="filter_as_of").set_value(earlier).run()
    with db.connect(demo_db, read_only=True) as con:
        expected = kpis(con, Filters(as_of=earlier))
    assert at.metric[0].value == str(expected.total)
    assert f"{earlier.month}月{earlier.day}日" in at.code[0].value


def test_supervision_ranks_units_with_the_last_three_marked(demo_db):
    at = _open("pages/supervision.py")
    with db.connect(demo_db, read_only=True) as con:
        expected = ranking(con, _today_filters(), "unit")
        last_n = get_settings(con).last_n
    shown = next(table.value for table in at.dataframe if f"后{last_n}名" in table.value.columns)
    assert shown["责任单位"].tolist() == expected["unit"].tolist()
    marked = shown.loc[shown[f"后{last_n}名"], "责任单位"].tolist()
    assert marked == expected.loc[expected["last_n"], "unit"].tolist() and len(marked) == last_n


def test_supervision_calls_to_account_on_the_latest_round(demo_db):
    at = _open("pages/supervision.py")
    with db.connect(demo_db, read_only=True) as con:
        expected = accountability(con, filters=_today_filters())
    assert not at.exception
    assert any(expected.sentence() in block.value for block in at.markdown)
    shown = next(table.value for table in at.dataframe if "丢分最多的测评标准" in table.value.columns)
    assert shown["责任单位"].tolist() == expected.units["unit"].tolist()
    if expected.called:
        called = next(table.value for table in at.dataframe if "问责理由" in table.value.columns)
        assert called["责任单位"].tolist() == expected.called_names()


def test_point_type_drilldown_follows_the_pick(demo_db):
    at = _open("pages/point_types.py")
    types = at.selectbox(key="picked_type").options
    assert at.header[0].value == types[0]          # the worst type first
    at.selectbox(key="picked_type").set_value(types[1]).run()
    assert at.header[0].value == types[1]
    with db.connect(demo_db, read_only=True) as con:
        expected = listing.worst_points(con, _today_filters(point_types=(types[1],)))
    worst = next(t.value for t in at.dataframe if "点位名称" in t.value.columns)
    assert worst["点位名称"].tolist() == expected["point_name"].tolist()


def test_trends_per_point_type_shows_the_biggest_types(demo_db):
    at = _open("pages/trends.py")
    at.segmented_control(key="trend_view").set_value("point_type").run()
    at.segmented_control(key="trend_period").set_value("day").run()
    assert not at.exception
    with db.connect(demo_db, read_only=True) as con:
        biggest = metrics(con, _today_filters(), "point_type").nlargest(9, "total")["point_type"]
    assert set(at.dataframe[0].value["点位类型"]) == set(biggest)


@pytest.mark.parametrize("by", ["problem_key", "number"])
def test_problem_search_finds_a_problem_by_its_key_and_shows_the_offices_number(demo_db, by):
    with db.connect(demo_db, read_only=True) as con:
        # a key no other key contains (城关街道||1 is inside 城关街道||12)
        key, point_name, unit, serial = con.execute("""
            SELECT problem_key, point_name, ledger_unit, serial_no FROM problems p
            WHERE (SELECT count(*) FROM problems q WHERE contains(q.problem_key, p.problem_key)) = 1
              AND split_part(problem_key, '|', 2) = '' AND serial_no <> ''
            ORDER BY problem_key LIMIT 1""").fetchone()
    number = f"{unit}第{serial}号"   # what the office wrote, not the internal key
    at = _open("pages/problems.py")
    at.text_input(key="problem_search").input(key if by == "problem_key" else number).run()
    assert "共1条" in _texts(at)
    table = at.dataframe[0].value
    assert table["问题编号"].tolist() == [number] and table["点位名称"].tolist() == [point_name]
    assert not table["问题编号"].str.contains("|", regex=False).any()


@pytest.fixture
def users(tmp_path, monkeypatch):
    monkeypatch.setenv(auth.USERS_ENV_VAR, str(tmp_path / "users.json"))
    auth.add_user("领导", "viewer-pass-1", "viewer")
    auth.add_user("督查室", "admin-pass-1", "admin")


def _signed_in(name: str, password: str) -> AppTest:
    at = _app().run()
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def test_single_machine_mode_is_bannered_and_may_write(demo_db):
    at = _app().run()
    assert "单机模式" in at.sidebar.warning[0].value
    at.switch_page("pages/data_import.py").run()
    assert at.title[0].value == "数据导入" and not at.exception


def test_single_machine_mode_refuses_to_serve_beyond_this_machine(demo_db):
    from streamlit import config

    config.set_option("server.address", "0.0.0.0")
    try:
        at = _app().run()
    finally:
        config.set_option("server.address", "127.0.0.1")
    assert "只允许在本机打开" in at.error[0].value
    assert not at.title and not at.metric


def test_with_users_configured_nothing_shows_before_signing_in(demo_db, users):
    at = _app().run()
    assert at.title[0].value == "创文督查 · 登录"
    assert not at.metric
    wrong = _signed_in("领导", "wrong-password")
    assert wrong.error[0].value == "用户名或密码不正确。" and not wrong.metric


def test_a_viewer_sees_the_dashboard_but_cannot_reach_the_write_pages(demo_db, users):
    at = _signed_in("领导", "viewer-pass-1")
    assert at.title[0].value == "晨报" and at.metric
    assert "当前用户：领导（查看）" in [c.value for c in at.sidebar.caption]
    for page in ("pages/data_import.py", "pages/settings.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


@pytest.mark.parametrize("page", ["pages/data_import.py", "pages/settings.py"])
def test_a_write_page_opened_by_its_url_is_closed_to_viewers_and_strangers(demo_db, users, page):
    stranger = AppTest.from_file(str(Path(APP).parent / page), default_timeout=60).run()
    assert [t.value for t in stranger.title] == ["创文督查 · 登录"]
    viewer = AppTest.from_file(str(Path(APP).parent / page), default_timeout=60)
    viewer.session_state["user"] = auth.User("领导", "viewer")
    viewer.run()
    assert [t.value for t in viewer.title] != [PAGES[page]]
    assert not viewer.get("file_uploader")


def test_an_admin_may_write_and_the_audit_log_names_them(demo_db, users, tmp_path):
    path = _new_unit_ledger(tmp_path)
    (result,) = import_uploads(demo_db, [(path.name, path.read_bytes())], actor="测试")
    at = _signed_in("督查室", "admin-pass-1")
    at.switch_page("pages/data_import.py").run()
    assert at.title[0].value == "数据导入"
    at.selectbox(key="undo_pick").set_value(result.import_id)
    at.button(key="undo").click().run()
    with db.connect(demo_db, read_only=True) as con:
        assert con.execute("SELECT actor FROM audit_log WHERE action = '撤销导入'").fetchall() == [("看板·督查室",)]
        assert con.execute("SELECT undone_by FROM imports WHERE import_id = ?", [result.import_id]).fetchone() == (
            "看板·督查室",)


def _new_unit_ledger(tmp_path: Path) -> Path:
    ledger = fixtures.ledger_for_unit("白云街道", seed=7, n_problems=12, report_date=dt.date(2026, 11, 20))
    return fixtures.write_ledger(ledger, tmp_path / "ledgers")


def test_imported_ledger_appears_in_history_and_undo_removes_it(demo_db, tmp_path):
    path = _new_unit_ledger(tmp_path)
    (result,) = import_uploads(demo_db, [(path.name, path.read_bytes())], actor="测试")
    assert result.outcome == "imported" and result.ledger_unit == "白云街道"
    at = _open("pages/data_import.py")
    history = at.dataframe[0].value
    assert history["文件名"].iloc[0] == path.name and history["报送单位"].iloc[0] == "白云街道"

    at.selectbox(key="undo_pick").set_value(result.import_id)
    at.button(key="undo").click().run()
    assert not at.exception
    assert any(f"已撤销第{result.import_id}次导入" in s.value for s in at.success)
    with db.connect(demo_db, read_only=True) as con:
        assert con.execute("SELECT undone_at IS NOT NULL FROM imports WHERE import_id = ?",
                           [result.import_id]).fetchone()[0]
        assert con.execute("SELECT count(*) FROM problems WHERE ledger_unit = '白云街道'").fetchone()[0] == 0
    assert result.import_id not in at.selectbox(key="undo_pick").options


def test_after_an_import_the_undo_choice_is_the_import_just_made(demo_db, tmp_path):
    at = _open("pages/data_import.py")
    before = at.selectbox(key="undo_pick").value
    path = _new_unit_ledger(tmp_path)
    (result,) = import_uploads(demo_db, [(path.name, path.read_bytes())], actor="测试")
    assert result.import_id != before
    at.run()
    assert at.selectbox(key="undo_pick").value == result.import_id
    at.button(key="undo").click().run()   # undone: the choice moves on to the newest import still in force
    assert at.selectbox(key="undo_pick").value == before

def test_alias_form_maps_an_unclassified_type(demo_db):
    at = _open("pages/data_import.py")
    unknown = at.selectbox(key="alias_name").options
    assert fixtures.UNKNOWN_POINT_TYPE in unknown
    at.selectbox(key="alias_name").set_value(fixtures.UNKNOWN_POINT_TYPE)
    at.selectbox(key="alias_canonical").set_value("背街小巷")
    next(b for b in at.button if b.label == "保存别名").click().run()
    assert not at.exception
    with db.connect(demo_db, read_only=True) as con:
        left = con.execute("SELECT count(*) FROM problems WHERE point_type = ?",
                           [fixtures.UNKNOWN_POINT_TYPE]).fetchone()[0]
    assert left == 0
    assert fixtures.UNKNOWN_POINT_TYPE not in at.selectbox(key="alias_name").options


def test_settings_page_saves_the_test_window_and_the_countdown_follows(demo_db):
    at = _open("pages/settings.py")
    new_date = dt.date.today() + dt.timedelta(days=40)
    next(d for d in at.date_input if d.label == "测评窗口首日").set_value(new_date)
    next(d for d in at.date_input if d.label == "测评窗口末日").set_value(new_date + dt.timedelta(days=4))
    next(b for b in at.button if b.label == "保存设置").click().run()
    assert not at.exception
    with db.connect(demo_db, read_only=True) as con:
        assert (get_settings(con).test_date, get_settings(con).test_date_end) == (new_date, new_date + dt.timedelta(days=4))
    assert "距测评 40 天" in _texts(at) and "测评窗口" in _texts(at)


@pytest.mark.parametrize("kind, label, word, meaning", [("status", "整改状态", "已上报", "整改中"),
                                                      ("photo", "照片列", "销号后影像", "整改后照片")])
def test_settings_page_adds_a_word(demo_db, kind, label, word, meaning):
    at = _open("pages/settings.py")
    at.text_input(key=f"word_{kind}").set_value(word)
    at.selectbox(key=f"meaning_{kind}").set_value(meaning)
    next(b for b in at.button if b.label == f"添加{label}词语").click().run()
    assert not at.exception
    assert any(f"已添加：“{word}”读作“{meaning}”" in s.value for s in at.success)
    with db.connect(demo_db) as con:
        assert con.execute("SELECT kind, word, meaning FROM office_words").fetchall() == [(kind, word, meaning)]
        con.execute("DELETE FROM office_words")


def test_the_import_page_shows_ledger_quality_and_each_units_rows_to_send_back(demo_db):
    from analytics.ledger.quality import ledger_quality, rows_to_return

    at = _open("pages/data_import.py")
    assert not at.exception
    with db.connect(demo_db, read_only=True) as con:
        expected = ledger_quality(con, _today_filters())
        unit = expected.loc[expected["flagged"] > 0, "unit"].iloc[0]
        rows = rows_to_return(con, _today_filters(), unit)
    shown = next(table.value for table in at.dataframe if "待核原因" in table.value.columns)
    assert shown["填报单位"].tolist() == expected["unit"].tolist()
    assert shown["待核条数"].tolist() == expected["flagged"].tolist()
    assert at.selectbox(key="quality_unit").value == unit
    sent_back = next(table.value for table in at.dataframe if "请补充或核实" in table.value.columns)
    assert len(sent_back) == len(rows) > 0


def _demo_repeats() -> Counter:
    """反复 in the demo (tests/conftest.py) by the rule, from its rounds' truth, per unit: round two's
    deductions (round one is a 得分汇总, scores only: no tasks) whose 点位 round three scores with points
    lost on the same standard again, whichever unit its row there names. Its units' ledgers never name
    these tasks, so none was reported done or closed before the re-test."""
    campaign = fixtures.campaign(end=DEMO_END, test_date=DEMO_END + dt.timedelta(days=demo.DAYS_TO_TEST))
    _, tasked, retest = score_fixtures.demo_rounds(score_fixtures.spots_from_problems(campaign.problems),
                                                   demo.demo_round_dates(campaign), seed=campaign.seed)
    lost_again = {(r.spot.point_type, r.spot.point_name, d[1]) for r in retest.results for d in r.deductions}
    return Counter(r.spot.unit for r in tasked.results for d in r.deductions
                   if (r.spot.point_type, r.spot.point_name, d[1]) in lost_again)


def test_supervision_shows_the_best_beside_the_last_three_and_rework_beside_rebounds(demo_db, tmp_path):
    from analytics.ledger.rankings import best_and_last
    from analytics.ledger.rework import rework_rates
    from tests.ledger.test_rework import LEDGERS, write_ledger   # a unit's ledgers in which two problems are reopened

    for report_date, statuses in LEDGERS:
        path = write_ledger(tmp_path, report_date, statuses, unit="青山湖街道")
        import_uploads(demo_db, [(path.name, path.read_bytes())], actor="测试")
    at = _open("pages/supervision.py")
    assert not at.exception
    with db.connect(demo_db, read_only=True) as con:
        standing = unit_standing(con, _today_filters())
        best, last = best_and_last(standing.ranking, "unit", get_settings(con).last_n, standing.criticised)
        rework = rework_rates(con, _today_filters(), "unit")
    headers = [h.value for h in at.header]
    assert "红榜与后3名（按整改率）" in headers and headers.index("返工问题") == headers.index("反弹问题") + 1
    tables = [table.value for table in at.dataframe if list(table.value.columns) == ["排名", "责任单位", "整改率", "未整改"]]
    assert [t["责任单位"].tolist() for t in tables] == [best["unit"].tolist(), last["unit"].tolist()]
    assert len(last) == 3
    by_unit, by_type = [table.value for table in at.dataframe if "返工率" in table.value.columns]
    assert by_unit["责任单位"].tolist() == rework.loc[rework["reopened"] > 0, "unit"].tolist()
    # the two reopened problems of 青山湖街道's ledgers, and the demo's 反复 (its re-tests)
    repeats = _demo_repeats()
    assert dict(zip(by_unit["责任单位"], by_unit["返工数"])) == dict(repeats + Counter({"青山湖街道": 2}))
    assert dict(zip(by_unit["责任单位"], by_unit["其中复测反复"])) == {unit: repeats[unit] for unit in by_unit["责任单位"]}
    assert by_type["返工数"].sum() == 2 + sum(repeats.values())


def test_supervision_ranked_by_the_mock_evaluation_score(demo_db):
    """The office may rank its 红榜 and 后N名 by the 模拟测评 score; 约谈 and praise keep to 整改率."""
    with db.connect(demo_db) as con:
        set_setting(con, "ranking_measure", "模拟测评得分", actor="测试")
        candidates = interview_candidates(con, _today_filters())
    at = _open("pages/supervision.py")
    assert not at.exception
    headers = [h.value for h in at.header]
    assert "红榜与后3名（按模拟测评得分）" in headers and "约谈问责与表扬" in headers
    shown = next(table.value for table in at.dataframe if "依据" in table.value.columns)
    assert shown["责任单位"].tolist() == candidates["unit"].tolist() and len(candidates)
