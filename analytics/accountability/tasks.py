"""Every deduction is a task (交办): a 模拟测评, 暗访 or 上级测评 score sheet's deductions become problems
that flow into the ledgers' current state, counted once, closed by the re-test.

- A deduction above 0 is one problem: its 点位 and type, the sheet's unit, the description (存在问题, else
  "扣2分：<测评标准>"), the category from its 测评项目, found on the 测评日期, due `task_deadline_days` later,
  source = the round's source. Its 交办编号 (problem_key) is made from the round, unit, 点位 and standard
  alone, so the same round read again (a re-import, a rebuild) gives the same numbers and adds nothing.
- Its versions are stored under the score import's id (task_imports dates them by the 测评日期), so
  undoing the score import withdraws them, with every status a ledger gave them (derive.COUNTS_SQL).
- Counted once: a unit's ledger row that copies a task without its 交办编号 is taken for it where it names
  the same 点位 and says the same (both without spaces and punctuation, as for 反弹) and no other task
  matches; the link is kept (task_copies) so the row's next versions are the task too. A row matching
  several tasks, or a task matched by several rows of one ledger, is kept apart and flagged.
- The re-test: a later round that scores the same 点位 closes each earlier task whose standard lost
  nothing this time (已销号, 复测通过); where the same standard lost points again, the new deduction is a
  new task and the earlier one counts as 反复 from the re-test's day (复测未通过, analytics.ledger.derive:
  repeated_day), whether or not the unit had reported it done. A task still open keeps its status, so its
  open life is what it was; one reported done is reported 待整改 again (返工 from that day), as a ledger's
  复查未通过 would be: the re-test has just seen it not fixed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from analytics.ledger.derive import VERSION_COLUMNS, normalised_sql, refresh_current
from analytics.scores.sheets import ParsedScoreSheet
from analytics.shared.office_words import OfficeWords
from analytics.shared.statuses import OPEN_STATUSES, STATUSES, sql_list
from analytics.shared.vocab import normalise_category

DEFAULT_SOURCE = "模拟测评"
UNIT_MISSING = "未写明责任单位"
PASSED = "复测通过"
FAILED = "复测未通过"
MANY_TASKS_FLAG = "与多条交办任务相符（{keys}），未合并，请填写交办编号"
TAKEN_TWICE_FLAG = "同一台账中有多行与交办任务{key}相符，未合并，请填写交办编号"

_TASK_COLUMNS = ["task_key", "round_name", "eval_date", "point_type", "point_name", "unit", "standard",
                 "description", "deduction"]
PENDING, CLOSED = STATUSES[0], STATUSES[-1]
_DATE_COLUMNS = {"found_date", "deadline", "rectified_date", "closed_date", "eval_date"}


@dataclass(frozen=True)
class TaskOutcome:
    """What a score import did to the tasks: added (new deductions), closed and repeated (earlier tasks)."""
    added: int
    closed: int
    repeated: int

    def describe(self) -> str:
        parts = [f"交办问题{self.added}条"]
        if self.closed:
            parts.append(f"复测通过销号{self.closed}条")
        if self.repeated:
            parts.append(f"复测仍扣分{self.repeated}条（已另行交办）")
        return "，".join(parts)


def round_source(sheet: ParsedScoreSheet, words: OfficeWords) -> str:
    """The round's source (模拟测评, 暗访, 上级测评 …) as its title or file name says it."""
    known = {canonical for canonical, _ in words.sources.values()}
    for text in (*sheet.titles, sheet.file_name):
        source = words.source(text)
        if source in known:
            return source
    return DEFAULT_SOURCE


def task_key(round_name: str, source: str, unit: str, point_type: str | None, point_name: str,
             standard: str, occurrence: int) -> str:
    """The 交办编号: the round, the unit and a digest of the 点位 and standard (a second deduction on the
    same standard of the same 点位 is told apart by its place)."""
    content = "|".join((round_name, unit, point_type or "", point_name, standard, str(occurrence)))
    return f"{round_name}{source}|{unit}|{hashlib.sha1(content.encode()).hexdigest()[:10]}"


