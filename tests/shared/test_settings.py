"""Settings: defaults, validation with Chinese messages, storage, the audit log."""
import datetime as dt

import pytest

from analytics.shared import db
from analytics.shared.settings import SETTING_LABELS, Settings, describe_settings, get_settings, set_setting
from analytics_data import empty_database


@pytest.fixture
def con(tmp_path):
    with db.connect(empty_database(tmp_path)) as connection:
        yield connection


def test_defaults_without_anything_stored(con):
    assert get_settings(con) == Settings()
    assert get_settings(con).test_date is None


@pytest.mark.parametrize("key, given, stored", [
    ("test_date", "2026-12-18", dt.date(2026, 12, 18)),
    ("test_date", dt.date(2026, 12, 18), dt.date(2026, 12, 18)),
    ("rate_gap_pct", "15", 15.0),
    ("rate_gap_pct", "12.5%", 12.5),
    ("min_group_size", 0, 0),
    ("last_n", "5", 5),
    ("silent_days", " 3 ", 3),
    ("rebound_days", 45, 45),
    ("rebound_rate_pct", 20, 20.0),
])
def test_a_setting_is_stored_typed(con, key, given, stored):
    assert getattr(set_setting(con, key, given), key) == stored
    assert getattr(get_settings(con), key) == stored


@pytest.mark.parametrize("key, given, message", [
    ("test_date", "12月18日", "设置项“测评日期”（test_date）的值“12月18日”无效，应为形如 2026-12-01 的日期。"),
    ("rate_gap_pct", "120", "应为0 到 100 之间的数"),
    ("last_n", "0", "应为正整数"),
    ("silent_days", "三天", "应为正整数"),
    ("min_group_size", "-1", "应为不小于 0 的整数"),
    ("no_such_key", "1", "没有名为“no_such_key”的设置项"),
])
def test_a_bad_value_is_refused_in_chinese(con, key, given, message):
    with pytest.raises(ValueError, match=message):
        set_setting(con, key, given)
    assert get_settings(con) == Settings()


def test_clearing_goes_back_to_the_default_and_every_change_is_logged(con):
    set_setting(con, "test_date", "2026-12-18", actor="督查室", now=dt.datetime(2026, 11, 20, 9))
    set_setting(con, "test_date", None, actor="督查室", now=dt.datetime(2026, 11, 20, 10))
    assert get_settings(con).test_date is None
    assert con.execute("SELECT actor, action, detail FROM audit_log ORDER BY logged_at").fetchall() == [
        ("督查室", "修改设置", "测评日期（test_date）= 2026-12-18"),
        ("督查室", "修改设置", "测评日期（test_date）= 恢复默认"),
    ]


def test_a_stored_value_that_no_longer_reads_keeps_the_default(con):
    con.execute("INSERT INTO settings VALUES ('last_n', 'three')")
    assert get_settings(con).last_n == Settings().last_n


def test_describe_settings(con):
    set_setting(con, "test_date", "2026-12-18")
    lines = describe_settings(con).splitlines()
    assert len(lines) == len(SETTING_LABELS)
    assert lines[0] == "测评日期（test_date）：2026-12-18"
    assert "后几名（last_n）：3（默认）" in lines
