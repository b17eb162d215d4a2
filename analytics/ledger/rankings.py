"""Units (or types, categories) ranked by one measure: the best (红榜) beside the last (后N名).

The measure is a setting (settings.ranking_measure): a label of MEASURES. A measure names a column
of analytics.ledger.metrics.metrics(); one whose figure comes from elsewhere (a 模拟测评 score) gives an
`attach` that adds its column to that table. Higher is better for every measure.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.shared.filters import Filters
from analytics.scores.model import latest_group_scores
from analytics.shared.settings import RANKING_MEASURES


@dataclass(frozen=True)
class Measure:
    column: str
    # (con, filters, group column, metrics table) → the table with `column` added; None: metrics has it
    attach: Callable[[duckdb.DuckDBPyConnection, Filters, str, pd.DataFrame], pd.DataFrame] | None = None
    is_rate: bool = True     # a share shown as a percentage; otherwise a score out of 100


def _attach_mock_score(con: duckdb.DuckDBPyConnection, filters: Filters, column: str,
                       table: pd.DataFrame) -> pd.DataFrame:
    """The latest 模拟测评 round's score of each unit or 点位类型 (groups it did not score, and every
    问题类别, get none and so take no part in the ranking)."""
    scores = latest_group_scores(con, column, filters) if column in ("unit", "point_type") else None
    if scores is None or scores.empty:
        return table.assign(mock_score=float("nan"))
    return table.merge(scores.rename(columns={"name": column, "score": "mock_score"})[[column, "mock_score"]],
                       on=column, how="left")


MEASURES: dict[str, Measure] = {
    "整改率": Measure("rectify_rate"),
    "销号率": Measure("close_rate"),
    "模拟测评得分": Measure("mock_score", _attach_mock_score, is_rate=False),
}
assert tuple(MEASURES) == RANKING_MEASURES, "every ranking measure a setting allows is computed here"


def measure_text(label: str, value: float) -> str:
    """A measure's figure as shown: 85.3% for a rate, 85.3分 for a score, — when there is none."""
    if pd.isna(value):
        return "—"
    return f"{value:.1%}" if MEASURES[label].is_rate else f"{value:.1f}分"


def with_measure(con: duckdb.DuckDBPyConnection, filters: Filters, column: str, table: pd.DataFrame,
                 label: str) -> pd.DataFrame:
    """`table` (metrics of `column`) with the measure's column, attached when metrics lacks it."""
    measure = MEASURES[label]
    return table if measure.attach is None else measure.attach(con, filters, column, table)


def worst_first(table: pd.DataFrame, column: str, min_size: int, label: str) -> list[str]:
    """The groups taking part (at least min_size problems and a figure for the measure), lowest
    first; ties go to the group with more open problems, then by name."""
    measure = MEASURES[label].column
    taking_part = table[(table["total"] >= min_size) & table[measure].notna()]
    return taking_part.sort_values([measure, "open", column], ascending=[True, False, True])[column].tolist()


def best_and_last(ranked: pd.DataFrame, column: str, n: int, criticised: Collection[str] = ()
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(红榜, 后N名) of a ranking (best first, with a last_n column): the best n that are neither among
    the last nor `criticised` (named elsewhere the same day: 约谈, 模拟测评后N名), and the groups marked
    last_n, worst first. With too few groups to rank (no more than n: a report on one unit), both empty."""
    last = ranked[ranked["last_n"]].iloc[::-1].reset_index(drop=True)
    if len(ranked) <= n:
        return ranked.iloc[0:0], last
    left_out = [*last[column], *criticised]
    best = ranked[~ranked[column].isin(left_out)].head(n).reset_index(drop=True)
    return best, last
