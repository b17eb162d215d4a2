"""How a round (轮次) is read and named, once, for the score sheets and the readiness surveys alike:
第三轮 / 第3轮 / 第 3 次模拟测评 / a 轮次 cell holding 3 → ("第三轮", 3)."""
from __future__ import annotations

import re

from analytics.shared.numerals import chinese_number, number_value
from analytics.shared.vocab import clean_text

# The words after 第N that make it a round. On a score sheet 次 counts only before 测评 (2026年第2次模拟测评)
# and 第一批问题 is a batch of problems; a survey also numbers its rounds by 次, 期 and 批.
SCORE_ROUND_WORDS = r"轮|次(?=\S{0,4}测评)"
SURVEY_ROUND_WORDS = r"轮|次|期|批"


def round_label(number: int) -> str:
    """3 → 第三轮: the one name of a round, however it was written."""
    return f"第{chinese_number(number)}轮"


def read_round(text: object, words: str = SCORE_ROUND_WORDS) -> tuple[str, int] | None:
    """The round a text (a title, a sheet or file name) names: ("第三轮", 3), or None."""
    match = re.search(rf"第(\d{{1,2}}|[〇零一二两三四五六七八九十]{{1,3}})(?:{words})", clean_text(text).replace(" ", ""))
    number = number_value(match.group(1)) if match else None
    return (round_label(number), number) if number else None


def read_round_cell(raw: object, words: str = SCORE_ROUND_WORDS) -> tuple[str, int | None] | None:
    """A 轮次 cell: a number (3, 3.0, "3", "三"), a round named (第三轮), or other words kept as the label
    with no number (秋季调查); None for an empty cell."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return (round_label(raw), raw) if 0 < raw < 100 else (str(raw), None)
    text = clean_text(raw)
    if not text:
        return None
    return read_round(text, words) or read_round(f"第{text}轮") or (text, None)
