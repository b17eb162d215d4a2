"""Many parsed ledgers stored in one transaction: the history rows of all, then the current state and
the rebound links derived once for the problems they touch.

Storing file by file derives the current state and the links again after every file; a batch does it
once. What each import records (rows new and updated) is still counted as if the files had been
stored one after another in order: each row is compared with the version its problem had just before
its own import, taken from the history. Score and readiness sheets are not batched: each goes to its
own tables (score_store, readiness_store) in a transaction of its own, numbered in the same sequence.
A rebuild replays the archive through the same writer, one file per batch, keeping the import numbers.
"""
from __future__ import annotations

import array
import datetime as dt
import functools
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics.shared import db, schema
from analytics.shared.sheet_imports import next_import_id
from analytics.ledger.derive import (COUNTS_SQL, RECENCY_SQL, VERSION_COLUMNS, VERSION_IMPORTS, following_stored_ctes,
                                     refresh_current)
from analytics.accountability.tasks import take_copied_tasks
import analytics.photos.store as photos_store
import analytics.readiness.store as readiness_store
import analytics.registry.store as registry_store
import analytics.scores.store as score_store
from analytics.intake.own_unit import ledger_refusal, office_sheet_refusal
from analytics.intake.recognise import SHEET_TYPES, Sheet
from analytics.shared.reading.reader import FileRefused, ReadLimits
from analytics.intake.prepare import PreparedLedger, prepare_file, prepare_ledger
from analytics.intake.workers import PARSE_AHEAD_MIN_FILES, ParseAhead
from analytics.intake.undo import replay_undo_mark
from analytics.intake.store import (ImportProgress, ImportResult, archive_file, file_sha256, import_sheet,
                                    point_type_aliases, store_score_sheet)
from analytics.shared.office_words import office_words


@dataclass
class StagedLedger:
    """A parsed ledger with everything its import row records; `import_id` is kept by a rebuild."""
    prepared: PreparedLedger
    sha256: str
    archive_path: str
    actor: str
    imported_at: dt.datetime
    unit_option: str | None = None
    import_id: int | None = None

    @property
    def identity(self) -> tuple:
        """The same file again: same bytes under the same name and report date."""
        ledger = self.prepared.ledger
        return self.sha256, ledger.file_name, ledger.report_date


# What makes a resubmitted row an update rather than the same row again.
_CHANGE_COLUMNS = ("status", "found_date", "deadline", "rectified_date", "closed_date", "point_type",
                   "point_name", "description", "category", "unit")

# Files that cannot carry pictures (the office is told when a unit that sent photos sends one of these).
PICTURELESS_SUFFIXES = (".xls", ".csv")


# Per row of the batch, the version its problem had just before the row's import: among the earlier
# imports not undone, the one of the latest effective date, then import order (as current_state_sql).
# A row that follows its problem's stored row (derive.following_stored_ctes, the usual morning) has that
# row before it; the others look in the history.
_COMPARED = ", ".join(_CHANGE_COLUMNS)
_CHANGES_SQL = f"""
    WITH {following_stored_ctes(f"(SELECT problem_key, as_of, last_import_id, {_COMPARED} FROM problems)")},
    others AS (SELECT * FROM batch ANTI JOIN following USING (row_id)),
    earlier AS (
        SELECT pv.*, {RECENCY_SQL} AS recency
        FROM problem_versions pv JOIN {VERSION_IMPORTS} i USING (import_id)
        WHERE {COUNTS_SQL} AND pv.problem_key IN (SELECT problem_key FROM others)
    ),
    from_history AS (
        SELECT b.row_id, {', '.join(f'e.{c}' for c in _CHANGE_COLUMNS)}
        FROM others b JOIN earlier e ON e.problem_key = b.problem_key AND e.import_id < b.import_id
        QUALIFY row_number() OVER (PARTITION BY b.row_id ORDER BY e.recency DESC) = 1
    ),
    previous AS (
        SELECT row_id, {', '.join(f'stored_row.{c} AS {c}' for c in _CHANGE_COLUMNS)}
        FROM following WHERE stored_row.as_of IS NOT NULL
        UNION ALL
        SELECT row_id, {_COMPARED} FROM from_history
    )
    SELECT b.import_id,
           count(*) FILTER (WHERE p.row_id IS NULL) AS rows_new,
           count(*) FILTER (WHERE p.row_id IS NOT NULL AND
                            ({' OR '.join(f'b.{c} IS DISTINCT FROM p.{c}' for c in _CHANGE_COLUMNS)})) AS rows_updated
    FROM batch b LEFT JOIN previous p USING (row_id)
    GROUP BY b.import_id"""


