"""The push tests' database (a private copy of the hand-built campaign) and fake robot."""
from pathlib import Path

import pytest

from tests.push.robot import Robot, RobotServer

WECOM_KEY = "wecom-key-0123456789abcdef"
DINGTALK_TOKEN, DINGTALK_SECRET = "dingtalk-token-00112233445566778899", "SECdingtalk-secret-aabbccddeeff00112233"


@pytest.fixture
def db_path(campaign, tmp_path) -> Path:
    path = tmp_path / "push.duckdb"
    path.write_bytes(campaign.read_bytes())
    return path


@pytest.fixture
def robot():
    """A fake robot taking WECOM_KEY and DINGTALK_TOKEN (signed with DINGTALK_SECRET); `robot.server` serves it."""
    robot = Robot(wecom_keys={WECOM_KEY}, dingtalk={DINGTALK_TOKEN: DINGTALK_SECRET})
    with RobotServer(robot) as server:
        robot.server = server
        yield robot
