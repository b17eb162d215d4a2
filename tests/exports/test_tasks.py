"""问题交办单: one protected, printable workbook per unit with open problems, and the round trip — a
交办单 filled in as a unit would (openpyxl) and imported is that unit's ledger: exactly the rows
filled in change, nothing is added or lost, remarks reach the history, rows added below are new."""
import csv
import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analytics.shared import db
from analytics.exports.tasks import (COLUMNS,
    FILL_IN_LABELS,
    HEADER_ROW,
    NO_EVIDENCE_TASK,
    NO_PHOTO,
    open_tasks,
    task_file_name,
    task_sheets,
    tasks_zip)
from analytics.shared.filters import Filters
from analytics.intake import import_paths
from analytics.ledger.listing import problem_history, problem_page
from analytics.ledger.metrics import kpis
from analytics.photos.model import problem_pictures
from exports_data import AS_OF, export_db

FILTERS = Filters(as_of=AS_OF)
RETURNED = dt.datetime(2026, 11, 22, 9, 0)        # the unit sends the sheet back two days later
LABELS = [column.label for column in COLUMNS]
# what must survive a round trip untouched, besides the status of the rows not filled in
KEPT = ["unit", "ledger_unit", "district", "point_type", "point_name", "description", "category", "source",
        "found_date", "deadline", "rectified_date", "closed_date", "first_seen"]


@pytest.fixture()
def db_path(tmp_path_factory, tmp_path):
    """A private copy of the export database (the round trips write to it)."""
    source = export_db(tmp_path_factory)
    target = tmp_path / "db"
    shutil.copytree(source.parent, target)
    return target / source.name


def _problems(path) -> pd.DataFrame:
    with db.connect(path, read_only=True) as con:
        return con.execute("SELECT * FROM problems ORDER BY problem_key").df().set_index("problem_key")


def _sheets(path, filters=FILTERS) -> dict[str, bytes]:
    with db.connect(path, read_only=True) as con:
        return task_sheets(con, filters)


def _column(label: str) -> int:
    return LABELS.index(label) + 1


def _rows(sheet) -> list[int]:
    """The problem rows of a 交办单 (those with a 系统编号)."""
    return [row for row in range(HEADER_ROW + 1, sheet.max_row + 1)
            if sheet.cell(row, _column("系统编号")).value]


def test_one_workbook_per_unit_with_open_problems_in_a_zip(db_path):
    with db.connect(db_path, read_only=True) as con:
        tasks = open_tasks(con, FILTERS)
        figures = kpis(con, FILTERS)
    sheets = _sheets(db_path)
    assert len(tasks) == figures.open
    assert sorted(sheets) == sorted(task_file_name(unit) for unit in tasks["unit"].unique())
    archive = zipfile.ZipFile(io.BytesIO(tasks_zip(sheets)))
    assert sorted(archive.namelist()) == sorted(sheets)
    for name in archive.namelist():
        sheet = openpyxl.load_workbook(io.BytesIO(archive.read(name))).active
        unit = sheet.cell(HEADER_ROW + 1, _column("责任单位")).value
        assert name == task_file_name(unit)
        keys = [sheet.cell(row, _column("系统编号")).value for row in _rows(sheet)]
        assert sorted(keys) == sorted(tasks.loc[tasks["unit"] == unit, "problem_key"])


def test_a_filter_limits_the_units_and_rows(db_path):
    with db.connect(db_path, read_only=True) as con:
        unit = open_tasks(con, FILTERS)["unit"].iloc[0]
        expected = kpis(con, Filters(as_of=AS_OF, units=(unit,))).open
    sheets = _sheets(db_path, Filters(as_of=AS_OF, units=(unit,)))
    assert list(sheets) == [task_file_name(unit)]
    assert len(_rows(openpyxl.load_workbook(io.BytesIO(sheets[task_file_name(unit)])).active)) == expected


def test_the_sheet_is_protected_but_for_the_fill_in_cells_and_prints_on_a4_landscape(db_path):
    name, data = next(iter(_sheets(db_path).items()))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.protection.sheet
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert [cell.value for cell in sheet[HEADER_ROW]] == LABELS
    rows = _rows(sheet)
    for row in rows:
        for column in COLUMNS:
            locked = sheet.cell(row, _column(column.label)).protection.locked
            assert locked is (column.label not in FILL_IN_LABELS), (row, column.label)
    # the rows below are open for the problems the unit adds; the title and header are not
    below = rows[-1] + 1
    assert not any(sheet.cell(below, index).protection.locked for index in range(1, len(COLUMNS) + 1))
    assert all(sheet.cell(row, 1).protection.locked for row in range(1, HEADER_ROW + 1))
    # widths fit Chinese text: each header fits its column (two units a character)
    for index, column in enumerate(COLUMNS, start=1):
        assert sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width >= 2 * len(column.label)


