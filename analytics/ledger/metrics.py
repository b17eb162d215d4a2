"""Counts by status, overdue items and rates, overall and by a dimension, with day/week changes."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.shared.statuses import STATUS_COLUMNS
from analytics.shared.filters import Filters
from analytics.ledger.rework import reopened_by
from analytics.ledger.lifecycle import (closed_by,
    dimension_column,
    done_by,
    exists_on,
    in_progress_on,
    open_on,
    overdue_on,
    pending_on,
    scoped_sql)

_DAY = "$f_as_of"
_YESTERDAY = "($f_as_of - 1)"
_WEEK_AGO = "($f_as_of - 7)"


def _rectified_on(day: str) -> str:
    """已整改 on the day: reported done and not 销号 yet."""
    return f"{done_by(day)} AND NOT coalesce({closed_by(day)}, FALSE)"


# Every count the figures need, each `count(*) FILTER (WHERE …)` over the scoped problems.
_COUNTS = {
    "total": exists_on(_DAY),
    "pending": pending_on(_DAY),
    "in_progress": in_progress_on(_DAY),
    "rectified": _rectified_on(_DAY),
    "closed": closed_by(_DAY),
    "open": open_on(_DAY),
    "overdue": overdue_on(_DAY),
    "flagged": "flagged",
    "total_yesterday": exists_on(_YESTERDAY),
    "open_yesterday": open_on(_YESTERDAY),
    "overdue_yesterday": overdue_on(_YESTERDAY),
    "rectified_yesterday": _rectified_on(_YESTERDAY),
    "closed_yesterday": closed_by(_YESTERDAY),
    "total_week_ago": exists_on(_WEEK_AGO),
    "open_week_ago": open_on(_WEEK_AGO),
    "overdue_week_ago": overdue_on(_WEEK_AGO),
    "rectified_today": f"done_day = {_DAY}",
    "closed_today": f"closed_day = {_DAY}",
    "rectified_week": f"done_day > {_WEEK_AGO} AND {done_by(_DAY)}",
    "closed_week": f"closed_day > {_WEEK_AGO} AND {closed_by(_DAY)}",
    "reopened": reopened_by(_DAY),
}
_AGGREGATES = ",\n".join([f"count(*) FILTER (WHERE {cond}) AS {name}" for name, cond in _COUNTS.items()]
                         + [f"avg(done_day - start_day) FILTER (WHERE {done_by(_DAY)}) AS avg_days_to_rectify"])


def _counts(con: duckdb.DuckDBPyConnection, filters: Filters, keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """The counts above, one row per group of `keys` (whitelisted dimensions), or one row."""
    columns = [dimension_column(key) for key in keys]
    scope, params = scoped_sql(filters)
    select_keys = "".join(f"{c}, " for c in columns)
    group_by = f" GROUP BY {', '.join(columns)}" if columns else ""
    return con.execute(f"WITH {scope} SELECT {select_keys}{_AGGREGATES} FROM scoped{group_by}", params).df()


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Kpis:
    """The headline figures as of a day. rectified counts 已整改 and 已销号 (what 整改率 counts)."""
    as_of: dt.date
    total: int
    open: int
    pending: int
    in_progress: int
    rectified: int
    closed: int
    overdue: int
    flagged: int
    rectify_rate: float | None     # (已整改+已销号)/total, None without problems
    close_rate: float | None
    new_today: int                 # found on the as-of day (= change of total against yesterday)
    rectified_today: int           # left the open backlog on the as-of day
    closed_today: int
    delta_open: int                # against yesterday
    delta_overdue: int
    delta_open_week: int           # against seven days before: problems entering minus leaving the backlog
    new_week: int                  # the last 7 days, as-of day included
    rectified_week: int
    closed_week: int


def kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> Kpis:
    return _kpis_from(_counts(con, filters), filters.as_of_date)


def _kpis_from(counts: pd.DataFrame, as_of: dt.date) -> Kpis:
    """The headline figures from _counts of any grouping: the groups' counts add up to the whole."""
    n = {name: int(counts[name].sum()) for name in _COUNTS}
    done = n["rectified"] + n["closed"]
    return Kpis(
        as_of=as_of, total=n["total"], open=n["open"], pending=n["pending"],
        in_progress=n["in_progress"], rectified=done, closed=n["closed"], overdue=n["overdue"],
        flagged=n["flagged"], rectify_rate=_rate(done, n["total"]),
        close_rate=_rate(n["closed"], n["total"]),
        new_today=n["total"] - n["total_yesterday"], rectified_today=n["rectified_today"],
        closed_today=n["closed_today"], delta_open=n["open"] - n["open_yesterday"],
        delta_overdue=n["overdue"] - n["overdue_yesterday"], delta_open_week=n["open"] - n["open_week_ago"],
        new_week=n["total"] - n["total_week_ago"], rectified_week=n["rectified_week"],
        closed_week=n["closed_week"])


@dataclass(frozen=True)
class DayChange:
    """What the latest ledger day changed against the day before it. In the morning no ledger of the
    day is in yet, so the change worth telling is that of the last day ledgers came in for."""
    day: dt.date                   # the latest day, on or before the as-of day, of a ledger in scope
    new: int                       # found that day
    rectified: int                 # left the open backlog that day
    delta_open: int                # against the day before
    delta_overdue: int
    rate_change: float | None      # 整改率 against the day before (a fraction); None without problems


