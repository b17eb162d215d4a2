"""Import: read any unit's 台账 file (or a 模拟测评 score sheet, or a readiness sheet — 测评体系分解表,
网上申报 status, 问卷调查 results — each recognised by its content), normalise it and store it with its
history.

The names below are loaded when first asked for: the parser's worker processes import this package
and must not pay for the writer's imports (pandas, DuckDB's storing side).
"""
import importlib

_HOMES = {"FileRefused": "analytics.shared.reading.reader", "ReadLimits": "analytics.shared.reading.reader",
          "ParsedLedger": "analytics.ledger.parse", "parse_ledger": "analytics.ledger.parse",
          "import_paths": "analytics.intake.batch", "rebuild": "analytics.intake.batch",
          "ImportResult": "analytics.intake.store", "undo_import": "analytics.intake.undo"}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
