"""Deriving the current state from the history: which version of each problem is current, its
life as four days, and which earlier problem each one may be a rebound of. The importer, undo,
rebuild and the schema's upgrade of an older file all derive through here, so the stored state is
always what the history says.

The current state: per problem, the version from its unit's newest ledger (by effective date, then
import order) that is not undone.

The four days of a problem's life (read by analytics/ledger/lifecycle.py):

- start_day: found_date, else first_seen (the day its first ledger came in); it exists from then on.
- 返工 (reopened_day): a ledger reports the problem open right after one that had it 已整改/已销号. Its
  life starts again that day (the latest such day): start_day is reopened_day and the steps are read
  from the ledgers since then only, so it is open from that report on, not open all along, and
  reopened_day says it was reopened (once, however many ledgers repeat it).
- 反复 (repeated_day): the first day a later 测评 round re-tested the task (交办, from a round's
  deduction: analytics/accountability/tasks.py) and its standard lost points again at the same 点位: a
  version of the later round's score import that is not one of that import's own tasks, still open. It
  counts in the 返工 figures whether or not the unit had reported the task done, and changes nothing
  else: a task never reported done stays open from its found date (the re-test keeps its open status);
  one reported done is 返工 by the rule above (the re-test reports it 待整改, as 复查未通过 would).
- progress_day / done_day / closed_day: the first day it was at least 整改中 / at least 已整改 /
  已销号. Dates written in the ledger win: closed_date for 已销号; rectified_date for 已整改, else the
  earlier of closed_date and the history. Where a date is missing, the status history says it: the
  effective date of the first ledger (not undone) that showed the step, or the found date when the
  problem's first ledger already showed it (see _from_first_ledger). 整改中 has no date column, so
  it always comes from the history.

Two rules keep the story consistent with the current state:
- the newest ledger has the last word: a step beyond the problem's current status never happened
  (a problem 待整改 today was open all along, whatever an older ledger said), and a step the current
  status has reached happened no later than that ledger's effective date (problems.as_of);
- steps are in order and never before the problem exists: start ≤ progress ≤ done ≤ closed.

So a problem moves forward only, its status on or after problems.as_of is exactly problems.status,
and the open backlog changes only by problems starting and problems leaving (done_day): that is what
makes backlog_end = backlog_before + new − rectified hold exactly (see analytics.ledger.trends). It differs
from “the status of the latest ledger on or before D” only where a unit's ledgers went backwards
(已整改, then 整改中 again): the step, once shown and kept by the newest ledger, is not undone in
between. The four days are placed when the current state is derived (life_days_ctes in current_state_sql),
so every figure for any day is a single scan of `problems`.

A ledger newer than everything stored for a problem (the usual morning) derives that problem from its
stored row and the new version alone (newer_state_sql): the row keeps the first day the history showed
each step (STEPS_SEEN_COLUMNS), which is all the whole history would add. Late ledgers, undone imports and
a reopening on the stored state's own day are derived from the whole history.

Rebound links: see analytics/ledger/rebounds.py for what a rebound is; the links among a unit's problems
are derived again whenever an import touches that 责任单位.
"""
from __future__ import annotations

import duckdb

from analytics.shared.statuses import CLOSED, DONE_STATUSES, OPEN_STATUSES, PENDING, sql_list, sql_text
from analytics.ledger.lifecycle import UNFILLED, label_sql

# The first day the history showed each step, since the problem was last reopened (STEPS_SEEN_SQL), as
# the history says it, before the rules of life_days_ctes: kept in `problems` so that a ledger newer than
# all before it derives a problem's state from its stored row and the new version alone.
STEPS_SEEN_COLUMNS = ("progress_seen", "done_seen", "closed_seen")
# The columns of `problems` the importer places from a problem's dates and history (below).
LIFE_DAY_COLUMNS = ("start_day", "progress_day", "done_day", "closed_day", "reopened_day", "repeated_day",
                    *STEPS_SEEN_COLUMNS)
VERSION_COLUMNS = [
    "problem_key", "ledger_unit", "unit", "district", "sheet", "source_row", "serial_no", "point_type",
    "point_type_raw", "point_type_known", "point_name", "description", "category", "category_raw",
    "source", "found_date", "deadline", "status", "status_raw", "rectified_date", "closed_date", "remark",
    "raw_found", "raw_deadline", "raw_rectified", "raw_closed", "flags", "shop",
]
# The columns of `problems`: a version's, where it came from, and its life as four days.
PROBLEM_TABLE_COLUMNS = [*VERSION_COLUMNS, "first_import_id", "last_import_id", "first_seen", "as_of",
                         *LIFE_DAY_COLUMNS]


