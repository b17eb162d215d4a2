"""The 我的联系点 page under AppTest on the county sample: a leader's cards and figures are the model's,
a unit sees its own points and problems only, a 包保单位's login the estates it 包保s with its own problems
there and no other unit."""
import datetime as dt

import pytest

from analytics.registry import model as registry
from analytics.shared import db
from analytics.shared.filters import Filters
from tests.pages.test_app_pages import _app, _signed_in, _texts
from tests.registry.test_model import AS_OF, EXPECTED, SAMPLES

PAGE = "pages/my_points.py"
pytestmark = pytest.mark.usefixtures("fresh_caches")


def _open_page():
    at = _app().run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _expected(db_path, **whose):
    with db.connect(db_path, read_only=True) as con:
        return registry.points_of(con, Filters(as_of=dt.date.today()), **whose)


def test_a_leaders_cards_and_figures_are_the_models(county_db):
    at = _open_page()
    assert at.title[0].value == "我的联系点"
    at.selectbox[-1].set_value("陈志刚").run()
    expected = _expected(county_db, leader="陈志刚")
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["点位"] == str(len(expected)) == "4"
    assert shown["未整改"] == str(expected["open"].sum()) and shown["逾期"] == str(expected["overdue"].sum())
    table = at.dataframe[-1].value
    assert list(table["点位"]) == list(expected["point"])
    assert "人民路—解放路交叉口" in _texts(at) and "王建国、陈志刚" in list(table["联点领导"])


def test_a_unit_sees_its_own_points_and_problems_only(county_db):
    at = _open_page()
    at.radio[0].set_value("责任单位").run()
    at.selectbox[-1].set_value("县市场监管局").run()
    table = at.dataframe[-1].value
    assert sorted(table["点位"]) == ["北门菜市场", "城东农贸市场（东区）"]
    assert set(table["责任单位"]) == {"县市场监管局"}
    expected = _expected(county_db, unit="县市场监管局")
    assert list(table["未整改"]) == list(expected["open"])


