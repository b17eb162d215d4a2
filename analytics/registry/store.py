"""The lists of the responsibility map into the database, kept as readiness sheets are: every import
with its rows, numbered with the ledgers', the original archived, undo by marking, replayed by rebuild.
A list sent again replaces the earlier one of its kind: the current rows of a kind are those of its
newest import (latest report date, then latest import) that is not undone, so undo brings the earlier
list back.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from analytics.registry.sheets import KIND_LABELS, RECORD_COLUMNS, read_registry_sheet
from analytics.shared import sheet_imports

_ARROW_TYPES = {"source_row": pa.int32(), "pledge_date": pa.date32(), "flags": pa.list_(pa.string())}


def current_rows_sql(kind: str) -> str:
    """The current rows of one kind (a constant of analytics.registry.sheets), for a FROM clause."""
    assert kind in KIND_LABELS   # placed into SQL as a literal
    return f"""(SELECT r.* FROM registry_rows r
        WHERE r.import_id = (SELECT import_id FROM registry_imports WHERE kind = '{kind}' AND undone_at IS NULL
                             ORDER BY effective_date DESC, import_id DESC LIMIT 1))"""


SHEETS = sheet_imports.SheetStore(imports_table="registry_imports", rows_table=lambda kind: "registry_rows",
                                  record_columns=lambda kind: RECORD_COLUMNS, arrow_types=_ARROW_TYPES,
                                  read=read_registry_sheet)


def integrity_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(import id, file name, sha256, archive path, rows read, rows stored) of every list's import."""
    return con.execute("""
        WITH stored AS (SELECT import_id, count(*) AS rows_stored FROM registry_rows GROUP BY import_id)
        SELECT i.import_id, i.file_name, i.sha256, i.archive_path, i.rows_read, coalesce(s.rows_stored, 0)
        FROM registry_imports i LEFT JOIN stored s USING (import_id) ORDER BY i.import_id""").fetchall()
