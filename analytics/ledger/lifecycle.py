"""Each problem's life as four days, so its status on any day is one CASE away.

The `problems` table holds each problem as its unit's newest ledger saw it. To answer “as of an
earlier day” (yesterday's figures, last week's, a trend) we place the problem's steps in time:

The importer places these four days when it derives the current state (analytics/ledger/derive.py: the
rules are written there), so every figure for any day is a single scan of `problems`, and a
problem's status on a day is a CASE over them (status_on and its kin below).
"""
from __future__ import annotations

from analytics.shared.filters import Filters, where_sql
from analytics.shared.labels import DIMENSIONS
from analytics.shared.statuses import CLOSED, IN_PROGRESS, PENDING, RECTIFIED, sql_text

UNFILLED = "未填写"


def dimension_column(by: str) -> str:
    """Check a dimension name against the whitelist (it is placed into SQL as a column name)."""
    if by not in DIMENSIONS:
        raise ValueError(f"不支持按“{by}”分组，可选：{'、'.join(DIMENSIONS)}。")
    return by


def label_sql(column: str) -> str:
    """A grouping label: the value, or 未填写 when it is empty."""
    return f"coalesce(nullif(trim({column}), ''), '{UNFILLED}')"



# The CTE (to follow WITH) `life`: one row per problem, its columns as stored but the grouping labels
# filled (未填写) and the district taken from the unit list where the ledger has none. The current
# status and its day are left out: a figure asks status_on(day), which is the same on and after as_of.
# 无佐证不销号 (analytics/photos): a problem its ledger reports 已销号 without an after-photo, where that
# ledger has a 整改后 column, is counted 已整改 (its 销号 day left out) while the setting
# no_evidence_blocks_closing holds (the default). Only ledgers with picture columns are looked at.
UNPROVEN_CTE = """
unproven AS (
    SELECT p.problem_key
    FROM problems p JOIN photo_columns pc ON pc.import_id = p.last_import_id
    WHERE p.closed_day IS NOT NULL AND list_contains(pc.kinds, 'after')
      AND coalesce((SELECT value FROM settings WHERE key = 'no_evidence_blocks_closing'), 'True') = 'True'
      AND NOT EXISTS (SELECT 1 FROM photo_refs r
                      WHERE r.import_id = p.last_import_id AND r.problem_key = p.problem_key
                        AND r.kind = 'after' AND r.refused IS NULL)
      AND p.problem_key NOT IN (SELECT problem_key FROM photo_uploads WHERE undone_at IS NULL)
)"""

LIFE_CTE = f"""{UNPROVEN_CTE},
life AS (
    SELECT p.* EXCLUDE (status, as_of) REPLACE (
               {label_sql('p.point_type')} AS point_type,
               {label_sql('p.category')} AS category,
               {label_sql('p.source')} AS source,
               coalesce(nullif(trim(p.district), ''), u.district) AS district,
               CASE WHEN un.problem_key IS NULL THEN p.closed_day END AS closed_day),
           len(p.flags) > 0 AS flagged
    FROM problems p
    LEFT JOIN units u ON u.name = p.unit
    LEFT JOIN unproven un ON un.problem_key = p.problem_key
)"""


def scope_cte(filters: Filters, name: str = "scoped", prefix: str = "f") -> tuple[str, dict]:
    """One CTE `name` over `life` (so it follows LIFE_CTE): the problems matching `filters` that
    exist on the as-of day, with the columns of `life`; and its parameters, named `$<prefix>_…`."""
    where, params = where_sql(filters, prefix)
    return f"{name} AS (SELECT * FROM life WHERE {where})", params


def scoped_sql(filters: Filters) -> tuple[str, dict]:
    """CTEs (to follow WITH) ending in `scoped`, and their parameters (the as-of day is $f_as_of)."""
    scope, params = scope_cte(filters)
    return f"{LIFE_CTE},\n{scope}", params


# Conditions and expressions on a row of `life` for a day given as a SQL expression (a parameter
# such as `$f_as_of - 7` or a column such as `d.day`), built from code, never from values.
def _reached_by(column: str):
    """The condition that a lifecycle day column has come by a day."""
    return lambda day: f"({column} <= {day})"


exists_on = _reached_by("start_day")
done_by = _reached_by("done_day")
closed_by = _reached_by("closed_day")


def open_on(day: str) -> str:
    return f"(start_day <= {day} AND (done_day IS NULL OR done_day > {day}))"


def in_progress_on(day: str) -> str:
    return f"({open_on(day)} AND progress_day <= {day})"


def pending_on(day: str) -> str:
    return f"({open_on(day)} AND (progress_day IS NULL OR progress_day > {day}))"


def overdue_on(day: str) -> str:
    """Open after its deadline: a deadline of 11-25 is overdue from 11-26 on."""
    return f"({open_on(day)} AND deadline < {day})"


def status_on(day: str) -> str:
    return (f"CASE WHEN closed_day <= {day} THEN {sql_text(CLOSED)} WHEN done_day <= {day} THEN {sql_text(RECTIFIED)} "
            f"WHEN progress_day <= {day} THEN {sql_text(IN_PROGRESS)} ELSE {sql_text(PENDING)} END")
