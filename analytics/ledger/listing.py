"""Looking things up rather than counting them: the problem list (searched and paged in SQL), one
problem's history and provenance, the import history, and the values the filters can take."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.shared.statuses import STATUSES
from analytics.shared.filters import Filters
from analytics.ledger.derive import VERSION_IMPORTS
from analytics.ledger.lifecycle import UNFILLED, open_on, overdue_on, scoped_sql, status_on

DAY = "$f_as_of"

# A problem's number as people read it: what the office wrote (its unit, the sheet where the sheet is
# part of the identity, and its 序号; without one, the ledger row it came from), where problem_key
# ("三里镇||42", kept for matching) is the engine's. A 测评 task's key starts with its round, not a
# unit (analytics.accountability.tasks.task_key): its number is the round and the first digits of its
# digest ("第二轮模拟测评·43F5E2"), the same however often the round is read.
PROBLEM_NUMBER = """CASE WHEN split_part(problem_key, '|', 1) <> ledger_unit
         THEN split_part(problem_key, '|', 1) || '·' || upper(left(split_part(problem_key, '|', 3), 6))
         ELSE ledger_unit
    || CASE WHEN split_part(problem_key, '|', 2) <> '' THEN '·' || split_part(problem_key, '|', 2) ELSE '' END
    || CASE WHEN coalesce(serial_no, '') <> '' AND split_part(problem_key, '|', 3) = serial_no
            THEN '第' || serial_no || '号' ELSE '第' || source_row::VARCHAR || '行' END END"""


PROBLEM_COLUMNS = [
    "problem_key", "problem_number", "status", "overdue", "point_type", "point_name", "description", "category", "unit",
    "district", "source", "found_date", "deadline", "rectified_date", "closed_date", "status_raw",
    "remark", "flags", "ledger_unit", "sheet", "source_row", "first_import_id", "last_import_id",
]


@dataclass(frozen=True)
class ProblemPage:
    rows: pd.DataFrame     # PROBLEM_COLUMNS, newest found first
    total: int             # problems matching, over all pages


def _like_pattern(text: str) -> str:
    """`text` as a literal ILIKE substring pattern (its own % and _ match only themselves)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def problem_page(con: duckdb.DuckDBPyConnection, filters: Filters, *, search: str = "",
                 statuses: tuple[str, ...] = (), overdue_only: bool = False, flagged_only: bool = False,
                 limit: int = 50, offset: int = 0) -> ProblemPage:
    """One page of the problems matching the filters, their status as of the as-of day, a search
    over the words of a problem (点位, 描述, 单位, 类型, 类别, 备注, 编号) and the extra conditions."""
    unknown = set(statuses) - set(STATUSES)
    if unknown:
        raise ValueError(f"未知的整改状态：{'、'.join(sorted(unknown))}")
    scope, params = scoped_sql(filters)
    conditions = ["TRUE"]
    if search.strip():
        conditions.append("concat_ws(' ', point_name, description, unit, point_type, category, remark, "
                          f"serial_no, problem_key, {PROBLEM_NUMBER}) ILIKE $search ESCAPE '\\'")
        params["search"] = _like_pattern(search.strip())
    if statuses:
        conditions.append("list_contains($statuses, status)")
        params["statuses"] = list(statuses)
    if overdue_only:
        conditions.append("overdue")
    if flagged_only:
        conditions.append("flagged")
    params |= {"limit": int(limit), "offset": int(offset)}
    frame = con.execute(f"""
        WITH {scope},
        listed AS (
            SELECT *, {status_on(DAY)} AS status, coalesce({overdue_on(DAY)}, FALSE) AS overdue
            FROM scoped
        ),
        matching AS (
            SELECT * FROM listed WHERE {' AND '.join(conditions)}
        ),
        -- the page's number and columns are made for its rows only, not for every match
        page AS (
            SELECT * FROM matching ORDER BY start_day DESC, problem_key LIMIT $limit OFFSET $offset
        )
        SELECT problem_key, {PROBLEM_NUMBER} AS problem_number, status, overdue, point_type, point_name, description, category,
               unit, district, source, found_date, deadline, rectified_date, closed_date,
               status_raw, remark, flags, ledger_unit, sheet, source_row,
               first_import_id, last_import_id, (SELECT count(*) FROM matching) AS matching
        FROM page
        ORDER BY start_day DESC, problem_key
    """, params).df()
    if len(frame):
        total = int(frame["matching"].iloc[0])
    elif offset:  # a page past the end carries no count: ask for the first one
        total = problem_page(con, filters, search=search, statuses=statuses, overdue_only=overdue_only,
                             flagged_only=flagged_only, limit=1).total
    else:
        total = 0
    return ProblemPage(frame[PROBLEM_COLUMNS], total)


