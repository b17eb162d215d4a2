"""The fixture builder tells the truth: every file it writes reads back, by a reader written here from
the rules of docs/domain.md, to exactly the truth it returns; it is deterministic; campaigns move forward in time."""
import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from analytics import db, derive, fixtures, schema
from analytics.fixtures import STYLE_COLUMNS, STYLES, TruthProblem

import hostile_files

REPORT = dt.date(2026, 11, 20)
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Status words are read by meaning, not by exact match (docs/domain.md).
STATUS_BY_WORD = {"未整改": "待整改", "未完成": "待整改", "待整改": "待整改",
                  "整改中": "整改中", "正在整改": "整改中", "推进中": "整改中",
                  "已整改": "已整改", "整改完毕": "已整改", "已整改完毕": "已整改", "已完成": "已整改", "完成": "已整改",
                  "已销号": "已销号", "销号": "已销号"}
TYPE_BY_NAME = {name: canonical for canonical, aliases in fixtures.POINT_TYPE_ALIASES.items()
                for name in (canonical, *aliases)}
STATUS_RANK = {status: rank for rank, status in enumerate(db.STATUSES)}
TITLED_STYLES = ("title_xlsx", "xls", "two_row_header_xlsx")   # a title row names the unit and date
SAMPLES = Path(__file__).resolve().parent / "samples"


# --- a reader for what the fixtures write, from the rules of docs/domain.md -----------------------------

def canonical_type(text: str) -> str:
    """Strip brackets, spaces and a trailing 类, then look the name up."""
    cleaned = re.sub(r"\s+", "", re.sub(r"[（(][^）)]*[）)]", "", text))
    if cleaned not in TYPE_BY_NAME and cleaned.endswith("类"):
        cleaned = cleaned[:-1]
    return TYPE_BY_NAME.get(cleaned, cleaned)


def read_date(value, *, year: int, found: dt.date | None = None):
    """A date cell or text in the forms docs/domain.md lists; "WORD" for 待定/尽快/长期; None when blank."""
    if value in ("", None):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if text in fixtures.DEADLINE_WORDS:
        return "WORD"
    if re.fullmatch(r"\d{5}", text):
        return EXCEL_EPOCH + dt.timedelta(int(text))
    if match := re.fullmatch(r"(\d+)(?:天|日内)", text):
        return found + dt.timedelta(int(match[1]))
    if match := re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text):
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if match := re.fullmatch(r"(\d{1,2})月(\d{1,2})日前?", text):
        return dt.date(year, int(match[1]), int(match[2]))
    raise AssertionError(f"unreadable date {text!r}")


