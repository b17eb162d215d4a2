"""Readiness sheets into the database, kept as ledgers are: every import with its rows, the original
file archived, undo by marking, and the current state derived at query time from what is not undone.

What a new import replaces: the 测评体系分解表 as a whole (the newest one counts); a 网上申报 row per
测评标准 and unit (the newest sheet that lists it); the 问卷调查 results per round (the newest sheet
that holds the round). Newest means latest report date (截至…), then latest import.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from analytics import db, schema
from analytics.ingest.readiness_sheets import CATALOGUE, KIND_LABELS, MATERIALS, RECORD_COLUMNS, SURVEY, ReadinessSheet

TABLES = {CATALOGUE: "assessment_standards", MATERIALS: "online_materials", SURVEY: "survey_results"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS readiness_imports (
    import_id      INTEGER PRIMARY KEY,
    kind           VARCHAR NOT NULL,     -- catalogue | materials | survey
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    report_date    DATE,                 -- 截至/填报日期 in a title or the file name
    effective_date DATE NOT NULL,        -- report_date, else the import date: orders the imports of a kind
    imported_at    TIMESTAMP NOT NULL,
    imported_by    VARCHAR NOT NULL,
    rows_read      INTEGER NOT NULL,
    rows_flagged   INTEGER NOT NULL,
    summary        VARCHAR NOT NULL,     -- what the import said, e.g. 网上申报材料报送情况：20项，已通过12项…
    archive_path   VARCHAR NOT NULL,     -- relative to the archive folder, as for ledgers
    undone_at      TIMESTAMP,
    undone_by      VARCHAR
);

-- 测评体系分解表: one row per 测评标准.
CREATE TABLE IF NOT EXISTS assessment_standards (
    import_id    INTEGER NOT NULL,
    sheet        VARCHAR NOT NULL,
    source_row   INTEGER NOT NULL,
    item         VARCHAR,                -- 测评项目
    content      VARCHAR,                -- 测评内容
    standard     VARCHAR,                -- 测评标准 as written
    standard_key VARCHAR NOT NULL,       -- without spaces and punctuation, to match the 网上申报 sheet
    points       DOUBLE NOT NULL,        -- 分值
    method       VARCHAR,                -- 实地考察 / 网上申报 / 问卷调查
    method_raw   VARCHAR,
    unit         VARCHAR,                -- 牵头单位 (the first 责任单位)
    flags        VARCHAR[] NOT NULL
);

-- 网上申报 status: one row per 测评标准 (and unit).
CREATE TABLE IF NOT EXISTS online_materials (
    import_id    INTEGER NOT NULL,
    sheet        VARCHAR NOT NULL,
    source_row   INTEGER NOT NULL,
    standard     VARCHAR,
    standard_key VARCHAR NOT NULL,
    unit         VARCHAR,
    status       VARCHAR NOT NULL,       -- 已通过 / 待审核 / 被退回 / 未报送
    status_raw   VARCHAR,
    reason       VARCHAR,                -- 退回原因
    deadline     DATE,                   -- 截止时间
    raw_deadline VARCHAR,
    points       DOUBLE,                 -- 分值 when the sheet has it (used when no catalogue is imported)
    flags        VARCHAR[] NOT NULL
);

-- 问卷调查 results: one row per round, area and indicator.
CREATE TABLE IF NOT EXISTS survey_results (
    import_id  INTEGER NOT NULL,
    sheet      VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    round      VARCHAR NOT NULL,         -- 第二轮 …
    round_no   INTEGER,                  -- 2; NULL for a round named otherwise
    area       VARCHAR NOT NULL,         -- 全市 when the sheet has no area
    indicator  VARCHAR NOT NULL,         -- 知晓率 / 支持率 / 参与率 / 满意度
    rate       DOUBLE,                   -- a fraction; NULL when unreadable (flagged)
    raw        VARCHAR,
    flags      VARCHAR[] NOT NULL
);
"""

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


def ensure_readiness_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)


def _records_table(sheet: ReadinessSheet) -> pa.Table:
    frame = sheet.rows
    columns = RECORD_COLUMNS[sheet.kind]

    def plain(value: object) -> object:
        return None if value is None or (isinstance(value, float) and value != value) else value

    return pa.table({name: pa.array([plain(v) if name != "flags" else list(v) for v in frame[name]],
                                    _ARROW_TYPES.get(name, pa.string())) for name in columns})