def _task_rows(sheet: ParsedScoreSheet, source: str, deadline_days: int) -> list[dict]:
    rows, seen = [], {}
    for point in sheet.points:
        unit = point.unit or UNIT_MISSING
        for deduction in point.deductions:
            if not deduction["deduction"] > 0:
                continue
            standard = deduction["standard"] or deduction["item"] or ""
            identity = (point.round_name, unit, point.point_type, point.point_name, standard)
            seen[identity] = seen.get(identity, 0) + 1
            description = deduction["reason"] or f"扣{deduction['deduction']:g}分：{standard or '（未写明标准）'}"
            found = point.eval_date
            rows.append({
                "task_key": task_key(point.round_name, source, unit, point.point_type, point.point_name,
                                     standard, seen[identity]),
                "round_name": point.round_name, "eval_date": found, "point_type": point.point_type,
                "point_name": point.point_name or None, "unit": unit, "standard": deduction["standard"],
                "description": description, "deduction": float(deduction["deduction"]),
                # the problem version
                "ledger_unit": unit, "district": None, "sheet": deduction["sheet"],
                "source_row": deduction["source_row"], "serial_no": None,
                "point_type_raw": point.point_type_raw, "point_type_known": point.point_type_known,
                "category": normalise_category(deduction["item"] or "", description),
                "category_raw": deduction["item"], "source": source, "found_date": found,
                "deadline": found + dt.timedelta(days=deadline_days) if found else None,
                "status": PENDING, "status_raw": "交办", "rectified_date": None, "closed_date": None,
                "remark": f"{point.round_name}{source}扣{deduction['deduction']:g}分"
                          + (f"：{deduction['standard']}" if deduction["standard"] else ""),
                "raw_found": None, "raw_deadline": None, "raw_rectified": None, "raw_closed": None,
                "flags": [*point.flags, *deduction["flags"]], "shop": None,
            })
    return rows


def _arrow(rows: list[dict], columns: list[str]) -> pa.Table:
    def kind(name: str) -> pa.DataType:
        if name in _DATE_COLUMNS:
            return pa.date32()
        return {"deduction": pa.float64(), "source_row": pa.int32(), "point_type_known": pa.bool_(),
                "flags": pa.list_(pa.string())}.get(name, pa.string())
    return pa.table({name: pa.array([row[name] for row in rows], kind(name)) for name in columns})


def _scored_points(sheet: ParsedScoreSheet) -> pa.Table:
    """The sheet's scored 点位 with each standard that lost points (one row per deduction, or one row with
    no standard for a 点位 that lost nothing) and whether the sheet says what each standard lost."""
    rows = []
    for point in sheet.points:
        if point.deducted is None:
            continue
        detailed = sheet.shape != "得分汇总" or point.deducted == 0
        lost = [d for d in point.deductions if d["deduction"] > 0] or [None]
        for deduction in lost:
            rows.append({"point_type": point.point_type, "point_name": point.point_name,
                         "eval_date": point.eval_date, "detailed": detailed,
                         "standard": deduction and (deduction["standard"] or deduction["item"])})
    return pa.table({"point_type": pa.array([r["point_type"] for r in rows], pa.string()),
                     "point_name": pa.array([r["point_name"] for r in rows], pa.string()),
                     "eval_date": pa.array([r["eval_date"] for r in rows], pa.date32()),
                     "detailed": pa.array([r["detailed"] for r in rows], pa.bool_()),
                     "standard": pa.array([r["standard"] for r in rows], pa.string())})


