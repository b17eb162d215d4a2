"""Channels and the record of what was sent.

A channel's settings live in `push_channels`; its address and 加签 secret, which are passwords, live in a
file beside the database (secrets_path, readable by its owner only), so the database's backups, the
readers' published copies and every export carry only the masked address. `push_sends` holds one row per
channel, China day and copy: the intent before the first message, each answer after it (sending.py)."""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from analytics.push.channels import DAYS, KINDS, Channel, make_channel
from analytics.push.schedule import CHINA, china_time, off_day_reason
from analytics.shared.db import fetch_frame, transaction

SENT, SENDING, FAILED, UNKNOWN = "sent", "sending", "failed", "unknown"
MESSAGES_PER_MINUTE = 20


def secrets_path(db_path: Path | str) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".push-secrets.json")


def _read_secrets(db_path: Path | str) -> dict[str, dict]:
    try:
        return json.loads(secrets_path(db_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _write_secrets(db_path: Path | str, secrets: dict[str, dict]) -> None:
    path = secrets_path(db_path)
    pending = path.with_name(path.name + ".part")
    descriptor = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(secrets, handle, ensure_ascii=False)
    os.replace(pending, path)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _audit(con: duckdb.DuckDBPyConnection, actor: str, action: str, detail: str) -> None:
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?)", [dt.datetime.now(), actor, action, detail])


def add_channel(con: duckdb.DuckDBPyConnection, db_path: Path | str, channel: Channel, *, actor: str) -> str:
    """Store `channel` (a channel of the same name is replaced); says what was stored, address masked."""
    secrets = _read_secrets(db_path)
    secrets[channel.name] = {"url": channel.url, "secret": channel.secret}
    _write_secrets(db_path, secrets)   # first: a channel in the table always has its address
    with transaction(con):
        replaced = con.execute("DELETE FROM push_channels WHERE name = ? RETURNING name", [channel.name]).fetchall()
        con.execute("INSERT INTO push_channels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [channel.name, channel.kind, channel.masked_url, channel.robot, channel.at_time.strftime("%H:%M"),
                     channel.days, list(channel.mentions), channel.chart, channel.attach, utc_now(), actor])
        said = (f"{channel.name}（{KINDS[channel.kind]}，{channel.masked_url}，每天{channel.at_time:%H:%M}，"
                f"{DAYS[channel.days]}{'，加签' if channel.secret else ''}）")
        _audit(con, actor, "修改推送渠道" if replaced else "添加推送渠道", said)
    return f"已{'更新' if replaced else '添加'}推送渠道：{said}"


def remove_channel(con: duckdb.DuckDBPyConnection, db_path: Path | str, name: str, *, actor: str) -> str:
    with transaction(con):
        if not con.execute("DELETE FROM push_channels WHERE name = ? RETURNING name", [name]).fetchall():
            raise LookupError(f"没有名为“{name}”的推送渠道。")
        _audit(con, actor, "删除推送渠道", name)
    secrets = _read_secrets(db_path)
    secrets.pop(name, None)
    _write_secrets(db_path, secrets)
    return f"已删除推送渠道“{name}”（发送记录保留）。"


def list_channels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every channel as shown: addresses masked (attach '' when none)."""
    return fetch_frame(con, "SELECT name, kind, url_masked, at_time, days, mentions, chart, coalesce(attach, '') AS attach "
                            "FROM push_channels ORDER BY name")


def load_channels(con: duckdb.DuckDBPyConnection, db_path: Path | str, name: str | None = None) -> list[Channel]:
    """The channels (or the one named) with their addresses and secrets, to send with."""
    rows = con.execute("SELECT name, kind, at_time, days, mentions, chart, attach FROM push_channels "
                       "WHERE ? IS NULL OR name = ? ORDER BY name", [name, name]).fetchall()
    if name is not None and not rows:
        raise LookupError(f"没有名为“{name}”的推送渠道（python -m analytics push list 列出全部）。")
    secrets = _read_secrets(db_path)
    channels = []
    for channel_name, kind, at_time, days, mentions, chart, attach in rows:
        if channel_name not in secrets:
            raise LookupError(f"推送渠道“{channel_name}”的地址不在 {secrets_path(db_path).name} 里"
                              "（文件被删除或换了机器），请重新添加这个渠道。")
        kept = secrets[channel_name]
        channels.append(make_channel(channel_name, kind, kept["url"], secret=kept.get("secret"), at=at_time,
                                     days=days, mentions=mentions, chart=chart, attach=attach))
    return channels


# ---- sends ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Send:
    channel: str
    day: dt.date
    copy: int
    state: str
    parts: tuple[str, ...]
    parts_sent: int
    pending: int | None
    started_at: dt.datetime         # UTC
    finished_at: dt.datetime | None
    errcode: int | None
    reason: str | None
    cut: str | None


def latest_send(con: duckdb.DuckDBPyConnection, channel: str, day: dt.date) -> Send | None:
    row = con.execute("SELECT channel, day, copy, state, parts, parts_sent, pending, started_at, finished_at, errcode, "
                      "reason, cut FROM push_sends WHERE channel = ? AND day = ? ORDER BY copy DESC LIMIT 1",
                      [channel, day]).fetchone()
    return None if row is None else Send(*row[:4], tuple(row[4]), *row[5:])


def recent_messages(con: duckdb.DuckDBPyConnection, robot: str, now: dt.datetime) -> list[dt.datetime]:
    """When `robot` received its messages of the minute before `now` (UTC), oldest first."""
    return [row[0] for row in con.execute(
        "SELECT sent_at FROM push_messages WHERE robot = ? AND sent_at > ? ORDER BY sent_at",
        [robot, now - dt.timedelta(minutes=1)]).fetchall()]


def claim(con: duckdb.DuckDBPyConnection, send: Send, *, actor: str) -> bool:
    """Record the intent to send `send` (state sending, its first part pending). False when the row exists:
    someone else has this channel's copy of the day."""
    try:
        con.execute("INSERT INTO push_sends VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?)",
                    [send.channel, send.day, send.copy, SENDING, list(send.parts), send.parts_sent, send.pending,
                     send.started_at, send.cut, actor])
    except duckdb.ConstraintException:
        return False
    return True


