"""A file read into what the writer stores: a ledger's rows as an Arrow table, a score or readiness
sheet as read. For a batch this runs in the parser's worker processes (analytics/intake/workers.py),
so it imports neither pandas nor openpyxl nor the writer.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from analytics.ledger.derive import VERSION_COLUMNS
from analytics.ledger.parse import ParsedLedger, parse_ledger
from analytics.intake.recognise import SHEET_TYPES, Sheet, parse_file

# Arrow types of the version columns that are not text.
_VERSION_TYPES = {"source_row": pa.int32(), "point_type_known": pa.bool_(), "found_date": pa.date32(),
                  "deadline": pa.date32(), "rectified_date": pa.date32(), "closed_date": pa.date32(),
                  "flags": pa.list_(pa.string())}


@dataclass
class PreparedLedger:
    """A parsed ledger ready to store: its rows as an Arrow table in the column order of
    problem_versions (but import_id). It is made where the file was parsed, so a worker process
    takes that work off the writer too; the ledger's columns are dropped once tabled."""
    ledger: ParsedLedger
    versions: pa.Table
    rows: int
    flagged: int


def prepare_ledger(path: Path, **parse_options) -> PreparedLedger:
    """parse_ledger, then the rows as an Arrow table (several times faster than a DataFrame of objects)."""
    return _tabled(parse_ledger(path, **parse_options))


def prepare_file(path: Path, **parse_options) -> PreparedLedger | Sheet:
    """Any file as it comes in: a score sheet (recognised by its content) as read, a ledger tabled."""
    parsed = parse_file(path, **parse_options)
    return parsed if isinstance(parsed, SHEET_TYPES) else _tabled(parsed)


def _tabled(ledger: ParsedLedger) -> PreparedLedger:
    versions = pa.table({name: pa.array(ledger.columns[name], _VERSION_TYPES.get(name, pa.string()))
                         for name in VERSION_COLUMNS})
    return PreparedLedger(dataclasses.replace(ledger, columns={}), versions, versions.num_rows, ledger.flagged)