def sheets_of(path: Path, style: str) -> list[tuple[str | None, list[list]]]:
    if style == "gbk_csv":
        return [(None, list(csv.reader(io.StringIO(path.read_bytes().decode("gbk")))))]
    if style == "utf8_bom_csv":
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        return [(None, list(csv.reader(io.StringIO(data.decode("utf-8-sig")))))]
    workbook = CalamineWorkbook.from_path(str(path))
    return [(name, workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names]


def read_back(path: Path, ledger: fixtures.Ledger) -> list[TruthProblem]:
    """Find the header, read the rows down to the blank/合计 row, decode each into a TruthProblem."""
    style = ledger.style
    headers = [header for header, _ in STYLE_COLUMNS[style]]
    fields = dict(STYLE_COLUMNS[style])
    problems = []
    for sheet, rows in sheets_of(path, style):
        if sheet == "填表说明":
            continue
        at = next(i for i, row in enumerate(rows) if {"序号", "编号"} & {str(v) for v in row})
        names, body = [str(v) for v in rows[at]], rows[at + 1:]
        if style == "two_row_header_xlsx":
            names, body = [str(sub) or str(top) for top, sub in zip(rows[at], rows[at + 1])], rows[at + 2:]
        assert names == headers
        for row in body:
            if all(v in ("", None) for v in row) or row[0] == "合计":
                break
            cells = {fields[name]: value for name, value in zip(names, row)}
            problems.append(decode(cells, sheet if style == "per_type_sheets_xlsx" else None, ledger))
    return problems


def decode(cells: dict, sheet: str | None, ledger: fixtures.Ledger) -> TruthProblem:
    year = ledger.as_of.year
    found = read_date(cells["found"], year=year)
    deadline = read_date(cells["deadline"], year=year, found=found)
    rectified = read_date(cells.get("rectified"), year=year)
    closed = read_date(cells.get("closed"), year=year)
    if cells["status"] in ("是", "否"):
        status = "待整改" if cells["status"] == "否" else "已销号" if closed else "已整改"
    else:
        status = STATUS_BY_WORD[cells["status"]]
    serial = cells["serial"]
    return TruthProblem(
        ledger_unit=ledger.unit, unit=cells.get("unit") or ledger.unit, sheet=sheet,
        serial=str(int(serial)) if isinstance(serial, (int, float)) else serial,
        point_type=canonical_type(cells["point_type"] if "point_type" in cells else sheet),
        point_name=cells["point_name"], description=cells["description"],
        category=cells.get("category") or None, source=cells.get("source") or None,
        found=found, deadline=None if deadline == "WORD" else deadline, status=status,
        rectified=rectified, closed=closed, remark=cells.get("remark") or None)


def word_deadlines(path: Path, ledger: fixtures.Ledger) -> int:
    return sum(1 for _, rows in sheets_of(path, ledger.style) for row in rows for value in row
               if value in fixtures.DEADLINE_WORDS)


def relative_deadlines(path: Path, ledger: fixtures.Ledger) -> int:
    return sum(1 for _, rows in sheets_of(path, ledger.style) for row in rows for value in row
               if isinstance(value, str) and re.fullmatch(r"\d+(天|日内)", value))


def check_domain_rules(ledger: fixtures.Ledger) -> None:
    fields = {field for _, field in STYLE_COLUMNS[ledger.style]}
    for p in ledger.problems:
        assert p.found <= ledger.as_of
        assert p.deadline is None or p.deadline >= p.found
        for done in (p.rectified, p.closed):
            assert done is None or p.found <= done <= ledger.as_of
        if p.rectified and p.closed:
            assert p.rectified <= p.closed
        if p.status in db.OPEN_STATUSES:
            assert p.rectified is None and p.closed is None
        if p.status in db.DONE_STATUSES:
            assert (p.rectified is not None) == ("rectified" in fields)
        assert (p.closed is not None) == (p.status == "已销号" and "closed" in fields)
        assert p.status != "整改中" or ledger.style != "yes_no_xlsx"
        assert p.point_type in fixtures.POINT_TYPES or p.point_type == fixtures.UNKNOWN_POINT_TYPE
        assert p.category is None or p.category in fixtures.CATEGORIES
        assert p.source is None or p.source in fixtures.SOURCES
        assert p.unit == ledger.unit or "unit" in fields


# --- single ledgers -----------------------------------------------------------------------------------

def city_ledger(style: str, *, oddities: bool = True, seed: int = 3, **options) -> fixtures.Ledger:
    return fixtures.ledger_for_unit("城关街道", seed=seed, n_problems=40, report_date=REPORT, style=style,
                                    oddities=oddities, sub_units=("东街社区", "西街社区"), **options)


@pytest.mark.parametrize("style", STYLES)
def test_every_layout_reads_back_to_its_truth(tmp_path, style):
    ledger = city_ledger(style)
    path = fixtures.write_ledger(ledger, tmp_path)
    assert path.name == ledger.name and path.suffix == ledger.suffix
    assert read_back(path, ledger) == list(ledger.problems)
    check_domain_rules(ledger)


@pytest.mark.parametrize("style", STYLES)
def test_oddities_are_in_the_file_and_counted_as_flags(tmp_path, style):
    ledger = city_ledger(style)
    path = fixtures.write_ledger(ledger, tmp_path)
    words = sum(1 for p in ledger.problems if p.deadline is None)
    unknown = sum(1 for p in ledger.problems if p.point_type == fixtures.UNKNOWN_POINT_TYPE)
    both = sum(1 for p in ledger.problems if p.deadline is None and p.point_type == fixtures.UNKNOWN_POINT_TYPE)
    assert words >= 1 and unknown >= 1
    assert ledger.expected_flags == words + unknown - both
    assert word_deadlines(path, ledger) == words
    assert relative_deadlines(path, ledger) >= 1


@pytest.mark.parametrize("style", STYLES)
def test_without_oddities_nothing_is_flagged(tmp_path, style):
    ledger = city_ledger(style, oddities=False)
    path = fixtures.write_ledger(ledger, tmp_path)
    assert ledger.expected_flags == 0
    assert word_deadlines(path, ledger) == relative_deadlines(path, ledger) == 0


def test_the_report_date_is_stated_in_the_title_or_the_name(tmp_path):
    for style in STYLES:
        stated = city_ledger(style)
        unstated = city_ledger(style, date_stated=False)
        assert stated.report_date == REPORT and unstated.report_date is None and unstated.as_of == REPORT
        assert "20261120" in stated.name and "2026" not in unstated.name
        text = json.dumps(sheets_of(fixtures.write_ledger(unstated, tmp_path / style), style)[:2],
                          ensure_ascii=False, default=str)
        assert "截至" not in text and "填报日期：2026" not in text


def test_every_type_and_description_survives_gbk(tmp_path):
    everything = {name: 1.0 for name in (*fixtures.POINT_TYPES, fixtures.UNKNOWN_POINT_TYPE)}
    ledger = fixtures.ledger_for_unit("西城区", seed=5, n_problems=600, report_date=REPORT, style="gbk_csv",
                                      point_types=everything)
    path = fixtures.write_ledger(ledger, tmp_path)
    assert read_back(path, ledger) == list(ledger.problems)
    assert {p.point_type for p in ledger.problems} == set(everything)


def test_a_department_gets_the_types_of_its_trade():
    ledger = fixtures.ledger_for_unit("市城管局", seed=0, n_problems=60, report_date=REPORT, style="yes_no_xlsx")
    assert {p.point_type for p in ledger.problems} <= {"主次干道", "背街小巷", "农贸市场", "主要交通路口", "公共广场",
                                                       "室外公共厕所", "商业大街"}
    assert all(re.fullmatch(r"CG-\d{3}", p.serial) for p in ledger.problems)


def test_per_type_sheets_number_each_sheet_from_one():
    ledger = city_ledger("per_type_sheets_xlsx")
    serials: dict[str, list[int]] = {}
    for p in ledger.problems:
        serials.setdefault(p.sheet, []).append(int(p.serial))
    assert len(serials) >= 3
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in serials.values())
    assert all(canonical_type(p.sheet) == p.point_type for p in ledger.problems)


