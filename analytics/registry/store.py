"""The lists of the responsibility map into the database, kept as readiness sheets are: every import
with its rows, numbered with the ledgers', the original archived, undo by marking, replayed by rebuild.
A list sent again replaces the earlier one of its kind: the current rows of a kind are those of its
newest import (latest report date, then latest import) that is not undone, so undo brings the earlier
list back.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics.registry.sheets import KIND_LABELS, RECORD_COLUMNS, RegistrySheet, read_registry_sheet
from analytics.scores.store import next_import_id
from analytics.shared import db, sheet_imports
from analytics.shared.sheet_imports import records_table, write_sheet

_ARROW_TYPES = {"source_row": pa.int32(), "pledge_date": pa.date32(), "flags": pa.list_(pa.string())}


def current_rows_sql(kind: str) -> str:
    """The current rows of one kind (a constant of analytics.registry.sheets), for a FROM clause."""
    assert kind in KIND_LABELS   # placed into SQL as a literal
    return f"""(SELECT r.* FROM registry_rows r
        WHERE r.import_id = (SELECT import_id FROM registry_imports WHERE kind = '{kind}' AND undone_at IS NULL
                             ORDER BY effective_date DESC, import_id DESC LIMIT 1))"""


def already_imported(con: duckdb.DuckDBPyConnection, sha256: str, file_name: str) -> int | None:
    """The import of these very bytes under this name that still counts, if any."""
    return sheet_imports.already_imported(con, "registry_imports", sha256, file_name)


def store_registry_sheet(con: duckdb.DuckDBPyConnection, sheet: RegistrySheet, *, sha256: str,
                         archive_path: str, actor: str, now: dt.datetime, audit: bool = True,
                         import_id: int | None = None) -> int:
    """One list in one transaction; returns its import id."""
    with db.transaction(con):
        if import_id is None:
            import_id = next_import_id(con)
        write_sheet(con, sheet, import_id, imports_table="registry_imports", rows_table="registry_rows",
                    records=records_table(sheet.rows, RECORD_COLUMNS, _ARROW_TYPES), sha256=sha256,
                    archive_path=archive_path, actor=actor, now=now, audit=audit)
    return import_id


def registry_imports_for_rebuild(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every list's import in order, for rebuild to replay from the archive."""
    return db.fetch_records(con, "SELECT * FROM registry_imports ORDER BY import_id")


def replay_registry_imports(con: duckdb.DuckDBPyConnection, records: list[dict], archive: Path) -> None:
    """Read every archived list again and store it under its import id and time (rebuild then gives it its undo mark)."""
    for record in records:
        imported_at = record["imported_at"]
        sheet = read_registry_sheet(archive / record["archive_path"], today=imported_at.date())
        sheet.file_name = record["file_name"]
        store_registry_sheet(con, sheet, sha256=record["sha256"], archive_path=record["archive_path"],
                             actor=record["imported_by"], now=imported_at, import_id=int(record["import_id"]),
                             audit=False)


def integrity_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(import id, file name, sha256, archive path, rows read, rows stored) of every list's import."""
    return con.execute("""
        WITH stored AS (SELECT import_id, count(*) AS rows_stored FROM registry_rows GROUP BY import_id)
        SELECT i.import_id, i.file_name, i.sha256, i.archive_path, i.rows_read, coalesce(s.rows_stored, 0)
        FROM registry_imports i LEFT JOIN stored s USING (import_id) ORDER BY i.import_id""").fetchall()
