"""The 测评准备 page under AppTest: the projection and its parts are the model's, the settings change
them, the tables are the engine's, and the 晨报 carries the same line."""
import datetime as dt
from pathlib import Path

import pytest

from analytics.shared import db
from analytics.readiness import model as readiness
from analytics.shared.filters import Filters
from analytics.shared.settings import set_setting
from tests.pages.test_app_pages import _app, _texts

SAMPLES = Path(__file__).parents[1] / "samples" / "readiness"
PAGE = "pages/readiness.py"


pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def sample_db(app_database) -> Path:
    # the sample's materials are due 2026-12-10; the sidebar's day is today
    return app_database(sorted(SAMPLES.glob("*.xlsx")), now=dt.datetime(2026, 11, 21, 9))


def _open_page():
    at = _app().run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _expected(db_path) -> readiness.Readiness:
    with db.connect(db_path, read_only=True) as con:
        return readiness.readiness(con, Filters(as_of=dt.date.today()))


def test_the_page_shows_the_models_figures(sample_db):
    at = _open_page()
    expected = _expected(sample_db)
    assert at.title[0].value == "测评准备"
    assert at.code[0].value == readiness.readiness_line(expected) + "。"
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown == {"预计得分": f"{expected.projected:.1f}分", "最好情况": f"{expected.best_case:.1f}分",
                     "实地考察": "84.3分", "网上申报": "60.7分", "问卷调查": "83.4分"}
    tables = [frame.value for frame in at.dataframe]
    who_loses = tables[0]
    assert list(who_loses.columns) == ["责任单位", "丢分合计", "实地丢分", "网上丢分", "扣分点位数", "未通过标准数"]
    assert who_loses["责任单位"].iloc[0] == expected.who_loses["unit"].iloc[0] == "市教育局"
    by_unit = tables[1]
    assert by_unit.set_index("责任单位").loc["市文明办", "被退回"] == 2
    detail = tables[2]
    assert sorted(detail.loc[detail["报送状态"] == "被退回", "退回原因"]) == \
        ["图片质量不达标", "活动内容不对标", "活动内容不对标", "活动内容不对标"]
    survey = tables[3]
    assert list(survey.columns)[:6] == ["调查轮次", "区域", "知晓率", "支持率", "参与率", "满意度"]


def test_changed_weights_on_the_settings_change_the_page(sample_db):
    with db.connect(sample_db) as con:
        set_setting(con, "weight_survey", 0, actor="测试")
    at = _open_page()
    expected = _expected(sample_db)
    assert expected.projected == pytest.approx((84.265625 + 100 * 54 / 89) / 2)
    assert at.metric[0].value == f"{expected.projected:.1f}分"
    assert "按权重40/40/0的加权平均" in _texts(at)


def test_a_missing_part_is_named(app_database):
    app_database([SAMPLES / "网上申报材料报送情况.xlsx", SAMPLES / "测评体系分解表.xlsx"])
    at = _open_page()
    warnings = [w.value for w in at.warning]
    assert any("缺少实地考察数据" in text and "模拟测评得分表" in text for text in warnings)
    assert any("缺少问卷调查数据" in text for text in warnings)
    assert at.metric[0].value == "—"


def test_the_settings_page_lists_the_readiness_settings(sample_db):
    at = _app().run()
    at.switch_page("pages/settings.py").run()
    labels = {number.label for number in at.number_input}
    assert {"实地考察权重", "网上申报权重", "问卷调查权重", "满意度目标（%）", "待审核材料计分比例（%）"} <= labels
    at.number_input(key="setting_weight_online").set_value(50.0)
    next(button for button in at.button if button.label == "保存设置").click().run()
    with db.connect(sample_db, read_only=True) as con:
        assert readiness.readiness(con, Filters()).weights["online"] == 50.0
