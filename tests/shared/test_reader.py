"""Hostile and broken files: each gets a clear Chinese message within bounded time and memory, a batch
goes on past them, and nothing already stored changes."""
import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analytics.shared import db
from analytics import fixtures
from analytics.intake import import_paths
from analytics.shared.reading.reader import ReadLimits, read_grids

import hostile_files as hostile_writers

PROJECT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT_BYTES = 2 * 1024 ** 3
TIME_LIMIT_SECONDS = 60

HOSTILE = {
    # maker name: what the message must say (None: the file is a ledger and is imported, with flags)
    "write_corrupt_xlsx": "文件可能已损坏或被截断",
    "write_truncated_xlsx": "已损坏或不是真正的 Excel 文件",
    "write_renamed_exe": "已损坏或不是真正的 Excel 文件",
    "write_zip_bomb_xlsx": "解压后内容达",
    "write_unknown_encoding_csv": "无法识别文件编码",
    "write_not_a_ledger_xlsx": "没有找到问题台账",
    "write_formatted_blank_rows_xlsx": None,
    "write_error_values_xlsx": None,
    "write_duplicated_header_xlsx": None,
}


def _huge_sparse_file(folder: Path) -> Path:
    path = folder / "城关街道_台账_200MB.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    return path


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    files = {name: getattr(hostile_writers, name)(folder) for name in HOSTILE}
    files["huge"] = _huge_sparse_file(folder)
    return files


@pytest.fixture(scope="module")
def outcomes_under_limits(hostile_files):
    """Parse every hostile file in a child process capped at 2 GB of address space and 60 s."""
    script = textwrap.dedent("""
        import json, resource, sys, time
        resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
        from pathlib import Path
        from analytics.intake import FileRefused, parse_ledger
        from analytics.shared.vocab import default_point_type_aliases
        outcomes = {}
        for name, path in json.loads(sys.stdin.read()).items():
            started = time.monotonic()
            try:
                ledger = parse_ledger(Path(path), point_type_aliases=default_point_type_aliases())
                outcome = {"rows": len(ledger.records), "flagged": ledger.flagged, "warnings": ledger.warnings}
            except FileRefused as refusal:
                outcome = {"refused": str(refusal)}
            outcome["seconds"] = time.monotonic() - started
            outcomes[name] = outcome
        print(json.dumps(outcomes, ensure_ascii=False))
    """)
    done = subprocess.run([sys.executable, "-c", script, str(MEMORY_LIMIT_BYTES)], cwd=PROJECT,
                          input=json.dumps({k: str(v) for k, v in hostile_files.items()}),
                          capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("maker, message", [(k, v) for k, v in HOSTILE.items() if v])
def test_hostile_files_are_refused_with_a_chinese_message_naming_the_file(outcomes_under_limits, hostile_files,
                                                                           maker, message):
    outcome = outcomes_under_limits[maker]
    assert message in outcome["refused"]
    assert f"文件“{hostile_files[maker].name}”未导入" in outcome["refused"]


def test_a_200_mb_file_is_refused_by_its_size_without_being_read(outcomes_under_limits):
    assert "超过上限 50 MB" in outcomes_under_limits["huge"]["refused"]
    assert "CHUANGWEN_MAX_FILE_MB" in outcomes_under_limits["huge"]["refused"]


def test_a_million_formatted_blank_rows_do_not_hide_the_ledger(outcomes_under_limits):
    assert outcomes_under_limits["write_formatted_blank_rows_xlsx"]["rows"] > 0


def test_formula_error_cells_keep_their_rows(outcomes_under_limits):
    outcome = outcomes_under_limits["write_error_values_xlsx"]
    assert (outcome["rows"], outcome["flagged"]) == (4, 2)  # #N/A 点位类型 and #DIV/0! 状态 are flagged


def test_duplicated_header_columns_are_reported(outcomes_under_limits):
    assert any("出现多次" in warning for warning in outcomes_under_limits["write_duplicated_header_xlsx"]["warnings"])


def test_limits_are_configurable(tmp_path, monkeypatch):
    ledger = fixtures.write_ledger(fixtures.ledger_for_unit("城关街道", seed=1, n_problems=30,
                                                            report_date=dt.date(2026, 11, 20), style="gbk_csv"),
                                   tmp_path)
    with pytest.raises(Exception, match="行数超过上限 10 行"):
        read_grids(ledger, ReadLimits(max_rows_per_sheet=10))
    with pytest.raises(Exception, match="超过上限 0 MB"):
        read_grids(ledger, ReadLimits(max_file_mb=0.0001))


def test_a_batch_of_hostile_files_imports_the_good_ones_and_changes_nothing_stored(tmp_path, hostile_files):
    db_path = tmp_path / "batch.duckdb"
    first = fixtures.write_ledger(fixtures.ledger_for_unit("城关街道", seed=2, n_problems=20,
                                                           report_date=dt.date(2026, 11, 18)), tmp_path / "a")
    import_paths(db_path, [first])
    with db.connect(db_path, read_only=True) as con:
        before = con.execute("SELECT * FROM problems ORDER BY ALL").fetchall()
    second = fixtures.write_ledger(fixtures.ledger_for_unit("西关街道", seed=3, n_problems=20,
                                                            report_date=dt.date(2026, 11, 20)), tmp_path / "b")
    refused = [hostile_files[name] for name, message in HOSTILE.items() if message]
    results = import_paths(db_path, refused + [hostile_files["huge"], second])
    assert [r.outcome for r in results] == ["refused"] * (len(refused) + 1) + ["imported"]
    with db.connect(db_path, read_only=True) as con:
        still_there = con.execute("SELECT * FROM problems WHERE ledger_unit = '城关街道' ORDER BY ALL").fetchall()
        imports = con.execute("SELECT ledger_unit FROM imports ORDER BY import_id").fetchall()
    assert still_there == before
    assert imports == [("城关街道",), ("西关街道",)]


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
def test_csv_lines_may_end_in_any_newline(tmp_path, line_end):
    """A bare \\r (old Mac exports, or a stray one inside a row) ends a line; a quoted one stays in its cell."""
    path = tmp_path / "城关街道.csv"
    rows = ["序号,点位名称,问题描述", '1,柳树巷,"墙面\r乱贴"', "2,北门菜市场,地面污水"]
    path.write_bytes(line_end.join(rows).encode("gbk"))
    grid = read_grids(path)
    assert [row for row in grid[0].rows if any(row)] == [
        ["序号", "点位名称", "问题描述"], ["1", "柳树巷", "墙面\r乱贴"], ["2", "北门菜市场", "地面污水"]]
