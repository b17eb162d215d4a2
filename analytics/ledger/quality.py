"""台账质量 by unit: how many of a unit's rows are flagged and why, whether its ledgers come on time,
and the flagged rows to send back to it for completion.

A row's flags (ingest/parse.py) name the column and what was written; grouped here by kind, with the
written value and the column letter left out (“发现日期（E列）“待定”无法识别” → 发现日期无法识别).
Reporting is judged as the 晨报 judges it (behind.silent_units): silent_days without a ledger, in
the sprint before the 测评 window sprint_silent_days.
"""
from __future__ import annotations

import re

import duckdb
import pandas as pd

from analytics.ledger.behind import silent_units
from analytics.shared.filters import Filters
from analytics.ledger.lifecycle import scoped_sql
from analytics.shared.settings import get_settings, sprint_silent_threshold
from analytics.shared.statuses import PENDING

_WRITTEN = re.compile(rf"“[^”]*”|（[A-Z]+列）|与第\d+行|，按{PENDING}计|，已留空|（\d+年至\d+年）|\d{{4}}-\d{{2}}-\d{{2}}")

QUALITY_COLUMNS = ["unit", "reports", "last_report", "reporting", "problems", "flagged", "flagged_share",
                   "reasons"]
QUALITY_LABELS = {"unit": "填报单位", "reports": "报送次数", "last_report": "最近报送", "reporting": "报送情况",
                  "problems": "问题条数", "flagged": "待核条数", "flagged_share": "待核占比", "reasons": "待核原因"}


def flag_kind(flag: str) -> str:
    """A flag without what was written and where: the kind of fault it is."""
    return _WRITTEN.sub("", flag)


def ledger_quality(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per unit that sends ledgers or is expected to: QUALITY_COLUMNS. reporting says
    按时, N天未报送 or 从未报送; reasons counts the flags by kind (问题描述为空3条；…). Units with the
    most flagged rows first, then the silent ones."""
    scope, params = scoped_sql(filters)
    rows = con.execute(f"""
        WITH {scope},
        flags AS (SELECT ledger_unit, unnest(flags) AS flag FROM scoped)
        SELECT ledger_unit AS unit, NULL AS flag, count(*) AS problems,
               count(*) FILTER (WHERE flagged) AS flagged
        FROM scoped GROUP BY ledger_unit
        UNION ALL
        SELECT ledger_unit, flag, count(*), NULL FROM flags GROUP BY ledger_unit, flag
    """, params).df()
    reports = con.execute("""
        SELECT ledger_unit AS unit, count(*) AS reports, max(effective_date) AS last_report FROM imports
        WHERE undone_at IS NULL AND effective_date <= $as_of GROUP BY ledger_unit
    """, {"as_of": filters.as_of_date}).df()
    silent = silent_units(con, filters)
    counts = rows[rows["flag"].isna()][["unit", "problems", "flagged"]]
    kinds = rows[rows["flag"].notna()].assign(kind=lambda frame: frame["flag"].map(flag_kind))
    reasons = (kinds.groupby(["unit", "kind"])["problems"].sum().reset_index()
               .sort_values(["unit", "problems", "kind"], ascending=[True, False, True])
               .assign(text=lambda frame: frame["kind"] + frame["problems"].astype(str) + "条")
               .groupby("unit")["text"].agg("；".join).rename("reasons").reset_index())
    units = pd.DataFrame({"unit": pd.unique(pd.concat([counts["unit"], reports["unit"], silent["unit"]]))})
    if (kept := filters.unit_choice()) is not None:
        units = units[units["unit"].isin(kept)]
    table = (units.merge(reports, on="unit", how="left").merge(counts, on="unit", how="left")
             .merge(reasons, on="unit", how="left").merge(silent[["unit", "days_silent"]], on="unit", how="left"))
    for name in ("reports", "problems", "flagged"):
        table[name] = table[name].fillna(0).astype("int64")
    table["reasons"] = table["reasons"].fillna("")
    table["flagged_share"] = (table["flagged"] / table["problems"]).where(table["problems"] > 0)
    table["reporting"] = [
        "从未报送" if count == 0 else f"{days}天未报送" if pd.notna(days) else "按时"
        for count, days in zip(table["reports"], table["days_silent"])]
    table["late"] = table["reporting"] != "按时"
    table = table.sort_values(["flagged", "late", "unit"], ascending=[False, False, True], ignore_index=True)
    return table[QUALITY_COLUMNS]


def reporting_rule(con: duckdb.DuckDBPyConnection, filters: Filters) -> str:
    """The rule in force on the as-of day, in words, for the page."""
    settings = get_settings(con)
    days = sprint_silent_threshold(settings, filters.as_of_date)
    sprint = days != settings.silent_days
    return (f"{'测评前冲刺期（每日报送），' if sprint else ''}{days}天及以上未报送台账即为未报送")


RETURN_LABELS = {"sheet": "工作表", "source_row": "行号", "serial_no": "序号", "point_type_raw": "点位类型",
                 "point_name": "点位名称", "description": "问题描述", "raw_found": "发现日期",
                 "raw_deadline": "整改时限", "status_raw": "整改状态", "to_complete": "请补充或核实"}


def rows_to_return(con: duckdb.DuckDBPyConnection, filters: Filters, unit: str) -> pd.DataFrame:
    """The flagged rows of `unit`'s ledgers as the unit wrote them, with what to complete, in sheet
    and row order: a table to send back (columns RETURN_LABELS, in Chinese)."""
    scope, params = scoped_sql(filters)
    frame = con.execute(f"""
        WITH {scope}
        SELECT sheet, source_row, serial_no, point_type_raw, point_name, description, raw_found,
               raw_deadline, status_raw, array_to_string(flags, '；') AS to_complete
        FROM scoped WHERE ledger_unit = $unit AND flagged
        ORDER BY sheet, source_row
    """, params | {"unit": unit}).df()
    return frame.rename(columns=RETURN_LABELS)