_DONE = sql_list(DONE_STATUSES)
_PENDING, _CLOSED = sql_text(PENDING), sql_text(CLOSED)

# The imports that hold problem versions: the ledgers, and the score imports whose deductions became
# tasks (analytics/accountability/tasks.py), dated by the round's 测评日期 and undone with the score import.
VERSION_IMPORTS = """(
    SELECT import_id, file_name, effective_date, imported_at, imported_by, undone_at FROM imports
    UNION ALL
    SELECT t.import_id, s.file_name, t.effective_date, s.imported_at, s.imported_by, s.undone_at
    FROM task_imports t JOIN score_imports s USING (import_id)
)"""
# Versions that count: of an import not undone, and not of a task withdrawn (every score import that
# gave it undone): undoing a score import takes its tasks back with every status a ledger gave them.
COUNTS_SQL = """(i.undone_at IS NULL AND pv.problem_key NOT IN (
    SELECT t.task_key FROM round_tasks t JOIN score_imports s USING (import_id)
    GROUP BY t.task_key HAVING bool_and(s.undone_at IS NOT NULL)))"""

# The first day the history showed each step: window aggregates over one problem's versions (`pv`,
# joined to its import `i`, not undone) in the window `one_problem`, for the importer's current state.
_SINCE_REOPENED = "(pv.reopened_day IS NULL OR pv.effective_date >= pv.reopened_day)"
STEPS_SEEN_SQL = f"""
    min(pv.effective_date) FILTER (WHERE pv.status <> {_PENDING} AND {_SINCE_REOPENED}) OVER one_problem AS progress_seen,
    min(pv.effective_date) FILTER (WHERE pv.status IN ({_DONE}) AND {_SINCE_REOPENED}) OVER one_problem AS done_seen,
    min(pv.effective_date) FILTER (WHERE pv.status = {_CLOSED} AND {_SINCE_REOPENED}) OVER one_problem AS closed_seen"""
_OPEN = sql_list(OPEN_STATUSES)
# 返工: the latest day a ledger reported the problem open right after one that had it done (`pv`: its
# versions in order, with the status of the one before as previous_status).
REOPENED_DAY_SQL = f"""
    max(pv.effective_date) FILTER (WHERE pv.status IN ({_OPEN}) AND pv.previous_status IN ({_DONE}))
        OVER (PARTITION BY pv.problem_key) AS reopened_day"""


# A version that is a failed re-test (反复): of a score import that does not hand this task itself, and
# open (a passed one is 已销号), as the column `repeats` of the versions.
REPEATS_SQL = f"""(status IN ({_OPEN}) AND import_id IN (SELECT import_id FROM task_imports)
    AND (import_id, problem_key) NOT IN (SELECT (import_id, task_key) FROM round_tasks)) AS repeats"""
# 反复: the first day a later round's re-test found the task's standard losing points again.
REPEATED_DAY_SQL = """
    min(pv.effective_date) FILTER (WHERE pv.repeats) OVER (PARTITION BY pv.problem_key) AS repeated_day"""


def _from_first_ledger(column: str) -> str:
    """The day the history shows a step; a step the problem's first ledger already showed is
    placed on its found date: nothing is known of its life before that ledger, and units often
    list problems fixed on the spot (立行立改) or send the ledger days after its state."""
    return f"CASE WHEN {column} <= first_seen THEN coalesce(found_date, first_seen) ELSE {column} END"


def life_days_ctes(current: str) -> str:
    """CTEs (to follow WITH) ending in `life_days`: the rows of `current` (problems rows with as_of,
    first_seen and STEPS_SEEN_SQL's columns) with start_day, closed_day, done_day and progress_day.
    The importer stores these four days in `problems`, so no figure derives them again."""
    return f"""
days_start AS (
    SELECT *, {_from_first_ledger('progress_seen')} AS progress_shown,
              {_from_first_ledger('done_seen')} AS done_shown,
              {_from_first_ledger('closed_seen')} AS closed_shown,
              coalesce(reopened_day, found_date, first_seen) AS start_day
    FROM {current}
),
days_closed AS (
    SELECT *,
           CASE WHEN status = {_CLOSED} THEN greatest(start_day, least(
               coalesce(closed_date, closed_shown), as_of)) END AS closed_day
    FROM days_start
),
days_done AS (
    SELECT *,
           CASE WHEN status IN ({_DONE}) THEN greatest(start_day, least(
               coalesce(rectified_date, least(closed_date, done_shown)), as_of, closed_day)) END AS done_day
    FROM days_closed
),
life_days AS (
    SELECT *,
           CASE WHEN status <> {_PENDING} THEN greatest(start_day, least(
               progress_shown, done_day, as_of)) END AS progress_day
    FROM days_done
)"""


