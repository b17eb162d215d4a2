"""The readiness model: the three parts, the projection and its best case, by the stated rules and the
settings (weights, survey targets, pending materials); the sample set matches its expected.json."""
import datetime as dt
import json
from pathlib import Path

import pytest

from analytics.shared import db, schema
from analytics.readiness import model as readiness
from analytics.fixtures import readiness as rf
from analytics.shared.filters import Filters
from analytics.intake import import_paths, undo_import
from analytics.shared.settings import set_setting
from tests.readiness.test_sheets import write_xlsx

SAMPLES = Path(__file__).parents[1] / "samples" / "readiness"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
NOW = dt.datetime(2026, 11, 21, 9)
AS_OF = Filters(as_of=dt.date(2026, 11, 21))
# Where a test sets the 实地 part itself instead of the stored score sheets'
SET_FIELD = readiness.FieldScores("第二轮", EXPECTED["field"])


@pytest.fixture
def sample_db(tmp_path):
    """The sample set: catalogue, score sheet, materials and survey, through the one import door."""
    path = tmp_path / "sample.duckdb"
    import_paths(path, sorted(SAMPLES.glob("*.xlsx")), now=NOW)
    return path


@pytest.fixture
def no_scores_db(tmp_path):
    """The sample set without its score sheet: no 实地 part."""
    path = tmp_path / "no_scores.duckdb"
    import_paths(path, [SAMPLES / name for name in ("测评体系分解表.xlsx", "网上申报材料报送情况.xlsx", "问卷调查结果.xlsx")],
                 now=NOW)
    return path


def result(db_path, field=None, filters=AS_OF, **settings):
    with db.connect(db_path) as con:
        for key, value in settings.items():
            set_setting(con, key, value, actor="测试")
        return readiness.readiness(con, filters, field)


def test_the_sample_set_matches_its_expected_figures(sample_db):
    found = result(sample_db)
    # expected.json holds figures rounded to two decimals, its projection computed from unrounded parts
    assert found.field == pytest.approx(EXPECTED["field"], abs=0.005)
    assert found.field_round == "第二轮"
    assert found.online == pytest.approx(EXPECTED["online"], abs=0.005)
    assert found.survey == pytest.approx(EXPECTED["survey"], abs=0.005)
    assert found.projected == pytest.approx(EXPECTED["projected"], abs=0.01)
    assert found.online_returned == EXPECTED["online_returned"]
    assert found.online_missing == EXPECTED["online_missing"]
    assert (found.survey_round, found.online_by_status) == ("第二轮", {"已通过": 12, "待审核": 3, "被退回": 4, "未报送": 1})
    # best case: the three pending standards (志愿服务制度化 5, 公益广告刊播 6, 政务诚信 2 of 89) pass
    assert found.best_case == pytest.approx(found.projected + 40 / 100 * 100 * 13 / 89)


def test_the_json_has_exactly_the_keys_of_the_command(sample_db):
    figures = readiness.readiness_json(result(sample_db))
    assert list(figures) == ["field", "online", "survey", "projected", "best_case", "weights", "online_returned",
                             "online_missing", "lost_by_unit"]
    assert figures["weights"] == {"field": 40.0, "online": 40.0, "survey": 20.0}
    assert all(isinstance(figures[key], float) for key in ("field", "online", "survey", "projected", "best_case"))
    assert figures["projected"] == pytest.approx(EXPECTED["projected"], abs=0.01)
    json.dumps(figures)   # plain numbers, no numpy types


def test_changed_weights_change_the_projection(sample_db):
    found = result(sample_db, weight_field=50, weight_online=30, weight_survey=20)
    assert found.weights == {"field": 50.0, "online": 30.0, "survey": 20.0}
    assert found.projected == pytest.approx((50 * found.field + 30 * found.online + 20 * found.survey) / 100)
    # weights need not add up to 100: the projection is their weighted mean
    found = result(sample_db, weight_field=1, weight_online=1, weight_survey=1)
    assert found.projected == pytest.approx((found.field + found.online + found.survey) / 3)


def test_a_missing_part_leaves_the_projection_empty_unless_it_weighs_nothing(no_scores_db):
    found = result(no_scores_db)
    assert (found.projected, found.best_case, found.missing_parts) == (None, None, ("实地考察",))
    assert readiness.readiness_line(found).startswith("测评得分暂无法预计（缺少实地考察数据）：实地—、网上60.7、问卷83.4")
    found = result(no_scores_db, weight_field=0)
    assert found.projected == pytest.approx((40 * found.online + 20 * found.survey) / 60)


