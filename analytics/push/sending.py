"""Sending, at most once per channel and China day.

For each channel: take its lock (a second scheduler skips a channel being sent), look at the day's row,
compose the 晨报, record the intent (a unique row: channel, day, copy), then send part by part, recording each
answer and the next part's intent in one write. A row left `sending` by a process that died is reported as
interrupted (its last message may or may not have arrived) and never sent blindly again; a failure that
the robot answered (nothing arrived) is finished by `push --now`. A channel that fails never stops the others.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from filelock import FileLock, Timeout

from analytics.push import store
from analytics.push.channels import KINDS, Channel, Part, message_parts, redact, shown_request, test_parts
from analytics.push.errors import REFUSED, Answer, deliver, post
from analytics.push.message import compose
from analytics.push.schedule import china_time, is_due, off_day_reason
from analytics.push.store import FAILED, MESSAGES_PER_MINUTE, SENDING, SENT, UNKNOWN, Send
from analytics.shared import db, schema

# outcomes beside the stored states
SKIPPED, NOT_DUE, BUSY = "skipped", "not_due", "busy"


@dataclass(frozen=True)
class Report:
    channel: str
    day: dt.date
    outcome: str                    # sent | failed | unknown | skipped | not_due | busy
    text: str                       # Chinese, secrets masked
    copy: int | None = None
    errcode: int | None = None

    def as_json(self) -> dict:
        return asdict(self) | {"day": self.day.isoformat()}


def _write(db_path: Path, by: str, change: Callable, *args, **kwargs):
    with db.writing(db_path, actor=by), db.connect(db_path) as con:
        return change(con, *args, **kwargs)


def _read(db_path: Path, query: Callable, *args):
    with db.read_connection(db_path) as con:
        return query(con, *args)


def channel_lock(db_path: Path, name: str) -> FileLock:
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return FileLock(Path(db_path).with_name(f"{Path(db_path).name}.push-{digest}.lock"))


def rate_pause(recent: list[dt.datetime], now: dt.datetime) -> float:
    """Seconds to wait before a robot that took `recent` messages in the last minute may take one more."""
    if len(recent) < MESSAGES_PER_MINUTE:
        return 0.0
    return max(0.0, (recent[-MESSAGES_PER_MINUTE] + dt.timedelta(minutes=1) - now).total_seconds())


class _Sender:
    def __init__(self, db_path: Path, channel: Channel, actor: str, send, sleep):
        self.db_path, self.channel, self.actor, self.send, self.sleep = db_path, channel, actor, send, sleep

    def deliver(self, request) -> Answer:
        now = store.utc_now()
        pause = rate_pause(_read(self.db_path, store.recent_messages, self.channel.robot, now), now)
        if pause:
            self.sleep(pause)
        return deliver(self.channel.kind, request, self.channel.secrets, send=self.send, sleep=self.sleep)

    def part(self, part: Part) -> Answer:
        """One message; a file is uploaded first and its media_id put in the file message."""
        request = part.request
        if part.upload:
            uploaded = self.deliver(part.upload)
            if not uploaded.ok:
                return uploaded
            media_id = (uploaded.body or {}).get("media_id")
            if not media_id:
                return Answer(False, None, "上传文件后没有得到 media_id", REFUSED)
            request = replace(request, json={**request.json, "file": {"media_id": media_id}})
        return self.deliver(request)

    def run(self, send: Send, parts: list[Part], done: set[str]) -> Report:
        """Send the parts not in `done`, recording each answer with the next intent; `send` is claimed."""
        todo = [i for i, p in enumerate(parts) if p.label not in done]
        sent = len(parts) - len(todo)
        for position, index in enumerate(todo):
            answer = self.part(parts[index])
            if not answer.ok:
                _write(self.db_path, self.actor, store.record, send, state=FAILED, parts_sent=sent, pending=None,
                       errcode=answer.errcode, reason=answer.reason)
                tried = f"（试了{answer.tries}次）" if answer.tries > 1 else ""
                return Report(send.channel, send.day, FAILED,
                              f"{send.channel}：{parts[index].label}推送失败{tried}：{answer.reason}", send.copy,
                              answer.errcode)
            sent += 1
            more = position + 1 < len(todo)
            _write(self.db_path, self.actor, store.record, send, state=SENDING if more else SENT, parts_sent=sent,
                   pending=todo[position + 1] if more else None, robot=self.channel.robot)
        cut = f"；超长未发出：{send.cut}" if send.cut else ""
        copy = f"第{send.copy}份" if send.copy > 1 else ""
        return Report(send.channel, send.day, SENT,
                      f"{send.channel}：已推送{copy}（{'、'.join(p.label for p in parts)}）{cut}", send.copy)


def _now_ms() -> int:
    """The 加签 timestamp: the real time (钉钉 refuses one an hour off), even when --at-time says otherwise."""
    return int(time.time() * 1000)


def _message_for(db_path: Path, channel: Channel, day: dt.date):
    with db.read_connection(db_path) as con:
        return compose(con, day, chart=channel.kind == "wecom" and channel.chart, attach=channel.attach)


def _interrupted(db_path: Path, latest: Send, actor: str) -> Report:
    """A row left `sending` by a sender that died (the caller holds the channel's lock): reported, never resent."""
    part = latest.parts[latest.pending] if latest.pending is not None else "消息"
    reason = f"发送“{part}”时中断，无法确认群里是否收到；请在群里查看，需要时用 push --now --again 再发一份"
    _write(db_path, actor, store.record, latest, state=UNKNOWN, parts_sent=latest.parts_sent, pending=None,
           reason=reason)
    return Report(latest.channel, latest.day, UNKNOWN, f"{latest.channel}：{reason}", latest.copy)


def _push_one(db_path: Path, channel: Channel, moment: dt.datetime, *, due_only: bool, again: bool, actor: str,
              send, sleep) -> Report:
    day = moment.date()
    if due_only and not _read(db_path, is_due, channel, moment):
        return Report(channel.name, day, NOT_DUE, f"{channel.name}：未到推送时间")
    lock = channel_lock(db_path, channel.name)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return Report(channel.name, day, BUSY, f"{channel.name}：另一个推送进程正在发送，本次跳过")
    try:
        latest = _read(db_path, store.latest_send, channel.name, day)
        if latest is not None and latest.state == SENDING:
            return _interrupted(db_path, latest, actor)
        # sent or interrupted: never again unless asked; failed: the scheduler tried today, --now finishes it
        if latest is not None and not again and (latest.state in (SENT, UNKNOWN) or due_only):
            return Report(channel.name, day, SKIPPED if latest.state == SENT else latest.state,
                          f"{channel.name}：{store.send_status(latest)}，不再重发", latest.copy, latest.errcode)
        message = _message_for(db_path, channel, day)
        parts, cut = message_parts(channel, message, _now_ms())
        labels, cut_text = tuple(p.label for p in parts), "、".join(cut) or None
        if latest is not None and not again:   # a failure the robot answered: finish what did not arrive
            done = set(latest.parts[:latest.parts_sent])
            left = [i for i, label in enumerate(labels) if label not in done]
            claimed = replace(latest, state=SENDING, parts=labels, parts_sent=len(labels) - len(left),
                              pending=left[0] if left else None, cut=cut_text)
            _write(db_path, actor, store.resume, claimed)
        else:
            done = set()
            claimed = Send(channel.name, day, latest.copy + 1 if latest else 1, SENDING, labels, 0, 0,
                           store.utc_now(), None, None, None, cut_text)
            if not _write(db_path, actor, store.claim, claimed, actor=actor):
                return Report(channel.name, day, SKIPPED, f"{channel.name}：今天的晨报已由另一进程推送，不再重发")
        return _Sender(db_path, channel, actor, send, sleep).run(claimed, parts, done)
    finally:
        lock.release()


def push(db_path: Path | str | None = None, *, moment: dt.datetime | None = None, channel: str | None = None,
         due_only: bool = False, again: bool = False, actor: str = "命令行",
         send: Callable = post, sleep: Callable[[float], None] = time.sleep) -> list[Report]:
    """Send the day's 晨报 to every channel (or the one named): with `due_only` those due at `moment` (China
    time; now when None), at most once per channel and day unless `again`. One Report per channel."""
    db_path = schema.init_db(db_path)
    local = china_time(moment)
    reports = []
    for one in _read(db_path, store.load_channels, db_path, channel):
        try:
            reports.append(_push_one(db_path, one, local, due_only=due_only, again=again, actor=actor,
                                     send=send, sleep=sleep))
        except Exception as error:   # a channel that fails never stops the others
            reports.append(Report(one.name, local.date(), FAILED, redact(f"{one.name}：推送出错：{error}", one.secrets)))
    return reports


def _planned(db_path: Path, channel: str, local: dt.datetime) -> tuple[Channel, list[Part], tuple[str, ...]]:
    one = _read(db_path, store.load_channels, db_path, channel)[0]
    parts, cut = message_parts(one, _message_for(db_path, one, local.date()), _now_ms())
    return one, parts, cut


def dry_run(db_path: Path | str | None, channel: str, moment: dt.datetime | None = None) -> dict:
    """The exact requests `channel` would get now (secrets masked), sending nothing."""
    db_path = schema.init_db(db_path)
    local = china_time(moment)
    one, parts, cut = _planned(db_path, channel, local)
    requests = []
    for part in parts:
        if part.upload:
            requests.append({"part": part.label + "（上传）", **shown_request(part.upload, one.secrets)})
        requests.append({"part": part.label, **shown_request(part.request, one.secrets)})
    with db.read_connection(db_path) as con:
        off = off_day_reason(con, one.days, local.date())
        last = store.latest_send(con, one.name, local.date())
    return {"channel": one.name, "kind": KINDS[one.kind], "url": one.masked_url, "day": local.date().isoformat(),
            "at": one.at_time.strftime("%H:%M"),
            "today": f"今天不推送（{off}）" if off else store.send_status(last, one.at_time.strftime("%H:%M")),
            "cut": list(cut), "requests": requests, "sent": False}


@dataclass(frozen=True)
class Preview:
    """The messages as the group will see them (the settings page's 预览)."""
    text: str                       # the markdown (or, for a plain webhook, the text) of the 晨报
    picture: bytes | None
    file_name: str | None
    cut: tuple[str, ...]


def preview(db_path: Path | str | None, channel: str, moment: dt.datetime | None = None) -> Preview:
    one, parts, cut = _planned(schema.init_db(db_path), channel, china_time(moment))
    body = parts[0].request.json
    text = body.get("markdown", {}).get("content") or body.get("markdown", {}).get("text") or body.get("text", "")
    picture = next((base64.b64decode(p.request.json["image"]["base64"]) for p in parts if p.label == "图表"), None)
    file_name = next((p.upload.upload[0] for p in parts if p.upload), None)
    return Preview(text, picture, file_name, cut)


def send_test(db_path: Path | str | None, channel: str, *, actor: str = "命令行", send: Callable = post,
              sleep: Callable[[float], None] = time.sleep) -> Report:
    """发送测试: one short message, not the day's 晨报 (its once-per-day record is untouched)."""
    db_path = schema.init_db(db_path)
    one = _read(db_path, store.load_channels, db_path, channel)[0]
    local = china_time()
    text = f"【创文督查】测试消息：推送渠道“{one.name}”已接通（{local:%m月%d日 %H:%M}）。"
    answer = _Sender(db_path, one, actor, send, sleep).deliver(test_parts(one, text, _now_ms())[0].request)
    said = "测试消息已送达" if answer.ok else f"测试消息发送失败：{answer.reason}"
    _write(db_path, actor, store.count_message, one.robot, actor=actor, detail=f"{one.name}（{one.masked_url}）：{said}")
    return Report(one.name, local.date(), SENT if answer.ok else FAILED, f"{one.name}：{said}", None, answer.errcode)
