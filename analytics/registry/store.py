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

from analytics.intake.undo import replay_undo_mark
from analytics.registry.sheets import KIND_LABELS, RECORD_COLUMNS, RegistrySheet, read_registry_sheet
from analytics.scores.store import next_import_id
from analytics.shared import db

_ARROW_TYPES = {"source_row": pa.int32(), "pledge_date": pa.date32(), "flags": pa.list_(pa.string())}


def current_rows_sql(kind: str) -> str:
    """The current rows of one kind (a constant of analytics.registry.sheets), for a FROM clause."""
    assert kind in KIND_LABELS   # placed into SQL as a literal
    return f"""(SELECT r.* FROM registry_rows r
        WHERE r.import_id = (SELECT import_id FROM registry_imports WHERE kind = '{kind}' AND undone_at IS NULL
                             ORDER BY effective_date DESC, import_id DESC LIMIT 1))"""


def _records_table(sheet: RegistrySheet) -> pa.Table:
    def plain(value: object) -> object:
        return None if value is None or (isinstance(value, float) and value != value) else value

    return pa.table({name: pa.array([plain(v) if name != "flags" else list(v) for v in sheet.rows[name]],
                                    _ARROW_TYPES.get(name, pa.string())) for name in RECORD_COLUMNS})


def already_imported(con: duckdb.DuckDBPyConnection, sha256: str, file_name: str) -> int | None:
    """The import of these very bytes under this name that still counts, if any."""
    found = con.execute("SELECT import_id FROM registry_imports WHERE sha256 = ? AND file_name = ? "
                        "AND undone_at IS NULL ORDER BY import_id LIMIT 1", [sha256, file_name]).fetchall()
    return found[0][0] if found else None


def store_registry_sheet(con: duckdb.DuckDBPyConnection, sheet: RegistrySheet, *, sha256: str,
                         archive_path: str, actor: str, now: dt.datetime, audit: bool = True,
                         import_id: int | None = None) -> int:
    """One list in one transaction; returns its import id."""
    with db.transaction(con):
        if import_id is None:
            import_id = next_import_id(con)
        con.execute("INSERT INTO registry_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                    [import_id, sheet.kind, sheet.file_name, sha256, sheet.report_date,
                     sheet.report_date or now.date(), now, actor, len(sheet.rows), sheet.flagged,
                     sheet.summary(), archive_path])
        con.register("incoming_rows", _records_table(sheet))
        try:
            con.execute("INSERT INTO registry_rows SELECT $import_id, * FROM incoming_rows", {"import_id": import_id})
        finally:
            con.unregister("incoming_rows")
        if audit:
            con.execute("INSERT INTO audit_log VALUES (?, ?, '导入', ?)",
                        [now, actor, f"{sheet.label}#{import_id} {sheet.file_name}（{len(sheet.rows)}行）"])
    return import_id


def registry_imports_for_rebuild(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every list's import in order, for rebuild to replay from the archive."""
    return db.fetch_records(con, "SELECT * FROM registry_imports ORDER BY import_id")


def replay_registry_imports(con: duckdb.DuckDBPyConnection, records: list[dict], archive: Path) -> None:
    """Read every archived list again and store it under its import id, time and undo mark."""
    for record in records:
        imported_at = record["imported_at"]
        sheet = read_registry_sheet(archive / record["archive_path"], today=imported_at.date())
        sheet.file_name = record["file_name"]
        store_registry_sheet(con, sheet, sha256=record["sha256"], archive_path=record["archive_path"],
                             actor=record["imported_by"], now=imported_at, import_id=int(record["import_id"]),
                             audit=False)
        replay_undo_mark(con, "registry_imports", record)


def integrity_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(import id, file name, sha256, archive path, rows read, rows stored) of every list's import."""
    return con.execute("""
        WITH stored AS (SELECT import_id, count(*) AS rows_stored FROM registry_rows GROUP BY import_id)
        SELECT i.import_id, i.file_name, i.sha256, i.archive_path, i.rows_read, coalesce(s.rows_stored, 0)
        FROM registry_imports i LEFT JOIN stored s USING (import_id) ORDER BY i.import_id""").fetchall()