def earlier_imports(con: duckdb.DuckDBPyConnection, staged: list[StagedLedger]) -> dict[tuple, tuple[int, str]]:
    """identity → (import id, unit) of the first import, not undone, of each file that is already in.
    The same bytes re-sent under a new name are a new report (the unit did report), stored though
    nothing moved."""
    if not staged:
        return {}
    sha256s, names, report_dates = zip(*(item.identity for item in staged))
    rows = con.execute("""
        WITH batch_files AS (
            SELECT unnest($sha256s) AS sha256, unnest($names) AS file_name,
                   unnest($report_dates::DATE[]) AS report_date
        )
        SELECT f.sha256, f.file_name, f.report_date, min(i.import_id), arg_min(i.ledger_unit, i.import_id)
        FROM batch_files f JOIN imports i ON i.sha256 = f.sha256 AND i.file_name = f.file_name
             AND i.report_date IS NOT DISTINCT FROM f.report_date AND i.undone_at IS NULL
        GROUP BY ALL""", {"sha256s": sha256s, "names": names, "report_dates": report_dates}).fetchall()
    return {(sha256, name, report_date): (import_id, unit) for sha256, name, report_date, import_id, unit in rows}


def write_batch(con: duckdb.DuckDBPyConnection, staged: list[StagedLedger], *, audit: bool = True
                ) -> list[ImportResult]:
    """Store the ledgers in order as one transaction: readers see all of them or none."""
    with db.transaction(con):
        return stage_batch(con, staged, audit=audit)


def stage_batch(con: duckdb.DuckDBPyConnection, staged: list[StagedLedger], *, audit: bool = True
                ) -> list[ImportResult]:
    """write_batch within the caller's transaction. A file already imported (earlier, or earlier in
    this batch) is reported unchanged and not stored."""
    results: list[ImportResult | None] = [None] * len(staged)
    stored: list[tuple[int, int, StagedLedger]] = []      # (position, import id, ledger)
    seen = earlier_imports(con, staged)
    next_id = next_import_id(con)   # one sequence with the score, readiness and registry sheets
    for position, item in enumerate(staged):
        duplicate = seen.get(item.identity)
        if duplicate:
            results[position] = ImportResult(
                item.prepared.ledger.file_name, "unchanged",
                f"未变化：与第{duplicate[0]}次导入（{duplicate[1]}）的文件完全相同", duplicate[0], duplicate[1])
            continue
        import_id = item.import_id if item.import_id is not None else next_id
        next_id = max(next_id, import_id + 1)
        seen[item.identity] = (import_id, item.prepared.ledger.ledger_unit)
        stored.append((position, import_id, item))
    for _, _, item in stored:
        ledger = item.prepared.ledger
        if Path(ledger.file_name).suffix.lower() in PICTURELESS_SUFFIXES and photos_store.had_pictures(con, ledger.ledger_unit):
            ledger.warnings.append(f"{Path(ledger.file_name).suffix.lower()}文件不能带照片：{ledger.ledger_unit}此前的台账有照片，"
                                   "本次的问题没有照片（请报送 .xlsx 台账，或在问题上传整改后照片）")
    if stored:
        _insert(con, stored, audit)
    counts = {} if not stored else {
        import_id: (new, updated) for import_id, new, updated in
        con.execute("SELECT import_id, rows_new, rows_updated FROM imports WHERE list_contains($ids, import_id)",
                    {"ids": [import_id for _, import_id, _ in stored]}).fetchall()}
    for position, import_id, item in stored:
        ledger, prepared = item.prepared.ledger, item.prepared
        new, updated = counts[import_id]
        results[position] = ImportResult(
            ledger.file_name, "imported",
            f"已导入：{ledger.ledger_unit}（单位来自{ledger.unit_source}），读取{prepared.rows}条，"
            f"新增{new}条，更新{updated}条，标记待核{prepared.flagged}条",
            import_id, ledger.ledger_unit, ledger.unit_source, ledger.report_date,
            prepared.rows, new, updated, prepared.flagged, ledger.warnings)
    return results