def normalised_sql(column: str) -> str:
    return rf"regexp_replace(coalesce({column}, ''), '[\s\p{{P}}\p{{S}}]+', '', 'g')"


def stored_links_sql(units_condition: str = "TRUE") -> str:
    """SELECT of the links among the problems whose unit meets `units_condition` (rows of rebound_links)."""
    return f"""
    WITH chosen AS (SELECT * FROM problems WHERE {units_condition}),
    -- Names and descriptions repeat a lot: normalise each distinct text once.
    point_names AS (
        SELECT point_name, {normalised_sql('point_name')} AS point FROM (SELECT DISTINCT point_name FROM chosen)
    ),
    descriptions AS (
        SELECT description, {normalised_sql('description')} AS said FROM (SELECT DISTINCT description FROM chosen)
    ),
    -- Each problem's two keys: unit + 点位 + 类别 and unit + 点位 + description (NULL where a part is missing),
    -- as 64-bit hashes: joins on one number are much cheaper than on two texts.
    keyed AS MATERIALIZED (
        SELECT p.problem_key, p.unit, p.start_day, p.done_day,
               CASE WHEN n.point <> '' AND {label_sql('p.category')} <> '{UNFILLED}'
                    THEN hash(p.unit, n.point, '类别', {label_sql('p.category')}) END AS category_key,
               CASE WHEN n.point <> '' AND d.said <> '' THEN hash(p.unit, n.point, '描述', d.said) END AS said_key
        FROM chosen p
        LEFT JOIN point_names n ON n.point_name = p.point_name
        LEFT JOIN descriptions d ON d.description = p.description
    ),
    either_key AS (
        SELECT problem_key, start_day, done_day, category_key AS key FROM keyed
        UNION ALL
        SELECT problem_key, start_day, done_day, said_key FROM keyed
    ),
    -- Work on (key, day) rather than on problems: many problems share a 点位 and a day.
    done_days AS (
        SELECT key, done_day, max(problem_key) AS earlier_key FROM either_key
        WHERE key IS NOT NULL AND done_day IS NOT NULL GROUP BY key, done_day
    ),
    start_days AS (
        SELECT DISTINCT key, start_day FROM either_key WHERE key IS NOT NULL
    ),
    latest AS (
        SELECT s.key, s.start_day, d.done_day, d.earlier_key
        FROM start_days s ASOF JOIN done_days d ON s.key = d.key AND s.start_day > d.done_day
    ),
    matched AS (
        SELECT k.problem_key, k.unit, k.start_day, c.done_day AS category_day,
               c.earlier_key AS category_earlier, d.done_day AS said_day, d.earlier_key AS said_earlier
        FROM keyed k
        LEFT JOIN latest c ON c.key = k.category_key AND c.start_day = k.start_day
        LEFT JOIN latest d ON d.key = k.said_key AND d.start_day = k.start_day
        WHERE c.key IS NOT NULL OR d.key IS NOT NULL
    ),
    -- The later of the two matches (the greater key on the same day).
    picked AS (
        SELECT *, said_day IS NOT NULL AND (category_day IS NULL OR said_day > category_day
                  OR (said_day = category_day AND said_earlier > category_earlier)) AS by_said
        FROM matched
    )
    SELECT m.problem_key AS later_key, CASE WHEN by_said THEN said_earlier ELSE category_earlier END AS earlier_key,
           m.unit, m.start_day - CASE WHEN by_said THEN said_day ELSE category_day END AS days_after
    FROM picked m"""


def refresh_links(con: duckdb.DuckDBPyConnection, units: list[str] | None = None) -> None:
    """Derive the stored links again for the problems of `units` (all units when None): an import
    changes links only among the problems of the 责任单位 its rows name, before or after."""
    if units is None:
        con.execute("DELETE FROM rebound_links")
        con.execute(f"INSERT INTO rebound_links {stored_links_sql()}")
        return
    con.execute("DELETE FROM rebound_links WHERE list_contains($units, unit)", {"units": units})
    con.execute(f"INSERT INTO rebound_links {stored_links_sql('list_contains($units, unit)')}",
                {"units": units})


