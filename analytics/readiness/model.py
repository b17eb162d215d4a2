"""Readiness across the three parts of the 测评, and the score it projects (the stated model of docs/domain.md, "测评准备"):

- 实地 = the latest 模拟测评 round's overall score (analytics.scores.model);
- 网上 = 100 × 分值 of the 网上申报 standards whose materials passed ÷ 分值 of all 网上申报 standards of
  the 测评体系分解表; a pending (已报送/待审核) standard counts `pending_credit_pct` % of its 分值 (0 by
  default: nothing until it passes);
- 问卷 = 100 × the mean of the latest round's rates (all indicators, all areas);
- projected = the mean of the three weighted by the settings (40/40/20 by default); best case = the same
  with every pending standard passed. A part with no data leaves the projection empty, never guessed.

A standard listed for several units passes when every unit's materials passed. Points lost are points
of the projected score: a 网上申报 standard not passed costs weight × 分值 ÷ all 分值, shared by the units
whose materials did not pass; a 点位's deductions cost what they take off the 实地 score, times its weight.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics.shared import db
from analytics.shared.filters import Filters
from analytics.readiness.words import (INDICATORS,
    MISSING,
    ONLINE_METHOD,
    PASSED,
    PENDING,
    RETURNED,
    SUBMISSION_STATUSES,
    standard_key)
from analytics.readiness.store import (CURRENT_MATERIALS_SQL,
    CURRENT_STANDARDS_SQL,
    CURRENT_SURVEY_SQL,
    has_readiness_tables)
from analytics.scores.model import latest_group_scores, overall_score, point_scores, resolve_round
from analytics.shared.settings import Settings, get_settings

PARTS = {"field": "实地考察", "online": "网上申报", "survey": "问卷调查"}
TARGET_SETTINGS = dict(zip(INDICATORS, ("target_awareness_pct", "target_support_pct",
                                        "target_participation_pct", "target_satisfaction_pct")))
NO_RECORD = "无报送记录"

ONLINE_COLUMNS = ["item", "content", "standard", "points", "unit", "status", "reason", "deadline", "overdue",
                  "days_overdue", "in_catalogue", "note"]
_ONLINE_TYPES = {"points": "float64", "deadline": "datetime64[us]", "overdue": "bool", "days_overdue": "Int64",
                 "in_catalogue": "bool"}
WHO_LOSES_COLUMNS = ["unit", "lost", "field_lost", "online_lost", "field_points", "online_open"]
SURVEY_COLUMNS = ["round", "round_no", "round_order", "area", "indicator", "rate", "target", "below_target"]


@dataclass(frozen=True)
class FieldScores:
    """What the 实地 part takes from a 模拟测评 round: its overall score and the points of it each
    unit's 点位 cost (deductions ÷ the 点位 of its type ÷ the number of types)."""
    round: str
    overall: float
    lost_by_unit: dict[str, float] = field(default_factory=dict)
    points_by_unit: dict[str, int] = field(default_factory=dict)   # 点位 with deductions


@dataclass(frozen=True)
class Readiness:
    field: float | None
    online: float | None
    survey: float | None
    projected: float | None
    best_case: float | None
    online_best: float | None             # the 网上 part with every pending standard passed
    weights: dict[str, float]
    field_round: str | None
    survey_round: str | None
    online_standards: int                 # 网上申报 standards of the catalogue (or of the status sheet)
    online_by_status: dict[str, int]      # standards by status: 已通过/待审核/被退回/未报送
    online_returned: dict[str, int]       # unit -> materials returned
    online_missing: int                   # materials not sent (未报送, or no record at all)
    online_overdue: int                   # not passed and past 截止时间
    lost_by_unit: dict[str, float]        # unit -> points of the projected score its parts cost
    missing_parts: tuple[str, ...]        # 实地考察/网上申报/问卷调查 with no data
    notes: tuple[str, ...] = ()
    who_loses: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WHO_LOSES_COLUMNS),
                                    compare=False)   # the 谁丢分 table, most lost first


