"""Every deduction is a task: the sample county (tests/samples/accountability, its figures counted by
hand in expected.json) walked through a round imported twice, a unit's ledger copying three deductions,
a 交办单 sent back, the next round's re-test, undo and rebuild; and the rules on generated sheets."""
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

from analytics.accountability.tasks import MANY_TASKS_FLAG, UNIT_MISSING
from analytics.exports.tasks import task_sheets
from analytics.fixtures import scores as score_fixtures
from analytics.intake import import_paths, rebuild, undo_import
from analytics.intake.integrity import check_integrity
from analytics.ledger.metrics import kpis, summary
from analytics.ledger.rework import rework_rates
from analytics.shared import db, schema
from analytics.shared.statuses import STATUSES
from analytics.shared.filters import Filters

SAMPLES = Path(__file__).parents[1] / "samples" / "accountability"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
NOW = dt.datetime(2026, 11, 28, 9, 0)
PENDING, CLOSED = STATUSES[0], STATUSES[-1]


def _import(path: Path, *files: Path):
    results = import_paths(path, list(files), now=NOW)
    assert all(result.outcome in ("imported", "unchanged") for result in results), [r.message for r in results]
    return results


def _problems(path: Path) -> dict[str, tuple]:
    with db.connect(path, read_only=True) as con:
        return {key: rest for key, *rest in con.execute(
            "SELECT problem_key, unit, status, source, point_name, description, found_date, deadline, flags "
            "FROM problems").fetchall()}


def _unit_status(path: Path, unit: str) -> dict[str, int]:
    with db.connect(path, read_only=True) as con:
        counted = dict(con.execute("SELECT status, count(*) FROM problems WHERE unit = ? GROUP BY status",
                                   [unit]).fetchall())
    return {status: counted.get(status, 0) for status in STATUSES}


@pytest.fixture
def county(tmp_path) -> Path:
    path = tmp_path / "county.duckdb"
    schema.init_db(path)
    return path


def _returned_task_sheet(path: Path, folder: Path) -> Path:
    """溪东街道's 交办单 as of the export day, two rows filled in 已整改 and a report date, as the unit sends it."""
    returned = EXPECTED["returned"]
    as_of = dt.date.fromisoformat(returned["export_as_of"])
    with db.connect(path, read_only=True) as con:
        sheets = task_sheets(con, Filters(as_of=as_of, units=(EXPECTED["task_unit"],)))
    [(name, data)] = sheets.items()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    header = {cell.value: cell.column for cell in sheet[next(
        row[0].row for row in sheet.iter_rows() if "序号" in (cell.value for cell in row))]}
    wanted = {(row["point_name"], row["description"]) for row in returned["rows"]}
    filled = 0
    for row in range(1, sheet.max_row + 1):
        named = (sheet.cell(row, header["点位名称"]).value, sheet.cell(row, header["问题描述"]).value)
        if named in wanted:
            sheet.cell(row, header["整改状态"]).value = "已整改"
            sheet.cell(row, header["整改完成时间"]).value = dt.date.fromisoformat(returned["done_date"])
            filled += 1
    assert filled == len(wanted)
    sheet["G2"] = dt.date.fromisoformat(returned["report_date"])
    target = folder / name
    workbook.save(target)
    return target