# --- determinism --------------------------------------------------------------------------------------

@pytest.mark.parametrize("style", STYLES)
def test_same_seed_same_file(tmp_path, style):
    first, second = city_ledger(style), city_ledger(style)
    assert first == second
    assert city_ledger(style, seed=4) != first
    a = fixtures.write_ledger(first, tmp_path / "a")
    b = fixtures.write_ledger(second, tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    if a.suffix != ".csv":
        assert sheets_of(a, style) == sheets_of(b, style)


def test_same_seed_same_campaign():
    first = fixtures.campaign(seed=2, n_units=12, problems_per_unit=15)
    second = fixtures.campaign(seed=2, n_units=12, problems_per_unit=15)
    assert first == second
    assert fixtures.snapshots(first) == fixtures.snapshots(second)
    assert fixtures.campaign(seed=3, n_units=12, problems_per_unit=15).problems != first.problems


# --- the oracle ---------------------------------------------------------------------------------------

def problem(status, deadline, *, point_type="居民小区", unit="城关街道"):
    done = dt.date(2026, 11, 10) if status in db.DONE_STATUSES else None
    return TruthProblem(ledger_unit="城关街道", unit=unit, sheet=None, serial="1", point_type=point_type,
                        point_name="锦绣花园", description="楼道内杂物乱堆乱放", category="市容秩序", source=None,
                        found=dt.date(2026, 11, 1), deadline=deadline, status=status, rectified=done,
                        closed=done if status == "已销号" else None)


@pytest.mark.parametrize("problems, overdue", [
    ([problem("待整改", dt.date(2026, 11, 19))], 1),            # deadline before as_of: overdue
    ([problem("整改中", dt.date(2026, 11, 19))], 1),
    ([problem("待整改", dt.date(2026, 11, 20))], 0),            # "11月20日前" is still on time that day
    ([problem("待整改", None)], 0),                             # a word deadline is never overdue
    ([problem("已整改", dt.date(2026, 11, 5)), problem("已销号", dt.date(2026, 11, 5))], 0),
])
def test_overdue_counts_open_problems_past_their_deadline(problems, overdue):
    assert fixtures.expected_summary(problems, REPORT)["overdue"] == overdue


def test_expected_summary_counts_by_type_status_and_unit():
    problems = [problem("待整改", None), problem("已销号", None, point_type="背街小巷"),
                problem("已销号", None, unit="东街社区")]
    assert fixtures.expected_summary(problems, REPORT) == {
        "problems": 3, "by_point_type": {"居民小区": 2, "背街小巷": 1},
        "by_status": {"待整改": 1, "已销号": 2}, "overdue": 0, "by_unit": {"城关街道": 2, "东街社区": 1}}


# --- campaigns ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    return fixtures.campaign(seed=0, n_units=100, problems_per_unit=12)


@pytest.fixture(scope="module")
def demo_snapshots(demo):
    return fixtures.snapshots(demo)


def test_the_campaign_looks_like_a_city(demo):
    assert len(demo.units) == 100 and len({u.name for u in demo.units}) == 100
    assert {u.kind for u in demo.units} == {"街道", "镇", "社区", "市直部门"}
    assert {u.style for u in demo.units} == set(STYLES)
    assert sum(u.style.endswith("xlsx") for u in demo.units) > 50
    assert len(demo.problems) == 100 * 12
    truth = fixtures.campaign_truth(demo)
    by_type = Counter(p.point_type for p in truth)
    assert len(set(by_type) & set(fixtures.POINT_TYPES)) >= 25
    ranking = [name for name, _ in by_type.most_common()]
    assert ranking[0] == "居民小区" and ranking.index("背街小巷") < ranking.index("农贸市场")
    assert any(p.unit != p.ledger_unit for p in truth)          # a 街道 names its 社区 as 责任单位
    assert demo.report_dates[-1] == demo.end and len(demo.report_dates) == 8
    assert all(b - a == dt.timedelta(7) for a, b in zip(demo.report_dates, demo.report_dates[1:]))


def test_some_units_stop_reporting(demo, demo_snapshots):
    reported: dict[str, list[dt.date]] = {}
    for report_date, ledgers in zip(demo.report_dates, demo_snapshots):
        for ledger in ledgers:
            reported.setdefault(ledger.unit, []).append(report_date)
    silent = [name for name, dates in reported.items() if (demo.end - dates[-1]).days >= 10]
    assert silent and len(silent) < 10
    assert all(reported[u.name][-1] == u.last_report for u in demo.units if u.name in silent)


def test_some_problems_rebound_after_rectification(demo):
    rebounds = 0
    by_place: dict[tuple, list] = {}
    for p in demo.problems:
        by_place.setdefault((p.ledger_unit, p.point_name, p.category or p.description), []).append(p)
    for problems in by_place.values():
        for earlier in problems:
            rebounds += any(earlier.rectified and 0 < (later.found - earlier.rectified).days <= 5
                            for later in problems if later is not earlier)
    assert rebounds >= 10


def test_snapshots_only_move_forward(demo, demo_snapshots):
    seen: dict[tuple, TruthProblem] = {}
    counts: dict[str, int] = {}
    for report_date, ledgers in zip(demo.report_dates, demo_snapshots):
        for ledger in ledgers:
            assert ledger.as_of == report_date
            check_domain_rules(ledger)
            assert len(ledger.problems) >= counts.get(ledger.unit, 0)
            counts[ledger.unit] = len(ledger.problems)
            assert len(ledger.problems) == sum(1 for p in demo.problems
                                               if p.ledger_unit == ledger.unit and p.found <= report_date)
            for p in ledger.problems:
                key = (p.ledger_unit, p.sheet, p.serial)
                if key in seen:
                    before = seen[key]
                    assert (before.point_name, before.found, before.deadline) == (p.point_name, p.found, p.deadline)
                    assert STATUS_RANK[p.status] >= STATUS_RANK[before.status]
                seen[key] = p


def test_a_written_snapshot_reads_back_to_its_truth(tmp_path, demo, demo_snapshots):
    ledgers = demo_snapshots[-1]
    paths = fixtures.write_snapshot(ledgers, tmp_path)
    assert len({p.name for p in paths}) == len(ledgers) == len(list(tmp_path.iterdir()))
    for path, ledger in zip(paths, ledgers):
        assert read_back(path, ledger) == list(ledger.problems), path.name
        titled = ledger.style in TITLED_STYLES
        assert titled or ledger.unit in path.name
        assert titled or (ledger.report_date is not None) == ("2026" in path.name)
    assert any(ledger.unit not in path.name for path, ledger in zip(paths, ledgers))
    assert any(ledger.report_date is None for ledger in ledgers)


def test_the_million_row_frame_fits_the_problems_table():
    frame = fixtures.campaign_frame(seed=0, n_problems=50_000, n_units=100)
    assert len(frame) == 50_000
    with duckdb.connect() as con:
        con.execute(schema.SCHEMA)
        assert list(frame.columns) == [row[0] for row in con.execute("DESCRIBE problems").fetchall()
                                       if row[0] not in derive.LIFE_DAY_COLUMNS]
        con.execute("CREATE TABLE problems_stated AS SELECT * FROM frame")
        checks = con.execute("""
            SELECT count(*), count(DISTINCT problem_key), count(DISTINCT ledger_unit),
                   count(*) FILTER (WHERE found_date > as_of OR deadline < found_date
                                    OR rectified_date < found_date OR rectified_date > as_of
                                    OR closed_date < rectified_date OR closed_date > as_of),
                   count(*) FILTER (WHERE (len(flags) > 0) <> (deadline IS NULL OR NOT point_type_known)),
                   count(*) FILTER (WHERE (status IN ('已整改', '已销号')) <> (rectified_date IS NOT NULL)),
                   count(DISTINCT point_type), count(DISTINCT status)
            FROM problems_stated""").fetchone()
    assert checks == (50_000, 50_000, 100, 0, 0, 0, 27, 4)
    assert set(frame["ledger_unit"]) == {u.name for u in fixtures.campaign_units(0, 100)}


# --- hostile files --------------------------------------------------------------------------------------

def sheet_xml(path: Path, limit: int = -1) -> bytes:
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        return sheet.read(limit)


def test_corrupt_xlsx_opens_as_zip_but_its_sheet_cannot_be_read(tmp_path):
    path = hostile_files.write_corrupt_xlsx(tmp_path)
    assert zipfile.is_zipfile(path)
    with pytest.raises(Exception):
        sheet_xml(path)


def test_truncated_xlsx_is_half_a_zip(tmp_path):
    path = hostile_files.write_truncated_xlsx(tmp_path)
    assert path.read_bytes().startswith(b"PK\x03\x04") and not zipfile.is_zipfile(path)


def test_renamed_program_has_an_mz_header(tmp_path):
    path = hostile_files.write_renamed_exe(tmp_path)
    assert path.suffix == ".xlsx" and path.read_bytes()[:2] == b"MZ" and not zipfile.is_zipfile(path)


def test_zip_bomb_is_small_but_declares_over_a_gigabyte(tmp_path):
    path = hostile_files.write_zip_bomb_xlsx(tmp_path)
    assert path.stat().st_size < 3_000_000
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 1 << 30
    assert sheet_xml(path, 1 << 20).startswith(b"<?xml")      # a valid deflate stream, not noise


def test_formatted_blank_rows_claim_a_million_rows_around_a_real_ledger(tmp_path):
    ledger = fixtures.ledger_for_unit("城关街道", seed=0, n_problems=5, report_date=REPORT)
    path = hostile_files.write_formatted_blank_rows_xlsx(tmp_path, ledger=ledger)
    assert path.stat().st_size < 1_000_000
    xml = sheet_xml(path)
    assert b'<dimension ref="A1:K1000000"/>' in xml and xml.count(b"<row") == 1_000_000
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == [header for header, _ in STYLE_COLUMNS["title_xlsx"]]
    assert [row[2] for row in rows[1:]] == [p.point_name for p in ledger.problems]


def test_unknown_encoding_csv_is_no_text_encoding_a_ledger_would_use(tmp_path):
    data = hostile_files.write_unknown_encoding_csv(tmp_path).read_bytes()
    assert b"," in data and b"\r\n" in data
    for encoding in ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)