def already_imported(con: duckdb.DuckDBPyConnection, sha256: str, file_name: str) -> int | None:
    """The import of these very bytes under this name that still counts, if any."""
    found = con.execute("SELECT import_id FROM readiness_imports WHERE sha256 = ? AND file_name = ? "
                        "AND undone_at IS NULL ORDER BY import_id LIMIT 1", [sha256, file_name]).fetchall()
    return found[0][0] if found else None


def store_readiness_sheet(con: duckdb.DuckDBPyConnection, sheet: ReadinessSheet, *, sha256: str,
                          archive_path: str, actor: str, now: dt.datetime, audit: bool = True,
                          import_id: int | None = None) -> int:
    """One sheet in one transaction; returns its import id."""
    ensure_readiness_schema(con)
    with db.transaction(con):
        if import_id is None:
            import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM readiness_imports").fetchall()[0][0]
        con.execute("INSERT INTO readiness_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                    [import_id, sheet.kind, sheet.file_name, sha256, sheet.report_date,
                     sheet.report_date or now.date(), now, actor, len(sheet.rows), sheet.flagged,
                     sheet.summary(), archive_path])
        con.register("incoming_rows", _records_table(sheet))
        try:
            con.execute(f"INSERT INTO {TABLES[sheet.kind]} SELECT $import_id, * FROM incoming_rows",
                        {"import_id": import_id})
        finally:
            con.unregister("incoming_rows")
        if audit:
            con.execute("INSERT INTO audit_log VALUES (?, ?, '导入', ?)",
                        [now, actor, f"{KIND_LABELS[sheet.kind]}#{import_id} {sheet.file_name}（{len(sheet.rows)}行）"])
    return import_id


def undo_readiness_import(con: duckdb.DuckDBPyConnection, import_id: int, *, actor: str,
                          now: dt.datetime | None = None) -> str:
    """Take one readiness import back: what it replaced counts again."""
    ensure_readiness_schema(con)
    now = now or dt.datetime.now()
    found = con.execute("SELECT kind, file_name, undone_at FROM readiness_imports WHERE import_id = ?",
                        [import_id]).fetchall()
    if not found:
        raise LookupError(f"没有编号为 {import_id} 的测评准备数据导入记录。")
    kind, file_name, undone_at = found[0]
    if undone_at is not None:
        raise LookupError(f"第{import_id}次测评准备数据导入（{file_name}）已于{undone_at:%Y-%m-%d %H:%M}撤销过。")
    with db.transaction(con):
        con.execute("UPDATE readiness_imports SET undone_at = ?, undone_by = ? WHERE import_id = ?",
                    [now, actor, import_id])
        con.execute("INSERT INTO audit_log VALUES (?, ?, '撤销导入', ?)",
                    [now, actor, f"{KIND_LABELS[kind]}#{import_id} {file_name}"])
    return f"已撤销{KIND_LABELS[kind]}导入（编号{import_id}）：{file_name}"


def readiness_imports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every readiness import, newest first, for the import history."""
    if not has_readiness_tables(con):
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


def import_readiness_paths(db_path: Path | str | None, paths: list[Path | str], *, actor: str = "命令行",
                           now: dt.datetime | None = None, today: dt.date | None = None) -> list[str]:
    """Import readiness sheets file by file (each its own transaction); one message per file. A file
    that is none of the three kinds is refused here."""
    from analytics.ingest.readiness_sheets import read_readiness_sheet
    from analytics.ingest.reader import FileRefused
    from analytics.ingest.store import _archive, file_sha256

    db_path = schema.init_db(db_path)
    messages = []
    with db.writing(db_path, actor=actor), db.connect(db_path) as con:
        ensure_readiness_schema(con)
        for path in map(Path, paths):
            try:
                sheet = read_readiness_sheet(path, today=today)
            except FileRefused as refusal:
                messages.append(str(refusal))
                continue
            if sheet is None:
                messages.append(f"文件“{path.name}”未导入：不是测评体系分解表、网上申报材料报送情况或问卷调查结果。")
                continue
            sha256 = file_sha256(path)
            duplicate = already_imported(con, sha256, path.name)
            if duplicate:
                messages.append(f"未变化：与第{duplicate}次测评准备数据导入的文件完全相同")
                continue
            import_id = store_readiness_sheet(con, sheet, sha256=sha256, archive_path=_archive(path, sha256, db_path),
                                              actor=actor, now=now or dt.datetime.now())
            messages.append(f"已导入（编号{import_id}）{sheet.summary()}")
    return messages