def recency_sql(effective_date: str, import_id: str) -> str:
    """A version's place in its problem's history, as one number: by effective date, then import order."""
    return f"({effective_date} - DATE '1970-01-01')::BIGINT * 4294967296 + {import_id}"


RECENCY_SQL = recency_sql("i.effective_date", "pv.import_id")


def current_state_sql(scope: str = "") -> str:
    """SELECT of the current state derived from the history, limited by `scope` (a condition on pv),
    in the column order of `problems`."""
    # One ordered window (the status before each version); everything else is an aggregate over the
    # problem's versions: the first and the current version are those of the least and greatest recency.
    return f"""
        WITH versions AS (
            SELECT pv.*, i.effective_date, {RECENCY_SQL} AS recency,
                   lag(pv.status) OVER (PARTITION BY pv.problem_key ORDER BY i.effective_date, pv.import_id)
                       AS previous_status, {REPEATS_SQL}
            FROM problem_versions pv JOIN {VERSION_IMPORTS} i USING (import_id)
            WHERE {COUNTS_SQL} {scope}
        ),
        lives AS (SELECT pv.*, {REOPENED_DAY_SQL}, {REPEATED_DAY_SQL} FROM versions pv),
        history AS (
            SELECT pv.* EXCLUDE (import_id, effective_date, previous_status, recency),
                   pv.import_id AS last_import_id, pv.effective_date AS as_of,
                   arg_min(pv.import_id, pv.recency) OVER one_problem AS first_import_id,
                   min(pv.effective_date) OVER one_problem AS first_seen,
                   {STEPS_SEEN_SQL},
                   pv.recency = max(pv.recency) OVER one_problem AS is_current
            FROM lives pv
            WINDOW one_problem AS (PARTITION BY pv.problem_key)
        ),
        current AS (SELECT * FROM history WHERE is_current),
        {life_days_ctes('current')}
        SELECT {', '.join(PROBLEM_TABLE_COLUMNS)} FROM life_days"""


# What refresh_current keeps of a problem's stored row for newer_state_sql.
_STORED_STATE_COLUMNS = ("problem_key", "unit", "status", "as_of", "last_import_id", "first_import_id",
                         "first_seen", "reopened_day", "repeated_day", *STEPS_SEEN_COLUMNS)


def following_stored_ctes(stored: str) -> str:
    """CTEs (to follow WITH): `batch`, the versions the imports $ids hold (with a row_id, their import's
    effective_date and their recency), and `following`, those of them that come right after their
    problem's row in `stored` (a relation with problem_key, as_of and last_import_id of `problems`, and
    whatever else the caller reads), that row as the struct `stored_row` (its fields NULL when the problem
    has none): a version alone in these imports for its problem, of an import not undone, and newer than
    the stored row. The usual morning, which the current state and the change counts take from the stored
    row instead of the history."""
    return f"""
        batch AS MATERIALIZED (
            SELECT row_number() OVER () AS row_id, pv.*, i.effective_date, {RECENCY_SQL} AS recency,
                   {COUNTS_SQL} AS counts
            FROM problem_versions pv JOIN {VERSION_IMPORTS} i USING (import_id)
            WHERE list_contains($ids, pv.import_id)
        ),
        once AS (
            SELECT problem_key FROM batch GROUP BY problem_key HAVING count(*) = 1 AND bool_and(counts)
        ),
        following AS (
            SELECT b.* EXCLUDE (counts), stored_row
            FROM batch b SEMI JOIN once USING (problem_key)
            LEFT JOIN {stored} stored_row ON stored_row.problem_key = b.problem_key
            WHERE stored_row.as_of IS NULL
               OR b.recency > {recency_sql('stored_row.as_of', 'stored_row.last_import_id')}
        )"""


