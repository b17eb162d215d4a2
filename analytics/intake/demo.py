"""The demo campaign: about 100 units' weekly ledgers over 8 weeks, written as real files, read by the
real parser, archived, and stored in one transaction with its 测评 date and unit list. A fresh machine
shows a living dashboard, every figure has passed the same path as real data, and `check` and
`rebuild` hold on it.

One transaction makes the demo all-or-nothing: a process stopped half-way (a closed tab, a killed
dashboard) leaves the database as it was, and the next start builds it again. The first start runs it
in a process of its own (start_demo_process), which no page run, rerun or closed tab can cut off;
a lock beside the database lets only one build run however many first views start one.
"""
from __future__ import annotations

import datetime as dt
import functools
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import filelock
import pyarrow as pa

from analytics.shared import db, schema
from analytics import fixtures
from analytics.fixtures import readiness as readiness_fixtures
from analytics.fixtures import registry as registry_fixtures
from analytics.fixtures import scores as score_fixtures
from analytics.fixtures.photos import write_ledger_with_photos
from analytics.photos.describe import describe_new_pictures
from analytics.intake.batch import StagedLedger, stage_batch
from analytics.intake.prepare import prepare_file, prepare_ledger
from analytics.intake.recognise import Sheet
from analytics.intake.store import ImportProgress, archive_file, file_sha256, import_sheet, point_type_aliases
from analytics.shared.labels import chinese_date
from analytics.shared.settings import store_setting

DEMO_ACTOR = "演示数据"
DAYS_TO_TEST = 28  # the demo's 测评 is four weeks after its last ledgers
PHOTO_UNIT_SHARE = 4
DEMO_SHOPS = 16            # shops its ledgers' 门前四包 rows name; the register leaves the last UNREGISTERED_SHOPS out
UNREGISTERED_SHOPS = 2


class DemoRefused(ValueError):
    """The database already holds imports: the demo goes only into an empty one."""


def demo_lock_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".demo.lock")


def demo_log_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".demo.log")


def demo_being_built(db_path: Path) -> bool:
    """Is a demo build holding its lock right now (in any process)?"""
    lock = filelock.FileLock(demo_lock_path(db_path))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        return True
    lock.release()
    return False


def _import_count(db_path: Path) -> int:
    with db.connect(db_path, read_only=True) as con:
        return con.execute("SELECT count(*) FROM imports").fetchone()[0]


def start_demo_process(db_path: Path) -> subprocess.Popen | None:
    """Start `python -m analytics demo --if-empty` as a process of its own session (it outlives the
    page run, the browser tab and the dashboard that started it); None when a build is running."""
    db_path = Path(db_path)
    if demo_being_built(db_path):
        return None
    with open(demo_log_path(db_path), "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "analytics", "demo", "--if-empty", "--db", str(db_path)],
            cwd=db.PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)


def _photo_units(ledgers: list[fixtures.Ledger]) -> set[str]:
    """One in PHOTO_UNIT_SHARE of the units sending title-row ledgers (the first among them included)
    pastes photos into them."""
    titled = [ledger.unit for ledger in ledgers if ledger.style == "title_xlsx"]
    return set(titled[::PHOTO_UNIT_SHARE])


def _staged_week(db_path: Path, folder: Path, ledgers: list[fixtures.Ledger], arrival: dt.datetime,
                 aliases: dict[str, str], photos: bool = False) -> list[StagedLedger]:
    """One week's ledgers written as files, read as any upload is, and archived; with `photos` (the
    last week), some units' ledgers carry their problems' photos."""
    staged = []
    photo_units = _photo_units(ledgers) if photos else set()
    for ledger, path in zip(ledgers, fixtures.write_snapshot(ledgers, folder)):
        if ledger.unit in photo_units:
            write_ledger_with_photos(ledger, path)
        sha256 = file_sha256(path)
        prepared = prepare_ledger(path, point_type_aliases=aliases, today=arrival.date(), pictures_for=db_path)
        archived = archive_file(path, sha256, db_path, move=True)
        staged.append(StagedLedger(prepared, sha256, archived, DEMO_ACTOR, arrival))
    return staged