HISTORY_COLUMNS = [
    "import_id", "file_name", "effective_date", "imported_at", "imported_by", "undone_at", "sheet",
    "source_row", "status", "status_raw", "deadline", "rectified_date", "closed_date", "remark", "flags",
]


def problem_history(con: duckdb.DuckDBPyConnection, problem_key: str) -> pd.DataFrame:
    """Every version of one problem, oldest ledger first, with the import it came from (undone
    imports included, marked by undone_at)."""
    return con.execute(f"""
        SELECT i.import_id, i.file_name, i.effective_date, i.imported_at, i.imported_by, i.undone_at,
               v.sheet, v.source_row, v.status, v.status_raw, v.deadline, v.rectified_date,
               v.closed_date, v.remark, v.flags
        FROM problem_versions v JOIN {VERSION_IMPORTS} i ON i.import_id = v.import_id
        WHERE v.problem_key = ?
        ORDER BY i.effective_date, v.import_id
    """, [problem_key]).df()[HISTORY_COLUMNS]


IMPORT_COLUMNS = [
    "import_id", "file_name", "ledger_unit", "unit_source", "report_date", "effective_date",
    "imported_at", "imported_by", "rows_read", "rows_new", "rows_updated", "rows_flagged",
    "undone_at", "undone_by",
]


