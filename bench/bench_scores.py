"""How fast the 模拟测评 scores answer at province size: `python bench/bench_scores.py [--points 1200]
[--rounds 10] [--problems 30000] [--repeat 5]`.

Writes `rounds` score sheets of `points` 点位 under 118 units (the three shapes in turn, as real
files), imports them through the importer (import_paths, as the command line does) into a database that also holds `problems` ledger problems
(bench.common.build_database), then imports one more round of `--task-points` 点位 as a 扣分明细 (about
2,000 deductions, each a task; the re-test of the earlier rounds' tasks too) and times it, then times each scores function and the `scores --json` command (median
of --repeat runs) and prints a table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.shared import db
from analytics.accountability.rule import accountability
from analytics.scores import model as scores
from analytics.fixtures import scores as score_fixtures
from analytics.intake import import_paths
from bench.common import ROOT, build_database, median_seconds  # noqa: E402

UNITS = [f"第{i + 1}责任单位" for i in range(118)]


def score_calls(first_round: str):
    return {
        "round_summary（最新一轮）": lambda con: scores.round_summary(con),
        "accountability（最新一轮，问责）": lambda con: accountability(con),
        "round_summary（第一轮）": lambda con: scores.round_summary(con, first_round),
        "group_scores(point_type)（各轮）": lambda con: scores.group_scores(con, "point_type"),
        "group_scores(unit)（各轮）": lambda con: scores.group_scores(con, "unit"),
        "most_lost(standard)": lambda con: scores.most_lost(con, scores.resolve_round(con, None)),
        "deductions_with_ledger（整轮）": lambda con: scores.deductions_with_ledger(con, scores.resolve_round(con, None)),
        "point_registry": scores.point_registry,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--problems", type=int, default=30_000)
    parser.add_argument("--task-points", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scores-") as folder:
        path = Path(folder) / "scores.duckdb"
        build_database(path, args.problems)
        spots = score_fixtures.generated_spots(args.points, UNITS)
        rounds = score_fixtures.demo_rounds(
            spots, [dt.date(2026, 3, 1) + dt.timedelta(days=21 * i) for i in range(args.rounds)])
        files = score_fixtures.write_demo_score_sheets(rounds, Path(folder) / "inbox")
        started = time.perf_counter()
        results = import_paths(path, files, actor="bench")
        imported = time.perf_counter() - started
        assert all(result.outcome == "imported" for result in results), [r.message for r in results]
        big = score_fixtures.score_round(score_fixtures.generated_spots(args.task_points, UNITS), args.rounds + 1,
                                         rounds[-1].eval_date + dt.timedelta(days=21))
        big_file = score_fixtures.write_deduction_detail(big, Path(folder) / "inbox" / f"{big.name}模拟测评扣分明细.xlsx")
        started = time.perf_counter()
        [result] = import_paths(path, [big_file], actor="bench")
        big_seconds = time.perf_counter() - started
        assert result.outcome == "imported", result.message
        with db.connect(path, read_only=True) as con:
            big_deductions, = con.execute("SELECT deductions FROM score_imports ORDER BY import_id DESC LIMIT 1"
                                          ).fetchone()
            print(f"导入一轮{args.task_points}个点位的扣分明细（{big_deductions}项扣分，每项一条交办任务）"
                  f" {big_seconds:.2f} 秒")
            points, deductions = con.execute(
                "SELECT count(*), (SELECT count(*) FROM score_deductions) FROM score_points").fetchone()
            print(f"{args.points}个点位 × {args.rounds}轮（{points}个点位得分、{deductions}项扣分），"
                  f"台账问题{args.problems}条；导入{len(files)}份得分表 {imported:.2f} 秒")
            print("| 函数 | 中位耗时 |\n| --- | ---: |")
            for name, call in score_calls(rounds[0].name).items():
                print(f"| {name} | {median_seconds(lambda: call(con), args.repeat) * 1000:.0f} 毫秒 |")
        command = [sys.executable, "-m", "analytics", "scores", "--json", "--db", str(path)]
        seconds = median_seconds(lambda: subprocess.run(command, check=True, capture_output=True, cwd=ROOT),
                                 args.repeat)
        print(f"| python -m analytics scores --json（含启动） | {seconds * 1000:.0f} 毫秒 |")


if __name__ == "__main__":
    main()
