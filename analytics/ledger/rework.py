"""返工 (reopened): a problem a ledger once reported 已整改 or 已销号 that a later ledger reports open
again. It is the same problem not really fixed; 反弹 (analytics.ledger.rebounds) is a new problem at the
same place.

The importer places the day (problems.reopened_day: the effective date of the latest ledger that
reported it open right after a ledger that had it done); the problem's life starts again that day,
so it is open from that report on, not open all along (see the derivation of the current state).

反复 counts too: a task (交办) whose standard a later 测评 round found losing points again at the same
点位, whether or not the unit had reported it done (problems.repeated_day, the re-test's day; its life
is left as it was). A task reported done and failed on re-test is both, on the same day: it counts once.
A problem counts as reopened once, however many ledgers or rounds repeat it or however often it reopens.

返工率 = reopened / the problems reported done or re-tested and repeated at some time, as of the day.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from analytics.shared.filters import Filters
from analytics.ledger.lifecycle import dimension_column, done_by, scoped_sql

REWORK_COLUMNS = ["done_ever", "reopened", "repeated", "rework_rate", "reopened_week"]


def repeated_by(day: str) -> str:
    """反复 on or before `day`: a later round's re-test lost points on the task's standard again."""
    return f"(repeated_day <= {day})"


def reopened_by(day: str) -> str:
    """返工 on or before `day` (a SQL expression, as in analytics.ledger.lifecycle): reported open again
    after done, or 反复."""
    return f"(reopened_day <= {day} OR {repeated_by(day)})"


def _reopened_week(day: str) -> str:
    """Reopened or repeated in the 7 days to `day`, `day` included."""
    return " OR ".join(f"({column} > {day} - 7 AND {column} <= {day})" for column in ("reopened_day", "repeated_day"))


def rework_rates(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "unit") -> pd.DataFrame:
    """Per value of `by`: done_ever (reported done by the as-of day, or reopened: done now, reopened or
    repeated), reopened (返工, 反复 included), repeated (of them 反复), rework_rate = reopened / done_ever,
    reopened_week (reopened or repeated in the last 7 days, the as-of day included). Groups with nothing
    ever done are left out; highest rate first."""
    column = dimension_column(by)
    scope, params = scoped_sql(filters)
    frame = con.execute(f"""
        WITH {scope}
        SELECT {column},
               count(*) FILTER (WHERE coalesce({done_by('$f_as_of')}, FALSE)
                                OR coalesce({reopened_by('$f_as_of')}, FALSE)) AS done_ever,
               count(*) FILTER (WHERE {reopened_by('$f_as_of')}) AS reopened,
               count(*) FILTER (WHERE {repeated_by('$f_as_of')}) AS repeated,
               count(*) FILTER (WHERE {_reopened_week('$f_as_of')}) AS reopened_week
        FROM scoped GROUP BY {column}
        HAVING done_ever > 0
    """, params).df()
    frame = frame.astype({"done_ever": "int64", "reopened": "int64", "repeated": "int64", "reopened_week": "int64"})
    frame["rework_rate"] = frame["reopened"] / frame["done_ever"]
    frame = frame.sort_values(["rework_rate", "reopened", column], ascending=[False, False, True],
                              ignore_index=True)
    return frame[[column, *REWORK_COLUMNS]]


def reopened_count(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """Problems in the filters reopened at least once by the as-of day."""
    scope, params = scoped_sql(filters)
    return con.execute(f"WITH {scope} SELECT count(*) FILTER (WHERE {reopened_by('$f_as_of')}) FROM scoped",
                       params).fetchone()[0]


def rework_rising(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "unit") -> pd.DataFrame:
    """The groups with problems reopened in the last 7 days, the most first (rework_rates' columns)."""
    rates = rework_rates(con, filters, by)
    rising = rates[rates["reopened_week"] > 0]
    return rising.sort_values(["reopened_week", "rework_rate", dimension_column(by)],
                              ascending=[False, False, True], ignore_index=True)
