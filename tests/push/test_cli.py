"""python -m analytics push: add/list/remove, --dry-run --json prints the exact requests and sends nothing,
--now and --test send; no key, access_token or 加签 secret is ever printed, stored in the database (nor its
backups and published copies) or written to the audit."""
import json
import stat
from pathlib import Path


from analytics import cli
from analytics.push import store
from analytics.shared import db
from tests.push.conftest import DINGTALK_SECRET, DINGTALK_TOKEN, WECOM_KEY

KEY, TOKEN, SECRET = WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET
HOOK_TOKEN = "gateway-token-77aa88bb99cc"
SECRETS = (KEY, TOKEN, SECRET, HOOK_TOKEN)


def _run(capsys, db_path: Path, *arguments: str) -> tuple[int, str]:
    code = cli.main(["push", "--db", str(db_path), *arguments])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _add_all(capsys, db_path: Path, robot) -> list[str]:
    said = []
    for arguments in (["--name", "领导群", "--kind", "wecom", "--url", robot.server.wecom(KEY), "--days", "all",
                       "--no-chart", "--mention", "zhangsan"],
                      ["--name", "钉钉群", "--kind", "dingtalk", "--url", robot.server.dingtalk(TOKEN),
                       "--secret", SECRET, "--at", "08:00", "--days", "workdays"],
                      ["--name", "网关", "--kind", "webhook", "--url", f"{robot.server.base}/hook?token={HOOK_TOKEN}"]):
        code, out = _run(capsys, db_path, "add", *arguments, "--json")
        assert code == 0, out
        said.append(out)
    return said


def test_add_list_remove_with_secrets_masked(capsys, db_path, robot):
    outputs = _add_all(capsys, db_path, robot)
    code, listed = _run(capsys, db_path, "list", "--json", "--at-time", "2026-11-20T07:00")
    assert code == 0
    channels = {c["name"]: c for c in json.loads(listed)["channels"]}
    assert set(channels) == {"领导群", "钉钉群", "网关"}
    assert channels["钉钉群"]["url_masked"].endswith("access_token=****" + TOKEN[-4:])
    assert (channels["钉钉群"]["at_time"], channels["钉钉群"]["days"]) == ("08:00", "workdays")
    assert channels["领导群"]["today"] == "今天尚未推送（07:30 推送）"
    code, removed = _run(capsys, db_path, "remove", "网关")
    assert code == 0 and "已删除" in removed
    code, missing = _run(capsys, db_path, "remove", "网关")
    assert code == 1 and "没有名为“网关”的推送渠道" in missing
    code, refused = _run(capsys, db_path, "add", "--name", "坏", "--kind", "wecom", "--url",
                         f"{robot.server.base}/cgi-bin/webhook/send?token={KEY}")
    assert code == 1 and "key=" in refused
    for text in (*outputs, listed, removed, missing, refused):
        assert not any(secret in text for secret in SECRETS), text
    assert robot.received == []


def test_dry_run_prints_the_exact_requests_and_sends_nothing(capsys, db_path, robot):
    _add_all(capsys, db_path, robot)
    code, out = _run(capsys, db_path, "--channel", "钉钉群", "--dry-run", "--json", "--at-time", "2026-11-20T08:05")
    assert code == 0
    shown = json.loads(out)
    [request] = shown["requests"]
    assert request["method"] == "POST" and request["url"].startswith(f"{robot.server.base}/robot/send?access_token=****")
    assert "timestamp=" in request["url"] and "sign=****" in request["url"]
    assert request["json"]["markdown"]["title"] == "创文晨报（11月20日）" and shown["sent"] is False
    assert not any(secret in out for secret in SECRETS)
    assert robot.received == [] and robot.refused == []
    code, out = _run(capsys, db_path, "--channel", "领导群", "--dry-run", "--json")
    assert json.loads(out)["requests"][0]["json"]["markdown"]["content"].endswith("<@zhangsan>")


def test_sending_and_failing_never_show_a_secret(capsys, db_path, robot, tmp_path):
    _add_all(capsys, db_path, robot)
    code, sent = _run(capsys, db_path, "--now", "--json", "--at-time", "2026-11-20T09:00")
    assert code == 0, sent
    assert {r["channel"]: r["outcome"] for r in json.loads(sent)["reports"]} == {
        "领导群": "sent", "钉钉群": "sent", "网关": "sent"}
    code, tested = _run(capsys, db_path, "--test", "--channel", "钉钉群")
    assert code == 0 and "测试消息已送达" in tested
    robot.dingtalk[TOKEN] = "SECanother-secret-the-robot-now-wants"   # the office changed the 加签 secret
    code, failed = _run(capsys, db_path, "--test", "--channel", "钉钉群", "--json")
    assert code == 1 and "加签" in json.loads(failed)["text"] and json.loads(failed)["errcode"] == 310000
    robot.wecom_keys.clear()                                           # the robot was removed from the group
    code, failed_again = _run(capsys, db_path, "--now", "--again", "--channel", "领导群")
    assert code == 1 and "key 无效" in failed_again
    for text in (sent, tested, failed, failed_again):
        assert not any(secret in text for secret in SECRETS), text

    secrets_file = store.secrets_path(db_path)
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    stored = [db_path, *db_path.parent.glob("backups/*"), *db_path.parent.glob("*.published/*.duckdb")]
    assert len(stored) >= 3
    for path in stored:
        data = path.read_bytes()
        assert not any(secret.encode() in data for secret in SECRETS), path
    with db.connect(db_path, read_only=True) as con:
        audit = " ".join(map(str, con.execute("SELECT * FROM audit_log WHERE action LIKE '%推送%'").fetchall()))
        rows = " ".join(map(str, con.execute("SELECT * FROM push_sends").fetchall()))
    assert "添加推送渠道" in audit and "推送测试消息" in audit
    assert not any(secret in audit + rows for secret in SECRETS)


def test_push_without_a_channel_says_so(capsys, db_path):
    code, out = _run(capsys, db_path, "--due")
    assert code == 0 and "还没有推送渠道" in out
    code, out = _run(capsys, db_path, "--dry-run")
    assert code == 2 and "--channel" in out
