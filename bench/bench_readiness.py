"""How fast 测评 readiness answers at province size: `python bench/bench_readiness.py [--online 200]
[--field 200] [--units 98] [--rounds 10] [--areas 100] [--points 1200] [--score-rounds 10]
[--problems 30000] [--repeat 5]`.

Writes a 测评体系分解表, a 网上申报 status sheet and 问卷调查 results of that size, and the score sheets of
`--score-rounds` 模拟测评 rounds over `--points` 点位 of the same units, as real files; imports them
through the importer into a database that also holds `problems` ledger problems
(bench.common.build_database); then times each readiness function (median of --repeat runs).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.shared import db
from analytics.readiness import model as readiness
from analytics.fixtures import readiness as readiness_fixtures
from analytics.fixtures import scores as score_fixtures
from analytics.shared.filters import Filters
from analytics.intake import import_paths
from bench.common import build_database, median_seconds  # noqa: E402


def readiness_calls(filters: Filters):
    return {
        "readiness（三部分、预计得分、谁丢分）": lambda con: readiness.readiness(con, filters),
        "online_materials_status（网上申报逐项）": lambda con: readiness.online_materials_status(con, filters),
        "survey_rates（问卷各轮各区域）": lambda con: readiness.survey_rates(con, filters),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--online", type=int, default=200)
    parser.add_argument("--field", type=int, default=200)
    parser.add_argument("--units", type=int, default=98)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--areas", type=int, default=100)
    parser.add_argument("--points", type=int, default=1200)
    parser.add_argument("--score-rounds", type=int, default=10)
    parser.add_argument("--problems", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = readiness_fixtures.readiness_set(0, n_online=args.online, n_field=args.field, n_units=args.units,
                                            rounds=args.rounds, areas=readiness_fixtures.numbered_areas(args.areas))
    with tempfile.TemporaryDirectory(prefix="bench-readiness-") as folder:
        path = Path(folder) / "readiness.duckdb"
        build_database(path, args.problems)
        units = sorted({material.unit for material in data.materials})
        rounds = score_fixtures.demo_rounds(score_fixtures.generated_spots(args.points, units),
                                            [dt.date(2026, 3, 1) + dt.timedelta(days=21 * i)
                                             for i in range(args.score_rounds)])
        files = [*readiness_fixtures.write_readiness_set(data, Path(folder) / "inbox"),
                 *score_fixtures.write_demo_score_sheets(rounds, Path(folder) / "scores")]
        started = time.perf_counter()
        results = import_paths(path, files, actor="bench")
        imported = time.perf_counter() - started
        assert all(result.outcome == "imported" for result in results), [r.message for r in results]
        filters = Filters(as_of=data.as_of)
        with db.connect(path, read_only=True) as con:
            print(f"测评标准{len(data.standards)}项（网上申报{args.online}项，{args.units}个责任单位，报送{len(data.materials)}行），"
                  f"问卷{args.rounds}轮 × {args.areas}个区域，模拟测评{args.points}个点位 × {args.score_rounds}轮，"
                  f"台账问题{args.problems}条；导入{len(files)}份表 {imported:.2f} 秒")
            print("| 函数 | 中位耗时 |\n| --- | ---: |")
            for name, call in readiness_calls(filters).items():
                print(f"| {name} | {median_seconds(lambda: call(con), args.repeat) * 1000:.0f} 毫秒 |")


if __name__ == "__main__":
    main()
