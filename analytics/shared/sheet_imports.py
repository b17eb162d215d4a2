"""What the imports of whole sheets (readiness sheets, registry lists) share: the sheet as read, its
import row, its rows written through Arrow, the audit line, and the same bytes found imported before.
The capability says which tables and columns; the caller holds the transaction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ClassVar, Iterable

from analytics.shared import db

if TYPE_CHECKING:   # the sheet readers import this module in the parser's workers, which need none of these
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from analytics.shared.reading.reader import FileRefused, Grid, ReadLimits
    from analytics.shared.reading.layout import SheetLayout

# Table names cannot be bound parameters: only these are ever placed into the SQL.
SHEET_TABLES = {"readiness_imports": ("assessment_standards", "online_materials", "survey_results"),
                "registry_imports": ("registry_rows",)}


@dataclass
class KindedSheet:
    """One file of one kind, read: `rows` holds the records as they will be stored. Each capability's
    sheet names its kinds (`KIND_LABELS`) and adds `summary()` (what the import preview and result say)."""
    KIND_LABELS: ClassVar[dict[str, str]] = {}
    kind: str
    file_name: str
    report_date: dt.date | None
    rows: pd.DataFrame
    layouts: list[SheetLayout]
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.KIND_LABELS[self.kind]

    @property
    def flagged(self) -> int:
        return int(self.rows["flags"].map(len).gt(0).sum()) if len(self.rows) else 0


def next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    """The next number of the one sequence ledger, score, readiness and registry imports share."""
    return con.execute("""
        WITH numbers AS (SELECT import_id FROM imports UNION ALL SELECT import_id FROM score_imports
                         UNION ALL SELECT import_id FROM readiness_imports
                         UNION ALL SELECT import_id FROM registry_imports)
        SELECT coalesce(max(import_id), 0) + 1 FROM numbers""").fetchall()[0][0]


def strongest_kind(kinds: Iterable[str], grids: list[Grid],
                   candidate: Callable[[str, Grid], SheetLayout | None]) -> tuple[str, list[tuple[Grid, SheetLayout]]] | None:
    """The kind these grids hold and where, or None: the kind whose header names the most of its words
    wins; ties go to the first kind."""
    best: tuple[int, str, list[tuple[Grid, SheetLayout]]] | None = None
    for kind in kinds:
        found = [(grid, layout) for grid in grids if (layout := candidate(kind, grid)) is not None]
        if found:
            strength = max(len(layout.columns) for _, layout in found)
            if best is None or strength > best[0]:
                best = (strength, kind, found)
    return None if best is None else (best[1], best[2])


@dataclass(frozen=True)
class RecognisedFile:
    """A file's grids, the kind they hold, the sheets holding it and the report date of their titles."""
    grids: list[Grid]
    kind: str
    sheets: list[tuple[Grid, SheetLayout]]
    report_date: dt.date | None

    @property
    def layouts(self) -> list[SheetLayout]:
        return [layout for _, layout in self.sheets]

    def refusal_for_no_records(self, path: Path, label: str) -> FileRefused:
        from analytics.shared.reading.reader import FileRefused
        names = "、".join(f"“{layout.sheet}”" for layout in self.layouts)
        return FileRefused(f"文件“{path.name}”未导入：识别为{label}（工作表{names}），但表头下没有任何记录。")


def recognise_file(path: Path, grids: list[Grid] | None, limits: ReadLimits,
                   recognise: Callable[[list[Grid]], tuple[str, list[tuple[Grid, SheetLayout]]] | None]
                   ) -> RecognisedFile | None:
    """The file (its grids read unless given) recognised as one of a capability's kinds, or None."""
    from analytics.shared.reading.layout import detect_report_date
    from analytics.shared.reading.reader import read_grids
    grids = read_grids(path, limits) if grids is None else grids
    found = recognise(grids)
    if found is None:
        return None
    kind, sheets = found
    return RecognisedFile(grids, kind, sheets, detect_report_date([layout for _, layout in sheets], path))


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


@dataclass(frozen=True)
class SheetStore:
    """How one capability keeps its sheets: its import table, where each kind's rows go (`rows_table`,
    `record_columns`), how they are typed, and its reader (for rebuild to read the archived file again)."""
    imports_table: str
    rows_table: Callable[[str], str]
    record_columns: Callable[[str], list[str]]
    arrow_types: dict[str, pa.DataType]
    read: Callable[..., KindedSheet]

    def already_imported(self, con: duckdb.DuckDBPyConnection, sha256: str, file_name: str) -> int | None:
        return already_imported(con, self.imports_table, sha256, file_name)

    def store(self, con: duckdb.DuckDBPyConnection, sheet: KindedSheet, *, sha256: str, archive_path: str,
              actor: str, now: dt.datetime, audit: bool = True, import_id: int | None = None) -> int:
        """One sheet in one transaction; returns its import id."""
        with db.transaction(con):
            if import_id is None:
                import_id = next_import_id(con)
            records = records_table(sheet.rows, self.record_columns(sheet.kind), self.arrow_types)
            write_sheet(con, sheet, import_id, imports_table=self.imports_table,
                        rows_table=self.rows_table(sheet.kind), records=records, sha256=sha256,
                        archive_path=archive_path, actor=actor, now=now, audit=audit)
        return import_id

    def imports_for_rebuild(self, con: duckdb.DuckDBPyConnection) -> list[dict]:
        """Every import in order, for rebuild to replay from the archive."""
        return db.fetch_records(con, f"SELECT * FROM {self.imports_table} ORDER BY import_id")

    def replay(self, con: duckdb.DuckDBPyConnection, records: list[dict], archive: Path) -> None:
        """Read every archived sheet again and store it under its import id and time (rebuild then gives
        it its undo mark)."""
        for record in records:
            imported_at = record["imported_at"]
            sheet = self.read(archive / record["archive_path"], today=imported_at.date())
            sheet.file_name = record["file_name"]
            self.store(con, sheet, sha256=record["sha256"], archive_path=record["archive_path"],
                       actor=record["imported_by"], now=imported_at, import_id=int(record["import_id"]),
                       audit=False)