def _insert(con: duckdb.DuckDBPyConnection, stored: list[tuple[int, int, StagedLedger]], audit: bool) -> None:
    # The batch's own values go in as lists (unnest) and its rows as the workers' Arrow tables: turning
    # Python values into Arrow would import pandas, which the command line's writer does without.
    ids = [import_id for _, import_id, _ in stored]
    ledgers = [item.prepared.ledger for _, _, item in stored]
    con.execute("""
        INSERT INTO imports
        SELECT unnest($ids), unnest($names), unnest($sha256s), unnest($units), unnest($unit_sources),
               unnest($unit_options::VARCHAR[]), unnest($report_dates::DATE[]), unnest($effective_dates::DATE[]),
               unnest($imported_at::TIMESTAMP[]), unnest($actors), unnest($rows_read), 0, 0,
               unnest($rows_flagged), unnest($archive_paths), NULL, NULL""", {
        "ids": ids, "names": [ledger.file_name for ledger in ledgers],
        "sha256s": [item.sha256 for _, _, item in stored],
        "units": [ledger.ledger_unit for ledger in ledgers],
        "unit_sources": [ledger.unit_source for ledger in ledgers],
        "unit_options": [item.unit_option for _, _, item in stored],
        "report_dates": [ledger.report_date for ledger in ledgers],
        "effective_dates": [ledger.report_date or item.imported_at.date()
                            for ledger, (_, _, item) in zip(ledgers, stored)],
        "imported_at": [item.imported_at for _, _, item in stored],
        "actors": [item.actor for _, _, item in stored],
        "rows_read": [item.prepared.rows for _, _, item in stored],
        "rows_flagged": [item.prepared.flagged for _, _, item in stored],
        "archive_paths": [item.archive_path for _, _, item in stored]})
    con.register("batch_versions", pa.concat_tables([
        item.prepared.versions.select(VERSION_COLUMNS).add_column(
            0, "import_id", _int32_column(import_id, item.prepared.rows))
        for _, import_id, item in stored]))
    try:
        con.execute("INSERT INTO problem_versions SELECT * FROM batch_versions")
    finally:
        con.unregister("batch_versions")
    take_copied_tasks(con, ids)    # a row copying a 测评 task without its 交办编号 is that task: counted once
    parameters = {"ids": ids}
    con.execute(f"""UPDATE imports SET rows_new = c.rows_new, rows_updated = c.rows_updated
                    FROM ({_CHANGES_SQL}) c WHERE imports.import_id = c.import_id""", parameters)
    photos_store.stage_pictures(con, [(import_id, item.prepared.pictures) for _, import_id, item in stored])
    refresh_current(con, ids)
    if audit:
        con.execute("INSERT INTO audit_log SELECT unnest($logged_at::TIMESTAMP[]), unnest($actors), '导入', "
                    "unnest($details)", {
                        "logged_at": [item.imported_at for _, _, item in stored],
                        "actors": [item.actor for _, _, item in stored],
                        "details": [f"#{import_id} {item.prepared.ledger.file_name}（{item.prepared.ledger.ledger_unit}，"
                                    f"{item.prepared.rows}行）" for _, import_id, item in stored]})


