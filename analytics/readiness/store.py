"""Readiness sheets into the database, kept as ledgers are: every import with its rows, numbered with
the ledger and score imports, the original file archived, undo by marking, replayed by rebuild, and
the current state derived at query time from what is not undone.

What a new import replaces: the 测评体系分解表 as a whole (the newest one counts); a 网上申报 row per
测评标准 and unit (the newest sheet that lists it); the 问卷调查 results per round (the newest sheet
that holds the round). Newest means latest report date (截至…), then latest import.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from analytics.shared import db, sheet_imports
from analytics.readiness.sheets import RECORD_COLUMNS, read_readiness_sheet
from analytics.readiness.words import CATALOGUE, MATERIALS, SURVEY

if TYPE_CHECKING:   # the command line's writer imports this module, and needs no pandas
    import pandas as pd

TABLES = {CATALOGUE: "assessment_standards", MATERIALS: "online_materials", SURVEY: "survey_results"}

_LIVE_IMPORTS = "SELECT import_id, effective_date FROM readiness_imports WHERE kind = '{kind}' AND undone_at IS NULL"

# The current rows of each kind, derived from the imports that are not undone (see the module doc).
CURRENT_STANDARDS_SQL = f"""
    SELECT s.* FROM assessment_standards s
    WHERE s.import_id = (SELECT import_id FROM ({_LIVE_IMPORTS.format(kind=CATALOGUE)})
                         ORDER BY effective_date DESC, import_id DESC LIMIT 1)"""
CURRENT_MATERIALS_SQL = f"""
    SELECT * EXCLUDE (recency) FROM (
        SELECT m.*, dense_rank() OVER (PARTITION BY m.standard_key, coalesce(m.unit, '')
                                       ORDER BY l.effective_date DESC, l.import_id DESC) AS recency
        FROM online_materials m JOIN ({_LIVE_IMPORTS.format(kind=MATERIALS)}) l USING (import_id))
    WHERE recency = 1"""
CURRENT_SURVEY_SQL = f"""
    SELECT * EXCLUDE (recency, effective_date) FROM (
        SELECT r.*, l.effective_date, dense_rank() OVER (PARTITION BY r.round
                                       ORDER BY l.effective_date DESC, l.import_id DESC) AS recency
        FROM survey_results r JOIN ({_LIVE_IMPORTS.format(kind=SURVEY)}) l USING (import_id))
    WHERE recency = 1"""

_ARROW_TYPES = {"source_row": pa.int32(), "points": pa.float64(), "rate": pa.float64(), "round_no": pa.int32(),
                "deadline": pa.date32(), "flags": pa.list_(pa.string())}


SHEETS = sheet_imports.SheetStore(imports_table="readiness_imports", rows_table=TABLES.__getitem__,
                                  record_columns=RECORD_COLUMNS.__getitem__, arrow_types=_ARROW_TYPES,
                                  read=read_readiness_sheet)


def integrity_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(import id, file name, sha256, archive path, rows read, rows stored) of every readiness import."""
    stored = " UNION ALL ".join(f"SELECT import_id FROM {table}" for table in TABLES.values())
    return con.execute(f"""
        WITH stored AS (SELECT import_id, count(*) AS rows_stored FROM ({stored}) GROUP BY import_id)
        SELECT i.import_id, i.file_name, i.sha256, i.archive_path, i.rows_read, coalesce(s.rows_stored, 0)
        FROM readiness_imports i LEFT JOIN stored s USING (import_id) ORDER BY i.import_id""").fetchall()


def readiness_imports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every readiness import, newest first, for the import history."""
    if not has_readiness_tables(con):
        import pandas as pd
        return pd.DataFrame(columns=["import_id", "kind", "file_name", "report_date", "imported_at", "imported_by",
                                     "rows_read", "rows_flagged", "summary", "undone_at", "undone_by"])
    return db.fetch_frame(con, """
        SELECT import_id, kind, file_name, report_date, imported_at, imported_by, rows_read, rows_flagged,
               summary, undone_at, undone_by
        FROM readiness_imports ORDER BY import_id DESC""")


def has_readiness_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file holds the readiness tables (a read-only connection cannot create them)."""
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'main' AND table_name = 'readiness_imports'").fetchall()[0][0] > 0
