"""Pictures stored once by content: their files under the data folder (analytics.photos.files; a
thumbnail made when first shown), their descriptions in photo_files, and where each import put them
in photo_refs, written in the import's own transaction. Undo removes an import's references (the
files stay: another import may hold the same bytes); a rebuild replays the archived ledgers and so
restores both."""
from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import duckdb

from analytics.photos.files import Picture, PictureInfo, keep_picture, picture_path, thumbnail_path, write_once
from analytics.photos.placing import LedgerPictures, PlacedPicture
from analytics.shared.db import transaction


def database_of(con: duckdb.DuckDBPyConnection) -> Path:
    """The database file behind a connection; for a reader's published copy (<db>.published/N.duckdb,
    analytics.shared.db.copies_dir), the database it copies, beside which the pictures are."""
    path = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                            ).fetchone()[0])
    published = path.parent
    if published.name.endswith(".published"):
        return published.with_name(published.name.removesuffix(".published"))
    return path


def thumbnail_uri(db_path: Path | str, sha256: str, ext: str) -> str | None:
    """The thumbnail as a data: URI (a table cell can show it without serving files), None when the
    picture is lost. Made from the picture the first time it is shown, then kept: the import does not
    wait for thumbnails."""
    path = thumbnail_path(db_path, sha256)
    if not path.exists():
        picture = picture_path(db_path, sha256, ext)
        if not picture.exists():
            return None
        from analytics.photos.images import thumbnail   # Pillow only where a thumbnail is made

        write_once(path, thumbnail(picture.read_bytes()))
    return "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode()


def exposure_pictures(con: duckdb.DuckDBPyConnection, exposed) -> tuple[tuple[bytes | None, bytes | None], ...]:
    """The first 整改前 and 整改后 photo of each problem of analytics.photos.model.exposure, ready for a
    document page (images.for_document); None where there is none or its file is lost."""
    from analytics.photos.images import for_document   # Pillow only for a document that shows photos

    db_path = database_of(con)

    def read(sha: object, ext: object) -> bytes | None:
        if not isinstance(sha, str):
            return None
        path = picture_path(db_path, sha, str(ext))
        return for_document(path.read_bytes()) if path.exists() else None
    return tuple((read(row.before_sha, row.before_ext), read(row.after_sha, row.after_ext))
                 for row in exposed.itertuples())


