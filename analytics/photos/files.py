"""Pictures stored once by content under the data folder (photos/ab/<sha256>.<ext>, a thumbnail in
photos/thumbs/ab/<sha256>.jpg), and what is known of each. This module needs neither Pillow nor the
database: the parser's workers store a ledger's pictures as they read them, so their bytes never
travel back to the writer."""
from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from analytics.shared.db import photos_dir

THUMBNAIL_EXT = "jpg"


@dataclass(frozen=True)
class Picture:
    """A picture accepted. Bytes already stored are this alone: they were checked and described
    (photo_files) when they first came."""
    sha256: str
    ext: str


@dataclass(frozen=True)
class PictureInfo(Picture):
    """A picture accepted and described, for photo_files. `phash` is None until the picture has been
    decoded (analytics.photos.describe, after the import that brought it)."""
    size: int
    width: int
    height: int
    taken_at: dt.datetime | None
    phash: str | None


@dataclass(frozen=True)
class PictureRefused:
    sha256: str | None
    reason: str


def picture_path(db_path: Path | str, sha256: str, ext: str) -> Path:
    return photos_dir(db_path) / sha256[:2] / f"{sha256}.{ext}"


def thumbnail_path(db_path: Path | str, sha256: str) -> Path:
    return photos_dir(db_path) / "thumbs" / sha256[:2] / f"{sha256}.{THUMBNAIL_EXT}"


def write_once(path: Path, data: bytes) -> None:
    """Content-addressed: a file already there holds these bytes. Written whole or not at all, so
    two processes storing the same picture at once both leave it whole."""
    if path.exists():
        return
    if not path.parent.is_dir():   # a stat: a morning's hundreds of mkdir calls cost a quarter second
        path.parent.mkdir(parents=True, exist_ok=True)
    # one writer (process and thread: the dashboard's sessions make thumbnails) to a name; mkstemp's
    # random names cost a tenth of a morning's photo import
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def keep_picture(db_path: Path | str, picture: Picture, data: bytes) -> None:
    """A picture's file on disk, before the transaction that refers to it (a file no row refers to is
    harmless, a row without its file is not); a stored picture whose file was lost gets it back."""
    write_once(picture_path(db_path, picture.sha256, picture.ext), data)
