"""Identity, history, undo and rebuild of imported ledgers, on small ledgers written here."""
import csv
import datetime as dt

import openpyxl
import pytest

from analytics.shared import db
from analytics.intake import FileRefused, import_paths, rebuild, undo_import

HEADER = ["序号", "点位类型", "点位名称", "问题描述", "发现时间", "整改时限", "整改状态", "责任单位"]
ROWS = [
    ["1", "背街小巷", "柳树巷", "墙面乱贴小广告", "2026/11/2", "2026/11/5", "未整改", "城关街道"],
    ["2", "农贸市场", "北门菜市场", "地面污水横流", "2026/11/3", "2026/11/10", "正在整改", "城关街道"],
    ["3", "居民小区", "锦绣花园", "楼道内杂物乱堆乱放", "2026/11/4", "2026/11/7", "已整改", "城关街道"],
]
NOW = dt.datetime(2026, 11, 21, 8, 0)


def write_csv(path, rows, header=HEADER, title=None):
    with open(path, "w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        if title:
            writer.writerow([title] + [""] * (len(header) - 1))
        writer.writerow(header)
        writer.writerows(rows)
    return path


def table(db_path, query="SELECT * FROM problems ORDER BY problem_key", parameters=()):
    with db.connect(db_path, read_only=True) as con:
        return con.execute(query, list(parameters)).fetchall()


def statuses(db_path):
    return dict(table(db_path, "SELECT serial_no, status FROM problems"))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "db" / "test.duckdb"


def test_importing_the_same_file_twice_changes_nothing(tmp_path, db_path):
    ledger = write_csv(tmp_path / "城关街道_台账.csv", ROWS)
    first, = import_paths(db_path, [ledger], now=NOW)
    before = (table(db_path), table(db_path, "SELECT * FROM problem_versions"))
    again, = import_paths(db_path, [ledger], now=NOW + dt.timedelta(hours=1))
    assert (first.outcome, again.outcome) == ("imported", "unchanged")
    assert (table(db_path), table(db_path, "SELECT * FROM problem_versions")) == before
    assert table(db_path, "SELECT count(*) FROM imports") == [(1,)]


def test_a_newer_ledger_updates_and_adds_without_double_counting(tmp_path, db_path):
    old = write_csv(tmp_path / "城关街道_台账_20261118.csv", ROWS)
    moved_on = [ROWS[0][:6] + ["已整改", "城关街道"], ROWS[1][:6] + ["已销号", "城关街道"], ROWS[2],
                ["4", "公园", "人民公园", "垃圾清理不及时", "2026/11/19", "2026/11/22", "未整改", "城关街道"]]
    new = write_csv(tmp_path / "城关街道_台账_20261120.csv", moved_on)
    first, second = import_paths(db_path, [old, new], now=NOW)
    assert (first.rows_new, second.rows_new, second.rows_updated) == (3, 1, 2)
    assert statuses(db_path) == {"1": "已整改", "2": "已销号", "3": "已整改", "4": "待整改"}
    # each problem keeps the status every ledger gave it
    history = table(db_path, "SELECT serial_no, list(status ORDER BY import_id) FROM problem_versions "
                             "GROUP BY 1 ORDER BY 1")
    assert history == [("1", ["待整改", "已整改"]), ("2", ["整改中", "已销号"]), ("3", ["已整改", "已整改"]),
                       ("4", ["待整改"])]


def test_an_older_ledger_arriving_late_is_history_and_rolls_nothing_back(tmp_path, db_path):
    new = write_csv(tmp_path / "城关街道_台账_20261120.csv", [ROWS[0][:6] + ["已销号", "城关街道"]])
    old = write_csv(tmp_path / "城关街道_台账_20261115.csv", ROWS)
    import_paths(db_path, [new, old], now=NOW)
    assert statuses(db_path) == {"1": "已销号", "2": "整改中", "3": "已整改"}
    assert table(db_path, "SELECT count(*) FROM problem_versions WHERE serial_no = '1'") == [(2,)]


def test_without_report_dates_the_later_import_wins(tmp_path, db_path):
    first = write_csv(tmp_path / "城关街道_台账.csv", ROWS)
    import_paths(db_path, [first], now=NOW)
    second = write_csv(tmp_path / "城关街道_台账.csv", [ROWS[0][:6] + ["整改完毕", "城关街道"]])
    import_paths(db_path, [second], now=NOW + dt.timedelta(days=1))
    assert statuses(db_path)["1"] == "已整改"


def test_serial_numbers_restart_on_each_per_type_sheet(tmp_path, db_path):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet_name, name in (("背街小巷", "柳树巷"), ("农贸市场", "北门菜市场")):
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([f"东城区{sheet_name}问题台账"])
        sheet.append(["序号", "点位名称", "问题描述", "发现日期", "整改时限", "整改情况"])
        sheet.append([1, name, "墙面乱贴小广告", dt.date(2026, 11, 2), dt.date(2026, 11, 9), "未整改"])
        sheet.append(["合计", 1])
    path = tmp_path / "东城区_分类台账.xlsx"
    workbook.save(path)
    result, = import_paths(db_path, [path], now=NOW)
    assert result.ledger_unit == "东城区" and result.rows_read == 2
    assert table(db_path, "SELECT point_type, serial_no FROM problems ORDER BY 1") == [
        ("农贸市场", "1"), ("背街小巷", "1")]


def test_rows_without_serial_numbers_are_matched_by_content(tmp_path, db_path):
    header = [h for h in HEADER if h != "序号"]
    old = write_csv(tmp_path / "城关街道_台账_20261118.csv", [row[1:] for row in ROWS], header)
    new = write_csv(tmp_path / "城关街道_台账_20261119.csv",
                    [ROWS[0][1:6] + ["已整改", "城关街道"]] + [row[1:] for row in ROWS[1:]], header)
    import_paths(db_path, [old, new], now=NOW)
    assert table(db_path, "SELECT point_name, status FROM problems ORDER BY 1") == [
        ("北门菜市场", "整改中"), ("柳树巷", "已整改"), ("锦绣花园", "已整改")]


def test_undo_gives_back_the_earlier_ledger(tmp_path, db_path):
    old = write_csv(tmp_path / "城关街道_台账_20261118.csv", ROWS)
    new = write_csv(tmp_path / "城关街道_台账_20261120.csv", [ROWS[0][:6] + ["已销号", "城关街道"]])
    _, second = import_paths(db_path, [old, new], now=NOW)
    undo_import(db_path, second.import_id, actor="测试")
    assert statuses(db_path) == {"1": "待整改", "2": "整改中", "3": "已整改"}
    undo_import(db_path, 1, actor="测试")
    assert statuses(db_path) == {}
    with pytest.raises(LookupError, match="已于"):
        undo_import(db_path, 1)
    with pytest.raises(LookupError, match="没有编号为 99"):
        undo_import(db_path, 99)
    assert table(db_path, "SELECT actor, action FROM audit_log ORDER BY logged_at") == [
        ("命令行", "导入"), ("命令行", "导入"), ("测试", "撤销导入"), ("测试", "撤销导入")]


def test_rebuild_from_the_archive_gives_the_same_database(tmp_path, db_path):
    old = write_csv(tmp_path / "城关街道_台账_20261118.csv", ROWS)
    new = write_csv(tmp_path / "城关街道_台账_20261120.csv", [ROWS[0][:6] + ["已销号", "城关街道"]])
    other = write_csv(tmp_path / "西城区_台账.csv", [row[:7] + ["西城区"] for row in ROWS])
    results = import_paths(db_path, [old, new, other], now=NOW)
    undo_import(db_path, results[1].import_id)
    for source in (old, new, other):
        source.unlink()  # only the archive is left
    before = {name: table(db_path, f"SELECT * FROM {name} ORDER BY ALL")
              for name in ("problems", "problem_versions", "imports")}
    print(rebuild(db_path))
    after = {name: table(db_path, f"SELECT * FROM {name} ORDER BY ALL") for name in before}
    assert after == before


def test_rebuild_refuses_when_an_original_is_missing_from_the_archive(tmp_path, db_path):
    ledgers = [write_csv(tmp_path / f"{unit}_台账.csv", [row[:7] + [unit] for row in ROWS])
               for unit in ("东城区", "西城区")]
    import_paths(db_path, ledgers, now=NOW)
    archived = [path for path, in table(db_path, "SELECT archive_path FROM imports ORDER BY import_id")]
    (db.archive_dir(db_path) / archived[1]).unlink()
    before = table(db_path, "SELECT * FROM problems ORDER BY ALL")
    with pytest.raises(FileRefused, match="无法重建：归档中缺少1个原始文件（如“西城区_台账.csv”）。数据库未改动。"):
        rebuild(db_path)
    assert table(db_path, "SELECT * FROM problems ORDER BY ALL") == before


def test_a_refused_file_leaves_the_database_and_archive_untouched(tmp_path, db_path):
    import_paths(db_path, [write_csv(tmp_path / "城关街道_台账.csv", ROWS)], now=NOW)
    before = {name: table(db_path, f"SELECT * FROM {name} ORDER BY ALL")
              for name in ("problems", "problem_versions", "imports", "audit_log")}
    archived = sorted(db.archive_dir(db_path).rglob("*"))
    not_a_ledger = tmp_path / "通讯录.csv"
    not_a_ledger.write_text("姓名,电话,职务\n张三,13800000000,科员\n", encoding="utf-8")
    result, = import_paths(db_path, [not_a_ledger], now=NOW)
    assert result.outcome == "refused" and "通讯录.csv" in result.message and "没有找到问题台账" in result.message
    assert {name: table(db_path, f"SELECT * FROM {name} ORDER BY ALL") for name in before} == before
    assert sorted(db.archive_dir(db_path).rglob("*")) == archived


def test_a_batch_goes_on_past_a_refused_file(tmp_path, db_path):
    broken = tmp_path / "市城管局_台账.xlsx"
    broken.write_bytes(b"MZ\x90\x00 not a workbook")
    good = write_csv(tmp_path / "城关街道_台账.csv", ROWS)
    results = import_paths(db_path, [broken, good], now=NOW)
    assert [r.outcome for r in results] == ["refused", "imported"]
    assert "已损坏或不是真正的 Excel 文件" in results[0].message


def test_the_import_record_tells_where_the_file_came_from(tmp_path, db_path):
    ledger = write_csv(tmp_path / "upload123.csv", ROWS, title="城关街道创文问题整改台账（截至2026年11月20日）")
    result, = import_paths(db_path, [ledger], now=NOW, actor="张三", display_names={ledger: "城关街道台账.csv"})
    record, = table(db_path, "SELECT file_name, ledger_unit, unit_source, report_date, imported_by, rows_read, "
                             "rows_new, rows_updated, rows_flagged, length(sha256) FROM imports")
    assert record == ("城关街道台账.csv", "城关街道", "责任单位列", dt.date(2026, 11, 20), "张三", 3, 3, 0, 0, 64)
    assert (db.archive_dir(db_path) / table(db_path, "SELECT archive_path FROM imports")[0][0]).read_bytes() \
        == ledger.read_bytes()


def test_a_whole_campaign_of_weekly_resubmissions_lands_on_its_truth(tmp_path, db_path):
    from analytics import fixtures

    campaign = fixtures.campaign(seed=3, n_units=12, problems_per_unit=25, weeks=4)
    for report_date, ledgers in zip(campaign.report_dates, fixtures.snapshots(campaign)):
        paths = fixtures.write_snapshot(ledgers, tmp_path / report_date.isoformat())
        results = import_paths(db_path, paths, now=dt.datetime.combine(report_date, dt.time(18)))
        assert {r.outcome for r in results} <= {"imported", "unchanged"}
    truth = fixtures.campaign_truth(campaign)
    expected = fixtures.expected_summary(truth, campaign.end)
    assert table(db_path, "SELECT count(*) FROM problems") == [(expected["problems"],)]
    assert dict(table(db_path, "SELECT point_type, count(*) FROM problems GROUP BY 1")) == expected["by_point_type"]
    assert dict(table(db_path, "SELECT status, count(*) FROM problems GROUP BY 1")) == {
        status: count for status, count in expected["by_status"].items() if count}
    assert dict(table(db_path, "SELECT unit, count(*) FROM problems GROUP BY 1")) == expected["by_unit"]
    assert table(db_path, "SELECT count(*) FROM problems WHERE status IN ('待整改', '整改中') AND deadline < ?",
                 [campaign.end]) == [(expected["overdue"],)]
    # every weekly ledger is history: no problem has more versions than there were weeks
    assert table(db_path, "SELECT max(n) <= 4 FROM (SELECT count(*) n FROM problem_versions GROUP BY problem_key)") \
        == [(True,)]
