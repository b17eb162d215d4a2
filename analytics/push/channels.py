"""The robot kinds a channel can be, and the exact HTTP requests each takes.

企业微信 group robot: markdown of at most 4,096 bytes of UTF-8, an image as base64 with its md5 (JPG/PNG up to
2 MB), and a file uploaded first through upload_media (same scheme, host and key as the webhook). 钉钉 custom
robot: markdown with a title, signed when the robot uses 加签. A plain JSON webhook: {title, text, date, figures}.
Addresses are used exactly as typed (a test points a channel at a local server); every secret in them is
masked wherever a request is shown.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import urllib.parse
from dataclasses import dataclass, field

from analytics.push.message import Message

KINDS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉自定义机器人", "webhook": "JSON 网址（自建网关）"}
DAYS = {"all": "每天", "workdays": "工作日", "sprint": "冲刺期每天"}
ATTACHMENTS = {"pptx": "晨报PPT", "docx": "督查通报Word"}
DEFAULT_AT = dt.time(7, 30)
DEFAULT_DAYS = "sprint"

WECOM_MARKDOWN_BYTES = 4096
DINGTALK_MARKDOWN_BYTES = 20000
WECOM_IMAGE_BYTES = 2 * 1024 * 1024
WECOM_FILE_BYTES = 20 * 1024 * 1024
# The query parameters of a robot address that are not secrets; every other value is masked.
PLAIN_PARAMETERS = frozenset({"type", "timestamp", "debug"})
UPLOADED_MEDIA = "{media_id}"   # in a file message until upload_media has answered
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str                       # a key of KINDS
    url: str                        # exactly as typed: a secret (it carries the key or access_token)
    secret: str | None = None       # 钉钉 加签 secret
    at_time: dt.time = DEFAULT_AT   # China time
    days: str = DEFAULT_DAYS        # a key of DAYS
    mentions: tuple[str, ...] = ()  # 企业微信 userids, 钉钉 phone numbers
    chart: bool = True              # send the key chart (企业微信 as an image; 钉钉 and webhooks: a note)
    attach: str | None = None       # a key of ATTACHMENTS (企业微信 only)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret this channel knows, longest first (masking a longer one first leaves no tail)."""
        return tuple(sorted({*url_secrets(self.url), *([self.secret] if self.secret else [])}, key=len, reverse=True))

    @property
    def masked_url(self) -> str:
        return redact(self.url, self.secrets)

    @property
    def robot(self) -> str:
        """Who counts the 20 messages a minute: channels typed with the same address share it."""
        parts = urllib.parse.urlsplit(self.url)
        return hashlib.sha256(f"{parts.netloc}{parts.path}?{parts.query}".encode()).hexdigest()[:16]


def url_secrets(url: str) -> list[str]:
    """The values in an address that are secrets: every query value but PLAIN_PARAMETERS, and a password."""
    parts = urllib.parse.urlsplit(url)
    found = [value for key, value in urllib.parse.parse_qsl(parts.query) if key not in PLAIN_PARAMETERS]
    return [s for s in found + [parts.password or ""] if s]


def mask(secret: str) -> str:
    """“****c2f1”: enough to tell two keys apart, never enough to use one."""
    return "****" + secret[-4:] if len(secret) >= 16 else "****"


