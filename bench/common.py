"""What every benchmark shares: the three sizes, the deterministic databases, timing, the machine.

Sizes: a city (100 units × 300 problems), a big city (100 × 3,000) and a province
(1,000,000 problems). The fixtures know 101 unit names at most, so the province is 100 units of
10,000 problems each: the same row counts as a province of many cities, and what a city keeping
three years of history holds.

A database of a size is built straight from analytics.fixtures.campaign_frame (the `problems`
table of the same campaign the ledger files come from), with the history the importer would have
kept: every problem in every weekly ledger of its unit, so about four versions per problem.
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:   # the scripts in bench/ also run on their own
    sys.path.insert(0, str(ROOT))

from analytics.shared import db, schema
from analytics.fixtures import campaign_frame, campaign_units
from analytics.ledger.derive import derive_current_state
from analytics.shared.settings import set_setting
from analytics.shared.statuses import CLOSED, IN_PROGRESS, PENDING, RECTIFIED, sql_text

END = dt.date(2026, 11, 20)         # the campaign's last report date (the fixtures' default)
TEST_DATE = dt.date(2026, 12, 18)   # its 测评 date (fixtures.campaign's default)
WEEKS = 8
AS_OF = END                         # every figure is taken as of the last report date


@dataclass(frozen=True)
class Size:
    name: str
    label: str
    n_units: int
    n_problems: int

    @property
    def problems_per_unit(self) -> int:
        return self.n_problems // self.n_units


SIZES = {
    "city": Size("city", "城市", 100, 30_000),
    "big": Size("big", "大城市", 100, 300_000),
    "province": Size("province", "全省", 100, 1_000_000),
}


def load_campaign_frame(con, n_problems: int, n_units: int = 100) -> None:
    """The problems of the fixtures' generator: imports and versions derived from them in SQL, then the
    current state and the rebound links derived from those as the importer does."""
    problem_frame = campaign_frame(seed=0, n_problems=n_problems, n_units=n_units, weeks=WEEKS, end=END)
    unit_frame = pd.DataFrame([(u.name, u.kind, u.district, True)
                               for u in campaign_units(0, n_units, weeks=WEEKS, end=END)],
                              columns=["name", "kind", "district", "active"])
    con.register("frame", problem_frame)
    con.execute("CREATE TEMP TABLE stated AS SELECT * FROM frame")
    con.unregister("frame")
    con.register("frame", unit_frame)
    con.execute("INSERT INTO units SELECT * FROM frame")
    con.unregister("frame")
    # Import ids are week × units + unit index + 1 (campaign_frame's scheme); week w reports on
    # END − 7 × (WEEKS − 1 − w).
    con.execute(f"""
        CREATE TEMP TABLE weeks AS
        SELECT DISTINCT ledger_unit, (first_import_id - 1) % {n_units} AS unit_index,
               (last_import_id - 1) // {n_units} AS last_week
        FROM stated""")
    con.execute(f"""
        INSERT INTO imports
        SELECT week * {n_units} + unit_index + 1, ledger_unit || '.xlsx', '', ledger_unit, '文件名', NULL,
               DATE '{END}' - (7 * ({WEEKS - 1} - week))::INTEGER, DATE '{END}' - (7 * ({WEEKS - 1} - week))::INTEGER,
               TIMESTAMP '{END}', 'bench', 0, 0, 0, 0, '', NULL, NULL
        FROM (SELECT ledger_unit, unit_index, unnest(range(0, last_week + 1)) AS week FROM weeks)""")
    columns = [row[0] for row in con.execute("DESCRIBE problem_versions").fetchall()][1:]
    as_seen = {
        "status": f"CASE WHEN closed_date <= day THEN {sql_text(CLOSED)} "
                  f"WHEN rectified_date <= day THEN {sql_text(RECTIFIED)} "
                  f"WHEN status <> {sql_text(PENDING)} THEN {sql_text(IN_PROGRESS)} ELSE {sql_text(PENDING)} END",
        "rectified_date": "CASE WHEN rectified_date <= day THEN rectified_date END",
        "closed_date": "CASE WHEN closed_date <= day THEN closed_date END",
    }
    con.execute(f"""
        INSERT INTO problem_versions
        SELECT week * {n_units} + (first_import_id - 1) % {n_units} + 1,
               {', '.join(as_seen.get(c, c) for c in columns)}
        FROM (SELECT *, DATE '{END}' - (7 * ({WEEKS - 1} - week))::INTEGER AS day
              FROM (SELECT *, unnest(range((first_import_id - 1) // {n_units},
                                           (last_import_id - 1) // {n_units} + 1)) AS week
                    FROM stated))""")
    derive_current_state(con)
    con.execute("DROP TABLE weeks")
    con.execute("DROP TABLE stated")
    con.execute("CHECKPOINT")


def build_database(path: Path, n_problems: int, n_units: int = 100) -> dict:
    """A fresh database of that many problems with its 测评 date set; returns its row counts."""
    with db.connect(path) as con:
        schema.ensure_schema(con)
        load_campaign_frame(con, n_problems, n_units)
        set_setting(con, "test_date", TEST_DATE)
        problems, = con.execute("SELECT count(*) FROM problems").fetchone()
        versions, = con.execute("SELECT count(*) FROM problem_versions").fetchone()
    return {"problems": problems, "versions": versions, "file_mb": Path(path).stat().st_size / 1_048_576}


def run_times(call: Callable[[], object], repeat: int) -> list[float]:
    """Seconds of each of `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    return statistics.median(run_times(call, repeat))


def timed(function: Callable, *args, **kwargs):
    """(result, seconds) of one call."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?") \
        if Path("/proc/cpuinfo").exists() else platform.processor()
    memory_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    packages = ", ".join(f"{name} {version(name)}" for name in
                         ("duckdb", "pandas", "pyarrow", "streamlit", "openpyxl", "python-calamine"))
    return {
        "日期": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "CPU": f"{cpu}，{len(os.sched_getaffinity(0))} 核（nproc）",
        "内存": f"{memory_kb / 1_048_576:.1f} GiB",
        "系统": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "库": packages,
    }
