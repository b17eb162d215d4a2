"""The four real-looking ledgers in tests/samples (as units send them: a titled workbook, a
department's 是/否 list, one sheet per 点位类型, a GBK CSV) give exactly the counts in expected.json."""
import datetime as dt
import json
from pathlib import Path

import pytest

from analytics.shared import db

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from analytics.intake import import_paths

    db_path = tmp_path_factory.mktemp("samples") / "samples.duckdb"
    results = import_paths(db_path, [SAMPLES / name for name in EXPECTED], now=dt.datetime(2026, 11, 21, 8))
    return db_path, {result.file_name: result for result in results}


@pytest.mark.parametrize("file_name", list(EXPECTED))
def test_each_sample_gives_the_expected_counts(imported, file_name):
    db_path, results = imported
    expected = EXPECTED[file_name]
    result = results[file_name]
    assert (result.outcome, result.ledger_unit, result.rows_read) == ("imported", expected["unit"],
                                                                      expected["problems"])
    with db.connect(db_path, read_only=True) as con:
        by_type = dict(con.execute("SELECT point_type, count(*) FROM problems WHERE ledger_unit = ? GROUP BY 1",
                                   [expected["unit"]]).fetchall())
        by_status = dict(con.execute("SELECT status, count(*) FROM problems WHERE ledger_unit = ? GROUP BY 1",
                                     [expected["unit"]]).fetchall())
        overdue, = con.execute("SELECT count(*) FROM problems WHERE ledger_unit = ? AND status IN ('待整改', '整改中') "
                               "AND deadline < ?", [expected["unit"], dt.date.fromisoformat(expected["as_of"])]
                               ).fetchone()
    assert by_type == expected["by_point_type"]
    assert by_status == expected["by_status"]
    assert overdue == expected["overdue"]


@pytest.mark.parametrize("file_name", list(EXPECTED))
def test_the_summary_command_agrees(imported, file_name, capsys):
    from analytics.cli import main

    db_path, _ = imported
    expected = EXPECTED[file_name]
    assert main(["summary", "--json", "--db", str(db_path), "--as-of", expected["as_of"],
                 "--unit", expected["unit"]]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["problems"] == expected["problems"]
    assert summary["by_point_type"] == expected["by_point_type"]
    assert {k: v for k, v in summary["by_status"].items() if v} == expected["by_status"]
    assert summary["overdue"] == expected["overdue"]
    assert summary["by_unit"] == {expected["unit"]: expected["problems"]}
