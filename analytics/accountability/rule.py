"""Accountability on a round's results, as the speeches state it: "涉及各责任单位的单项工作，如果在这次测评中
位于后三名，也没有达到85分的，严肃追责问责" — both conditions at once — and "谁丢分、谁领责".

- The items of work (单项工作) are the round's 点位类型, each scored as the scores model scores it (the
  mean of its 点位), ranked lowest first with ties as for units (scores.model.rank_units). An item among
  the last `last_n` and under the line (settings) is called to account, and with it every unit that lost
  points on it, the most lost first, each with what it lost there.
- The units, ranked the same way: a unit among the last `last_n` and under the line is called to account.
- A round with fewer items (or units) than last_n has all of them among the last; `few_items` and
  `few_units` say so.
- A unit named by either rule is listed once with every reason in plain Chinese with the figures.
- 谁丢分: per unit the points lost in the round (the sum of its 点位's deductions), its share of all
  points lost, and the standards where it lost most.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics.scores.model import point_scores, rank_units, resolve_round, round_deductions
from analytics.shared.filters import Filters
from analytics.shared.settings import get_settings

TOP_STANDARDS = 3     # the standards named per unit where it lost most


def figure(value: float) -> str:
    """A score or points lost as the reasons write it: 71.75, 82.69, 27 → 71.75, 82.69, 27.0."""
    rounded = round(float(value), 2)
    return f"{rounded:.1f}" if rounded == round(rounded, 1) else f"{rounded:g}"


@dataclass(frozen=True)
class CalledItem:
    name: str
    score: float
    place: int
    lost: float          # what the unit lost on it


@dataclass(frozen=True)
class CalledUnit:
    unit: str
    unit_rule: tuple[float, int] | None      # (score, place) when the unit itself is among the last and under
    items: tuple[CalledItem, ...]
    reasons: tuple[str, ...]


@dataclass
class Accountability:
    round: str
    line: float
    last_n: int
    items: pd.DataFrame       # name, score, place, places (first, last of its tie), called, units [(unit, lost)]
    units: pd.DataFrame       # unit, score, place, places, lost, share, called, standards [(standard, lost)]
    called: list[CalledUnit] = field(default_factory=list)

    @property
    def few_items(self) -> bool:
        return len(self.items) <= self.last_n

    @property
    def few_units(self) -> bool:
        return len(self.units) <= self.last_n

    def called_names(self) -> list[str]:
        return [entry.unit for entry in self.called]

    def sentence(self) -> str:
        """Who is called to account after the round, in one sentence."""
        items = self.items[self.items["called"]]
        if not self.called:
            return (f"{self.round}测评后无单位被问责（没有单项工作或单位同时列后{self.last_n}名且低于"
                    f"{self.line:g}分）")
        named = "、".join(f"{row.name}{figure(row.score)}分（倒数第{row.place}）" for row in items.itertuples())
        by_item = f"单项工作{named}列后{self.last_n}名且低于{self.line:g}分；" if len(items) else ""
        return f"{self.round}测评后{by_item}被问责的单位：{'、'.join(self.called_names())}"

    def as_json(self) -> dict:
        """What `python -m analytics accountability --json` prints (scores and points to four decimals)."""
        def four(value: float) -> float:
            return round(float(value), 4)
        return {
            "round": self.round, "line": self.line, "last_n": self.last_n,
            "items": [{"name": row.name, "score": four(row.score), "place": int(row.place),
                       "places": list(row.places), "called": bool(row.called),
                       "units": [{"unit": unit, "lost": four(lost)} for unit, lost in row.units]}
                      for row in self.items.itertuples()],
            "units": [{"unit": row.unit, "score": four(row.score), "place": int(row.place),
                       "places": list(row.places), "lost": four(row.lost), "share": four(row.share),
                       "called": bool(row.called),
                       "standards": [{"standard": name, "lost": four(lost)} for name, lost in row.standards]}
                      for row in self.units.itertuples()],
            "called_to_account": [
                {"unit": entry.unit, "reasons": list(entry.reasons),
                 "unit_rule": None if entry.unit_rule is None else
                 {"score": four(entry.unit_rule[0]), "place": entry.unit_rule[1]},
                 "items": [{"name": item.name, "score": four(item.score), "place": item.place,
                            "lost": four(item.lost)} for item in entry.items]}
                for entry in self.called],
            "few_items": self.few_items, "few_units": self.few_units,
        }


def _ranked(rows: list[tuple], last_n: int, line: float) -> pd.DataFrame:
    """Groups from (group, score, deducted) rows of 点位, ranked lowest first (rank_units' order) with
    place, places (its tie at two decimals, first and last place) and called (among the last last_n
    and under the line). Summed in Python: a round has a few thousand 点位 at most."""
    groups: dict[str, list[float]] = {}
    for name, score, deducted in rows:
        if isinstance(name, str):      # a 点位 without its unit or type is in no group
            group = groups.setdefault(name, [0.0, 0, 100.0, 0.0])
            group[0] += score
            group[1] += 1
            group[2] = min(group[2], score)
            group[3] += deducted
    grouped = pd.DataFrame({"name": list(groups), "score": [g[0] / g[1] for g in groups.values()],
                            "lowest": [g[2] for g in groups.values()], "lost": [g[3] for g in groups.values()]})
    ranked = rank_units(grouped, last_n, line)
    ranked["place"] = ranked["rank_from_last"]
    ties: dict[float, list[int]] = {}
    for key, place in zip(ranked["score"].round(2), ranked["place"]):
        ties.setdefault(key, []).append(int(place))
    ranked["places"] = [(min(ties[key]), max(ties[key])) for key in ranked["score"].round(2)]
    ranked["called"] = (ranked["place"] <= last_n) & ranked["below_line"]
    return ranked[["name", "score", "place", "places", "lost", "called"]]


def _lost_by(rows) -> dict[str, list[tuple[str, float]]]:
    """From (key, part, points lost) rows: per key, (part, points lost) most lost first, ties by name."""
    summed: dict[str, dict[str, float]] = {}
    for key, part, points in rows:
        if isinstance(key, str) and isinstance(part, str) and points > 0:
            parts = summed.setdefault(key, {})
            parts[part] = parts.get(part, 0.0) + float(points)
    return {key: sorted(parts.items(), key=lambda item: (-item[1], item[0])) for key, parts in summed.items()}


def accountability(con: duckdb.DuckDBPyConnection, round_name: str | None = None,
                   filters: Filters | None = None) -> Accountability | None:
    """The round's accountability (the latest round when None); None when no round is stored.
    LookupError for a round that is not stored."""
    round_name = resolve_round(con, round_name)
    if round_name is None:
        return None
    settings = get_settings(con)
    line, last_n = settings.score_line, settings.last_n
    points = point_scores(con, round_name, filters, columns=("point_type", "unit", "score", "deducted"))
    types, units_of, scores, lost = (points[c].tolist() for c in ("point_type", "unit", "score", "deducted"))
    items = _ranked(list(zip(types, scores, lost)), last_n, line)
    units = _ranked(list(zip(units_of, scores, lost)), last_n, line).rename(columns={"name": "unit"})
    lost_on_item = _lost_by(zip(types, units_of, lost))
    items["units"] = [lost_on_item.get(name, []) for name in items["name"]]
    total = float(units["lost"].sum())
    units["share"] = units["lost"] / total if total else 0.0
    deductions = round_deductions(con, round_name, filters)
    named = [next((text for text in written if isinstance(text, str) and text), "（未写明标准）")
             for written in zip(deductions["standard"], deductions["item"])]
    standards = _lost_by(zip(deductions["unit"].tolist(), named, deductions["deduction"].tolist()))
    units["standards"] = [standards.get(unit, [])[:TOP_STANDARDS] for unit in units["unit"]]
    result = Accountability(round_name, line, last_n, items, units)
    result.called = _called(result)
    return result


def _called(result: Accountability) -> list[CalledUnit]:
    """Every unit either rule names, once, in the order of the unit ranking, with its reasons."""
    line = result.line
    by_unit: dict[str, list[CalledItem]] = {}
    for row in result.items[result.items["called"]].itertuples():
        for unit, lost in row.units:
            by_unit.setdefault(unit, []).append(CalledItem(row.name, float(row.score), int(row.place), float(lost)))
    called = []
    for row in result.units.itertuples():
        if not row.called and row.unit not in by_unit:
            continue
        reasons = []
        if row.called:
            reasons.append(f"本单位得分{figure(row.score)}分，列倒数第{row.place}，低于{line:g}分")
        for item in by_unit.get(row.unit, []):
            reasons.append(f"{item.name}得分{figure(item.score)}分，列倒数第{item.place}，低于{line:g}分；"
                           f"本单位在该项丢分{figure(item.lost)}分")
        called.append(CalledUnit(row.unit, (float(row.score), int(row.place)) if row.called else None,
                                 tuple(by_unit.get(row.unit, [])), tuple(reasons)))
    return called