def test_the_sample_rounds_ledger_and_task_sheet(county, tmp_path):
    first, second = EXPECTED["round1"], EXPECTED["round2"]
    [result] = _import(county, SAMPLES / first["file"])
    problems = _problems(county)
    assert len(problems) == first["tasks"]
    by_unit: dict[str, int] = {}
    for unit, status, source, *_ in problems.values():
        by_unit[unit] = by_unit.get(unit, 0) + 1
        assert status == PENDING and source == "模拟测评"
    assert by_unit == first["by_unit"]
    found = dt.date.fromisoformat(first["date"])
    assert {(row[5], row[6]) for row in problems.values()} == {
        (found, found + dt.timedelta(days=EXPECTED["deadline_days"]))}
    # a 0-point row (未发现问题) is no task; a deduction without 存在问题 would say the standard
    assert all(row[4] and row[4] != "未发现问题" for row in problems.values())

    # the same round again: nothing doubles, the same 交办编号
    [again] = import_paths(county, [SAMPLES / first["file"]], now=NOW)
    assert again.outcome == "unchanged" and _problems(county) == problems

    # the unit's ledger copies three deductions without 交办编号: counted once, statuses moved
    ledger = EXPECTED["ledger"]
    [copied] = _import(county, SAMPLES / ledger["file"])
    assert copied.rows_new == ledger["own_rows"] and copied.rows_updated == ledger["copies"]
    assert len(_problems(county)) == ledger["problems_after"]
    assert _unit_status(county, EXPECTED["task_unit"]) == ledger["unit_status"]

    # the 交办单 sent back: matched by its 交办编号, two rows moved on, nothing added
    returned = EXPECTED["returned"]
    _import(county, _returned_task_sheet(county, tmp_path))
    assert len(_problems(county)) == returned["problems_after"]
    assert _unit_status(county, EXPECTED["task_unit"]) == returned["unit_status"]

    # the re-test: round two closes what lost nothing again, repeats what lost again, adds its tasks
    _import(county, SAMPLES / second["file"])
    after = _problems(county)
    assert len(after) == second["problems_after"]
    from_round_one = {key: row for key, row in after.items() if key in problems}
    closed = [key for key, row in from_round_one.items() if row[1] == CLOSED]
    with db.connect(county, read_only=True) as con:
        raw = dict(con.execute("SELECT problem_key, status_raw FROM problems").fetchall())
        by_source = summary(con, Filters(as_of=NOW.date()))["by_source"]
    assert len(closed) == second["closed"] and all(raw[key] == "复测通过" for key in closed)
    repeated = [key for key in from_round_one if raw[key] == "复测未通过"]
    assert len(repeated) == second["repeated"]
    assert len(from_round_one) - len(closed) - len(repeated) == second["not_rescored"]
    assert by_source == {"模拟测评": second["from_rounds"]}


def test_undo_withdraws_the_tasks_and_rebuild_gives_the_same_numbers(county):
    first, second = EXPECTED["round1"], EXPECTED["round2"]
    [one] = _import(county, SAMPLES / first["file"])
    _import(county, SAMPLES / EXPECTED["ledger"]["file"])
    [two] = _import(county, SAMPLES / second["file"])
    before = _problems(county)
    rebuild(county)
    assert _problems(county) == before
    undo_import(county, two.import_id)
    after_round_one = _problems(county)
    assert len(after_round_one) == first["tasks"]
    assert _unit_status(county, EXPECTED["task_unit"]) == EXPECTED["ledger"]["unit_status"]
    undo_import(county, one.import_id)
    # the tasks go with every status the unit's ledger gave them
    assert _problems(county) == {}
    rebuild(county)
    assert _problems(county) == {}


def _round(results: list[score_fixtures.SpotResult], number: int = 1, day: dt.date = dt.date(2026, 11, 12)):
    round_ = score_fixtures.ScoreRound(number, day)
    round_.results.extend(results)
    return round_


def _spot(name: str, unit: str, point_type: str = "背街小巷") -> score_fixtures.ScoreSpot:
    return score_fixtures.ScoreSpot(point_type, name, unit)


def test_a_score_summary_adds_no_tasks(county, tmp_path):
    round_ = _round([score_fixtures.SpotResult(_spot("甲巷", "甲街道"), [("市容秩序", "无乱贴乱画", 30, 6.0, "小广告")])])
    path = score_fixtures.write_score_summary_xls(round_, tmp_path / "第一轮模拟测评得分汇总.xls")
    _import(county, path)
    assert _problems(county) == {}


