"""模拟测评 scores (the rules are in docs/domain.md, "模拟测评得分").

A 点位's score = 100 − its deductions, never below 0. A 点位类型's score and a unit's = the mean of its
点位's scores in the round; the overall (实地) score = the mean of the type scores. The pass line and
how many units 后N名 names are settings (score_line, last_n). 后N名 ranks units lowest first; a tie at
two decimals is broken by the lower worst 点位, then by the unit's name, so the list is always N long
(when more than N units were scored).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics.shared.filters import Filters
from analytics.scores.rounds import read_round
from analytics.shared.numerals import chinese_number
from analytics.shared.settings import get_settings
from analytics.shared.statuses import IN_PROGRESS, OPEN_STATUSES, RECTIFIED

# The 点位 of every round in force: per round and 点位类型, the newest import holding them not undone.
# {rounds_kept} narrows it to one round ($round) for what reads one round only, before anything is grouped.
_ROUND_POINTS_OF = """
    live AS (
        SELECT p.* FROM score_points p JOIN score_imports i USING (import_id)
        WHERE i.undone_at IS NULL AND {rounds_kept}
    ),
    newest AS (
        SELECT round_name, point_type, max(import_id) AS import_id FROM live GROUP BY ALL
    ),
    round_points AS (
        SELECT live.*, greatest(100 - live.deducted, 0) AS score
        FROM live JOIN newest ON live.import_id = newest.import_id AND live.round_name = newest.round_name
             AND live.point_type IS NOT DISTINCT FROM newest.point_type
        WHERE live.deducted IS NOT NULL
    ),
    rounds AS (
        SELECT round_name, max(round_no) AS round_no, min(eval_date) AS round_date,
               row_number() OVER (ORDER BY max(round_no) NULLS LAST, min(eval_date) NULLS LAST,
                                  round_name) AS round_order
        FROM round_points GROUP BY round_name
    )"""
_ROUND_POINTS = _ROUND_POINTS_OF.format(rounds_kept="TRUE")


def _scope(filters: Filters | None) -> tuple[str, dict]:
    """The 点位 the common filters keep: by unit, by 点位类型, by the district of the unit list, and by the
    registry points of the 联点领导/网格 chosen."""
    filters = filters or Filters()
    conditions, params = ["TRUE"], {}
    if filters.units:
        conditions.append("list_contains($units, unit)")
        params["units"] = list(filters.units)
    if filters.point_types:
        conditions.append("list_contains($point_types, point_type)")
        params["point_types"] = list(filters.point_types)
    if filters.districts:
        conditions.append("unit IN (SELECT name FROM units WHERE list_contains($districts, district))")
        params["districts"] = list(filters.districts)
    names = filters.point_names()
    if names is not None:
        conditions.append("list_contains($point_names::VARCHAR[], point_name)")
        params["point_names"] = list(names)
    return " AND ".join(conditions), params


def _points_sql(filters: Filters | None, one_round: bool = False) -> tuple[str, dict]:
    """The `scoped` 点位 of the filters; with one_round, of the round bound as $round only."""
    where, params = _scope(filters)
    round_points = _ROUND_POINTS_OF.format(rounds_kept="p.round_name = $round") if one_round else _ROUND_POINTS
    return f"""WITH {round_points},
    scoped AS (SELECT rp.*, r.round_order FROM round_points rp JOIN rounds r USING (round_name) WHERE {where})""", params


def list_rounds(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rounds in order (by round number, then date): round_name, round_no, round_date, points."""
    return con.execute(f"""
        WITH {_ROUND_POINTS},
        counted AS (SELECT round_name, count(*) AS points FROM round_points GROUP BY round_name)
        SELECT r.round_name, r.round_no, r.round_date, c.points
        FROM rounds r JOIN counted c USING (round_name) ORDER BY r.round_order""").df()


def resolve_round(con: duckdb.DuckDBPyConnection, round_name: str | None) -> str | None:
    """The round asked for (第3轮 and 第三轮 alike), or the latest; None when no round is stored."""
    names = list(list_rounds(con)["round_name"])
    if not names:
        return None
    if round_name is None:
        return names[-1]
    wanted = (read_round(round_name) or (round_name, None))[0]
    if wanted not in names:
        raise LookupError(f"没有名为“{round_name}”的测评轮次，已有：{'、'.join(names)}。")
    return wanted


POINT_SCORE_COLUMNS = ("point_type", "point_name", "unit", "score", "deducted", "stated_score", "eval_date", "flags",
                       "import_id", "point_no", "sheet", "source_row")