def redact(text: str, secrets) -> str:
    """`text` with every secret (as typed, or URL-encoded) masked: for logs, errors, output and pages."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        for form in dict.fromkeys((secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret))):
            text = text.replace(form, mask(secret))
    return text


def make_channel(name: str, kind: str, url: str, *, secret: str | None = None, at: str | dt.time | None = None,
                 days: str | None = None, mentions=(), chart: bool = True, attach: str | None = None) -> Channel:
    """A channel from what a user typed, or ValueError saying in Chinese what is wrong (secrets masked)."""
    name = (name or "").strip()
    if not name:
        raise ValueError("推送渠道需要一个名称，如“领导群”。")
    if kind not in KINDS:
        raise ValueError(f"渠道“{name}”的类型“{kind}”不认识，可选：{'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}。")
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    shown = redact(url, url_secrets(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"渠道“{name}”的地址“{shown}”不是 http(s) 网址，请照机器人给出的 webhook 地址完整粘贴。")
    needed = {"wecom": "key", "dingtalk": "access_token"}.get(kind)
    if needed and not query.get(needed):
        raise ValueError(f"渠道“{name}”的地址“{shown}”里没有 {needed}=…，请照{KINDS[kind]}给出的 webhook 地址完整粘贴。")
    if secret and kind != "dingtalk":
        raise ValueError(f"渠道“{name}”：只有钉钉机器人的“加签”需要密钥（secret）。")
    if attach and (kind != "wecom" or attach not in ATTACHMENTS):
        raise ValueError(f"渠道“{name}”：只有企业微信机器人能发文件，可选：{'、'.join(f'{k}（{v}）' for k, v in ATTACHMENTS.items())}。")
    days = days or DEFAULT_DAYS
    if days not in DAYS:
        raise ValueError(f"渠道“{name}”的推送日“{days}”不认识，可选：{'、'.join(f'{k}（{v}）' for k, v in DAYS.items())}。")
    return Channel(name, kind, url, secret or None, parse_time(at, name), days,
                   tuple(m.strip() for m in mentions if m and m.strip()), chart, attach or None)


def parse_time(at: str | dt.time | None, name: str = "") -> dt.time:
    if at is None or at == "":
        return DEFAULT_AT
    if isinstance(at, dt.time):
        return at.replace(second=0, microsecond=0)
    matched = _TIME.match(at.strip())
    if not matched:
        raise ValueError(f"渠道“{name}”的推送时间“{at}”应写成 时:分，如 07:30（北京时间）。")
    return dt.time(int(matched[1]), int(matched[2]))


# ---- requests ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    """One POST: a JSON body, or a multipart upload of one file in the field `media` (upload_media)."""
    url: str
    json: dict | None = None
    upload: tuple[str, bytes] | None = None     # (file name, content)


@dataclass(frozen=True)
class Part:
    """One message the group sees; a file message needs its upload first."""
    label: str                                  # 晨报文字 / 图表 / 文件 / 测试消息
    request: Request
    upload: Request | None = None


@dataclass(frozen=True)
class Fitted:
    text: str
    cut: tuple[str, ...] = field(default=())    # the sections left out, by their names


def section_name(section: str) -> str:
    """What a section is called in the note of what was cut: the words before its colon."""
    head = re.split(r"[：:]", section, maxsplit=1)[0] if re.search(r"[：:]", section[:20]) else section[:10] + "…"
    return head.strip("；。\n ")


def _truncate(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, never cutting a character."""
    return text.encode()[:max(limit, 0)].decode(errors="ignore")


def fit(head: str, sections: tuple[str, ...], tail: str, limit: int, robot: str, joiner: str = "\n") -> Fitted:
    """head + the sections + tail within `limit` bytes: whole sections from the start, then a note naming
    the ones left out. A first section too long by itself is shortened at a character boundary."""
    def text(kept, note=""):
        return joiner.join([head, *kept, *([note] if note else []), *([tail] if tail else [])])

    if len(text(sections).encode()) <= limit:
        return Fitted(text(sections))
    for keep in range(len(sections) - 1, -1, -1):
        cut = tuple(section_name(s) for s in sections[keep:])
        note = f"（{robot}消息限{limit}字节，未发出：{'、'.join(cut)}；完整晨报见看板“晨报”页）"
        if len(text(sections[:keep], note).encode()) <= limit:
            if keep == 0 and sections:   # nothing whole fits: as much of the first section as fits
                room = limit - len(text(("",), note).encode())
                shortened = _truncate(sections[0], room - len("…".encode())) + "…"
                return Fitted(text((shortened,), note), cut)
            return Fitted(text(sections[:keep], note), cut)
    return Fitted(_truncate(text(()), limit), tuple(section_name(s) for s in sections))


