"""约谈/问责 candidates and the praise list (抓两头): which units the office calls to account, which it
names for praise, and the figures behind each.

A unit is a candidate for each of these rules that holds (every number a setting, analytics.shared.settings):
- among the 后N名 (last_n) of the 整改率 ranking on the as-of day and on the same weekday of each of
  the interview_weeks − 1 weeks before (“两周连续后三名” by default);
- more than interview_overdue problems overdue;
- at least interview_reopened reopened problems, by a measure given as a function (ReopenedMeasure):
  by default 返工 (analytics.ledger.rework: a problem a ledger once reported done that a later one reports open
  again); the rebounds of analytics.ledger.rebounds (a new problem at the same place) plug in the same way;
- silent: no ledger for silent_days days or more, or never (analytics.ledger.behind.silent_units);
- 后三名且不足85分 (interview_last_below): named by the latest round's accountability rule
  (analytics.accountability.rule), the item, its score and place as evidence;
- 丢分最多: among the interview_most_lost units that lost most points in the latest round (0: no such rule).

Praise: the best of the ranking (the last_n highest 整改率 with nothing overdue) and the most improved
(the last_n largest rises of 整改率 over the last seven days, among units ranked both days). A unit the
day's reports name for criticism (后N名 of the ranking, a 约谈 candidate, among the 模拟测评 round's 后N名)
is never praised the same day, and with no more units ranked than last_n (a report on one unit) nobody is.
These rankings are by 整改率, as the rules and their evidence say, whatever measure the office ranks its
红榜 and 后N名 by (settings.ranking_measure).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.accountability.rule import Accountability, accountability, figure
from analytics.ledger.behind import ranked_groups, ranking, silent_units
from analytics.shared.filters import Filters
from analytics.shared.labels import month_day, percent
from analytics.ledger.metrics import metrics
from analytics.ledger.rebounds import rebound_rates
from analytics.ledger.rework import rework_rates
from analytics.scores.model import RoundSummary, round_summary
from analytics.shared.settings import Settings, get_settings


@dataclass(frozen=True)
class ReopenedMeasure:
    """How many reopened problems each unit has: `counts(con, filters)` gives columns unit, reopened."""
    label: str
    counts: Callable[[duckdb.DuckDBPyConnection, Filters], pd.DataFrame]


def _rebounded_by_unit(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    rates = rebound_rates(con, filters, "unit")
    return rates[["unit"]].assign(reopened=rates["rebounded"].astype("int64"))


def _reworked_by_unit(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return rework_rates(con, filters, "unit")[["unit", "reopened"]]


REBOUNDS = ReopenedMeasure("反弹", _rebounded_by_unit)
REWORK = ReopenedMeasure("返工", _reworked_by_unit)

RULES = ("连续列后几名", "逾期过多", "反弹返工", "未报送台账", "后三名且不足85分", "丢分最多")
CANDIDATE_COLUMNS = ["unit", "rules", "evidence", "evidence_text", "open", "overdue", "rectify_rate",
                     "reopened"]


class UnitMetrics:
    """metrics(con, filters, "unit") as of each day asked for, worked out once a day: the 约谈 rule,
    the praise and the ranking all start from the units' figures of the same few days."""

    def __init__(self, con: duckdb.DuckDBPyConnection, filters: Filters):
        self.con, self.filters = con, filters
        self._by_day: dict[dt.date, pd.DataFrame] = {}

    def on(self, day: dt.date) -> pd.DataFrame:
        if day not in self._by_day:
            self._by_day[day] = metrics(self.con, dataclasses.replace(self.filters, as_of=day), "unit")
        return self._by_day[day]