def point_scores(con: duckdb.DuckDBPyConnection, round_name: str, filters: Filters | None = None,
                 columns: tuple[str, ...] = POINT_SCORE_COLUMNS) -> pd.DataFrame:
    """Every 点位 scored in the round, lowest score first, with `columns` (of POINT_SCORE_COLUMNS: a
    ranking that needs four of them reads a third of the time)."""
    unknown = set(columns) - set(POINT_SCORE_COLUMNS)
    if unknown:
        raise ValueError(f"unknown point score columns: {sorted(unknown)}")
    scoped, params = _points_sql(filters, one_round=True)
    return con.execute(f"""{scoped}
        SELECT {', '.join(columns)}
        FROM scoped WHERE round_name = $round
        ORDER BY score, point_type, point_name""", {**params, "round": round_name}).df()


def group_scores(con: duckdb.DuckDBPyConnection, by: str, filters: Filters | None = None) -> pd.DataFrame:
    """Per round and group (by = 'point_type' or 'unit'): score (mean of its 点位), points,
    lowest (its worst 点位), change since the previous round (NULL when the group was not scored
    then); rounds in order."""
    column = {"point_type": "point_type", "unit": "unit"}[by]
    scoped, params = _points_sql(filters)
    return con.execute(f"""{scoped},
        grouped AS (
            SELECT round_name, round_order, {column} AS name, avg(score) AS score, count(*) AS points,
                   min(score) AS lowest, sum(deducted) AS deducted
            FROM scoped WHERE {column} IS NOT NULL GROUP BY ALL
        ),
        previous AS (
            SELECT g.*, p.score AS previous_score
            FROM grouped g LEFT JOIN grouped p ON p.name = g.name AND p.round_order = g.round_order - 1
        )
        SELECT round_name, name, score, points, lowest, deducted, score - previous_score AS change
        FROM previous ORDER BY round_order, score, name""", params).df()


def latest_group_scores(con: duckdb.DuckDBPyConnection, by: str, filters: Filters | None = None
                        ) -> pd.DataFrame | None:
    """group_scores of the latest round (columns name, score, …); None before any round."""
    round_name = resolve_round(con, None)
    if round_name is None:
        return None
    scores = group_scores(con, by, filters)
    return scores[scores["round_name"] == round_name].reset_index(drop=True)


def overall_score(type_scores: pd.Series) -> float:
    """A round's overall (实地) score: the mean of its 点位类型 scores (group_scores); NaN with none."""
    return float(type_scores.mean()) if len(type_scores) else float("nan")


