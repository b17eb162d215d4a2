"""Counts, rates, overdue items and changes: the hand-built campaign of tests/analytics_data.py, the
empty database, and properties that hold for any state of the tables."""
import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.shared import db
from analytics.shared.filters import Filters
from analytics.ledger.metrics import METRIC_COLUMNS, kpis, metrics, metrics_and_kpis, summary
from analytics_data import AS_OF, empty_database, imports_states, problem_states, replace_state


def test_kpis_on_the_campaign(con):
    figures = kpis(con, Filters(as_of=AS_OF))
    assert dataclasses.asdict(figures) == {
        "as_of": AS_OF, "total": 12, "open": 6, "pending": 4, "in_progress": 2,
        "rectified": 6,              # 已整改 P3 P6 P9 P10 + 已销号 P1 P7
        "closed": 2, "overdue": 3,   # P2 (11-15), P5 (11-19), P11 (11-04); P4's 11-20 is not past yet
        "flagged": 1,                # P12's deadline 尽快
        "rectify_rate": 0.5, "close_rate": 2 / 12,
        "new_today": 1,              # P12
        "rectified_today": 1,        # P3, 已整改 first seen in the 11-20 ledger
        "closed_today": 0,
        "delta_open": 0,             # open 11-19: P2 P3 P4 P5 P8 P11
        "delta_overdue": 1,          # overdue 11-19: P2 P11
        "delta_open_week": 3,        # open 11-13: P2 P3 P11
        "new_week": 5,               # P4 P5 P6 P8 P12 after 11-13
        "rectified_week": 2,         # P6 (11-18), P3 (11-20)
        "closed_week": 0,
    }


def test_a_past_day_is_rebuilt_from_dates_and_history(con):
    figures = kpis(con, Filters(as_of=dt.date(2026, 11, 13)))
    # exist: P1 P2 P3 P7 P9 P10 P11; P1 closed on 11-10 (its date); P2 P3 P11 still 待整改
    assert (figures.total, figures.pending, figures.in_progress, figures.rectified, figures.closed) == (7, 3, 0, 4, 2)
    assert figures.overdue == 1  # P11; P2's deadline 11-15 is still ahead


def test_metrics_by_point_type(con):
    table = metrics(con, Filters(as_of=AS_OF), "point_type")
    assert list(table.columns) == ["point_type", *METRIC_COLUMNS]
    # worst first: most overdue, then lowest 整改率, then most open
    assert table["point_type"].tolist() == ["居民小区", "主要交通路口", "农贸市场", "主次干道", "公共广场"]
    row = table.set_index("point_type").loc["居民小区"]
    assert row[["total", "pending", "in_progress", "rectified", "closed", "open", "overdue"]].tolist() == \
        [4, 1, 1, 1, 1, 2, 2]
    assert row["rectify_rate"] == 0.5 and row["close_rate"] == 0.25 and row["share"] == 4 / 12
    assert row["avg_days_to_rectify"] == 2.5   # P1 3 days, P6 2 days
    assert row[["delta_total_day", "delta_open_day", "delta_overdue_day"]].tolist() == [0, 0, 1]
    assert row[["delta_total_week", "delta_open_week", "delta_overdue_week"]].tolist() == [2, 1, 2]
    roads = table.set_index("point_type").loc["主次干道"]
    assert roads[["total", "open", "delta_open_day", "delta_total_week"]].tolist() == [3, 1, -1, 1]
    assert roads["avg_days_to_rectify"] == 6   # P3 8 days, P7 4 days
    # P9 4 days; P10 was 已整改 without a date in the only ledger listing it: 0 days
    assert table.set_index("point_type").loc["公共广场", "avg_days_to_rectify"] == 2
    assert table.set_index("point_type").loc["农贸市场", "avg_days_to_rectify"] != \
        table.set_index("point_type").loc["农贸市场", "avg_days_to_rectify"]  # NaN: nothing rectified


@pytest.mark.parametrize("by, expected", [
    ("unit", {"甲街道": (6, 3, 2), "乙街道": (5, 2, 0), "丙局": (1, 1, 1)}),
    ("category", {"环境卫生": (6, 3, 1), "市容秩序": (2, 1, 1), "基础设施": (2, 0, 0), "交通秩序": (2, 2, 1)}),
    ("district", {"东区": (6, 3, 2), "西区": (5, 2, 0), "市直": (1, 1, 1)}),
])
def test_metrics_by_other_dimensions(con, by, expected):
    table = metrics(con, Filters(as_of=AS_OF), by).set_index(by)
    assert {key: (row.total, row.open, row.overdue) for key, row in table.iterrows()} == expected