def _int32_column(value: int, rows: int) -> pa.Array:
    """`rows` times `value`, built from its bytes (see _insert)."""
    return pa.Array.from_buffers(pa.int32(), rows, [None, pa.py_buffer(array.array("i", [value]) * rows)])


# A batch is written once this many rows wait (or the files run out): large enough that deriving is
# paid rarely, small enough that readers see a long import move on.
BATCH_ROWS = 40_000
# Readers are given a new copy at most this often while an import runs (and at its end): each copy
# costs a checkpoint and a file copy, which a morning's import should not pay after every batch.
PUBLISH_EVERY_SECONDS = 3.0
# The import's connection writes its batches to the log and into the file only when it publishes: a
# checkpoint after every commit would compress the same tables again and again.
_CHECKPOINT_THRESHOLD = "16GB"


def import_paths(db_path: Path | str | None, paths: Iterable[Path | str], *, unit: str | None = None,
                 actor: str = "命令行", now: dt.datetime | None = None,
                 progress: Callable[[ImportProgress], None] | None = None,
                 limits: ReadLimits = ReadLimits(), display_names: dict[Path, str] | None = None,
                 parse_workers: int = 0, batch_rows: int = BATCH_ROWS,
                 only_unit: str | None = None) -> list[ImportResult]:
    """Import files in order, parsed (ahead, in `parse_workers` processes for 3 files or more) while
    the batches before are written. Ledgers are stored in batches, each one transaction on the
    import's one connection; readers are given a copy of the database every few seconds and at the
    end, so a reader sees a batch whole or not at all. A score or readiness sheet goes to its own
    tables in a transaction of its own, after the ledgers before it. A refused file changes nothing;
    a batch that fails to store is stored again file by file, so only the file at fault is refused.
    With `only_unit` (a unit's login uploading) only that unit's own ledgers are taken
    (analytics/intake/own_unit.py); the others are refused before anything is archived."""
    db_path = schema.init_db(db_path)
    paths = [Path(p) for p in paths]
    results: list[ImportResult | None] = [None] * len(paths)
    report = progress or (lambda _: None)
    now = now or dt.datetime.now()
    workers = parse_workers if len(paths) >= PARSE_AHEAD_MIN_FILES else 0
    pending: list[tuple[int, str, StagedLedger]] = []     # (position, shown name, ledger)

    def finish(position: int, name: str, result: ImportResult) -> None:
        results[position] = result
        report(ImportProgress(position + 1, len(paths), name, "完成", result))

    with db.writing(db_path, actor=actor), db.connect(db_path) as con:
        con.execute(f"SET checkpoint_threshold = '{_CHECKPOINT_THRESHOLD}'")
        published_at = time.monotonic()

        def write_pending() -> None:
            for position, name, _ in pending:
                report(ImportProgress(position + 1, len(paths), name, "写入"))
            for (position, name, _), result in zip(pending, _store(con, [item for _, _, item in pending])):
                finish(position, name, result)
            pending.clear()

        def publish_now_and_then(position: int) -> None:
            nonlocal published_at
            # the last is published as the writer lets go (db.writing)
            if position < len(paths) - 1 and time.monotonic() - published_at >= PUBLISH_EVERY_SECONDS:
                con.execute("CHECKPOINT")
                db.publish(db_path)
                published_at = time.monotonic()

        aliases, words = point_type_aliases(con), office_words(con)
        listed_units = {name for (name,) in con.execute("SELECT name FROM units").fetchall()}
        parse = functools.partial(prepare_file, point_type_aliases=aliases, words=words, unit=unit,
                                  today=now.date(), limits=limits,
                                  stored_pictures=photos_store.stored_pictures(con), pictures_for=db_path)
        with ParseAhead(paths, parse, workers) as parsed_files:
            for position, (path, parsed) in enumerate(parsed_files):
                name = (display_names or {}).get(path, path.name)
                report(ImportProgress(position + 1, len(paths), name, "读取"))
                try:
                    sha256 = file_sha256(path)
                    prepared = parsed()
                    (prepared if isinstance(prepared, SHEET_TYPES)
                     else prepared.ledger).file_name = name
                    if only_unit is not None and (refusal := _not_own(prepared, name, only_unit, listed_units)):
                        finish(position, name, ImportResult(name, "refused", refusal))
                        continue
                    archived = archive_file(path, sha256, db_path)
                except FileRefused as refusal:
                    finish(position, name, ImportResult(name, "refused",
                                                        str(refusal).replace(f"“{path.name}”", f"“{name}”")))
                    continue
                except OSError as error:
                    finish(position, name, ImportResult(name, "refused",
                                                        f"文件“{name}”未导入：无法读取（{error.strerror or error}）"))
                    continue
                if isinstance(prepared, SHEET_TYPES):
                    write_pending()   # the ledgers before it keep the lower import numbers
                    report(ImportProgress(position + 1, len(paths), name, "写入"))
                    finish(position, name, _store_sheet(con, prepared, sha256, archived, actor, now))
                    publish_now_and_then(position)
                    continue
                pending.append((position, name, StagedLedger(prepared, sha256, archived, actor, now, unit)))
                if sum(item.prepared.rows for _, _, item in pending) >= batch_rows:
                    write_pending()
                    publish_now_and_then(position)
            if pending:
                write_pending()
        con.execute("CHECKPOINT")
    return results