def _by_rectify_rate(by_unit: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The ranking by 整改率 (behind.ranked_groups) of metrics by unit."""
    return ranked_groups(by_unit, "unit", dataclasses.replace(settings, ranking_measure="整改率"))


def _weekly_last_n(unit_metrics: UnitMetrics, settings: Settings) -> list[tuple[dt.date, dict[str, int]]]:
    """For the as-of day and each earlier week of interview_weeks: the day and the 后N名 then, as
    unit → place from the bottom (1 = last)."""
    weeks = []
    for back in range(settings.interview_weeks):
        day = unit_metrics.filters.as_of_date - dt.timedelta(days=7 * back)
        ranked = _by_rectify_rate(unit_metrics.on(day), settings)
        bottom = len(ranked) + 1
        weeks.append((day, {unit: bottom - rank for unit, rank, last in
                            zip(ranked["unit"], ranked["rank"], ranked["last_n"]) if last}))
    return weeks


def interview_candidates(con: duckdb.DuckDBPyConnection, filters: Filters,
                         reopened: ReopenedMeasure = REWORK, unit_metrics: UnitMetrics | None = None
                         ) -> pd.DataFrame:
    """Units meeting any 约谈 rule, the most rules first, then the most overdue. Columns:
    CANDIDATE_COLUMNS; rules and evidence are lists (evidence in plain Chinese with figures),
    evidence_text joins them with “；”."""
    settings = get_settings(con)
    unit_metrics = unit_metrics or UnitMetrics(con, filters)
    by_unit = unit_metrics.on(filters.as_of_date)[["unit", "open", "overdue", "rectify_rate"]]
    counts = reopened.counts(con, filters)
    silent = silent_units(con, filters, settings)
    table = (by_unit.merge(counts, on="unit", how="outer")
             .merge(silent, on="unit", how="outer"))
    for column in ("open", "overdue", "reopened"):
        table[column] = table[column].fillna(0).astype("int64")
    weeks = _weekly_last_n(unit_metrics, settings)
    silent_names = set(silent["unit"])
    scored = accountability(con, filters=filters)
    round_reasons = ({entry.unit: entry.reasons for entry in scored.called}
                     if scored and settings.interview_last_below else {})
    most_lost = _most_lost(scored, settings.interview_most_lost) if scored else {}
    named = sorted({*round_reasons, *most_lost} - set(table["unit"]))
    if named:
        table = pd.concat([table, pd.DataFrame({"unit": named})], ignore_index=True)
        for column in ("open", "overdue", "reopened"):
            table[column] = table[column].fillna(0).astype("int64")

    def judged(row: pd.Series) -> tuple[list[str], list[str]]:
        rules, evidence = [], []
        unit = row["unit"]
        if all(unit in last for _, last in weeks):
            rules.append(RULES[0])
            places = "、".join(f"{month_day(day)}倒数第{last[unit]}" for day, last in reversed(weeks))
            evidence.append(f"连续{len(weeks)}周列整改率后{settings.last_n}名（{places}），"
                            f"目前整改率{percent(row['rectify_rate'])}")
        if row["overdue"] > settings.interview_overdue:
            rules.append(RULES[1])
            evidence.append(f"逾期未整改{row['overdue']}条，超过{settings.interview_overdue}条")
        if row["reopened"] >= settings.interview_reopened:
            rules.append(RULES[2])
            evidence.append(f"{reopened.label}问题{row['reopened']}条，达到{settings.interview_reopened}条")
        if unit in silent_names:
            rules.append(RULES[3])
            evidence.append("从未报送台账" if pd.isna(row["last_report"]) else
                            f"已{row['days_silent']}天未报送台账，最近一次为{month_day(row['last_report'])}")
        if unit in round_reasons:
            rules.append(RULES[4])
            evidence.append(f"{scored.round}测评：" + "；".join(round_reasons[unit]))
        if unit in most_lost:
            rules.append(RULES[5])
            evidence.append(most_lost[unit])
        return rules, evidence

    judgements = [judged(row) for _, row in table.iterrows()]
    if not any(rules for rules, _ in judgements):
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    table["rules"] = [rules for rules, _ in judgements]
    table["evidence"] = [evidence for _, evidence in judgements]
    table = table[table["rules"].str.len() > 0].copy()
    table["evidence_text"] = table["evidence"].str.join("；")
    table["rule_count"] = table["rules"].str.len()
    table = table.sort_values(["rule_count", "overdue", "unit"], ascending=[False, False, True],
                              ignore_index=True)
    return table[CANDIDATE_COLUMNS]


def _most_lost(scored: Accountability, top: int) -> dict[str, str]:
    """The `top` units that lost most points in the round (none lost nothing) → the evidence."""
    units = scored.units[scored.units["lost"] > 0].sort_values(["lost", "unit"], ascending=[False, True]).head(top)
    return {row.unit: f"{scored.round}测评丢分{figure(row.lost)}分（占全部丢分的{percent(row.share)}），"
                      f"丢分第{place}多" for place, row in enumerate(units.itertuples(), start=1)}


PRAISE_COLUMNS = ["unit", "kind", "evidence", "rectify_rate", "rate_change"]
PRAISE_KINDS = ("整改率领先", "进步最快")


def named_for_criticism(ranked: pd.DataFrame, candidates: pd.DataFrame,
                        scores: RoundSummary | None) -> frozenset[str]:
    """The units the day's reports criticise: the 后N名 of the unit ranking, the 约谈 candidates and
    the 模拟测评 round's 后N名. No 红榜 of the day names them."""
    return (frozenset(ranked.loc[ranked["last_n"], "unit"]) | frozenset(candidates["unit"])
            | frozenset(scores.last_n if scores else ()))


def praise_list(con: duckdb.DuckDBPyConnection, filters: Filters, unit_metrics: UnitMetrics | None = None,
                criticised: Collection[str] | None = None) -> pd.DataFrame:
    """The 红榜: the best last_n units of the ranking with nothing overdue, then the last_n most
    improved (整改率 up the most since seven days before; a unit may appear under both), leaving out
    the units `criticised` (named_for_criticism when not given); empty when no more than last_n
    units are ranked. Columns: PRAISE_COLUMNS; rate_change in points of a fraction (0.05 = 5 个百分点),
    NaN for the best."""
    settings = get_settings(con)
    unit_metrics = unit_metrics or UnitMetrics(con, filters)
    if criticised is None:
        criticised = named_for_criticism(
            ranking(con, filters, "unit", unit_metrics.on(filters.as_of_date)),
            interview_candidates(con, filters, unit_metrics=unit_metrics), round_summary(con, filters=filters))
    now = _by_rectify_rate(unit_metrics.on(filters.as_of_date), settings)
    if len(now) <= settings.last_n:
        return pd.DataFrame(columns=PRAISE_COLUMNS)
    now = now[~now["unit"].isin(list(criticised))]
    best = now[(now["overdue"] == 0) & ~now["last_n"]].head(settings.last_n)
    rows = [(row.unit, PRAISE_KINDS[0],
             f"整改率{percent(row.rectify_rate)}（全市第{row.rank}），问题{row.total}条，无逾期",
             row.rectify_rate, float("nan")) for row in best.itertuples()]
    before = _by_rectify_rate(unit_metrics.on(filters.as_of_date - dt.timedelta(days=7)), settings)
    both = now.merge(before[["unit", "rectify_rate", "rank"]], on="unit", suffixes=("", "_before"))
    both["rate_change"] = both["rectify_rate"] - both["rectify_rate_before"]
    improved = both[both["rate_change"] > 0].sort_values(
        ["rate_change", "unit"], ascending=[False, True]).head(settings.last_n)
    for row in improved.itertuples():
        climbed = f"，排名由第{row.rank_before}升至第{row.rank}" if row.rank < row.rank_before else ""
        rows.append((row.unit, PRAISE_KINDS[1],
                     f"整改率由{percent(row.rectify_rate_before)}升至{percent(row.rectify_rate)}，"
                     f"提高{row.rate_change * 100:.1f}个百分点{climbed}", row.rectify_rate, row.rate_change))
    return pd.DataFrame(rows, columns=PRAISE_COLUMNS)


@dataclass(frozen=True)
class UnitStanding:
    """The units' side of the 督查 page in one read: their figures, their ranking by the office's measure,
    the 约谈 candidates and the praise, from one set of metrics per day."""
    metrics: pd.DataFrame       # metrics(unit) on the as-of day
    ranking: pd.DataFrame       # behind.ranking(unit)
    candidates: pd.DataFrame    # interview_candidates
    praise: pd.DataFrame        # praise_list
    criticised: frozenset[str]  # named_for_criticism: left off every 红榜 of the day


def unit_standing(con: duckdb.DuckDBPyConnection, filters: Filters) -> UnitStanding:
    unit_metrics = UnitMetrics(con, filters)
    by_unit = unit_metrics.on(filters.as_of_date)
    ranked = ranking(con, filters, "unit", by_unit)
    candidates = interview_candidates(con, filters, unit_metrics=unit_metrics)
    criticised = named_for_criticism(ranked, candidates, round_summary(con, filters=filters))
    return UnitStanding(by_unit, ranked, candidates, praise_list(con, filters, unit_metrics, criticised),
                        criticised)
