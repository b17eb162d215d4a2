"""Files read ahead in the parser's worker processes, on small ledgers."""
import functools
import os
import time

from analytics.intake import FileRefused, import_paths, parse_ledger, workers
from tests.intake.test_prepare import _imported_by
from tests.intake.test_store import NOW, ROWS, table, write_csv


def _ledger_batch(folder, count=4):
    return [write_csv(folder / f"{unit}_台账.csv", [row[:-1] + [unit] for row in ROWS])
            for unit in ("城关街道", "东关街道", "西关街道", "南关街道")[:count]]


def test_a_batch_parsed_ahead_in_worker_processes_stores_what_one_by_one_does(tmp_path):
    ledgers = _ledger_batch(tmp_path)
    ahead = import_paths(tmp_path / "ahead" / "x.duckdb", ledgers, now=NOW, parse_workers=2)
    inline = import_paths(tmp_path / "inline" / "x.duckdb", ledgers, now=NOW)
    assert [(r.outcome, r.ledger_unit, r.rows_new) for r in ahead] == \
        [(r.outcome, r.ledger_unit, r.rows_new) for r in inline] == \
        [("imported", unit, 3) for unit in ("城关街道", "东关街道", "西关街道", "南关街道")]
    assert table(tmp_path / "ahead" / "x.duckdb") == table(tmp_path / "inline" / "x.duckdb")


def parse_or_die(path):
    """A parser whose worker dies on one file, as a crash in a native reader would take it down;
    the file before it is still being parsed when that happens."""
    if path.name.startswith("东关"):
        os._exit(1)
    if path.name.startswith("城关"):
        time.sleep(0.5)
    return parse_ledger(path, point_type_aliases={}, today=NOW.date())


def test_a_worker_that_dies_takes_only_its_own_file(tmp_path):
    ledgers = _ledger_batch(tmp_path)
    outcomes = {}
    with workers.ParseAhead(ledgers, parse_or_die, workers=2) as parsed_files:
        for path, parsed in parsed_files:
            try:
                outcomes[path.name] = parsed().ledger_unit
            except FileRefused as refusal:
                outcomes[path.name] = str(refusal)
    assert outcomes["城关街道_台账.csv"] == "城关街道" and outcomes["西关街道_台账.csv"] == "西关街道"
    assert outcomes["南关街道_台账.csv"] == "南关街道"
    assert outcomes["东关街道_台账.csv"].startswith("文件“东关街道_台账.csv”未导入：读取时解析进程意外退出")


def test_a_server_started_early_serves_the_workers(tmp_path):
    workers.start_parse_workers()
    parse = functools.partial(parse_ledger, point_type_aliases={}, today=NOW.date())
    with workers.ParseAhead(_ledger_batch(tmp_path, count=3), parse, workers=2) as parsed_files:
        assert [parsed().ledger_unit for _, parsed in parsed_files] == ["城关街道", "东关街道", "西关街道"]


def test_starting_the_workers_imports_only_the_standard_library():
    assert not {"pandas", "duckdb", "pyarrow", "openpyxl", "analytics.ledger.parse"} & \
        _imported_by("analytics.intake.workers")
