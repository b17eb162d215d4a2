"""What a robot's answer means, in Chinese, and whether trying again can help.

A rate limit or a network failure is tried again after a growing pause (1 s, then 2 s: three tries in all);
a wrong key or a refused message is not: it is tried once per scheduled run, never in a loop."""
from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from analytics.push.channels import Request, redact

TRIES = 3
FIRST_PAUSE_SECONDS = 1.0
TIMEOUT_SECONDS = 15

# kinds of failure
RATE_LIMIT, NETWORK, WRONG_KEY, REFUSED = "rate_limit", "network", "wrong_key", "refused"
RETRIED = frozenset({RATE_LIMIT, NETWORK})

# errcode → (meaning, kind), as the robots' documentation and answers name them
WECOM_CODES = {
    93000: ("webhook 地址的 key 无效，或机器人已被移出群", WRONG_KEY),
    93004: ("机器人已被停用", WRONG_KEY),
    93008: ("机器人不在这个群里", WRONG_KEY),
    45009: ("发送太频繁，超过了每分钟20条的限制", RATE_LIMIT),
    45033: ("接口并发调用超过限制", RATE_LIMIT),
    40058: ("消息内容不合法（如 markdown 超过4096字节）", REFUSED),
    40008: ("消息类型不合法", REFUSED),
    40005: ("文件类型不合法", REFUSED),
    40006: ("文件大小不合法", REFUSED),
    40007: ("文件的 media_id 无效（上传已过期或失败）", REFUSED),
    40009: ("图片大小不合法（超过2MB）", REFUSED),
    301019: ("图片的 md5 与内容不符", REFUSED),
    44004: ("消息内容为空", REFUSED),
}
DINGTALK_CODES = {
    300001: ("access_token 无效", WRONG_KEY),
    300005: ("access_token 不存在（机器人已被删除）", WRONG_KEY),
    310000: ("安全设置校验未通过（加签密钥不对、消息缺少自定义关键词，或服务器 IP 不在白名单）", WRONG_KEY),
    130101: ("发送太快，超过了每分钟20条的限制", RATE_LIMIT),
    410100: ("发送太快被限流", RATE_LIMIT),
    400013: ("群已被解散", WRONG_KEY),
    400101: ("机器人已被停用", WRONG_KEY),
    40035: ("缺少消息内容参数", REFUSED),
    43004: ("请求头 Content-Type 不是 application/json", REFUSED),
}
CODES = {"wecom": WECOM_CODES, "dingtalk": DINGTALK_CODES}


@dataclass(frozen=True)
class Answer:
    ok: bool
    errcode: int | None = None
    reason: str = ""            # Chinese, secrets masked
    kind: str | None = None     # RATE_LIMIT / NETWORK / WRONG_KEY / REFUSED when not ok
    tries: int = 1
    body: dict | None = None    # the robot's JSON answer (upload_media's media_id)


def meaning(robot_kind: str, errcode: int, errmsg: str) -> tuple[str, str]:
    """(Chinese meaning with the code, kind of failure) of a robot's errcode."""
    known, kind = CODES.get(robot_kind, {}).get(errcode, (None, REFUSED))
    text = f"{known}（errcode {errcode}）" if known else f"机器人拒收（errcode {errcode}：{errmsg}）"
    return text, kind


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    """The body upload_media takes: one part named `media`, with filename and filelength."""
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="{name}"; '
            f'filelength={len(content)}\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post(request: Request, timeout: float = TIMEOUT_SECONDS) -> tuple[int, bytes]:
    """POST one request; (HTTP status, body). Network failures raise OSError (urllib's URLError is one)."""
    if request.upload:
        data, content_type = _multipart(*request.upload)
    else:
        data, content_type = json.dumps(request.json, ensure_ascii=False).encode(), "application/json; charset=utf-8"
    sent = urllib.request.Request(request.url, data=data, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(sent, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def judge(robot_kind: str, status: int, body: bytes) -> Answer:
    """What one HTTP answer means. A plain webhook succeeds with any 2xx; a robot only with errcode 0."""
    if status >= 500 or status == 429:
        return Answer(False, None, f"对方服务器出错（HTTP {status}）", RATE_LIMIT if status == 429 else NETWORK)
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        parsed = None
    if robot_kind == "webhook":
        if 200 <= status < 300:
            return Answer(True, body=parsed if isinstance(parsed, dict) else None)
        return Answer(False, None, f"网址拒收（HTTP {status}）", WRONG_KEY if status in (401, 403, 404) else REFUSED)
    if not isinstance(parsed, dict) or "errcode" not in parsed:
        return Answer(False, None, f"机器人的回答看不懂（HTTP {status}）", REFUSED)
    code = int(parsed["errcode"])
    if code == 0:
        return Answer(True, 0, body=parsed)
    text, kind = meaning(robot_kind, code, str(parsed.get("errmsg", "")))
    return Answer(False, code, text, kind, body=parsed)


def deliver(robot_kind: str, request: Request, secrets, *, send: Callable[[Request], tuple[int, bytes]] = post,
            sleep: Callable[[float], None] = time.sleep) -> Answer:
    """Send one request, trying again after 1 s and 2 s on a rate limit or a network failure, never on a
    wrong key or a refused message. The reason never carries a secret."""
    pause, attempt = FIRST_PAUSE_SECONDS, 0
    while True:
        attempt += 1
        try:
            answer = judge(robot_kind, *send(request))
        except (OSError, socket.timeout) as error:   # refused connection, DNS, timeout
            reason = getattr(error, "reason", None) or error
            answer = Answer(False, None, f"网络不通：{reason}", NETWORK)
        answer = Answer(answer.ok, answer.errcode, redact(answer.reason, secrets), answer.kind, attempt, answer.body)
        if answer.ok or answer.kind not in RETRIED or attempt == TRIES:
            return answer
        sleep(pause)
        pause *= 2
