"""Chinese numerals as the office writes them (第三轮, 后三名, （十二）, 限期三天), both ways, defined once.
The numbers written so stay below a hundred: rounds, ranks, sections, days."""
from __future__ import annotations

_DIGITS = "零一二三四五六七八九"
_DIGIT_VALUES = {**{digit: value for value, digit in enumerate(_DIGITS)}, "〇": 0, "两": 2}


def chinese_number(number: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 0 → 零."""
    if not 0 <= number < 100:
        raise ValueError(f"{number} 不在 0–99 之内，不写成中文数字。")
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGITS[ones]
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"


def number_value(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 两 → 2, 〇 → 0, 3 / ３ → 3; None when the text is no such number."""
    if text.isdigit():
        return int(text)
    tens, ten, ones = text.partition("十")
    if not ten:
        return _DIGIT_VALUES.get(text)
    tens_value = _DIGIT_VALUES.get(tens) if tens else 1
    ones_value = _DIGIT_VALUES.get(ones) if ones else 0
    if tens_value is None or ones_value is None:
        return None
    return tens_value * 10 + ones_value
