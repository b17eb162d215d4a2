"""Robot requests as the robots take them: markdown within the limit cut by whole sections (never inside a
character) saying what was cut, the image with its md5, upload_media from the webhook, the 钉钉 signature,
and secrets masked in every address shown."""
import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse

import pytest

from analytics.push.channels import (WECOM_MARKDOWN_BYTES, Channel, fit, make_channel, message_parts, redact,
                                     shown_request, upload_media_url)
from analytics.push.message import WHERE_TO_FIND, Message

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
TOKEN = "f1e2d3c4b5a6978800112233445566778899aabbccddeeff00112233445566"
SECRET = "SEC8d6b1e0c0f7e4a0b9c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5"


def _message(silent_units: int, png: bytes | None = None) -> Message:
    silent = "、".join(f"第{i}社区居委会（3天未报送）" for i in range(silent_units))
    text = (f"截至12月7日，测评窗口12月18日至22日，距测评还有11天（工作日8天）；累计排查问题4000条，已整改3200条，"
            f"整改率80.0%；较昨日新增12条、整改30条；逾期45条；落后的点位类型：背街小巷（整改率低）；未报送单位：{silent}。"
            "\n第三轮模拟测评综合得分86.20分。")
    return Message(dt.date(2026, 12, 7), "创文晨报（12月7日）", text, {"kpis": {}}, png)


def test_sections_join_back_to_the_text():
    message = _message(3)
    assert "".join(message.sections) == message.text.replace("\n", "")
    assert message.sections[0].startswith("截至12月7日") and message.sections[-1].startswith("第三轮")


def test_a_short_briefing_goes_whole():
    channel = make_channel("领导群", "wecom", f"http://127.0.0.1:1/cgi-bin/webhook/send?key={KEY}", mentions=["zhangsan"])
    parts, cut = message_parts(channel, _message(3), 0)
    content = parts[0].request.json["markdown"]["content"]
    assert cut == ()
    assert content.startswith("## 创文晨报（12月7日）")
    assert all(section in content for section in _message(3).sections)
    assert content.endswith("<@zhangsan>")


def test_a_long_briefing_is_cut_by_section_and_says_what():
    message = _message(200)
    assert len(message.text.encode()) > WECOM_MARKDOWN_BYTES
    channel = make_channel("领导群", "wecom", f"http://127.0.0.1:1/cgi-bin/webhook/send?key={KEY}")
    parts, cut = message_parts(channel, message, 0)
    content = parts[0].request.json["markdown"]["content"]
    encoded = content.encode("utf-8")
    assert len(encoded) <= WECOM_MARKDOWN_BYTES
    encoded.decode("utf-8", errors="strict")   # whole characters only
    assert cut == ("未报送单位", "第三轮模拟测评综合得…")   # named by the words before the colon, else its start
    kept = [s for s in message.sections if s in content]
    assert kept == list(message.sections[:len(kept)])            # whole sections, from the start
    assert "未发出：" + "、".join(cut) in content and "4096字节" in content


def test_one_section_longer_than_the_limit_is_shortened_at_a_character():
    huge = "逾期" * 3000
    fitted = fit("## 晨报", (huge, "末段：x"), "", 4096, "企业微信")
    encoded = fitted.text.encode()
    assert len(encoded) <= 4096
    encoded.decode("utf-8", errors="strict")
    assert fitted.cut == ("逾期逾期逾期逾期逾期…", "末段")
    assert "…" in fitted.text


def test_image_carries_md5_of_its_base64_and_file_goes_through_upload_media():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    message = Message(dt.date(2026, 12, 7), "创文晨报（12月7日）", "截至12月7日；逾期1条。", {}, png,
                      attachment=("创文晨报_20261207.pptx", b"PK\x03\x04" + b"x" * 100))
    channel = make_channel("领导群", "wecom", f"https://qyapi.example.cn/cgi-bin/webhook/send?key={KEY}", attach="pptx")
    parts, _ = message_parts(channel, message, 0)
    assert [p.label for p in parts] == ["晨报文字", "图表", "文件"]
    image = parts[1].request.json["image"]
    assert hashlib.md5(base64.b64decode(image["base64"])).hexdigest() == image["md5"]
    assert parts[2].upload.url == f"https://qyapi.example.cn/cgi-bin/webhook/upload_media?key={KEY}&type=file"
    assert parts[2].upload.upload == message.attachment


