"""Who is falling behind: 点位类型, 问题类别 or 责任单位 flagged with reasons in plain Chinese.

A group is flagged for each of these that holds (thresholds are settings, analytics.shared.settings):
- 整改率 below the overall rate by more than rate_gap_pct points (groups with at least
  min_group_size problems);
- 后三名: among the last_n by the ranking measure (settings.ranking_measure, 整改率 by default; ties broken by more open problems, then name) among the groups
  with at least min_group_size problems, when there are more such groups than last_n and the group
  still has open problems;
- the open backlog grew by at least backlog_growth against seven days before;
- at least overdue_min problems overdue;
- a rebound rate (analytics.ledger.rebounds) of at least rebound_rate_pct, with at least min_group_size
  problems rectified;
- units only: no ledger for silent_days days or more, or never (see silent_units).
"""
from __future__ import annotations

import duckdb
import pandas as pd

from analytics.shared.labels import month_day, percent
from analytics.shared.filters import Filters
from analytics.ledger.lifecycle import dimension_column
from analytics.ledger.metrics import metrics
from analytics.ledger.rankings import MEASURES, with_measure, worst_first
from analytics.ledger.rebounds import rebound_rates
from analytics.shared.settings import Settings, get_settings, sprint_silent_threshold

SILENT_COLUMNS = ["unit", "last_report", "days_silent"]


def silent_units(con: duckdb.DuckDBPyConnection, filters: Filters,
                 settings: Settings | None = None) -> pd.DataFrame:
    """Units expected to report that sent no ledger in the last silent_days days (as of the as-of
    day; in the sprint before the 测评 window, sprint_silent_days: see sprint_silent_threshold): the active units of the `units` table and every unit that ever sent a ledger, less the
    units marked inactive. Columns: unit, last_report (NaT: never), days_silent (<NA>: never).
    Never-reported first, then the longest silent. The units and districts filters apply (a 联点领导/网格
    choice keeps the units answering for its points: Filters.unit_choice)."""
    settings = settings or get_settings(con)
    as_of = filters.as_of_date
    threshold = sprint_silent_threshold(settings, as_of)
    frame = con.execute("""
        WITH reported AS (
            SELECT ledger_unit AS unit, max(effective_date) AS last_report FROM imports
            WHERE undone_at IS NULL AND effective_date <= $as_of GROUP BY ledger_unit
        ),
        expected AS (
            SELECT name AS unit, district FROM units WHERE active
            UNION
            SELECT r.unit, NULL FROM reported r
            WHERE r.unit NOT IN (SELECT name FROM units)
        )
        SELECT e.unit, e.district, r.last_report, $as_of - r.last_report AS days_silent
        FROM expected e LEFT JOIN reported r ON r.unit = e.unit
        WHERE r.last_report IS NULL OR $as_of - r.last_report >= $silent_days
        ORDER BY r.last_report NULLS FIRST, e.unit
    """, {"as_of": as_of, "silent_days": threshold}).df()
    # A few hundred units at most: the unit/district filters are applied here rather than in SQL.
    if (units := filters.unit_choice()) is not None:
        frame = frame[frame["unit"].isin(units)]
    if filters.districts:
        frame = frame[frame["district"].isin(filters.districts)]
    frame["days_silent"] = frame["days_silent"].astype("Int64")
    return frame[SILENT_COLUMNS].reset_index(drop=True)


BEHIND_COLUMNS = ["reasons", "reason_text", "total", "open", "overdue", "rectify_rate",
                  "delta_open_week", "rebound_rate", "days_silent"]


