"""Import: read any unit's 台账 file (or a 模拟测评 score sheet, or a readiness sheet — 测评体系分解表,
网上申报 status, 问卷调查 results — each recognised by its content), normalise it and store it with its
history."""
from analytics.ingest.parse import ParsedLedger, parse_ledger
from analytics.ingest.reader import FileRefused, ReadLimits
from analytics.ingest.batch import import_paths, rebuild
from analytics.ingest.store import ImportResult, undo_import

__all__ = ["FileRefused", "ImportResult", "ParsedLedger", "ReadLimits", "import_paths", "parse_ledger",
           "rebuild", "undo_import"]
