"""The 测评得分 page under AppTest on the demo campaign (three rounds of score sheets): the figures
shown are the analytics functions' answers, a viewer sees it read-only, an empty database says
what to do."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.shared import auth, db
from analytics.scores import model as scores

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/scores.py"


pytestmark = pytest.mark.usefixtures("fresh_caches")


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    return at


def test_the_page_shows_the_latest_round(demo_db):
    with db.connect(demo_db, read_only=True) as con:
        summary = scores.round_summary(con)
        first = scores.round_summary(con, "第一轮")
    at = _open()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "测评得分"
    assert at.selectbox(key="score_round").value == summary.round == "第三轮"
    overall = next(m for m in at.metric if m.label == "综合得分")
    assert overall.value == f"{summary.overall:.2f}"
    gap = next(m for m in at.metric if m.label == "距合格线85分")
    assert gap.value == f"{summary.overall - 85:+.2f}分"
    assert summary.briefing_line() in at.code[0].value
    tables = {t.value.columns[0]: t.value for t in at.dataframe}
    ranked = tables["倒数名次"]
    assert list(ranked["责任单位"]) == list(summary.units["name"])
    assert list(ranked.loc[ranked["后三名"], "责任单位"]) == summary.last_n
    assert len(at.get("plotly_chart")) >= 4
    at.selectbox(key="score_round").set_value("第一轮").run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "综合得分").value == f"{first.overall:.2f}"
    assert "这是第一轮，没有上一轮可比。" in [c.value for c in at.caption]


def test_drill_down_into_one_point(demo_db):
    at = _open()
    with db.connect(demo_db, read_only=True) as con:
        points = scores.point_scores(con, "第三轮")
        lowest = points.iloc[0]
        expected = scores.deductions_with_ledger(con, "第三轮", point_name=lowest["point_name"])
    expected = expected[expected["point_type"] == lowest["point_type"]]
    table = next(t.value for t in at.dataframe if "台账现状" in t.value.columns)
    assert list(table["扣分"]) == list(expected["deduction"])
    assert list(table["台账现状"]) == list(expected["ledger_state"])


def test_a_viewer_reads_the_page(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv(auth.USERS_ENV_VAR, str(tmp_path / "users.json"))
    auth.add_user("领导", "viewer-pass-1", "viewer")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="sign_in_name").input("领导")
    at.text_input(key="sign_in_password").input("viewer-pass-1")
    at.button[0].click().run()
    at.switch_page(PAGE).run()
    assert not at.exception and at.title[0].value == "测评得分"
    assert not at.get("file_uploader") and not at.main.button   # nothing to change here, downloads only


def test_no_score_sheet_yet(demo_db):
    with db.connect(demo_db) as con:
        con.execute("UPDATE score_imports SET undone_at = TIMESTAMP '2026-11-21 08:00', undone_by = '测试'")
    at = _open()
    assert not at.exception
    assert any("还没有模拟测评得分表" in i.value for i in at.info)


def test_score_imports_are_in_the_import_history_and_undone_there(demo_db):
    with db.connect(demo_db, read_only=True) as con:
        third, = con.execute("SELECT import_id FROM score_imports WHERE list_contains(rounds, '第三轮')").fetchone()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data_import.py").run()
    history = next(t.value for t in at.dataframe if "导入编号" in t.value.columns)
    assert history.loc[history["导入编号"] == third, "报送单位"].item() == "模拟测评：第三轮"
    at.selectbox(key="undo_pick").set_value(third).run()
    at.button(key="undo").click().run()
    assert not at.exception
    assert any(f"已撤销第{third}次导入" in s.value for s in at.success)
    with db.connect(demo_db, read_only=True) as con:
        assert scores.round_summary(con).round == "第二轮"
