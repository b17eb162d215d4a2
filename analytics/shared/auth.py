"""Who may do what: users with bcrypt-hashed passwords in a JSON file, two roles. A login may be bound
to a unit (it then sees that unit's points, problems, scores and exports only) or to a 联点领导 (it sees
everything, its own 联系点位 first).

No users file means single-machine mode: no login, every control enabled, and the server must be
bound to 127.0.0.1 (app.py refuses to serve otherwise).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from analytics.shared import db

USERS_ENV_VAR = "CHUANGWEN_USERS"
ROLES = {"viewer": "查看", "admin": "督查室（可导入、撤销、修改设置）"}
WRITE_ROLE = "admin"
LOOPBACK_ADDRESSES = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    unit: str | None = None       # a unit's login: its own data only
    leader: str | None = None     # a 联点领导's login: its own points first

    @property
    def can_write(self) -> bool:
        return self.role == WRITE_ROLE and self.unit is None


SINGLE_MACHINE_USER = User("本机", WRITE_ROLE)


def users_path() -> Path:
    """data/users.json beside the default database, or $CHUANGWEN_USERS."""
    return Path(os.environ.get(USERS_ENV_VAR) or db.DEFAULT_DB_PATH.parent / "users.json")


def load_users(path: Path | None = None) -> dict[str, dict]:
    path = path or users_path()
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def login_required(path: Path | None = None) -> bool:
    return bool(load_users(path))


def add_user(name: str, password: str, role: str, path: Path | None = None, *, unit: str | None = None,
             leader: str | None = None) -> None:
    """Create or replace a user, bound to a unit or a leader if given; only the bcrypt hash is stored."""
    if role not in ROLES:
        raise ValueError(f"角色“{role}”不存在，可选：{'、'.join(ROLES)}")
    if unit and leader:
        raise ValueError("一个账号只能绑定一个单位或一位联点领导")
    if unit and role == WRITE_ROLE:
        raise ValueError("绑定单位的账号只能是查看角色")
    if not name.strip():
        raise ValueError("用户名不能为空")
    if len(password) < 8:
        raise ValueError("密码至少 8 位")
    path = path or users_path()
    users = load_users(path)
    users[name.strip()] = {"role": role, "password_hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode(),
                           **({"unit": unit.strip()} if unit else {}), **({"leader": leader.strip()} if leader else {})}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(users, out, ensure_ascii=False, indent=1)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def authenticate(name: str, password: str, path: Path | None = None) -> User | None:
    entry = load_users(path).get(name.strip())
    if entry is None or not bcrypt.checkpw(password.encode(), entry["password_hash"].encode()):
        return None
    return User(name.strip(), entry["role"], entry.get("unit"), entry.get("leader"))


def is_loopback(address: str | None) -> bool:
    return (address or "") in LOOPBACK_ADDRESSES