def _not_own(prepared: PreparedLedger | Sheet, name: str, own_unit: str, listed_units: set[str]) -> str | None:
    if isinstance(prepared, SHEET_TYPES):
        return office_sheet_refusal(prepared, name, own_unit)
    rows = prepared.versions.select(["sheet", "source_row", "unit"]).to_pylist()
    return ledger_refusal(prepared.ledger, ((row["sheet"], row["source_row"], row["unit"]) for row in rows), name,
                          own_unit, listed_units)


def _store_sheet(con: duckdb.DuckDBPyConnection, sheet: Sheet, sha256: str,
                 archived: str, actor: str, now: dt.datetime) -> ImportResult:
    """A score, readiness or registry sheet in its own transaction; rolled back whole when it fails."""
    try:
        return import_sheet(con, sheet, sha256=sha256, archive_path=archived, actor=actor, now=now)
    except (duckdb.Error, ValueError) as error:
        return _refused_on_write(sheet.file_name, error)


def _store(con: duckdb.DuckDBPyConnection, staged: list[StagedLedger]) -> list[ImportResult]:
    """write_batch; when the batch fails (rolled back), each file alone."""
    try:
        return write_batch(con, staged)
    except (duckdb.Error, ValueError) as error:
        if len(staged) > 1:
            return [result for item in staged for result in _store(con, [item])]
        return [_refused_on_write(staged[0].prepared.ledger.file_name, error)]


def _refused_on_write(name: str, error: Exception) -> ImportResult:
    return ImportResult(name, "refused", f"文件“{name}”未导入：写入时出错，已回滚，数据库未改动"
                                         f"（{type(error).__name__}: {error}）")


# photo_uploads and photo_files carried: an uploaded photo is in no archived ledger (the ledgers' own
# pictures, already described, are only placed again as they are replayed)
_CARRIED_TABLES = ("point_type_aliases", "point_aliases", "office_words", "units", "settings", "calendar_overrides",
                   "audit_log", "photo_uploads", "photo_files")