def load_demo(db_path: Path | str | None = None, *, seed: int = 0, n_units: int = 100,
              problems_per_unit: int = 40, weeks: int = 8, end: dt.date | None = None,
              progress: Callable[[ImportProgress], None] | None = None, workers: int = 0,
              only_if_empty: bool = False) -> str:
    """Generate a campaign, store all its weekly ledgers, its 测评 date and unit list in one transaction.

    The campaign ends `end` (default yesterday, so the demo looks alive whenever it is loaded; tests
    pass a fixed day) and its 测评 is DAYS_TO_TEST days later; each week's ledgers arrive in the
    evening of their report date. `workers` processes write and read the weeks' files in parallel.
    Refused (DemoRefused) on a database that holds imports; with `only_if_empty` that ends quietly,
    as does finding another build at work: what a first start wants."""
    db_path = schema.init_db(db_path)
    lock = filelock.FileLock(demo_lock_path(db_path))
    try:
        lock.acquire(timeout=0 if only_if_empty else db.LOCK_WAIT_SECONDS)
    except filelock.Timeout:
        return "另一个进程正在载入演示数据。"
    try:
        return _load_demo_locked(db_path, seed=seed, n_units=n_units, problems_per_unit=problems_per_unit,
                                 weeks=weeks, end=end, progress=progress, workers=workers,
                                 only_if_empty=only_if_empty)
    finally:
        lock.release()


def _refusal(imports: int) -> str:
    return f"数据库中已有{imports}次导入：演示数据只载入空数据库（可用 --db 指定一个新文件）。"


def _load_demo_locked(db_path: Path, *, seed, n_units, problems_per_unit, weeks, end, progress, workers,
                      only_if_empty) -> str:
    imports = _import_count(db_path)
    if imports:
        if only_if_empty:
            return "数据库中已有数据，未载入演示数据。"
        raise DemoRefused(_refusal(imports))
    end = end or dt.date.today() - dt.timedelta(days=1)
    demo = fixtures.with_shops(
        fixtures.campaign(seed=seed, n_units=n_units, problems_per_unit=problems_per_unit, weeks=weeks, end=end,
                          test_date=end + dt.timedelta(days=DAYS_TO_TEST)),
        registry_fixtures.shop_names(seed, DEMO_SHOPS))
    weekly = fixtures.snapshots(demo)
    arrivals = [dt.datetime.combine(report_date, dt.time(18, 0)) for report_date in demo.report_dates]
    with db.connect(db_path, read_only=True) as con:
        aliases = point_type_aliases(con)
    report = progress or (lambda _: None)
    total = sum(len(ledgers) for ledgers in weekly)
    # written beside the archive, so that archiving a file is a rename
    with tempfile.TemporaryDirectory(prefix=".demo-", dir=db_path.parent) as folder:
        folders = [Path(folder) / report_date.isoformat() for report_date in demo.report_dates]
        arguments = [(db_path, week_folder, ledgers, arrival, aliases, week_folder == folders[-1])
                     for week_folder, ledgers, arrival in zip(folders, weekly, arrivals)]
        staged: list[StagedLedger] = []
        if workers:
            with ProcessPoolExecutor(workers) as pool:
                weeks_staged = pool.map(_staged_week, *zip(*arguments))
                for week in weeks_staged:
                    staged.extend(week)
                    report(ImportProgress(len(staged), total, week[-1].prepared.ledger.file_name, "读取"))
        else:
            for argument in arguments:
                staged.extend(_staged_week(*argument))
                report(ImportProgress(len(staged), total, staged[-1].prepared.ledger.file_name, "读取"))
        sheets = _staged_sheets(db_path, Path(folder) / "测评", demo, aliases)
    with db.writing(db_path, actor=DEMO_ACTOR), db.connect(db_path) as con:
        imports, = con.execute("SELECT count(*) FROM imports").fetchone()
        if imports:  # another writer came first while the files were read
            if only_if_empty:
                return "数据库中已有数据，未载入演示数据。"
            raise DemoRefused(_refusal(imports))
        report(ImportProgress(total, total, "演示台账", "写入"))
        with db.transaction(con):
            store_setting(con, "test_date", demo.test_date.isoformat(), actor=DEMO_ACTOR)
            con.register("demo_units", pa.table({"name": [unit.name for unit in demo.units],
                                                 "kind": [unit.kind for unit in demo.units],
                                                 "district": [unit.district for unit in demo.units]}))
            con.execute("INSERT OR REPLACE INTO units SELECT name, kind, district, TRUE FROM demo_units")
            con.unregister("demo_units")
            results = stage_batch(con, staged)
            sheet_results = [import_sheet(con, sheet, sha256=sha256, archive_path=archived, actor=DEMO_ACTOR,
                                          now=arrival) for sheet, sha256, archived, arrival in sheets]
        problems, = con.execute("SELECT count(*) FROM problems").fetchone()
    # the demo's photos decoded (同图多用 compares them) before it is called loaded
    describe_new_pictures(db_path, actor=DEMO_ACTOR,
                          pool=functools.partial(ProcessPoolExecutor, workers) if workers else None)
    report(ImportProgress(total, total, "演示台账", "完成"))
    stored = sum(result.outcome == "imported" for result in results)
    rounds = sum(result.outcome == "imported" and result.score_sheet is not None for result in sheet_results)
    return (f"已载入演示数据：{len(demo.units)}个单位、{len(demo.report_dates)}周，导入台账{stored}份，"
            f"问题{problems}条，模拟测评{rounds}轮，测评体系、网上申报和问卷调查各一份，"
            f"点位清单、联点清单、包保一览表和门前四包登记表各一份，"
            f"测评日期{chinese_date(demo.test_date)}。")