def test_a_picture_over_2mb_is_not_sent_and_the_text_says_so():
    big = b"\x89PNG" + b"\0" * (2 * 1024 * 1024 + 1)
    channel = make_channel("领导群", "wecom", f"http://127.0.0.1:1/cgi-bin/webhook/send?key={KEY}")
    parts, _ = message_parts(channel, _message(1, big), 0)
    assert [p.label for p in parts] == ["晨报文字"]
    assert "超过企业微信的2MB" in parts[0].request.json["markdown"]["content"]


def test_upload_media_keeps_scheme_host_and_key():
    assert upload_media_url(f"http://127.0.0.1:8080/cgi-bin/webhook/send?key={KEY}&debug=1") == \
        f"http://127.0.0.1:8080/cgi-bin/webhook/upload_media?key={KEY}&type=file"


def test_dingtalk_signs_timestamp_and_secret_and_says_where_the_pictures_are():
    channel = make_channel("钉钉群", "dingtalk", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
                           secret=SECRET, mentions=["13800001111"])
    now_ms = 1796600000000
    parts, _ = message_parts(channel, _message(2), now_ms)
    assert len(parts) == 1
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(parts[0].request.url).query))
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{now_ms}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert query == {"access_token": TOKEN, "timestamp": str(now_ms), "sign": expected.decode()}
    body = parts[0].request.json
    assert body["markdown"]["title"] == "创文晨报（12月7日）"
    assert WHERE_TO_FIND in body["markdown"]["text"] and "@13800001111" in body["markdown"]["text"]
    assert body["at"] == {"atMobiles": ["13800001111"], "isAtAll": False}


def test_secrets_are_masked_in_what_is_shown():
    channel = make_channel("钉钉群", "dingtalk", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
                           secret=SECRET)
    assert TOKEN not in channel.masked_url and channel.masked_url.endswith("access_token=****" + TOKEN[-4:])
    parts, _ = message_parts(channel, _message(1), 1796600000000)
    shown = str(shown_request(parts[0].request, channel.secrets))
    sign = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(parts[0].request.url).query))["sign"]
    for secret in (TOKEN, SECRET, sign, urllib.parse.quote_plus(sign)):
        assert secret not in shown
    assert redact(f"error at {urllib.parse.quote(SECRET, safe='')}", channel.secrets) == f"error at ****{SECRET[-4:]}"


@pytest.mark.parametrize("kind, url, options, words", [
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", {}, "key="),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=", {}, "access_token="),
    ("wecom", "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", {}, "不是 http(s) 网址"),
    ("feishu", "https://x", {}, "类型“feishu”不认识"),
    ("wecom", f"https://q/cgi-bin/webhook/send?key={KEY}", {"at": "7点半"}, "应写成 时:分"),
    ("wecom", f"https://q/cgi-bin/webhook/send?key={KEY}", {"secret": "s"}, "只有钉钉机器人"),
    ("dingtalk", f"https://o/robot/send?access_token={TOKEN}", {"attach": "pptx"}, "只有企业微信机器人能发文件"),
    ("wecom", f"https://q/cgi-bin/webhook/send?key={KEY}", {"days": "weekends"}, "推送日“weekends”不认识"),
])
def test_bad_channels_are_refused_in_chinese_without_the_secret(kind, url, options, words):
    with pytest.raises(ValueError) as refused:
        make_channel("领导群", kind, url, **options)
    assert words in str(refused.value) and "领导群" in str(refused.value)
    assert KEY not in str(refused.value) and TOKEN not in str(refused.value)


def test_channel_defaults_are_0730_in_the_sprint():
    channel = make_channel("领导群", "webhook", "http://127.0.0.1:1/hook")
    assert (channel.at_time, channel.days) == (dt.time(7, 30), "sprint")
    assert isinstance(channel, Channel)
