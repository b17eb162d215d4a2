"""Rebounds (反弹): a problem found again at the same 点位 soon after the earlier one was rectified.

A later problem L is a rebound of an earlier problem E when
- they are at the same 点位 of the same 责任单位: point names equal once spaces, punctuation and
  symbols are removed (“人民路（东段）” = “人民路东段”). A rebound is the failure of the unit that
  rectified, and two units' 点位 of one name (幸福小区 in two streets) are usually two places;
- they are the same problem: the same 问题类别 (a filled one), or descriptions equal once spaces,
  punctuation and symbols are removed;
- L was found after E left the open backlog (E.done_day < L.start_day) and at most
  `rebound_days` (a setting) days after it.
Each later problem is linked to one earlier problem: the one rectified most recently before it
(among several rectified the same day, the greatest problem key). Both matches are equalities, so
one ASOF join over (key, day) pairs finds them; a fuzzy description match would need every pair of
problems at a 点位 compared.

Which earlier problem a later one follows depends only on the two problems, so the importer stores
the links (table rebound_links, derived in analytics/ledger/derive.py for the units an import touches) and
a figure only picks the links it wants. A filter keeps the links whose later problem matches it
(date range included) and whose earlier problem matches it but for the date range, so a rebound of
a problem found before the range still counts; the window applies to days_after.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from analytics.shared.db import fetch_frame
from analytics.shared.filters import Filters, date_range_sql
from analytics.ledger.lifecycle import dimension_column, LIFE_CTE, scope_cte
from analytics.shared.settings import get_settings


def _links_sql(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[str, dict]:
    """CTEs (to follow WITH) ending in `links` (later_key, found_day, earlier_key, earlier_done_day,
    days_after), with `earlier_scope`: the scope without the found-date range, the base of the rates."""
    earlier_scope, params = scope_cte(filters.without_dates(), "earlier_scope", "e")
    later_dates, later_params = date_range_sql(filters, "l")
    params |= later_params
    params["window_days"] = get_settings(con).rebound_days
    sql = f"""{LIFE_CTE},
    {earlier_scope},
    later_scope AS (SELECT problem_key, start_day FROM earlier_scope WHERE {later_dates}),
    links AS (
        SELECT k.later_key, l.start_day AS found_day, k.earlier_key, e.done_day AS earlier_done_day, k.days_after
        FROM rebound_links k
        JOIN later_scope l ON l.problem_key = k.later_key
        JOIN earlier_scope e ON e.problem_key = k.earlier_key
        WHERE k.days_after <= $window_days
    )"""
    return sql, params


REBOUND_COLUMNS = [
    "problem_key", "found_day", "point_type", "point_name", "category", "description", "unit",
    "earlier_key", "earlier_found_day", "earlier_done_day", "earlier_category",
    "earlier_description", "days_after", "same_category",
]


def rebounds(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """The rebounds, newest first (the first `limit` of them when given). Columns: REBOUND_COLUMNS
    (found_day is the later problem's start day; days_after counts from the earlier one's
    rectification; same_category is False when only the descriptions matched)."""
    links, params = _links_sql(con, filters)
    params["limit"] = limit
    sql = f"""WITH {links},
    newest AS (SELECT * FROM links ORDER BY found_day DESC, later_key LIMIT $limit)
    SELECT k.later_key AS problem_key, k.found_day, l.point_type, l.point_name,
           l.category, l.description, l.unit,
           k.earlier_key, e.start_day AS earlier_found_day, k.earlier_done_day,
           e.category AS earlier_category, e.description AS earlier_description,
           k.days_after, l.category = e.category AS same_category
    FROM newest k
    JOIN earlier_scope l ON l.problem_key = k.later_key
    JOIN earlier_scope e ON e.problem_key = k.earlier_key
    ORDER BY k.found_day DESC, problem_key"""
    frame = fetch_frame(con, sql, params)
    return frame.astype({"days_after": "int64", "same_category": "bool"})[REBOUND_COLUMNS]


def rebound_rates(con: duckdb.DuckDBPyConnection, filters: Filters,
                  by: str = "point_type") -> pd.DataFrame:
    """Per value of `by`, taken from the earlier (rectified) problem: done (problems rectified by
    the as-of day), rebounded (those of them found again), rebounds (later problems linked to
    them) and rebound_rate = rebounded / done. Highest rate first; groups with nothing done are
    left out."""
    column = dimension_column(by)
    links, params = _links_sql(con, filters)
    sql = f"""WITH {links},
    rebounded AS (SELECT DISTINCT earlier_key FROM links),
    per_group AS (
        SELECT s.{column} AS {column}, count(*) AS rebounds
        FROM links k JOIN earlier_scope s ON s.problem_key = k.earlier_key GROUP BY s.{column}
    )
    SELECT s.{column} AS {column}, count(*) AS done,
           count(*) FILTER (WHERE s.problem_key IN (SELECT earlier_key FROM rebounded)) AS rebounded,
           coalesce(any_value(g.rebounds), 0) AS rebounds
    FROM earlier_scope s LEFT JOIN per_group g ON g.{column} = s.{column}
    WHERE s.done_day <= $e_as_of
    GROUP BY s.{column}"""
    frame = con.execute(sql, params).df().astype({"done": "int64", "rebounded": "int64",
                                                  "rebounds": "int64"})
    frame["rebound_rate"] = frame["rebounded"] / frame["done"]
    return frame.sort_values(["rebound_rate", "rebounds", column], ascending=[False, False, True],
                             ignore_index=True)
