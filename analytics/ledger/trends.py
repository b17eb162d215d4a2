"""New, rectified and closed problems and the open backlog, per day or per week.

Definitions (all from analytics.ledger.lifecycle, so the identity below holds exactly):
- new: problems whose start_day (found_date, else first_seen) falls in the period;
- rectified: problems that left the open backlog in the period (done_day: reached 已整改, or went
  straight to 已销号);
- closed: problems that reached 已销号 in the period (a rectified problem being closed does not
  change the backlog);
- backlog: problems open (待整改 or 整改中) at the end of the period's last day; backlog_before: at
  the end of the day before the period.
  backlog = backlog_before + new − rectified.
- new_ma7, rectified_ma7, closed_ma7: the 7-day moving average (per day) of the daily counts over
  the seven days ending on the period's last day.
Weeks run Monday to Sunday; the last period ends on the as-of day.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.shared.filters import Filters
from analytics.ledger.lifecycle import dimension_column, scoped_sql

PERIODS = {"day": "day", "week": "date_trunc('week', day)::DATE"}
TREND_COLUMNS = ["period_start", "period_end", "new", "rectified", "closed", "backlog_before",
                 "backlog", "new_ma7", "rectified_ma7", "closed_ma7"]


def trends(con: duckdb.DuckDBPyConnection, filters: Filters, *, period: str = "day",
           by: str | None = None, since: dt.date | None = None) -> pd.DataFrame:
    """One row per period (and per value of `by`, e.g. point_type), oldest first.

    Columns: TREND_COLUMNS, with `by` after period_end when given. Periods run from the first
    problem's start (or the period holding `since`) to the as-of day.
    """
    if period not in PERIODS:
        raise ValueError(f"不支持的统计周期“{period}”，可选：day（按日）、week（按周）。")
    key = dimension_column(by) if by else "NULL"
    scope, params = scoped_sql(filters)
    params["since"] = since
    sql = f"""
    WITH {scope},
    events AS (
        SELECT {key} AS key, start_day AS day, 1 AS new, 0 AS rectified, 0 AS closed FROM scoped
        UNION ALL
        SELECT {key}, done_day, 0, 1, 0 FROM scoped WHERE done_day <= $f_as_of
        UNION ALL
        SELECT {key}, closed_day, 0, 0, 1 FROM scoped WHERE closed_day <= $f_as_of
    ),
    daily AS (
        SELECT key, day, sum(new) AS new, sum(rectified) AS rectified, sum(closed) AS closed
        FROM events GROUP BY key, day
    ),
    days AS (
        SELECT range::DATE AS day
        FROM range((SELECT min(start_day) FROM scoped)::TIMESTAMP, ($f_as_of + 1)::TIMESTAMP,
                   INTERVAL 1 DAY)
    ),
    series AS (
        SELECT k.key, d.day,
               coalesce(e.new, 0) AS new, coalesce(e.rectified, 0) AS rectified,
               coalesce(e.closed, 0) AS closed
        FROM (SELECT DISTINCT key FROM daily) k CROSS JOIN days d
        LEFT JOIN daily e ON e.key IS NOT DISTINCT FROM k.key AND e.day = d.day
    ),
    running AS (
        SELECT *,
               sum(new - rectified) OVER (PARTITION BY key ORDER BY day) AS backlog,
               sum(new) OVER last7 / 7 AS new_ma7,
               sum(rectified) OVER last7 / 7 AS rectified_ma7,
               sum(closed) OVER last7 / 7 AS closed_ma7
        FROM series
        WINDOW last7 AS (PARTITION BY key ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)
    )
    SELECT {PERIODS[period]} AS period_start, max(day) AS period_end, key,
           sum(new) AS new, sum(rectified) AS rectified, sum(closed) AS closed,
           arg_min(backlog - new + rectified, day) AS backlog_before,
           arg_max(backlog, day) AS backlog,
           arg_max(new_ma7, day) AS new_ma7, arg_max(rectified_ma7, day) AS rectified_ma7,
           arg_max(closed_ma7, day) AS closed_ma7
    FROM running
    GROUP BY period_start, key
    HAVING $since IS NULL OR max(day) >= $since
    ORDER BY period_start, key
    """
    frame = con.execute(sql, params).df()
    counts = ["new", "rectified", "closed", "backlog_before", "backlog"]
    frame = frame.astype({c: "int64" for c in counts}
                         | {c: "float64" for c in ("new_ma7", "rectified_ma7", "closed_ma7")})
    if by:
        frame = frame.rename(columns={"key": by})
        return frame[["period_start", "period_end", by, *TREND_COLUMNS[2:]]]
    return frame[TREND_COLUMNS]