def resume(con: duckdb.DuckDBPyConnection, send: Send) -> None:
    """Record the intent to finish a failed send: the parts left, the next one pending."""
    con.execute("UPDATE push_sends SET state = ?, parts = ?, parts_sent = ?, pending = ?, errcode = NULL, reason = NULL, "
                "finished_at = NULL, cut = ? WHERE channel = ? AND day = ? AND copy = ?",
                [SENDING, list(send.parts), send.parts_sent, send.pending, send.cut, send.channel, send.day, send.copy])


def record(con: duckdb.DuckDBPyConnection, send: Send, *, state: str, parts_sent: int, pending: int | None,
           errcode: int | None = None, reason: str | None = None, robot: str | None = None,
           now: dt.datetime | None = None) -> None:
    """Record a robot's answer (and the next part's intent); a message it took counts to its rate limit."""
    now = now or utc_now()
    with transaction(con):
        con.execute("UPDATE push_sends SET state = ?, parts_sent = ?, pending = ?, errcode = ?, reason = ?, "
                    "finished_at = ? WHERE channel = ? AND day = ? AND copy = ?",
                    [state, parts_sent, pending, errcode, reason, None if state == SENDING else now,
                     send.channel, send.day, send.copy])
        if robot:
            con.execute("INSERT INTO push_messages VALUES (?, ?)", [robot, now])
            con.execute("DELETE FROM push_messages WHERE sent_at < ?", [now - dt.timedelta(days=1)])


def count_message(con: duckdb.DuckDBPyConnection, robot: str, *, actor: str, detail: str) -> None:
    """A message outside the day's sends (发送测试): counted to its robot's rate limit, noted in the audit."""
    with transaction(con):
        con.execute("INSERT INTO push_messages VALUES (?, ?)", [robot, utc_now()])
        _audit(con, actor, "推送测试消息", detail)


# ---- what the pages say --------------------------------------------------------------------------

def _clock(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).astimezone(CHINA).strftime("%H:%M")


def send_status(send: Send | None, at: str | None = None) -> str:
    """“今天 07:31 已推送”, the failure and its reason, or what is still to come (at `at`, HH:MM)."""
    if send is None:
        return "今天尚未推送" + (f"（{at} 推送）" if at else "")
    copy = f"（第{send.copy}份）" if send.copy > 1 else ""
    cut = f"；超长未发出：{send.cut}" if send.cut else ""
    if send.state == SENT:
        return f"今天 {_clock(send.finished_at)} 已推送{copy}{cut}"
    if send.state == FAILED:
        done = f"（已发出{'、'.join(send.parts[:send.parts_sent])}）" if send.parts_sent else ""
        return f"今天 {_clock(send.finished_at)} 推送失败{copy}{done}：{send.reason}"
    if send.state == UNKNOWN:
        return f"今天 {_clock(send.started_at)} 推送中断{copy}：{send.reason}"
    return f"今天 {_clock(send.started_at)} 开始推送{copy}，正在发送"


def status_lines(con: duckdb.DuckDBPyConnection, moment: dt.datetime | None = None) -> pd.DataFrame:
    """One line per channel for today (China day): channel, kind, status — read from the masked table only."""
    local = china_time(moment)
    rows = con.execute("SELECT name, kind, at_time, days FROM push_channels ORDER BY name").fetchall()
    lines = []
    for name, kind, at_time, days in rows:
        sent = latest_send(con, name, local.date())
        off = off_day_reason(con, days, local.date()) if sent is None else None
        lines.append({"channel": name, "kind": KINDS[kind],
                      "status": f"今天不推送（{off}）" if off else send_status(sent, at_time)})
    return pd.DataFrame(lines, columns=["channel", "kind", "status"])