def test_error_values_and_formulas_are_real_excel_cells(tmp_path):
    path = hostile_files.write_error_values_xlsx(tmp_path)
    xml = sheet_xml(path).decode()
    for error in ("#REF!", "#N/A", "#DIV/0!"):
        assert re.search(rf'<c r="[A-Z]+\d+"( s="\d+")? t="e"><f>[^<]+</f><v>{error}</v>', xml)
    assert "<f>F5+7</f>" in xml and "<f>COUNTA(C3:C6)</f><v>4</v>" in xml
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "序号" and [row[0] for row in rows[2:]] == [1.0, 2.0, 3.0, 4.0, "合计"]


@pytest.mark.parametrize("mode, header_rows, header_width", [("columns", 1, 12), ("rows", 2, 11)])
def test_duplicated_headers(tmp_path, mode, header_rows, header_width):
    path = hostile_files.write_duplicated_header_xlsx(tmp_path, mode=mode)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    headers = [row for row in rows if row[0] == "序号"]
    assert len(headers) == header_rows and len(headers[0]) == header_width
    assert Counter(headers[0])["整改状态"] == (2 if mode == "columns" else 1)
    assert len([row for row in rows if isinstance(row[0], float)]) == 6


def test_not_a_ledger_is_an_address_book(tmp_path):
    workbook = CalamineWorkbook.from_path(str(hostile_files.write_not_a_ledger_xlsx(tmp_path)))
    assert workbook.sheet_names[0] == "通讯录"
    assert workbook.get_sheet_by_index(0).to_python()[0] == ["姓名", "电话", "职务", "单位"]


# --- the vocabulary against the real samples (tests/samples) ----------------------------------------------

@pytest.mark.parametrize("file_name, type_column, status_column", [
    ("城关街道_创文问题整改台账.xlsx", 1, 8), ("市城管局_问题清单.xlsx", 1, None), ("西城区_台账.csv", 1, 6)])
def test_the_alias_table_reads_the_real_samples(file_name, type_column, status_column):
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))[file_name]
    style = "gbk_csv" if file_name.endswith(".csv") else "title_xlsx"
    rows = sheets_of(SAMPLES / file_name, style)[0][1]
    header = next(i for i, row in enumerate(rows) if row[0] in ("序号", "编号"))
    data = [row for row in rows[header + 1:] if row[0] not in ("", "合计")]
    assert dict(Counter(canonical_type(row[type_column]) for row in data)) == expected["by_point_type"]
    if status_column is not None:
        assert dict(Counter(STATUS_BY_WORD[row[status_column]] for row in data)) == expected["by_status"]
