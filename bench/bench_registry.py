"""How fast the responsibility map answers at the size the speeches name: `python bench/bench_registry.py
[--points 1200] [--leaders 60] [--units 118] [--problems 300000] [--repeat 5]`.

Builds a database of `problems` ledger problems of `units` units (bench.common.build_database), takes
`points` of the 点位 they name as the registry (the units' points as the ledgers have them), writes the four lists (点位清单
a sheet per district, 联点清单 of `leaders` leaders, 包保一览表, 门前四包 register) and three rounds of
score sheets over the registry, imports them through the importer, then times the map's functions and
`responsibility --json` (median of --repeat runs), and the 我的联系点 page under AppTest (bench_pages:
cold = Streamlit's data cache cleared, so the sidebar's reads and the page's go to DuckDB; warm = drawn
again from the cache), and prints a table. Targets (issue 26): `responsibility` under 200 ms warm; the
我的联系点 page cold under 1 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.fixtures import registry as registry_fixtures, scores as score_fixtures  # noqa: E402
from analytics.intake import import_paths  # noqa: E402
from analytics.registry import model as registry  # noqa: E402
from analytics.shared import db  # noqa: E402
from analytics.shared.filters import Filters  # noqa: E402
from bench.bench_pages import time_pages  # noqa: E402
from bench.common import ROOT, build_database, median_seconds  # noqa: E402

MY_POINTS = {"pages/my_points.py": "我的联系点"}
LEDGER_UNITS = 100   # analytics.fixtures.campaign_units names about a hundred


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1200)
    parser.add_argument("--leaders", type=int, default=60)
    parser.add_argument("--units", type=int, default=118)
    parser.add_argument("--problems", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as folder:
        path = Path(folder) / "registry.duckdb"
        build_database(path, args.problems, min(args.units, LEDGER_UNITS))
        with db.connect(path, read_only=True) as con:
            spots = con.execute("""
                SELECT point_type, point_name, any_value(unit) FROM problems WHERE point_name IS NOT NULL
                GROUP BY ALL ORDER BY count(*) DESC, point_name LIMIT ?""", [args.points]).fetchall()
            units = [name for (name,) in con.execute("SELECT DISTINCT unit FROM problems ORDER BY unit").fetchall()]
        if args.units > len(units):
            # the fixture's ledgers come from at most LEDGER_UNITS units: the registry's points then go round
            # them and departments besides (a point's 责任单位 need not be the unit its problems came from)
            units += [f"第{number}责任部门" for number in range(1, args.units - len(units) + 1)]
            spots = [(point_type, name, units[index % len(units)]) for index, (point_type, name, _) in enumerate(spots)]
        districts = {unit: f"第{index % 8 + 1}区" for index, unit in enumerate(units)}
        lists = registry_fixtures.registry_set(spots, districts, units[:20], n_leaders=args.leaders,
                                               points_per_leader=5, extra_points=0, n_shops=200)
        files = registry_fixtures.write_registry_set(lists, Path(folder) / "lists")
        rounds = score_fixtures.demo_rounds(
            [score_fixtures.ScoreSpot(t, n, u) for t, n, u in spots[: args.points // 3]],
            [dt.date(2026, 9, 1) + dt.timedelta(days=30 * i) for i in range(3)])
        files += score_fixtures.write_demo_score_sheets(rounds, Path(folder) / "scores")
        results = import_paths(path, files, actor="bench")
        assert all(result.outcome == "imported" for result in results), [r.message for r in results]
        leader = lists.leaders[0].leader
        calls = {
            "responsibility（全部）": lambda con: registry.responsibility(con, Filters()),
            "points_of（一位联点领导）": lambda con: registry.points_of(con, Filters(), leader=leader),
            "leader_summary": lambda con: registry.leader_summary(con, Filters()),
            "blind_spots": lambda con: registry.blind_spots(con, Filters()),
            "daily_plan": lambda con: registry.daily_plan(con, Filters()),
        }
        print(f"登记点位{len(lists.points)}个、联点领导{len(lists.leaders)}位、单位{len(units)}个、"
              f"台账问题{args.problems}条")
        print("| 函数 | 中位耗时 |\n| --- | ---: |")
        with db.connect(path, read_only=True) as con:
            for name, call in calls.items():
                print(f"| {name} | {median_seconds(lambda: call(con), args.repeat) * 1000:.0f} 毫秒 |")
        command = [sys.executable, "-m", "analytics", "responsibility", "--json", "--db", str(path)]
        seconds = median_seconds(lambda: subprocess.run(command, check=True, capture_output=True, cwd=ROOT),
                                 args.repeat)
        print(f"| python -m analytics responsibility --json（含启动） | {seconds * 1000:.0f} 毫秒 |")
        for measure in time_pages(path, args.repeat, MY_POINTS)[1:]:   # after the app's first run
            if "error" in measure:
                print(f"| 我的联系点页 | 出错：{measure['error']} |")
                continue
            print(f"| 我的联系点页 冷（目标 1 秒） | {statistics.median(measure['cold']) * 1000:.0f} 毫秒 |")
            print(f"| 我的联系点页 热 | {statistics.median(measure['warm']) * 1000:.0f} 毫秒 |")


if __name__ == "__main__":
    main()
