"""Settings kept in the database: the 测评 date and the thresholds of the falling-behind flags."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields

import duckdb

from analytics.db import transaction


@dataclass(frozen=True)
class Settings:
    test_date: dt.date | None = None   # 测评日期
    rate_gap_pct: float = 10.0         # 整改率低于总体超过这么多个百分点即为落后
    min_group_size: int = 5            # 问题少于此数的分组不参加整改率、反弹率比较和排名
    last_n: int = 3                    # 后几名
    backlog_growth: int = 5            # 未整改数较上周增加这么多条即为落后
    overdue_min: int = 10              # 逾期这么多条即为落后
    silent_days: int = 7               # 这么多天没有报送台账即为未报送
    rebound_days: int = 30             # 整改后这么多天内同一点位再现同类问题算反弹
    rebound_rate_pct: float = 10.0     # 反弹率达到这么多即为落后


SETTING_LABELS = {
    "test_date": "测评日期",
    "rate_gap_pct": "整改率低于总体的百分点",
    "min_group_size": "参加比较的最少问题数",
    "last_n": "后几名",
    "backlog_growth": "未整改数周增长条数",
    "overdue_min": "逾期条数",
    "silent_days": "未报送天数",
    "rebound_days": "反弹认定天数",
    "rebound_rate_pct": "反弹率百分比",
}


def _parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def _parse_count(text: str) -> int:
    value = int(text.strip())
    if value < 0:
        raise ValueError
    return value


def _parse_positive(text: str) -> int:
    value = _parse_count(text)
    if value == 0:
        raise ValueError
    return value


def _parse_percent(text: str) -> float:
    value = float(text.strip().rstrip("%"))
    if not 0 <= value <= 100:
        raise ValueError
    return value


# key -> (parser of the stored/typed text, what a valid value looks like)
_PARSERS: dict[str, tuple[Callable[[str], object], str]] = {
    "test_date": (_parse_date, "形如 2026-12-01 的日期"),
    "rate_gap_pct": (_parse_percent, "0 到 100 之间的数"),
    "min_group_size": (_parse_count, "不小于 0 的整数"),
    "last_n": (_parse_positive, "正整数"),
    "backlog_growth": (_parse_positive, "正整数"),
    "overdue_min": (_parse_positive, "正整数"),
    "silent_days": (_parse_positive, "正整数"),
    "rebound_days": (_parse_positive, "正整数"),
    "rebound_rate_pct": (_parse_percent, "0 到 100 之间的数"),
}
assert set(_PARSERS) == {f.name for f in fields(Settings)} == set(SETTING_LABELS)


def _check_key(key: str) -> None:
    if key not in _PARSERS:
        raise ValueError(f"没有名为“{key}”的设置项，可选：{'、'.join(_PARSERS)}。")


def parse_setting(key: str, value: object) -> object:
    """The typed value of a setting, or ValueError with a Chinese message."""
    _check_key(key)
    parser, expected = _PARSERS[key]
    try:
        return parser(value.isoformat() if isinstance(value, dt.date) else str(value))
    except ValueError:
        raise ValueError(f"设置项“{SETTING_LABELS[key]}”（{key}）的值“{value}”无效，应为{expected}。") from None


def get_settings(con: duckdb.DuckDBPyConnection) -> Settings:
    """Stored values over the defaults; a stored value that no longer parses keeps the default."""
    stored = dict(con.execute("SELECT key, value FROM settings").fetchall())
    values = {}
    for key in _PARSERS:
        if key in stored:
            try:
                values[key] = parse_setting(key, stored[key])
            except ValueError:
                continue
    return Settings(**values)


def set_setting(con: duckdb.DuckDBPyConnection, key: str, value: object, *,
                actor: str = "命令行", now: dt.datetime | None = None) -> Settings:
    """Validate and store one setting (None or an empty text: back to the default), and note the
    change in the audit log. Returns the settings now in force."""
    with transaction(con):
        store_setting(con, key, value, actor=actor, now=now)
    return get_settings(con)


def store_setting(con: duckdb.DuckDBPyConnection, key: str, value: object, *,
                  actor: str = "命令行", now: dt.datetime | None = None) -> None:
    """set_setting within the caller's transaction (a change that must land whole with others)."""
    _check_key(key)
    text = None
    if not (value is None or (isinstance(value, str) and not value.strip())):
        typed = parse_setting(key, value)
        text = typed.isoformat() if isinstance(typed, dt.date) else str(typed)
    con.execute("DELETE FROM settings WHERE key = ?", [key])
    if text is not None:
        con.execute("INSERT INTO settings VALUES (?, ?)", [key, text])
    con.execute("INSERT INTO audit_log VALUES (?, ?, '修改设置', ?)",
                [now or dt.datetime.now(), actor,
                 f"{SETTING_LABELS[key]}（{key}）= {text if text is not None else '恢复默认'}"])


def describe_settings(con: duckdb.DuckDBPyConnection) -> str:
    """One line per setting: its Chinese label, key and value in force (with “默认” when unset)."""
    stored = {row[0] for row in con.execute("SELECT key FROM settings").fetchall()}
    current = get_settings(con)
    lines = []
    for key, label in SETTING_LABELS.items():
        value = getattr(current, key)
        shown = "未设置" if value is None else value.isoformat() if isinstance(value, dt.date) else value
        lines.append(f"{label}（{key}）：{shown}{'' if key in stored else '（默认）'}")
    return "\n".join(lines)
