"""Settings kept in the database: the 测评 window, the thresholds of the falling-behind flags and the
measure units are ranked by."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields

import duckdb

from analytics.shared.db import transaction


@dataclass(frozen=True)
class Settings:
    test_date: dt.date | None = None   # 测评日期（窗口首日）
    test_date_end: dt.date | None = None  # 测评窗口末日（只有一天时不设）
    rate_gap_pct: float = 10.0         # 整改率低于总体超过这么多个百分点即为落后
    min_group_size: int = 5            # 问题少于此数的分组不参加整改率、反弹率比较和排名
    last_n: int = 3                    # 后几名
    backlog_growth: int = 5            # 未整改数较上周增加这么多条即为落后
    overdue_min: int = 10              # 逾期这么多条即为落后
    silent_days: int = 7               # 这么多天没有报送台账即为未报送
    rebound_days: int = 30             # 整改后这么多天内同一点位再现同类问题算反弹
    rebound_rate_pct: float = 10.0     # 反弹率达到这么多即为落后
    score_line: float = 85.0           # 模拟测评得分低于此线的类型、单位被点名
    sprint_days: int = 14              # 测评前这么多天为冲刺期，各单位每天报送
    sprint_silent_days: int = 2        # 冲刺期内这么多天没有报送即为未报送
    ranking_measure: str = "整改率"     # 红榜、后几名按什么排（RANKING_MEASURES）
    notice_days: int = 5               # 通报的限时整改日期：印发后这么多天
    interview_weeks: int = 2           # 连续这么多周列后几名即列入约谈名单
    interview_overdue: int = 20        # 逾期超过这么多条即列入约谈名单
    interview_reopened: int = 3        # 返工达到这么多条即列入约谈名单
    interview_last_below: bool = True  # 约谈：最近一轮测评中单项工作或单位列后几名且低于合格线（问责规则）
    interview_most_lost: int = 3       # 约谈：最近一轮测评丢分最多的这么多个单位（0：不用此条）
    task_deadline_days: int = 3        # 测评扣分交办的整改时限：测评日期后这么多天
    weight_field: float = 40.0         # 预测测评得分时实地考察、网上申报、问卷调查的权重
    weight_online: float = 40.0
    weight_survey: float = 20.0
    target_awareness_pct: float = 90.0       # 问卷调查目标：知晓率、支持率、参与率、满意度
    target_support_pct: float = 90.0
    target_participation_pct: float = 85.0
    target_satisfaction_pct: float = 85.0
    pending_credit_pct: float = 0.0    # 待审核的网上申报材料按分值的这么多百分比计入预测（0：通过前不计分）
    photo_hash_distance: int = 6       # 两张照片的感知哈希相差不超过这么多位即视为同一张（同图多用）
    no_evidence_blocks_closing: bool = True   # 无整改后照片（无佐证）的问题不计为已销号（仍计入整改率）
    unvisited_days: int = 14           # 点位这么多天里没有发现问题、也没有被测评即为盲区
    frontage_days: int = 30            # 门前四包：统计近这么多天的问题
    frontage_exposed: int = 3          # 门前四包：近期问题达到这么多条的商户列入曝光名单


SETTING_LABELS = {
    "test_date": "测评日期",
    "test_date_end": "测评窗口末日",
    "rate_gap_pct": "整改率低于总体的百分点",
    "min_group_size": "参加比较的最少问题数",
    "last_n": "后几名",
    "backlog_growth": "未整改数周增长条数",
    "overdue_min": "逾期条数",
    "silent_days": "未报送天数",
    "rebound_days": "反弹认定天数",
    "rebound_rate_pct": "反弹率百分比",
    "score_line": "测评得分合格线",
    "sprint_days": "冲刺期天数",
    "sprint_silent_days": "冲刺期未报送天数",
    "ranking_measure": "排名依据",
    "notice_days": "限时整改天数",
    "interview_weeks": "约谈：连续列后几名的周数",
    "interview_overdue": "约谈：逾期超过条数",
    "interview_reopened": "约谈：返工条数",
    "interview_last_below": "约谈：后几名且低于合格线",
    "interview_most_lost": "约谈：丢分最多的单位数",
    "task_deadline_days": "测评扣分交办时限天数",
    "weight_field": "实地考察权重", "weight_online": "网上申报权重", "weight_survey": "问卷调查权重",
    "target_awareness_pct": "知晓率目标（%）", "target_support_pct": "支持率目标（%）",
    "target_participation_pct": "参与率目标（%）", "target_satisfaction_pct": "满意度目标（%）",
    "pending_credit_pct": "待审核材料计分比例（%）",
    "photo_hash_distance": "同图多用：感知哈希相差位数",
    "no_evidence_blocks_closing": "无佐证不计销号",
    "unvisited_days": "盲区：未检查天数", "frontage_days": "门前四包：统计天数",
    "frontage_exposed": "门前四包：曝光条数",
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


# The ranking measures (analytics.ledger.rankings.MEASURES says how each is computed); higher is better.
RANKING_MEASURES = ("整改率", "销号率", "模拟测评得分")


def _parse_switch(text: str) -> bool:
    word = text.strip().lower()
    if word in ("是", "开", "启用", "true", "1", "yes"):
        return True
    if word in ("否", "关", "停用", "false", "0", "no"):
        return False
    raise ValueError


def _parse_measure(text: str) -> str:
    if text.strip() not in RANKING_MEASURES:
        raise ValueError
    return text.strip()


def measure_choices() -> str:
    return "、".join(RANKING_MEASURES)


# key -> (parser of the stored/typed text, what a valid value looks like)
_PARSERS: dict[str, tuple[Callable[[str], object], str | Callable[[], str]]] = {
    "test_date": (_parse_date, "形如 2026-12-01 的日期"),
    "test_date_end": (_parse_date, "形如 2026-12-05 的日期"),
    "rate_gap_pct": (_parse_percent, "0 到 100 之间的数"),
    "min_group_size": (_parse_count, "不小于 0 的整数"),
    "last_n": (_parse_positive, "正整数"),
    "backlog_growth": (_parse_positive, "正整数"),
    "overdue_min": (_parse_positive, "正整数"),
    "silent_days": (_parse_positive, "正整数"),
    "rebound_days": (_parse_positive, "正整数"),
    "rebound_rate_pct": (_parse_percent, "0 到 100 之间的数"),
    "score_line": (_parse_percent, "0 到 100 之间的数"),
    "sprint_days": (_parse_count, "不小于 0 的整数"),
    "sprint_silent_days": (_parse_positive, "正整数"),
    "ranking_measure": (_parse_measure, lambda: f"{measure_choices()}之一"),
    "notice_days": (_parse_positive, "正整数"),
    "interview_weeks": (_parse_positive, "正整数"),
    "interview_overdue": (_parse_count, "不小于 0 的整数"),
    "interview_reopened": (_parse_positive, "正整数"),
    "photo_hash_distance": (_parse_count, "不小于 0 的整数"),
    "no_evidence_blocks_closing": (_parse_switch, "是或否"),
    "interview_last_below": (_parse_switch, "是或否"),
    "interview_most_lost": (_parse_count, "不小于 0 的整数"),
    "task_deadline_days": (_parse_count, "不小于 0 的整数"),
    "unvisited_days": (_parse_positive, "正整数"),
    "frontage_days": (_parse_positive, "正整数"),
    "frontage_exposed": (_parse_positive, "正整数"),
    **{key: (_parse_percent, "0 到 100 之间的数") for key in (
        "weight_field", "weight_online", "weight_survey", "target_awareness_pct", "target_support_pct",
        "target_participation_pct", "target_satisfaction_pct", "pending_credit_pct")},
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
        expected = expected() if callable(expected) else expected
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
    if values.get("test_date_end") and (not values.get("test_date") or values["test_date_end"] < values["test_date"]):
        del values["test_date_end"]  # a window needs its first day, and ends on or after it
    return Settings(**values)


def set_test_window(con: duckdb.DuckDBPyConnection, start: object, end: object = None, *,
                    actor: str = "命令行", now: dt.datetime | None = None) -> Settings:
    """The 测评 window: its first day and (for more than one day) its last; both checked first, so a
    bad end leaves the stored window as it was."""
    first = None if start in (None, "") else parse_setting("test_date", start)
    last = None if end in (None, "") else parse_setting("test_date_end", end)
    if last is not None and (first is None or last < first):
        raise ValueError(f"测评窗口末日{last.isoformat()}早于首日"
                         f"{first.isoformat() if first else '（未设置）'}，请先设测评日期，末日不早于首日。")
    set_setting(con, "test_date", first, actor=actor, now=now)
    return set_setting(con, "test_date_end", None if last == first else last, actor=actor, now=now)


def in_sprint(settings: Settings, day: dt.date) -> bool:
    """Whether `day` is in the sprint: the last sprint_days days before the window's first day."""
    return settings.test_date is not None and 0 < (settings.test_date - day).days <= settings.sprint_days


def sprint_silent_threshold(settings: Settings, as_of: dt.date) -> int:
    """Days without a ledger that make a unit silent on `as_of`: silent_days, but in the sprint units
    report daily, so sprint_silent_days."""
    if in_sprint(settings, as_of):
        return min(settings.silent_days, settings.sprint_silent_days)
    return settings.silent_days


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