def test_an_unknown_dimension_is_refused(con):
    with pytest.raises(ValueError, match="不支持按"):
        metrics(con, Filters(as_of=AS_OF), "point_name; DROP TABLE problems")


def test_summary_in_the_cli_shape(con):
    assert summary(con, Filters(as_of=AS_OF)) == {
        "problems": 12,
        "by_point_type": {"居民小区": 4, "主次干道": 3, "公共广场": 2, "农贸市场": 2, "主要交通路口": 1},
        "by_status": {"待整改": 4, "整改中": 2, "已整改": 4, "已销号": 2},
        "overdue": 3,
        "by_unit": {"甲街道": 6, "乙街道": 5, "丙局": 1},
        "by_source": {"未填写": 12},
        "flagged": 1,
        "reopened": 0,
        "as_of": "2026-11-20",
    }


def test_summary_agrees_with_the_tables(con):
    filters = Filters(as_of=AS_OF)
    result, by_type = summary(con, filters), metrics(con, filters, "point_type")
    assert result["by_point_type"] == dict(zip(by_type["point_type"], by_type["total"]))
    assert result["overdue"] == by_type["overdue"].sum() == kpis(con, filters).overdue


def test_the_empty_database_answers(tmp_path):
    with db.connect(empty_database(tmp_path), read_only=True) as con:
        filters = Filters(as_of=AS_OF)
        figures = kpis(con, filters)
        assert (figures.total, figures.open, figures.rectify_rate) == (0, 0, None)
        assert metrics(con, filters, "unit").empty
        assert list(metrics(con, filters, "unit").columns) == ["unit", *METRIC_COLUMNS]
        assert summary(con, filters) == {
            "problems": 0, "by_point_type": {}, "by_status": {"待整改": 0, "整改中": 0, "已整改": 0, "已销号": 0},
            "overdue": 0, "by_unit": {}, "by_source": {}, "flagged": 0, "reopened": 0, "as_of": "2026-11-20"}


# ---------------------------------------------------------------------------------------------------
# Properties over arbitrary table states
# ---------------------------------------------------------------------------------------------------
any_day = st.integers(0, 45).map(lambda n: dt.date(2026, 10, 1) + dt.timedelta(days=n))
filter_values = st.fixed_dictionaries({
    "units": st.lists(st.sampled_from(["甲", "乙", "丙"]), max_size=2),
    "point_types": st.lists(st.sampled_from(["居民小区", "主次干道", "未填写"]), max_size=2),
    "categories": st.lists(st.sampled_from(["环境卫生", "未填写"]), max_size=1),
    "date_from": st.none() | any_day,
})
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY_SETTINGS
@given(problems=st.lists(problem_states, max_size=12), imports=imports_states, as_of=any_day)
def test_groups_and_statuses_sum_to_the_total(scratch, problems, imports, as_of):
    replace_state(scratch, problems, imports)
    filters = Filters(as_of=as_of)
    figures = kpis(scratch, filters)
    assert figures.pending + figures.in_progress + figures.rectified == figures.total  # rectified has closed
    assert figures.open == figures.pending + figures.in_progress
    for by in ("point_type", "category", "unit"):
        table = metrics(scratch, filters, by)
        assert table["total"].sum() == figures.total
        assert (table["pending"] + table["in_progress"] + table["rectified"] + table["closed"]
                == table["total"]).all()
        assert table["overdue"].sum() == figures.overdue
        one_scan_table, one_scan_figures = metrics_and_kpis(scratch, filters, by)   # what the briefing uses
        assert one_scan_figures == figures
        assert one_scan_table.equals(table)
    result = summary(scratch, filters)
    assert sum(result["by_status"].values()) == result["problems"] == sum(result["by_point_type"].values())


@PROPERTY_SETTINGS
@given(problems=st.lists(problem_states, max_size=12), imports=imports_states, as_of=any_day,
       chosen=filter_values)
def test_filters_never_increase_a_count(scratch, problems, imports, as_of, chosen):
    replace_state(scratch, problems, imports)
    everything = kpis(scratch, Filters(as_of=as_of))
    narrowed = kpis(scratch, Filters(as_of=as_of, **chosen))
    for field in ("total", "open", "pending", "in_progress", "rectified", "closed", "overdue", "flagged",
                  "new_today", "rectified_today", "new_week", "rectified_week"):
        assert 0 <= getattr(narrowed, field) <= getattr(everything, field), field
