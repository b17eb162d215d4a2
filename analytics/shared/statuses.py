"""The four statuses of a problem's life (交办 → 待整改 → 整改中 → 已整改 → 已销号), defined once.

Everything else names them by these constants: the readers' many spellings (office_words, the default
word list defaults/statuses.csv) map onto them, the figures count them, SQL is built from them."""
from __future__ import annotations

from collections.abc import Iterable

PENDING = "待整改"        # handed over, nothing done yet
IN_PROGRESS = "整改中"
RECTIFIED = "已整改"      # the unit says done, not yet verified
CLOSED = "已销号"         # verified and closed by 创文办

STATUSES = (PENDING, IN_PROGRESS, RECTIFIED, CLOSED)   # in the order of a problem's life
OPEN_STATUSES = (PENDING, IN_PROGRESS)                  # 未整改; overdue when past the deadline
DONE_STATUSES = (RECTIFIED, CLOSED)                     # what 整改率 counts
# The column of each status's count in the figures' frames (metrics, charts, bulletin).
STATUS_COLUMNS = dict(zip(STATUSES, ("pending", "in_progress", "rectified", "closed")))


def sql_text(status: str) -> str:
    """A status as an SQL string literal, for SQL fragments built from these constants (code, never input)."""
    if status not in STATUSES:
        raise ValueError(f"“{status}”不是整改状态，可选：{'、'.join(STATUSES)}。")
    return f"'{status}'"


def sql_list(statuses: Iterable[str]) -> str:
    """Statuses as the items of an SQL IN (…) list."""
    return ", ".join(sql_text(status) for status in statuses)
