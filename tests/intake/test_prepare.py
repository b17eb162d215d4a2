"""A file read into the rows the writer stores, on small ledgers."""
import subprocess
import sys

from analytics.shared import db, schema
from analytics.intake import parse_ledger, prepare
from tests.intake.test_store import NOW, ROWS, write_csv


def test_the_prepared_rows_are_typed_like_the_history_table(tmp_path):
    prepared = prepare.prepare_ledger(write_csv(tmp_path / "城关街道_台账.csv", ROWS), point_type_aliases={},
                                      today=NOW.date())
    with db.connect(tmp_path / "x.duckdb") as con:
        schema.ensure_schema(con)
        history = [(name, kind) for name, kind in
                   con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                               "WHERE table_name = 'problem_versions' ORDER BY column_index").fetchall()][1:]
        con.register("prepared", prepared.versions)
        assert [(name, kind) for name, kind, *_ in con.execute("DESCRIBE prepared").fetchall()] == history
    parsed = parse_ledger(tmp_path / "城关街道_台账.csv", point_type_aliases={}, today=NOW.date())
    assert (prepared.rows, prepared.flagged, prepared.ledger.records) == (len(parsed.records), parsed.flagged, [])


def _imported_by(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sys.modules))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=db.PROJECT_ROOT).stdout.split())


def test_the_parser_imports_neither_pandas_nor_openpyxl():
    """The workers' server imports the parser first thing; the writer's heavy imports would delay it."""
    assert not {"pandas", "openpyxl"} & _imported_by("analytics.intake.prepare")