def test_pending_materials_count_nothing_until_they_pass_unless_set_otherwise(sample_db):
    none = result(sample_db)
    half = result(sample_db, pending_credit_pct=50)
    full = result(sample_db, pending_credit_pct=100)
    assert none.online == pytest.approx(100 * 54 / 89)
    assert half.online == pytest.approx(100 * (54 + 13 / 2) / 89)
    assert full.online == pytest.approx(100 * 67 / 89)
    assert full.projected == pytest.approx(full.best_case) == pytest.approx(none.best_case)


def test_survey_targets_are_settings(sample_db):
    with db.connect(sample_db) as con:
        rates = readiness.survey_rates(con, AS_OF)
        set_setting(con, "target_satisfaction_pct", 95, actor="测试")
        set_setting(con, "target_awareness_pct", 70, actor="测试")
        raised = readiness.survey_rates(con, AS_OF)
    satisfaction = raised["indicator"] == "满意度"
    awareness = raised["indicator"] == "知晓率"
    assert raised.loc[satisfaction, "below_target"].all() and not raised.loc[awareness, "below_target"].any()
    assert set(raised.loc[satisfaction, "target"]) == {0.95}
    assert rates.loc[rates["indicator"] == "满意度", "below_target"].sum() < 8
    # rounds in order, the latest scored
    assert list(dict.fromkeys(rates["round"])) == ["第一轮", "第二轮"]
    table = readiness.survey_table(raised)
    assert list(table.columns) == ["round", "area", "知晓率", "支持率", "参与率", "满意度", "below_target"]
    assert table.iloc[-1].to_dict() == {"round": "第二轮", "area": "西城区", "知晓率": 79.0, "支持率": 92.4,
                                        "参与率": 76.8, "满意度": 81.1, "below_target": "参与率、满意度"}


def test_a_district_filter_limits_the_survey_to_that_area(sample_db):
    found = result(sample_db, filters=Filters(as_of=AS_OF.as_of, districts=("东城区",)))
    assert found.survey == pytest.approx(100 * (0.769 + 0.782 + 0.943 + 0.905) / 4)


def test_a_unit_filter_limits_the_online_part_to_its_standards_and_the_field_to_its_points(sample_db):
    found = result(sample_db, filters=Filters(as_of=AS_OF.as_of, units=("市文明办",)))
    assert (found.online, found.online_returned, found.online_standards) == (0.0, {"市文明办": 2}, 2)
    assert found.field is None   # 市文明办 answers for no 点位
    found = result(sample_db, filters=Filters(as_of=AS_OF.as_of, units=("市教育局",)))
    assert found.field == pytest.approx(100 - (7 + 30 + 18 + 10) / 3)   # its three schools
    assert found.online == pytest.approx(0.0)


def test_overdue_points_against_their_deadline(sample_db):
    before = result(sample_db, filters=Filters(as_of=dt.date(2026, 12, 10)))
    after = result(sample_db, filters=Filters(as_of=dt.date(2026, 12, 11)))
    assert (before.online_overdue, after.online_overdue) == (0, 8)
    with db.connect(sample_db) as con:
        rows = readiness.online_materials_status(con, Filters(as_of=dt.date(2026, 12, 13)))
    table = readiness.open_points_by_unit(rows)
    assert table.iloc[0].to_dict() == {"unit": "市文明办", "returned": 2, "missing": 0, "pending": 0, "overdue": 2,
                                       "open": 2}
    points = readiness.open_online_points(rows)
    assert list(points["status"]) == ["被退回"] * 4 + ["未报送"] + ["待审核"] * 3
    assert set(points["days_overdue"]) == {3}
    returned = points[points["status"] == "被退回"]
    assert sorted(zip(returned["unit"], returned["reason"])) == [
        ("市市场监管局", "活动内容不对标"), ("市教育局", "活动内容不对标"), ("市文明办", "图片质量不达标"),
        ("市文明办", "活动内容不对标")]


def test_lost_points_add_up_to_what_the_projection_misses(sample_db):
    found = result(sample_db)
    assert sum(found.lost_by_unit.values()) == pytest.approx(0.4 * (100 - found.field) + 0.4 * (100 - found.online))
    # 市教育局's schools: 中小学校 (3 点位) of 8 types lost 65 points; and 2 online standards
    assert found.who_loses.set_index("unit").loc["市教育局", "field_lost"] == pytest.approx(0.4 * 65 / 3 / 8)


