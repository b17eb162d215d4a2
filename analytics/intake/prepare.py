"""A file read into what the writer stores: a ledger's rows as an Arrow table, a score or readiness
sheet as read. For a batch this runs in the parser's worker processes (analytics/intake/workers.py),
so it imports neither pandas nor openpyxl nor the writer.
"""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from analytics.ledger.derive import VERSION_COLUMNS
from analytics.ledger.parse import ParsedLedger, parse_ledger
from analytics.photos.files import keep_picture
from analytics.photos.placing import LedgerPictures, place_pictures
from analytics.photos.reading import PackageUnreadable, read_pictures
from analytics.intake.recognise import SHEET_TYPES, Sheet, parse_file

# Arrow types of the version columns that are not text.
_VERSION_TYPES = {"source_row": pa.int32(), "point_type_known": pa.bool_(), "found_date": pa.date32(),
                  "deadline": pa.date32(), "rectified_date": pa.date32(), "closed_date": pa.date32(),
                  "flags": pa.list_(pa.string())}


@dataclass
class PreparedLedger:
    """A parsed ledger ready to store: its rows as an Arrow table in the column order of
    problem_versions (but import_id), and its pictures placed on its rows. It is made where the file
    was parsed, so a worker process takes that work (the pictures' checks and files too) off the
    writer; the ledger's columns are dropped once tabled."""
    ledger: ParsedLedger
    versions: pa.Table
    rows: int
    flagged: int
    pictures: LedgerPictures


def prepare_ledger(path: Path, *, stored_pictures: Mapping[str, str] | None = None,
                   pictures_for: Path | None = None, **parse_options) -> PreparedLedger:
    """parse_ledger, then the rows as an Arrow table (several times faster than a DataFrame of objects).
    The pictures already stored (sha256 → ext, photo_files) are not looked at again; the accepted
    ones are stored for the database `pictures_for` (analytics.photos.files; None: not stored)."""
    return _tabled(parse_ledger(path, **parse_options), path, stored_pictures, pictures_for)


def prepare_file(path: Path, *, stored_pictures: Mapping[str, str] | None = None,
                 pictures_for: Path | None = None, **parse_options) -> PreparedLedger | Sheet:
    """Any file as it comes in: a score sheet (recognised by its content) as read, a ledger tabled."""
    parsed = parse_file(path, **parse_options)
    return parsed if isinstance(parsed, SHEET_TYPES) else _tabled(parsed, path, stored_pictures, pictures_for)


def _pictures(ledger: ParsedLedger, path: Path, stored: Mapping[str, str] | None,
              pictures_for: Path | None) -> LedgerPictures:
    """The ledger's pictures placed on its rows (flags on the rows they concern); notes to its warnings."""
    keep = functools.partial(keep_picture, pictures_for) if pictures_for is not None else None
    try:
        pictures = place_pictures(ledger, read_pictures(path), stored, keep)
    except PackageUnreadable as error:
        pictures = LedgerPictures(notes=[f"文件中的图片未能读取：{error}"])
    ledger.warnings.extend(pictures.notes)
    return pictures


def _tabled(ledger: ParsedLedger, path: Path, stored_pictures: Mapping[str, str] | None,
            pictures_for: Path | None) -> PreparedLedger:
    pictures = _pictures(ledger, path, stored_pictures, pictures_for)
    versions = pa.table({name: pa.array(ledger.columns[name], _VERSION_TYPES.get(name, pa.string()))
                         for name in VERSION_COLUMNS})
    return PreparedLedger(dataclasses.replace(ledger, columns={}), versions, versions.num_rows, ledger.flagged,
                          pictures)