def _fill(data: bytes, k: int, remark: str) -> tuple[openpyxl.Workbook, list[str]]:
    """Mark the first k rows 已整改 on 11-21 with a remark, as a unit would; the keys filled."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    filled = []
    for row in _rows(sheet)[:k]:
        sheet.cell(row, _column("整改状态")).value = "已整改"
        sheet.cell(row, _column("整改完成时间")).value = dt.date(2026, 11, 21)
        sheet.cell(row, _column("整改情况说明")).value = f"{remark}{row}"
        filled.append(sheet.cell(row, _column("系统编号")).value)
    return workbook, filled


@pytest.mark.parametrize("k", [0, 1, 3])
def test_a_filled_in_sheet_changes_exactly_the_rows_filled_in(db_path, tmp_path, k):
    sheets = _sheets(db_path)
    name = max(sheets, key=lambda n: len(_rows(openpyxl.load_workbook(io.BytesIO(sheets[n])).active)))
    before = _problems(db_path)
    workbook, filled = _fill(sheets[name], k, "已清理完毕，见照片")
    returned = tmp_path / name
    workbook.save(returned)
    [result] = import_paths(db_path, [returned], now=RETURNED)
    assert result.outcome == "imported", result.message
    assert result.rows_new == 0 and result.rows_updated == k
    after = _problems(db_path)
    assert sorted(after.index) == sorted(before.index)            # nothing added, nothing lost
    changed = before.index[before["status"] != after.loc[before.index, "status"]]
    assert sorted(changed) == sorted(filled)
    assert (after.loc[filled, "status"] == "已整改").all()
    assert (after.loc[filled, "rectified_date"] == pd.Timestamp(2026, 11, 21)).all()
    unfilled = before.drop(index=filled)
    pd.testing.assert_frame_equal(after.loc[unfilled.index, KEPT], unfilled[KEPT], check_dtype=False)
    pd.testing.assert_frame_equal(after.loc[filled, [c for c in KEPT if c != "rectified_date"]],
                                  before.loc[filled, [c for c in KEPT if c != "rectified_date"]],
                                  check_dtype=False)
    with db.connect(db_path, read_only=True) as con:
        for key in filled:
            history = problem_history(con, key)
            assert history["remark"].iloc[-1].startswith("已清理完毕，见照片")
            assert history["status"].iloc[-1] == "已整改" and len(history) >= 2
        # the returned sheet's report day is the import day, as nobody wrote a 填报日期
        assert con.execute("SELECT effective_date FROM imports WHERE import_id = ?",
                           [result.import_id]).fetchone()[0] == RETURNED.date()
    # the same file again changes nothing
    [again] = import_paths(db_path, [returned], now=RETURNED)
    assert again.outcome == "unchanged"


def test_the_report_date_the_unit_writes_is_the_ledgers(db_path, tmp_path):
    sheets = _sheets(db_path)
    name = next(iter(sheets))
    workbook, _ = _fill(sheets[name], 1, "")
    workbook.active["G2"] = dt.date(2026, 11, 21)
    returned = tmp_path / name
    workbook.save(returned)
    [result] = import_paths(db_path, [returned], now=RETURNED)
    assert result.report_date == dt.date(2026, 11, 21)


def test_rows_added_below_are_new_problems_of_the_unit(db_path, tmp_path):
    sheets = _sheets(db_path)
    name = next(iter(sheets))
    workbook = openpyxl.load_workbook(io.BytesIO(sheets[name]))
    sheet = workbook.active
    unit = sheet.cell(HEADER_ROW + 1, _column("责任单位")).value
    first_blank = _rows(sheet)[-1] + 1
    for offset, description in enumerate(("井盖缺失", "墙面小广告")):
        row = first_blank + offset
        for label, value in (("序号", 1 + offset), ("点位类型", "背街小巷"), ("点位名称", "新华巷"),
                             ("问题描述", description), ("发现日期", dt.date(2026, 11, 21)),
                             ("整改时限", dt.date(2026, 11, 24)), ("整改状态", "待整改")):
            sheet.cell(row, _column(label)).value = value
    returned = tmp_path / name
    workbook.save(returned)
    before = _problems(db_path)
    [result] = import_paths(db_path, [returned], now=RETURNED)
    assert result.rows_new == 2 and result.rows_updated == 0
    after = _problems(db_path)
    added = after.drop(index=before.index)
    assert sorted(added["description"]) == ["井盖缺失", "墙面小广告"]
    assert (added["unit"] == unit).all() and (added["point_type"] == "背街小巷").all()
    # 序号 1 and 2 of the added rows do not meet the unit's own ledger's problems 1 and 2
    assert set(before.index) <= set(after.index)
    # sent again next day with one of them in hand: the same problems, not new ones
    sheet.cell(first_blank, _column("整改状态")).value = "整改中"
    workbook.save(returned)
    [again] = import_paths(db_path, [returned], now=RETURNED + dt.timedelta(days=1))
    assert again.outcome == "imported" and again.rows_new == 0 and again.rows_updated == 1
    later = _problems(db_path)
    assert sorted(later.index) == sorted(after.index)
    assert dict(zip(later.loc[added.index, "description"], later.loc[added.index, "status"])) == \
        {"井盖缺失": "整改中", "墙面小广告": "待整改"}


def test_a_problem_from_another_ledger_is_matched_by_its_key(tmp_path):
    """The office's own inspection ledger hands problems to two streets: each street's returned
    交办单 updates those problems, not copies of them."""
    ledger = tmp_path / "创文办_督查台账_20261118.csv"
    with open(ledger, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["序号", "点位类型", "点位名称", "问题描述", "发现时间", "整改时限", "整改状态", "责任单位"])
        for serial, unit in enumerate(("甲街道", "乙街道", "甲街道"), start=1):
            writer.writerow([serial, "主次干道", f"人民路{serial}号", "占道经营", "2026/11/10", "2026/11/15",
                             "未整改", unit])
    path = tmp_path / "office.duckdb"
    import_paths(path, [ledger], now=dt.datetime(2026, 11, 18, 9))
    filters = Filters(as_of=dt.date(2026, 11, 20))
    sheets = _sheets(path, filters)
    assert sorted(sheets) == ["乙街道_交办单.xlsx", "甲街道_交办单.xlsx"]
    workbook, filled = _fill(sheets["甲街道_交办单.xlsx"], 1, "已取缔")
    returned = tmp_path / "甲街道_交办单.xlsx"
    workbook.save(returned)
    [result] = import_paths(path, [returned], now=RETURNED)
    assert result.ledger_unit == "甲街道" and result.rows_new == 0 and result.rows_updated == 1
    after = _problems(path)
    assert len(after) == 3
    assert after.loc[filled[0], "status"] == "已整改"
    assert (after.drop(index=filled)["status"] == "待整改").all()


def test_the_sheet_shows_a_readable_number_and_hides_the_key(db_path):
    with db.connect(db_path, read_only=True) as con:
        listed = problem_page(con, FILTERS, limit=100_000).rows.set_index("problem_key")["problem_number"]
    for data in _sheets(db_path).values():
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert sheet.column_dimensions["A"].hidden and sheet.cell(HEADER_ROW, 1).value == "系统编号"
        for row in _rows(sheet):
            key, number = sheet.cell(row, _column("系统编号")).value, sheet.cell(row, _column("交办编号")).value
            assert number == listed[key] and "|" not in number, (key, number)


def test_a_sheet_sent_back_from_before_with_the_key_under_its_number_still_updates(db_path, tmp_path):
    """交办单 written before the readable number carried the key under 交办编号 and had no 系统编号."""
    name, data = next((name, data) for name, data in _sheets(db_path).items() if name[0] not in "=+-@")
    workbook, filled = _fill(data, 2, "已整改完毕")
    sheet = workbook.active
    number = _column("交办编号")
    for row in _rows(sheet):
        sheet.cell(row, number).value = sheet.cell(row, _column("系统编号")).value
    sheet.protection.sheet = False
    sheet.delete_cols(1)
    returned = tmp_path / name
    workbook.save(returned)
    [result] = import_paths(db_path, [returned], now=RETURNED)
    assert result.outcome == "imported" and result.rows_new == 0 and result.rows_updated == 2
    assert (_problems(db_path).loc[filled, "status"] == "已整改").all()


def test_a_returned_sheet_reads_without_a_warning_about_its_two_number_columns(db_path, tmp_path):
    name, data = next(iter(_sheets(db_path).items()))
    workbook, _ = _fill(data, 1, "已整改")
    returned = tmp_path / name
    workbook.save(returned)
    [result] = import_paths(db_path, [returned], now=RETURNED)
    assert result.outcome == "imported" and not [w for w in result.warnings if "出现多次" in w]


PHOTO_SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "photos"
PHOTO_EXPECTED = json.loads((PHOTO_SAMPLES / "expected.json").read_text(encoding="utf-8"))
PHOTO_FILTERS = Filters(as_of=dt.date(2026, 12, 5))


@pytest.fixture()
def photo_db(tmp_path):
    """The photo samples imported: three of their problems are reported done without an after-photo."""
    path = tmp_path / "photos.duckdb"
    import_paths(path, [PHOTO_SAMPLES / name for name in PHOTO_EXPECTED["files"]], now=dt.datetime(2026, 12, 5, 8))
    return path


def _no_evidence_rows(sheets: dict[str, bytes]) -> dict[str, tuple[str, str, str]]:
    """系统编号 → (整改状态, 整改后照片, 督办事项) of the rows that ask for an after-photo."""
    found = {}
    for data in sheets.values():
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        for row in _rows(sheet):
            values = [sheet.cell(row, _column(label)).value for label in ("系统编号", "整改状态", "整改后照片", "督办事项")]
            if values[3] == NO_EVIDENCE_TASK:
                found[values[0]] = tuple(values[1:])
    return found


def test_a_problem_reported_done_without_an_after_photo_is_on_its_units_sheet(photo_db):
    with db.connect(photo_db, read_only=True) as con:
        no_evidence = problem_pictures(con, PHOTO_FILTERS).no_evidence
    assert len(no_evidence) == PHOTO_EXPECTED["no_evidence"]
    sheets = _sheets(photo_db, PHOTO_FILTERS)
    found = _no_evidence_rows(sheets)
    assert sorted(found) == sorted(no_evidence["problem_key"])
    assert all(status in ("已整改", "已销号") and photos == NO_PHOTO for status, photos, _ in found.values())
    # on the sheet of its own unit, which says how many rows ask for a photo
    for unit, group in no_evidence.groupby("unit"):
        sheet = openpyxl.load_workbook(io.BytesIO(sheets[task_file_name(unit)])).active
        keys = {sheet.cell(row, _column("系统编号")).value for row in _rows(sheet)}
        assert set(group["problem_key"]) <= keys
        assert f"其中{len(group)}条已报整改但无整改后照片" in sheet.cell(3, 2).value


def test_an_after_photo_pasted_on_the_returned_sheet_clears_its_row(photo_db, tmp_path):
    from openpyxl.drawing.image import Image as SheetImage

    from analytics.fixtures.photos import photo

    sheets = _sheets(photo_db, PHOTO_FILTERS)
    key, name = next((key, name) for name, data in sheets.items() for key in _no_evidence_rows({name: data}))
    workbook = openpyxl.load_workbook(io.BytesIO(sheets[name]))
    sheet = workbook.active
    row = next(row for row in _rows(sheet) if sheet.cell(row, _column("系统编号")).value == key)
    picture = SheetImage(io.BytesIO(photo(4242)))
    sheet.add_image(picture, f"{openpyxl.utils.get_column_letter(_column('整改后照片'))}{row}")
    returned = tmp_path / name
    workbook.save(returned)
    [result] = import_paths(photo_db, [returned], now=dt.datetime(2026, 12, 6, 9))
    assert result.outcome == "imported", result.message
    with db.connect(photo_db, read_only=True) as con:
        pictures = problem_pictures(con, Filters(as_of=dt.date(2026, 12, 6)))
    assert key not in set(pictures.no_evidence["problem_key"])
    assert len(pictures.problems.set_index("problem_key").loc[key, "after"]) == 1
    assert _no_evidence_rows(_sheets(photo_db, Filters(as_of=dt.date(2026, 12, 6)))).keys() == \
        set(pictures.no_evidence["problem_key"])


def test_a_returned_sheet_has_no_before_photo_column_and_keeps_its_problems_before_photos(photo_db, tmp_path):
    def before_photos(as_of: dt.date) -> dict[str, list[str]]:
        with db.connect(photo_db, read_only=True) as con:
            problems = problem_pictures(con, Filters(as_of=as_of)).problems
        return {key: list(shas) for key, shas in zip(problems["problem_key"], problems["before"]) if len(shas)}

    kept = before_photos(PHOTO_FILTERS.as_of_date)
    sheets = _sheets(photo_db, PHOTO_FILTERS)
    returned = []
    for name, data in sheets.items():
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        if {sheet.cell(row, _column("系统编号")).value for row in _rows(sheet)} & kept.keys():
            (tmp_path / name).write_bytes(data)
            returned.append(tmp_path / name)
    assert returned
    assert {r.outcome for r in import_paths(photo_db, returned, now=dt.datetime(2026, 12, 6, 9))} == {"imported"}
    assert before_photos(dt.date(2026, 12, 6)) == kept