def test_lost_points_with_the_field_part_set(sample_db):
    field = readiness.FieldScores("第二轮", 80.0, {"城关街道": 12.0, "市教育局": 8.0}, {"城关街道": 3, "市教育局": 2})
    found = result(sample_db, field=field)
    online_lost = 0.4 * (100 - found.online)
    assert sum(found.lost_by_unit.values()) == pytest.approx(online_lost + 0.4 * 20)
    assert found.lost_by_unit["城关街道"] == pytest.approx(0.4 * 12)
    # 市教育局: 垃圾分类宣传教育 (2) returned, 志愿服务制度化 (5) pending, and its 点位
    assert found.lost_by_unit["市教育局"] == pytest.approx(0.4 * 100 * 7 / 89 + 0.4 * 8)
    assert list(found.lost_by_unit)[0] == "市教育局"   # the most first
    first = found.who_loses.iloc[0]
    assert (first["unit"], first["field_points"], first["online_open"]) == ("市教育局", 2, 2)
    assert first["field_lost"] == pytest.approx(0.4 * 8) and first["lost"] == pytest.approx(found.lost_by_unit["市教育局"])


def write_catalogue(path, rows):
    return write_xlsx(path, [["测评项目", "测评内容", "测评标准", "分值", "测评方式", "牵头单位"], *rows])


def write_materials(path, rows):
    return write_xlsx(path, [["测评标准", "责任单位", "报送状态", "退回原因"], *rows])


def test_a_standard_of_two_units_passes_when_both_passed_and_a_silent_standard_is_missing(tmp_path):
    db_path = tmp_path / "t.duckdb"
    (tmp_path / "a").mkdir()
    import_paths(db_path, [
        write_catalogue(tmp_path / "分解表.xlsx", [["思想道德", "志愿", "志愿服务制度化", 6, "网上申报", "市文明办"],
                                                ["思想道德", "诚信", "诚信建设", 4, "网上申报", "市民政局"],
                                                ["思想道德", "家庭", "文明家庭评选", 10, "网上材料审核", "市妇联"]]),
        write_materials(tmp_path / "a" / "报送.xlsx", [["志愿服务制度化", "市文明办", "已通过", None],
                                                     ["志愿服务制度化", "市教育局", "已报送", None],
                                                     ["诚信建设。", "市民政局", "审核通过", None],   # punctuation aside
                                                     ["不在分解表的标准", "市民政局", "被退回", "不对标"]])], now=NOW)
    with db.connect(db_path) as con:
        found = readiness.readiness(con, AS_OF)
        rows = readiness.online_materials_status(con, AS_OF)
    assert found.online == pytest.approx(100 * 4 / 20)
    assert readiness.online_scores(readiness.online_by_standard(rows), 0)[1] == pytest.approx(100 * 10 / 20)
    assert found.online_by_status == {"已通过": 1, "待审核": 1, "被退回": 0, "未报送": 1}
    assert (found.online_missing, found.online_returned) == (1, {"市民政局": 1})
    assert rows.loc[rows["standard"] == "文明家庭评选", "note"].item() == readiness.NO_RECORD
    assert found.notes == ("网上申报材料报送情况中有1项标准不在测评体系分解表中，未计分",)


def test_without_a_catalogue_the_status_sheet_weighs_its_standards(tmp_path):
    db_path = tmp_path / "t.duckdb"
    write_xlsx(tmp_path / "报送.xlsx", [["测评标准", "责任单位", "报送状态", "分值"],
                                        ["志愿服务制度化", "市文明办", "已通过", 6], ["诚信建设", "市民政局", "未报送", 4]])
    import_paths(db_path, [tmp_path / "报送.xlsx"], now=NOW)
    with db.connect(db_path) as con:
        assert readiness.readiness(con, AS_OF).online == pytest.approx(60.0)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_generated_sets_match_the_figures_of_their_generator(tmp_path, seed):
    data = rf.readiness_set(seed, n_online=60, n_field=30, rounds=3)
    db_path = tmp_path / "t.duckdb"
    import_paths(db_path, [rf.write_catalogue(data, tmp_path, fmt="xls", words="other_words"),
                                     rf.write_materials(data, tmp_path, fmt="csv", words="other_words"),
                                     rf.write_survey(data, tmp_path, shape="long", rates="mixed")], now=NOW)
    truth = data.expected(pending_credit_pct=25)
    found = result(db_path, field=SET_FIELD, filters=Filters(as_of=data.as_of), pending_credit_pct=25)
    assert found.online == pytest.approx(truth["online"])
    assert found.best_case == pytest.approx((40 * SET_FIELD.overall + 40 * truth["online_best"]
                                             + 20 * truth["survey"]) / 100)
    assert found.survey == pytest.approx(truth["survey"])
    assert (found.online_returned, found.online_missing, found.online_overdue) == \
        (truth["online_returned"], truth["online_missing"], truth["online_overdue"])