def latest_change(con: duckdb.DuckDBPyConnection, filters: Filters) -> DayChange | None:
    """The change of the latest ledger day (of the filters' units or districts, when chosen: see
    Filters.unit_choice) on or before the as-of day against the day before; None before any ledger.
    The 晨报, its page, the deck and the group-chat push all tell the morning's change this way."""
    day, = con.execute("""
        SELECT max(effective_date) FROM imports
        WHERE undone_at IS NULL AND effective_date <= $as_of
          AND ($units::VARCHAR[] IS NULL OR list_contains($units::VARCHAR[], ledger_unit))
          AND (len($districts) = 0 OR ledger_unit IN (
               SELECT name FROM units WHERE list_contains($districts, district)))""",
        {"as_of": filters.as_of_date, "units": None if (units := filters.unit_choice()) is None else list(units),
         "districts": list(filters.districts)}).fetchone()
    if day is None:
        return None
    counts = _counts(con, dataclasses.replace(filters, as_of=day))   # the day before from the same scan
    on = _kpis_from(counts, day)
    before_rate = _rate(int(counts["rectified_yesterday"].sum() + counts["closed_yesterday"].sum()),
                        int(counts["total_yesterday"].sum()))
    rate_change = None if on.rectify_rate is None or before_rate is None else on.rectify_rate - before_rate
    return DayChange(day, on.new_today, on.rectified_today, on.delta_open, on.delta_overdue, rate_change)


METRIC_COLUMNS = [
    "total", "pending", "in_progress", "rectified", "closed", "open", "overdue", "flagged",
    "rectify_rate", "close_rate", "share", "avg_days_to_rectify",
    "delta_total_day", "delta_open_day", "delta_overdue_day",
    "delta_total_week", "delta_open_week", "delta_overdue_week",
]


def metrics(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "point_type") -> pd.DataFrame:
    """One row per value of `by` (point_type, category, unit, district or source).

    Columns: `by`, then METRIC_COLUMNS. rectified is 已整改 only and closed 已销号 (the four statuses
    sum to total); rectify_rate = (rectified + closed) / total, close_rate = closed / total, share =
    total / all problems in the filters; avg_days_to_rectify = mean days from found to rectified
    over the rectified/closed ones (NaN when none); delta_*_day/week = change against the day before
    / seven days before. Sorted worst first: most overdue, then lowest 整改率, then most open.
    """
    column = dimension_column(by)
    return _metrics_from(_counts(con, filters, (column,)), column)


def metrics_and_kpis(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "point_type"
                     ) -> tuple[pd.DataFrame, Kpis]:
    """metrics(by) and kpis from one scan of the problems (for the briefing, which shows both)."""
    column = dimension_column(by)
    counts = _counts(con, filters, (column,))
    return _metrics_from(counts, column), _kpis_from(counts, filters.as_of_date)


def _metrics_from(counts: pd.DataFrame, column: str) -> pd.DataFrame:
    frame = pd.DataFrame({column: counts[column].astype(str)})
    for name in ("total", "pending", "in_progress", "rectified", "closed", "open", "overdue", "flagged"):
        frame[name] = counts[name].astype("int64")
    frame["rectify_rate"] = (frame["rectified"] + frame["closed"]) / frame["total"]
    frame["close_rate"] = frame["closed"] / frame["total"]
    frame["share"] = frame["total"] / frame["total"].sum()
    frame["avg_days_to_rectify"] = counts["avg_days_to_rectify"].astype("float64")
    for measure in ("total", "open", "overdue"):
        frame[f"delta_{measure}_day"] = counts[measure] - counts[f"{measure}_yesterday"]
        frame[f"delta_{measure}_week"] = counts[measure] - counts[f"{measure}_week_ago"]
    frame = frame[[column, *METRIC_COLUMNS]].astype(
        {c: "int64" for c in METRIC_COLUMNS if c.startswith("delta_")})
    return frame.sort_values(["overdue", "rectify_rate", "open", column],
                             ascending=[False, True, False, True], ignore_index=True)


def summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict:
    """The figures `python -m analytics summary` prints: one query by 点位类型 × 单位 × 来源, added up here."""
    counts = _counts(con, filters, ("point_type", "unit", "source"))
    overall = counts[list(_COUNTS)].sum()

    def by(column: str) -> dict[str, int]:
        totals = counts.groupby(column)["total"].sum().reset_index()
        totals = totals.sort_values(["total", column], ascending=[False, True])
        return {str(k): int(v) for k, v in zip(totals[column], totals["total"])}

    return {
        "problems": int(overall["total"]),
        "by_point_type": by("point_type"),
        "by_status": {status: int(overall[name]) for status, name in STATUS_COLUMNS.items()},
        "overdue": int(overall["overdue"]),
        "by_unit": by("unit"),
        "by_source": by("source"),
        "flagged": int(overall["flagged"]),
        "reopened": int(overall["reopened"]),
        "as_of": filters.as_of_date.isoformat(),
    }