def stored_pictures(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """sha256 → ext of the pictures described in photo_files: a ledger that carries them again (the
    usual morning: yesterday's photos in today's ledger) has them placed without looking at them."""
    return dict(con.execute("SELECT sha256, ext FROM photo_files").fetchall())


def stage_pictures(con: duckdb.DuckDBPyConnection, imports: list[tuple[int, LedgerPictures]], *,
                   files_only: bool = False) -> None:
    """The imports' pictures and picture columns, within the caller's transaction (`files_only`: only
    the pictures' descriptions, for an upload, which records where they go itself)."""
    described = list({info.sha256: info for _, pictures in imports for info in pictures.accepted
                      if isinstance(info, PictureInfo)}.values())
    if described:
        con.execute("""
            INSERT INTO photo_files (sha256, ext, bytes, width, height, taken_at, phash)
            SELECT * FROM (SELECT unnest($sha256s) AS sha256, unnest($exts), unnest($bytes::BIGINT[]),
                                  unnest($widths::INTEGER[]), unnest($heights::INTEGER[]),
                                  unnest($taken::TIMESTAMP[]), unnest($phashes::VARCHAR[]))
            WHERE sha256 NOT IN (SELECT sha256 FROM photo_files)""", {
            "sha256s": [info.sha256 for info in described], "exts": [info.ext for info in described],
            "bytes": [info.size for info in described], "widths": [info.width for info in described],
            "heights": [info.height for info in described], "taken": [info.taken_at for info in described],
            "phashes": [info.phash for info in described]})
    if files_only:
        return
    refs = [(import_id, picture) for import_id, pictures in imports for picture in pictures.pictures]
    if refs:
        # bytes the decoding after an import found broken (photo_files.unreadable) are refused wherever they
        # come again: photo_refs.refused is what every reader goes by
        con.execute("""
            INSERT INTO photo_refs
            SELECT r.import_id, r.problem_key, r.kind, r.position, r.sheet, r.cell, r.form, r.sha256,
                   coalesce(r.refused, f.unreadable), r.note
            FROM (SELECT unnest($ids::INTEGER[]) AS import_id, unnest($keys::VARCHAR[]) AS problem_key,
                         unnest($kinds::VARCHAR[]) AS kind, unnest($positions::INTEGER[]) AS position,
                         unnest($sheets) AS sheet, unnest($cells) AS cell, unnest($forms) AS form,
                         unnest($sha256s::VARCHAR[]) AS sha256, unnest($refused::VARCHAR[]) AS refused,
                         unnest($notes::VARCHAR[]) AS note) r
                 LEFT JOIN photo_files f ON f.sha256 = r.sha256""", {
            "ids": [import_id for import_id, _ in refs], "keys": [p.problem_key for _, p in refs],
            "kinds": [p.kind for _, p in refs], "positions": [p.position for _, p in refs],
            "sheets": [p.sheet for _, p in refs], "cells": [p.cell for _, p in refs],
            "forms": [p.form for _, p in refs], "sha256s": [p.sha256 for _, p in refs],
            "refused": [p.refused for _, p in refs], "notes": [p.note for _, p in refs]})
    columns = [(import_id, sorted(pictures.kinds)) for import_id, pictures in imports if pictures.kinds]
    if columns:
        con.execute("INSERT INTO photo_columns SELECT unnest($ids::INTEGER[]), unnest($kinds::VARCHAR[][])",
                    {"ids": [import_id for import_id, _ in columns], "kinds": [kinds for _, kinds in columns]})


def _check_own_problem(con: duckdb.DuckDBPyConnection, problem_key: str, only_unit: str | None) -> None:
    """The problem exists and, for a unit's login (`only_unit`), is that unit's."""
    row = con.execute("SELECT unit FROM problems WHERE problem_key = ?", [problem_key]).fetchone()
    if row is None:
        raise LookupError(f"没有编号为“{problem_key}”的问题。")
    if only_unit is not None and row[0] != only_unit:
        raise ValueError(f"问题“{problem_key}”的责任单位是{row[0] or '未填写'}：本账号只能为{only_unit}自己的问题上传或撤销照片。")


def upload_photos(con: duckdb.DuckDBPyConnection, db_path: Path | str, problem_key: str,
                  photos: list[tuple[str, bytes]], *, actor: str, now: dt.datetime | None = None,
                  only_unit: str | None = None) -> str:
    """Attach 整改后 photos (file name, bytes: JPEG, PNG or HEIC) to a problem, as one upload; a picture
    that cannot be used is refused with its reason, the others kept. A phone sends a few: they are
    decoded and hashed at once. Returns what was done, in Chinese.
    A unit's login (`only_unit`) may do so for its own problems only."""
    from analytics.photos.images import examine   # Pillow only when photos come in

    now = now or dt.datetime.now()
    _check_own_problem(con, problem_key, only_unit)
    examined = [(name, data, examine(data)) for name, data in photos]
    accepted = [info for _, _, info in examined if isinstance(info, Picture)]
    refused = [f"“{name}”未采用：{info.reason}" for name, _, info in examined if not isinstance(info, Picture)]
    if not accepted:
        raise ValueError("没有可用的照片。" + "；".join(refused))
    for _, data, info in examined:
        if isinstance(info, Picture):
            keep_picture(db_path, info, data)
    with transaction(con):
        upload_id, = con.execute("SELECT coalesce(max(upload_id), 0) + 1 FROM photo_uploads").fetchone()
        stage_pictures(con, [(0, LedgerPictures(pictures=[PlacedPicture(
            problem_key, "after", 0, "", "", "upload", info.sha256, info) for info in accepted]))],
            files_only=True)
        con.execute("""
            INSERT INTO photo_uploads
            SELECT $id, $key, unnest($positions::INTEGER[]), unnest($sha256s), $at, $by, NULL, NULL""",
                    {"id": upload_id, "key": problem_key, "positions": list(range(1, len(accepted) + 1)),
                     "sha256s": [info.sha256 for info in accepted], "at": now, "by": actor})
        con.execute("INSERT INTO audit_log VALUES (?, ?, '上传照片', ?)",
                    [now, actor, f"第{upload_id}次上传：问题{problem_key}，整改后照片{len(accepted)}张"])
    return f"已上传第{upload_id}次：整改后照片{len(accepted)}张" + ("；" + "；".join(refused) if refused else "") + "。"


def undo_upload(con: duckdb.DuckDBPyConnection, upload_id: int, *, actor: str, now: dt.datetime | None = None,
                only_unit: str | None = None) -> str:
    """Take an upload back: its photos no longer count (the files stay, content-addressed). A unit's
    login (`only_unit`) may do so for its own problems only."""
    now = now or dt.datetime.now()
    row = con.execute("SELECT any_value(problem_key), count(*), bool_or(undone_at IS NOT NULL) FROM photo_uploads "
                      "WHERE upload_id = ?", [upload_id]).fetchone()
    if not row[1]:
        raise LookupError(f"没有编号为 {upload_id} 的照片上传。")
    _check_own_problem(con, row[0], only_unit)
    if row[2]:
        raise LookupError(f"第{upload_id}次照片上传已撤销过。")
    with transaction(con):
        con.execute("UPDATE photo_uploads SET undone_at = ?, undone_by = ? WHERE upload_id = ?", [now, actor, upload_id])
        con.execute("INSERT INTO audit_log VALUES (?, ?, '撤销照片上传', ?)",
                    [now, actor, f"第{upload_id}次上传：问题{row[0]}"])
    return f"已撤销第{upload_id}次照片上传（问题{row[0]}，{row[1]}张）。"


def remove_refs(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """An undone import's pictures no longer count (within the caller's transaction)."""
    con.execute("DELETE FROM photo_refs WHERE import_id = ?", [import_id])
    con.execute("DELETE FROM photo_columns WHERE import_id = ?", [import_id])


def missing_files(con: duckdb.DuckDBPyConnection, db_path: Path | str) -> list[str]:
    """The stored pictures whose file is not under the data folder (a lost thumbnail is made again)."""
    missing = []
    for sha256, ext in con.execute("SELECT sha256, ext FROM photo_files ORDER BY sha256").fetchall():
        if not picture_path(db_path, sha256, ext).exists():
            missing.append(f"{sha256[:12]}.{ext}")
    return missing


def had_pictures(con: duckdb.DuckDBPyConnection, unit: str) -> bool:
    """Did any of the unit's ledgers still counted carry pictures?"""
    return con.execute("""
        SELECT count(*) > 0 FROM photo_refs r JOIN imports i USING (import_id)
        WHERE i.ledger_unit = ? AND i.undone_at IS NULL""", [unit]).fetchone()[0]
