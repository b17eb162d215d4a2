"""The morning briefing on the hand-built campaign: the paragraph word for word, the JSON, and that
it agrees with summary and the by-type table."""
import datetime as dt
import json

import pytest

from analytics.shared import db
from analytics.ledger.briefing import briefing, briefing_json, briefing_text
from analytics.shared.filters import Filters
from analytics.ledger.metrics import latest_change, metrics, summary
from analytics.shared.settings import set_setting
from analytics_data import AS_OF, empty_database


@pytest.fixture(name="con")
def writable_con(writable_campaign):
    """These tests change settings: each gets its own copy of the campaign."""
    return writable_campaign


def test_the_paragraph(con):
    set_setting(con, "test_date", "2026-12-18")
    assert briefing_text(briefing(con, Filters(as_of=AS_OF))) == (
        "截至11月20日，距测评还有28天（工作日20天）；累计排查问题12条，已整改6条，整改率50.0%；"
        "11月20日新增1条、整改1条；逾期3条；未整改问题一周增加3条（新增5条、整改2条），按目前进度无法清零；"
        "落后的点位类型：居民小区（未整改问题较上周增加1条，由1条增至2条）、主要交通路口（逾期未整改1条）、"
        "农贸市场（未整改问题较上周增加2条，由0条增至2条）；未报送单位：丁社区（从未报送）、丙局（15天未报送）。")


def test_the_paragraph_when_behind_schedule_and_without_a_date(con):
    set_setting(con, "test_date", "2026-11-27")
    text = briefing_text(briefing(con, Filters(as_of=AS_OF)))
    assert "距测评还有7天（工作日5天）" in text
    assert "未整改问题一周增加3条（新增5条、整改2条），按目前进度无法清零" in text
    set_setting(con, "test_date", None)
    assert briefing_text(briefing(con, Filters(as_of=AS_OF))).startswith("截至11月20日，测评日期尚未设置；累计排查问题12条")


def test_the_json_agrees_with_summary_and_the_table(con):
    set_setting(con, "test_date", "2026-12-18")
    filters = Filters(as_of=AS_OF)
    result = json.loads(json.dumps(briefing_json(briefing(con, filters)), ensure_ascii=False))
    totals, by_type = summary(con, filters), metrics(con, filters, "point_type")
    assert result["as_of"] == totals["as_of"] == "2026-11-20"
    assert result["kpis"]["total"] == totals["problems"] == by_type["total"].sum() == 12
    assert result["kpis"]["rectified"] == totals["by_status"]["已整改"] + totals["by_status"]["已销号"] \
        == by_type["rectified"].sum() + by_type["closed"].sum()
    assert result["kpis"]["overdue"] == totals["overdue"] == by_type["overdue"].sum()
    assert result["countdown"]["test_date"] == "2026-12-18"
    assert result["countdown"]["working_days_left"] == 20
    assert [group["name"] for group in result["lagging_point_types"]] == ["居民小区", "主要交通路口", "农贸市场"]
    assert result["silent_units"] == [
        {"unit": "丁社区", "last_report": None, "days_silent": None},
        {"unit": "丙局", "last_report": "2026-11-05", "days_silent": 15},
    ]
    assert result["text"] == briefing_text(briefing(con, filters))


def test_the_empty_database(tmp_path):
    with db.connect(empty_database(tmp_path), read_only=True) as con:
        b = briefing(con, Filters(as_of=AS_OF))
    assert briefing_text(b) == ("截至11月20日，测评日期尚未设置；累计排查问题0条，已整改0条，整改率—；"
                                "逾期0条；落后的点位类型：无；未报送单位：无。")
    assert json.dumps(briefing_json(b), ensure_ascii=False)


def test_the_window_is_named_and_counted_to_its_first_day(con):
    from analytics.shared.settings import set_test_window

    set_test_window(con, "2026-12-18", "2026-12-22")
    result = briefing(con, Filters(as_of=AS_OF))
    assert briefing_text(result).startswith("截至11月20日，测评窗口12月18日至22日，距测评还有28天（工作日20天）；")
    assert briefing_json(result)["countdown"]["test_date_end"] == "2026-12-22"
    assert "测评窗口12月18日至22日，今天在窗口内" in briefing_text(briefing(con, Filters(as_of=dt.date(2026, 12, 20))))
    assert "测评窗口12月18日至22日已过" in briefing_text(briefing(con, Filters(as_of=dt.date(2026, 12, 23))))


def test_the_briefing_gains_the_readiness_line_once_readiness_sheets_are_in(tmp_path):
    from pathlib import Path

    from analytics.intake import import_paths

    samples = Path(__file__).parents[1] / "samples" / "readiness"
    path = tmp_path / "t.duckdb"
    import_paths(path, [samples / "第二轮模拟测评扣分明细.xlsx"])
    as_of = Filters(as_of=dt.date(2026, 11, 21))
    with db.connect(path, read_only=True) as con:
        assert briefing(con, as_of).readiness is None   # a 模拟测评 alone has its own line
    import_paths(path, [samples / name for name in ("测评体系分解表.xlsx", "网上申报材料报送情况.xlsx", "问卷调查结果.xlsx")])
    with db.connect(path, read_only=True) as con:
        text = briefing_text(briefing(con, as_of))
    assert text.endswith("\n若今日测评，预计得分74.7分：实地84.3、网上60.7、问卷83.4；网上申报退回4项、未报1项。")


def test_the_morning_before_any_ledger_of_the_day_tells_the_latest_ledger_day(con):
    """At 7:30 on 11-21 no ledger of the day is in: the change told is 11-20's against 11-19 (P12 found,
    P3 rectified on 11-20), and the text says which day it is."""
    set_setting(con, "test_date", "2026-12-18")
    morning = briefing(con, Filters(as_of=AS_OF + dt.timedelta(days=1)))
    change = morning.latest_change
    assert (change.day, change.new, change.rectified) == (AS_OF, 1, 1)
    assert change == latest_change(con, Filters(as_of=AS_OF + dt.timedelta(days=1)))
    text = briefing_text(morning)
    assert "11月20日新增1条、整改1条" in text and "较昨日" not in text


def test_without_any_ledger_there_is_no_change_to_tell(tmp_path):
    with db.connect(empty_database(tmp_path)) as con:
        assert latest_change(con, Filters(as_of=AS_OF)) is None
        assert "新增" not in briefing_text(briefing(con, Filters(as_of=AS_OF))).partition("逾期")[0]


def test_the_demo_names_every_type_and_unit_under_the_line_and_who_is_called(demo_template):
    from conftest import DEMO_END

    from analytics.accountability.rule import accountability
    from analytics.scores.model import round_summary

    filters = Filters(as_of=DEMO_END)
    with db.connect(demo_template, read_only=True) as con:
        text = briefing_text(briefing(con, filters))
        scored = round_summary(con, filters=filters)
        called = accountability(con, filters=filters)
    line = next(line for line in text.splitlines() if line.startswith(f"{scored.round}模拟测评"))
    types_part, units_part = line.split("低于")[1].split("单位：")
    below_types = scored.types[scored.types["score"].round(2) < scored.line]["name"]
    below_units = scored.units[scored.units["score"].round(2) < scored.line]["name"]
    assert len(below_units) > 0                    # the demo has units under the line: the line names them
    assert all(name in types_part for name in below_types) and ("无" in types_part) == below_types.empty
    assert all(name in units_part.split("；")[0] for name in below_units)
    assert called.sentence() in text
    assert all(name in called.sentence() for name in called.called_names())
