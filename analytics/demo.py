"""The demo campaign: about 100 units' weekly ledgers over 8 weeks, imported through the real importer,
so a fresh machine shows a living dashboard and every figure has passed the same path as real data."""
from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from analytics import db, fixtures, schema
from analytics.fixtures import readiness as readiness_fixtures
from analytics.fixtures import scores as score_fixtures
from analytics.ingest import import_paths
from analytics.ingest.store import ImportProgress
from analytics.labels import chinese_date
from analytics.settings import set_setting

DEMO_ACTOR = "演示数据"
DAYS_TO_TEST = 28  # the demo's 测评 is four weeks after its last ledgers


def load_demo(db_path: Path | str | None = None, *, seed: int = 0, n_units: int = 100,
              problems_per_unit: int = 40, weeks: int = 8, end: dt.date | None = None,
              progress: Callable[[ImportProgress], None] | None = None) -> str:
    """Import every weekly snapshot of a generated campaign, set its 测评 date and unit list.

    The campaign ends `end` (default yesterday, so the demo looks alive whenever it is loaded; tests
    pass a fixed day) and its 测评 is DAYS_TO_TEST days later."""
    db_path = schema.init_db(db_path)
    end = end or dt.date.today() - dt.timedelta(days=1)
    demo = fixtures.campaign(seed=seed, n_units=n_units, problems_per_unit=problems_per_unit, weeks=weeks,
                             end=end, test_date=end + dt.timedelta(days=DAYS_TO_TEST))
    with db.writing(db_path, actor=DEMO_ACTOR), db.connect(db_path) as con:
        set_setting(con, "test_date", demo.test_date.isoformat(), actor=DEMO_ACTOR)
        con.executemany("INSERT OR REPLACE INTO units VALUES (?, ?, ?, TRUE)",
                        [(unit.name, unit.kind, unit.district) for unit in demo.units])
    weekly = fixtures.snapshots(demo)
    total = sum(len(ledgers) for ledgers in weekly)
    done = 0
    imported = 0
    with tempfile.TemporaryDirectory(prefix="chuangwen-demo-") as folder:
        for report_date, ledgers in zip(demo.report_dates, weekly):
            paths = fixtures.write_snapshot(ledgers, Path(folder) / report_date.isoformat())
            # each week's ledgers arrive in the evening of their report date (never in the future:
            # the last report date is yesterday)
            arrival = dt.datetime.combine(report_date, dt.time(18, 0))

            def forward(step: ImportProgress, offset=done) -> None:
                if progress:
                    progress(ImportProgress(offset + step.number, total, step.file_name, step.stage, step.result))

            results = import_paths(db_path, paths, actor=DEMO_ACTOR, now=arrival, progress=forward)
            imported += sum(result.outcome == "imported" for result in results)
            done += len(paths)
    rounds = load_demo_scores(db_path, demo)
    load_demo_readiness(db_path, demo)
    with db.connect(db_path, read_only=True) as con:
        problems, = con.execute("SELECT count(*) FROM problems").fetchone()
    return (f"已载入演示数据：{len(demo.units)}个单位、{len(demo.report_dates)}周，导入台账{imported}份，"
            f"问题{problems}条，模拟测评{rounds}轮，测评体系、网上申报和问卷调查各一份，测评日期{chinese_date(demo.test_date)}。")


def demo_round_dates(demo: fixtures.Campaign) -> list[dt.date]:
    """Three 模拟测评 rounds: two early in the campaign and one in its last fortnight."""
    return [demo.start + dt.timedelta(days=9), demo.start + dt.timedelta(days=30), demo.end - dt.timedelta(days=6)]


def load_demo_scores(db_path: Path, demo: fixtures.Campaign) -> int:
    """The campaign's three mock evaluations as score sheets in the three shapes, over 点位 its units'
    ledgers name, each imported the evening of its round; returns how many rounds were imported."""
    rounds = score_fixtures.demo_rounds(score_fixtures.spots_from_problems(demo.problems), demo_round_dates(demo),
                                        seed=demo.seed)
    with tempfile.TemporaryDirectory(prefix="chuangwen-demo-scores-") as folder:
        paths = score_fixtures.write_demo_score_sheets(rounds, Path(folder))
        imported = 0
        for round_, path in zip(rounds, paths):
            arrival = dt.datetime.combine(round_.eval_date, dt.time(20, 0))
            imported += sum(r.outcome == "imported" for r in import_paths(db_path, [path], actor=DEMO_ACTOR,
                                                                          now=arrival))
    return imported


def load_demo_readiness(db_path: Path, demo: fixtures.Campaign) -> None:
    """The campaign's 测评体系分解表, 网上申报 status (its departments answer for the standards) and
    问卷调查 results (three rounds over its districts), imported the evening of its last day."""
    departments = tuple(unit.name for unit in demo.units if unit.kind == "市直部门")
    areas = tuple(dict.fromkeys(unit.district for unit in demo.units if unit.kind != "市直部门"))
    data = readiness_fixtures.readiness_set(demo.seed, units=departments or None, areas=areas or readiness_fixtures.AREAS,
                                            as_of=demo.end)
    with tempfile.TemporaryDirectory(prefix="chuangwen-demo-readiness-") as folder:
        import_paths(db_path, readiness_fixtures.write_readiness_set(data, Path(folder)), actor=DEMO_ACTOR,
                     now=dt.datetime.combine(demo.end, dt.time(21, 0)))