def test_a_ledger_row_matching_two_tasks_is_kept_apart_and_flagged(county, tmp_path):
    spot = _spot("甲巷", "甲街道")
    round_ = _round([score_fixtures.SpotResult(spot, [("市容秩序", "无乱贴乱画", 30, 6.0, "小广告"),
                                                     ("环境卫生", "路面干净", 30, 4.0, "小广告")])])
    _import(county, score_fixtures.write_deduction_detail(round_, tmp_path / "第一轮模拟测评扣分明细.xlsx"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["序号", "点位类型", "点位名称", "问题描述", "责任单位", "发现时间", "整改时限", "整改状态"])
    sheet.append([1, "背街小巷", "甲 巷", "小广告。", "甲街道", dt.date(2026, 11, 12), dt.date(2026, 11, 15), "整改中"])
    ledger = tmp_path / "甲街道台账.xlsx"
    workbook.save(ledger)
    _import(county, ledger)
    problems = _problems(county)
    assert len(problems) == 3                     # two tasks, the row apart
    [row] = [row for key, row in problems.items() if key.startswith("甲街道|")]
    assert any(flag.startswith(MANY_TASKS_FLAG.split("（")[0]) for flag in row[7])


def test_a_deduction_without_its_unit_is_a_task_flagged(county, tmp_path):
    round_ = _round([score_fixtures.SpotResult(_spot("乙巷", ""), [("市容秩序", "无乱贴乱画", 30, 6.0, "")])])
    _import(county, score_fixtures.write_deduction_detail(round_, tmp_path / "第一轮模拟测评扣分明细.xlsx"))
    [row] = _problems(county).values()
    assert row[0] == UNIT_MISSING and "责任单位为空" in row[7]
    assert row[4] == "扣6分：无乱贴乱画"          # no 存在问题: the points and the standard


def test_deductions_without_their_point_are_tasks_flagged_and_never_retested(county, tmp_path):
    standard = score_fixtures.standards_for("背街小巷")[0]
    first = _round([score_fixtures.SpotResult(_spot("", "甲街道"), [(*standard, 6.0, "小广告")]),
                    score_fixtures.SpotResult(_spot("", "甲街道"), [(*standard, 4.0, "垃圾")])])
    (tmp_path / "1").mkdir()
    _import(county, score_fixtures.write_point_table(first, tmp_path / "1" / "第一轮模拟测评点位得分表.xlsx"))
    tasks = _problems(county)
    assert sorted((row[0], row[1], row[3]) for row in tasks.values()) == [("甲街道", PENDING, None)] * 2
    assert all(any(flag.endswith("点位名称为空") for flag in row[7]) for row in tasks.values())
    # a later round with a blank 点位 that lost nothing closes neither: no one knows it is the same place
    second = _round([score_fixtures.SpotResult(_spot("", "甲街道"), [])], number=2, day=dt.date(2026, 11, 26))
    (tmp_path / "2").mkdir()
    _import(county, score_fixtures.write_point_table(second, tmp_path / "2" / "第二轮模拟测评点位得分表.xlsx"))
    assert {key: row[1] for key, row in _problems(county).items()} == {key: PENDING for key in tasks}


def test_the_retest_closes_one_task_and_repeats_another(county, tmp_path):
    spot = _spot("甲巷", "甲街道")
    (item_a, standard_a, points_a), (item_b, standard_b, points_b) = score_fixtures.standards_for("背街小巷")[:2]
    first = _round([score_fixtures.SpotResult(spot, [(item_a, standard_a, points_a, 6.0, "小广告"),
                                                    (item_b, standard_b, points_b, 4.0, "垃圾")])])
    (tmp_path / "1").mkdir()
    _import(county, score_fixtures.write_deduction_detail(first, tmp_path / "1" / "第一轮模拟测评扣分明细.xlsx"))
    before = set(_problems(county))
    # the unit reports both done in its own ledger (no 交办编号): the same two problems
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["甲街道创文问题整改台账（截至2026年11月14日）"])    # sent before the re-test
    sheet.append(["序号", "点位类型", "点位名称", "问题描述", "责任单位", "发现时间", "整改时限", "整改状态", "整改完成时间"])
    for serial, said in enumerate(("小广告", "垃圾"), start=1):
        sheet.append([serial, "背街小巷", "甲巷", said, "甲街道", dt.date(2026, 11, 12), dt.date(2026, 11, 15),
                      "已整改", dt.date(2026, 11, 14)])
    ledger = tmp_path / "甲街道台账.xlsx"
    workbook.save(ledger)
    _import(county, ledger)
    assert set(_problems(county)) == before
    # the second round loses points on the first standard again, nothing on the second
    second = _round([score_fixtures.SpotResult(spot, [(item_a, standard_a, points_a, 3.0, "小广告")])],
                    number=2, day=dt.date(2026, 11, 26))
    (tmp_path / "2").mkdir()
    _import(county, score_fixtures.write_point_table(second, tmp_path / "2" / "第二轮模拟测评点位得分表.xlsx"))
    after = _problems(county)
    with db.connect(county, read_only=True) as con:
        state = {key: (status, raw, reopened) for key, status, raw, reopened in con.execute(
            "SELECT problem_key, status, status_raw, reopened_day FROM problems").fetchall()}
    by_said = {after[key][4]: key for key in before}
    assert state[by_said["垃圾"]][:2] == (CLOSED, "复测通过")
    assert state[by_said["小广告"]] == (PENDING, "复测未通过", dt.date(2026, 11, 26))   # 返工: done, then open again
    new = set(after) - before
    assert len(new) == 1 and after[new.pop()][1] == PENDING