def online_materials_status(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per 网上申报 standard and responsible unit (ONLINE_COLUMNS): the catalogue's standards
    joined with the newest status of their materials. A catalogue standard no sheet lists is 未报送
    (无报送记录); a sheet row whose standard is not in the catalogue is kept with in_catalogue False."""
    empty = pd.DataFrame({name: pd.Series(dtype=_ONLINE_TYPES.get(name, "str")) for name in ONLINE_COLUMNS})
    if not has_readiness_tables(con):
        return empty
    catalogue = db.fetch_frame(con, f"""
        WITH current_standards AS ({CURRENT_STANDARDS_SQL})
        SELECT item, content, standard, standard_key, points, unit
        FROM current_standards WHERE method = '{ONLINE_METHOD}' ORDER BY source_row""")
    materials = db.fetch_frame(con, f"""
        WITH current_materials AS ({CURRENT_MATERIALS_SQL})
        SELECT standard, standard_key, unit, status, reason, deadline, points
        FROM current_materials ORDER BY import_id, sheet, source_row""")
    if catalogue.empty and materials.empty:
        return empty
    rows = _match_materials(catalogue, materials)
    if (units := filters.unit_choice()) is not None:
        rows = rows[rows["unit"].isin(units)]
    as_of = pd.Timestamp(filters.as_of_date)
    open_ = rows["status"] != PASSED
    rows["overdue"] = open_ & rows["deadline"].notna() & (rows["deadline"] < as_of)
    rows["days_overdue"] = (as_of - rows["deadline"]).dt.days.where(rows["overdue"]).astype("Int64")
    return rows[ONLINE_COLUMNS].reset_index(drop=True)


def _match_materials(catalogue: pd.DataFrame, materials: pd.DataFrame) -> pd.DataFrame:
    """Each status row to its catalogue standard: the same words (without punctuation), else the one
    standard whose words contain, or are contained in, the row's, else the one standard under a
    测评内容 of the row's words (a sheet that names the 测评内容 only)."""
    keys = list(catalogue["standard_key"])
    by_content: dict[str, list[str]] = {}
    for key, content in zip(keys, catalogue["content"]):
        by_content.setdefault(standard_key(content), []).append(key)

    known = set(keys)

    def matched(key: str) -> str | None:
        if key in known:
            return key
        near = [k for k in keys if len(k) >= 4 and len(key) >= 4 and (k in key or key in k)]
        if len(near) == 1:
            return near[0]
        under = by_content.get(key, [])
        return under[0] if len(under) == 1 else None

    materials = materials.assign(catalogue_key=pd.Series([matched(key) for key in materials["standard_key"]],
                                                         index=materials.index, dtype="str"))
    joined = catalogue.merge(materials.drop(columns=["standard"]).rename(
        columns={"unit": "sheet_unit", "points": "sheet_points", "standard_key": "row_key"}),
        left_on="standard_key", right_on="catalogue_key", how="left")
    joined["unit"] = joined["sheet_unit"].fillna(joined["unit"])
    no_record = joined["status"].isna()
    joined["status"] = joined["status"].fillna(MISSING)
    joined["note"] = pd.Series([NO_RECORD if gone else "" for gone in no_record], index=joined.index)
    joined["in_catalogue"] = True
    extra = materials[materials["catalogue_key"].isna()].assign(
        item=None, content=None, in_catalogue=False,
        note="测评体系分解表中没有这项标准" if len(catalogue) else "")
    if not len(catalogue):
        # no catalogue: the status sheet's own 分值 weigh its standards, else each counts alike
        extra["points"] = extra["points"].fillna(1.0) if extra["points"].notna().any() else 1.0
        extra["in_catalogue"] = True
    columns = ["item", "content", "standard", "points", "unit", "status", "reason", "deadline", "in_catalogue",
               "note"]
    rows = pd.concat([frame[columns] for frame in (joined, extra) if len(frame)], ignore_index=True) \
        if len(joined) or len(extra) else pd.DataFrame(columns=columns)
    rows["deadline"] = pd.to_datetime(rows["deadline"])
    rows["points"] = rows["points"].astype(float)
    return rows


# A standard's status from its units' rows is the worst of them: passed when all passed, pending when
# the rest wait, returned when any was returned, else missing.
_STATUS_ORDER = (PASSED, PENDING, MISSING, RETURNED)


def online_by_standard(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per scored standard (standard, points, status) from online_materials_status."""
    scored = rows[rows["in_catalogue"]]
    if not len(scored):
        return pd.DataFrame({"standard": pd.Series(dtype="str"), "points": pd.Series(dtype="float64"),
                             "status": pd.Series(dtype="str")})
    ranked = scored.assign(rank=scored["status"].map(_STATUS_ORDER.index))
    table = ranked.groupby("standard", sort=False).agg(points=("points", "first"), rank=("rank", "max")).reset_index()
    table["status"] = table["rank"].map(dict(enumerate(_STATUS_ORDER)))
    return table[["standard", "points", "status"]]


def online_scores(by_standard: pd.DataFrame, pending_credit_pct: float) -> tuple[float | None, float | None]:
    """(projected, best case) of the 网上 part, 0–100; None when there is no 分值 to score."""
    total = by_standard["points"].sum()
    if not len(by_standard) or total <= 0:
        return None, None
    passed = by_standard.loc[by_standard["status"] == PASSED, "points"].sum()
    pending = by_standard.loc[by_standard["status"] == PENDING, "points"].sum()
    return (float(100 * (passed + pending * pending_credit_pct / 100) / total), float(100 * (passed + pending) / total))


def survey_rates(con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Every round's rates by area and indicator (SURVEY_COLUMNS), rounds in order (round_order 1, 2 …),
    each against its target; limited to the filtered districts when areas are named after them."""
    if not has_readiness_tables(con):
        return pd.DataFrame(columns=SURVEY_COLUMNS)
    settings = settings or get_settings(con)
    rates = db.fetch_frame(con, f"""
        WITH current_survey AS ({CURRENT_SURVEY_SQL}),
        round_order AS (
            -- numbered rounds by number; others (秋季调查, 2026年10月) as they came: by import, sheet and row
            SELECT round, dense_rank() OVER (ORDER BY min(round_no) NULLS LAST, min(import_id),
                                             min(sheet_order), min(source_row)) AS round_order
            FROM (SELECT *, dense_rank() OVER (PARTITION BY import_id ORDER BY sheet) AS sheet_order
                  FROM current_survey) GROUP BY round
        )
        SELECT round, round_no, round_order, area, indicator, avg(rate) AS rate
        FROM current_survey JOIN round_order USING (round)
        WHERE rate IS NOT NULL AND ($districts::VARCHAR[] IS NULL OR list_contains($districts::VARCHAR[], area))
        GROUP BY ALL ORDER BY round_order, area, indicator""",
        {"districts": None if (districts := filters.district_choice()) is None else list(districts)})
    targets = {name: getattr(settings, key) / 100 for name, key in TARGET_SETTINGS.items()}
    rates["target"] = rates["indicator"].map(targets).astype(float)
    rates["below_target"] = rates["rate"] < rates["target"] - 1e-9
    return rates[SURVEY_COLUMNS]


def survey_table(rates: pd.DataFrame) -> pd.DataFrame:
    """survey_rates as a table: a row per round and area (rounds in order), a column per indicator in
    percent, and the indicators under their targets."""
    columns = ["round", "area", *INDICATORS, "below_target"]
    if rates.empty:
        return pd.DataFrame(columns=columns)
    table = rates.pivot_table(index=["round_order", "round", "area"], columns="indicator", values="rate",
                              sort=True).mul(100).round(1)
    below = rates[rates["below_target"]].groupby(["round_order", "round", "area"])["indicator"].agg(
        lambda names: "、".join(name for name in INDICATORS if name in set(names)))
    table["below_target"] = below.reindex(table.index).fillna("")
    table = table.reset_index().drop(columns="round_order")
    table.columns.name = None
    return table[[column for column in columns if column in table.columns]]


def latest_survey(rates: pd.DataFrame) -> tuple[str | None, float | None]:
    """(round, 问卷 score) of the latest round: 100 × the mean of its rates."""
    if not len(rates):
        return None, None
    latest = rates[rates["round_order"] == rates["round_order"].max()]
    return latest["round"].iloc[0], 100 * float(latest["rate"].mean())


def weights_of(settings: Settings) -> dict[str, float]:
    return {"field": settings.weight_field, "online": settings.weight_online, "survey": settings.weight_survey}


def weighted(parts: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """The weighted mean of the parts; None when a part that weighs is missing or nothing weighs."""
    total = sum(weights.values())
    if total <= 0 or any(parts[name] is None for name, weight in weights.items() if weight > 0):
        return None
    return float(sum(weights[name] * (parts[name] or 0.0) for name in weights) / total)


def lost_online_by_unit(rows: pd.DataFrame, by_standard: pd.DataFrame,
                        weight_share: float) -> tuple[dict[str, float], dict[str, int]]:
    """Points of the projected score each unit's unpassed 网上申报 standards cost (a standard's share
    split among the units whose materials did not pass), and how many standards."""
    total = by_standard["points"].sum()
    if total <= 0:
        return {}, {}
    failing = by_standard.loc[by_standard["status"] != PASSED, "standard"]
    open_rows = rows[rows["in_catalogue"] & rows["standard"].isin(failing) & (rows["status"] != PASSED)]
    owners = open_rows.groupby("standard")["standard"].transform("size")
    shares = weight_share * 100 * open_rows["points"] / total / owners
    units = open_rows["unit"].fillna("（未写明单位）")
    return ({str(unit): float(points) for unit, points in shares.groupby(units).sum().items()},
            {str(unit): int(count) for unit, count in units.value_counts().items()})


def who_loses(online_lost: tuple[dict[str, float], dict[str, int]], field_scores: FieldScores | None,
              field_share: float) -> pd.DataFrame:
    """谁丢分: per unit, the points of the projected score its 点位 (field) and its 网上申报 standards
    (online) cost, with how many 点位 lost points and how many standards are open; most lost first."""
    lost, open_count = online_lost
    field_lost = {unit: points * field_share for unit, points in (field_scores.lost_by_unit if field_scores else {}).items()}
    field_points = field_scores.points_by_unit if field_scores else {}
    units = sorted(set(lost) | set(field_lost))
    table = pd.DataFrame({
        "unit": units,
        "field_lost": [field_lost.get(unit, 0.0) for unit in units],
        "online_lost": [lost.get(unit, 0.0) for unit in units],
        "field_points": [int(field_points.get(unit, 0)) for unit in units],
        "online_open": [int(open_count.get(unit, 0)) for unit in units]})
    table["lost"] = table["field_lost"] + table["online_lost"]
    table = table[table["lost"] > 0]
    return table.sort_values(["lost", "unit"], ascending=[False, True])[WHO_LOSES_COLUMNS].reset_index(drop=True)


def field_scores_of(con: duckdb.DuckDBPyConnection, filters: Filters) -> FieldScores | None:
    """The 实地 part from the latest 模拟测评 round: its overall score (the mean of its type scores) and
    what each unit's 点位 took off it: a 点位's deductions ÷ the 点位 of its type ÷ the types."""
    latest = resolve_round(con, None)
    points = point_scores(con, latest, filters) if latest else None
    if points is None or not points["point_type"].notna().any():
        return None
    points = points[points["point_type"].notna()]
    overall = overall_score(latest_group_scores(con, "point_type", filters)["score"])
    per_type = points.groupby("point_type")["point_type"].transform("size")
    lost = (100 - points["score"]) / per_type / points["point_type"].nunique()
    units = points["unit"].fillna("（未写明单位）")
    return FieldScores(latest, overall,
                       {str(unit): float(value) for unit, value in lost.groupby(units).sum().items()},
                       {str(unit): int(count) for unit, count in units[lost > 0].value_counts().items()})


def readiness(con: duckdb.DuckDBPyConnection, filters: Filters, field_scores: FieldScores | None = None,
              settings: Settings | None = None) -> Readiness:
    """The three parts, the projection and its best case, and who loses the points. The 实地 part
    comes from the stored score sheets unless `field_scores` is given."""
    settings = settings or get_settings(con)
    field_scores = field_scores or field_scores_of(con, filters)
    weights = weights_of(settings)
    total_weight = sum(weights.values()) or 1.0
    rows = online_materials_status(con, filters)
    by_standard = online_by_standard(rows)
    online, online_best = online_scores(by_standard, settings.pending_credit_pct)
    survey_round, survey = latest_survey(survey_rates(con, filters, settings))
    field_score = field_scores.overall if field_scores else None
    parts = {"field": field_score, "online": online, "survey": survey}
    losers = who_loses(lost_online_by_unit(rows, by_standard, weights["online"] / total_weight), field_scores,
                       weights["field"] / total_weight)
    notes = []
    if len(rows) and not rows["in_catalogue"].all():
        notes.append(f"网上申报材料报送情况中有{int((~rows['in_catalogue']).sum())}项标准不在测评体系分解表中，未计分")
    open_rows = rows[rows["status"] != PASSED]
    returned = open_rows[open_rows["status"] == RETURNED]
    return Readiness(
        field=field_score, online=online, survey=survey,
        projected=weighted(parts, weights),
        best_case=weighted({**parts, "online": online_best}, weights), online_best=online_best,
        weights=weights,
        field_round=field_scores.round if field_scores else None, survey_round=survey_round,
        online_standards=len(by_standard),
        online_by_status={status: int((by_standard["status"] == status).sum()) for status in SUBMISSION_STATUSES},
        online_returned={str(unit): int(count) for unit, count in
                         returned["unit"].fillna("（未写明单位）").value_counts().sort_index().items()},
        online_missing=int((open_rows["status"] == MISSING).sum()),
        online_overdue=int(open_rows["overdue"].sum()),
        lost_by_unit={str(unit): float(lost) for unit, lost in zip(losers["unit"], losers["lost"])},
        missing_parts=tuple(PARTS[name] for name, value in parts.items() if value is None),
        notes=tuple(notes), who_loses=losers)


def readiness_json(result: Readiness) -> dict:
    """The figures of `python -m analytics readiness --json`: scores as plain numbers, unrounded (a
    figure rounded twice drifts: 74.664 from parts of two decimals, 74.6634 from the parts themselves);
    points lost to two decimals."""
    def score(value: float | None) -> float | None:
        return None if value is None else float(value)

    return {
        "field": score(result.field), "online": score(result.online), "survey": score(result.survey),
        "projected": score(result.projected), "best_case": score(result.best_case),
        "weights": result.weights, "online_returned": result.online_returned,
        "online_missing": result.online_missing,
        "lost_by_unit": {unit: round(points, 2) for unit, points in result.lost_by_unit.items()},
    }


def open_online_points(rows: pd.DataFrame) -> pd.DataFrame:
    """The 网上申报 points still open, worst first: returned (with reasons), missing, pending; overdue
    ones first within each."""
    open_rows = rows[rows["status"] != PASSED].copy()
    order = {RETURNED: 0, MISSING: 1, PENDING: 2}
    open_rows["order"] = open_rows["status"].map(order)
    return open_rows.sort_values(["order", "overdue", "unit", "standard"], ascending=[True, False, True, True]) \
        .drop(columns="order").reset_index(drop=True)


def open_points_by_unit(rows: pd.DataFrame) -> pd.DataFrame:
    """Per unit: materials returned, missing, pending and overdue (the units with most open first)."""
    columns = ["unit", "returned", "missing", "pending", "overdue", "open"]
    open_rows = rows[rows["status"] != PASSED]
    if not len(open_rows):
        return pd.DataFrame(columns=columns)
    table = open_rows.assign(unit=open_rows["unit"].fillna("（未写明单位）")).groupby("unit").agg(
        returned=("status", lambda s: int((s == RETURNED).sum())),
        missing=("status", lambda s: int((s == MISSING).sum())),
        pending=("status", lambda s: int((s == PENDING).sum())),
        overdue=("overdue", "sum")).reset_index()
    table["open"] = table[["returned", "missing", "pending"]].sum(axis=1)
    return table.sort_values(["open", "returned", "unit"], ascending=[False, False, True])[columns] \
        .reset_index(drop=True)


def stored_readiness(con: duckdb.DuckDBPyConnection, filters: Filters) -> Readiness | None:
    """readiness() once 网上申报 or 问卷调查 sheets are in; None before (the 晨报, the deck and the 通报
    then say nothing of it: the 模拟测评 alone has its own line)."""
    if not has_readiness_tables(con) or not con.execute(
            "SELECT count(*) FROM readiness_imports WHERE undone_at IS NULL").fetchone()[0]:
        return None     # most days of a campaign: no need to work the three parts out to find nothing
    result = readiness(con, filters)
    return result if result.online is not None or result.survey is not None else None


def readiness_line(result: Readiness) -> str:
    """The 晨报 line: 若今日测评，预计得分74.7分：实地84.3、网上60.7、问卷83.4；网上申报退回4项、未报1项."""
    def shown(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    returned = sum(result.online_returned.values())
    tail = f"网上申报退回{returned}项、未报{result.online_missing}项"
    if result.projected is None:
        lacking = "、".join(result.missing_parts)
        return (f"测评得分暂无法预计（缺少{lacking}数据）：实地{shown(result.field)}、网上{shown(result.online)}、"
                f"问卷{shown(result.survey)}；{tail}")
    return (f"若今日测评，预计得分{result.projected:.1f}分：实地{shown(result.field)}、网上{shown(result.online)}、"
            f"问卷{shown(result.survey)}；{tail}")
