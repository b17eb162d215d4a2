"""Daily and weekly trends on the hand-built campaign, and the backlog identity for any state."""
import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.shared import db
from analytics.shared.filters import Filters
from analytics.ledger.metrics import kpis
from analytics.ledger.trends import TREND_COLUMNS, trends
from analytics_data import AS_OF, empty_database, imports_states, problem_states, replace_state


def _on(table: pd.DataFrame, day: str) -> pd.Series:
    return table.set_index("period_end").loc[pd.Timestamp(day)]


def test_daily_trend(con):
    table = trends(con, Filters(as_of=AS_OF))
    assert list(table.columns) == TREND_COLUMNS
    assert table["period_start"].iloc[0] == pd.Timestamp("2026-09-01")   # P9, the first problem found
    assert table["period_end"].iloc[-1] == pd.Timestamp("2026-11-20")
    assert len(table) == 81                                            # every day, none skipped
    last = _on(table, "2026-11-20")
    assert last[["new", "rectified", "closed", "backlog_before", "backlog"]].tolist() == [1, 1, 0, 6, 6]
    assert last["new_ma7"] == 5 / 7   # P6 P8 P5 P4 P12 found 11-14…11-20
    assert last["rectified_ma7"] == 2 / 7
    assert _on(table, "2026-10-28")[["closed", "backlog"]].tolist() == [1, 0]   # P7 closed; nothing open
    assert _on(table, "2026-11-13")["backlog"] == 3                            # P2 P3 P11


def test_weekly_trend(con):
    table = trends(con, Filters(as_of=AS_OF), period="week")
    last = table.iloc[-1]
    assert (last["period_start"], last["period_end"]) == (pd.Timestamp("2026-11-16"), pd.Timestamp("2026-11-20"))
    # found 11-16…20: P6 P8 P5 P4 P12; left the backlog: P6 (11-18), P3 (11-20); open 11-15: P2 P3 P11
    assert last[["new", "rectified", "closed", "backlog_before", "backlog"]].tolist() == [5, 2, 0, 3, 6]
    assert table["period_start"].iloc[0] == pd.Timestamp("2026-08-31")   # the Monday of 09-01's week
    assert (table["period_start"].dt.day_of_week == 0).all()
    assert table["new"].sum() == 12


def test_trend_per_point_type(con):
    table = trends(con, Filters(as_of=AS_OF), period="week", by="point_type")
    last = table[table["period_end"] == pd.Timestamp("2026-11-20")].set_index("point_type")
    assert last["backlog"].to_dict() == {"主次干道": 1, "主要交通路口": 1, "公共广场": 0, "农贸市场": 2, "居民小区": 2}
    assert last.loc["农贸市场", "new"] == 2


def test_since_keeps_the_backlog_from_before(con):
    table = trends(con, Filters(as_of=AS_OF), since=dt.date(2026, 11, 14))
    assert table["period_start"].iloc[0] == pd.Timestamp("2026-11-14")
    assert table["backlog_before"].iloc[0] == 3


def test_an_unknown_period_is_refused(con):
    with pytest.raises(ValueError, match="统计周期"):
        trends(con, Filters(as_of=AS_OF), period="month")


def test_the_empty_database_answers(tmp_path):
    with db.connect(empty_database(tmp_path), read_only=True) as con:
        assert trends(con, Filters(as_of=AS_OF)).empty
        assert list(trends(con, Filters(as_of=AS_OF), by="unit").columns) == \
            ["period_start", "period_end", "unit", *TREND_COLUMNS[2:]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problems=st.lists(problem_states, max_size=12), imports=imports_states,
       as_of=st.integers(0, 45).map(lambda n: dt.date(2026, 10, 1) + dt.timedelta(days=n)),
       period=st.sampled_from(["day", "week"]), by=st.sampled_from([None, "point_type"]))
def test_backlog_identity(scratch, problems, imports, as_of, period, by):
    """backlog at the end of a period = backlog before + new − rectified, and it chains."""
    replace_state(scratch, problems, imports)
    table = trends(scratch, Filters(as_of=as_of), period=period, by=by)
    if table.empty:
        assert kpis(scratch, Filters(as_of=as_of)).total == 0
        return
    assert (table["backlog"] == table["backlog_before"] + table["new"] - table["rectified"]).all()
    for _, series in (table.groupby(by) if by else [(None, table)]):
        assert (series["backlog_before"].iloc[1:].to_numpy() == series["backlog"].iloc[:-1].to_numpy()).all()
        assert series["backlog_before"].iloc[0] == 0
    overall = table.groupby("period_end")["backlog"].sum()
    assert overall.iloc[-1] == kpis(scratch, Filters(as_of=as_of)).open