def overall_by_round(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """Per round in order: overall (mean of the type scores), points, deducted."""
    types = group_scores(con, "point_type", filters)
    if types.empty:
        return pd.DataFrame(columns=["round_name", "overall", "points", "deducted"])
    order = list(dict.fromkeys(types["round_name"]))
    frame = (types.groupby("round_name", sort=False)
             .agg(overall=("score", overall_score), points=("points", "sum"), deducted=("deducted", "sum"))
             .reindex(order).reset_index())
    return frame


def rank_units(units: pd.DataFrame, last_n: int, line: float) -> pd.DataFrame:
    """One round's unit scores ranked lowest first with `below_line` and `last_n` marks. Ties at two
    decimals go by the lower worst 点位, then by name; 后N名 needs more than N units scored."""
    ranked = units.assign(key=units["score"].round(2)).sort_values(["key", "lowest", "name"]).drop(columns="key")
    ranked = ranked.reset_index(drop=True)
    ranked["rank_from_last"] = ranked.index + 1
    ranked["below_line"] = ranked["score"].round(2) < line
    ranked["last_n"] = ranked["rank_from_last"] <= last_n if len(ranked) > last_n else False
    return ranked


@dataclass
class RoundSummary:
    """What the CLI prints and the page, briefing and deck show for one round."""
    round: str
    overall: float
    line: float
    points: int
    deductions: float
    by_point_type: dict[str, float]
    by_unit: dict[str, float]
    below_line_types: list[str]
    below_line_units: list[str]
    last_n: list[str]
    last_n_count: int                       # the 后N名 setting in force
    change: dict[str, float | None]
    unit_change: dict[str, float | None]
    previous_round: str | None = None
    flagged_points: int = 0
    types: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    units: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def as_json(self) -> dict:
        """The keys of `python -m analytics scores --json`: scores as numbers to two decimals."""
        def two(value):
            return None if value is None or pd.isna(value) else round(float(value), 2)
        return {
            "round": self.round, "overall": two(self.overall),
            "by_point_type": {k: two(v) for k, v in self.by_point_type.items()},
            "by_unit": {k: two(v) for k, v in self.by_unit.items()},
            "points": self.points, "deductions": two(self.deductions),
            "below_line": {"point_types": self.below_line_types, "units": self.below_line_units},
            "last_three": self.last_n,
            "change": {k: two(v) for k, v in self.change.items()},
        }

    @property
    def scored(self) -> bool:
        """Whether the round scored any 点位 in the filters' scope (else there is no score to give)."""
        return self.points > 0

    def briefing_line(self) -> str:
        """第三轮模拟测评综合得分88.4分；低于85分的点位类型：中小学校82.3、…，单位：城南街道78.7、…；后三名：…
        (every type and every unit under the line, lowest first)."""
        if not self.scored:
            return f"{self.round}模拟测评未测到筛选范围内的点位，暂无得分"

        def below(frame: pd.DataFrame) -> str:
            under = frame[frame["score"].round(2) < self.line].sort_values(["score", "name"])
            return "、".join(f"{n}{s:.1f}" for n, s in zip(under["name"], under["score"])) or "无"
        last = "、".join(self.last_n) or "无"
        return (f"{self.round}模拟测评综合得分{self.overall:.1f}分；低于{self.line:g}分的点位类型：{below(self.types)}，"
                f"单位：{below(self.units)}；后{chinese_number(self.last_n_count)}名：{last}")


def round_summary(con: duckdb.DuckDBPyConnection, round_name: str | None = None, filters: Filters | None = None,
                  *, line: float | None = None, last_n: int | None = None) -> RoundSummary | None:
    """The round's scores (the latest when None); None when no score sheet is stored. The line and
    后N名 come from the settings unless given."""
    round_name = resolve_round(con, round_name)
    settings = get_settings(con)
    line = settings.score_line if line is None else line
    last_n = settings.last_n if last_n is None else last_n
    if round_name is None:
        return None
    types_all = group_scores(con, "point_type", filters)
    units_all = group_scores(con, "unit", filters)
    types = types_all[types_all["round_name"] == round_name].reset_index(drop=True)
    units = rank_units(units_all[units_all["round_name"] == round_name], last_n, line)
    points = point_scores(con, round_name, filters)
    order = list(dict.fromkeys(types_all["round_name"]))
    previous = order[order.index(round_name) - 1] if round_name in order and order.index(round_name) else None
    below_types = sorted(types.loc[types["score"].round(2) < line, "name"])
    return RoundSummary(
        round=round_name, overall=overall_score(types["score"]), line=line,
        points=len(points), deductions=float(points["deducted"].sum()),
        by_point_type=dict(zip(types["name"], types["score"])),
        by_unit=dict(zip(units["name"], units["score"])),
        below_line_types=below_types,
        below_line_units=sorted(units.loc[units["below_line"], "name"]),
        last_n=list(units.loc[units["last_n"], "name"]), last_n_count=last_n,
        change=dict(zip(types["name"], types["change"].astype(object).where(types["change"].notna(), None)))
        if previous else {},
        unit_change=dict(zip(units["name"], units["change"].astype(object).where(units["change"].notna(), None)))
        if previous else {},
        previous_round=previous,
        flagged_points=int(sum(len(f) > 0 for f in points["flags"])),
        types=types, units=units)


def most_lost(con: duckdb.DuckDBPyConnection, round_name: str, by: str = "standard",
              filters: Filters | None = None, limit: int = 10) -> pd.DataFrame:
    """Where the round lost most points ("主要扣分项目"): by = 'standard' (per 点位类型 and 测评标准)
    or 'item' (测评项目). Columns: point_type (standard only), name, lost, deductions, points."""
    scoped, params = _points_sql(filters, one_round=True)
    key = {"standard": "s.point_type, coalesce(d.standard, '（未写明标准）') AS name",
           "item": "coalesce(d.item, '（未写明项目）') AS name"}[by]
    return con.execute(f"""{scoped},
        lost AS (
            SELECT {key}, d.deduction, s.import_id, s.point_no
            FROM scoped s JOIN score_deductions d USING (import_id, point_no)
            WHERE s.round_name = $round AND d.deduction > 0
        ),
        summed AS (
            SELECT * EXCLUDE (deduction, import_id, point_no), sum(deduction) AS lost, count(*) AS deductions,
                   count(DISTINCT (import_id, point_no)) AS points
            FROM lost GROUP BY ALL
        )
        SELECT * FROM summed ORDER BY lost DESC, name LIMIT $limit""",
                       {**params, "round": round_name, "limit": int(limit)}).df()


def round_deductions(con: duckdb.DuckDBPyConnection, round_name: str, filters: Filters | None = None
                     ) -> pd.DataFrame:
    """Each deduction above 0 of the round: point_type, point_name, unit, item, standard, deduction."""
    scoped, params = _points_sql(filters, one_round=True)
    return con.execute(f"""{scoped}
        SELECT s.point_type, s.point_name, s.unit, d.item, d.standard, d.deduction
        FROM scoped s JOIN score_deductions d USING (import_id, point_no)
        WHERE s.round_name = $round AND d.deduction > 0""", {**params, "round": round_name}).df()


def deductions_with_ledger(con: duckdb.DuckDBPyConnection, round_name: str,
                           filters: Filters | None = None, point_name: str | None = None) -> pd.DataFrame:
    """Each deduction of the round with what the unit's ledger says now about the same 点位 (same
    点位名称, its unit the 点位's unit): its problems that were open on the round's day or found since,
    how many of them are still open, and ledger_state 已整改 (all rectified since) / 整改中 (some
    still open) / 台账未见 (the ledger shows none)."""
    scoped, params = _points_sql(filters, one_round=True)
    named = "AND s.point_name = $point_name" if point_name is not None else ""
    extra = {"point_name": point_name} if point_name is not None else {}
    return con.execute(f"""{scoped},
        deductions AS (
            SELECT s.point_type, s.point_name, s.unit, s.score, s.eval_date, d.item, d.standard, d.max_points,
                   d.deduction, d.reason, d.flags, d.sheet, d.source_row, d.source_column
            FROM scoped s JOIN score_deductions d USING (import_id, point_no)
            WHERE s.round_name = $round {named}
        ),
        ledger AS (
            SELECT d.point_name, d.unit, d.eval_date,
                   count(p.problem_key) AS ledger_problems,
                   count(p.problem_key) FILTER (WHERE list_contains($open_statuses, p.status)) AS ledger_open
            FROM (SELECT DISTINCT point_name, unit, eval_date FROM deductions) d
            LEFT JOIN problems p
              ON replace(p.point_name, ' ', '') = replace(d.point_name, ' ', '') AND p.unit = d.unit
             AND (d.eval_date IS NULL OR coalesce(p.found_date, p.first_seen) >= d.eval_date
                  OR (p.start_day <= d.eval_date AND (p.done_day IS NULL OR p.done_day > d.eval_date)))
            GROUP BY ALL
        )
        SELECT d.*, l.ledger_problems, l.ledger_open,
               CASE WHEN l.ledger_problems = 0 THEN '台账未见'
                    WHEN l.ledger_open = 0 THEN $rectified ELSE $in_progress END AS ledger_state
        FROM deductions d LEFT JOIN ledger l
          ON l.point_name = d.point_name AND l.unit IS NOT DISTINCT FROM d.unit
         AND l.eval_date IS NOT DISTINCT FROM d.eval_date
        ORDER BY d.score, d.point_type, d.point_name, d.deduction DESC""",
                       {**params, **extra, "round": round_name, "open_statuses": list(OPEN_STATUSES),
                        "rectified": RECTIFIED, "in_progress": IN_PROGRESS}).df()


def point_registry(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """Every 点位 seen in a score sheet or a ledger: point_type, point_name, unit (the latest seen),
    rounds (how many rounds scored it), last_score, problems (in ledgers). A type's 点位 that no round
    has visited have rounds = 0. The filters' units, when given, keep their own 点位 only, and their
    联点领导/网格 the registry points those hold."""
    filters = filters or Filters()
    names = filters.point_names()
    return con.execute(f"""
        WITH {_ROUND_POINTS},
        scored AS (
            SELECT point_type, point_name, arg_max(unit, r.round_order) AS unit,
                   count(DISTINCT round_name) AS rounds, arg_max(score, r.round_order) AS last_score
            FROM round_points JOIN rounds r USING (round_name) GROUP BY point_type, point_name
        ),
        in_ledgers AS (
            SELECT point_type, point_name, arg_max(unit, as_of) AS unit, count(*) AS problems
            FROM problems WHERE point_name IS NOT NULL GROUP BY point_type, point_name
        )
        SELECT point_type, point_name, coalesce(s.unit, l.unit) AS unit, coalesce(s.rounds, 0) AS rounds,
               s.last_score, coalesce(l.problems, 0) AS problems
        FROM scored s FULL JOIN in_ledgers l USING (point_type, point_name)
        WHERE (len($units) = 0 OR list_contains($units, coalesce(s.unit, l.unit)))
          AND ($point_names::VARCHAR[] IS NULL OR list_contains($point_names::VARCHAR[], point_name))
        ORDER BY point_type NULLS LAST, rounds, point_name""",
                       {"units": list(filters.units), "point_names": None if names is None else list(names)}).df()