# Earlier tasks in force, still open or reported done, whose 点位 this sheet scores again: repeated where
# the same standard lost points again, closed where the sheet says it lost nothing there.
_RETESTED_SQL = f"""
    WITH scored AS (
        SELECT point_type, {normalised_sql('point_name')} AS point_key, eval_date, detailed,
               {normalised_sql('standard')} AS standard_key
        FROM scored_points
    ),
    earlier AS (
        SELECT DISTINCT t.task_key, t.point_type, t.point_key, t.standard_key, t.eval_date
        FROM round_tasks t JOIN score_imports s USING (import_id)
        WHERE s.undone_at IS NULL AND t.import_id <> $id
          AND t.point_key <> ''    -- a task without its 点位 is re-tested by no later round
    ),
    judged AS (
        SELECT e.task_key, min(s.eval_date) AS retest_date, bool_or(s.standard_key = e.standard_key) AS lost_again,
               bool_and(s.detailed) AS detailed
        FROM earlier e JOIN scored s ON s.point_type IS NOT DISTINCT FROM e.point_type AND s.point_key = e.point_key
        WHERE e.eval_date < s.eval_date OR e.eval_date IS NULL
        GROUP BY e.task_key
    )
    SELECT p.* EXCLUDE (status, status_raw, closed_date, remark),
           CASE WHEN NOT j.lost_again THEN '{CLOSED}' WHEN p.status IN ({sql_list(OPEN_STATUSES)}) THEN p.status
                ELSE '{PENDING}' END AS status,
           CASE WHEN j.lost_again THEN '{FAILED}' ELSE '{PASSED}' END AS status_raw,
           CASE WHEN j.lost_again THEN p.closed_date ELSE j.retest_date END AS closed_date,
           CASE WHEN j.lost_again THEN $round || '复测同一标准仍扣分，已另行交办'
                ELSE $round || '复测未扣分' END AS remark
    FROM judged j JOIN problems p ON p.problem_key = j.task_key
    WHERE p.status <> '{CLOSED}' AND (j.lost_again OR j.detailed)"""


def store_round_tasks(con: duckdb.DuckDBPyConnection, sheet: ParsedScoreSheet, import_id: int, *,
                      words: OfficeWords, deadline_days: int, now: dt.datetime) -> TaskOutcome:
    """The score import `import_id`'s deductions as tasks, and the re-test of earlier tasks, within the
    caller's transaction; then the current state of every problem they touch."""
    source = round_source(sheet, words)
    rows = _task_rows(sheet, source, deadline_days)
    days = [point.eval_date for point in sheet.points if point.eval_date]
    con.execute("INSERT INTO task_imports VALUES (?, ?)", [import_id, min(days) if days else now.date()])
    columns = [c for c in dict.fromkeys([*_TASK_COLUMNS, *VERSION_COLUMNS]) if c != "problem_key"]
    con.register("new_tasks", _arrow(rows, columns))
    con.register("scored_points", _scored_points(sheet))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE retested AS {_RETESTED_SQL}",
                    {"id": import_id, "round": sheet.rounds[0] if sheet.rounds else ""})
        con.execute(f"""
            INSERT INTO round_tasks
            SELECT $id, task_key, round_name, eval_date, point_type, point_name, {normalised_sql('point_name')},
                   unit, standard, {normalised_sql('standard')}, {normalised_sql('description')}, deduction
            FROM new_tasks""", {"id": import_id})
        con.execute(f"INSERT INTO problem_versions SELECT $id, task_key AS problem_key, "
                    f"{', '.join(c for c in VERSION_COLUMNS if c != 'problem_key')} FROM new_tasks",
                    {"id": import_id})
        con.execute(f"INSERT INTO problem_versions SELECT $id, {', '.join(VERSION_COLUMNS)} FROM retested",
                    {"id": import_id})
        closed, repeated = con.execute(
            f"SELECT count(*) FILTER (WHERE status = '{CLOSED}'), count(*) FILTER (WHERE status <> '{CLOSED}') "
            "FROM retested").fetchall()[0]
    finally:
        con.unregister("new_tasks")
        con.unregister("scored_points")
        con.execute("DROP TABLE IF EXISTS retested")
    refresh_current(con, [import_id])
    return TaskOutcome(len(rows), closed, repeated)