def behind(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "point_type",
           by_metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    """The flagged groups of `by` (point_type, category or unit), the most reasons first.
    `by_metrics`: metrics(con, filters, by) when the caller has it already.

    Columns: `by`, then BEHIND_COLUMNS: reasons (list of Chinese sentences), reason_text (them
    joined with “；”) and the figures behind them (rectify_rate and rebound_rate NaN where there is
    nothing to rate; days_silent <NA> unless a silent unit that did report once)."""
    column = dimension_column(by)
    settings = get_settings(con)
    min_size = max(settings.min_group_size, 1)
    table = (metrics(con, filters, column) if by_metrics is None else by_metrics).merge(
        rebound_rates(con, filters, column)[[column, "done", "rebounded", "rebound_rate"]],
        on=column, how="left")
    silent = silent_units(con, filters, settings) if column == "unit" else \
        pd.DataFrame(columns=SILENT_COLUMNS)
    # A silent unit may have no problems at all: it still gets a row.
    table = table.merge(silent.rename(columns={"unit": column}), on=column, how="outer")
    counts = ["total", "open", "overdue", "delta_open_week", "done", "rebounded"]
    table[counts] = table[counts].fillna(0).astype("int64")
    if table.empty:
        return pd.DataFrame(columns=[column, *BEHIND_COLUMNS])

    overall = _overall_rate(table)
    table = with_measure(con, filters, column, table, settings.ranking_measure)
    ranked = worst_first(table, column, min_size, settings.ranking_measure)
    silent_names = set(silent["unit"])

    def reasons(row: pd.Series) -> list[str]:
        found = []
        rate = row["rectify_rate"]
        if row["total"] >= min_size and (overall - rate) * 100 > settings.rate_gap_pct:
            found.append(f"整改率{percent(rate)}，低于总体{percent(overall)}达"
                         f"{(overall - rate) * 100:.1f}个百分点")
        if _among_last_n(row[column], row["open"], ranked, settings.last_n):
            found.append(f"{settings.ranking_measure}倒数第{ranked.index(row[column]) + 1}，列后{settings.last_n}名")
        if row["total"] and row["delta_open_week"] >= settings.backlog_growth:
            found.append(f"未整改问题较上周增加{row['delta_open_week']}条，"
                         f"由{row['open'] - row['delta_open_week']}条增至{row['open']}条")
        if row["total"] and row["overdue"] >= settings.overdue_min:
            found.append(f"逾期未整改{row['overdue']}条")
        if row["done"] >= min_size and row["rebound_rate"] * 100 >= settings.rebound_rate_pct:
            found.append(f"反弹率{percent(row['rebound_rate'])}，"
                         f"已整改{row['done']}条中{row['rebounded']}条反弹")
        if row[column] in silent_names:
            found.append("从未报送台账" if pd.isna(row["last_report"]) else
                         f"已{row['days_silent']}天未报送台账，最近一次为{month_day(row['last_report'])}")
        return found

    table["reasons"] = table.apply(reasons, axis=1)
    table = table[table["reasons"].str.len() > 0].copy()
    table["reason_text"] = table["reasons"].str.join("；")
    table["reason_count"] = table["reasons"].str.len()
    table = table.sort_values(["reason_count", "overdue", "rectify_rate", column],
                              ascending=[False, False, True, True], ignore_index=True)
    return table[[column, *BEHIND_COLUMNS]]


def _among_last_n(name: str, open_count: int, worst_first: list[str], last_n: int) -> bool:
    """后N名: among the last_n of the ranking, when more than last_n groups take part, and still
    with open problems."""
    return len(worst_first) > last_n and name in worst_first[:last_n] and open_count > 0


RANKING_COLUMNS = ["rank", "total", "open", "overdue", "rectify_rate", "close_rate", "measure", "last_n"]


def ranking(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "unit",
            by_metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ranking of `by` (point_type, category or unit) by settings.ranking_measure, best first
    (rank 1), over the groups with at least min_group_size problems. Columns: `by`, then
    RANKING_COLUMNS (measure: the figure ranked by); last_n marks the 后N名 exactly as behind() flags them.
    `by_metrics`: metrics(con, filters, by) when the caller has it already."""
    column = dimension_column(by)
    settings = get_settings(con)
    table = metrics(con, filters, column) if by_metrics is None else by_metrics
    return ranked_groups(with_measure(con, filters, column, table, settings.ranking_measure), column, settings)


def ranked_groups(table: pd.DataFrame, column: str, settings: Settings) -> pd.DataFrame:
    """ranking() of a metrics table the caller already has (its group column is `column`)."""
    order = worst_first(table, column, max(settings.min_group_size, 1), settings.ranking_measure)
    ranked = table.set_index(column).loc[order[::-1]].reset_index()
    ranked["rank"] = range(1, len(ranked) + 1)
    ranked["measure"] = ranked[MEASURES[settings.ranking_measure].column]
    ranked["last_n"] = [_among_last_n(name, open_count, order, settings.last_n)
                        for name, open_count in zip(ranked[column], ranked["open"])]
    return ranked[[column, *RANKING_COLUMNS]].astype({"rank": "int64", "last_n": "bool"})


def _overall_rate(table: pd.DataFrame) -> float:
    total = table["total"].sum()
    return (table["rectified"].sum() + table["closed"].sum()) / total if total else float("nan")
