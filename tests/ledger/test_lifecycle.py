"""Each problem's status on a past day, rebuilt from its dates and its ledgers' history; undo."""
import datetime as dt
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.shared import db
from analytics.shared.statuses import STATUSES
from analytics.shared.filters import Filters
from analytics.intake import undo_import
from analytics.ledger.lifecycle import overdue_on, scoped_sql, status_on
from analytics.ledger.metrics import kpis
from analytics_data import AS_OF, DAY_ZERO, SPAN, build_campaign, imports_states, problem_states, replace_state


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    return build_campaign(tmp_path_factory.mktemp("campaign"))


def statuses_on(con, day: dt.date) -> dict[str, tuple[str, bool]]:
    scope, params = scoped_sql(Filters(as_of=day))
    rows = con.execute(f"WITH {scope} SELECT problem_key, {status_on('$f_as_of')}, "
                       f"coalesce({overdue_on('$f_as_of')}, FALSE) FROM scoped", params).fetchall()
    return {key: (status, overdue) for key, status, overdue in rows}


@pytest.mark.parametrize("key, day, status, overdue", [
    ("甲街道||1", "2026-10-31", None, False),       # not found yet
    ("甲街道||1", "2026-11-01", "整改中", False),   # its first ledger already had it rectified: at least 整改中
    ("甲街道||1", "2026-11-04", "已整改", False),   # its 整改完成时间
    ("甲街道||1", "2026-11-10", "已销号", False),   # its 销号日期, though the 11-13 ledger still said 已整改
    ("甲街道||2", "2026-11-19", "待整改", True),    # 待整改 in the 11-13 ledger, 整改中 in the 11-20 one
    ("甲街道||2", "2026-11-20", "整改中", True),
    ("甲街道||2", "2026-11-15", "待整改", False),   # the deadline day itself is not overdue
    ("甲街道||3", "2026-11-19", "待整改", False),
    ("甲街道||3", "2026-11-20", "已整改", False),   # no date: the 11-20 ledger is the first to say it
    ("乙街道||2", "2026-11-17", "整改中", False),   # 整改中 in the first ledger that lists it
    ("乙街道||4", "2026-10-10", "已整改", False),   # 已整改, no date, in its first ledger: done when found
    ("丙局||1", "2026-12-31", "待整改", True),      # its last ledger's state holds after it
])
def test_status_on_a_day(campaign, key, day, status, overdue):
    with db.connect(campaign, read_only=True) as con:
        found = statuses_on(con, dt.date.fromisoformat(day)).get(key)
    assert found == (None if status is None else (status, overdue))


def test_the_newest_day_is_the_problems_table(campaign):
    with db.connect(campaign, read_only=True) as con:
        current = dict(con.execute("SELECT problem_key, status FROM problems").fetchall())
        assert {key: status for key, (status, _) in statuses_on(con, AS_OF).items()} == current


def test_an_undone_ledger_no_longer_counts(campaign, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(campaign, path)
    with db.connect(path, read_only=True) as con:
        import_id = con.execute("SELECT import_id FROM imports WHERE file_name = '甲街道_台账_20261120.csv'").fetchone()[0]
    undo_import(path, import_id, actor="测试")
    with db.connect(path, read_only=True) as con:
        figures = kpis(con, Filters(as_of=AS_OF))
        found = statuses_on(con, AS_OF)
    assert figures.total == 9                               # 甲4…甲6 came only with the undone ledger
    assert found["甲街道||1"] == ("已整改", False)            # the 11-13 ledger's word, with its date
    assert found["甲街道||3"] == ("待整改", False)
    assert figures.rectified_today == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problems=st.lists(problem_states, max_size=10), imports=imports_states)
def test_any_history_moves_forward_and_ends_in_the_current_state(scratch, problems, imports):
    replace_state(scratch, problems, imports)
    last_day = DAY_ZERO + dt.timedelta(days=SPAN)
    scope, params = scoped_sql(Filters(as_of=last_day))
    params["first_day"] = DAY_ZERO
    rows = scratch.execute(f"""
        WITH {scope}, days AS (SELECT range::DATE AS day FROM range($first_day::TIMESTAMP,
                                                                    ($f_as_of + 1)::TIMESTAMP, INTERVAL 1 DAY))
        SELECT s.problem_key, d.day, {status_on('d.day')}, p.current_status, d.day >= p.as_of
        FROM scoped s JOIN days d ON d.day >= s.start_day
        JOIN (SELECT problem_key, status AS current_status, as_of FROM problems) p USING (problem_key)
        ORDER BY s.problem_key, d.day""", params).fetchall()
    previous: dict[str, int] = {}
    for key, _, status, current, after_its_ledger in rows:
        stage = STATUSES.index(status)
        assert stage >= previous.get(key, 0)           # a problem only moves forward
        assert stage <= STATUSES.index(current)         # never beyond where its newest ledger has it
        if after_its_ledger:
            assert status == current
        previous[key] = stage