def dingtalk_signed(url: str, secret: str | None, now_ms: int) -> str:
    """The address with timestamp and sign (加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the
    secret, base64, URL-encoded), or as typed when the robot does not sign."""
    if not secret:
        return url
    digest = hmac.new(secret.encode(), f"{now_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if urllib.parse.urlsplit(url).query else '?'}timestamp={now_ms}&sign={sign}"


def upload_media_url(webhook: str) -> str:
    """企业微信's upload address for a webhook: same scheme, host and key, path …/upload_media, type=file."""
    parts = urllib.parse.urlsplit(webhook)
    key = dict(urllib.parse.parse_qsl(parts.query))["key"]
    path = re.sub(r"/send/?$", "/upload_media", parts.path) if parts.path.rstrip("/").endswith("/send") \
        else parts.path.rstrip("/") + "/upload_media"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path,
                                    urllib.parse.urlencode({"key": key, "type": "file"}), ""))


def _wecom_parts(channel: Channel, message: Message) -> tuple[list[Part], tuple[str, ...]]:
    mentions = "".join(f"<@{m}>" for m in channel.mentions)
    picture = message.chart_png if channel.chart else None
    too_big = picture is not None and len(picture) > WECOM_IMAGE_BYTES
    note = f"（图表图片{len(picture) / 1024 / 1024:.1f}MB，超过企业微信的2MB，未发送）" if too_big else message.notes(images=True)
    fitted = fit(f"## {message.title}", message.sections, "\n".join(filter(None, [note, mentions])),
                 WECOM_MARKDOWN_BYTES, "企业微信")
    parts = [Part("晨报文字", Request(channel.url, {"msgtype": "markdown", "markdown": {"content": fitted.text}}))]
    if picture and not too_big:
        parts.append(Part("图表", Request(channel.url, {"msgtype": "image", "image": {
            "base64": base64.b64encode(picture).decode(), "md5": hashlib.md5(picture).hexdigest()}})))
    if message.attachment:
        parts.append(Part("文件", Request(channel.url, {"msgtype": "file", "file": {"media_id": UPLOADED_MEDIA}}),
                          upload=Request(upload_media_url(channel.url), upload=message.attachment)))
    return parts, fitted.cut


def _dingtalk_parts(channel: Channel, message: Message, now_ms: int) -> tuple[list[Part], tuple[str, ...]]:
    mentions = " ".join(f"@{m}" for m in channel.mentions)
    fitted = fit(f"#### {message.title}", message.sections,
                 "\n\n".join(filter(None, [message.notes(images=False), mentions])),
                 DINGTALK_MARKDOWN_BYTES, "钉钉", joiner="\n\n")
    body = {"msgtype": "markdown", "markdown": {"title": message.title, "text": fitted.text},
            "at": {"atMobiles": list(channel.mentions), "isAtAll": False}}
    return [Part("晨报文字", Request(dingtalk_signed(channel.url, channel.secret, now_ms), body))], fitted.cut


def message_parts(channel: Channel, message: Message, now_ms: int) -> tuple[list[Part], tuple[str, ...]]:
    """The messages `channel` gets for `message`, in order, and the sections its length limit cut."""
    if channel.kind == "wecom":
        return _wecom_parts(channel, message)
    if channel.kind == "dingtalk":
        return _dingtalk_parts(channel, message, now_ms)
    return [Part("晨报文字", Request(channel.url, {"title": message.title, "text": message.text,
                                                 "date": message.day.isoformat(), "figures": message.figures}))], ()


def test_parts(channel: Channel, text: str, now_ms: int) -> list[Part]:
    """The one short message 发送测试 sends."""
    if channel.kind == "wecom":
        body = {"msgtype": "markdown", "markdown": {"content": text}}
    elif channel.kind == "dingtalk":
        body = {"msgtype": "markdown", "markdown": {"title": "测试消息", "text": text}}
        return [Part("测试消息", Request(dingtalk_signed(channel.url, channel.secret, now_ms), body))]
    else:
        body = {"title": "测试消息", "text": text, "date": None, "figures": {}}
    return [Part("测试消息", Request(channel.url, body))]


def shown_request(request: Request, secrets) -> dict:
    """A request as --dry-run prints it: the URL with secrets masked, the exact JSON body, the upload's
    multipart field described (its bytes are the file)."""
    shown = {"method": "POST", "url": redact(request.url, [*secrets, *url_secrets(request.url)])}
    if request.upload:
        name, content = request.upload
        shown["multipart"] = {"field": "media", "filename": name, "filelength": len(content),
                              "content_type": "application/octet-stream"}
    else:
        shown["json"] = request.json
    return shown