# 反复: the re-test of 甲巷 (甲街道) on 11-26 loses points on 小广告's standard again, nothing on 垃圾's.
FOUND, RETEST = dt.date(2026, 11, 12), dt.date(2026, 11, 26)


def _two_rounds(path: Path, folder: Path, ledger: tuple[str, dt.date] | None = None) -> int:
    """Round one's two deductions at 甲巷, the unit's ledger (both rows at one status, sent on a day) if
    given, then round two; the import id of round two."""
    spot = _spot("甲巷", "甲街道")
    (item_a, standard_a, points_a), (item_b, standard_b, points_b) = score_fixtures.standards_for("背街小巷")[:2]
    (folder / "1").mkdir()
    first = _round([score_fixtures.SpotResult(spot, [(item_a, standard_a, points_a, 6.0, "小广告"),
                                                    (item_b, standard_b, points_b, 4.0, "垃圾")])], day=FOUND)
    _import(path, score_fixtures.write_deduction_detail(first, folder / "1" / "第一轮模拟测评扣分明细.xlsx"))
    if ledger:
        status, sent = ledger
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append([f"甲街道创文问题整改台账（截至{sent:%Y年%m月%d日}）"])
        sheet.append(["序号", "点位类型", "点位名称", "问题描述", "责任单位", "发现时间", "整改时限", "整改状态"])
        for serial, said in enumerate(("小广告", "垃圾"), start=1):
            sheet.append([serial, "背街小巷", "甲巷", said, "甲街道", FOUND, FOUND + dt.timedelta(days=3), status])
        workbook.save(folder / "甲街道台账.xlsx")
        _import(path, folder / "甲街道台账.xlsx")
    (folder / "2").mkdir()
    second = _round([score_fixtures.SpotResult(spot, [(item_a, standard_a, points_a, 3.0, "小广告")])],
                    number=2, day=RETEST)
    [result] = _import(path, score_fixtures.write_point_table(second, folder / "2" / "第二轮模拟测评点位得分表.xlsx"))
    return result.import_id