# A score, readiness or registry sheet of the demo, read and archived: (sheet, sha256, archive path, arrival).
StagedSheet = tuple[Sheet, str, str, dt.datetime]


def _staged_sheets(db_path: Path, folder: Path, demo: fixtures.Campaign, aliases: dict[str, str]
                   ) -> list[StagedSheet]:
    """The campaign's three mock evaluations as score sheets in the three shapes, over 点位 its units'
    ledgers name, each arriving the evening of its round; then its 测评体系分解表, 网上申报 status (its
    departments answer for the standards) and 问卷调查 results (three rounds over its districts),
    arriving the evening of its last day; then the lists of its responsibility map (every 点位 its ledgers
    name and a few nobody visited, leaders holding some, 包保 by its departments, a 门前四包 register along
    its roads with the shops its ledgers name but the last few). Written as files, read as any upload is,
    and archived."""
    rounds = score_fixtures.demo_rounds(score_fixtures.spots_from_problems(demo.problems), demo_round_dates(demo),
                                        seed=demo.seed)
    arrivals = {path: dt.datetime.combine(round_.eval_date, dt.time(20, 0)) for round_, path in
                zip(rounds, score_fixtures.write_demo_score_sheets(rounds, folder / "得分"))}
    departments = tuple(unit.name for unit in demo.units if unit.kind == "市直部门")
    areas = tuple(dict.fromkeys(unit.district for unit in demo.units if unit.kind != "市直部门"))
    data = readiness_fixtures.readiness_set(demo.seed, units=departments or None,
                                            areas=areas or readiness_fixtures.AREAS, as_of=demo.end)
    for path in readiness_fixtures.write_readiness_set(data, folder / "准备"):
        arrivals[path] = dt.datetime.combine(demo.end, dt.time(21, 0))
    spots = [(problem.point_type, problem.point_name, problem.unit) for problem in demo.problems]
    named = list(dict.fromkeys(problem.shop for problem in demo.problems if problem.shop))
    registry = registry_fixtures.registry_set(spots, {unit.name: unit.district for unit in demo.units},
                                              departments or ("市委办公室",), seed=demo.seed, as_of=demo.end,
                                              registered_shops=named[:-UNREGISTERED_SHOPS],
                                              n_shops=len(named) + 14)
    for path in registry_fixtures.write_registry_set(registry, folder / "责任", as_of=demo.end):
        arrivals[path] = dt.datetime.combine(demo.end, dt.time(21, 30))
    staged = []
    for path, arrival in arrivals.items():
        sha256 = file_sha256(path)
        sheet = prepare_file(path, point_type_aliases=aliases, today=arrival.date())
        staged.append((sheet, sha256, archive_file(path, sha256, db_path, move=True), arrival))
    return staged


def demo_round_dates(demo: fixtures.Campaign) -> list[dt.date]:
    """Three 模拟测评 rounds: two early in the campaign and one in its last fortnight."""
    return [demo.start + dt.timedelta(days=9), demo.start + dt.timedelta(days=30), demo.end - dt.timedelta(days=6)]

