"""Robot answers read as the robots mean them: errcode → Chinese meaning and whether to try again."""
from analytics.push.errors import NETWORK, RATE_LIMIT, REFUSED, WRONG_KEY, judge, meaning


def test_errcodes_have_chinese_meanings_and_kinds():
    assert meaning("wecom", 93000, "invalid webhook url") == ("webhook 地址的 key 无效，或机器人已被移出群（errcode 93000）", WRONG_KEY)
    assert meaning("wecom", 45009, "")[1] == RATE_LIMIT
    assert meaning("dingtalk", 130101, "")[1] == RATE_LIMIT
    assert "加签" in meaning("dingtalk", 310000, "sign not match")[0]
    assert meaning("dingtalk", 999, "奇怪") == ("机器人拒收（errcode 999：奇怪）", REFUSED)


def test_http_answers():
    assert judge("wecom", 200, b'{"errcode":0,"errmsg":"ok"}').ok
    assert judge("wecom", 200, b'{"errcode":40058,"errmsg":"too long"}').kind == REFUSED
    assert judge("wecom", 502, b"bad gateway").kind == NETWORK
    assert judge("dingtalk", 200, b"<html>").kind == REFUSED
    assert judge("webhook", 204, b"").ok
    assert judge("webhook", 403, b"forbidden").kind == WRONG_KEY
