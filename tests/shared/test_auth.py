import json
import subprocess
import sys

import pytest

from analytics.shared import auth


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    monkeypatch.setenv(auth.USERS_ENV_VAR, str(path))
    return path


def test_without_a_users_file_no_login_is_required(users_file):
    assert not auth.login_required()


def test_passwords_are_stored_only_as_bcrypt_hashes(users_file):
    auth.add_user("张三", "督查室密码2026", "admin")
    stored = users_file.read_text(encoding="utf-8")
    assert "督查室密码2026" not in stored
    assert json.loads(stored)["张三"]["password_hash"].startswith("$2b$")
    assert users_file.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("name, password, expected", [
    ("张三", "督查室密码2026", auth.User("张三", "admin")),
    ("张三", "wrong-password", None),
    ("李四", "督查室密码2026", None),
])
def test_authenticate(users_file, name, password, expected):
    auth.add_user("张三", "督查室密码2026", "admin")
    assert auth.authenticate(name, password) == expected
    assert auth.login_required()


@pytest.mark.parametrize("role, can_write", [("viewer", False), ("admin", True)])
def test_only_the_admin_role_writes(users_file, role, can_write):
    auth.add_user("王五", "12345678a", role)
    assert auth.authenticate("王五", "12345678a").can_write is can_write


@pytest.mark.parametrize("name, password, role", [("", "12345678", "viewer"), ("赵六", "short", "viewer"),
                                                  ("赵六", "12345678", "boss")])
def test_bad_users_are_refused_in_chinese(users_file, name, password, role):
    with pytest.raises(ValueError, match="[\u4e00-\u9fff]"):
        auth.add_user(name, password, role)


def test_the_command_line_adds_a_user(users_file):
    done = subprocess.run([sys.executable, "-m", "analytics", "user", "add", "钱七", "--role", "viewer",
                           "--password-stdin"], input="安全的密码123\n", capture_output=True, text=True,
                          env={**__import__("os").environ, auth.USERS_ENV_VAR: str(users_file)})
    assert done.returncode == 0, done.stderr
    assert auth.authenticate("钱七", "安全的密码123") == auth.User("钱七", "viewer")


@pytest.mark.parametrize("address, loopback", [("127.0.0.1", True), ("localhost", True), ("0.0.0.0", False),
                                               ("", False)])
def test_loopback_addresses(address, loopback):
    assert auth.is_loopback(address) is loopback
