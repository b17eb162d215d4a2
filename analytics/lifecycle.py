"""Each problem's life as four days, so its status on any day is one CASE away.

The `problems` table holds each problem as its unit's newest ledger saw it. To answer “as of an
earlier day” (yesterday's figures, last week's, a trend) we place the problem's steps in time:

- start_day: found_date, else first_seen (the day its first ledger came in); it exists from then on.
- progress_day / done_day / closed_day: the first day it was at least 整改中 / at least 已整改 /
  已销号. Dates written in the ledger win: closed_date for 已销号; rectified_date for 已整改, else the
  earlier of closed_date and the history. Where a date is missing, the status history says it: the
  effective date of the first ledger (not undone) that showed the step, or the found date when the
  problem's first ledger already showed it (see _from_first_ledger). 整改中 has no date column, so
  it always comes from the history.

Two rules keep the story consistent with the current state:
- the newest ledger has the last word: a step beyond the problem's current status never happened
  (a problem 待整改 today was open all along, whatever an older ledger said), and a step the current
  status has reached happened no later than that ledger's effective date (problems.as_of);
- steps are in order and never before the problem exists: start ≤ progress ≤ done ≤ closed.

So a problem moves forward only, its status on or after problems.as_of is exactly problems.status,
and the open backlog changes only by problems starting and problems leaving (done_day): that is what
makes backlog_end = backlog_before + new − rectified hold exactly (see analytics.trends). It differs
from “the status of the latest ledger on or before D” only where a unit's ledgers went backwards
(已整改, then 整改中 again): the step, once shown and kept by the newest ledger, is not undone in
between. The importer places the four days when it derives the current state (life_days_ctes in
store.current_state_sql), so every figure for any day is a single scan of `problems`.
"""
from __future__ import annotations

from analytics.db import DONE_STATUSES
from analytics.filters import Filters, where_sql

# The dimensions a figure can be broken down by: column of the scoped relation -> Chinese label.
DIMENSIONS = {
    "point_type": "点位类型",
    "category": "问题类别",
    "unit": "责任单位",
    "district": "区县/街道",
    "source": "问题来源",
}
UNFILLED = "未填写"


def dimension_column(by: str) -> str:
    """Check a dimension name against the whitelist (it is placed into SQL as a column name)."""
    if by not in DIMENSIONS:
        raise ValueError(f"不支持按“{by}”分组，可选：{'、'.join(DIMENSIONS)}。")
    return by


def label_sql(column: str) -> str:
    """A grouping label: the value, or 未填写 when it is empty."""
    return f"coalesce(nullif(trim({column}), ''), '{UNFILLED}')"


_DONE = ", ".join(f"'{s}'" for s in DONE_STATUSES)

# The first day the history showed each step: window aggregates over one problem's versions (`pv`,
# joined to its import `i`, not undone) in the window `one_problem`, for the importer's current state.
STEPS_SEEN_SQL = f"""
    min(i.effective_date) FILTER (WHERE pv.status <> '待整改') OVER one_problem AS progress_seen,
    min(i.effective_date) FILTER (WHERE pv.status IN ({_DONE})) OVER one_problem AS done_seen,
    min(i.effective_date) FILTER (WHERE pv.status = '已销号') OVER one_problem AS closed_seen"""


def _from_first_ledger(column: str) -> str:
    """The day the history shows a step; a step the problem's first ledger already showed is
    placed on its found date: nothing is known of its life before that ledger, and units often
    list problems fixed on the spot (立行立改) or send the ledger days after its state."""
    return f"CASE WHEN {column} <= first_seen THEN coalesce(found_date, first_seen) ELSE {column} END"


def life_days_ctes(current: str) -> str:
    """CTEs (to follow WITH) ending in `life_days`: the rows of `current` (problems rows with as_of,
    first_seen and STEPS_SEEN_SQL's columns) with start_day, closed_day, done_day and progress_day.
    The importer stores these four days in `problems`, so no figure derives them again."""
    return f"""
days_start AS (
    SELECT * REPLACE ({_from_first_ledger('progress_seen')} AS progress_seen,
                      {_from_first_ledger('done_seen')} AS done_seen,
                      {_from_first_ledger('closed_seen')} AS closed_seen),
           coalesce(found_date, first_seen) AS start_day
    FROM {current}
),
days_closed AS (
    SELECT *,
           CASE WHEN status = '已销号' THEN greatest(start_day, least(
               coalesce(closed_date, closed_seen), as_of)) END AS closed_day
    FROM days_start
),
days_done AS (
    SELECT *,
           CASE WHEN status IN ({_DONE}) THEN greatest(start_day, least(
               coalesce(rectified_date, least(closed_date, done_seen)), as_of, closed_day)) END AS done_day
    FROM days_closed
),
life_days AS (
    SELECT *,
           CASE WHEN status <> '待整改' THEN greatest(start_day, least(
               progress_seen, done_day, as_of)) END AS progress_day
    FROM days_done
)"""


# The CTE (to follow WITH) `life`: one row per problem, its columns as stored but the grouping labels
# filled (未填写) and the district taken from the unit list where the ledger has none. The current
# status and its day are left out: a figure asks status_on(day), which is the same on and after as_of.
LIFE_CTE = f"""
life AS (
    SELECT p.* EXCLUDE (status, as_of) REPLACE (
               {label_sql('p.point_type')} AS point_type,
               {label_sql('p.category')} AS category,
               {label_sql('p.source')} AS source,
               coalesce(nullif(trim(p.district), ''), u.district) AS district),
           len(p.flags) > 0 AS flagged
    FROM problems p
    LEFT JOIN units u ON u.name = p.unit
)"""


def scope_cte(filters: Filters, name: str = "scoped", prefix: str = "f") -> tuple[str, dict]:
    """One CTE `name` over `life` (so it follows LIFE_CTE): the problems matching `filters` that
    exist on the as-of day, with the columns of `life`; and its parameters, named `$<prefix>_…`."""
    where, params = where_sql(filters, prefix)
    return f"{name} AS (SELECT * FROM life WHERE {where})", params


def scoped_sql(filters: Filters) -> tuple[str, dict]:
    """CTEs (to follow WITH) ending in `scoped`, and their parameters (the as-of day is $f_as_of)."""
    scope, params = scope_cte(filters)
    return f"{LIFE_CTE},\n{scope}", params


# Conditions and expressions on a row of `life` for a day given as a SQL expression (a parameter
# such as `$f_as_of - 7` or a column such as `d.day`), built from code, never from values.
def exists_on(day: str) -> str:
    return f"(start_day <= {day})"


def done_by(day: str) -> str:
    return f"(done_day <= {day})"


def closed_by(day: str) -> str:
    return f"(closed_day <= {day})"


def open_on(day: str) -> str:
    return f"(start_day <= {day} AND (done_day IS NULL OR done_day > {day}))"


def in_progress_on(day: str) -> str:
    return f"({open_on(day)} AND progress_day <= {day})"


def pending_on(day: str) -> str:
    return f"({open_on(day)} AND (progress_day IS NULL OR progress_day > {day}))"


def overdue_on(day: str) -> str:
    """Open after its deadline: a deadline of 11-25 is overdue from 11-26 on."""
    return f"({open_on(day)} AND deadline < {day})"


def status_on(day: str) -> str:
    return (f"CASE WHEN closed_day <= {day} THEN '已销号' WHEN done_day <= {day} THEN '已整改' "
            f"WHEN progress_day <= {day} THEN '整改中' ELSE '待整改' END")