def import_history(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pd.DataFrame:
    """The newest imports first (undone ones included): ledgers, 模拟测评 score sheets and readiness
    sheets and the lists of the responsibility map (one numbering), a score sheet named “模拟测评：第三轮”
    in place of a unit, its 点位 as rows read, a readiness sheet or a list by its kind (测评体系分解表,
    网上申报材料报送情况, 问卷调查结果, 点位清单, 联点清单 …)."""
    return con.execute(f"""
        WITH ledgers AS (SELECT {', '.join(IMPORT_COLUMNS)} FROM imports),
        score_sheets AS (
            SELECT import_id, file_name, '模拟测评：' || array_to_string(rounds, '、') AS ledger_unit,
                   shape AS unit_source, NULL::DATE AS report_date, imported_at::DATE AS effective_date,
                   imported_at, imported_by, points AS rows_read, 0 AS rows_new, 0 AS rows_updated,
                   rows_flagged, undone_at, undone_by
            FROM score_imports
        ),
        readiness_sheets AS (
            SELECT import_id, file_name, split_part(summary, '：', 1) AS ledger_unit, '按内容识别' AS unit_source,
                   report_date, effective_date, imported_at, imported_by, rows_read, 0 AS rows_new,
                   0 AS rows_updated, rows_flagged, undone_at, undone_by
            FROM (SELECT * FROM readiness_imports UNION ALL BY NAME SELECT * FROM registry_imports)
        )
        SELECT * FROM ledgers UNION ALL SELECT * FROM score_sheets UNION ALL SELECT * FROM readiness_sheets
        ORDER BY import_id DESC LIMIT ?""", [int(limit)]).df()


@dataclass(frozen=True)
class DataState:
    """How much there is: the empty database is a state every page handles."""
    imports: int                    # all imports, undone ones included
    problems: int                   # current problems
    last_imported_at: dt.datetime | None
    last_file_name: str | None
    last_unit: str | None
    latest_report: dt.date | None   # newest effective date of a ledger in force


def data_state(con: duckdb.DuckDBPyConnection) -> DataState:
    imports, latest = con.execute(
        "SELECT count(*), max(effective_date) FILTER (WHERE undone_at IS NULL) FROM imports").fetchone()
    last = con.execute("SELECT imported_at, file_name, ledger_unit FROM imports "
                       "ORDER BY imported_at DESC, import_id DESC LIMIT 1").fetchone() or (None, None, None)
    problems = con.execute("SELECT count(*) FROM problems").fetchone()[0]
    return DataState(imports, problems, *last, latest)


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values each list filter can take (Filters field name → values), as the figures label
    them: an empty 点位类型/类别/来源 is “未填写”."""
    labelled = {"point_types": "point_type", "categories": "category", "sources": "source"}
    options = {}
    for name, column in labelled.items():
        options[name] = [row[0] for row in con.execute(
            f"SELECT DISTINCT coalesce(nullif(trim({column}), ''), ?) AS v FROM problems ORDER BY v",
            [UNFILLED]).fetchall()]
    options["units"] = [row[0] for row in con.execute(
        "SELECT DISTINCT unit FROM problems ORDER BY unit").fetchall()]
    options["districts"] = [row[0] for row in con.execute("""
        SELECT DISTINCT coalesce(nullif(trim(p.district), ''), u.district) AS v
        FROM problems p LEFT JOIN units u ON u.name = p.unit
        WHERE v IS NOT NULL ORDER BY v""").fetchall()]
    return options


WORST_POINT_COLUMNS = ["point_name", "total", "open", "overdue", "unit_names"]


def worst_points(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """The 点位 with the most open problems as of the as-of day (overdue, then all problems, break
    ties). Columns: point_name, total, open, overdue, unit_names (the units answering for it,
    joined by 、)."""
    scope, params = scoped_sql(filters)
    params["limit"] = int(limit)
    return con.execute(f"""
        WITH {scope},
        marked AS (
            SELECT point_name, unit, {open_on(DAY)} AS is_open, coalesce({overdue_on(DAY)}, FALSE) AS is_overdue
            FROM scoped
        )
        SELECT coalesce(nullif(trim(point_name), ''), $unfilled) AS point_name,
               string_agg(DISTINCT unit, '、' ORDER BY unit) AS unit_names,
               count(*) AS total,
               count(*) FILTER (WHERE is_open) AS open,
               count(*) FILTER (WHERE is_overdue) AS overdue
        FROM marked
        GROUP BY 1
        HAVING open > 0
        ORDER BY open DESC, overdue DESC, total DESC, point_name
        LIMIT $limit
    """, params | {"unfilled": UNFILLED}).df()[WORST_POINT_COLUMNS]


OVERDUE_COLUMNS = ["unit", "problem_key", "point_type", "point_name", "description", "category",
                   "found_date", "deadline", "days_overdue"]


def overdue_items(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 2000) -> pd.DataFrame:
    """Problems still open after their deadline as of the as-of day, by unit, oldest deadline first
    (at most `limit` rows). Columns: OVERDUE_COLUMNS; days_overdue counts from the deadline."""
    scope, params = scoped_sql(filters)
    params["limit"] = int(limit)
    return con.execute(f"""
        WITH {scope},
        overdue AS (SELECT * FROM scoped WHERE {overdue_on(DAY)})
        SELECT unit, problem_key, point_type, point_name, description, category,
               found_date, deadline, ({DAY} - deadline) AS days_overdue
        FROM overdue
        ORDER BY unit, deadline, problem_key
        LIMIT $limit
    """, params).df()[OVERDUE_COLUMNS]