def newer_state_sql(stored: str) -> str:
    """SELECT of the current state of the problems whose version in the imports $ids follows their row in
    `stored` (_STORED_STATE_COLUMNS of `problems`; following_stored_ctes). current_state_sql would derive
    the same from the whole history; here it follows from the stored state and the new version alone, so
    the cost does not grow with the history."""
    steps = {"progress_seen": f"status <> {_PENDING}", "done_seen": f"status IN ({_DONE})",
             "closed_seen": f"status = {_CLOSED}"}
    return f"""
        WITH {following_stored_ctes(stored)},
        newer AS (
            SELECT * EXCLUDE (row_id, recency, stored_row), {REPEATS_SQL}, stored_row.status AS previous_status,
                   stored_row.as_of AS as_of_before, stored_row.first_import_id AS first_before,
                   stored_row.first_seen AS first_seen_before, stored_row.reopened_day AS reopened_before,
                   stored_row.repeated_day AS repeated_before,
                   {", ".join(f"stored_row.{column} AS {column}_before" for column in STEPS_SEEN_COLUMNS)}
            FROM following
        ),
        reopening AS (
            SELECT * EXCLUDE (as_of_before),
                   coalesce(status IN ({_OPEN}) AND previous_status IN ({_DONE}), FALSE) AS reopens
            FROM newer
            -- reopened on the day of the stored state: the steps since that day include versions of
            -- that day the stored row cannot tell apart, so the whole history decides
            WHERE NOT (reopens AND as_of_before = effective_date)
        ),
        -- As REOPENED_DAY_SQL and STEPS_SEEN_SQL over the stored history and the newest version: a
        -- reopening starts the steps afresh from it; otherwise the earlier first day of a step stands.
        current AS (
            SELECT * EXCLUDE (import_id, effective_date, previous_status, reopens, repeats, first_before,
                              first_seen_before, reopened_before, repeated_before,
                              {", ".join(f"{column}_before" for column in STEPS_SEEN_COLUMNS)}),
                   import_id AS last_import_id, effective_date AS as_of,
                   coalesce(first_before, import_id) AS first_import_id,
                   coalesce(first_seen_before, effective_date) AS first_seen,
                   CASE WHEN reopens THEN effective_date ELSE reopened_before END AS reopened_day,
                   -- the stored day is the earlier: this version is newer than all before it
                   coalesce(repeated_before, CASE WHEN repeats THEN effective_date END) AS repeated_day,
                   {", ".join(f"coalesce(CASE WHEN NOT reopens THEN {column}_before END, "
                              f"CASE WHEN {shown} THEN effective_date END) AS {column}"
                              for column, shown in steps.items())}
            FROM reopening
        ),
        {life_days_ctes('current')}
        SELECT {', '.join(PROBLEM_TABLE_COLUMNS)} FROM life_days"""


def refresh_current(con: duckdb.DuckDBPyConnection, import_ids: list[int]) -> None:
    """Derive again the current state of every problem these imports hold (all that storing or undoing
    them can change), then the rebound links of the 责任单位 those problems name, before and after.
    A problem the imports bring a newer version of follows from its stored state (newer_state_sql); the
    rest (a late ledger, an undone import) are derived from their whole history."""
    in_imports = "SELECT problem_key FROM problem_versions WHERE list_contains($ids, import_id)"
    parameters = {"ids": import_ids}
    con.execute(f"CREATE OR REPLACE TEMP TABLE stored_states AS SELECT {', '.join(_STORED_STATE_COLUMNS)} "
                f"FROM problems WHERE problem_key IN ({in_imports})", parameters)
    touched, = con.execute(f"SELECT count(DISTINCT problem_key) FROM ({in_imports})", parameters).fetchone()
    con.execute("DELETE FROM problems WHERE problem_key IN (SELECT problem_key FROM stored_states)")
    newer, = con.execute(f"INSERT INTO problems {newer_state_sql('stored_states')}", parameters).fetchone()
    if newer < touched:
        # the problems that got no newer state: after the delete, the only rows of touched problems
        # are the newer states, and those come from these imports
        older = (f"AND pv.problem_key IN ({in_imports}) AND pv.problem_key NOT IN "
                 "(SELECT problem_key FROM problems WHERE list_contains($ids, last_import_id))")
        con.execute(f"INSERT INTO problems {current_state_sql(older)}", parameters)
    units = {unit for unit, in con.execute(
        f"SELECT unit FROM stored_states UNION SELECT unit FROM problems WHERE problem_key IN ({in_imports})",
        parameters).fetchall()}
    con.execute("DROP TABLE stored_states")
    refresh_links(con, sorted(units))


def derive_current_state(con: duckdb.DuckDBPyConnection) -> None:
    """Derive `problems` and `rebound_links` again from the whole history: for a file written by an
    earlier version, and for data generated straight into problem_versions (benchmarks, property tests)."""
    con.execute("DELETE FROM problems")
    con.execute(f"INSERT INTO problems {current_state_sql()}")
    refresh_links(con)