def rebuild(db_path: Path | str | None, *, actor: str = "命令行") -> str:
    """Re-import every archived ledger, in its original order, into a fresh file and swap it in.

    Settings, the unit list, aliases, the users' status and source words (the ledgers are read again
    with the words in force) and the audit log are carried over; import ids, times and undo
    marks are kept, so the rebuilt figures equal the old ones when the archive is complete."""
    db_path = Path(db_path) if db_path is not None else db.default_db_path()
    archive = db.archive_dir(db_path)
    with db.writing(db_path, actor=actor):
        with db.connect(db_path, read_only=True) as old:
            imports = db.fetch_records(old, "SELECT * FROM imports ORDER BY import_id")
            score_imports = score_store.score_imports_for_rebuild(old)
            readiness_imports = readiness_store.SHEETS.imports_for_rebuild(old)
            registry_imports = registry_store.SHEETS.imports_for_rebuild(old)
            carried = {table: old.execute(f"SELECT * FROM {table}").df() for table in _CARRIED_TABLES}
        sheet_imports = [*score_imports, *readiness_imports, *registry_imports]
        missing = [record["file_name"] for record in [*imports, *sheet_imports]
                   if not (archive / record["archive_path"]).exists()]
        if missing:
            raise FileRefused(f"无法重建：归档中缺少{len(missing)}个原始文件（如“{missing[0]}”）。数据库未改动。")
        handle, temporary = tempfile.mkstemp(suffix=".duckdb", dir=db_path.parent)
        os.close(handle)
        os.unlink(temporary)
        temporary = Path(temporary)
        try:
            with db.connect(temporary) as con:
                schema.ensure_schema(con)
                for table, frame in carried.items():
                    con.execute(f"DELETE FROM {table}")
                    con.register("carried_rows", frame)
                    con.execute(f"INSERT INTO {table} SELECT * FROM carried_rows")
                    con.unregister("carried_rows")
                aliases, words = point_type_aliases(con), office_words(con)
                stored = photos_store.stored_pictures(con)   # carried: a replayed picture is not decoded again
                # ledgers, score sheets and undos in the order they happened: a score sheet's tasks are
                # what later ledgers copy, and a later round re-tests the tasks of the earlier ones
                # (an undo goes after the last import made before it)
                replayed = sorted([*imports, *score_imports], key=lambda record: record["import_id"])
                events = [(int(record["import_id"]), False, record) for record in replayed]
                events += [(max([int(record["import_id"]), *(int(other["import_id"]) for other in replayed
                                                              if other["imported_at"] <= record["undone_at"])]),
                            True, record) for record in replayed if record["undone_at"] is not None]
                for _, undo, record in sorted(events, key=lambda event: event[:2]):
                    import_id = int(record["import_id"])
                    table = "score_imports" if "shape" in record else "imports"
                    if undo:
                        replay_undo_mark(con, table, record)
                        if table == "imports":
                            photos_store.remove_refs(con, import_id)
                        refresh_current(con, [import_id])
                    elif table == "score_imports":
                        sheet = score_store.read_archived(record, archive, aliases)
                        store_score_sheet(con, sheet, sha256=record["sha256"], archive_path=record["archive_path"],
                                          actor=record["imported_by"], now=record["imported_at"],
                                          import_id=import_id, audit=False)
                    else:
                        imported_at, unit_option = record["imported_at"], record["unit_option"]
                        prepared = prepare_ledger(archive / record["archive_path"], point_type_aliases=aliases,
                                                  words=words, unit=unit_option, today=imported_at.date(),
                                                  stored_pictures=stored, pictures_for=db_path)
                        prepared.ledger.file_name = record["file_name"]
                        write_batch(con, [StagedLedger(prepared, record["sha256"], record["archive_path"],
                                                       record["imported_by"], imported_at, unit_option,
                                                       import_id)], audit=False)
                readiness_store.SHEETS.replay(con, readiness_imports, archive)
                registry_store.SHEETS.replay(con, registry_imports, archive)
                # the score sheets' undo marks were placed in their turn above
                for table, records in (("readiness_imports", readiness_imports), ("registry_imports", registry_imports)):
                    for record in records:
                        replay_undo_mark(con, table, record)
                replayed = len(imports) + len(sheet_imports)
                con.execute("INSERT INTO audit_log VALUES (?, ?, '重建数据库', ?)",
                            [dt.datetime.now(), actor, f"从归档重放{replayed}次导入"])
            os.replace(temporary, db_path)
        finally:
            temporary.unlink(missing_ok=True)
    return f"已从归档重建数据库：重放{replayed}次导入。"