def test_the_briefing_line(sample_db):
    assert readiness.readiness_line(result(sample_db)) == \
        "若今日测评，预计得分74.7分：实地84.3、网上60.7、问卷83.4；网上申报退回4项、未报1项"


def test_an_empty_database_has_no_readiness(tmp_path):
    db_path = schema.init_db(tmp_path / "t.duckdb")
    with db.connect(db_path, read_only=True) as con:
        found = readiness.readiness(con, AS_OF)
    assert (found.online, found.survey, found.projected, found.missing_parts) == \
        (None, None, None, ("实地考察", "网上申报", "问卷调查"))


def test_the_briefing_has_a_readiness_line_only_while_a_sheet_of_the_set_is_in(sample_db):
    with db.connect(sample_db) as con:
        assert readiness.stored_readiness(con, AS_OF) is not None
        sheets = [i for i, in con.execute("SELECT import_id FROM readiness_imports ORDER BY import_id").fetchall()]
    for import_id in sheets:
        undo_import(sample_db, import_id, actor="测试")
    with db.connect(sample_db, read_only=True) as con:
        assert readiness.stored_readiness(con, AS_OF) is None
        assert readiness.readiness(con, AS_OF).missing_parts == ("网上申报", "问卷调查")   # the 实地 part stays


def test_a_status_sheet_that_names_the_content_and_writes_the_reason_into_the_status(tmp_path):
    db_path = tmp_path / "t.duckdb"
    (tmp_path / "a").mkdir()
    import_paths(db_path, [
        write_catalogue(tmp_path / "分解表.xlsx", [["思想道德", "志愿服务", "志愿服务制度化", 6, "网上申报", "市文明办"],
                                                ["思想道德", "诚信建设", "诚信制度落实", 4, "网上申报", "市民政局"]]),
        write_xlsx(tmp_path / "a" / "报送.xlsx", [["测评内容", "报送单位", "审核情况"],
                                                ["志愿服务", "市文明办", "退回（图片不清晰）"],
                                                ["诚信建设", "市民政局", "审核通过"]])], now=NOW)
    with db.connect(db_path) as con:
        rows = readiness.online_materials_status(con, AS_OF)
        found = readiness.readiness(con, AS_OF)
    assert list(zip(rows["standard"], rows["status"], rows["reason"].fillna(""))) == [
        ("志愿服务制度化", "被退回", "图片不清晰"), ("诚信制度落实", "已通过", "")]
    assert found.online == pytest.approx(40.0)


def test_rounds_without_numbers_keep_the_order_they_came_in(tmp_path):
    db_path = tmp_path / "t.duckdb"
    write_xlsx(tmp_path / "问卷.xlsx", [["调查批次", "县（市、区）", "满意度"], ["秋季调查", "东城区", "80%"],
                                       ["冬季调查", "东城区", "90%"]])
    import_paths(db_path, [tmp_path / "问卷.xlsx"], now=NOW)
    found = result(db_path)
    assert (found.survey_round, found.survey) == ("冬季调查", pytest.approx(90.0))


def test_a_status_sheet_with_points_and_methods_is_no_catalogue(tmp_path):
    path = write_xlsx(tmp_path / "报送.xlsx", [["测评标准", "分值", "测评方式", "责任单位", "报送状态", "备注"],
                                              ["志愿服务制度化", 5, "网上申报", "市文明办", "退回修改", "图片模糊"]])
    from analytics.readiness.sheets import read_readiness_sheet
    sheet = read_readiness_sheet(path)
    assert (sheet.kind, sheet.rows["reason"][0]) == ("materials", "图片模糊")


def test_a_catalogue_alone_counts_every_online_standard_missing(tmp_path):
    db_path = tmp_path / "t.duckdb"
    import_paths(db_path, [SAMPLES / "测评体系分解表.xlsx"], now=NOW)
    found = result(db_path)
    assert (found.online, found.online_missing, found.online_by_status["未报送"]) == (0.0, 20, 20)