# The rows of the ledgers $ids that copy a task without its 交办编号 (see the module's text): per row the
# task it names (by its earlier link, else by 点位 and description) and whether it is taken for it.
_COPIES_SQL = f"""
    WITH in_force AS (
        SELECT DISTINCT t.task_key, t.unit, t.point_key, t.said_key
        FROM round_tasks t JOIN score_imports s USING (import_id) WHERE s.undone_at IS NULL
    ),
    candidates AS (
        SELECT import_id, problem_key, unit, ledger_unit, {normalised_sql('point_name')} AS point_key,
               {normalised_sql('description')} AS said_key
        FROM problem_versions
        WHERE list_contains($ids, import_id) AND problem_key NOT IN (SELECT task_key FROM round_tasks)
    ),
    by_link AS (
        SELECT DISTINCT r.import_id, r.problem_key, c.task_key
        FROM candidates r JOIN task_copies c ON c.copied_key = r.problem_key
        JOIN imports i ON i.import_id = c.import_id AND i.undone_at IS NULL
        JOIN in_force f ON f.task_key = c.task_key
    ),
    by_content AS (
        SELECT r.import_id, r.problem_key, f.task_key
        FROM candidates r JOIN in_force f ON f.point_key = r.point_key AND f.said_key = r.said_key
             AND (f.unit = r.unit OR f.unit = r.ledger_unit)
        WHERE r.point_key <> '' AND r.said_key <> ''
          AND (r.import_id, r.problem_key) NOT IN (SELECT (import_id, problem_key) FROM by_link)
    ),
    per_row AS (
        SELECT import_id, problem_key, count(DISTINCT task_key) AS tasks, min(task_key) AS task_key,
               string_agg(DISTINCT task_key, '、' ORDER BY task_key) AS keys,
               bool_or(linked) AS linked
        FROM (SELECT *, TRUE AS linked FROM by_link UNION ALL SELECT *, FALSE FROM by_content)
        GROUP BY ALL
    ),
    -- a task the ledger already carries by its 交办编号, or that two of its rows name, is not taken
    per_task AS (
        SELECT import_id, task_key, count(*) AS rows FROM per_row WHERE tasks = 1 GROUP BY ALL
    )
    SELECT r.import_id, r.problem_key, r.task_key, r.keys, r.linked, r.tasks,
           r.tasks = 1 AND t.rows = 1 AND NOT EXISTS (
               SELECT 1 FROM problem_versions v WHERE v.import_id = r.import_id AND v.problem_key = r.task_key
           ) AS taken
    FROM per_row r LEFT JOIN per_task t USING (import_id, task_key)"""


def take_copied_tasks(con: duckdb.DuckDBPyConnection, import_ids: list[int]) -> int:
    """Within the caller's transaction, before the current state is derived: give each row of these
    ledger imports that copies a task the task's 交办编号, and flag the rows kept apart. Returns how many
    rows were taken for tasks."""
    if not con.execute("SELECT EXISTS (SELECT 1 FROM round_tasks)").fetchall()[0][0]:
        return 0
    con.execute(f"CREATE OR REPLACE TEMP TABLE copied_rows AS {_COPIES_SQL}", {"ids": import_ids})
    try:
        taken, = con.execute("SELECT count(*) FILTER (WHERE taken) FROM copied_rows").fetchall()[0]
        con.execute("""
            INSERT INTO task_copies SELECT import_id, problem_key, task_key FROM copied_rows
            WHERE taken AND NOT linked""")
        con.execute("""
            UPDATE problem_versions SET problem_key = c.task_key FROM copied_rows c
            WHERE c.taken AND problem_versions.import_id = c.import_id AND problem_versions.problem_key = c.problem_key""")
        con.execute(f"""
            UPDATE problem_versions
            SET flags = list_append(flags, CASE WHEN c.tasks > 1 THEN replace('{MANY_TASKS_FLAG}', '{{keys}}', c.keys)
                                                ELSE replace('{TAKEN_TWICE_FLAG}', '{{key}}', c.task_key) END)
            FROM copied_rows c
            WHERE NOT c.taken AND problem_versions.import_id = c.import_id
              AND problem_versions.problem_key = c.problem_key""")
    finally:
        con.execute("DROP TABLE copied_rows")
    return taken
