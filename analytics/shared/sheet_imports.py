"""What the imports of whole sheets (readiness sheets, registry lists) share: the sheet as read, its
import row, its rows written through Arrow, the audit line, and the same bytes found imported before.
The capability says which tables and columns; the caller holds the transaction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the sheet readers import this module in the parser's workers, which need none of these
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from analytics.shared.reading.layout import SheetLayout

# Table names cannot be bound parameters: only these are ever placed into the SQL.
SHEET_TABLES = {"readiness_imports": ("assessment_standards", "online_materials", "survey_results"),
                "registry_imports": ("registry_rows",)}


@dataclass
class KindedSheet:
    """One file of one kind, read: `rows` holds the records as they will be stored. Each capability's
    sheet adds its `label` and `summary()` (what the import preview and result say)."""
    kind: str
    file_name: str
    report_date: dt.date | None
    rows: pd.DataFrame
    layouts: list[SheetLayout]
    warnings: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return int(self.rows["flags"].map(len).gt(0).sum()) if len(self.rows) else 0


def _plain(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else value


def records_table(rows: pd.DataFrame, columns: list[str], arrow_types: dict[str, pa.DataType]) -> pa.Table:
    """`rows`' `columns` as an Arrow table (NaN as NULL, flags as lists), typed by `arrow_types` else text."""
    import pyarrow as pa
    return pa.table({name: pa.array([_plain(v) if name != "flags" else list(v) for v in rows[name]],
                                    arrow_types.get(name, pa.string())) for name in columns})


def already_imported(con: duckdb.DuckDBPyConnection, imports_table: str, sha256: str, file_name: str) -> int | None:
    """The import of these very bytes under this name that still counts, if any."""
    assert imports_table in SHEET_TABLES
    found = con.execute(f"SELECT import_id FROM {imports_table} WHERE sha256 = ? AND file_name = ? "
                        "AND undone_at IS NULL ORDER BY import_id LIMIT 1", [sha256, file_name]).fetchall()
    return found[0][0] if found else None


def write_sheet(con: duckdb.DuckDBPyConnection, sheet: KindedSheet, import_id: int, *, imports_table: str,
                rows_table: str, records: pa.Table, sha256: str, archive_path: str, actor: str,
                now: dt.datetime, audit: bool) -> None:
    """The import row, its records into `rows_table` and (unless replayed) the audit line."""
    assert rows_table in SHEET_TABLES[imports_table]
    con.execute(f"INSERT INTO {imports_table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                [import_id, sheet.kind, sheet.file_name, sha256, sheet.report_date,
                 sheet.report_date or now.date(), now, actor, len(sheet.rows), sheet.flagged,
                 sheet.summary(), archive_path])
    con.register("incoming_rows", records)
    try:
        con.execute(f"INSERT INTO {rows_table} SELECT $import_id, * FROM incoming_rows", {"import_id": import_id})
    finally:
        con.unregister("incoming_rows")
    if audit:
        con.execute("INSERT INTO audit_log VALUES (?, ?, '导入', ?)",
                    [now, actor, f"{sheet.label}#{import_id} {sheet.file_name}（{len(sheet.rows)}行）"])