def test_the_map_page_shows_the_plan_the_blind_spots_and_the_frontage(county_db):
    at = _app().run()
    at.switch_page("pages/responsibility_map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    with db.connect(county_db, read_only=True) as con:
        today = Filters(as_of=dt.date.today())
        plan = registry.daily_plan(con, today)
        summary = registry.responsibility(con, today)
    tables = {tuple(frame.value.columns)[:2]: frame.value for frame in at.dataframe}
    assert list(tables[("顺序", "点位")]["点位"]) == list(plan["point"])
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["登记商户"] == str(summary["frontage"]["shops"])
    assert any("老李家面馆" in warning.value for warning in at.warning)  # 曝光 is a list to act on, not a failure
    assert "城北客运站、火车站广场" in _texts(at)


def test_an_alias_added_on_the_settings_page_brings_a_name_onto_its_point(county_db):
    at = _app().run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception, [e.value for e in at.exception]
    form = [box for box in at.selectbox if box.label == "台账里的写法"][0]
    form.set_value("火车站广场")
    [box for box in at.selectbox if box.label == "清单中的点位"][0].set_value("东关社区")
    [button for button in at.button if button.label == "添加点位别名"][0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("火车站广场" in success.value for success in at.success)
    with db.connect(county_db, read_only=True) as con:
        after = registry.responsibility(con, Filters(as_of=AS_OF))
    assert after["points"]["unmatched"] == ["城北客运站"]
    assert after["points"]["matched_problems"] == EXPECTED["truth_with_tasks"]["points"]["matched_problems"] + 3


def test_a_leaders_login_opens_on_its_own_points(unit_login):
    at = _signed_in("陈县长", "leader-pass-1")
    at.switch_page(PAGE).run()
    assert at.selectbox[-1].value == "陈志刚"
    assert "联点领导：陈志刚" in "".join(caption.value for caption in at.sidebar.caption)


def test_a_units_login_may_only_upload_its_own_ledger(unit_login):
    at = _signed_in("教育局", "unit-pass-1")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/settings.py")
    at.switch_page("pages/data_import.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "数据导入" and at.file_uploader
    assert any("本账号只能上传县教育局自己的台账" in caption.value for caption in at.caption)
    # the office's part of the page (every unit's imports, undo, quality, aliases) is not drawn
    assert [header.value for header in at.header] == ["上传台账"]
    assert not at.text_input and not at.selectbox and not at.dataframe


@pytest.mark.parametrize("sample, refusal", [
    ("城关镇_创文问题整改台账.xlsx", "这份台账识别为城关镇的"),
    ("清源县第一轮模拟测评扣分明细.xlsx", "这是模拟测评得分表"),
])
def test_a_units_upload_of_what_is_not_its_own_is_refused_on_the_page(unit_login, sample, refusal):
    at = _signed_in("教育局", "unit-pass-1")
    at.switch_page("pages/data_import.py").run()
    at.file_uploader[0].upload(sample, (SAMPLES / sample).read_bytes()).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(refusal in error.value and "只能报送县教育局自己的台账" in error.value for error in at.error)
    (import_button,) = [button for button in at.button if button.label.startswith("导入这")]
    assert import_button.disabled


def test_the_sidebar_offers_leaders_only_with_a_registry_and_every_page_follows_the_choice(county_db):
    at = _app().run()
    (leaders,) = [box for box in at.sidebar.multiselect if box.label == "联点领导"]
    assert leaders.options == [row["leader"] for row in EXPECTED["truth_with_tasks"]["leaders"]]
    assert not [box for box in at.sidebar.multiselect if box.label == "网格"]   # the sample's list has no 网格
    leaders.set_value(["陈志刚"]).run()
    at.switch_page("pages/problems.py").run()
    assert not at.exception, [e.value for e in at.exception]
    with db.connect(county_db, read_only=True) as con:
        chosen = registry.resolve_registry_filters(con, Filters(as_of=dt.date.today(), leaders=("陈志刚",)))
        expected = registry.points_of(con, chosen)
    assert at.session_state["filters"] == chosen
    assert any(f"共{expected['problems'].sum()}条" in caption.value for caption in at.caption)
    assert "联点领导：陈志刚" in _texts(at)


def test_without_a_registry_the_sidebar_offers_no_leaders(app_database):
    app_database([SAMPLES / "城关镇_创文问题整改台账.xlsx"])
    at = _app().run()
    assert not at.exception
    assert {box.label for box in at.sidebar.multiselect}.isdisjoint({"联点领导", "网格"})



def _names_no_other_unit(at, own: str, others: set[str]) -> bool:
    """No other unit on the page: in no text or table, and only `own` in the columns naming units."""
    shown = "\n".join([_texts(at), *(frame.value.astype(str).to_csv() for frame in at.dataframe)])
    columns = [frame.value[column] for frame in at.dataframe
               for column in {"责任单位", "包保单位"} & set(frame.value.columns)]
    return not any(name in shown for name in others) and all(set(column.dropna()) <= {own} for column in columns)


def test_a_guarantors_login_sees_the_estates_it_guards_with_its_own_problems_and_no_other_unit(unit_login):
    """县财政局 answers for no point of the 点位清单 and 包保s 楼栋 of 幸福家园小区 beside 县人力资源和社会保障局;
    城关镇 answers for the estate and has problems there."""
    from analytics.shared import auth

    auth.add_user("财政局", "unit-pass-2", "viewer", unit="县财政局")
    at = _signed_in("财政局", "unit-pass-2")
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[-1].value
    assert list(table["点位"]) == ["幸福家园小区"]
    assert list(table["包保单位"]) == ["县财政局"] and list(table["包保责任人"]) == ["董静 18430463436"]
    assert table["责任单位"].isna().all() and list(table["未整改"]) == [0]
    assert "包保：县财政局：董静 18430463436" in _texts(at)
    assert _names_no_other_unit(at, "县财政局", {"县人力资源和社会保障局"})
    at.switch_page("pages/responsibility_map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    plan = next(frame.value for frame in at.dataframe if "谁去" in frame.value.columns)
    assert list(plan["谁去"]) == ["董静"] and list(plan["联系电话"]) == ["18430463436"]
    assert _names_no_other_unit(at, "县财政局", {"县人力资源和社会保障局"})