def _rework(path: Path, day: dt.date) -> list[int] | None:
    """甲街道's done_ever, reopened (返工), repeated (反复) and reopened_week as of `day` (None: nothing
    ever done or repeated)."""
    with db.connect(path, read_only=True) as con:
        rates = rework_rates(con, Filters(as_of=day), "unit").set_index("unit")
    if "甲街道" not in rates.index:
        return None
    return rates.loc["甲街道", ["done_ever", "reopened", "repeated", "reopened_week"]].tolist()


def _open_on(path: Path, day: dt.date) -> int:
    with db.connect(path, read_only=True) as con:
        return kpis(con, Filters(as_of=day)).open


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def test_a_task_never_reported_done_repeated_on_retest_counts_once_and_stays_open_from_its_found_date(
        county, tmp_path):
    second = _two_rounds(county, tmp_path)
    # 反复 from the re-test's day, not before; the 垃圾 task passed (复测通过: done, no 反复)
    assert all(_rework(county, day) is None for day in _days(FOUND, RETEST - dt.timedelta(days=1)))
    assert _rework(county, RETEST) == [2, 1, 1, 1]
    assert _rework(county, RETEST + dt.timedelta(days=7)) == [2, 1, 1, 0]
    # the repeated task is open every day from its found date: the backlog of a day before the re-test
    # counts both tasks, from the re-test on it and the new deduction
    assert [_open_on(county, day) for day in _days(FOUND, RETEST)] == [2] * 14 + [2]
    with db.connect(county, read_only=True) as con:
        states = sorted(con.execute("SELECT status, status_raw, found_date FROM problems").fetchall())
    assert states == sorted([(PENDING, "交办", RETEST), (PENDING, "复测未通过", FOUND), (CLOSED, "复测通过", FOUND)])
    assert check_integrity(county).ok
    # undoing round two takes the 反复 back with its task, and leaves round one's tasks open
    undo_import(county, second)
    assert _rework(county, RETEST) is None and _open_on(county, RETEST) == 2
    assert check_integrity(county).ok


def test_a_task_reported_done_and_repeated_on_retest_is_reopened_and_counts_once(county, tmp_path):
    _two_rounds(county, tmp_path, ("已整改", dt.date(2026, 11, 14)))
    # 返工 (done, then open again) and 反复 on the same day: one problem reworked. As any 返工, 小广告 is
    # counted from the day it is reported open again only (tests/ledger/test_rework.py): before it, 垃圾
    assert _rework(county, RETEST - dt.timedelta(days=1)) == [1, 0, 0, 0]
    assert _rework(county, RETEST) == [2, 1, 1, 1]
    assert [_open_on(county, day) for day in (dt.date(2026, 11, 13), dt.date(2026, 11, 14), RETEST)] == [1, 0, 2]
    assert check_integrity(county).ok


def test_a_task_in_progress_repeated_on_retest_keeps_its_status(county, tmp_path):
    _two_rounds(county, tmp_path, ("整改中", dt.date(2026, 11, 14)))
    assert _rework(county, RETEST) == [2, 1, 1, 1]
    with db.connect(county, read_only=True) as con:
        in_progress, = con.execute("SELECT count(*) FROM problems WHERE status = ? AND status_raw = '复测未通过'",
                                   [STATUSES[1]]).fetchone()
        progress = kpis(con, Filters(as_of=RETEST - dt.timedelta(days=1))).in_progress
    assert in_progress == 1 and progress == 2
    assert check_integrity(county).ok


def test_a_file_from_before_repeated_days_gets_them_from_its_history(county, tmp_path):
    _two_rounds(county, tmp_path)
    with db.connect(county) as con:
        con.execute("CREATE TABLE old_problems AS SELECT * EXCLUDE (repeated_day) FROM problems")
        con.execute("DROP TABLE problems")
        con.execute("ALTER TABLE old_problems RENAME TO problems")
    schema.init_db(county)
    assert _rework(county, RETEST) == [2, 1, 1, 1]
    assert check_integrity(county).ok
