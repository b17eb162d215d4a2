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
between. With four days per problem, every figure for any day is a single scan.
"""
from __future__ import annotations

import contextlib
import contextvars
import itertools
from collections.abc import Iterator

import duckdb

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


def _label(column: str) -> str:
    return f"coalesce(nullif(trim({column}), ''), '{UNFILLED}')"


_DONE = ", ".join(f"'{s}'" for s in DONE_STATUSES)

# The first day the history showed each step, from ledgers that are not undone.
_HISTORY_CTE = f"""
history AS (
    SELECT v.problem_key,
           min(i.effective_date) AS hist_progress,
           min(i.effective_date) FILTER (WHERE v.status IN ({_DONE})) AS hist_done,
           min(i.effective_date) FILTER (WHERE v.status = '已销号') AS hist_closed
    FROM problem_versions v JOIN imports i ON i.import_id = v.import_id
    WHERE i.undone_at IS NULL AND v.status <> '待整改'
    GROUP BY v.problem_key
)"""


def _from_first_ledger(column: str) -> str:
    """The day the history shows a step; a step the problem's first ledger already showed is
    placed on its found date: nothing is known of its life before that ledger, and units often
    list problems fixed on the spot (立行立改) or send the ledger days after its state."""
    return f"CASE WHEN h.{column} <= p.first_seen THEN coalesce(p.found_date, p.first_seen) ELSE h.{column} END"


# One row per problem with the columns the filters and the figures use.
_LIFE_CTE = f"""
life_raw AS (
    SELECT p.problem_key, p.unit, p.deadline, p.status, p.as_of AS state_day,
           {_label('p.point_type')} AS point_type,
           {_label('p.category')} AS category,
           {_label('p.source')} AS source,
           coalesce(nullif(trim(p.district), ''), u.district) AS district,
           len(p.flags) > 0 AS flagged,
           coalesce(p.found_date, p.first_seen) AS start_day,
           p.rectified_date, p.closed_date,
           {_from_first_ledger('hist_progress')} AS hist_progress,
           {_from_first_ledger('hist_done')} AS hist_done,
           {_from_first_ledger('hist_closed')} AS hist_closed
    FROM problems p
    LEFT JOIN history h ON h.problem_key = p.problem_key
    LEFT JOIN units u ON u.name = p.unit
),
life_closed AS (
    SELECT *,
           CASE WHEN status = '已销号' THEN greatest(start_day, least(
               coalesce(closed_date, hist_closed), state_day)) END AS closed_day
    FROM life_raw
),
life_done AS (
    SELECT *,
           CASE WHEN status IN ({_DONE}) THEN greatest(start_day, least(
               coalesce(rectified_date, least(closed_date, hist_done)), state_day, closed_day)) END AS done_day
    FROM life_closed
),
life AS MATERIALIZED (
    SELECT problem_key, unit, point_type, category, source, district, deadline,
           flagged, start_day, closed_day, done_day,
           CASE WHEN status <> '待整改' THEN greatest(start_day, least(
               hist_progress, done_day, state_day)) END AS progress_day
    FROM life_done
)"""


# The CTEs (history, life) every scope reads; `life` is materialised so a query that asks about
# several days, or builds two scopes, derives each problem's days once.
_LIFE_CTES = f"{_HISTORY_CTE},{_LIFE_CTE}"

# Set inside `life_derived_once`: the temporary table holding `life` for the queries of that block.
_life_table: contextvars.ContextVar[str | None] = contextvars.ContextVar("life_table", default=None)
_life_tables = itertools.count(1)


@contextlib.contextmanager
def life_derived_once(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Inside this block, the queries on `con` read every problem's days from a temporary table made
    once, rather than each deriving them again: for the figures that ask several questions of the
    same problems (falling behind, the briefing). Works on read-only connections too."""
    if _life_table.get() is not None:   # an enclosing block already made one
        yield
        return
    name = f"life_once_{next(_life_tables)}"
    con.execute(f"CREATE TEMP TABLE {name} AS WITH {_LIFE_CTES} SELECT * FROM life")
    token = _life_table.set(name)
    try:
        yield
    finally:
        _life_table.reset(token)
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")


def life_ctes() -> str:
    """The CTEs (to follow WITH) ending in `life`: derived here, or read from life_derived_once's table."""
    name = _life_table.get()
    return f"life AS (SELECT * FROM temp.{name})" if name else _LIFE_CTES


def scope_cte(filters: Filters, name: str = "scoped", prefix: str = "f") -> tuple[str, dict]:
    """One CTE `name` over `life` (so it follows life_ctes()): the problems matching `filters` that
    exist on the as-of day, with the columns of `life`; and its parameters, named `$<prefix>_…`."""
    where, params = where_sql(filters, prefix)
    return f"{name} AS (SELECT * FROM life WHERE {where})", params


def scoped_sql(filters: Filters) -> tuple[str, dict]:
    """CTEs (to follow WITH) ending in `scoped`, and their parameters (the as-of day is $f_as_of)."""
    scope, params = scope_cte(filters)
    return f"{life_ctes()},\n{scope}", params


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
